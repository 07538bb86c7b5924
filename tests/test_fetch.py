"""Live acquisition, tested without the network."""

import hashlib
import io
import urllib.error
from pathlib import Path

import pandas as pd
import pytest
from support import RAW_SHARED

from eocic_helpers.analysis import indicators as ki
from eocic_helpers.core import paths
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.regions import load_regions, resolve_region
from eocic_helpers.data import fetch
from eocic_helpers.data import snapshot as snap

FIX = Path(__file__).parent / "fixtures"


def test_offline_fails_at_once_in_one_line(monkeypatch, tmp_path):
    def no_network(*args, **kwargs):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(fetch.urllib.request, "urlopen", no_network)
    with pytest.raises(DataError) as exc:
        fetch.fetch(["lfst_r_lfe2emprt"], tmp_path)
    msg = str(exc.value)
    assert msg.startswith("no network") and "--raw DIR" in msg and "\n" not in msg
    assert list(tmp_path.iterdir()) == []


def test_download_is_parsed_and_recorded(monkeypatch, tmp_path):
    payload = (FIX / "lfst_r_lfe2emprt_sdmx.tsv.gz").read_bytes()
    monkeypatch.setattr(fetch.urllib.request, "urlopen", lambda *a, **k: io.BytesIO(payload))
    [out] = fetch.fetch(["lfst_r_lfe2emprt"], tmp_path)
    assert out.read_bytes() == payload
    log = (tmp_path / "fetched.json").read_text()
    assert "lfst_r_lfe2emprt" in log and "sha256" in log


def test_a_corrupt_download_leaves_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(fetch.urllib.request, "urlopen", lambda *a, **k: io.BytesIO(b"\x1f\x8bxx"))
    with pytest.raises(DataError, match="corrupt or truncated gzip"):
        fetch.fetch(["lfst_r_lfe2emprt"], tmp_path)
    assert not (tmp_path / "lfst_r_lfe2emprt.tsv.gz").exists()


def test_unknown_dataset():
    with pytest.raises(DataError, match="unknown dataset 'foo'"):
        fetch.fetch(["foo"])


@pytest.mark.skipif(not RAW_SHARED.is_dir(), reason="raw files not present")
def test_fetch_then_snapshot_fills_figure_1s_employment_rate(monkeypatch, tmp_path):
    """The whole path offline: download (faked with a file in Eurostat's SDMX-TSV format),
    rebuild the snapshot with it, and draw Figure 1's employment-rate panel from it."""
    payload = (FIX / "lfst_r_lfe2emprt_sdmx.tsv.gz").read_bytes()
    monkeypatch.setattr(fetch.urllib.request, "urlopen", lambda *a, **k: io.BytesIO(payload))
    raw = tmp_path / "raw"
    fetch.fetch(["lfst_r_lfe2emprt"], raw)
    out = tmp_path / "snapshot"
    snap.build_snapshot(RAW_SHARED, out, fetched_dir=raw)
    manifest = snap.verify_snapshot(out)
    entry = manifest["fetched"]["lfst_r_lfe2emprt"]
    assert entry["sha256"] == hashlib.sha256(payload).hexdigest() and entry["fetched"]
    s = snap.load_snapshot(out)
    rate = s[(s["indicator"] == "employment_rate_pct") & (s["geo"] == "FRB0")].set_index("year")
    assert rate.loc[2017, "value"] == 71.0 and "Eurostat flag: p" in rate.loc[2017, "note"]
    assert (out / "fetched.csv").exists()
    assert "employment_rate_pct" in set(pd.read_csv(out / "indicators.csv")["indicator"])
    focus = resolve_region("centre-val-de-loire")
    fig1 = ki.figure1_data(s, load_regions(), focus)
    # Figure 1's employment-rate panel is the briefing's 15-64 rate (tgs00007); the downloaded
    # 20-64 series stays in the snapshot under its own indicator, never mixed into that panel
    panel = fig1[(fig1["indicator"] == "employment_rate_15_64_pct") & (fig1["region"] == focus.id)]
    assert panel["value"].tolist() == [pytest.approx(65.7)]
    assert "employment_rate_pct" not in set(fig1["indicator"])
    # a download changed after it was catalogued is refused
    (raw / "lfst_r_lfe2emprt.tsv.gz").write_bytes(payload[:-4])
    with pytest.raises(DataError, match="changed since it was downloaded"):
        snap.build_snapshot(RAW_SHARED, tmp_path / "again", fetched_dir=raw)


@pytest.mark.study
@pytest.mark.skipif(not RAW_SHARED.is_dir(), reason="raw files not present")
def test_a_run_on_the_rebuilt_snapshot_publishes_the_employment_rate(monkeypatch, tmp_path):
    """fetch (faked) -> eocic data snapshot -> eocic run, in a copy of the project."""
    import os
    import shutil
    import subprocess
    import sys

    root = tmp_path / "root"
    for part in ("data", "notebooks", "book"):
        shutil.copytree(paths.ROOT / part, root / part)
    shutil.copy(paths.LOCK_FILE, root / "requirements.lock")
    payload = (FIX / "lfst_r_lfe2emprt_sdmx.tsv.gz").read_bytes()
    monkeypatch.setattr(fetch.urllib.request, "urlopen", lambda *a, **k: io.BytesIO(payload))
    fetch.fetch(["lfst_r_lfe2emprt"], root / "data" / "raw")
    env = dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(tmp_path / "build"))
    eocic = [sys.executable, "-m", "eocic_helpers.cli"]
    subprocess.run([*eocic, "data", "snapshot", "--raw", str(RAW_SHARED)], env=env,
                   check=True, capture_output=True)
    proc = subprocess.run([*eocic, "data", "check"], env=env, capture_output=True, text=True)
    assert "includes downloads: lfst_r_lfe2emprt" in proc.stdout
    subprocess.run([*eocic, "run", "centre-val-de-loire", "-n", "indicators", "-q"], env=env,
                   check=True, capture_output=True)
    run = tmp_path / "build" / "runs" / "centre-val-de-loire"
    fig1 = pd.read_csv(run / "figures" / "figure1_economic_indicators.csv")
    rate = fig1[(fig1["indicator"] == "employment_rate_15_64_pct")
                & (fig1["region"] == "centre-val-de-loire")]
    assert rate["value"].tolist() == [pytest.approx(65.7)]
    assert "employment_rate_pct" not in set(fig1["indicator"])
