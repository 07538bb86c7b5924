"""The snapshot's indicators, declared in ``data/indicators.yaml``, and how each is read.

Each indicator's :class:`Recipe` names the Eurostat dataset and the dimension values that
select its series, or, for a derived indicator, the indicators it is computed from. The
committed snapshot's builders and ``eocic data update`` both read with it
(docs/data-update.md). An observation's flag becomes the row's ``note``; a missing
observation (``:``) is no row, never a value.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import ConfigDict, model_validator
from pydantic.dataclasses import dataclass

from eocic_helpers.core import paths
from eocic_helpers.core.config import Strict, load_model
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.reads import cached_loader

INDICATORS_FILE = paths.DATA / "indicators.yaml"


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Recipe:
    """How one indicator is read or derived (``data/indicators.yaml`` says what each field
    means); ``filters`` keep the order of the dataset's dimensions, which Honti et al.'s column
    names follow."""

    dataset: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    kind: Literal["published", "ratio", "average_population", "quotient"] = "published"
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


class Indicator(Strict):
    """What an indicator is and where it comes from."""

    id: str
    label: str
    unit: str
    source_id: str
    file: str  # snapshot file stem
    derivation: str
    recipe: Recipe | None = None


class Declaration(Strict):
    """``data/indicators.yaml``."""

    schema_version: Literal[1]
    units: dict[str, str]
    counts: list[str]
    datasets: dict[str, str]
    indicators: list[Indicator]

    @model_validator(mode="after")
    def _consistent(self) -> Declaration:
        if not set(self.counts) <= set(self.units):
            raise ValueError(f"counts: {sorted(set(self.counts) - set(self.units))} not under units")
        seen: set[str] = set()
        for ind in self.indicators:
            r = ind.recipe
            if ind.id in seen:
                raise ValueError(f"indicator {ind.id}: declared twice")
            if ind.unit not in self.units:
                raise ValueError(f"indicator {ind.id}: unknown unit {ind.unit!r}")
            if r is not None and not r.derived and r.dataset not in self.datasets:
                raise ValueError(f"indicator {ind.id}: dataset {r.dataset} is not under datasets")
            if r is not None and not set(r.inputs) <= seen:
                raise ValueError(f"indicator {ind.id}: an input is not declared before it")
            seen.add(ind.id)
        return self


@cached_loader
def _load(path: Path) -> Declaration:
    return load_model(Declaration, path)


def declared() -> Declaration:
    """``data/indicators.yaml``: the units (and which are counts), the Eurostat datasets and
    the indicators."""
    return _load(INDICATORS_FILE)


def indicators() -> dict[str, Indicator]:
    """Every declared indicator by id, in the declaration's order."""
    return {i.id: i for i in declared().indicators}


def recipe(indicator: str) -> Recipe:
    """The declared recipe of an indicator.

    Raises:
        DataError: the indicator is unknown or has no Eurostat recipe.
    """
    meta = indicators().get(indicator)
    if meta is None or meta.recipe is None:
        raise DataError(f"indicator '{indicator}' has no recipe; declare one beside it in "
                        "data/indicators.yaml")
    return meta.recipe


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
                            "data/indicators.yaml")
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
                                "data/indicators.yaml")
        dup = rows.duplicated(["geo", "year"])
        if dup.any():
            other = [c for c in rows.columns if c not in ("geo", "year", "value", "flag")
                     and c not in recipe.filters and rows[c].nunique() > 1]
            raise DataError(f"{name}: the filters {recipe.filters} leave several series per "
                            f"geo and year (dimension {', '.join(other) or '?'} varies); add "
                            "it to the recipe in data/indicators.yaml")


def flag_note(flags: pd.Series) -> np.ndarray:
    """The snapshot's note for Eurostat's observation flags: ``Eurostat flag: p``."""
    flags = flags.fillna("").astype(str)
    return np.where(flags.ne(""), "Eurostat flag: " + flags, "")
