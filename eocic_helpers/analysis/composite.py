"""An open composite indicator of industrial change (briefing Figures 3 and 4).

Method (OECD/JRC Handbook on Constructing Composite Indicators, 2008; RIS practice):
indicator direction, square root for skewed indicators, values beyond mean ± 3 sd winsorised
to the range of the others, min-max normalisation to 0-1 over all EU NUTS 2 regions,
arithmetic means within and across dimensions. A dimension without indicators is "no data",
never 0. A dimension a region lacks is handled by a stated rule (``missing_rule``): its weight
is spread over the region's other dimensions ("reweight"), or a dimension enters only when at
least ``min_dimension_coverage`` of the regions have it ("coverage"). Uncertainty: Monte Carlo
over three normalisation-aggregation pairs (min-max with arithmetic or with the handbook's
weighted geometric mean on a 1-100 rescaling, z-scores with arithmetic), the missing-dimension
rule and Dirichlet-perturbed weights, giving rank intervals with their Monte Carlo error.

This is a reconstruction from Eurostat indicators following EOCIC's seven dimensions; it is
not the EOCIC index.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from pydantic import BaseModel, ConfigDict, Field

from eocic_helpers.core import atomic, paths
from eocic_helpers.core.config import load_model
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.pipeline import EU_WIDE
from eocic_helpers.core.reads import cached_loader
from eocic_helpers.core.regions import EU28, Region, load_regions, nuts2_names
from eocic_helpers.data.eocic_values import briefing_typology, cluster_stars, load_eocic
from eocic_helpers.data.lookup import population_weights
from eocic_helpers.data.snapshot import BY_ID
from eocic_helpers.outputs.legibility import place_labels, title_over_labels, wrap_to_width
from eocic_helpers.outputs.numbers import declared_text
from eocic_helpers.outputs.style import COUNTRY, EU, FIGURE_WIDTH_IN, HIGHLIGHT, MUTED, OKABE_ITO, SMALL_PT

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


MissingRule = Literal["reweight", "coverage"]
#: Normalisation-aggregation pairs that are defined: the geometric mean needs positive values,
#: so it runs on min-max scores rescaled to 1-100 (COINr's advice); z-scores (negative by
#: construction) are aggregated arithmetically only.
VALID_PAIRS = [("minmax", "arithmetic"), ("minmax", "geometric"), ("zscore", "arithmetic")]
GEOMETRIC_RANGE = (1.0, 100.0)
PAIR_LABELS = {("minmax", "arithmetic"): "min-max scores with arithmetic means",
               ("minmax", "geometric"): "min-max scores rescaled to 1-100 with geometric means",
               ("zscore", "arithmetic"): "z-scores with arithmetic means"}


class Uncertainty(BaseModel):
    model_config = ConfigDict(extra="forbid")
    replications: int = Field(ge=10)
    seed: int
    dirichlet_concentration: float = Field(gt=0)
    normalisations: list[Literal["minmax", "zscore"]]
    aggregations: list[Literal["arithmetic", "geometric"]]
    missing_rules: list[MissingRule] = Field(min_length=1)
    batches: int = Field(default=20, ge=2)


class CompositeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: int
    max_year: int
    outlier_sd: float
    missing_rule: MissingRule
    min_dimension_coverage: float = Field(gt=0, le=1)
    dimensions: list[Dimension] = Field(min_length=1)
    uncertainty: Uncertainty


@cached_loader
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


def winsorise(x: np.ndarray, outlier_sd: float = 3.0) -> np.ndarray:
    """Clip each column to the min and max of its values within mean ± ``outlier_sd`` sd."""
    mean = np.nanmean(x, axis=0)
    sd = np.nanstd(x, axis=0)
    inside = np.where(np.abs(x - mean) <= outlier_sd * sd, x, np.nan)
    lo, hi = np.nanmin(inside, axis=0), np.nanmax(inside, axis=0)
    return np.clip(x, lo, hi)


def normalise(x: np.ndarray, method: str = "minmax", outlier_sd: float = 3.0) -> np.ndarray:
    """Normalise each column after winsorising outliers (:func:`winsorise`).

    ``minmax``: 0-1, min and max set without the outliers. ``zscore``: mean 0, sd 1 of the
    winsorised values (a genuine alternative: distances keep their shape, no 0-1 bound).
    """
    xc = winsorise(x, outlier_sd)
    if method == "zscore":
        mean, sd = np.nanmean(xc, axis=0), np.nanstd(xc, axis=0)
        return (xc - mean) / np.where(sd > 0, sd, 1)
    lo, hi = np.nanmin(xc, axis=0), np.nanmax(xc, axis=0)
    return (xc - lo) / np.where(hi > lo, hi - lo, 1)


def rescale_for_geometric(x: np.ndarray) -> np.ndarray:
    """Min-max scores (0-1) mapped linearly onto 1-100, so every value is positive."""
    lo, hi = GEOMETRIC_RANGE
    return lo + (hi - lo) * x


def dimension_coverage(values: pd.DataFrame, config: CompositeConfig) -> pd.Series:
    """Share of regions with data for at least one indicator of each dimension."""
    have = ~values.isna().to_numpy()
    m = _membership(config)
    share = ((have.astype(float) @ m) > 0).mean(axis=0)
    return pd.Series(share, index=[d.id for d in config.dimensions])


def dimension_mask(values: pd.DataFrame, config: CompositeConfig,
                   rule: str | None = None) -> np.ndarray:
    """1 for dimensions that enter the composite under the missing-dimension ``rule``, else 0.

    ``reweight``: every dimension with indicators enters; ``coverage``: only those with data
    for at least ``min_dimension_coverage`` of the regions.
    """
    rule = rule or config.missing_rule
    has_ind = np.array([bool(d.indicators) for d in config.dimensions])
    if rule == "coverage":
        cov = dimension_coverage(values, config).to_numpy()
        return (has_ind & (cov >= config.min_dimension_coverage)).astype(float)
    return has_ind.astype(float)


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

    ``arithmetic``: weighted means. ``geometric``: the handbook's weighted geometric mean
    ∏ x_i^w_i (weights normalised to sum 1 over the available values); ``scores`` must be
    positive (use :func:`rescale_for_geometric`). A dimension with weight 0 does not enter; a
    region's missing dimension has its weight spread over its other dimensions.

    Args:
        scores: (..., regions, indicators), NaN where missing.
        ind_weights: (..., indicators); dim_weights: (..., dimensions).
    Returns:
        (dimension scores (..., regions, dimensions), total (..., regions)); NaN where a
        dimension has no data.
    """
    avail = ~np.isnan(scores)
    geometric = method == "geometric"
    if geometric and np.any(scores[avail] <= 0):
        raise ValueError("the geometric mean needs positive scores; rescale them to 1-100 first")
    s = np.where(avail, np.log(np.where(avail, scores, 1.0)) if geometric else scores, 0.0)
    iw = ind_weights[..., None, :]  # (..., 1, indicators)
    have = avail.astype(float)
    # Each indicator belongs to one dimension: a dimension's weighted sum adds its own columns,
    # one after another in indicator order, without a (..., regions, indicators) temporary.
    shape = np.broadcast_shapes(iw.shape, s.shape)[:-1]
    num = np.zeros((*shape, membership.shape[1]))
    den = np.zeros_like(num)
    for k in range(membership.shape[1]):
        for j in np.flatnonzero(membership[:, k]):
            num[..., k] += iw[..., j] * have[..., j] * s[..., j]
            den[..., k] += iw[..., j] * have[..., j]
    with np.errstate(invalid="ignore", divide="ignore"):
        dims = num / den
    have = ~np.isnan(dims)
    dw = dim_weights[..., None, :] * have
    vals = np.where(have, dims, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = (dw * vals).sum(-1) / dw.sum(-1)
    if geometric:
        dims, total = np.exp(dims), np.exp(total)
    return dims, total


def compute(snapshot: pd.DataFrame, config: CompositeConfig | None = None,
            rule: str | None = None) -> dict[str, Any]:
    """The central composite: dimension scores and total for every EU NUTS 2 region.

    Returns a dict with ``dimensions`` (regions x dimension ids, NaN = no data), ``total``,
    ``values`` (raw), ``years``, the ``covered`` dimension ids (those with any indicator), the
    ``entering`` ones under the missing-dimension ``rule`` (default: the config's), and each
    dimension's ``coverage`` (share of regions with data).
    """
    config = config or load_config()
    rule = rule or config.missing_rule
    values, years = indicator_matrix(snapshot, config)
    x = normalise(_transform(values, config), "minmax", config.outlier_sd)
    x[np.isnan(values.to_numpy(dtype=float))] = np.nan
    m = _membership(config)
    mask = dimension_mask(values, config, rule)
    dims, total = aggregate(x, np.ones(m.shape[0]), mask, m)
    ids = [d.id for d in config.dimensions]
    return {
        "dimensions": pd.DataFrame(dims, index=values.index, columns=ids),
        "total": pd.Series(total, index=values.index, name="composite_total"),
        "values": values, "years": years, "rule": rule,
        "covered": [d.id for d in config.dimensions if d.indicators],
        "entering": [d.id for d, k in zip(config.dimensions, mask, strict=True) if k],
        "coverage": dimension_coverage(values, config),
    }


def population(snapshot: pd.DataFrame, year: int | None = None) -> pd.Series:
    """Population weights by geo for the composite's year (``max_year``), by the project's one
    rule (:func:`eocic_helpers.data.lookup.population_weights`)."""
    y = year if year is not None else load_config().max_year
    geos = sorted(set(snapshot.loc[snapshot["indicator"] == "population", "geo"]))
    return population_weights(snapshot, geos, y).dropna()


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


def rank_among(score: float | None, others: pd.Series | np.ndarray) -> int | None:
    """Rank of ``score`` (1 = highest) among ``others``; ``None`` when there is no score.

    Others without a score do not count.
    """
    if score is None or (isinstance(score, float) and np.isnan(score)):
        return None
    arr = np.asarray(others, dtype=float)
    return int(1 + (arr[~np.isnan(arr)] > score).sum())


def _pct(arr: np.ndarray, q: float) -> int | None:
    ok = arr[~np.isnan(arr)]
    return int(np.percentile(ok, q, method="inverted_cdf")) if len(ok) else None


def _mc_error(arr: np.ndarray, q: float, batches: int) -> float | None:
    """Monte Carlo standard error of a percentile, from ``batches`` equal batches."""
    parts = [b[~np.isnan(b)] for b in np.array_split(arr, batches)]
    if any(len(b) == 0 for b in parts):
        return None
    est = np.array([np.percentile(b, q, method="inverted_cdf") for b in parts])
    return float(est.std(ddof=1) / np.sqrt(batches))


#: Files of the EU-wide Monte Carlo draws, published once per run by the EU-wide notebook
#: (``notebooks/eu_tables.ipynb``, scope ``eu_wide``) into ``build/runs/eu/data/``.
DRAW_FILES = {"totals": "composite_mc_totals.npy", "pair_choice": "composite_mc_pairs.npy",
              "rule_choice": "composite_mc_rules.npy", "regions": "composite_mc_regions.npy"}


def mc_draws(snapshot: pd.DataFrame, config: CompositeConfig | None = None,
             replications: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """The EU-wide part of the Monte Carlo: every replication's composite of every EU NUTS 2
    region. It is the same for every region, so a run computes it once (the EU-wide notebook)
    and each region's notebook only ranks its region in it (:func:`mc_ranks`).

    Each replication draws a normalisation-aggregation pair from :data:`VALID_PAIRS` (as the
    config allows), a missing-dimension rule and Dirichlet weights for indicators (within
    dimensions) and dimensions. Returns ``totals`` (replications x regions), the draws of pair
    and rule per replication, and the regions' codes, in the order of :func:`indicator_matrix`.
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
    pairs = [p for p in VALID_PAIRS if p[0] in unc.normalisations and p[1] in unc.aggregations]
    rules = list(unc.missing_rules)
    pair_choice = rng.integers(len(pairs), size=reps)
    rule_choice = rng.integers(len(rules), size=reps)
    ind_w = np.ones((reps, m.shape[0]))
    for k in range(m.shape[1]):
        idx = np.flatnonzero(m[:, k])
        if len(idx):
            alpha = np.full(len(idx), unc.dirichlet_concentration)
            ind_w[:, idx] = rng.dirichlet(alpha, size=reps) * len(idx)
    dim_w = np.zeros((reps, m.shape[1]))
    dim_w[:, covered] = rng.dirichlet(np.full(covered.sum(), unc.dirichlet_concentration),
                                      size=reps) * covered.sum()
    totals = np.full((reps, len(values.index)), np.nan)
    for pi, (nmethod, amethod) in enumerate(pairs):
        x = normalise(raw, nmethod, config.outlier_sd)
        if amethod == "geometric":
            x = rescale_for_geometric(x)
        x[missing] = np.nan
        for ri, rule in enumerate(rules):
            sel = (pair_choice == pi) & (rule_choice == ri)
            if sel.any():
                mask = dimension_mask(values, config, rule)
                totals[sel] = aggregate(x[None], ind_w[sel], dim_w[sel] * mask, m, amethod)[1]
    return {"totals": totals, "pair_choice": pair_choice, "rule_choice": rule_choice,
            "regions": np.array(list(values.index), dtype=str)}


def save_draws(draws: dict[str, Any], folder: Path) -> list[Path]:
    """Write :func:`mc_draws` as ``.npy`` files into ``folder`` (exact, and byte-reproducible:
    a ``.npy`` file holds a header and the raw array, nothing else)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for key, name in DRAW_FILES.items():
        with atomic.atomic_path(folder / name) as tmp, open(tmp, "wb") as f:
            np.save(f, np.asarray(draws[key]), allow_pickle=False)
        out.append(folder / name)
    return out


def load_draws(folder: Path | None = None) -> dict[str, Any]:
    """The EU-wide draws a run's EU-wide notebook published (``build/runs/eu/data/``).

    Raises:
        DataError: a file is missing or unreadable (one line naming the command to run).
    """
    folder = Path(folder or paths.run_dir(EU_WIDE) / "data")
    out: dict[str, Any] = {}
    for key, name in DRAW_FILES.items():
        try:
            out[key] = np.load(folder / name, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise DataError(f"{folder / name}: the EU-wide Monte Carlo draws are missing or "
                            f"unreadable ({type(exc).__name__}); run 'eocic run' (it computes "
                            "them once, before the regions)") from None
    return out


def mc_ranks(draws: dict[str, Any], snapshot: pd.DataFrame, focus: Region,
             config: CompositeConfig | None = None) -> dict[str, Any]:
    """Rank intervals of the focus region in the EU-wide draws (:func:`mc_draws`).

    Returns the ranks (1 = highest) among all EU NUTS 2 regions and among the 17 pilot units,
    their 5th and 95th percentiles, the Monte Carlo standard error of each bound (batch means).
    A replication in which the focus region has no composite gives no rank (NaN), and bounds are
    ``None`` when no replication ranks it.
    """
    config = config or load_config()
    unc = config.uncertainty
    totals = draws["totals"]
    regions = [str(r) for r in draws["regions"]]
    pairs = [p for p in VALID_PAIRS if p[0] in unc.normalisations and p[1] in unc.aggregations]
    rules = list(unc.missing_rules)
    pop = population(snapshot)
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

    # focus score per replication, ranks among all regions (excluding its own units) and units
    def wmean(t: np.ndarray, w: np.ndarray) -> np.ndarray:
        ok = ~np.isnan(t)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (np.where(ok, t, 0) @ w.T) / (ok @ w.T)

    focus_score = wmean(totals, fw[None])[:, 0]
    has = ~np.isnan(focus_score)
    others = np.array([r not in focus.nuts2016 for r in regions])
    rank_all = 1.0 + (np.nan_to_num(totals[:, others], nan=-np.inf)
                      > focus_score[:, None]).sum(1)
    unit_scores = wmean(totals, uw)
    own = units["region"].to_numpy() == focus.id
    rank_units = 1.0 + (np.nan_to_num(unit_scores[:, ~own], nan=-np.inf)
                        > focus_score[:, None]).sum(1)
    rank_all[~has] = np.nan
    rank_units[~has] = np.nan
    out: dict[str, Any] = {
        "replications": len(totals), "ranked_replications": int(has.sum()),
        "rank_all": rank_all, "rank_units": rank_units,
        "n_all": int(others.sum() + 1), "n_units": int((~own).sum() + 1),
        "pairs": [PAIR_LABELS[p] for p in pairs], "rules": rules,
        "pair_choice": draws["pair_choice"], "rule_choice": draws["rule_choice"],
    }
    for name, arr in (("rank_all", rank_all), ("rank_units", rank_units)):
        for q in (5, 95):
            out[f"{name}_p{q:02d}"] = _pct(arr, q)
            out[f"{name}_p{q:02d}_mc_se"] = _mc_error(arr, q, unc.batches)
    return out


def eu_table(snapshot: pd.DataFrame, draws: dict[str, Any],
             config: CompositeConfig | None = None) -> pd.DataFrame:
    """Every EU NUTS 2 region's central composite, its rank among all of them, and its Monte
    Carlo rank interval (5th-95th percentile over :func:`mc_draws`), each region ranked as its
    own unit. A region without a composite has no score and no rank."""
    config = config or load_config()
    total = compute(snapshot, config)["total"]
    regions = [str(r) for r in draws["regions"]]
    totals = draws["totals"]
    scored = np.nan_to_num(totals, nan=-np.inf)
    rows = []
    for j, code in enumerate(regions):
        ranks = 1.0 + (scored > scored[:, [j]]).sum(1)
        ranks[np.isnan(totals[:, j])] = np.nan
        score = total.get(code)
        rows.append({"geo": code, "composite_total": score,
                     "rank": rank_among(score, total.drop(code)),
                     "rank_p05": _pct(ranks, 5), "rank_p95": _pct(ranks, 95)})
    out = pd.DataFrame(rows)
    names = nuts2_names()
    out.insert(1, "name", [names.get(c, "") for c in out["geo"]])
    out["composite_total"] = out["composite_total"].round(4)
    for col in ("rank", "rank_p05", "rank_p95"):
        out[col] = out[col].astype("Int64")
    return out.sort_values(["rank", "geo"], na_position="last").reset_index(drop=True)


def monte_carlo(snapshot: pd.DataFrame, focus: Region, config: CompositeConfig | None = None,
                replications: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """Rank intervals of the focus region under construction choices: :func:`mc_draws` and
    :func:`mc_ranks` in one call (a run shares the draws between regions instead)."""
    draws = mc_draws(snapshot, config, replications, seed)
    return mc_ranks(draws, snapshot, focus, config)


def variance_by_source(mc: dict[str, Any], rank: str = "rank_all") -> pd.DataFrame:
    """How much of the Monte Carlo rank variance each construction choice explains: the
    first-order share Var(E[rank | choice]) / Var(rank) of the missing-dimension rule and of the
    normalisation-aggregation pair; the rest is the weights and the interactions.

    Columns: ``source, share`` (0-1); empty when fewer than two replications rank the region.
    """
    r = np.asarray(mc[rank], dtype=float)
    ok = ~np.isnan(r)
    if ok.sum() < 2 or np.var(r[ok]) == 0:
        return pd.DataFrame(columns=["source", "share"])
    total = float(np.var(r[ok]))
    rows = []
    for name, choice in (("rule for missing dimensions", mc["rule_choice"]),
                         ("normalisation-aggregation pair", mc["pair_choice"])):
        c = np.asarray(choice)[ok]
        means = pd.Series(r[ok]).groupby(c).transform("mean").to_numpy()
        rows.append((name, float(np.var(means)) / total))
    rows.append(("weights and interactions (the rest)", 1.0 - sum(s for _, s in rows)))
    return pd.DataFrame(rows, columns=["source", "share"])


def rank_modes(mc: dict[str, Any], rank: str = "rank_all") -> pd.DataFrame:
    """The rank distribution under each missing-dimension rule on its own (the modes the
    mixed interval hides): replications, median and 5th-95th percentile per rule."""
    r = np.asarray(mc[rank], dtype=float)
    rows = []
    for i, rule in enumerate(mc["rules"]):
        sel = r[(np.asarray(mc["rule_choice"]) == i) & ~np.isnan(r)]
        rows.append({"rule": rule, "label": RULE_LABELS[rule], "replications": int(len(sel)),
                     "median": _pct(sel, 50), "p05": _pct(sel, 5), "p95": _pct(sel, 95)})
    return pd.DataFrame(rows)


def cronbach_alpha(x: np.ndarray) -> float | None:
    """Cronbach's alpha of the columns of ``x`` (regions x indicators, complete rows only);
    None for fewer than two indicators or rows."""
    x = x[~np.isnan(x).any(axis=1)]
    k = x.shape[1]
    if k < 2 or len(x) < 2:
        return None
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - item_var / total_var)) if total_var > 0 else None


def standardised_alpha(x: np.ndarray) -> float | None:
    """Standardised Cronbach's alpha, k r / (1 + (k - 1) r), with r the mean Pearson
    correlation between the columns (each pair over the rows that have both); None for fewer
    than two columns."""
    k = x.shape[1]
    if k < 2:
        return None
    corr = pd.DataFrame(x).corr().to_numpy()[np.triu_indices(k, 1)]
    if np.isnan(corr).any():
        return None
    r = float(corr.mean())
    return k * r / (1 + (k - 1) * r)


def consistency_table(snapshot: pd.DataFrame, config: CompositeConfig | None = None
                      ) -> pd.DataFrame:
    """Each dimension's internal consistency (handbook step 4): the standardised Cronbach's
    alpha of its indicators as they enter the composite (transformed, oriented, winsorised
    z-scores) over the EU NUTS 2 regions, pairwise; and the plain alpha over the regions that
    have every indicator."""
    config = config or load_config()
    values, _ = indicator_matrix(snapshot, config)
    x = normalise(_transform(values, config), "zscore", config.outlier_sd)
    m = _membership(config)
    rows = []
    for k, d in enumerate(config.dimensions):
        idx = np.flatnonzero(m[:, k])
        sub = x[:, idx]
        complete = int((~np.isnan(sub).any(axis=1)).sum()) if len(idx) else 0
        alpha = standardised_alpha(sub) if len(idx) else None
        rows.append({"dimension": d.name, "indicators": len(idx), "regions with all": complete,
                     "alpha": alpha, "alpha, complete rows": cronbach_alpha(sub) if len(idx)
                     else None,
                     "reading": ("no indicator" if not len(idx) else
                                 "one indicator: not defined" if alpha is None else
                                 "consistent (0.7 or more)" if alpha >= 0.7 else
                                 "weak (below 0.7): the indicators measure different things")})
    return pd.DataFrame(rows)


def consistency_table_text(snapshot: pd.DataFrame, config: CompositeConfig | None = None
                           ) -> pd.DataFrame:
    """:func:`consistency_table` with alphas as text (two decimals; blank when undefined)."""
    t = consistency_table(snapshot, config)
    for c in ("alpha", "alpha, complete rows"):
        t[c] = ["" if a is None or pd.isna(a) else f"{a:.2f}" for a in t[c]]
    return t


def reference_years(snapshot: pd.DataFrame, focus: Region, config: CompositeConfig | None = None
                    ) -> pd.DataFrame:
    """The year each indicator's value refers to, for the region's units and across the EU
    NUTS 2 regions (the latest year up to ``max_year`` per region), so that mixed years show."""
    config = config or load_config()
    _, years = indicator_matrix(snapshot, config)
    rows = []
    for d in config.dimensions:
        for c in d.indicators:
            col = years[c.indicator].dropna().astype(int)
            own = sorted({int(y) for u in focus.nuts2016 if u in col.index for y in [col[u]]})
            counts = col.value_counts().sort_index()
            rows.append({
                "dimension": d.name,
                "indicator": BY_ID[c.indicator].label if c.indicator in BY_ID else c.indicator,
                "year for the region": ", ".join(map(str, own)) or "no value",
                "years across EU regions": ("no value" if counts.empty else
                                            "; ".join(f"{y}: {n}" for y, n in counts.items())),
                "years mix": "yes" if len(counts) > 1 else "no",
            })
    return pd.DataFrame(rows)


RULE_LABELS = {
    "reweight": "a dimension the region lacks has its weight spread over the region's others",
    "coverage": "a dimension enters only when enough regions have data for it",
}


def rule_effect(snapshot: pd.DataFrame, focus: Region, config: CompositeConfig | None = None
                ) -> pd.DataFrame:
    """The focus region's central score and rank among all EU NUTS 2 regions under each
    missing-dimension rule (``rule, label, entering, score, rank, n_ranked``)."""
    config = config or load_config()
    pop = population(snapshot)
    names = {d.id: d.name.lower() for d in config.dimensions}
    rows = []
    for rule in ("reweight", "coverage"):
        res = compute(snapshot, config, rule)
        total = res["total"]
        score = weighted(total, list(focus.nuts2016), pop)
        others = total.drop([c for c in focus.nuts2016 if c in total.index])
        rows.append({"rule": rule, "label": RULE_LABELS[rule],
                     "entering": ", ".join(names[d] for d in res["entering"]),
                     "score": score, "rank": rank_among(score, others.to_numpy()),
                     "n_ranked": int(others.notna().sum()) + 1})
    return pd.DataFrame(rows)


# -- the briefing's typology (section 1.2, Figure 4) -----------------------------------------

def typology_thresholds() -> pd.DataFrame:
    """The typology's thresholds, held once in ``data/eocic/typology_thresholds.csv``."""
    return load_eocic("typology_thresholds").set_index("group")


def typology(cluster_stars: float | None, composite_total: float | None) -> int | None:
    """Our reconstruction of the briefing's type of a pilot unit (section 1.2, Figure 4).

    Thresholds from :func:`typology_thresholds`; ``None`` when undecidable (a value missing,
    or between the briefing's bands). The published classification is
    ``data/eocic/typology.csv``; this function only reconstructs it.
    """
    t = typology_thresholds()

    def inside(group: int) -> bool | None:
        row = t.loc[group]
        checks = []
        for value, lo, hi in ((cluster_stars, row["stars_min"], row["stars_max"]),
                              (composite_total, row["composite_min"], row["composite_max"])):
            if pd.isna(lo) and pd.isna(hi):
                continue
            if value is None or pd.isna(value):
                return None
            checks.append((pd.isna(lo) or value >= lo) and (pd.isna(hi) or value < hi))
        return all(checks)

    for group in (3, 1, 2):
        if inside(group):
            return group
    return None


# -- figures --------------------------------------------------------------------------------

def figure3_data(result: dict[str, Any], snapshot: pd.DataFrame, focus: Region,
                 config: CompositeConfig | None = None) -> pd.DataFrame:
    """Dimension scores of the region, its country and the EU28 (population-weighted)."""
    config = config or load_config()
    dims = result["dimensions"]
    pop = population(snapshot)
    country = country_codes(result["total"], focus.country)
    series = {focus.name: weighted(dims, focus.nuts2016, pop)}
    if set(country) - set(focus.nuts2016):  # no country series when the region is the country
        series[focus.country_name] = weighted(dims, country, pop)
    series["EU28"] = weighted(dims, list(dims.index), pop)
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

    handles = [Line2D([], [], marker=markers[g], color=colours[g], linestyle="",
                      markeredgecolor="black", markersize=7) for g in geos]
    fig.legend(handles, geos, loc="outside lower center", ncol=len(geos), frameon=False)
    title_over_labels(ax, "Composite indicators for industrial change (reconstruction)")
    return fig


def figure4_data(unit_scores: pd.Series, units: pd.DataFrame, stars: dict[str, int],
                 briefing_composite: dict[str, float],
                 briefing_groups: dict[str, int] | None = None) -> pd.DataFrame:
    """One row per pilot unit: our composite, the stars (if the briefing states them), the
    briefing's published group (``briefing_group``, data/eocic/typology.csv) and our
    reconstruction of it from the thresholds (``reconstructed_group``)."""
    if briefing_groups is None:
        briefing_groups = briefing_typology()
    rows = []
    for u in units.itertuples():
        c = unit_scores.get(u.unit_id)
        c = None if c is None or pd.isna(c) else float(c)
        s = stars.get(u.unit_id)
        rows.append({"unit_id": u.unit_id, "unit_name": u.unit_name, "region": u.region,
                     "composite_total": c, "cluster_stars": s,
                     "briefing_composite": briefing_composite.get(u.unit_id),
                     "briefing_group": briefing_groups.get(u.unit_id),
                     "reconstructed_group": typology(s, c)})
    return pd.DataFrame(rows)


def figure4(data: pd.DataFrame, focus: Region):
    """Composite against cluster stars where the briefing states them (top), and the composite
    of the other pilot units as a ranked dot plot, one named row each (bottom).

    Labels of the top panel are placed where they overlap no other label, point or line.
    """
    known = data[data["cluster_stars"].notna() & data["composite_total"].notna()]
    unknown = data[data["cluster_stars"].isna() & data["composite_total"].notna()]
    unknown = unknown.sort_values("composite_total", ascending=False)
    top_h, row_h = 2.6, 0.2
    fig, (ax, strip) = plt.subplots(
        2, 1, figsize=(FIGURE_WIDTH_IN, top_h + row_h * max(len(unknown), 1) + 1.4),
        sharex=True, layout="constrained",
        gridspec_kw={"height_ratios": [top_h, row_h * max(len(unknown), 1)]})
    t = typology_thresholds()  # the typology's bands, held once in data/eocic
    for a in (ax, strip):
        for x in sorted(set(t["composite_min"].dropna()) | set(t["composite_max"].dropna())):
            a.axvline(x, color=MUTED, linestyle="--", linewidth=1)
    for y in sorted(set(t["stars_min"].dropna()) | set(t["stars_max"].dropna())):
        ax.axhline(y, color=MUTED, linestyle=":", linewidth=1)
    points, labels, styles = [], [], []
    is_focus = known["region"] == focus.id
    for sel, colour, z in ((~is_focus, OKABE_ITO["blue"], 3), (is_focus, HIGHLIGHT, 4)):
        sns.scatterplot(data=known[sel], x="composite_total", y="cluster_stars", color=colour,
                        s=70, edgecolor="black", zorder=z, ax=ax, legend=False)
    for r in known.itertuples():
        points.append((r.composite_total, r.cluster_stars))
        group = "" if pd.isna(r.briefing_group) else f" (group {int(r.briefing_group)})"
        labels.append(f"{r.unit_name}{group}")
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
        unknown = unknown.assign(focus=unknown["region"] == focus.id, unit_name=[
            n if pd.isna(g) else f"{n} (group {int(g)})"
            for n, g in zip(unknown["unit_name"], unknown["briefing_group"], strict=True)])
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


def majority_verdict(count: int, total: int) -> str:
    """'holds' for a majority, 'does not hold' for a minority, and 'undecided (a tie)' when
    exactly half: 4 of 8 is neither generally below nor generally not."""
    if total == 0:
        return "n/a (no comparison)"
    if 2 * count == total:
        return "undecided (a tie)"
    return "holds" if 2 * count > total else "does not hold"


def claims(fig3: pd.DataFrame, focus: Region) -> pd.DataFrame:
    """The briefing's qualitative reading of Figure 3, tested on our reconstruction."""
    own = fig3[(fig3["geo"] == focus.name) & (fig3["status"] == "ok")].set_index("dimension")
    rows = []
    if own.empty:
        return pd.DataFrame([{"claim (briefing section 1.2)": "all", "our data": "n/a (no data)"}])
    # A list in score order (ties by dimension order), never a set: the text must not depend
    # on hash order.
    top2 = list(own["score"].nlargest(2).index)
    low = own["score"].idxmin()
    rows.append(("Highest scores for firm investments and digitalisation",
                 "holds" if set(top2) == {"firm_investments", "digitalisation"} else
                 f"does not hold (highest: {', '.join(own.loc[top2, 'name'])})"))
    rows.append(("Lowest score for new and emerging technologies",
                 "holds" if low == "emerging_technologies" else
                 f"does not hold (lowest: {own.loc[low, 'name']})"))
    cmp = fig3[fig3["status"] == "ok"].pivot(index="dimension", columns="geo", values="score")
    others = [c for c in cmp.columns if c != focus.name]
    below = int(sum((cmp[focus.name] < cmp[o]).sum() for o in others))
    total = int(cmp[others].notna().sum().sum())
    rows.append(("Generally below the national and EU levels",
                 f"{majority_verdict(below, total)} (below in {below} of {total} comparisons)"))
    rows.append(("Dimensions covered by our data",
                 f"{len(own)} of {fig3['dimension'].nunique()}; the others have no indicator"))
    return pd.DataFrame(rows, columns=["claim (briefing section 1.2)", "our data"])


def rule_table(effect: pd.DataFrame) -> pd.DataFrame:
    """Readable table of :func:`rule_effect`: rule, dimensions entering, score, rank."""
    return pd.DataFrame({
        "rule for a missing dimension": effect["label"],
        "dimensions entering": effect["entering"],
        "score (0-1)": [("" if v is None or pd.isna(v) else f"{v:.2f}") for v in effect["score"]],
        "rank among EU NUTS 2 regions": [("no rank (no composite)" if v is None or pd.isna(v)
                                          else f"{int(v)} of {n}")
                                         for v, n in zip(effect["rank"], effect["n_ranked"],
                                                         strict=True)],
    })


def typology_table(fig4: pd.DataFrame) -> pd.DataFrame:
    """The briefing's group of each unit beside our reconstruction and whether they agree."""
    def grp(v: Any) -> str:
        return "undecidable" if v is None or pd.isna(v) else f"group {int(v)}"

    return pd.DataFrame({
        "pilot unit": fig4["unit_name"],
        "briefing's group (§1.2)": [grp(v) for v in fig4["briefing_group"]],
        "our reconstruction": [grp(v) for v in fig4["reconstructed_group"]],
        "agrees": ["yes" if b == r else "no" for b, r in zip(fig4["briefing_group"],
                                                          fig4["reconstructed_group"], strict=True)],
    })


def choices_table(config: CompositeConfig | None = None) -> pd.DataFrame:
    """Indicators of each dimension with direction, transform and the reason for the choice."""
    config = config or load_config()
    rows = [{"dimension": d.name, "indicator": BY_ID[c.indicator].label
             if c.indicator in BY_ID else c.indicator,
             "direction": "higher is better" if c.direction == 1 else "lower is better",
             "transform": "square root" if c.transform == "sqrt" else "none", "reason": c.reason}
            for d in config.dimensions for c in d.indicators]
    rows += [{"dimension": d.name, "indicator": "no data", "direction": "", "transform": "",
              "reason": d.missing_reason} for d in config.dimensions if not d.indicators]
    return pd.DataFrame(rows)


def typology_rule_text() -> str:
    """The typology's thresholds in words, from ``data/eocic/typology_thresholds.csv``."""
    parts = []
    for group, row in typology_thresholds().iterrows():
        bounds = []
        for what, lo, hi in (("cluster stars", row["stars_min"], row["stars_max"]),
                             ("a composite", row["composite_min"], row["composite_max"])):
            if not pd.isna(lo):
                bounds.append(f"{what} of {lo:g} or more")
            if not pd.isna(hi):
                bounds.append(f"{what} below {hi:g}")
        parts.append(f"group {group}, {row['label']} ({' and '.join(bounds)})")
    return "; ".join(parts)


def typology_agreement(fig4: pd.DataFrame) -> tuple[int, int]:
    """How many units our reconstruction puts in the briefing's group, out of all units."""
    same = (fig4["reconstructed_group"] == fig4["briefing_group"]) & fig4["briefing_group"].notna()
    return int(same.sum()), len(fig4)


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def figure4_reading(fig4: pd.DataFrame) -> dict[str, str]:
    """The briefing's reading of its Figure 4 (section 1.2), restated from the values it states
    (``data/eocic``): who leads on cluster stars and on the composite, and who stands out
    within a group; with the unit our reconstruction puts first.

    Returns:
        ``fig4_stars_reading``, ``fig4_composite_reading`` and ``fig4_stand_out_reading``
        (empty when the briefing names no unit that stands out).
    """
    stars = load_eocic("cluster_stars").sort_values(["cluster_stars", "unit_name"],
                                                    ascending=[False, True])
    stated = load_eocic("composite_index").sort_values(["composite_total", "unit_name"],
                                                       ascending=[False, True])
    groups = load_eocic("typology")
    bands = typology_thresholds()
    out: dict[str, str] = {}
    lead = stars.iloc[0]
    first = sorted(groups[groups["group"] == 1]["unit_name"].tolist())
    stars_min, comp_max = bands.loc[1, "stars_min"], bands.loc[1, "composite_max"]
    out["fig4_stars_reading"] = (
        f"On cluster stars, {lead.unit_name} leads the pilot units with "
        f"{int(lead.cluster_stars)}. The briefing's first group, {len(first)} units with "
        f"{stars_min:.0f} stars or more and a composite below {comp_max:.1f}, is "
        f"{_names(first)}.")
    top = stated.iloc[0]
    alone = groups[groups["group"] == groups.loc[groups["unit_id"] == top.unit_id,
                                                   "group"].max()]["unit_name"].tolist()
    ours = fig4.dropna(subset=["composite_total"]).sort_values(
        ["composite_total", "unit_name"], ascending=[False, True])
    reading = (f"On the composite, {top.unit_name} heads the pilot units with "
               f"{top.composite_total:.3f} on the 0-1 scale"
               + (", alone in the briefing's top group" if alone == [top.unit_name] else ""))
    if not ours.empty:
        best = ours.iloc[0]
        reading += (f"; in our reconstruction, {best.unit_name} comes first, with "
                    f"{best.composite_total:.2f}")
    out["fig4_composite_reading"] = reading + "."
    standing = groups[groups["stands_out"] != ""]
    parts = []
    for group, members in standing.groupby("group", sort=True):
        for why, units in members.groupby("stands_out", sort=False):
            names = units["unit_name"].tolist()
            verb = "stands" if len(names) == 1 else "stand"
            parts.append(f"{_names(names)} {verb} out in group {group}: {why}")
    out["fig4_stand_out_reading"] = ("; ".join(parts) + ".") if parts else ""
    return out


def summary_values(snapshot: pd.DataFrame, focus: Region, config: CompositeConfig | None = None,
                   mc: dict[str, Any] | None = None) -> dict[str, Any]:
    """The numbers and words the composite chapter states, for the focus region.

    Scores and ranks are ``None`` (never rank 1) when the region has no composite.
    """
    config = config or load_config()
    result = compute(snapshot, config)
    pop = population(snapshot)
    units = pilot_units()
    unit_scores = unit_totals(result["total"], pop, units)
    eocic = load_eocic("composite_index").set_index("unit_id")["composite_total"].to_dict()
    fig4 = figure4_data(unit_scores, units, cluster_stars(), eocic)
    mc = mc if mc is not None else monte_carlo(snapshot, focus, config)
    total = result["total"]
    own = weighted(total, list(focus.nuts2016), pop)
    own_units = fig4[fig4["region"] == focus.id]
    effect = rule_effect(snapshot, focus, config).set_index("rule")
    names = {d.id: d.name.lower() for d in config.dimensions}
    focus_dims = weighted(result["dimensions"], list(focus.nuts2016), pop)
    with_data = [d.id for d in config.dimensions if d.indicators
                 and focus_dims is not None and not pd.isna(focus_dims.get(d.id))]
    left_out = [names[d] for d in result["covered"]
                if d not in set(compute(snapshot, config, "coverage")["entering"])]
    groups = briefing_typology()
    own_groups = sorted({int(groups[u]) for u in own_units["unit_id"] if u in groups})
    recon = [g for g in own_units["reconstructed_group"] if g is not None and not pd.isna(g)]
    agree, n = typology_agreement(fig4)
    se = [mc[k] for k in ("rank_all_p05_mc_se", "rank_all_p95_mc_se") if mc.get(k) is not None]
    star_values = [cluster_stars()[u] for u in own_units["unit_id"] if u in cluster_stars()]
    country = country_codes(total, focus.country)
    whole = not (set(country) - set(focus.nuts2016))
    return {
        "region_is_country": whole,
        "composite_total": own,
        "composite_total_country": None if whole else weighted(total, country, pop),
        "composite_total_eu": weighted(total, list(total.index), pop),
        "composite_rank_pilots": rank_among(own, unit_scores.drop(own_units["unit_id"])),
        "composite_rank_all": rank_among(own, total.drop([c for c in focus.nuts2016
                                                          if c in total.index])),
        "n_units": len(units), "n_all_regions": mc["n_all"],
        "n_all_regions_note": denominator_note(focus, mc["n_all"]),
        "composite_rank_p05": mc["rank_units_p05"], "composite_rank_p95": mc["rank_units_p95"],
        "composite_rank_all_p05": mc["rank_all_p05"], "composite_rank_all_p95": mc["rank_all_p95"],
        "composite_rank_all_mc_se": max(se) if se else None,
        "mc_replications": mc["replications"],
        "mc_pairs": "; ".join(mc["pairs"]),
        "missing_rule_central": RULE_LABELS[config.missing_rule],
        "missing_rule_other": RULE_LABELS[_other_rule(config.missing_rule)],
        "rank_other_rule": _int(effect.loc[_other_rule(config.missing_rule), "rank"]),
        "rank_reweight": _int(effect.loc["reweight", "rank"]),
        "rank_coverage": _int(effect.loc["coverage", "rank"]),
        "min_dimension_coverage_pct": config.min_dimension_coverage * 100,
        "dimensions_left_out_by_coverage": ", ".join(left_out) if left_out else "none",
        "dimensions_covered": len(result["covered"]),
        "dimensions_covered_names": ", ".join(names[d] for d in result["covered"]),
        "dimensions_with_data": len(with_data),
        "dimensions_with_data_names": ", ".join(names[d] for d in with_data) or "none",
        "dimensions_without_data_names": ", ".join(
            names[d] for d in result["covered"] if d not in with_data) or "none",
        # A region's stars are known only when the briefing states them for every unit.
        "cluster_stars": (sum(star_values) if star_values and len(star_values) == len(own_units)
                          else None),
        "cluster_stars_text": stars_text(own_units),
        "typology_placement_text": placement_text(focus, own_units, groups),
        "briefing_group": own_groups[0] if len(own_groups) == 1 else None,
        "briefing_group_text": (f"group {own_groups[0]}" if len(own_groups) == 1 else
                                "; ".join(f"{u.unit_name}, group {int(groups[u.unit_id])}"
                                          for u in own_units.itertuples() if u.unit_id in groups)
                                or "not stated"),
        "reconstructed_group_text": (f"group {int(recon[0])}" if len(own_units) == 1 and recon
                                     else "undecidable with the values available"),
        "typology_agree": agree, "typology_n": n,
        "typology_rule_text": typology_rule_text(),
        "fig4": fig4, "result": result, "effect": effect.reset_index(),
    }


#: The notebook of this chapter (its keys in notebooks/results.yaml).
NOTEBOOK = "industrial_change"


def chapter_values(values: dict[str, Any], fig3: pd.DataFrame, mc: dict[str, Any],
                   focus: Region) -> dict[str, Any]:
    """Every value the chapter glues (its keys in ``notebooks/results.yaml``), from
    :func:`summary_values`, Figure 3's data (each dimension's score for the region) and the
    Monte Carlo run (the share of the rank variance each choice explains)."""

    out: dict[str, Any] = {"region_name": focus.name}
    out.update({k: values[k] for k in (
        "composite_total", "composite_total_country", "composite_total_eu",
        "composite_rank_pilots", "composite_rank_all", "composite_rank_p05",
        "composite_rank_p95", "composite_rank_all_p05", "composite_rank_all_p95",
        "rank_reweight", "rank_coverage", "rank_other_rule", "composite_rank_all_mc_se",
        "min_dimension_coverage_pct", "mc_replications", "n_units", "n_all_regions",
        "dimensions_covered", "dimensions_covered_names", "dimensions_with_data",
        "dimensions_with_data_names", "dimensions_without_data_names", "missing_rule_central",
        "missing_rule_other", "dimensions_left_out_by_coverage", "mc_pairs",
        "briefing_group_text", "reconstructed_group_text", "typology_agree", "typology_n",
        "typology_rule_text", "n_all_regions_note", "cluster_stars_text",
        "typology_placement_text")})
    out["cluster_stars"] = values["cluster_stars"] if values["cluster_stars"] is not None else ""
    out.update(figure4_reading(values["fig4"]))
    out["composite_country_clause"] = (
        "the region is its whole country" if values["region_is_country"] else
        declared_text(NOTEBOOK, "composite_total_country", values["composite_total_country"])
        + " for its country")
    for row in fig3[fig3["geo"] == focus.name].itertuples():
        out[f"dimension_{row.dimension}"] = row.score if row.score == row.score else None
    shares = variance_by_source(mc).set_index("source")["share"]
    out["variance_share_rule"] = f"{shares.get('rule for missing dimensions', float('nan')):.0%}"
    out["variance_share_pair"] = (
        f"{shares.get('normalisation-aggregation pair', float('nan')):.0%}")
    return out


def denominator_note(focus: Region, n_all: int) -> str:
    """Why a region's EU ranking has fewer entries than the EU has NUTS 2 regions: its own
    units are ranked as one (empty for a region of one NUTS 2 unit)."""
    k = len(focus.nuts2016)
    if k <= 1:
        return ""
    return (f" ({n_all + k - 1} EU NUTS 2 regions have a composite; the {k} of "
            f"{focus.name} are ranked together as one, so the ranking has {n_all} entries)")


def stars_text(own_units: pd.DataFrame) -> str:
    """The cluster stars the briefing states for a region's units, unit by unit."""
    stars = cluster_stars()
    stated = [f"{u.unit_name} {stars[u.unit_id]}" for u in own_units.itertuples()
              if u.unit_id in stars]
    missing = [u.unit_name for u in own_units.itertuples() if u.unit_id not in stars]
    if len(own_units) == 1:
        return (f"{stars[own_units['unit_id'].iloc[0]]} (as stated in the briefing)" if stated
                else "not stated in the briefing (EOCIC's star counts are not public)")
    parts = []
    if stated:
        parts.append("; ".join(stated) + " (as stated in the briefing)")
    if missing:
        names = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
        parts.append(f"{names}: not stated in the briefing")
    return "; ".join(parts)


def placement_text(focus: Region, own_units: pd.DataFrame, groups: dict[str, Any]) -> str:
    """Where the briefing's typology places a region: its group, or each unit's group."""
    placed = [(u.unit_name, groups.get(u.unit_id)) for u in own_units.itertuples()]
    if len(placed) == 1:
        g = placed[0][1]
        return f"{focus.name} in group {int(g)}" if g is not None else f"{focus.name} in no group"
    each = "; ".join(f"{n} in group {int(g)}" if g is not None else f"{n} in no group"
                     for n, g in placed)
    return f"the units of {focus.name} as follows: {each}"


def _other_rule(rule: str) -> str:
    return "reweight" if rule == "coverage" else "coverage"


def variance_table(mc: dict[str, Any]) -> pd.DataFrame:
    """Readable :func:`variance_by_source` plus :func:`rank_modes`: the share of the rank
    variance each choice explains, then the rank interval under each rule on its own."""
    v = variance_by_source(mc)
    modes = rank_modes(mc)
    rows = [{"what": f"share of the rank variance: {r.source}", "value": f"{r.share:.0%}"}
            for r in v.itertuples()]
    for r in modes.itertuples():
        interval = ("no rank" if r.p05 is None else
                    f"{r.p05}-{r.p95} (median {r.median}) of {mc['n_all']}")
        rows.append({"what": f"rank, 5th-95th percentile, when {r.label} "
                             f"({r.replications} replications)", "value": interval})
    return pd.DataFrame(rows)


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)
