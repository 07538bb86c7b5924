"""NUTS versions: bring geo codes of NUTS 2013, 2021 or 2024 to the study's NUTS 2016.

The correspondence is declared once, in ``data/nuts_versions.yaml``, with its source:

- a **recode** (the code changed, the boundaries did not) renames the rows, with a note;
- a **not comparable** code (the boundaries changed) is never mapped to a NUTS 2016 code;
- any other level-2 code that is not a NUTS 2016 code is **unresolved**: never mapped either.

:func:`to_nuts2016` applies it to a tidy frame and returns what it kept and a report of every
code it did not map (``nuts_report.csv`` of a fetched snapshot; docs/nuts-versions.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field

from eocic_helpers.core import paths
from eocic_helpers.core.config import Strict, load_model
from eocic_helpers.core.reads import cached_loader

CORRESPONDENCE_FILE = paths.DATA / "nuts_versions.yaml"
REPORT_COLUMNS = ["geo", "indicator", "first_year", "last_year", "values", "status", "reason"]


class Recode(Strict):
    """A code that changed while its region's boundaries did not."""

    code: str = Field(pattern=r"^[A-Z]{2}[0-9A-Z]{1,3}$")
    to: str = Field(pattern=r"^[A-Z]{2}[0-9A-Z]{1,3}$")
    version: Literal["2010", "2013", "2021", "2024"]
    name: str
    source: str


class Changed(Strict):
    """A code whose region's boundaries changed: not comparable with NUTS 2016."""

    code: str = Field(pattern=r"^[A-Z]{2}[0-9A-Z]{1,3}$")
    version: Literal["2010", "2013", "2021", "2024"]
    becomes: list[str]
    name: str
    note: str
    source: str


class Correspondence(Strict):
    """``data/nuts_versions.yaml``."""

    schema_version: Literal[1]
    target: Literal["2016"]
    recodes: list[Recode]
    not_comparable: list[Changed]

    def recode_map(self) -> dict[str, str]:
        """Old code -> NUTS 2016 code."""
        return {r.code: r.to for r in self.recodes}

    def changed(self) -> dict[str, Changed]:
        """Code -> its boundary change."""
        return {c.code: c for c in self.not_comparable}


@cached_loader
def _load(path: Path) -> Correspondence:
    return load_model(Correspondence, path)


def load_correspondence(path: Path | None = None) -> Correspondence:
    """The declared correspondence (validated; a problem is one line naming file and line)."""
    return _load(Path(path or CORRESPONDENCE_FILE))


def recode_note(code: str) -> str:
    """The note of a recoded row (the committed snapshot's wording)."""
    return f"NUTS 2013 code {code} recoded to NUTS 2016"


def recode(frame: pd.DataFrame, corr: Correspondence) -> pd.DataFrame:
    """The rows with every declared recode applied, and a recoded row's or a declared boundary
    change's note put before the row's own ``note``."""
    recodes, changed = corr.recode_map(), corr.changed()
    frame = frame.copy()
    notes = {**{g: recode_note(g) for g in recodes}, **{g: c.note for g, c in changed.items()}}
    frame["note"] = ["; ".join(x for x in (notes.get(g, ""), n) if x)
                     for g, n in zip(frame["geo"], frame["note"], strict=True)]
    frame["geo"] = frame["geo"].replace(recodes)
    return frame


def _is_level2(geo: pd.Series) -> pd.Series:
    return geo.str.fullmatch(r"[A-Z]{2}[0-9A-Z]{2}") & ~geo.str.endswith(("ZZ", "XX"))


def to_nuts2016(frame: pd.DataFrame, known: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bring a tidy frame (``geo``, ``indicator``, ``year``, ``note``...) to NUTS 2016 codes.

    Args:
        frame: the rows; their ``note`` is kept and extended.
        known: the NUTS 2016 codes (and aggregates) of the study's geography.

    Returns:
        The rows kept (NUTS 2016 codes and aggregates; recoded rows with a note; a declared
        boundary change under its own code, with its note, when ``known`` holds that code)
        and the report of every level-2 code not mapped: one row per (code, indicator) with
        its years, number of values, status (``not comparable`` or ``unresolved``) and
        reason. Level 1 and 3 codes, outside the study's geography, are dropped.
    """
    corr = load_correspondence()
    changed = corr.changed()
    frame = frame.assign(geo=frame["geo"].astype(str))
    frame["note"] = frame["note"].fillna("").astype(str) if "note" in frame else ""
    geo = frame["geo"]
    is_changed = geo.isin(list(changed))
    unresolved = (_is_level2(geo) & ~geo.isin(known) & ~geo.isin(list(corr.recode_map()))
                  & ~is_changed)
    report_parts = []
    for status, mask in (("not comparable", is_changed), ("unresolved", unresolved)):
        rows = frame[mask]
        if rows.empty:
            continue
        grouped = rows.groupby(["geo", "indicator"], sort=True).agg(
            first_year=("year", "min"), last_year=("year", "max"), values=("year", "size"))
        grouped = grouped.reset_index()
        if status == "not comparable":
            grouped["reason"] = [
                f"NUTS {changed[g].version} {g} ({changed[g].name}): boundaries changed, it "
                f"became {' + '.join(changed[g].becomes)}; {changed[g].source}"
                for g in grouped["geo"]]
        else:
            grouped["reason"] = ("not a NUTS 2016 code and no correspondence declared in "
                                 "data/nuts_versions.yaml")
        grouped["status"] = status
        report_parts.append(grouped[REPORT_COLUMNS])
    report = (pd.concat(report_parts, ignore_index=True) if report_parts
              else pd.DataFrame(columns=REPORT_COLUMNS))
    frame = recode(frame, corr)
    keep = frame["geo"].isin(known)
    return frame[keep].reset_index(drop=True), report.sort_values(["geo", "indicator"]
                                                                  ).reset_index(drop=True)
