"""Every pilot region runs end to end with its own highlights."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from eocic_helpers.core.regions import load_regions

pytestmark = pytest.mark.study
REGIONS = [r.id for r in load_regions()]


@pytest.mark.parametrize("region", REGIONS)
def test_each_pilot_has_both_figures_and_its_glue(all_pilots_build: Path, region: str):
    run = all_pilots_build / "runs" / region
    results = json.loads((run / "results.json").read_text())
    assert results["region_name"] == next(r.name for r in load_regions() if r.id == region)
    assert 1 <= results["gdp_per_capita_rank"] <= 10
    own = region == "centre-val-de-loire"  # the only region whose plan and costs are restated
    names = ["figure1_economic_indicators", "figure2_technology_indicators",
             "figure3_composite_dimensions", "figure4_composite_stars"]
    names += ["action_plan_gantt", "cost_tornado", "cost_monte_carlo", "cost_sobol",
              "cost_scale"] if own else []
    for name in names:
        for ext in ("svg", "pdf", "csv"):
            assert (run / "figures" / f"{name}.{ext}").stat().st_size > 0
    fig1 = pd.read_csv(run / "figures" / "figure1_economic_indicators.csv")
    assert fig1.loc[fig1["highlight"], "region"].unique().tolist() == [region]
    assert results["has_action_plan"] is own and results["has_costs"] is own
    if not own:  # no plan or costs of Centre-Val de Loire under this region's name
        assert not (run / "figures" / "action_plan_gantt.svg").exists()
    assert results["has_synthesis"] is (region == "centre-val-de-loire")
    assert (run / "tables" / "swot_candidates.csv").exists()
    for key in ("composite_total", "composite_rank_p05", "composite_rank_p95"):
        assert key in results, key
    for key in ("inter_clustering_cost_eur_per_year", "break_even_value_per_sme_eur"):
        assert (key in results) is own, key


def test_summary_lists_every_task(all_pilots_build: Path):
    summary = json.loads((all_pilots_build / "runs" / "summary.json").read_text())
    assert summary["counts"]["failed"] == 0
    # The EU-wide step once, as region "eu", first; every pilot; and the cross-region
    # comparison once, as region "all", after them.
    assert {t["region"] for t in summary["tasks"]} == set(REGIONS) | {"all", "eu"}
    cross = [t for t in summary["tasks"] if t["region"] == "all"]
    assert [t["notebook"] for t in cross] == ["comparison"]
    assert summary["tasks"][-1]["region"] == "all"
    assert [(t["region"], t["notebook"]) for t in summary["tasks"][:1]] == [("eu", "eu_tables")]
    assert not any(t["notebook"] == "atlas" for t in summary["tasks"])  # --all-nuts2 only


def test_the_eu_wide_step_leaves_the_pilots_composite_outputs_as_they_were(all_pilots_build: Path):
    """The EU-wide Monte Carlo draws are computed once per run (notebooks/eu_tables.ipynb) and
    each region only ranks itself in them: every table, figure CSV and glued value of the ten
    pilots' composite chapter is byte-identical to what each region's own full Monte Carlo
    gave before (tests/fixtures/industrial_change_before_eu_step.json)."""
    import hashlib

    before = json.loads((Path(__file__).parent / "fixtures" /
                         "industrial_change_before_eu_step.json").read_text())["regions"]
    assert sorted(before) == sorted(REGIONS)
    for region, files in before.items():
        run = all_pilots_build / "runs" / region
        frag = json.loads((run / ".cache" / "industrial_change.results.json").read_text())
        now = {rel: hashlib.sha256((run / rel).read_bytes()).hexdigest()
               for rel in files if rel != "values"}
        now["values"] = hashlib.sha256(json.dumps(frag["values"], sort_keys=True,
                                                  ensure_ascii=False).encode()).hexdigest()
        assert now == files, region
    eu = all_pilots_build / "runs" / "eu"
    assert sorted(p.name for p in (eu / "data").iterdir()) == [
        "composite_mc_pairs.npy", "composite_mc_regions.npy", "composite_mc_rules.npy",
        "composite_mc_totals.npy"]
    table = pd.read_csv(eu / "tables" / "composite_eu_nuts2.csv")
    assert len(table) > 250 and table["rank"].dropna().is_monotonic_increasing


def test_no_executed_notebook_prints_anything(all_pilots_build: Path):
    """Kernels write no stray text into a notebook (IPython's history database, shared by
    kernels running side by side, used to print 'Session/line number was not unique'), and
    no cell shows its last expression's value (the EU-wide notebook once showed the staging
    paths of the files it saved): a notebook's outputs are what it publishes."""
    for nb in sorted((all_pilots_build / "runs").glob("*/*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        stray = [o.get("text") or o.get("data") for c in cells for o in c.get("outputs", [])
                 if o.get("output_type") in ("stream", "error", "execute_result")]
        assert not stray, (nb, stray[:1])
