"""An open composite indicator of industrial change (briefing Figures 3 and 4): the model.

Method (OECD/JRC Handbook on Constructing Composite Indicators, 2008; RIS practice), as
``book/methods/50-composite.md`` explains it to readers: directions and square roots, outliers
winsorised, min-max normalisation over all EU NUTS 2 regions, arithmetic means within and
across dimensions, a stated rule for a dimension a region lacks (``missing_rule``), and a Monte
Carlo over the construction choices (:data:`VALID_PAIRS`, the rule, Dirichlet weights) giving
rank intervals with their Monte Carlo error. A dimension without indicators is "no data",
never 0.

This is a reconstruction from Eurostat indicators following EOCIC's seven dimensions; it is
not the EOCIC index. The chapter that shows it (figures, tables, prose) is
:mod:`eocic_helpers.analysis.composite_chapter`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from eocic_helpers.core import atomic, paths
from eocic_helpers.core.config import Strict, load_model
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.pipeline import EU_WIDE
from eocic_helpers.core.reads import cached_loader
from eocic_helpers.core.regions import EU28, Region, load_regions, nuts2_names
from eocic_helpers.data import recipes
from eocic_helpers.data.eocic_values import load_eocic
from eocic_helpers.data.lookup import population_weights

CONFIG_FILE = paths.DATA / "composite" / "industrial_change.yaml"
HONESTY = ("reconstruction from Eurostat indicators following EOCIC's seven dimensions; "
           "not the EOCIC index")


class IndicatorChoice(Strict):
    indicator: str
    direction: Literal[1, -1]
    transform: Literal["none", "sqrt"]
    reason: str


class Dimension(Strict):
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


class Uncertainty(Strict):
    replications: int = Field(ge=10)
    seed: int
    dirichlet_concentration: float = Field(gt=0)
    normalisations: list[Literal["minmax", "zscore"]]
    aggregations: list[Literal["arithmetic", "geometric"]]
    missing_rules: list[MissingRule] = Field(min_length=1)
    batches: int = Field(default=20, ge=2)


class CompositeConfig(Strict):
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
    dimension_of = [k for k, d in enumerate(config.dimensions) for _ in d.indicators]
    m = np.zeros((len(dimension_of), len(config.dimensions)))
    m[np.arange(len(dimension_of)), dimension_of] = 1
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
    return pd.Series({col: weighted(s[col], codes, pop) for col in s.columns})


def country_codes(scores: pd.Series, country: str) -> list[str]:
    return [g for g in scores.index if g.startswith(country)]


def pilot_units(regions: list[Region] | None = None) -> pd.DataFrame:
    """The 17 units of Figure 4: unit id, name, region id and NUTS 2016 codes."""
    return pd.DataFrame([{"unit_id": u.id, "unit_name": u.name, "region": r.id,
                          "codes": list(u.nuts2016)}
                         for r in regions or load_regions() for u in r.units])


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


def save_draws(draws: dict[str, Any], folder: Path) -> None:
    """Write :func:`mc_draws` as ``.npy`` files into ``folder`` (exact, and byte-reproducible:
    a ``.npy`` file holds a header and the raw array, nothing else)."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, name in DRAW_FILES.items():
        with atomic.atomic_path(folder / name) as tmp, open(tmp, "wb") as f:
            np.save(f, np.asarray(draws[key]), allow_pickle=False)


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

    def population_of(codes: list[str]) -> np.ndarray:
        """The population of each region among ``codes``, 0 for the others."""
        return np.array([pop.get(r, 0.0) if r in codes else 0.0 for r in regions])

    uw = np.array([population_of(u.codes) for u in units.itertuples()])  # units x regions
    fw = population_of(list(focus.nuts2016))

    # focus score per replication, ranks among all regions (excluding its own units) and units
    def wmean(t: np.ndarray, w: np.ndarray) -> np.ndarray:
        ok = ~np.isnan(t)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (np.where(ok, t, 0) @ w.T) / (ok @ w.T)

    focus_score = wmean(totals, fw[None])[:, 0]
    has = ~np.isnan(focus_score)

    def rank_in(scores: np.ndarray) -> np.ndarray:
        """The focus region's rank in each replication among ``scores`` (NaN: no rank)."""
        ranks = 1.0 + (np.nan_to_num(scores, nan=-np.inf) > focus_score[:, None]).sum(1)
        ranks[~has] = np.nan
        return ranks

    others = np.array([r not in focus.nuts2016 for r in regions])
    own = units["region"].to_numpy() == focus.id
    rank_all, rank_units = rank_in(totals[:, others]), rank_in(wmean(totals, uw)[:, ~own])
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
        alpha = standardised_alpha(sub)  # None for fewer than two indicators
        rows.append({"dimension": d.name, "indicators": len(idx), "regions with all": complete,
                     "alpha": alpha, "alpha, complete rows": cronbach_alpha(sub),
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
    labels = {i.id: i.label for i in recipes.indicators().values()}
    for d in config.dimensions:
        for c in d.indicators:
            col = years[c.indicator].dropna().astype(int)
            own = sorted({int(y) for u in focus.nuts2016 if u in col.index for y in [col[u]]})
            counts = col.value_counts().sort_index()
            rows.append({
                "dimension": d.name,
                "indicator": labels.get(c.indicator, c.indicator),
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
