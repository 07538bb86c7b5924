"""Regions other than Centre-Val de Loire: no briefing cost, claim or check presented as theirs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REGIONS = ["saxony", "lithuania"]


@pytest.fixture(scope="module")
def build(all_pilots_build: Path) -> Path:
    return all_pilots_build


def _outputs_text(nb: Path) -> str:
    cells = json.loads(nb.read_text())["cells"]
    return "\n".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))


@pytest.mark.parametrize("region", REGIONS)
def test_no_centre_val_de_loire_claim_or_check(build: Path, region: str):
    run = build / "runs" / region
    tables = {p.name for p in (run / "tables").glob("*.csv")}
    for name in ("fidelity_section_1_2.csv", "fidelity_section_4.csv", "claims_section_1_2.csv",
                 "claims_composite.csv"):
        assert name not in tables, name
    results = json.loads((run / "results.json").read_text())
    assert "template" in results["inputs_note"] and "Centre-Val de Loire" in results["inputs_note"]
    printed = _outputs_text(run / "cost_benefit.ipynb") + _outputs_text(run / "indicators.ipynb")
    assert "Parameters differ" not in printed
    assert "Centre-Val de Loire only" in printed
    # the typology is the briefing's, and the chapter says how many units of its own data has
    assert results["briefing_group_text"].startswith("group")
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
