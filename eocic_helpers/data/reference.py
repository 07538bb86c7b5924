"""The briefing's own numbers (``data/reference/briefing_values.csv``) and comparisons to them."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from eocic_helpers.core import paths
from eocic_helpers.core.errors import DataError

REFERENCE_FILE_NAME = "briefing_values.csv"
REQUIRED = ["id", "value", "unit", "year", "geo", "where", "tolerance", "tolerance_kind"]


@functools.cache
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


@dataclass(frozen=True)
class Comparison:
    """A computed value set against the briefing's."""

    id: str
    briefing: float
    ours: float | None
    difference: float | None
    relative_difference: float | None
    tolerance: str
    agrees: bool | None  # None when we cannot compute the value
    where: str
    note: str = ""


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


def compare_results(values: dict[str, Any], notes: dict[str, str] | None = None,
                    present_only: bool = True) -> list[Comparison]:
    """Compare computed ``values`` (keyed like ``results.json``) with the briefing's numbers.

    Args:
        values: a notebook's values or a region's ``results.json``.
        notes: a note per reference id (e.g. a year that differs).
        present_only: compare only the reference values whose key is in ``values``; when
            False, an absent key is compared as "not computable".
    """
    notes = notes or {}
    return [compare(ref_id, values.get(key), notes.get(ref_id, ""))
            for ref_id, key in RESULTS_KEYS.items() if key in values or not present_only]


def compare(ref_id: str, ours: float | None, note: str = "") -> Comparison:
    """Compare ``ours`` with the briefing's value ``ref_id`` within its tolerance."""
    row = reference(ref_id)
    brief = float(row["value"])
    tol = float(row["tolerance"])
    kind = row["tolerance_kind"]
    tol_text = f"±{tol:.0%}" if kind == "relative" else (f"±{tol:g}" if tol else "exact")
    if ours is None or (isinstance(ours, float) and math.isnan(ours)):
        return Comparison(ref_id, brief, None, None, None, tol_text, None, row["where"],
                          note or "not computable from the available data")
    diff = float(ours) - brief
    rel = diff / brief if brief else None
    limit = tol * abs(brief) if kind == "relative" else tol
    return Comparison(ref_id, brief, float(ours), diff, rel, tol_text,
                      abs(diff) <= limit + 1e-9, row["where"], note)


def fidelity_table(comparisons: list[Comparison]) -> pd.DataFrame:
    """A readable table of comparisons: briefing, ours, difference, agreement."""
    rows = []
    for c in comparisons:
        verdict = "n/a" if c.agrees is None else ("agrees" if c.agrees else "differs")
        rows.append({
            "value": c.id, "briefing": f"{c.briefing:g}",
            "ours": "" if c.ours is None else f"{c.ours:.6g}",
            "difference": "" if c.difference is None else f"{c.difference:+.3g}",
            "tolerance": c.tolerance, "verdict": verdict, "note": c.note,
        })
    return pd.DataFrame(rows)
