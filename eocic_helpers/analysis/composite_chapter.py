"""The composite chapter (briefing section 1.2, Figures 3 and 4): its figures, tables, claims
and the values it states and glues, drawn from the model in
:mod:`eocic_helpers.analysis.composite` (a reconstruction, not the EOCIC index).
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D

from eocic_helpers.analysis.composite import (
    RULE_LABELS,
    CompositeConfig,
    compute,
    country_codes,
    load_config,
    pilot_units,
    population,
    rank_among,
    rank_modes,
    rule_effect,
    typology,
    typology_thresholds,
    unit_totals,
    variance_by_source,
    weighted,
)
from eocic_helpers.core.regions import Region
from eocic_helpers.data import recipes
from eocic_helpers.data.eocic_values import briefing_typology, cluster_stars, load_eocic
from eocic_helpers.outputs.legibility import (
    place_labels,
    title_over_labels,
    titles_over_labels,
    wrap_to_width,
)
from eocic_helpers.outputs.numbers import and_list, declared_text, declared_values
from eocic_helpers.outputs.style import COUNTRY, EU, FIGURE_WIDTH_IN, HIGHLIGHT, MUTED, OKABE_ITO, SMALL_PT

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
                 briefing_composite: dict[str, float]) -> pd.DataFrame:
    """One row per pilot unit: our composite, the stars (if the briefing states them), the
    briefing's published group (``briefing_group``, data/eocic/typology.csv) and our
    reconstruction of it from the thresholds (``reconstructed_group``)."""
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
    titles_over_labels([(ax, "Composite index and cluster stars, pilot units"),
                        (strip, "Pilot units without a star count in the briefing",
                         SMALL_PT + 0.5)])
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
    labels = {i.id: i.label for i in recipes.indicators().values()}
    rows = [{"dimension": d.name, "indicator": labels.get(c.indicator, c.indicator),
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
        f"{and_list(first)}.")
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
            parts.append(f"{and_list(names)} {verb} out in group {group}: {why}")
    unstated = sorted(set(standing["unit_name"]) - set(stars["unit_name"]))
    out["fig4_stand_out_reading"] = (
        "The briefing adds that " + "; ".join(parts) + "." + (
            f" It states no star count for {and_list(unstated)}, so our figure lists "
            f"{'it' if len(unstated) == 1 else 'them'} apart, without stars."
            if unstated else "")) if parts else ""
    return out


def summary_values(snapshot: pd.DataFrame, focus: Region, config: CompositeConfig | None = None,
                   *, mc: dict[str, Any]) -> dict[str, Any]:
    """The numbers and words the composite chapter states, for the focus region, with its
    Monte Carlo ranks (:func:`~eocic_helpers.analysis.composite.mc_ranks`).

    Scores and ranks are ``None`` (never rank 1) when the region has no composite.
    """
    config = config or load_config()
    result = compute(snapshot, config)
    pop = population(snapshot)
    units = pilot_units()
    unit_scores = unit_totals(result["total"], pop, units)
    eocic = load_eocic("composite_index").set_index("unit_id")["composite_total"].to_dict()
    fig4 = figure4_data(unit_scores, units, cluster_stars(), eocic)
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
    # how many units our reconstruction puts in the briefing's group
    agree = int(((fig4["reconstructed_group"] == fig4["briefing_group"])
                 & fig4["briefing_group"].notna()).sum())
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
        "typology_agree": agree, "typology_n": len(fig4),
        "typology_rule_text": typology_rule_text(),
        "fig4": fig4, "result": result, "effect": effect.reset_index(),
    }


def chapter_values(values: dict[str, Any], fig3: pd.DataFrame, mc: dict[str, Any],
                   focus: Region) -> dict[str, Any]:
    """Every value the chapter glues (its keys in ``notebooks/results.yaml``), from
    :func:`summary_values`, Figure 3's data (each dimension's score for the region) and the
    Monte Carlo run (the share of the rank variance each choice explains)."""

    out: dict[str, Any] = {"region_name": focus.name, **declared_values(values)}
    out["cluster_stars"] = values["cluster_stars"] if values["cluster_stars"] is not None else ""
    out.update(figure4_reading(values["fig4"]))
    out["composite_country_clause"] = (
        "the region is its whole country" if values["region_is_country"] else
        declared_text("composite_total_country", values["composite_total_country"])
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
        parts.append(f"{and_list(missing)}: not stated in the briefing")
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
