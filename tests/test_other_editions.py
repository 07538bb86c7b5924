"""Regions other than Centre-Val de Loire: no briefing cost, claim or check presented as theirs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.study
REGIONS = ["saxony", "lithuania"]


@pytest.fixture(scope="module")
def build(all_pilots_build: Path) -> Path:
    return all_pilots_build


def _outputs_text(nb: Path) -> str:
    """Everything a notebook shows: printed text and displayed text (plain or markdown)."""
    cells = json.loads(nb.read_text())["cells"]
    out = []
    for c in cells:
        for o in c.get("outputs", []):
            out.append("".join(o.get("text", "")))
            data = o.get("data", {})
            out.append("".join(data.get("text/markdown", "")) or "".join(data.get("text/plain", "")))
    return re.sub(r"\\(.)", r"\1", "\n".join(out))  # MyST escapes: Centre\-Val is Centre-Val


@pytest.mark.parametrize("region", REGIONS)
def test_no_centre_val_de_loire_claim_or_check(build: Path, region: str):
    run = build / "runs" / region
    tables = {p.name for p in (run / "tables").glob("*.csv")}
    for name in ("fidelity_section_1_2.csv", "fidelity_section_4.csv", "claims_section_1_2.csv",
                 "claims_composite.csv", "cost_parameters.csv", "action_plan.csv"):
        assert name not in tables, name
    results = json.loads((run / "results.json").read_text())
    # no cost or plan of Centre-Val de Loire under this region's name, not even as a template
    assert results["has_costs"] is False and results["has_action_plan"] is False
    assert "inputs_note" not in results and "n_actions" not in results
    printed = _outputs_text(run / "cost_benefit.ipynb") + _outputs_text(run / "indicators.ipynb")
    assert "Parameters differ" not in printed
    assert "Centre-Val de Loire only" in printed
    assert "\u2423" not in printed and "print(" not in printed
    # the typology is the briefing's, unit by unit, and the chapter says how many units of
    # its own data has
    assert results["typology_placement_text"].startswith(("the units of", results["region_name"]))
    assert results["dimensions_with_data"] == 3 and results["dimensions_without_data_names"] == \
        "digitalisation"


def test_lithuania_is_not_compared_with_itself(build: Path):
    run = build / "runs" / "lithuania"
    results = json.loads((run / "results.json").read_text())
    assert "whole country" in results["gdp_country_clause"]
    assert "national figure (" not in results["gdp_country_clause"]
    fig2 = (run / "figures" / "figure2_technology_indicators.csv").read_text()
    assert "country" not in {line.split(",")[2] for line in fig2.splitlines()[1:]}
    meta = json.loads((run / "figures" / "figure2_technology_indicators.json").read_text())
    assert "against Lithuania" not in meta["caption"]
