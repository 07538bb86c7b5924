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
#: The region the seed briefing is about: its numbers and statements concern this region only.
BRIEFING_REGION = "centre-val-de-loire"
#: A reference row whose ``note`` starts with this is our arithmetic on the briefing's numbers
#: (e.g. a sum of its ranges), not a number the briefing states.
DERIVED_PREFIX = "derived:"
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


def is_derived(ref_id: str) -> bool:
    """Whether a reference value is our arithmetic on the briefing's numbers, not stated."""
    return str(reference(ref_id)["note"]).startswith(DERIVED_PREFIX)


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
    label = label or str(row["note"]).removeprefix(DERIVED_PREFIX).strip()
    claim, holds = "", None
    if versus is not None:
        other_id, other_name, ours_other = versus
        brief_rel = _relation(brief, float(reference(other_id)["value"]))
        claim = f"{brief_rel} {other_name}"
        if ours is not None and ours_other is not None and not (
                isinstance(ours, float) and math.isnan(ours)):
            holds = _relation(float(ours), float(ours_other)) == brief_rel
    if ours is None or (isinstance(ours, float) and math.isnan(ours)):
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
            "briefing": f"{c.briefing:,.6g}".replace(",", " ")
                        + (" (derived: our arithmetic on the briefing's figures)" if c.derived
                           else " (stated)"),
            "ours": "" if c.ours is None else f"{c.ours:,.6g}".replace(",", " "),
            "difference": "" if c.difference is None else f"{c.difference:+.3g}",
            "tolerance": c.tolerance, "briefing's comparison": claim, "verdict": verdict,
            "note": c.note,
        })
    return pd.DataFrame(rows)
