"""Look up indicator values for a NUTS code, a country, the EU, or a whole pilot region.

Pilot regions made of several NUTS 2 units (Saxony, Wallonia, Hauts-de-France, Lithuania,
Slovenia) are aggregated as the indicator's recipe says (``data/indicators.yaml``): a count
is summed, a ratio is rebuilt from summed counts (a location quotient too: the region's share
from summed counts over its first reference geo's share), and any other indicator is a
population-weighted mean of the units' values. A value missing from the snapshot is ``None``.

Population weights follow ONE rule (:func:`population_weights`), used for pilot regions,
countries without a national row and the composite indicator: the population on 1 January of
the value's own year; where that year lies outside the snapshot's population series, the
nearest year of the series.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import pandas as pd

from eocic_helpers.core.regions import Region
from eocic_helpers.data.recipes import Recipe, declared, indicators


@dataclass(frozen=True)
class Value:
    """One looked-up value, with the year it refers to and how it was obtained."""

    value: float | None
    year: int | None
    geo: str
    note: str = ""

    @property
    def missing(self) -> bool:
        return self.value is None


#: Per snapshot frame (by identity, dropped with the frame): the row positions of each
#: (indicator, geo), so that a notebook's many look-ups do not each filter the whole frame,
#: the geos of each indicator, and the series already looked up.
_ROWS: dict[int, tuple[int, dict[tuple[str, str], Any], dict[str, Any]]] = {}


def _cache(snapshot: pd.DataFrame) -> tuple[dict[tuple[str, str], Any], dict[str, Any]]:
    key = id(snapshot)
    cached = _ROWS.get(key)
    if cached is not None and cached[0] == len(snapshot):
        return cached[1], cached[2]
    rows = snapshot.groupby(["indicator", "geo"], sort=False).indices
    if cached is None:
        weakref.finalize(snapshot, _ROWS.pop, key, None)
    _ROWS[key] = (len(snapshot), rows, {})
    return rows, _ROWS[key][2]


def _series(snapshot: pd.DataFrame, indicator: str, geo: str) -> pd.Series:
    """The values of (indicator, geo) by year (looked up once per frame; do not modify)."""
    rows, memo = _cache(snapshot)
    key = f"series:{indicator}:{geo}"
    if key not in memo:
        part = snapshot.iloc[rows.get((indicator, geo), [])]
        memo[key] = part.set_index("year")["value"].sort_index()
    return memo[key]


def _geos_of(snapshot: pd.DataFrame, indicator: str) -> set[str]:
    """The geo codes that have a value of ``indicator``."""
    rows, memo = _cache(snapshot)
    if "geos" not in memo:
        geos: dict[str, set[str]] = {}
        for ind, geo in rows:
            geos.setdefault(ind, set()).add(geo)
        memo["geos"] = geos
    return memo["geos"].get(indicator, set())


def lookup(snapshot: pd.DataFrame, indicator: str, geo: str, year: int | None = None) -> Value:
    """Value of ``indicator`` for ``geo`` in ``year``, or in its latest year when ``year`` is None."""
    s = _series(snapshot, indicator, geo)
    if year is None:
        return Value(float(s.iloc[-1]), int(s.index[-1]), geo) if len(s) else Value(None, None, geo)
    return Value(float(s[year]), year, geo) if year in s.index else Value(None, None, geo)


def latest_common_year(snapshot: pd.DataFrame, indicator: str, geos: list[str],
                       max_year: int | None = None) -> int | None:
    """The latest year in which every geo in ``geos`` has a value (up to ``max_year``)."""
    rows = snapshot[(snapshot["indicator"] == indicator) & snapshot["geo"].isin(geos)]
    if max_year is not None:
        rows = rows[rows["year"] <= max_year]
    counts = rows.groupby("year")["geo"].nunique()
    full = counts[counts == len(set(geos))]
    return int(full.index.max()) if len(full) else None


def weight_year(snapshot: pd.DataFrame, year: int) -> int:
    """The population year used to weight a value of ``year``: the same year, or the nearest
    year of the population series when ``year`` lies outside it."""
    _, memo = _cache(snapshot)
    if "population_years" not in memo:
        memo["population_years"] = sorted(
            set(snapshot.loc[snapshot["indicator"] == "population", "year"]))
    years = memo["population_years"]
    if not years:
        return year
    return min(max(int(year), years[0]), years[-1])


def population_weights(snapshot: pd.DataFrame, codes: list[str], year: int) -> pd.Series:
    """Population on 1 January of :func:`weight_year` for each code (NaN where unknown).

    This is the project's one population-weighting rule for means of NUTS 2 values.
    """
    y = weight_year(snapshot, year)
    _, memo = _cache(snapshot)
    if "population" not in memo:  # (geo, year) -> population, built once per frame
        rows = snapshot[snapshot["indicator"] == "population"]
        memo["population"] = dict(zip(zip(rows["geo"], rows["year"], strict=True),
                                      rows["value"], strict=True))
    population = memo["population"]
    values = [population.get((code, y), float("nan")) for code in codes]
    return pd.Series(values, index=pd.Index(list(codes), name="geo"), name="value", dtype=float)


def _codes_for(snapshot: pd.DataFrame, indicator: str, region: Region) -> list[str]:
    """The region's codes as the indicator's data spells them (NUTS 2016, else NUTS 2013)."""
    present = _geos_of(snapshot, indicator)
    if set(region.nuts2016) <= present:
        return list(region.nuts2016)
    if set(region.nuts2013) <= present:
        return list(region.nuts2013)
    return list(region.nuts2016)


def region_value(snapshot: pd.DataFrame, indicator: str, region: Region,
                 year: int | None = None) -> Value:
    """Value of ``indicator`` for a whole pilot region, aggregated properly.

    With ``year`` None, the latest year in which all the region's units have data.
    """
    label = region.id
    meta = indicators().get(indicator)
    recipe = meta.recipe if meta is not None and meta.recipe is not None else Recipe()
    if recipe.kind == "quotient" and len(region.nuts2016) > 1:
        share_ind, ref_geo = recipe.inputs[0], recipe.reference[0]
        share = region_value(snapshot, share_ind, region, year)
        if share.missing:
            return Value(None, None, label)
        ref = lookup(snapshot, share_ind, ref_geo, share.year)
        if ref.missing:
            return Value(None, None, label)
        return Value(share.value / ref.value, share.year, label,  # type: ignore[operator]
                     f"quotient of summed counts over the {ref_geo} share"
                     + (f" ({share.note})" if share.note else ""))
    # A ratio of counts is driven by its numerator's codes and years; others by their own.
    driver = recipe.inputs[0] if recipe.kind == "ratio" else indicator
    codes = _codes_for(snapshot, driver, region)
    if len(codes) == 1:
        return Value(**{**lookup(snapshot, indicator, codes[0], year).__dict__, "geo": label})
    yr = year if year is not None else latest_common_year(snapshot, driver, codes)
    if yr is None:
        return Value(None, None, label)
    if recipe.kind == "ratio":
        (num, den), factor = recipe.inputs, recipe.factor
        n = [lookup(snapshot, num, c, yr).value for c in codes]
        d = [lookup(snapshot, den, c, yr).value for c in codes]
        if None in n or None in d:
            return Value(None, None, label)
        return Value(sum(n) / sum(d) * factor, yr, label,  # type: ignore[arg-type]
                     f"ratio of sums over {'+'.join(codes)}")
    values = [lookup(snapshot, indicator, c, yr).value for c in codes]
    if None in values:
        return Value(None, None, label)
    if meta is not None and meta.unit in declared().counts:
        return Value(sum(values), yr, label, f"sum over {'+'.join(codes)}")  # type: ignore[arg-type]
    weights = population_weights(snapshot, codes, yr)
    if weights.isna().any():
        return Value(None, None, label)
    total = float(weights.sum())
    mean = sum(v * w for v, w in zip(values, weights, strict=True)) / total  # type: ignore[operator]
    return Value(mean, yr, label, f"population-weighted mean over {'+'.join(codes)}")


def country_value(snapshot: pd.DataFrame, indicator: str, country: str, year: int,
                  min_coverage: float = 0.9) -> Value:
    """A country's value: its own row when the source has one, else built from its NUTS 2 rows.

    Ratios of counts are rebuilt from sums; other indicators are the population-weighted mean
    of the country's NUTS 2 values, and only when those regions hold at least ``min_coverage``
    of the country's population (otherwise missing).
    """
    own = lookup(snapshot, indicator, country, year)
    if not own.missing:
        return own
    nuts2 = country + r"[0-9A-Z]{2}"  # matched on the indicator's rows, not every row
    rows = snapshot[(snapshot["indicator"] == indicator) & (snapshot["year"] == year)]
    rows = rows[rows["geo"].str.fullmatch(nuts2)]
    pop_geos = snapshot.loc[snapshot["indicator"] == "population", "geo"]
    pop_geos = pop_geos[pop_geos.str.fullmatch(nuts2)]
    pops = population_weights(snapshot, sorted(set(pop_geos)), year).dropna()
    if rows.empty or pops.empty:
        return Value(None, None, country)
    rows = rows[rows["geo"].isin(pops.index)]
    coverage = pops.reindex(rows["geo"]).sum() / pops.sum()
    if coverage < min_coverage:
        return Value(None, None, country, f"NUTS 2 data cover {coverage:.0%} of the population")
    w = pops.reindex(rows["geo"]).to_numpy()
    mean = float((rows["value"].to_numpy() * w).sum() / w.sum())
    return Value(mean, year, country,
                 f"population-weighted mean of {len(rows)} NUTS 2 regions (no national row in "
                 "the source)")


def pilot_table(snapshot: pd.DataFrame, indicator: str, regions: list[Region],
                year: int | None = None) -> pd.DataFrame:
    """One row per pilot region: ``region, name, value, year, note`` (missing values kept)."""
    rows = []
    for r in regions:
        v = region_value(snapshot, indicator, r, year)
        rows.append({"region": r.id, "name": r.name, "value": v.value, "year": v.year,
                     "note": v.note})
    return pd.DataFrame(rows)


def rank_desc(table: pd.DataFrame, region_id: str) -> tuple[int | None, list[str]]:
    """Rank of ``region_id`` by value (1 = highest) and the names ranked above it, in order."""
    ranked = table.dropna(subset=["value"]).sort_values("value", ascending=False)
    ids = list(ranked["region"])
    if region_id not in ids:
        return None, []
    pos = ids.index(region_id)
    return pos + 1, list(ranked["name"].iloc[:pos])
