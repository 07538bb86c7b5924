"""Locks, environment faults and a tampered snapshot: one line, non-zero, no kernel, outputs intact.

None of these tests starts a kernel: the refusals happen before any notebook runs.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, eocic_main

from eocic_helpers import cli
from eocic_helpers.core import lock, paths
from eocic_helpers.run import params as prm
from eocic_helpers.run import runner

pytestmark = pytest.mark.cli


def _eocic(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The command line in this process (a refusal needs no process of its own)."""
    return eocic_main(*args, env=env)


def _eocic_process(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The command line as a process of its own: for the lock, which this process holds."""
    return subprocess.run([sys.executable, "-m", "eocic_helpers.cli", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT)


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


# -- a lock per build folder ----------------------------------------------------------------

def test_a_second_run_with_no_wait_refuses_while_the_build_is_locked(tmp_path: Path):
    build = tmp_path / "build"
    env = dict(os.environ, EOCIC_BUILD=str(build))
    with lock.build_lock(build=build):
        for args in (("run", "centre-val-de-loire", "-n", "action_plan", "--no-wait", "-q"),
                     ("book", "centre-val-de-loire", "--no-pdf", "--no-wait")):
            proc = _eocic_process(*args, env=env)
            assert proc.returncode == 2, proc.stderr
            line = _one_line(proc.stderr)
            assert "is in use by another eocic run or book" in line and f"pid {os.getpid()}" in line
    assert not (build / "runs").exists()  # nothing ran


def test_a_second_book_waits_and_says_so(tmp_path: Path):
    build = tmp_path / "build"
    env = dict(os.environ, EOCIC_BUILD=str(build))
    with lock.build_lock(build=build):
        proc = subprocess.Popen([sys.executable, "-m", "eocic_helpers.cli", "book",
                                 "centre-val-de-loire", "--no-pdf"], stderr=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
        try:
            first = proc.stderr.readline()  # blocks until the waiting line is written
            assert "waiting for another eocic run or book" in first
            assert proc.poll() is None  # still waiting, not failed
        finally:
            proc.kill()
            proc.wait()
            proc.stderr.close()


# -- environment faults ---------------------------------------------------------------------

def test_build_pointing_at_a_file_is_one_line(tmp_path: Path):
    f = tmp_path / "a-file"
    f.write_text("not a folder\n")
    proc = _eocic("run", "centre-val-de-loire", "-n", "action_plan", "-q",
                  env=dict(os.environ, EOCIC_BUILD=str(f)))
    assert proc.returncode == 1
    assert "exists and is not a folder" in _one_line(proc.stderr)
    assert f.read_text() == "not a folder\n"


@pytest.fixture()
def build(tmp_path: Path, monkeypatch) -> Path:
    build = tmp_path / "build"
    monkeypatch.setattr(paths, "BUILD", build)
    monkeypatch.setattr(paths, "RUNS", build / "runs")
    return build


def _cache_action_plan(build: Path) -> None:
    """Make centre-val-de-loire/action_plan a cache hit without running it."""
    [task] = runner.plan(["centre-val-de-loire"], prm.select(prm.discover(), ["action_plan"]), {})
    runner.atomic.write_json(runner.manifest_file(task.region, task.notebook),
                             {"key": task.key, "files": {}, "reads": []})
    assert runner.is_fresh(task)


def test_read_only_build_is_one_line(build: Path, monkeypatch, capsys):
    _cache_action_plan(build)
    real = Path.write_bytes

    def read_only(self, data):
        if build in self.parents:
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", read_only)
    assert cli.main(["run", "centre-val-de-loire", "-n", "action_plan", "-q"]) == 1
    err = _one_line(capsys.readouterr().err)
    assert "cannot write there (Read-only file system)" in err
    assert not (build / "runs" / "summary.json").exists()


def test_full_disk_during_a_cached_run_is_one_line(build: Path, monkeypatch, capsys):
    _cache_action_plan(build)
    summary = build / "runs" / "summary.json"
    summary.write_text('{"earlier": true}\n')
    real = Path.write_text

    def full(self, *args, **kwargs):
        if self.name.startswith(".summary.json"):
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    assert cli.main(["run", "centre-val-de-loire", "-n", "action_plan", "-q"]) == 1
    err = _one_line(capsys.readouterr().err)
    assert "No space left on device" in err and "earlier outputs are intact" in err
    assert json.loads(summary.read_text()) == {"earlier": True}
    assert not list(summary.parent.glob(".summary.json.*"))  # no temporary file left


# -- the snapshot is checked before any kernel ----------------------------------------------

@pytest.fixture()
def project(tmp_path: Path) -> dict[str, str]:
    """A copy of the project's data and notebooks, with its own build folder."""
    root = tmp_path / "root"
    for part in ("data", "notebooks", "book"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copy(ROOT / "requirements.lock", root / "requirements.lock")
    return dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(tmp_path / "build"))


def test_a_changed_snapshot_value_stops_the_run_before_any_kernel(project: dict[str, str]):
    f = Path(project["EOCIC_ROOT"]) / "data" / "snapshot" / "gdp_population.csv"
    text = f.read_text()
    old = "FRB0,gdp_per_capita_eur,2017,27820.063382,"
    assert old in text
    f.write_text(text.replace(old, "FRB0,gdp_per_capita_eur,2017,99999.000000,"))
    for args in (("run", "centre-val-de-loire", "-q"), ("data", "check")):
        proc = _eocic(*args, env=project)
        assert proc.returncode == 2, proc.stdout
        line = _one_line(proc.stderr)
        assert "gdp_population.csv: changed since the snapshot was built" in line
        assert "eocic data snapshot --raw DIR" in line
    assert not Path(project["EOCIC_BUILD"], "runs").exists()  # no kernel, nothing written


def test_a_truncated_snapshot_file_is_refused_in_the_preflight(project: dict[str, str]):
    f = Path(project["EOCIC_ROOT"]) / "data" / "snapshot" / "context.csv"
    f.write_bytes(f.read_bytes()[:5000])
    proc = _eocic("run", "saxony", "-n", "indicators", "-q", env=project)
    assert proc.returncode == 2
    assert "context.csv: changed since the snapshot was built" in _one_line(proc.stderr)
    assert not Path(project["EOCIC_BUILD"], "runs").exists()


def test_a_corrupt_results_json_is_one_line_and_rebuilt_on_a_cached_run(build: Path, capsys):
    _cache_action_plan(build)
    region = build / "runs" / "centre-val-de-loire"
    runner.atomic.write_json(runner.fragment_file("centre-val-de-loire", "action_plan"),
                             {"region": "centre-val-de-loire", "notebook": "action_plan",
                              "values": {"n_actions": 16}, "figures": []})
    (region / "results.json").write_text('{"n_actions": 1')  # cut short
    assert cli.main(["run", "centre-val-de-loire", "-n", "action_plan", "-q"]) == 0
    err = _one_line(capsys.readouterr().err)
    assert "results.json: corrupt; rebuilt from the notebooks' fragments" in err
    assert json.loads((region / "results.json").read_text()) == {"n_actions": 16}
