"""One region through papermill and Jupyter Book, as a user runs it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import copy_build, run_cli

pytestmark = pytest.mark.study
REGION = "centre-val-de-loire"


def test_run_writes_results_figures_and_tables(e2e_build: Path):
    run = e2e_build / "runs" / REGION
    results = json.loads((run / "results.json").read_text())
    assert results["n_actions"] == 16
    assert results["n_actions_inter_clustering"] == 8
    assert results["n_actions_coaching"] == 8
    assert results["region_name"] == "Centre-Val de Loire"
    for ext in ("svg", "pdf", "csv", "json"):
        assert (run / "figures" / f"action_plan_gantt.{ext}").stat().st_size > 0
    meta = json.loads((run / "figures" / "action_plan_gantt.json").read_text())
    assert "Source:" in meta["caption"] and meta["alt"]
    table = pd.read_csv(run / "tables" / "action_plan.csv")
    assert list(table.columns) == ["action", "intervention", "owner", "start", "end"]
    assert len(table) == 16
    summary = json.loads((e2e_build / "runs" / "summary.json").read_text())
    assert summary["counts"]["failed"] == 0


def test_second_run_is_a_cache_hit(e2e_build: Path, tmp_path: Path):
    build = copy_build(e2e_build, tmp_path / "build", regions=["eu", REGION])  # a run writes
    proc = run_cli("run", REGION, "--quiet", build=build, check=True)
    assert "0 ran" in proc.stdout and "cached" in proc.stdout


def test_every_file_a_notebook_opened_is_covered_by_its_key(e2e_build: Path):
    """The files each run recorded (audit hook) are files its notebook declares, so the cache
    key covered them before the first run too; and every module it ran is in its key."""
    from eocic_helpers.core import paths
    from eocic_helpers.run import params as prm
    from eocic_helpers.run import runner

    specs = prm.discover()
    for name, spec in specs.items():
        if spec.cross_region or spec.atlas:  # tests/test_comparison.py, tests/test_atlas.py
            continue
        region = runner.EU_WIDE if spec.eu_wide else REGION  # the EU-wide step runs once
        cache = e2e_build / "runs" / region / ".cache"
        manifest = json.loads((cache / f"{name}.manifest.json").read_text())
        recorded = set(manifest["reads"])
        assert recorded, name  # the hook saw the notebook's data files
        # (what a notebook reads of the EU-wide step lies in the build folder: the hook
        # records project files, and the key covers both)
        declared = {p.relative_to(paths.ROOT).as_posix()
                    for p in runner.declared_reads(spec, region) if p.is_relative_to(paths.ROOT)}
        assert recorded <= declared, (name, sorted(recorded - declared))


def test_outputs_are_owned_and_unlisted_ones_belong_to_nobody(e2e_build: Path):
    run = e2e_build / "runs" / REGION
    owned = set()
    for f in (run / ".cache").glob("*.manifest.json"):
        owned |= set(json.loads(f.read_text())["files"])
    published = {p.relative_to(run).as_posix() for sub in ("figures", "tables")
                 for p in (run / sub).iterdir()}
    assert published <= owned


def test_t0_gives_dates_and_outputs_are_deterministic(tmp_path: Path):
    build = tmp_path / "b"
    run_cli("run", REGION, "-n", "action_plan", "-p", "t0", "2019-09-01", "--quiet",
            build=build, check=True)
    run = build / "runs" / REGION
    table = pd.read_csv(run / "tables" / "action_plan.csv")
    first_half = table["action"].str.startswith("First half of the test phase")
    assert table.loc[first_half, "end"].iloc[0] == "2019-12-01"
    first = {p.name: p.read_bytes() for p in (run / "figures").iterdir()}
    run_cli("run", REGION, "-n", "action_plan", "-p", "t0", "2019-09-01", "--quiet", "--force",
            build=build, check=True)
    second = {p.name: p.read_bytes() for p in (run / "figures").iterdir()}
    assert first == second


def test_html_edition_builds_strictly_with_the_chart(all_editions: Path):
    site = all_editions / "site" / REGION
    page = (site / "action_plan.html").read_text()
    assert "action_plan_gantt.svg" in page
    assert (site / "_images" / "action_plan_gantt.svg").exists()
    assert 'alt="Gantt chart of 16 actions' in page
    assert "intro.html" in (site / "index.html").read_text()
    intro = (site / "intro.html").read_text()
    assert "Centre-Val de Loire" in intro
    plan = " ".join(re.sub(r"<[^>]+>", "", (site / "action_plan.html").read_text()).split())
    assert "counts 16 actions: 8 for" in plan
    summary = " ".join(re.sub(r"<[^>]+>", "", (site / "summary.html").read_text()).split())
    assert "The action plan sets out 16 actions" in summary


@pytest.mark.pdf
@pytest.mark.skipif(not shutil.which("xelatex"), reason="xelatex missing: run `make setup` as root")
def test_pdf_edition(all_editions: Path):
    pdf = all_editions / "pdf" / f"{REGION}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "ROADMAP AND ACTION PLAN" in text.upper()
    assert "16 actions" in text
    assert "78 000" in text  # inter-clustering cost, glued
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    assert 4 <= pages <= 200


def test_indicator_glue_reaches_results_and_book(e2e_build: Path, all_editions: Path):
    results = json.loads((e2e_build / "runs" / REGION / "results.json").read_text())
    for key in ("gdp_per_capita_eur", "gdp_per_capita_eur_country", "gdp_per_capita_eur_eu",
                "gdp_per_capita_rank", "gdp_per_capita_ahead", "tertiary_employed_share_pct",
                "tertiary_employed_share_pct_country", "tertiary_employed_share_pct_eu",
                "tertiary_employed_share_year", "industry_lq", "high_tech_employment_pct"):
        assert key in results, key
    assert results["gdp_per_capita_rank"] == 6
    assert results["gdp_per_capita_eur_text"] == "27 820"  # GDP / average population
    summary = re.sub(r"<[^>]+>", "", (all_editions / "site" / REGION / "summary.html").read_text())
    text = " ".join(summary.split())
    assert "EUR 27 820 of gross domestic product per inhabitant" in text
    assert "ranks 6th of the ten pilot regions" in text
    page = (all_editions / "site" / REGION / "indicators.html").read_text()
    assert "figure1_economic_indicators.svg" in page and "figure2_technology_indicators.svg" in page
    assert "figure1_economic_indicators.csv" in page  # the data behind the figure is linked


def test_cost_benefit_with_120_smes_reaches_results_and_book(tmp_path: Path, e2e_build: Path):
    build = tmp_path / "b"
    run_cli("run", REGION, "-n", "cost_benefit", "-p", "n_smes", "120", "--quiet", build=build,
            check=True)
    results = json.loads((build / "runs" / REGION / "results.json").read_text())
    assert results["inter_clustering_cost_eur_per_year"] == 78000
    assert results["coaching_cost_eur_low"] == 240000 and results["coaching_cost_eur_high"] == 312000
    assert results["n_smes"] == 120
    for key in ("total_cost_eur_mean", "total_cost_eur_p05", "total_cost_eur_p95",
                "break_even_value_per_sme_eur", "top_sensitivity_parameter"):
        assert key in results
    run_cli("book", REGION, "--no-pdf", build=build, check=True)
    page = re.sub(r"<[^>]+>", "", (build / "site" / REGION / "cost_benefit.html").read_text())
    text = " ".join(page.split())
    assert "Coaching 120 SMEs costs between EUR 240 000 and EUR 312 000 for audits" in text
    # the briefing gives the coaching cost no period: a yearly reading is flagged as ours
    assert "gives this cost no period" in text and "is our assumption" in text
    for fig in ("cost_tornado", "cost_monte_carlo", "cost_sobol", "cost_scale"):
        assert (build / "site" / REGION / "_images" / f"{fig}.svg").exists()
