"""The briefing's own numbers (``data/reference/briefing_values.csv``) and comparisons to them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from eocic_helpers.core import paths
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.reads import cached_loader
from eocic_helpers.outputs.numbers import format_number

REFERENCE_FILE_NAME = "briefing_values.csv"
#: A reference row whose ``note`` starts with this is our arithmetic on the briefing's numbers
#: (e.g. a sum of its ranges), not a number the briefing states.
DERIVED_PREFIX = "derived:"
REQUIRED = ["id", "value", "unit", "year", "geo", "where", "tolerance", "tolerance_kind"]


@cached_loader
def _load(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path}: missing; restore it from git")
    try:
        frame = pd.read_csv(path, dtype={"geo": str}, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise DataError(f"{path}: corrupt CSV ({exc}); restore it from git") from None
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing columns {missing}")
    if frame["id"].duplicated().any():
        raise DataError(f"{path}: duplicate id {frame.loc[frame['id'].duplicated(), 'id'].iloc[0]}")
    bad = sorted(set(frame["tolerance_kind"]) - {"relative", "absolute"})
    if bad:
        raise DataError(f"{path}: tolerance_kind must be relative or absolute, got {bad[0]!r}")
    return frame.astype({"value": float, "tolerance": float}).set_index("id")


def load_reference(path: Path | None = None) -> pd.DataFrame:
    """All reference values, indexed by id."""
    return _load(Path(path or paths.REFERENCE / REFERENCE_FILE_NAME)).copy()


def reference(ref_id: str) -> pd.Series:
    """One reference value's row (value, unit, year, geo, where, tolerance...).

    Raises:
        DataError: unknown id.
    """
    ref = load_reference()
    if ref_id not in ref.index:
        raise DataError(f"unknown reference value '{ref_id}'; see data/reference/{REFERENCE_FILE_NAME}")
    return ref.loc[ref_id]


def note_label(note: str) -> str:
    """A reader's label from a reference row's note: its first clause, without the derived
    marker, capitalised (the note describes the value with its unit)."""
    text = note.removeprefix(DERIVED_PREFIX).strip().split(";")[0].strip()
    return text[:1].upper() + text[1:]


def _relation(a: float, b: float) -> str:
    return "equal to" if a == b else ("above" if a > b else "below")


@dataclass(frozen=True)
class Comparison:
    """A computed value set against the briefing's, and the briefing's claim about it."""

    id: str
    briefing: float
    ours: float | None
    difference: float | None
    relative_difference: float | None
    tolerance: str
    agrees: bool | None  # None when we cannot compute the value
    where: str
    note: str = ""
    label: str = ""
    derived: bool = False
    claim: str = ""  # e.g. "above EU28": the briefing's comparison, "" when it makes none
    claim_holds: bool | None = None  # None when there is no claim or ours is missing


#: Reference value id -> the ``results.json`` key (a glued value) holding our computed value.
#: The one place that says which of our numbers answers which of the briefing's.
RESULTS_KEYS: dict[str, str] = {
    "gdp_per_capita_eur": "gdp_per_capita_eur",
    "gdp_per_capita_eur_country": "gdp_per_capita_eur_country",
    "gdp_per_capita_eur_eu": "gdp_per_capita_eur_eu",
    "gdp_per_capita_rank": "gdp_per_capita_rank",
    "tertiary_employed_share_pct": "tertiary_employed_share_pct",
    "tertiary_employed_share_pct_country": "tertiary_employed_share_pct_country",
    "tertiary_employed_share_pct_eu": "tertiary_employed_share_pct_eu",
    "tertiary_employed_share_rank": "tertiary_employed_share_rank",
    "inter_clustering_cost_eur_per_year": "inter_clustering_cost_eur_per_year",
    "coaching_cost_eur_low": "coaching_cost_eur_low",
    "coaching_cost_eur_high": "coaching_cost_eur_high",
    "n_actions_action_plan": "n_actions",
    "cluster_stars_cvl": "cluster_stars",
}


def compare_results(values: dict[str, Any]) -> list[Comparison]:
    """Compare the computed ``values`` (a notebook's or a region's ``results.json``, keyed like
    it) that answer one of the briefing's numbers with it."""
    return [compare(ref_id, values[key]) for ref_id, key in RESULTS_KEYS.items() if key in values]


def compare(ref_id: str, ours: float | None, note: str = "", label: str = "",
            versus: tuple[str, str, float | None] | None = None) -> Comparison:
    """Compare ``ours`` with the briefing's value ``ref_id`` within its tolerance.

    ``versus`` = (comparator reference id, comparator name, our comparator value): the
    briefing's own two values give its claim (above/below the comparator); the comparison
    then agrees only when the magnitude is within tolerance AND our two values stand in the
    same relation.
    """
    row = reference(ref_id)
    brief = float(row["value"])
    tol = float(row["tolerance"])
    kind = row["tolerance_kind"]
    tol_text = f"±{tol:.0%}" if kind == "relative" else (f"±{tol:g}" if tol else "exact")
    derived = str(row["note"]).startswith(DERIVED_PREFIX)
    label = label or note_label(str(row["note"]))
    missing = ours is None or (isinstance(ours, float) and math.isnan(ours))
    claim, holds = "", None
    if versus is not None:
        other_id, other_name, ours_other = versus
        brief_rel = _relation(brief, float(reference(other_id)["value"]))
        claim = f"{brief_rel} {other_name}"
        if not missing and ours_other is not None:
            holds = _relation(float(ours), float(ours_other)) == brief_rel
    if missing:
        return Comparison(ref_id, brief, None, None, None, tol_text, None, row["where"],
                          note or "not computable from the available data", label, derived,
                          claim, None)
    diff = float(ours) - brief
    rel = diff / brief if brief else None
    limit = tol * abs(brief) if kind == "relative" else tol
    close = abs(diff) <= limit + 1e-9
    if claim and holds is False:
        ours_rel = "above" if claim.startswith("below") else "below"
        note = "; ".join(x for x in (note, f"the briefing has it {claim}; ours is {ours_rel}")
                         if x)
    return Comparison(ref_id, brief, float(ours), diff, rel, tol_text,
                      close and holds is not False, row["where"], note, label, derived,
                      claim, holds)


def fidelity_table(comparisons: list[Comparison]) -> pd.DataFrame:
    """A readable table of comparisons: what (with unit), the briefing's value (stated or
    derived), ours, difference, the briefing's claim and whether ours supports it, verdict."""
    rows = []
    for c in comparisons:
        verdict = "n/a" if c.agrees is None else ("agrees" if c.agrees else "differs")
        claim = ("" if not c.claim else
                 f"{c.claim}: " + ("n/a" if c.claim_holds is None else
                                   "holds" if c.claim_holds else "does not hold"))
        rows.append({
            "value": c.label or c.id,
            "briefing": format_number(c.briefing, ",.6g")
                        + (" (derived: our arithmetic on the briefing's figures)" if c.derived
                           else " (stated)"),
            "ours": "" if c.ours is None else format_number(c.ours, ",.6g"),
            "difference": "" if c.difference is None else f"{c.difference:+.3g}",
            "tolerance": c.tolerance, "briefing's comparison": claim, "verdict": verdict,
            "note": c.note,
        })
    return pd.DataFrame(rows)


#: Section 1.2's comparisons, in the fidelity table's order: (reference id, label, and the
#: comparator (reference id, name) whose relation to the value the briefing claims, or None).
SECTION_1_2: list[tuple[str, str, tuple[str, str] | None]] = [
    ("gdp_per_capita_eur", "GDP per inhabitant, the region (EUR, 2017)",
     ("gdp_per_capita_eur_eu", "the EU28")),
    ("gdp_per_capita_eur", "GDP per inhabitant, the region against the country (EUR, 2017)",
     ("gdp_per_capita_eur_country", "the national figure")),
    ("gdp_per_capita_eur_country", "GDP per inhabitant, France (EUR, 2017)", None),
    ("gdp_per_capita_eur_eu", "GDP per inhabitant, EU28 (EUR, 2017)", None),
    ("gdp_per_capita_rank", "Rank by GDP per inhabitant among the pilot regions", None),
    ("tertiary_employed_share_pct", "Employees with a higher-education degree, the region (%)",
     ("tertiary_employed_share_pct_eu", "the EU28")),
    ("tertiary_employed_share_pct", "Employees with a higher-education degree, the region "
     "against the country (%)", ("tertiary_employed_share_pct_country", "the national rate")),
    ("tertiary_employed_share_pct_country",
     "Employees with a higher-education degree, France (%)", None),
    ("tertiary_employed_share_pct_eu", "Employees with a higher-education degree, EU28 (%)", None),
    ("tertiary_employed_share_rank", "Rank by higher-education share among the pilot regions",
     None),
]


def section_1_2_comparisons(values: dict[str, Any]) -> list[Comparison]:
    """Section 1.2's numbers against ours (only meaningful for Centre-Val de Loire); ``values``
    are keyed by reference id.

    Where the briefing compares (the region above or below the EU or the country; ranks), the
    comparison must hold in our data too, not only the magnitude. The higher-education values
    say when our year is not the briefing's 2017.
    """
    year_note = (f"our data: {values['tertiary_employed_share_year']}, briefing: 2017"
                 if values.get("tertiary_employed_share_year") != 2017 else "")
    return [compare(ref_id, values[ref_id], year_note if ref_id.startswith("tertiary") else "",
                    label=label,
                    versus=None if other is None else (other[0], other[1], values[other[0]]))
            for ref_id, label, other in SECTION_1_2]


def briefing_comparisons(results: dict[str, Any]) -> list[Comparison]:
    """Every comparison of a Centre-Val de Loire run with the briefing's numbers, from the
    run's ``results.json`` values: section 1.2 with the briefing's comparisons
    (:func:`section_1_2_comparisons`), then the other values of :data:`RESULTS_KEYS` (costs, action plan,
    stars); a value the run lacks is "not computable".

    The chapters and the fidelity appendix both use this, so they cannot disagree.
    """
    section_1_2 = [r for r in RESULTS_KEYS if r.startswith(("gdp_per_capita", "tertiary"))]
    if all(RESULTS_KEYS[r] in results for r in section_1_2) and \
            "tertiary_employed_share_year" in results:
        comps = section_1_2_comparisons(results)
    else:
        comps = [compare(r, results.get(RESULTS_KEYS[r])) for r in section_1_2]
    for ref_id, key in RESULTS_KEYS.items():
        if ref_id not in section_1_2:
            value = results.get(key)
            comps.append(compare(ref_id, value if isinstance(value, (int, float)) else None))
    return comps
