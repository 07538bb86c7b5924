"""Cost model of the two interventions (briefing section 4) and its sensitivity analysis.

Parameters live in ``data/interventions.yaml`` with a default, a range and a source. The model
is vectorised: every function takes scalars or numpy arrays of draws alike.

- Inter-clustering, per year: tutors x (1 - reallocated share)
  + meetings x participants x cost per participant-meeting x (1 - hosting reduction).
- Coaching, per cohort of ``n_smes``: (audit + follow-up for 50 SMEs) x n_smes / 50
  x (1 - savings offset) + coordination. The briefing gives this cost no period; counting one
  cohort a year (so that it adds to the yearly inter-clustering cost) is our assumption.
- Multi-year cost: present value of the yearly total over the horizon (payments at the start
  of each year).

Uncertainty comes in three separate cases (:data:`SCENARIOS`), each a Monte Carlo: the
briefing's stated ranges only (the central case: its gross direct cost, savings at 0), our
assumed ranges around its "about" figures added, and the savings it names but does not
quantify (a scenario, never the central case). ``book/methods/70-cost-uncertainty.md``
explains them to readers.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter, MaxNLocator
from scipy import stats

from eocic_helpers.analysis.cost_parameters import (  # noqa: F401  (validate_values re-exported)
    PAIRS,
    CostParameter,
    defaults,
    load_kpis,
    load_parameters,
    validate_values,
)
from eocic_helpers.core.regions import SEED_REGION
from eocic_helpers.outputs.legibility import title_over_labels, wrap_to_width
from eocic_helpers.outputs.numbers import axis_thousands, declared_values, format_number, in_sentence
from eocic_helpers.outputs.style import FIGURE_WIDTH_IN, MUTED, OKABE_ITO, SMALL_PT, TITLE_PT

BRIEFING_N_SMES = 50  # footnote 20 prices the coaching for 50 SMEs
SEED = 20190101


# -- the model ------------------------------------------------------------------------------

def inter_clustering_cost(v: dict[str, Any]) -> Any:
    """Yearly direct cost of the inter-clustering intervention (EUR)."""
    tutors = v["tutors_cost_eur_per_year"] * (1 - v["tutor_time_reallocated_share"])
    meetings = (v["meetings_per_year"] * v["participants_per_meeting"]
                * v["cost_per_participant_meeting_eur"] * (1 - v["hosted_meeting_cost_reduction_share"]))
    return tutors + meetings


def coaching_cost(v: dict[str, Any], audit_for_50: Any, follow_up_for_50: Any) -> Any:
    """Yearly cost of coaching one cohort of ``n_smes`` SMEs (EUR)."""
    per_sme = (audit_for_50 + follow_up_for_50) / BRIEFING_N_SMES
    return per_sme * v["n_smes"] * (1 - v["savings_offset_share"]) + v["coordination_cost_eur_per_year"]


def annuity_factor(rate: Any, years: int) -> Any:
    """Present value of 1 EUR paid at the start of each of ``years`` years."""
    t = np.arange(int(years))
    return (1.0 / np.power.outer(1.0 + np.asarray(rate, dtype=float), t)).sum(axis=-1)


def deterministic(v: dict[str, Any]) -> dict[str, float]:
    """The briefing's arithmetic: yearly costs at the parameter values, coaching as a range."""
    inter = float(inter_clustering_cost(v))
    low = float(coaching_cost(v, v["audit_cost_eur_low"], v["follow_up_cost_eur_low"]))
    high = float(coaching_cost(v, v["audit_cost_eur_high"], v["follow_up_cost_eur_high"]))
    mid = (low + high) / 2
    total = inter + mid
    return {
        "inter_clustering_cost_eur_per_year": inter,
        "coaching_cost_eur_low": low,
        "coaching_cost_eur_high": high,
        "coaching_cost_eur_mid": mid,
        "total_cost_eur_per_year": total,
        "total_cost_eur_multi_year": float(total * annuity_factor(v["discount_rate"],
                                                                  int(v["horizon_years"]))),
        "coordination_cost_eur_per_year": float(v["coordination_cost_eur_per_year"]),
    }


# -- the briefing's figures as it states them, then our totals --------------------------------

def stated_figures(v: dict[str, Any] | None = None) -> pd.DataFrame:
    """The briefing's cost figures and its claim that coaching adds no significant cost, as it
    states them, each with its period and place (it adds none of them up). Amounts are the
    model's defaults (``data/interventions.yaml``), so an edited default shows as it is used."""
    d = v or defaults()
    meetings = (d["meetings_per_year"] * d["participants_per_meeting"]
                * d["cost_per_participant_meeting_eur"])
    eur = format_number
    rows = [
        ("Inter-clustering", "salaries and employer contributions of the two tutors",
         f"about EUR {eur(d['tutors_cost_eur_per_year'])}", "a year",
         "briefing §4.1.2, footnote 14"),
        ("Inter-clustering", f"about {int(d['meetings_per_year'])} meetings a year of about "
         f"{int(d['participants_per_meeting'])} people",
         f"about EUR {eur(meetings)}", "a year", "briefing §4.1.2, footnote 15"),
        ("Coaching", f"audits and action plans for {int(d['n_smes'])} SMEs",
         f"EUR {eur(d['audit_cost_eur_low'])} to {eur(d['audit_cost_eur_high'])}",
         "none stated", "briefing §4.2.2, footnote 20"),
        ("Coaching", f"follow-up of the same {int(d['n_smes'])} SMEs",
         f"EUR {eur(d['follow_up_cost_eur_low'])} to {eur(d['follow_up_cost_eur_high'])}",
         "none stated", "briefing §4.2.2, footnote 20"),
        ("Coaching", "coordination", "to be added, not quantified", "none stated",
         "briefing §4.2.2, footnote 20"),
        ("Coaching", "the briefing's claim: in principle no significant additional cost, as "
         "the coaching clusters already offer is rationalised and the existing regional "
         "economic developers are drawn on; savings would probably offset the figures above "
         "only in part", "no amount", "", "briefing §4.2.2, footnote 21"),
    ]
    return pd.DataFrame(rows, columns=["intervention", "item", "as the briefing states it",
                                       "period", "where"])


#: Label of every yearly total of both interventions: the briefing gives coaching no period.
OUR_ANNUALISATION = "our assumption: one cohort of SMEs coached a year"


def our_totals(v: dict[str, Any]) -> pd.DataFrame:
    """Totals the briefing never makes, each labelled as ours with its assumptions: the gross
    yearly total (coaching annualised at its range's midpoint) and, beside it, the net
    additional cost if coaching adds no significant cost, as the briefing claims."""
    r = deterministic(v)
    return pd.DataFrame([
        ("Gross yearly total, our assumption",
         format_number(r["total_cost_eur_per_year"]),
         f"{OUR_ANNUALISATION}, at the midpoint of the coaching range; inter-clustering as "
         "stated; no coordination cost (none is quantified)"),
        ("Net additional yearly cost, our assumption",
         format_number(r["inter_clustering_cost_eur_per_year"]),
         "the briefing's claim holds: coaching adds no significant cost, so only "
         "inter-clustering is additional (our reading of footnote 21)"),
    ], columns=["total", "EUR a year", "assumptions"])


# -- uncertainty ----------------------------------------------------------------------------

#: The uncertainty cases, in order, with their labels: each draws the factors of its own kind
#: and those of the cases before it.
SCENARIOS = {
    "stated": "gross direct cost, the briefing's stated ranges only (central case)",
    "assumed": "gross direct cost, with our assumed ranges around the briefing's 'about' figures",
    "savings": "scenario: net of savings the briefing names but does not quantify "
               "(our assumed distributions)",
}


def factors(v: dict[str, Any], scenario: str = "assumed") -> list[dict[str, Any]]:
    """The uncertain inputs of a scenario (see :data:`SCENARIOS`).

    ``stated``: the audit and follow-up costs drawn between the briefing's low and high
    estimates (footnote 20). ``assumed`` adds every parameter whose range is our assumption;
    ``savings`` adds the savings shares. Each factor carries its ``kind``.
    """
    kinds = list(SCENARIOS)[:list(SCENARIOS).index(scenario) + 1]
    params = load_parameters()
    out = []
    for name, p in params.items():
        if p.uncertainty not in kinds or p.low == p.high:
            continue
        mode = min(max(float(v[name]), p.low), p.high)
        out.append({"name": name, "label": p.label, "low": p.low, "high": p.high,
                    "mode": mode, "distribution": p.distribution, "kind": p.uncertainty})
    for stem, label in (("audit_cost_eur", "Audits and action plans (for 50 SMEs)"),
                        ("follow_up_cost_eur", "Follow-up (for 50 SMEs)")):
        lo, hi = float(v[f"{stem}_low"]), float(v[f"{stem}_high"])
        if hi > lo:
            out.append({"name": stem, "label": label, "low": lo, "high": hi,
                        "mode": (lo + hi) / 2, "distribution": "uniform", "kind": "stated"})
    return out


def distribution(f: dict[str, Any]) -> Any:
    """The scipy.stats frozen distribution of a factor."""
    width = f["high"] - f["low"]
    if f["distribution"] == "triangular":
        return stats.triang(c=(f["mode"] - f["low"]) / width, loc=f["low"], scale=width)
    return stats.uniform(loc=f["low"], scale=width)


def _evaluate(v: dict[str, Any], names: list[str], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Yearly and multi-year total cost for draws ``x`` (shape d x n) of the factors ``names``."""
    draws = dict(v)
    for name, row in zip(names, x, strict=True):
        draws[name] = row
    audit = draws.get("audit_cost_eur", (v["audit_cost_eur_low"] + v["audit_cost_eur_high"]) / 2)
    follow = draws.get("follow_up_cost_eur",
                       (v["follow_up_cost_eur_low"] + v["follow_up_cost_eur_high"]) / 2)
    yearly = inter_clustering_cost(draws) + coaching_cost(draws, audit, follow)
    yearly = np.array(np.broadcast_to(np.asarray(yearly, dtype=float), x.shape[1:]))
    multi = yearly * annuity_factor(draws["discount_rate"], int(v["horizon_years"]))
    return yearly, np.array(np.broadcast_to(multi, x.shape[1:]))


def _draws(v: dict[str, Any], n: int, seed: int, scenario: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    fs = factors(v, scenario)
    x = np.vstack([distribution(f).rvs(size=n, random_state=rng) for f in fs]) if fs else \
        np.zeros((0, n))
    return _evaluate(v, [f["name"] for f in fs], x)


#: Each uncertainty case's yearly and multi-year totals over its draws (see :func:`simulate`).
Simulation = dict[str, tuple[np.ndarray, np.ndarray]]


def simulate(v: dict[str, Any], n: int = 100_000, seed: int = SEED) -> Simulation:
    """Every uncertainty case's Monte Carlo (:data:`SCENARIOS`): its factors drawn ``n`` times
    (seeded), and the yearly and multi-year totals they give."""
    return {scenario: _draws(v, n, seed, scenario) for scenario in SCENARIOS}


def monte_carlo(sim: Simulation, scenario: str = "stated") -> pd.DataFrame:
    """A case's Monte Carlo of :func:`simulate` summarised; the default is the central case
    (the briefing's stated ranges only).

    Returns:
        Rows ``yearly`` and ``multi_year`` with ``mean, p05, p50, p95, draws, scenario``.
    """
    yearly, multi = sim[scenario]
    return pd.DataFrame([{"quantity": label, **_summary(arr), "draws": len(arr),
                          "scenario": scenario}
                         for label, arr in (("yearly", yearly), ("multi_year", multi))]
                        ).set_index("quantity")


def _summary(draws: np.ndarray) -> dict[str, float]:
    """The mean and the 5th, 50th and 95th percentiles of draws."""
    p05, p50, p95 = np.percentile(draws, [5, 50, 95])
    return {"mean": float(draws.mean()), "p05": float(p05), "p50": float(p50), "p95": float(p95)}


def scenario_table(v: dict[str, Any], sim: Simulation) -> pd.DataFrame:
    """One row per case of :func:`simulate`: what it draws, the yearly cost's mean and 5-95 %
    interval, and where the gross total of :func:`deterministic` (the briefing's figures)
    falls in its distribution (percentile)."""
    gross = deterministic(v)["total_cost_eur_per_year"]
    rows = []
    for scenario, (yearly, _) in sim.items():
        rows.append({"scenario": scenario, "label": SCENARIOS[scenario],
                     "factors": ", ".join(f["label"] for f in factors(v, scenario)),
                     **_summary(yearly),
                     "gross_total_percentile": float((yearly <= gross).mean() * 100)})
    return pd.DataFrame(rows)


def tornado(v: dict[str, Any], scenario: str = "assumed") -> pd.DataFrame:
    """One-way sensitivity of the gross cost (default): each factor of the scenario at its low
    and high bound, the others at their values.

    Returns:
        One row per factor, largest swing first: ``parameter, label, low, high,
        total_at_low, total_at_high, swing`` (yearly total cost, EUR).
    """
    fs = factors(v, scenario)
    names = [f["name"] for f in fs]
    centre = np.array([[f["mode"]] for f in fs])
    rows = []
    for i, f in enumerate(fs):
        lo, hi = centre.copy(), centre.copy()
        lo[i, 0], hi[i, 0] = f["low"], f["high"]
        y_lo, y_hi = (float(_evaluate(v, names, x)[0][0]) for x in (lo, hi))
        rows.append({"parameter": f["name"], "label": f["label"], "low": f["low"],
                     "high": f["high"], "total_at_low": y_lo, "total_at_high": y_hi,
                     "swing": abs(y_hi - y_lo)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)


def sobol(v: dict[str, Any], n: int = 2**13, seed: int = SEED,
          scenario: str = "assumed") -> pd.DataFrame:
    """First-order and total Sobol' indices of the yearly total cost (scipy.stats.sobol_indices)
    over a scenario's factors (default: the gross cost with our assumed ranges).

    Returns:
        One row per factor, largest total index first.
    """
    fs = factors(v, scenario)
    names = [f["name"] for f in fs]

    def func(x: np.ndarray) -> np.ndarray:
        return _evaluate(v, names, x)[0][np.newaxis, :]

    res = stats.sobol_indices(func=func, n=n, dists=[distribution(f) for f in fs],
                              rng=np.random.default_rng(seed))
    return pd.DataFrame({
        "parameter": names, "label": [f["label"] for f in fs],
        "first_order": np.asarray(res.first_order).ravel(),
        "total_order": np.asarray(res.total_order).ravel(),
    }).sort_values("total_order", ascending=False).reset_index(drop=True)


def sobol_table(sob: pd.DataFrame) -> pd.DataFrame:
    """:func:`sobol`'s indices for readers, two decimals, largest total index first."""
    return pd.DataFrame({"factor": sob["label"],
                         "first-order index": [f"{x:.2f}" for x in sob["first_order"]],
                         "total index": [f"{x:.2f}" for x in sob["total_order"]]})


#: Two total Sobol' indices closer than this are a tie: the seeded estimate (2^13 base draws)
#: does not order them reliably.
SOBOL_TIE = 0.03


def sensitivity_sentence(sob: pd.DataFrame, tor: pd.DataFrame | None = None) -> str:
    """Which factor matters most, in words that agree with the numbers: a near tie between
    the two largest total Sobol' indices is said as a tie, and the tornado chart's order (one
    factor moved at a time) is named when it differs (plain text, no final full stop)."""
    a, b = sob.iloc[0], sob.iloc[1] if len(sob) > 1 else None
    if b is not None and a["total_order"] - b["total_order"] < SOBOL_TIE:
        text = (f"the {in_sentence(a['label'])} and the {in_sentence(b['label'])} matter "
                f"about equally (total Sobol' indices {a['total_order']:.2f} and "
                f"{b['total_order']:.2f}, a near tie)")
    else:
        text = (f"the {in_sentence(a['label'])} matters most (total Sobol' index "
                f"{a['total_order']:.2f})")
    if tor is not None and len(tor):
        widest = tor.iloc[0]["label"]
        if widest == a["label"]:
            text += "; it is also the widest bar of the tornado chart"
        else:
            text += (f"; moved one at a time, as in the tornado chart, the "
                     f"{in_sentence(widest)} moves the cost furthest")
    return text


def scale(v: dict[str, Any]) -> pd.DataFrame:
    """Total yearly cost and cost per coached SME for 10 to 200 SMEs (other values fixed)."""
    n = np.arange(10, 201, 10)
    draws = {**v, "n_smes": n}
    inter = inter_clustering_cost(draws)
    coaching = {b: coaching_cost(draws, v[f"audit_cost_eur_{b}"], v[f"follow_up_cost_eur_{b}"])
                for b in ("low", "high")}
    columns: dict[str, Any] = {"n_smes": n}
    for per_sme in ("", "_per_sme"):
        for what, add in (("coaching", 0), ("total", inter)):
            for b, cost in coaching.items():
                columns[f"{what}_cost{per_sme}_eur_{b}"] = (add + cost) / n if per_sme else add + cost
    return pd.DataFrame(columns)


def break_even_value_per_sme(v: dict[str, Any], include_inter_clustering: bool = True) -> float:
    """Additional value per coached SME and year at which the costs covered pay back.

    ``include_inter_clustering``: the costs covered are both interventions (True) or the
    coaching alone (False, at the midpoint of its range). The costs recur each year of the
    horizon (one cohort of ``n_smes`` a year, our assumption); each year's cohort yields the
    value for that year. Discounted at ``discount_rate``, benefits equal costs when value =
    yearly cost / n_smes: discounting cancels out because costs and benefits share the same
    timing; it matters once they do not.
    """
    d = deterministic(v)
    cost = d["total_cost_eur_per_year"] if include_inter_clustering else d["coaching_cost_eur_mid"]
    years, rate = int(v["horizon_years"]), v["discount_rate"]
    pv_cost = cost * annuity_factor(rate, years)
    pv_per_eur_per_sme = v["n_smes"] * annuity_factor(rate, years)
    return float(pv_cost / pv_per_eur_per_sme)


def parameter_table(v: dict[str, Any]) -> pd.DataFrame:
    """Every parameter with its value in this run, its range, distribution and source."""
    rows = []
    for name, p in load_parameters().items():
        rows.append({"parameter": p.label, "value": format_number(float(v[name]), ",.10g"),
                     "unit": p.unit,
                     "range": "fixed" if p.low == p.high else f"{p.low:g} to {p.high:g}",
                     "distribution": p.distribution,
                     "drawn in": _drawn_in(name, p),
                     "source": p.source, "range source": p.range_source})
    return pd.DataFrame(rows)


def scenario_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`scenario_table` for readers: amounts in whole euros with spaced thousands."""
    return pd.DataFrame({
        "case": table["label"],
        "drawn": table["factors"],
        "mean (EUR a year)": [format_number(x) for x in table["mean"]],
        "5-95% interval (EUR a year)": [f"{format_number(a)} to {format_number(b)}"
                                        for a, b in zip(table["p05"], table["p95"], strict=True)],
        "percentile of our gross yearly total (our assumption)": [
            f"{x:.0f}" for x in table["gross_total_percentile"]],
    })


def _drawn_in(name: str, p: CostParameter) -> str:
    if any(name in pair for pair in PAIRS):
        return "bounds the central case's draw (a range the briefing states)"
    return {"fixed": "not drawn", "assumed": "assumed-ranges case and savings scenario",
            "savings": "savings scenario only"}[p.uncertainty]


def inputs_note(region_id: str, values: dict[str, Any]) -> str:
    """Whose inputs this run's costs use, in words (for the chapter's text)."""
    briefing = values == defaults()
    if region_id == SEED_REGION:
        return ("the briefing's own figures for this region" if briefing else
                "figures changed from the briefing's (region overrides or run parameters)")
    return ("the Centre-Val de Loire briefing's figures, used as a template: no cost estimate "
            "exists for this region" if briefing else
            "the Centre-Val de Loire briefing's figures as a template, with this region's "
            "overrides or run parameters")


def coordination_note(values: dict[str, Any]) -> str:
    """The coordination cost in words: not estimated by the briefing, or its value here."""
    if values["coordination_cost_eur_per_year"] == 0:
        return "not estimated by the briefing and left at 0"
    return f"set to EUR {format_number(values['coordination_cost_eur_per_year'])} a year"


def chapter_values(region: Any, values: dict[str, Any], result: dict[str, float],
                   mc: pd.DataFrame, scenarios: pd.DataFrame, sob: pd.DataFrame,
                   sob_savings: pd.DataFrame, tor: pd.DataFrame) -> dict[str, Any]:
    """Every value the costs chapter glues for a region that shows costs (its keys in
    ``notebooks/results.yaml``, ``has_costs`` aside), from the run's parameter ``values``
    and the model's results: :func:`deterministic`, :func:`monte_carlo`,
    :func:`scenario_table`, :func:`sobol` (central and savings) and :func:`tornado`."""
    sc = scenarios.set_index("scenario")
    out: dict[str, Any] = {"region_name": region.name,
                           "inputs_note": inputs_note(region.id, values),
                           **declared_values(result)}
    for col in ("mean", "p05", "p95"):
        out[f"total_cost_eur_{col}"] = mc.loc["yearly", col]
        out[f"total_cost_eur_multi_year_{col}"] = mc.loc["multi_year", col]
    out["break_even_value_per_sme_eur"] = break_even_value_per_sme(values)
    out["break_even_coaching_only_eur"] = break_even_value_per_sme(
        values, include_inter_clustering=False)
    for name in ("assumed", "savings"):
        for col in ("mean", "p05", "p95"):
            out[f"total_cost_eur_{name}_{col}"] = sc.loc[name, col]
    out.update({
        "gross_total_percentile_central": sc.loc["stated", "gross_total_percentile"],
        "gross_total_percentile_savings": sc.loc["savings", "gross_total_percentile"],
        "top_sensitivity_parameter": sob.loc[0, "parameter"],
        "sensitivity_text": sensitivity_sentence(sob, tor),
        "sensitivity_savings_text": sensitivity_sentence(sob_savings),
        "top_sensitivity_total_index": sob.loc[0, "total_order"],
        "n_smes": int(values["n_smes"]),
        "horizon_years": int(values["horizon_years"]),
        "discount_rate_pct": values["discount_rate"] * 100,
        "mc_draws_text": format_number(int(mc.loc["yearly", "draws"])),
        "coordination_note": coordination_note(values),
    })
    return out


def kpi_table() -> pd.DataFrame:
    """The monitoring indicators the briefing names for the interventions."""
    return pd.DataFrame([k.model_dump() for k in load_kpis()])


# -- figures --------------------------------------------------------------------------------

#: Factors whose total Sobol' index is below this share of the variance get no bar: at the
#: printed width their bars would be empty rows. The caption names them.
SOBOL_MIN_SHARE = 0.01


def _drawn(data: pd.DataFrame, chart: str) -> pd.Series:
    """Which rows of a tornado or Sobol' frame get a bar."""
    if chart == "tornado":
        return data["swing"] > 0
    return data["total_order"] >= SOBOL_MIN_SHARE


def omitted_factors_note(data: pd.DataFrame, chart: str) -> str:
    """A sentence for the caption naming the factors the chart leaves out, or ''."""
    left_out = list(data.loc[~_drawn(data, chart), "label"])
    if not left_out:
        return ""
    reason = ("no effect on the yearly cost" if chart == "tornado" else
              f"each below {SOBOL_MIN_SHARE:.0%} of the variance")
    return f"Not drawn ({reason}): {'; '.join(left_out)}; their values are in the data."


def _factor_labels(labels: pd.Series, fig) -> list[str]:  # noqa: ANN001 - matplotlib Figure
    return [wrap_to_width(label, 2.2, SMALL_PT, fig) for label in labels]


def tornado_figure(data: pd.DataFrame, base: float):
    """Horizontal bars of the yearly total at each factor's low and high bound; factors that
    do not move the yearly cost are left out (see :func:`omitted_factors_note`)."""
    data = data[_drawn(data, "tornado")].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, 0.42 * len(data) + 1.5), layout="constrained")
    for y, row in enumerate(data.itertuples()):
        bounds = ((row.total_at_low, OKABE_ITO["sky_blue"], "factor at its low bound"),
                  (row.total_at_high, OKABE_ITO["vermillion"], "factor at its high bound"))
        for value, colour, label in bounds:
            ax.barh(y, value - base, left=base, height=0.6, color=colour, edgecolor="black",
                    linewidth=0.5, label=label if y == 0 else None)
    ax.axvline(base, color="black", linewidth=1)
    ax.set_yticks(range(len(data)))
    ax.set_yticklabels(_factor_labels(data["label"], fig))
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlabel(f"Total yearly cost (EUR); line: {format_number(base)} in this run")
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.xaxis.set_major_formatter(FuncFormatter(axis_thousands))
    fig.legend(loc="outside lower center", ncol=2, frameon=False)
    title_over_labels(ax, "One-way sensitivity of the yearly cost")
    return fig


def monte_carlo_figure(draws: np.ndarray, summary: pd.DataFrame):
    """Histogram of the yearly total over the draws (seaborn), with the mean and the 5-95%
    interval."""
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, 3.4), layout="constrained")
    row = summary.loc["yearly"]
    ax.axvspan(row["p05"], row["p95"], color=OKABE_ITO["sky_blue"], alpha=0.25,
               label="5-95% interval", zorder=0)
    sns.histplot(x=np.asarray(draws), bins=60, color=MUTED, edgecolor="white", linewidth=0.3,
                 stat="count", ax=ax, zorder=1)
    ax.axvline(row["mean"], color=OKABE_ITO["vermillion"], linewidth=2,
               label=f"mean: {format_number(row['mean'])}")
    ax.set_xlabel("Total yearly cost (EUR)")
    ax.set_ylabel("Draws")
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_formatter(FuncFormatter(axis_thousands))
    ax.yaxis.set_major_formatter(FuncFormatter(axis_thousands))
    fig.legend(loc="outside lower center", ncol=2, frameon=False)
    ax.set_title(f"Monte Carlo: {format_number(int(row['draws']))} draws", loc="left")
    return fig


def sobol_figure(data: pd.DataFrame):
    """First-order and total Sobol' indices as grouped bars (seaborn); factors below
    :data:`SOBOL_MIN_SHARE` are left out (see :func:`omitted_factors_note`)."""
    data = data[_drawn(data, "sobol")].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, 0.55 * len(data) + 1.4), layout="constrained")
    long = data.melt(id_vars=["label"], value_vars=["first_order", "total_order"],
                     var_name="index", value_name="share")
    long["index"] = long["index"].map({"first_order": "first order", "total_order": "total"})
    long["share"] = long["share"].clip(lower=0)
    long["label"] = long["label"].map(dict(zip(data["label"], _factor_labels(data["label"], fig),
                                               strict=True)))
    sns.barplot(data=long, x="share", y="label", hue="index", orient="h",
                palette={"first order": OKABE_ITO["blue"], "total": OKABE_ITO["orange"]},
                edgecolor="black", linewidth=0.5, saturation=1, ax=ax)
    ax.set_xlim(0, max(1e-9, float(long["share"].max())) * 1.08)
    ax.set_xlabel("Sobol' index (share of the variance of the yearly cost)")
    ax.set_ylabel("")
    ax.legend_.remove()
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=2,
               frameon=False)
    title_over_labels(ax, "Global sensitivity (Sobol' indices)")
    return fig


def scale_figure(data: pd.DataFrame, n_default: int):
    """Total yearly cost and cost per coached SME against the number of SMEs."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(FIGURE_WIDTH_IN, 3.3), layout="constrained")
    for ax, stem, title in ((a1, "total_cost_eur", "Total yearly cost (EUR)"),
                            (a2, "total_cost_per_sme_eur", "Total yearly cost per coached SME (EUR)")):
        ax.fill_between(data["n_smes"], data[f"{stem}_low"], data[f"{stem}_high"],
                        color=OKABE_ITO["sky_blue"], alpha=0.4, label="low-high estimate")
        ax.plot(data["n_smes"], (data[f"{stem}_low"] + data[f"{stem}_high"]) / 2,
                color=OKABE_ITO["blue"], label="midpoint")
        ax.axvline(n_default, color="black", linestyle="--", linewidth=1,
                   label=f"{n_default} SMEs (this run)")
        ax.set_xlabel("SMEs coached a year")
        ax.set_title(wrap_to_width(title, 2.6, TITLE_PT, fig, "bold"), loc="left")
        ax.yaxis.set_major_formatter(FuncFormatter(axis_thousands))
    fig.legend(*a1.get_legend_handles_labels(), loc="outside lower center", ncol=3,
               frameon=False)
    return fig
