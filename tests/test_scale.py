"""Runs at scale: failure isolation, atomic outputs, the Dask executor, --all-nuts2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, eocic_main, one_notebook_project

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


_EOCIC = [sys.executable, "-m", "eocic_helpers.cli"]


def _eocic(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_EOCIC, *args], capture_output=True, text=True, env=env, cwd=ROOT)


@pytest.mark.study
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


@pytest.mark.study
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


@pytest.mark.cli
def test_all_nuts2_plans_the_atlas_for_every_region_after_one_eu_wide_step(tmp_path: Path):
    build = tmp_path / "build"
    proc = eocic_main("run", "--all-nuts2", "--dry-run", build=build)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].endswith("eu/eu_tables")  # once, before the regions
    assert any(line.endswith("de11/atlas") for line in lines)
    assert any(line.endswith("saxony/atlas") for line in lines)  # pilots under their own ids
    assert not any("action_plan" in line or "indicators" in line for line in lines)
    n_tasks = int(lines[-1].split()[0])
    assert n_tasks > 300 and sum("eu_tables" in line for line in lines) == 1
    proc = eocic_main("run", "--all-nuts2", "-n", "indicators", "--dry-run", build=build)
    assert proc.returncode == 0 and "de11/indicators" in proc.stdout  # others when named


@pytest.mark.dask
def test_the_study_and_the_atlas_on_one_local_cluster_are_byte_identical_under_another_seed(
        study_build: Path, dask_study: tuple[Path, dict]):
    """The suite's one Dask run (``tests/support/dask_study.py``, made in the background beside
    the tests that read the editions), on one ``distributed.LocalCluster`` (two worker
    processes with two threads each, so each worker runs two tasks at a time in kernels of
    their own): the atlas pages of the shared build's sample with the EU-wide step, then every
    pilot region, the after-region and the cross-region notebooks, scheduled by the same
    dependency logic as the local pool, under another ``PYTHONHASHSEED`` (client, workers and
    kernels). Midway through the study a worker is killed while it runs a notebook: Dask
    reruns its tasks on a live worker, and the run succeeds with nothing failed and no staging
    left.

    Every output is then byte for byte the shared build's (local pool,
    ``PYTHONHASHSEED=E2E_HASHSEED``). One run checks four promises, so that the suite runs the
    study twice, not five times: the Dask executor changes nothing, neither does the hash seed
    (no set iteration reaches an output), concurrent tasks of one worker keep to their own
    kernels, and a worker that dies mid-task has its task rerun, not failed. A difference names
    the run and the files that differ."""
    from conftest import ATLAS_SAMPLE, DASK_HASHSEED, E2E_HASHSEED, run_outputs

    from eocic_helpers.core.regions import load_regions, resolve_region

    assert DASK_HASHSEED != E2E_HASHSEED
    build, report = dask_study
    assert report["atlas"]["returncode"] == 0, report["atlas"]["err"][-2000:]
    assert "killed" in report, "no task was running"
    killed = report["killed"]
    assert killed not in report["restarted"], "the worker was not killed"
    assert len(report["restarted"]) == 2  # the nanny restarted the killed one
    out, err = report["out"], report["err"]
    assert report["returncode"] == 0, err[-2000:]
    assert "FAILED" not in err and "0 failed" in out, out[-2000:]
    assert not list((build / "runs").glob(".staging/*/"))

    pilots = [r.id for r in load_regions()]
    regions = sorted(p.name for p in (study_build / "runs").iterdir()
                     if (p / "results.json").exists())
    # ten pilots, the EU-wide step, the cross-region run and the other 18 atlas regions
    assert set(regions) == {*pilots, "eu", "all", *ATLAS_SAMPLE} and len(regions) == 30
    cvl = run_outputs(study_build / "runs" / "centre-val-de-loire")
    assert "tables/claims_composite.csv" in cvl and "figures/figure6_strategy_map.svg" in cvl
    for region in regions:
        local = run_outputs(study_build / "runs" / region)
        dask = run_outputs(build / "runs" / region)
        assert dask.keys() == local.keys(), region
        differ = [name for name in local if local[name] != dask[name]]
        assert not differ, (f"{region}: the local run (PYTHONHASHSEED={E2E_HASHSEED}) and the "
                            f"Dask run (PYTHONHASHSEED={DASK_HASHSEED}) differ in {differ}")
        if region in ATLAS_SAMPLE:
            assert any(n.startswith("figures/locator_map_") for n in local), region
    for region in pilots:  # each kernel showed its own region (none the other thread's)
        results = json.loads((build / "runs" / region / "results.json").read_text())
        # Saxony has no plan of its own (Centre-Val de Loire's is never shown as its)
        if region in ("centre-val-de-loire", "saxony"):
            assert results.get("n_actions") == (16 if region == "centre-val-de-loire" else None)
        nb = (build / "runs" / region / "action_plan.ipynb").read_text()
        assert resolve_region(region).name in nb, f"{region}'s notebook shows another region"
