"""An open composite indicator of industrial change (briefing Figures 3 and 4).

Method (OECD/JRC Handbook on Constructing Composite Indicators, 2008; RIS practice):
indicator direction, square root for skewed indicators, min and max set without values beyond
mean ± 3 sd, min-max normalisation to 0-1 over all EU NUTS 2 regions, arithmetic means within
and across dimensions. A dimension without indicators is "no data", never 0. Uncertainty: Monte
Carlo over normalisation, aggregation and Dirichlet-perturbed weights, giving rank intervals.

This is a reconstruction from Eurostat indicators following EOCIC's seven dimensions; it is
not the EOCIC index.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from eocic_helpers.core import paths
from eocic_helpers.core.config import load_model
from eocic_helpers.core.regions import EU28, Region, load_regions

CONFIG_FILE = paths.DATA / "composite" / "industrial_change.yaml"
HONESTY = ("reconstruction from Eurostat indicators following EOCIC's seven dimensions; "
           "not the EOCIC index")


class IndicatorChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicator: str
    direction: Literal[1, -1]
    transform: Literal["none", "sqrt"]
    reason: str


class Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    indicators: list[IndicatorChoice]
    missing_reason: str = ""


class Uncertainty(BaseModel):
    model_config = ConfigDict(extra="forbid")
    replications: int = Field(ge=10)
    seed: int
    dirichlet_concentration: float = Field(gt=0)
    normalisations: list[Literal["minmax", "zscore"]]
    aggregations: list[Literal["arithmetic", "geometric"]]


class CompositeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: int
    max_year: int
    outlier_sd: float
    dimensions: list[Dimension] = Field(min_length=1)
    uncertainty: Uncertainty


@functools.cache
def load_config(path: Path | None = None) -> CompositeConfig:
    """The dimension-to-indicator mapping."""
    return load_model(CompositeConfig, Path(path or CONFIG_FILE))


def eu_nuts2(snapshot: pd.DataFrame) -> list[str]:
    """EU28 NUTS 2 (2016) codes present in the snapshot's population table."""
    geo = pd.read_csv(paths.SNAPSHOT / "geo.csv", dtype=str, keep_default_na=False)
    codes = geo[(geo["level"] == "2") & (geo["nuts_version"] == "2016")
                & geo["geo"].str[:2].isin(EU28)]["geo"]
    return sorted(set(codes) & set(snapshot.loc[snapshot["indicator"] == "population", "geo"]))


def indicator_matrix(snapshot: pd.DataFrame, config: CompositeConfig | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw values (regions x indicators, latest year <= max_year per region) and their years."""
    config = config or load_config()
    regions = eu_nuts2(snapshot)
    cols = [c.indicator for d in config.dimensions for c in d.indicators]
    rows = snapshot[snapshot["indicator"].isin(cols) & snapshot["geo"].isin(regions)
                    & (snapshot["year"] <= config.max_year)]
    latest = rows.sort_values("year").groupby(["geo", "indicator"]).tail(1)
    values = latest.pivot(index="geo", columns="indicator", values="value").reindex(
        index=regions, columns=cols)
    years = latest.pivot(index="geo", columns="indicator", values="year").reindex(
        index=regions, columns=cols)
    return values, years


def _transform(values: pd.DataFrame, config: CompositeConfig) -> np.ndarray:
    x = values.to_numpy(dtype=float).copy()
    for j, c in enumerate(c for d in config.dimensions for c in d.indicators):
        if c.transform == "sqrt":
            x[:, j] = np.sqrt(np.clip(x[:, j], 0, None))
        x[:, j] *= c.direction
    return x


def normalise(x: np.ndarray, method: str = "minmax", outlier_sd: float = 3.0) -> np.ndarray:
    """Normalise each column to 0-1 (min-max without outliers) or to z-scores.

    Min and max are set from values within mean ± ``outlier_sd`` sd; values beyond are clipped.
    """
    mean = np.nanmean(x, axis=0)
    sd = np.nanstd(x, axis=0)
    if method == "zscore":
        return (x - mean) / np.where(sd > 0, sd, 1)
    inside = np.where(np.abs(x - mean) <= outlier_sd * sd, x, np.nan)
    lo, hi = np.nanmin(inside, axis=0), np.nanmax(inside, axis=0)
    return np.clip((x - lo) / np.where(hi > lo, hi - lo, 1), 0, 1)


def _membership(config: CompositeConfig) -> np.ndarray:
    """Indicators x dimensions 0/1 matrix."""
    n_ind = sum(len(d.indicators) for d in config.dimensions)
    m = np.zeros((n_ind, len(config.dimensions)))
    j = 0
    for k, d in enumerate(config.dimensions):
        for _ in d.indicators:
            m[j, k] = 1
            j += 1
    return m


def aggregate(scores: np.ndarray, ind_weights: np.ndarray, dim_weights: np.ndarray,
              membership: np.ndarray, method: str = "arithmetic") -> tuple[np.ndarray, np.ndarray]:
    """Dimension scores and total from normalised scores; missing values are skipped.

    Args:
        scores: (..., regions, indicators), NaN where missing.
        ind_weights: (..., indicators); dim_weights: (..., dimensions).
    Returns:
        (dimension scores (..., regions, dimensions), total (..., regions)); NaN where a
        dimension has no data.
    """
    avail = ~np.isnan(scores)
    s = np.where(avail, scores, 0.0)
    if method == "geometric":
        s = np.where(avail, np.log(np.clip(s, 0, None) + 0.01), 0.0)
    w = ind_weights[..., None, :] * avail  # (..., regions, indicators)
    num = np.einsum("...ri,...ri,ik->...rk", w, s, membership)
    den = np.einsum("...ri,ik->...rk", w, membership)
    with np.errstate(invalid="ignore", divide="ignore"):
        dims = num / den
    if method == "geometric":
        dims = np.exp(dims) - 0.01
    have = ~np.isnan(dims)
    dw = dim_weights[..., None, :] * have
    vals = np.where(have, np.log(np.clip(dims, 0, None) + 0.01) if method == "geometric" else dims, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = (dw * vals).sum(-1) / dw.sum(-1)
    if method == "geometric":
        total = np.exp(total) - 0.01
    return dims, total


def compute(snapshot: pd.DataFrame, config: CompositeConfig | None = None) -> dict[str, Any]:
    """The central composite: dimension scores and total for every EU NUTS 2 region.

    Returns a dict with ``dimensions`` (regions x dimension ids, NaN = no data), ``total``,
    ``values`` (raw), ``years`` and the ``covered`` dimension ids (those with any indicator).
    """
    config = config or load_config()
    values, years = indicator_matrix(snapshot, config)
    x = normalise(_transform(values, config), "minmax", config.outlier_sd)
    x[np.isnan(values.to_numpy(dtype=float))] = np.nan
    m = _membership(config)
    dims, total = aggregate(x, np.ones(m.shape[0]), np.ones(m.shape[1]), m)
    ids = [d.id for d in config.dimensions]
    return {
        "dimensions": pd.DataFrame(dims, index=values.index, columns=ids),
        "total": pd.Series(total, index=values.index, name="composite_total"),
        "values": values, "years": years,
        "covered": [d.id for d in config.dimensions if d.indicators],
    }


def population(snapshot: pd.DataFrame, year: int = 2017) -> pd.Series:
    """Population on 1 January by geo (weights for aggregation)."""
    p = snapshot[(snapshot["indicator"] == "population") & (snapshot["year"] == year)]
    return p.set_index("geo")["value"]


def weighted(scores: pd.Series | pd.DataFrame, codes: list[str], pop: pd.Series) -> Any:
    """Population-weighted mean of NUTS 2 scores over ``codes`` (missing scores skipped)."""
    s = scores.reindex(codes)
    w = pop.reindex(codes)
    if isinstance(s, pd.Series):
        ok = s.notna() & w.notna()
        return float((s[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else None
    out = {}
    for col in s.columns:
        out[col] = weighted(s[col], codes, pop)
    return pd.Series(out)


def country_codes(scores: pd.Series, country: str) -> list[str]:
    return [g for g in scores.index if g.startswith(country)]


def pilot_units(regions: list[Region] | None = None) -> pd.DataFrame:
    """The 17 units of Figure 4: unit id, name, region id and NUTS 2016 codes."""
    rows = []
    for r in regions or load_regions():
        for u in r.units:
            rows.append({"unit_id": u.id, "unit_name": u.name, "region": r.id,
                         "codes": list(u.nuts2016)})
    return pd.DataFrame(rows)


def unit_totals(total: pd.Series, pop: pd.Series, units: pd.DataFrame) -> pd.Series:
    return pd.Series({u.unit_id: weighted(total, u.codes, pop) for u in units.itertuples()})


def monte_carlo(snapshot: pd.DataFrame, focus: Region, config: CompositeConfig | None = None,
                replications: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """Rank intervals of the focus region under construction choices (vectorised per method).

    Each replication draws a normalisation, an aggregation and Dirichlet weights for indicators
    (within dimensions) and dimensions. Returns the ranks (1 = highest) among all EU NUTS 2
    regions and among the 17 pilot units, with their 5th and 95th percentiles.
    """
    config = config or load_config()
    unc = config.uncertainty
    reps = replications or unc.replications
    rng = np.random.default_rng(unc.seed if seed is None else seed)
    values, _ = indicator_matrix(snapshot, config)
    raw = _transform(values, config)
    missing = np.isnan(values.to_numpy(dtype=float))
    m = _membership(config)
    covered = m.sum(0) > 0
    pop = population(snapshot)
    regions = list(values.index)
    units = pilot_units()
    # unit weights matrix: units x regions (population shares)
    uw = np.zeros((len(units), len(regions)))
    for i, u in enumerate(units.itertuples()):
        for c in u.codes:
            if c in regions:
                uw[i, regions.index(c)] = pop.get(c, 0.0)
    fw = np.zeros(len(regions))
    for c in focus.nuts2016:
        if c in regions:
            fw[regions.index(c)] = pop.get(c, 0.0)
    norm_choice = rng.integers(len(unc.normalisations), size=reps)
    agg_choice = rng.integers(len(unc.aggregations), size=reps)
    ind_w = np.ones((reps, m.shape[0]))
    for k in range(m.shape[1]):
        idx = np.flatnonzero(m[:, k])
        if len(idx):
            alpha = np.full(len(idx), unc.dirichlet_concentration)
            ind_w[:, idx] = rng.dirichlet(alpha, size=reps) * len(idx)
    dim_w = np.zeros((reps, m.shape[1]))
    dim_w[:, covered] = rng.dirichlet(np.full(covered.sum(), unc.dirichlet_concentration),
                                      size=reps) * covered.sum()
    totals = np.empty((reps, len(regions)))
    for ni, nmethod in enumerate(unc.normalisations):
        x = normalise(raw, nmethod, config.outlier_sd)
        if nmethod == "zscore":  # rescale to 0-1 so the geometric mean is defined
            x = normalise(x, "minmax", np.inf)
        x[missing] = np.nan
        for ai, amethod in enumerate(unc.aggregations):
            sel = (norm_choice == ni) & (agg_choice == ai)
            if sel.any():
                totals[sel] = aggregate(x[None], ind_w[sel], dim_w[sel], m, amethod)[1]
    # focus score per replication, ranks among all regions (excluding its own units) and units
    def wmean(t: np.ndarray, w: np.ndarray) -> np.ndarray:
        ok = ~np.isnan(t)
        return (np.where(ok, t, 0) @ w.T) / (ok @ w.T)

    focus_score = wmean(totals, fw[None])[:, 0]
    others = np.array([r not in focus.nuts2016 for r in regions])
    rank_all = 1 + (np.nan_to_num(totals[:, others], nan=-np.inf) > focus_score[:, None]).sum(1)
    unit_scores = wmean(totals, uw)
    own = units["region"].to_numpy() == focus.id
    rank_units = 1 + (unit_scores[:, ~own] > focus_score[:, None]).sum(1)
    return {
        "replications": reps,
        "rank_all": rank_all, "rank_all_p05": int(np.percentile(rank_all, 5)),
        "rank_all_p95": int(np.percentile(rank_all, 95)), "n_all": int(others.sum() + 1),
        "rank_units": rank_units, "rank_units_p05": int(np.percentile(rank_units, 5)),
        "rank_units_p95": int(np.percentile(rank_units, 95)), "n_units": int((~own).sum() + 1),
    }


def typology(cluster_stars: float | None, composite_total: float | None) -> int | None:
    """The briefing's three types of pilot unit (section 1.2, Figure 4).

    1: 45 or more cluster stars and a composite below 0.5; 2: fewer than 35 stars and a
    composite below 0.6; 3: a high composite (0.6 or more). ``None`` when undecidable (a value
    missing, or between the briefing's bands).
    """
    if composite_total is not None and composite_total >= 0.6:
        return 3
    if cluster_stars is None or composite_total is None:
        return None
    if cluster_stars >= 45 and composite_total < 0.5:
        return 1
    if cluster_stars < 35 and composite_total < 0.6:
        return 2
    return None


# -- figures --------------------------------------------------------------------------------

def figure3_data(result: dict[str, Any], snapshot: pd.DataFrame, focus: Region,
                 config: CompositeConfig | None = None) -> pd.DataFrame:
    """Dimension scores of the region, its country and the EU28 (population-weighted)."""
    config = config or load_config()
    dims = result["dimensions"]
    pop = population(snapshot)
    series = {
        focus.name: weighted(dims, focus.nuts2016, pop),
        focus.country_name: weighted(dims, country_codes(result["total"], focus.country), pop),
        "EU28": weighted(dims, list(dims.index), pop),
    }
    rows = []
    for d in config.dimensions:
        for who, s in series.items():
            v = s.get(d.id)
            rows.append({"dimension": d.id, "name": d.name, "geo": who,
                         "score": None if v is None or pd.isna(v) else float(v),
                         "status": "ok" if v is not None and not pd.isna(v) else "no data",
                         "note": d.missing_reason})
    return pd.DataFrame(rows)


def figure3(data: pd.DataFrame):
    """Dot plot of the seven dimensions (seaborn); dimensions without data are labelled
    'no data'. Each of the three series sits on its own line within a dimension's row, and
    the focus region is drawn on top."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from eocic_helpers.outputs.legibility import title_over_labels, wrap_to_width
    from eocic_helpers.outputs.style import COUNTRY, EU, FIGURE_WIDTH_IN, HIGHLIGHT, SMALL_PT

    names = list(dict.fromkeys(data["name"]))
    geos = list(dict.fromkeys(data["geo"]))
    colours = dict(zip(geos, [HIGHLIGHT, COUNTRY, EU], strict=False))
    markers = dict(zip(geos, ["o", "s", "D"], strict=False))
    dodge = dict(zip(geos, [-0.22, 0.0, 0.22], strict=False))
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, 0.55 * len(names) + 1.3),
                           layout="constrained")
    rows = {n: y for y, n in enumerate(names)}
    ok = data[data["status"] == "ok"].assign(
        y=lambda d: d["name"].map(rows) + d["geo"].map(dodge))
    # the focus region last and highest, so no other marker hides it
    for z, g in enumerate(reversed(geos)):
        sns.scatterplot(data=ok[ok["geo"] == g], x="score", y="y", color=colours[g],
                        marker=markers[g], s=55, edgecolor="black", linewidth=0.6, label=g,
                        zorder=3 + z, ax=ax, legend=False)
    for name in names:
        d = data[data["name"] == name]
        if (d["status"] == "no data").all():
            ax.text(0.5, rows[name], wrap_to_width("no data: " + d["note"].iloc[0], 3.2,
                                                   SMALL_PT, fig),
                    ha="center", va="center", fontsize=SMALL_PT, style="italic",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels([wrap_to_width(n, 1.7, SMALL_PT, fig) for n in names])
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Score (0-1)")
    ax.set_ylabel("")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker=markers[g], color=colours[g], linestyle="",
                      markeredgecolor="black", markersize=7) for g in geos]
    fig.legend(handles, geos, loc="outside lower center", ncol=len(geos), frameon=False)
    title_over_labels(ax, "Composite indicators for industrial change (reconstruction)")
    return fig


def figure4_data(unit_scores: pd.Series, units: pd.DataFrame, stars: dict[str, int],
                 briefing_composite: dict[str, float]) -> pd.DataFrame:
    """One row per pilot unit: our composite, the stars (if the briefing states them), type."""
    rows = []
    for u in units.itertuples():
        c = unit_scores.get(u.unit_id)
        c = None if c is None or pd.isna(c) else float(c)
        s = stars.get(u.unit_id)
        rows.append({"unit_id": u.unit_id, "unit_name": u.unit_name, "region": u.region,
                     "composite_total": c, "cluster_stars": s,
                     "briefing_composite": briefing_composite.get(u.unit_id),
                     "typology_group": typology(s, c)})
    return pd.DataFrame(rows)


def figure4(data: pd.DataFrame, focus: Region):
    """Composite against cluster stars where the briefing states them (top), and the composite
    of the other pilot units as a ranked dot plot, one named row each (bottom).

    Labels of the top panel are placed where they overlap no other label, point or line.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    from eocic_helpers.outputs.legibility import place_labels, title_over_labels
    from eocic_helpers.outputs.style import FIGURE_WIDTH_IN, HIGHLIGHT, MUTED, OKABE_ITO, SMALL_PT

    known = data[data["cluster_stars"].notna() & data["composite_total"].notna()]
    unknown = data[data["cluster_stars"].isna() & data["composite_total"].notna()]
    unknown = unknown.sort_values("composite_total", ascending=False)
    top_h, row_h = 2.6, 0.2
    fig, (ax, strip) = plt.subplots(
        2, 1, figsize=(FIGURE_WIDTH_IN, top_h + row_h * max(len(unknown), 1) + 1.4),
        sharex=True, layout="constrained",
        gridspec_kw={"height_ratios": [top_h, row_h * max(len(unknown), 1)]})
    for a in (ax, strip):
        a.axvline(0.5, color=MUTED, linestyle="--", linewidth=1)
        a.axvline(0.6, color=MUTED, linestyle="--", linewidth=1)
    ax.axhline(45, color=MUTED, linestyle=":", linewidth=1)
    ax.axhline(35, color=MUTED, linestyle=":", linewidth=1)
    points, labels, styles = [], [], []
    is_focus = known["region"] == focus.id
    for sel, colour, z in ((~is_focus, OKABE_ITO["blue"], 3), (is_focus, HIGHLIGHT, 4)):
        sns.scatterplot(data=known[sel], x="composite_total", y="cluster_stars", color=colour,
                        s=70, edgecolor="black", zorder=z, ax=ax, legend=False)
    for r in known.itertuples():
        points.append((r.composite_total, r.cluster_stars))
        labels.append(f"{r.unit_name} (ours)")
        styles.append({"fontweight": "bold" if r.region == focus.id else "normal"})
        if r.briefing_composite is not None and not pd.isna(r.briefing_composite):
            ax.plot(r.briefing_composite, r.cluster_stars, "*", color=OKABE_ITO["orange"],
                    markersize=13, markeredgecolor="black", linestyle="", zorder=3)
            points.append((r.briefing_composite, r.cluster_stars))
            labels.append(f"EOCIC: {r.briefing_composite:.3f}")
            styles.append({})
    ax.set_ylabel("Cluster stars\n(as stated in the briefing)")
    ax.set_ylim(0, 80)
    ax.set_xlim(0, 1)
    strip.set_xlim(0, 1)
    if len(unknown):
        unknown = unknown.assign(focus=unknown["region"] == focus.id)
        sns.scatterplot(data=unknown, x="composite_total", y="unit_name", hue="focus",
                        palette={True: HIGHLIGHT, False: MUTED}, edgecolor="black", s=40,
                        legend=False, zorder=3, ax=strip)
        strip.set_ylim(len(unknown) - 0.5, -0.5)
        for label in strip.get_yticklabels():
            if label.get_text() in set(unknown.loc[unknown["focus"], "unit_name"]):
                label.set_fontweight("bold")
    strip.set_ylabel("")
    strip.set_xlabel("Composite index of industrial change, 0-1 (reconstruction)")
    ax.set_xlabel("")
    title_over_labels(ax, "Composite index and cluster stars, pilot units")
    title_over_labels(strip, "Pilot units without a star count in the briefing",
                      fontsize=SMALL_PT + 0.5)
    place_labels(ax, points, labels, SMALL_PT, styles=styles)
    return fig


def claims(fig3: pd.DataFrame, focus: Region) -> pd.DataFrame:
    """The briefing's qualitative reading of Figure 3, tested on our reconstruction."""
    own = fig3[(fig3["geo"] == focus.name) & (fig3["status"] == "ok")].set_index("dimension")
    rows = []
    if own.empty:
        return pd.DataFrame([{"claim (briefing section 1.2)": "all", "our data": "n/a (no data)"}])
    top2 = set(own["score"].nlargest(2).index)
    low = own["score"].idxmin()
    rows.append(("Highest scores for firm investments and digitalisation",
                 "holds" if top2 == {"firm_investments", "digitalisation"} else
                 f"does not hold (highest: {', '.join(own.loc[list(top2), 'name'])})"))
    rows.append(("Lowest score for new and emerging technologies",
                 "holds" if low == "emerging_technologies" else
                 f"does not hold (lowest: {own.loc[low, 'name']})"))
    cmp = fig3[fig3["status"] == "ok"].pivot(index="dimension", columns="geo", values="score")
    others = [c for c in cmp.columns if c != focus.name]
    below = int(sum((cmp[focus.name] < cmp[o]).sum() for o in others))
    total = int(cmp[others].notna().sum().sum())
    rows.append(("Generally below the national and EU levels",
                 f"{'holds' if below > total / 2 else 'does not hold'} (below in {below} of "
                 f"{total} comparisons)"))
    rows.append(("Dimensions covered by our data",
                 f"{len(own)} of {fig3['dimension'].nunique()}; the others have no indicator"))
    return pd.DataFrame(rows, columns=["claim (briefing section 1.2)", "our data"])


def choices_table(config: CompositeConfig | None = None) -> pd.DataFrame:
    """Indicators of each dimension with direction, transform and the reason for the choice."""
    config = config or load_config()
    rows = [{"dimension": d.name, "indicator": c.indicator, "direction": c.direction,
             "transform": c.transform, "reason": c.reason}
            for d in config.dimensions for c in d.indicators]
    rows += [{"dimension": d.name, "indicator": "no data", "direction": "", "transform": "",
              "reason": d.missing_reason} for d in config.dimensions if not d.indicators]
    return pd.DataFrame(rows)
