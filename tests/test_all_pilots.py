"""Every pilot region runs end to end with its own highlights."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from eocic_helpers.core.regions import load_regions

pytestmark = pytest.mark.slow
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
        for ext in ("png", "svg", "csv"):
            assert (run / "figures" / f"{name}.{ext}").stat().st_size > 0
    fig1 = pd.read_csv(run / "figures" / "figure1_economic_indicators.csv")
    assert fig1.loc[fig1["highlight"], "region"].unique().tolist() == [region]
    assert results["has_action_plan"] is own and results["has_costs"] is own
    if not own:  # no plan or costs of Centre-Val de Loire under this region's name
        assert not (run / "figures" / "action_plan_gantt.png").exists()
    assert results["has_synthesis"] is (region == "centre-val-de-loire")
    assert (run / "tables" / "swot_candidates.csv").exists()
    for key in ("composite_total", "composite_rank_p05", "composite_rank_p95"):
        assert key in results, key
    for key in ("inter_clustering_cost_eur_per_year", "break_even_value_per_sme_eur"):
        assert (key in results) is own, key


def test_summary_lists_every_task(all_pilots_build: Path):
    summary = json.loads((all_pilots_build / "runs" / "summary.json").read_text())
    assert summary["counts"]["failed"] == 0
    # Every pilot, and the cross-region comparison once, as region "all", after them.
    assert {t["region"] for t in summary["tasks"]} == set(REGIONS) | {"all"}
    cross = [t for t in summary["tasks"] if t["region"] == "all"]
    assert [t["notebook"] for t in cross] == ["comparison"]
    assert summary["tasks"][-1]["region"] == "all"
