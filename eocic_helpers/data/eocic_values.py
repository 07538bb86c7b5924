"""Values only EOCIC published (cluster stars, composite index, ecosystem scoreboard).

The project holds only what the briefing states. The loaders accept a fuller file with the
same documented columns, in case a user has one: pass ``path=``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from eocic_helpers.core import paths
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.reads import cached_loader

SCHEMAS: dict[str, dict[str, type]] = {
    "cluster_stars": {"unit_id": str, "unit_name": str, "cluster_stars": int, "year": int,
                      "where": str, "note": str},
    "composite_index": {"unit_id": str, "unit_name": str, "composite_total": float, "year": int,
                        "where": str, "note": str},
    "typology": {"unit_id": str, "unit_name": str, "group": int, "stands_out": str,
                 "year": int, "where": str, "note": str},
    "typology_thresholds": {"group": int, "label": str, "stars_min": float, "stars_max": float,
                            "composite_min": float, "composite_max": float, "where": str,
                            "note": str},
    "ecosystem_scoreboard": {"geo": str, "indicator": str, "value": float, "comparator": str,
                             "comparator_value": float, "unit": str, "year": int, "where": str,
                             "note": str},
}


#: Columns a file may leave out (read as empty): what the briefing says makes a unit stand out
#: within its group.
OPTIONAL: dict[str, tuple[str, ...]] = {"typology": ("stands_out",)}


def load_eocic(name: str, path: Path | None = None) -> pd.DataFrame:
    """Load ``data/eocic/<name>.csv`` (or a user's fuller file) and check its columns.

    Raises:
        DataError: unknown table, missing file or column, or a value of the wrong type.
    """
    if name not in SCHEMAS:
        raise DataError(f"unknown EOCIC table '{name}'; known: {', '.join(SCHEMAS)}")
    return _read_eocic(name, Path(path or paths.EOCIC_DATA / f"{name}.csv")).copy()


@cached_loader
def _read_eocic(name: str, path: Path) -> pd.DataFrame:
    """:func:`load_eocic`'s reading and checks, kept while the file is unchanged (a chapter
    asks for the typology's thresholds once per unit it classifies)."""
    if not path.is_file():
        raise DataError(f"{path}: missing; restore it from git")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise DataError(f"{path}: corrupt CSV ({exc})") from None
    schema = SCHEMAS[name]
    for col in OPTIONAL.get(name, ()):  # a fuller file of the user's may leave it out
        if col not in frame.columns:
            frame[col] = ""
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing columns {missing}; expected {list(schema)}")
    for col, kind in schema.items():
        if kind is str:
            continue
        try:
            if kind is float:
                frame[col] = frame[col].replace("", "nan")
            frame[col] = frame[col].astype(kind)
        except ValueError:
            raise DataError(f"{path}: column '{col}' must be {kind.__name__}") from None
    if (frame.select_dtypes("number") < 0).any().any():
        raise DataError(f"{path}: negative value; stars, scores and indices are >= 0")
    return frame


def briefing_typology() -> dict[str, int]:
    """The briefing's published group (1-3) of each of the 17 Figure 4 units, by unit id."""
    frame = load_eocic("typology")
    return dict(zip(frame["unit_id"], frame["group"], strict=True))


def cluster_stars() -> dict[str, int]:
    """Stars by Figure 4 unit id, for the units the briefing states."""
    frame = load_eocic("cluster_stars")
    return dict(zip(frame["unit_id"], frame["cluster_stars"], strict=True))
