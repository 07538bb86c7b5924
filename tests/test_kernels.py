"""Warm kernels: isolation between notebooks, same outputs as fresh kernels, Dask threads,
recycling, and what happens to workers and kernels on SIGINT, SIGTERM and kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import E2E_HASHSEED, ROOT, copy_build, eocic_main, run_outputs

from eocic_helpers.run import kernels, runner

FIXTURES = Path(__file__).parent / "fixtures"


# -- fast ------------------------------------------------------------------------------------

def test_staging_folders_are_unique_per_task():
    task = runner.Task("saxony", "synthesis", "x.ipynb", {})
    twin = runner.Task("saxony", "synthesis", "x.ipynb", {})
    assert runner._staging_dir(task, 0) != runner._staging_dir(twin, 1)
    assert str(os.getpid()) in runner._staging_dir(task, 0).name


def test_execute_never_puts_the_staging_folder_in_the_workers_environment(monkeypatch, tmp_path):
    seen = {}

    class FakePool:
        def execute(self, notebook_path, out_nb, parameters, cwd):
            seen["env"] = os.environ.get("EOCIC_OUTPUT_DIR")
            seen["out"] = out_nb

    monkeypatch.delenv("EOCIC_OUTPUT_DIR", raising=False)
    monkeypatch.setattr(kernels, "process_pool", lambda options: FakePool())
    task = runner.Task("saxony", "synthesis", "x.ipynb", {"region": "saxony"})
    outcome = runner.execute(task, str(tmp_path / "stage"))
    assert outcome.status == "ok"
    assert seen["env"] is None and "EOCIC_OUTPUT_DIR" not in os.environ
    assert seen["out"] == tmp_path / "stage" / "synthesis.ipynb"


def test_a_kernel_error_is_a_failed_outcome(monkeypatch, tmp_path):
    class BrokenPool:
        def execute(self, *args):
            raise kernels.KernelError("could not start")

    monkeypatch.setattr(kernels, "process_pool", lambda options: BrokenPool())
    outcome = runner.execute(runner.Task("saxony", "synthesis", "x.ipynb", {}), str(tmp_path))
    assert outcome.status == "failed" and "could not start" in outcome.error


@pytest.mark.parametrize("args, message", [
    (["--recycle-after", "0"], "--recycle-after must be 1 or more"),
    (["--cell-timeout", "0"], "--cell-timeout must be a positive number"),
])
@pytest.mark.cli
def test_run_options_are_checked(args, message):
    proc = eocic_main("run", "centre-val-de-loire", *args)
    assert proc.returncode == 2 and message in proc.stderr


@pytest.mark.cli
def test_parent_death_signal_is_available_on_linux():
    if not sys.platform.startswith("linux"):
        pytest.skip("prctl is Linux only")
    script = ("import signal; from eocic_helpers.run import kernels; "
              "print(kernels._set_parent_death_signal(signal.SIGTERM))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "True"


# -- study: kernels ----------------------------------------------------------------------------

@pytest.mark.study
def test_a_kept_kernel_carries_nothing_from_one_notebook_to_the_next(tmp_path):
    pool = kernels.KernelPool(kernels.KernelOptions())
    try:
        first = tmp_path / "one" / "set.ipynb"
        second = tmp_path / "two" / "check.ipynb"
        for f in (first, second):
            f.parent.mkdir()
        pool.execute(str(FIXTURES / "kernel_leak_set.ipynb"), first, {}, tmp_path)
        set_nb = json.loads(first.read_text())
        assert str(first.parent) in json.dumps(set_nb["cells"][-1]["outputs"])
        pool.execute(str(FIXTURES / "kernel_leak_check.ipynb"), second,
                     {"expected_cwd": str(tmp_path), "expected_output_dir": str(second.parent)},
                     tmp_path)
        assert pool.started == 1, "both notebooks must run in one kernel"
        nb = json.loads(second.read_text())
        assert "clean" in json.dumps(nb["cells"][-1]["outputs"])
        counts = [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"]
        assert counts == list(range(1, len(counts) + 1)), "execution counts restart at 1"
    finally:
        pool.shutdown()


@pytest.mark.study
def test_kernels_are_recycled_after_a_failure_and_after_n_notebooks(tmp_path):
    import papermill as pm

    pool = kernels.KernelPool(kernels.KernelOptions(recycle_after=2))
    check = {"expected_cwd": str(tmp_path)}
    try:
        for n in range(3):
            out = tmp_path / f"ok{n}" / "check.ipynb"
            out.parent.mkdir()
            pool.execute(str(FIXTURES / "kernel_leak_check.ipynb"), out,
                         {**check, "expected_output_dir": str(out.parent)}, tmp_path)
        assert pool.started == 2  # the third notebook needed a new kernel
        bad = tmp_path / "bad" / "check.ipynb"
        bad.parent.mkdir()
        with pytest.raises(pm.PapermillExecutionError):
            pool.execute(str(FIXTURES / "kernel_leak_check.ipynb"), bad,
                         {**check, "expected_output_dir": "elsewhere"}, tmp_path)
        out = tmp_path / "after" / "check.ipynb"
        out.parent.mkdir()
        pool.execute(str(FIXTURES / "kernel_leak_check.ipynb"), out,
                     {**check, "expected_output_dir": str(out.parent)}, tmp_path)
        assert pool.started == 3  # the failure discarded its kernel
        # a kernel that died between notebooks is replaced
        [kernel] = pool._idle
        os.kill(kernel.pid, signal.SIGKILL)
        _gone([kernel.pid], 10)
        out = tmp_path / "after-death" / "check.ipynb"
        out.parent.mkdir()
        pool.execute(str(FIXTURES / "kernel_leak_check.ipynb"), out,
                     {**check, "expected_output_dir": str(out.parent)}, tmp_path)
        assert pool.started == 4
    finally:
        pool.shutdown()


SLEEPER = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "sleep", "metadata": {},
               "outputs": [], "source": "import time\ntime.sleep(60)\n"}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


@pytest.mark.study
def test_a_timed_out_notebook_fails_and_its_kernel_is_replaced(tmp_path):
    nb = tmp_path / "sleeper.ipynb"
    nb.write_text(json.dumps(SLEEPER))
    pool = kernels.KernelPool(kernels.KernelOptions(cell_timeout=2))
    try:
        (tmp_path / "one").mkdir()
        with pytest.raises(Exception, match="(?i)timed? ?out|timeout"):
            pool.execute(str(nb), tmp_path / "one" / "sleeper.ipynb", {}, tmp_path)
        assert pool.started == 1 and not pool._idle  # not kept
    finally:
        pool.shutdown()


@pytest.mark.study
def test_warm_and_isolated_runs_give_byte_identical_outputs(tmp_path, study_build, e2e_outputs):
    # The warm side is the session's shared run of the region (study_build: every notebook, kept
    # kernels, each running several notebooks one after another). The isolated run uses the
    # same hash seed, so that only the kernels differ (independence from the hash seed is
    # another test's business), and starts from the shared build's EU-wide step (a cache hit:
    # that step is compared on Dask, tests/test_scale.py), so it runs the region's notebooks
    # only: its chapters, then its atlas page (the shared build has one for it).
    build = copy_build(study_build, tmp_path / "isolated", regions=["eu"])
    env = dict(os.environ, EOCIC_BUILD=str(build), PYTHONHASHSEED=E2E_HASHSEED)
    for notebooks in ([], ["-n", "atlas"]):
        proc = subprocess.run([sys.executable, "-m", "eocic_helpers.cli", "run",
                               "centre-val-de-loire", *notebooks, "--quiet", "--isolate"],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "1 cached, 0 failed" in proc.stdout, proc.stdout[-500:]  # the EU-wide step
    warm, cold = e2e_outputs, run_outputs(build / "runs" / "centre-val-de-loire")
    assert len(warm) > 10 and any(k.endswith(".svg") for k in warm)
    assert warm.keys() == cold.keys()
    different = [k for k in warm if warm[k] != cold[k]]
    assert not different, f"warm and isolated outputs differ: {different}"


# -- study: signals and orphans (the process itself) -----------------------------------------

def _start_run(build: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, EOCIC_BUILD=str(build))
    return subprocess.Popen([sys.executable, "-m", "eocic_helpers.cli", "run",
                             "centre-val-de-loire", "saxony", "--force", "--jobs", "2",
                             "--quiet"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_kernels(proc: subprocess.Popen[str], timeout: float = 120.0) -> list[int]:
    """Wait until a kernel runs under ``proc``; return the pids of all its descendants."""
    psutil = pytest.importorskip("psutil")
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = parent.children(recursive=True)
        if any("ipykernel" in " ".join(k.cmdline()) for k in kids if k.is_running()):
            time.sleep(1.0)  # let the first notebook start
            return [k.pid for k in parent.children(recursive=True)]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    raise AssertionError("no kernel started")


def _gone(pids: list[int], timeout: float) -> list[int]:
    psutil = pytest.importorskip("psutil")
    deadline = time.monotonic() + timeout
    alive = pids
    while time.monotonic() < deadline:
        alive = [p for p in pids if psutil.pid_exists(p)
                 and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        if not alive:
            break
        time.sleep(0.2)
    return alive


@pytest.mark.study
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupt_stops_the_run_its_workers_and_kernels_and_cleans_staging(tmp_path, sig):
    build = tmp_path / "build"
    proc = _start_run(build)
    pids = _wait_for_kernels(proc)
    assert len(pids) >= 2
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("the run did not stop within 20 s") from None
    assert proc.returncode == (143 if sig == signal.SIGTERM else 130)
    assert "eocic: interrupted; earlier outputs are intact" in err
    assert err.count("\n") <= 2, err
    assert _gone(pids, 10) == [], "workers or kernels outlived the run"
    assert not list((build / "runs").glob(".staging/*"))


@pytest.mark.study
def test_workers_and_kernels_die_with_a_killed_parent(tmp_path):
    proc = _start_run(tmp_path / "build")
    pids = _wait_for_kernels(proc)
    proc.kill()
    proc.wait(10)
    assert _gone(pids, 15) == [], "orphaned workers or kernels"
