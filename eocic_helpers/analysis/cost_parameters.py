"""The cost model's parameters: ``data/interventions.yaml`` (value, range, source of each),
and the checks of user values against them.

Kept apart from :mod:`eocic_helpers.analysis.costs` (the model, its sensitivity analysis and
figures) so that checking ``-p n_smes 120`` before a run does not import numpy and pandas.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from eocic_helpers.core import paths
from eocic_helpers.core.config import Strict, load_model
from eocic_helpers.core.errors import ParameterError
from eocic_helpers.core.reads import cached_loader

INTERVENTIONS_FILE = paths.DATA / "interventions.yaml"


class CostParameter(Strict):
    """One parameter of the cost model."""

    name: str
    intervention: Literal["inter_clustering", "coaching", "shared"]
    label: str
    unit: str
    kind: Literal["float", "int"]
    default: float
    low: float
    high: float
    distribution: Literal["triangular", "uniform", "fixed"]
    uncertainty: Literal["fixed", "assumed", "savings"]
    min: float | None = None
    max: float | None = None
    source: str
    range_source: str

    @model_validator(mode="after")
    def _consistent(self) -> CostParameter:
        if not self.low <= self.default <= self.high:
            raise ValueError(f"default {self.default} is outside low..high {self.low}..{self.high}")
        if self.distribution == "fixed" and self.low != self.high:
            raise ValueError("a fixed parameter has low == high")
        if (self.distribution == "fixed") != (self.uncertainty == "fixed"):
            raise ValueError("uncertainty is 'fixed' exactly when the distribution is fixed")
        return self


class Kpi(Strict):
    indicator: str
    kind: str
    monitoring: str
    source: str


class InterventionModel(Strict):
    """The content of ``data/interventions.yaml``."""

    schema_version: int
    parameters: list[CostParameter] = Field(min_length=1)
    kpis: list[Kpi]


@cached_loader
def _load(path: Path) -> InterventionModel:
    return load_model(InterventionModel, path)


def load_parameters(path: Path | None = None) -> dict[str, CostParameter]:
    """Cost parameters by name."""
    return {p.name: p for p in _load(Path(path or INTERVENTIONS_FILE)).parameters}


def load_kpis() -> list[Kpi]:
    """The key performance indicators the briefing names for the interventions."""
    return _load(INTERVENTIONS_FILE).kpis


def defaults() -> dict[str, float | int]:
    """Every parameter at its default (a whole number where its kind is ``int``): the cost
    notebook's parameters, declared in ``notebooks/pipeline.yaml``."""
    return {n: int(p.default) if p.kind == "int" else p.default
            for n, p in load_parameters().items()}


# -- validation -----------------------------------------------------------------------------

PAIRS = [("audit_cost_eur_low", "audit_cost_eur_high"),
         ("follow_up_cost_eur_low", "follow_up_cost_eur_high")]


def validate_values(values: dict[str, Any]) -> dict[str, float]:
    """Check user values against each parameter's type and allowed range.

    Raises:
        ParameterError: a value that is not finite (NaN, infinity), a negative cost,
            ``n_smes`` below 1 or not whole, a share outside 0-1,
            a low bound above its high bound, or an unknown name.
    """
    params = load_parameters()
    for name, value in values.items():
        if name not in params:
            continue
        p = params[name]
        if isinstance(value, float) and not math.isfinite(value):  # NaN defeats < and >
            problem = f"must be a finite number, got {value}"
        elif p.kind == "int" and float(value) != int(value):
            problem = f"must be a whole number, got {value}"
        elif p.min is not None and value < p.min:
            problem = f"is {value:g}, below its minimum"
        elif p.max is not None and value > p.max:
            problem = f"is {value:g}, above its maximum"
        else:
            continue
        raise ParameterError(f"parameter '{name}' {problem}; allowed: {allowed_text(name)}")
    merged = {**defaults(), **{k: v for k, v in values.items() if k in params}}
    for low, high in PAIRS:
        if merged[low] > merged[high]:
            raise ParameterError(f"parameter '{low}' ({merged[low]:g}) is above '{high}' "
                                 f"({merged[high]:g}); set the low bound at or below the high one")
    return merged


def allowed_text(name: str) -> str:
    """What a user may set for a parameter, e.g. 'whole number of 1 or more' ('' if unknown)."""
    p = load_parameters().get(name)
    if p is None:
        return ""
    kind = "whole number" if p.kind == "int" else "number"
    if p.min is not None and p.max is not None:
        return f"{kind} from {p.min:g} to {p.max:g}"
    if p.min is not None:
        return f"{kind} of {p.min:g} or more"
    return kind
