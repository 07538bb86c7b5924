"""Runs at scale: failure isolation, atomic outputs, the Dask executor, --all-nuts2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, one_notebook_project

pytestmark = pytest.mark.slow

FAILING_NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "execution_count": None, "metadata": {"tags": ["parameters"]},
         "outputs": [], "source": ["region = \"centre-val-de-loire\"\n"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["from eocic_helpers.outputs.publication import open_publication\n",
                    "pub = open_publication(region, \"probe\")\n",
                    "if region == \"saxony\":\n",
                    "    raise RuntimeError(\"deliberate failure for saxony\")\n",
                    "pub.glue(\"probe_ok\", region)\n",
                    "pub.finish();\n"]},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 4,
}


@pytest.fixture()
def project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the project with one extra notebook that fails for Saxony only."""
    root = one_notebook_project(tmp_path, "probe", FAILING_NOTEBOOK, glues=("probe_ok",))
    env = dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(tmp_path / "build"))
    return tmp_path / "build", env


def _eocic(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eocic_helpers.cli", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT)


def test_a_failing_region_leaves_the_other_nine_complete(project):
    build, env = project
    proc = _eocic(env, "run", "--quiet")
    assert proc.returncode == 1
    summary = json.loads((build / "runs" / "summary.json").read_text())
    status = {t["region"]: t for t in summary["tasks"]}
    assert status["saxony"]["status"] == "failed"
    assert "deliberate failure for saxony" in status["saxony"]["error"]
    assert status["saxony"]["notebook_out"].endswith("saxony/failed/probe.ipynb")
    assert sum(t["status"] == "ok" for t in summary["tasks"]) == 9
    assert "deliberate failure for saxony" in proc.stdout  # the summary table names it
    for region in status:
        if region != "saxony":
            results = json.loads((build / "runs" / region / "results.json").read_text())
            assert results["probe_ok"] == region
    assert not (build / "runs" / "saxony" / "results.json").exists()
    # A second run is a cache no-op for the nine and retries only the failure.
    again = _eocic(env, "run", "--quiet")
    assert "9 cached, 1 failed" in again.stdout


def test_a_failed_rerun_keeps_the_last_good_outputs(project):
    build, env = project
    nb = Path(env["EOCIC_ROOT"]) / "notebooks" / "probe.ipynb"
    assert _eocic(env, "run", "wallonia", "--quiet").returncode == 0
    good = (build / "runs" / "wallonia" / "results.json").read_bytes()
    broken = json.loads(nb.read_text())
    broken["cells"][1]["source"].insert(2, "raise ValueError('broken after a good run')\n")
    nb.write_text(json.dumps(broken))
    assert _eocic(env, "run", "wallonia", "--quiet").returncode == 1
    assert (build / "runs" / "wallonia" / "results.json").read_bytes() == good
    assert (build / "runs" / "wallonia" / "probe.ipynb").exists()
    assert not list((build / "runs").glob(".staging/*"))


def test_dask_local_cluster_runs_one_region(tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        env = dict(os.environ, EOCIC_BUILD=str(tmp_path / "build"))
        proc = subprocess.run(
            [sys.executable, "-m", "eocic_helpers.cli", "run", "centre-val-de-loire", "-n",
             "action_plan", "--executor", "dask", "--scheduler", cluster.scheduler_address,
             "--quiet"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp_path / "build" / "runs" / "centre-val-de-loire" /
                          "results.json").read_text())
    assert results["n_actions"] == 16


def test_all_nuts2_plans_the_atlas_for_every_region_after_one_eu_wide_step(tmp_path: Path):
    env = dict(os.environ, EOCIC_BUILD=str(tmp_path / "build"))
    proc = subprocess.run([sys.executable, "-m", "eocic_helpers.cli", "run", "--all-nuts2",
                           "--dry-run"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].endswith("eu/eu_tables")  # once, before the regions
    assert any(line.endswith("de11/atlas") for line in lines)
    assert any(line.endswith("saxony/atlas") for line in lines)  # pilots under their own ids
    assert not any("action_plan" in line or "indicators" in line for line in lines)
    n_tasks = int(lines[-1].split()[0])
    assert n_tasks > 300 and sum("eu_tables" in line for line in lines) == 1
    proc = subprocess.run([sys.executable, "-m", "eocic_helpers.cli", "run", "--all-nuts2",
                           "-n", "indicators", "--dry-run"], capture_output=True, text=True,
                          env=env, cwd=ROOT)
    assert proc.returncode == 0 and "de11/indicators" in proc.stdout  # others when named


def test_the_whole_study_on_a_local_cluster_under_another_hash_seed_is_byte_identical(
        all_pilots_build: Path, tmp_path: Path, monkeypatch):
    """Every region, the EU-wide step, the after-region and the cross-region notebooks on a
    ``distributed.LocalCluster``, scheduled by the same dependency logic as the local pool, and
    under another ``PYTHONHASHSEED`` (client, workers and kernels): the outputs are byte for
    byte those of the local run (``PYTHONHASHSEED=E2E_HASHSEED``).

    One run checks two promises, so that the suite runs the study twice, not three times: the
    Dask executor changes nothing, and neither does the hash seed (no set iteration reaches an
    output). A difference names both, and the files that differ."""
    distributed = pytest.importorskip("distributed")
    from conftest import E2E_HASHSEED, run_outputs

    other_seed = "12345"
    assert other_seed != E2E_HASHSEED
    build = tmp_path / "build"
    # The workers see the same project and build folder as the client (a shared filesystem):
    # they start with this environment, as workers on a cluster start with the project's, and
    # their kernels inherit it (the hash seed included).
    monkeypatch.setenv("EOCIC_BUILD", str(build))
    monkeypatch.setenv("PYTHONHASHSEED", other_seed)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        proc = _eocic(dict(os.environ), "run", "--executor", "dask", "--scheduler",
                      cluster.scheduler_address, "--quiet")
    assert proc.returncode == 0, proc.stderr[-2000:]
    regions = sorted(p.name for p in (all_pilots_build / "runs").iterdir()
                     if (p / "results.json").exists())
    assert len(regions) == 12  # ten pilots, the EU-wide step and the cross-region run
    cvl = run_outputs(all_pilots_build / "runs" / "centre-val-de-loire")
    assert "tables/claims_composite.csv" in cvl and "figures/figure6_strategy_map.svg" in cvl
    for region in regions:
        local = run_outputs(all_pilots_build / "runs" / region)
        dask = run_outputs(build / "runs" / region)
        assert dask.keys() == local.keys(), region
        differ = [name for name in local if local[name] != dask[name]]
        assert not differ, (f"{region}: the local run (PYTHONHASHSEED={E2E_HASHSEED}) and the "
                            f"Dask run (PYTHONHASHSEED={other_seed}) differ in {differ}")


#: 20 NUTS 2 regions of ten countries, two of them pilots (the atlas runs them under their ids).
ATLAS_SAMPLE = ["at33", "be10", "bg31", "cy00", "cz01", "de11", "dk01", "ee00", "el30", "es11",
                "fi1b", "hu11", "ie05", "itc4", "lu00", "nl32", "pl91", "pt17", "saxony",
                "centre-val-de-loire"]


def test_the_atlas_of_20_regions_on_a_local_cluster_is_byte_identical_to_the_local_pool(
        tmp_path: Path, monkeypatch):
    """``eocic run --all-nuts2 --executor dask`` on a sample: the EU-wide step and 20 regions'
    atlas pages, on a ``distributed.LocalCluster`` and on the local pool, byte for byte."""
    distributed = pytest.importorskip("distributed")
    from conftest import run_outputs

    local, dask = tmp_path / "local", tmp_path / "dask"
    args = ["run", "-n", "atlas", *ATLAS_SAMPLE, "--quiet"]
    proc = _eocic(dict(os.environ, EOCIC_BUILD=str(local)), *args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    monkeypatch.setenv("EOCIC_BUILD", str(dask))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        proc = _eocic(dict(os.environ, EOCIC_BUILD=str(dask)), *args, "--executor", "dask",
                      "--scheduler", cluster.scheduler_address)
    assert proc.returncode == 0, proc.stderr[-2000:]
    runs = sorted(p.name for p in (local / "runs").iterdir() if (p / "results.json").exists())
    assert len(runs) == 21  # 20 regions and the EU-wide step
    for region in runs:
        a, b = run_outputs(local / "runs" / region), run_outputs(dask / "runs" / region)
        assert a.keys() == b.keys(), region
        assert [n for n in a if a[n] != b[n]] == [], region
        if region != "eu":
            assert any(n.startswith("figures/locator_map_") for n in a), region


NAPPER = {
    "cells": [
        {"cell_type": "code", "execution_count": None, "metadata": {"tags": ["parameters"]},
         "outputs": [], "source": ["region = \"centre-val-de-loire\"\n"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["import time\n", "from eocic_helpers.outputs.publication import "
                    "open_publication\n", "pub = open_publication(region, \"napper\")\n",
                    "time.sleep(8)\n", "pub.glue(\"napped\", region)\n", "pub.finish();\n"]},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 4,
}


def test_a_worker_that_dies_mid_task_has_its_task_rerun_not_failed(tmp_path: Path):
    """Kill the worker that is running the task: Dask reruns it on a live worker and the run
    succeeds, with the task's outputs published once."""
    import signal
    import time

    distributed = pytest.importorskip("distributed")
    root = one_notebook_project(tmp_path, "napper", NAPPER, glues=("napped",))
    build = tmp_path / "build"
    env = dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(build))
    # The workers see the client's project and build folder (a shared filesystem), as workers
    # on a cluster start with the project's environment: the kernel reads its catalogue there.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  env={"EOCIC_ROOT": str(root), "EOCIC_BUILD": str(build)}
                                  ) as cluster, \
            distributed.Client(cluster) as client:
        run = subprocess.Popen([sys.executable, "-m", "eocic_helpers.cli", "run",
                                "centre-val-de-loire", "--executor", "dask", "--scheduler",
                                cluster.scheduler_address, "-q"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        busy: list[str] = []
        deadline = time.monotonic() + 90
        while not busy and time.monotonic() < deadline:
            busy = [w for w, keys in client.processing().items() if keys]
            time.sleep(0.2)
        assert busy, "the task never started"
        time.sleep(2)  # inside the notebook
        pid = client.run(os.getpid, workers=busy)[busy[0]]
        os.kill(pid, signal.SIGKILL)
        out, err = run.communicate(timeout=240)
    assert run.returncode == 0, err[-2000:]
    assert "FAILED" not in err
    results = json.loads((build / "runs" / "centre-val-de-loire" / "results.json").read_text())
    assert results["napped"] == "centre-val-de-loire"
    assert not list((build / "runs").glob(".staging/*/"))
