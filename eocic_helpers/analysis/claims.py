"""The briefing's testable statements of section 1.2, by id: the one place that names them.

The indicators chapter tests each part of a statement against one comparator
(:func:`eocic_helpers.analysis.indicators.qualitative_claims`); the SWOT evidence of the
synthesis chapter names the parts that test an item (``test`` in a region's
``synthesis.yaml``) and reads their verdicts; nothing else judges a claim. This module imports
nothing heavy, so that a region's content can be checked before any kernel starts.
"""

from __future__ import annotations

#: The column of a claims table that names each tested part of a statement.
CLAIM_ID = "id"

#: The statements on technology and R&D, each tested against the country and the EU28:
#: (indicator, claim, measure, the comparison the briefing makes, number format). Their ids
#: are ``<indicator>_<comparison>_<country|eu>``.
TECH_CLAIMS: tuple[tuple[str, str, str, str, str], ...] = (
    ("high_tech_sectors_emp_pct", "High-tech employment share below the {c}",
     "Employment in high-technology sectors, % of total employment, {y} (htec_emp_reg2)",
     "below", ".1f"),
    ("berd_share_gerd_pct", "Business sector's share of R&D expenditure above the {c}",
     "Business enterprise share of total R&D expenditure, %, {y} (rd_e_gerdreg BES / "
     "TOTAL; the briefing's measure)", "above", ".1f"),
    ("berd_pct_gdp", "Business R&D expenditure above the {c} (second measure: % of GDP, "
     "not the briefing's)", "Business R&D expenditure, % of GDP, {y} (rd_e_gerdreg BES)",
     "above", ".2f"),
    ("berd_personnel_pct_emp", "Business R&D personnel below the {c}",
     "R&D personnel in the business sector, % of employment (FTE), {y} (rd_p_persreg)",
     "below", ".3f"),
)

#: Every claim id (the statements on GDP, employment and specialisation, then the others).
CLAIM_IDS: frozenset[str] = frozenset(
    {"gdp_close_to_pilot_median", "gdp_below_eu", "employment_close_to_pilot_median",
     "employment_below_eu", "region_not_specialised", "country_not_specialised"}
    | {f"{ind}_{expected}_{kind}" for ind, _, _, expected, _ in TECH_CLAIMS
       for kind in ("country", "eu")})


def claim_status(verdict: str) -> str:
    """'holds', 'does not hold' or 'cannot be tested': the kind of a claim's verdict
    ('holds', 'does not hold (ours: ...)', 'n/a (...)'), without its detail."""
    return ("holds" if verdict == "holds" else
            "does not hold" if verdict.startswith("does not hold") else "cannot be tested")
