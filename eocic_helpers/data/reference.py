"""The briefing's own numbers (``data/reference/briefing_values.csv``) and comparisons to them."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

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
