"""`eocic data update` and `eocic data diff` on the command line (no network: a local folder
stands in for Eurostat, or the downloader fails as it does offline)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from conftest import eocic_main

from eocic_helpers.core import paths
from eocic_helpers.data import fetch
from eocic_helpers.data import snapshot as snap

sys.path.insert(0, str(Path(__file__).parent))
from test_data_update import write_mirror  # noqa: E402

pytestmark = pytest.mark.cli


def test_offline_update_is_one_line_non_zero_and_fast(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise fetch.urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(fetch.urllib.request, "urlopen", no_network)
    env = {k: v for k, v in os.environ.items() if k != fetch.FETCH_FROM_ENV}
    start = time.perf_counter()
    proc = eocic_main("data", "update", "--out", str(tmp_path / "out"), env=env)
    assert time.perf_counter() - start < 5
    assert proc.returncode != 0 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "no network" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_update_then_diff_on_the_command_line(tmp_path):
    mirror = write_mirror(tmp_path / "mirror", snap.load_snapshot(paths.DEFAULT_SNAPSHOT))
    env = dict(os.environ, **{fetch.FETCH_FROM_ENV: str(mirror)})
    out = tmp_path / "fetched"
    proc = eocic_main("data", "update", "--out", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    assert f"snapshot: {out} (Eurostat, retrieved on " in proc.stdout
    assert "absent (no recipe or no data): ris2019_index" in proc.stderr
    csv = tmp_path / "diff.csv"
    proc = eocic_main("data", "diff", str(paths.DEFAULT_SNAPSHOT), str(out), "--csv", str(csv),
                      env=env)
    assert proc.returncode == 0, proc.stderr
    assert "(the 2019 briefing's reproduction data)" in proc.stdout
    assert "ris2019_index" in proc.stdout and f"every change: {csv}" in proc.stdout
    assert csv.is_file() and csv.with_name("diff-claims.csv").is_file()


def test_a_snapshot_folder_without_manifest_is_refused(tmp_path):
    proc = eocic_main("run", "centre-val-de-loire", "--snapshot", str(tmp_path), "--dry-run",
                      build=tmp_path / "build")
    assert proc.returncode != 0
    assert "no MANIFEST.json there" in proc.stderr and proc.stderr.count("\n") == 1
