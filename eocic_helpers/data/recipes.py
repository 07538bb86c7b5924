"""How an indicator is read from Eurostat's tables: one declaration per indicator.

A :class:`Recipe` names the Eurostat dataset and the dimension values that select the
indicator's series (``unit``, ``sex``, ``age``, ``nace_r2``...), or, for a derived indicator,
the indicators it is computed from. It is declared once, beside the indicator
(:data:`eocic_helpers.data.snapshot.INDICATORS`), and used by both builders:

- the committed snapshot's builders (third-party extracts: the R ``eurostat`` package's table,
  Honti et al.'s columns, the 2017 bulk TSV, the 2026 SDMX-CSV) filter their files with it;
- ``eocic data update`` applies it to the SDMX-TSV files downloaded from Eurostat
  (:mod:`eocic_helpers.data.update`).

Flags (``p`` provisional, ``e`` estimated, ``b`` break in series...) are kept as the
snapshot's ``note``; a missing observation (``:``) is no row, never a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eocic_helpers.core.errors import DataError

#: How a recipe makes its values.
KINDS = {
    "published": "the dataset's values as published, selected by the filters",
    "ratio": "inputs[0] / inputs[1] x factor, per geo and year",
    "average_population": "mean of the populations on 1 January of the year and the next",
    "quotient": "inputs[0] / its value for the reference geo of the same year",
}


@dataclass(frozen=True)
class Recipe:
    """How one indicator is read or derived.

    Attributes:
        dataset: the Eurostat dataset code (``eocic data fetch`` downloads it); empty for a
            derived indicator.
        filters: dimension -> value selecting the indicator's one series, in the order of
            the dimensions (Honti et al.'s column names follow this order).
        kind: one of :data:`KINDS`.
        inputs: the indicators a derived indicator is computed from.
        factor: multiplier of a ratio (100 for a percentage, 1e6 for euro per inhabitant of a
            million-euro total).
        reference: the reference geo(s) of a quotient, first found wins.
    """

    dataset: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    kind: str = "published"
    inputs: tuple[str, ...] = ()
    factor: float = 1.0
    reference: tuple[str, ...] = ()

    def __hash__(self) -> int:
        return hash((self.dataset, tuple(self.filters.items()), self.kind, self.inputs))

    @property
    def derived(self) -> bool:
        """Whether it is computed from other indicators rather than read from a dataset."""
        return self.kind != "published"

    def describe(self) -> str:
        """The recipe in words (the docs and ``eocic data info``)."""
        if self.kind == "published":
            sel = ", ".join(f"{k}={v}" for k, v in self.filters.items())
            return f"{self.dataset} [{sel}]" if sel else self.dataset
        if self.kind == "ratio":
            return f"{self.inputs[0]} / {self.inputs[1]} x {self.factor:g}"
        if self.kind == "quotient":
            return f"{self.inputs[0]} / {self.inputs[0]} of {' or '.join(self.reference)}"
        return f"{self.kind} of {', '.join(self.inputs)}"

    def honti_column(self) -> str:
        """The column of Honti et al.'s table holding this series (its naming rule: dataset,
        then ``DIM_value`` pairs joined by ``__``)."""
        return f"{self.dataset}_" + "__".join(f"{k.upper()}_{v}" for k, v in self.filters.items())


def select(frame: pd.DataFrame, recipe: Recipe, name: str = "") -> pd.DataFrame:
    """The rows of a tidy Eurostat frame (:mod:`eocic_helpers.data.eurostat`) that the recipe's
    filters select.

    Raises:
        DataError: a filtered dimension is not in the file, or its value is not in it.
    """
    name = name or recipe.dataset
    for dim, value in recipe.filters.items():
        if dim not in frame.columns:
            have = ", ".join(c for c in frame.columns if c not in ("year", "value", "flag"))
            raise DataError(f"{name}: dimension '{dim}' missing (the file has {have}); the "
                            "dataset's structure changed: fix its recipe in "
                            "eocic_helpers/data/snapshot.py")
        frame = frame[frame[dim].astype(str).eq(value)]
    return frame


def check_file(frame: pd.DataFrame, recipes: list[Recipe], name: str) -> None:
    """Check a downloaded dataset against every recipe that reads it: each filtered dimension
    is present, each filter value occurs, and the filters leave one series per geo and year.

    Raises:
        DataError: one line naming the file, the dimension or value, and the fix.
    """
    if "geo" not in frame.columns:
        raise DataError(f"{name}: dimension 'geo' missing; is this an Eurostat dataset?")
    for recipe in recipes:
        rows = frame
        for dim, value in recipe.filters.items():
            rows = select(rows, Recipe(recipe.dataset, {dim: value}), name)
            if rows.empty:
                found = sorted(frame[dim].astype(str).unique())[:8] if dim in frame else []
                raise DataError(f"{name}: no rows with {dim}={value} (the file has "
                                f"{', '.join(found)}); fix the recipe in "
                                "eocic_helpers/data/snapshot.py")
        dup = rows.duplicated(["geo", "year"])
        if dup.any():
            other = [c for c in rows.columns if c not in ("geo", "year", "value", "flag")
                     and c not in recipe.filters and rows[c].nunique() > 1]
            raise DataError(f"{name}: the filters {recipe.filters} leave several series per "
                            f"geo and year (dimension {', '.join(other) or '?'} varies); add "
                            "it to the recipe in eocic_helpers/data/snapshot.py")


def flag_note(flags: pd.Series) -> np.ndarray:
    """The snapshot's note for Eurostat's observation flags: ``Eurostat flag: p``."""
    flags = flags.fillna("").astype(str)
    return np.where(flags.ne(""), "Eurostat flag: " + flags, "")
