"""Section 1.2 of the briefing: Figure 1 (economic data, ten pilots) and Figure 2 (technology).

Panels come from ``data/key_indicators.yaml``. Data functions return tidy frames (saved as the
figures' CSV); figure functions take those frames and return matplotlib figures.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator
from pydantic import Field

from eocic_helpers.analysis.claims import CLAIM_ID, TECH_CLAIMS
from eocic_helpers.core import paths
from eocic_helpers.core.config import Strict, load_model
from eocic_helpers.core.reads import cached_loader
from eocic_helpers.core.regions import Region, load_regions
from eocic_helpers.core.results import Unavailable
from eocic_helpers.data import recipes
from eocic_helpers.data.lookup import country_value, lookup, pilot_table, rank_desc, region_value
from eocic_helpers.data.reference import Comparison
from eocic_helpers.outputs.legibility import titles_over_labels, wrap_to_width
from eocic_helpers.outputs.numbers import (
    axis_thousands,
    declared_text,
    declared_values,
    format_number,
)
from eocic_helpers.outputs.style import (
    COUNTRY,
    EU,
    FIGURE_WIDTH_IN,
    HIGHLIGHT,
    MUTED,
    SMALL_PT,
    category_bars,
)

CONFIG_FILE = paths.DATA / "key_indicators.yaml"


class Panel(Strict):
    indicator: str
    title: str
    year: int
    dataset: str
    reason: str
    comparator_years: int = Field(default=0, ge=0, le=3)
    #: The key of the region's value in ``results.json``, when it is not the indicator's name.
    key: str = ""


class FigureSpec(Strict):
    title: str
    briefing_ref: str
    panels: list[Panel] = Field(min_length=1)


class SinceIndicator(Strict):
    """One indicator of what changed since the briefing (:mod:`eocic_helpers.analysis.since`)."""

    key: str
    label: str
    in_sentence: str
    #: The pilots' (and their countries') series.
    indicator: str
    #: The EU's series; None: our data hold no EU value.
    eu_indicator: str | None = None
    eu_geo: str = "EU28"
    eu_name: str = "EU28"
    source: str
    eu_source: str = ""
    note: str


class KeyIndicators(Strict):
    schema_version: int
    briefing_year: int
    figure1: FigureSpec
    figure2: FigureSpec
    #: The cross-region comparison's columns: key of results.json -> label with its unit.
    comparison: dict[str, str] = Field(min_length=1)
    since: list[SinceIndicator] = Field(min_length=1)


@cached_loader
def load_config(path: Path | None = None) -> KeyIndicators:
    """The panel configuration of Figures 1 and 2."""
    return load_model(KeyIndicators, Path(path or CONFIG_FILE))


def is_whole_country(region: Region) -> bool:
    """Whether the region's NUTS 2 units are all of its country's (Lithuania, Slovenia): then
    the country's figure is the region's own, and no separate national comparison exists."""
    geo = pd.read_csv(paths.SNAPSHOT / "geo.csv", dtype=str, keep_default_na=False)
    codes = geo.loc[(geo["level"] == "2") & (geo["nuts_version"] == "2016"), "geo"]
    country = {c for c in codes if re.fullmatch(region.country + r"[0-9A-Z]{2}", c)}
    return bool(country) and country <= set(region.nuts2016)


WHOLE_COUNTRY_NOTE = "the region is the whole country: the national figure is its own"


def figure1_data(snapshot: pd.DataFrame, regions: list[Region], focus: Region,
                 config: KeyIndicators | None = None) -> pd.DataFrame:
    """Tidy data of Figure 1: one row per panel and pilot region, plus EU and country rows.

    Columns: ``panel, indicator, kind (pilot|eu|country), region, name, value, year,
    highlight, status (ok|missing), note``.
    """
    config = config or load_config()
    whole = is_whole_country(focus)
    rows: list[dict[str, Any]] = []
    for k, panel in enumerate(config.figure1.panels):
        base = {"panel": k + 1, "indicator": panel.indicator}
        years = snapshot.loc[snapshot["indicator"] == panel.indicator, "year"]
        if years.empty:
            rows.append({**base, "kind": "pilot", "region": "", "name": "", "value": None,
                         "year": None, "highlight": False, "status": "missing",
                         "note": f"not in our data (Eurostat {panel.dataset})"})
            continue
        year = int(years[years <= panel.year].max()) if (years <= panel.year).any() else None
        table = pilot_table(snapshot, panel.indicator, regions, year)
        base["series_end"] = int(years.max())
        for r in table.itertuples():
            rows.append({**base, "kind": "pilot", "region": r.region, "name": r.name,
                         "value": r.value, "year": r.year, "highlight": r.region == focus.id,
                         "status": "missing" if r.value is None or pd.isna(r.value) else "ok",
                         "note": r.note})
        eu = lookup(snapshot, panel.indicator, "EU28", year)
        if eu.missing and panel.indicator.endswith("_lq"):
            eu = type(eu)(1.0, year, "EU28", "EU28 = 1 by definition")
        country = (country_value(snapshot, panel.indicator, focus.country, year)
                   if year and not whole else None)
        for kind, v, name in (("eu", eu, "EU28"), ("country", country, focus.country_name)):
            missing = v is None or v.missing
            note = WHOLE_COUNTRY_NOTE if kind == "country" and whole else (
                "" if v is None else v.note)
            if kind == "eu" and missing:
                note = f"no EU value in our data (Eurostat {panel.dataset} as snapshotted)"
            rows.append({**base, "kind": kind, "region": kind, "name": name,
                         "value": None if missing else v.value, "year": year, "highlight": False,
                         "status": "missing" if missing else "ok", "note": note})
    return pd.DataFrame(rows)


def figure2_data(snapshot: pd.DataFrame, focus: Region,
                 config: KeyIndicators | None = None) -> pd.DataFrame:
    """Tidy data of Figure 2: the region, its country and the EU28 for each indicator.

    The year is the latest in which the region has data (up to the briefing's year); country
    and EU use the same year, so bars compare like with like. A region that is its whole
    country (:func:`is_whole_country`) has no separate country bar.
    """
    config = config or load_config()
    rows: list[dict[str, Any]] = []
    whole = is_whole_country(focus)
    for k, panel in enumerate(config.figure2.panels):
        v = edition_value(snapshot, panel.indicator, focus, panel.year)
        year = v.year
        values = [("region", focus.name, v if year else None)]
        if not whole:
            values.append(("country", focus.country_name, _near(
                lambda y, i=panel.indicator: country_value(snapshot, i, focus.country, y), year,
                panel.comparator_years)))
        values.append(("eu", "EU28", _near(
            lambda y, i=panel.indicator: lookup(snapshot, i, "EU28", y), year,
            panel.comparator_years)))
        for kind, name, val in values:
            missing = val is None or val.missing
            note = ("" if val is None else val.note) or (
                f"missing in Eurostat {panel.dataset} as snapshotted" if missing else "")
            bar_year = val.year if not missing and val.year is not None else year
            if bar_year != year:
                note = "; ".join(x for x in (note, f"no {year} value: {bar_year} shown") if x)
            rows.append({"panel": k + 1, "indicator": panel.indicator, "kind": kind,
                         "name": name, "value": None if missing else val.value,
                         "year": bar_year, "status": "missing" if missing else "ok",
                         "note": note})
    return pd.DataFrame(rows)


def _near(get, year: int | None, within: int):
    """``get(year)``; when it is missing and ``within`` > 0, the nearest year within that many
    years that has a value (the earlier of two equally near years); None without a year."""
    if year is None:
        return None
    v = get(year)
    for d in range(1, within + 1):
        if not v.missing:
            break
        for y in (year - d, year + d):
            w = get(y)
            if not w.missing:
                return w
    return v


def edition_value(snapshot: pd.DataFrame, indicator: str, focus: Region,
                  max_year: int | None = None):
    """THE value of an indicator for a region in an edition: the latest year up to the
    briefing's year (2017), or ``max_year``, with data. Every chapter that states the indicator
    uses this, so one edition shows one value, with its year, per indicator."""
    max_year = max_year if max_year is not None else load_config().briefing_year
    years = sorted(set(snapshot.loc[snapshot["indicator"] == indicator, "year"]), reverse=True)
    for year in (y for y in years if y <= max_year):
        v = region_value(snapshot, indicator, focus, year)
        if not v.missing:
            return v
    return region_value(snapshot, indicator, focus, max_year)


def _fmt(value: float, indicator: str) -> str:
    unit = recipes.indicators()[indicator].unit
    if unit == "EUR_HAB":
        return format_number(value)
    if unit == "RATIO":
        return f"{value:.2f}"
    return f"{value:.1f}"


def _fmt2(value: float) -> str:
    """Figure 2's bar labels: two decimals below 10 (shares of employment, % of GDP), one
    above (shares of R&D expenditure)."""
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def figure1(data: pd.DataFrame, config: KeyIndicators | None = None):
    """Draw Figure 1: a 2x2 grid of ranked bars, the focus region highlighted, EU and
    country reference lines; an absent indicator says so inside its panel.

    Values are printed in a column at the right of each panel, so no reference line crosses
    them; the reference values are in each panel's legend below it.
    """
    config = config or load_config()
    fig, axes = plt.subplots(2, 2, figsize=(FIGURE_WIDTH_IN, 7.6), layout="constrained")
    titles = []
    for k, (ax, panel) in enumerate(zip(axes.flat, config.figure1.panels, strict=True)):
        d = data[data["panel"] == k + 1]
        pilots = d[(d["kind"] == "pilot") & (d["status"] == "ok")].sort_values(
            "value", ascending=False)
        year = int(pilots["year"].max()) if len(pilots) else None
        title = panel.title + (f",\u00a0{year}" if year and year != panel.year else "")
        if year and year != panel.year and year == int(pilots["series_end"].max()):
            title += " (the series ends in that year)"
        titles.append((ax, title))
        if pilots.empty:
            note = wrap_to_width(f"No data: not in our data (Eurostat {panel.dataset})",
                                 2.2, SMALL_PT, fig)
            ax.text(0.5, 0.5, note, ha="center", va="center", fontsize=SMALL_PT,
                    transform=ax.transAxes,
                    bbox={"boxstyle": "round", "facecolor": "#f2f2f2", "edgecolor": MUTED})
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            continue
        category_bars(ax, list(pilots["name"]), pilots["value"],
                      [HIGHLIGHT if h else MUTED for h in pilots["highlight"]], linewidth=0.4)
        value_column = ax.get_yaxis_transform()  # x in axes fraction, y in data
        for y, (value, hl) in enumerate(zip(pilots["value"], pilots["highlight"], strict=True)):
            ax.text(1.03, y, _fmt(value, panel.indicator), va="center", ha="left",
                    fontsize=SMALL_PT, fontweight="bold" if hl else "normal",
                    transform=value_column, clip_on=False)
        for kind, colour, style in (("eu", EU, "--"), ("country", COUNTRY, ":")):
            ref = d[(d["kind"] == kind) & (d["status"] == "ok")]
            if len(ref):
                mean = "population-weighted mean" in str(ref["note"].iloc[0])
                ax.axvline(ref["value"].iloc[0], color=colour, linestyle=style, linewidth=1.5,
                           label=f"{ref['name'].iloc[0]}: {_fmt(ref['value'].iloc[0], panel.indicator)}"
                           + (" (regions' mean)" if mean else ""))
            elif kind == "eu":
                ax.plot([], [], " ", label="EU28: none in our data")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", bbox_to_anchor=(-0.02, -0.1), frameon=False,
                      borderaxespad=0, handlelength=2.2)
        ax.set_ylabel("")
        ax.set_xlabel("")
        ax.set_xlim(0, max([pilots["value"].max(),
                            *d.loc[d["kind"] != "pilot", "value"].dropna()]) * 1.05)
        ax.xaxis.set_major_locator(MaxNLocator(2, prune="lower"))  # 0 is where the bars start
        if recipes.indicators()[panel.indicator].unit == "EUR_HAB":
            ax.xaxis.set_major_formatter(FuncFormatter(axis_thousands))
    fig.suptitle(config.figure1.title)
    fig.get_layout_engine().set(h_pad=0.06, w_pad=0.04, hspace=0.06, wspace=0.06)
    titles_over_labels(titles)
    return fig


def figure2(data: pd.DataFrame, config: KeyIndicators | None = None):
    """Draw Figure 2: the region, its country and the EU28, one panel per indicator, as
    horizontal bars; a missing value says so in place of its bar."""
    config = config or load_config()
    panels = config.figure2.panels
    fig, axes = plt.subplots(len(panels), 1, figsize=(FIGURE_WIDTH_IN, 1.45 * len(panels) + 0.5),
                             layout="constrained")
    axes = np.atleast_1d(axes)
    colour = {"region": HIGHLIGHT, "country": COUNTRY, "eu": EU}
    titles = []
    for k, (ax, panel) in enumerate(zip(axes, panels, strict=True)):
        d = data[data["panel"] == k + 1].reset_index(drop=True)
        year = d["year"].dropna()
        suffix = f" ({int(year.iloc[0])})" if len(year) else ""
        titles.append((ax, panel.title + suffix))
        names = [n if pd.isna(y) or not len(year) or int(y) == int(year.iloc[0])
                 else f"{n} ({int(y)})" for n, y in zip(d["name"], d["year"], strict=True)]
        # one category per row: a region that is a whole country has its country's name
        plotted = d.assign(value=d["value"].where(d["status"] == "ok", 0.0).astype(float),
                           row=[str(i) for i in range(len(d))])
        category_bars(ax, list(plotted["row"]), plotted["value"],
                      [colour[k] for k in plotted["kind"]], width=0.6, linewidth=0.5)
        for bar, kind in zip(ax.patches, plotted["kind"], strict=True):  # one bar per row
            if kind == "country":
                bar.set_hatch("//")
        top = float(plotted["value"].max()) or 1.0
        for i, row in d.iterrows():
            if row["status"] == "ok":
                ax.text(row["value"] + top * 0.01, i, _fmt2(row["value"]), va="center",
                        ha="left", fontsize=SMALL_PT)
            else:
                ax.text(top * 0.01, i, f"missing in Eurostat {panel.dataset}", va="center",
                        ha="left", fontsize=SMALL_PT, style="italic")
        ax.set_yticks(range(len(d)), names)
        ax.set_xlim(0, top * 1.35)
        ax.set_xlabel("")
        ax.set_ylabel("")
        if (d["status"] != "ok").all():
            ax.set_xticks([])
    fig.suptitle(config.figure2.title)
    titles_over_labels(titles)
    return fig


def glue_values(snapshot: pd.DataFrame, regions: list[Region], focus: Region) -> dict[str, Any]:
    """The numbers section 1.2 states, for the focus region (keys as in results.json)."""
    def at(indicator: str, geo: str, year: int | None) -> float | None:
        return _num(lookup(snapshot, indicator, geo, year).value)

    out: dict[str, Any] = {"region_name": focus.name, "country_name": focus.country_name}
    whole = is_whole_country(focus)
    out["region_is_country"] = whole
    gdp = pilot_table(snapshot, "gdp_per_capita_eur", regions, 2017)
    rank, ahead = rank_desc(gdp, focus.id)
    out["gdp_per_capita_year"] = 2017
    out["gdp_per_capita_eur"] = _num(region_value(snapshot, "gdp_per_capita_eur", focus, 2017).value)
    out["gdp_per_capita_eur_country"] = at("gdp_per_capita_eur", focus.country, 2017)
    out["gdp_per_capita_eur_eu"] = at("gdp_per_capita_eur", "EU28", 2017)
    out["gdp_per_capita_rank"] = rank
    # a comma list in rank order (with "and", the run of names is the seed's own sentence)
    out["gdp_per_capita_ahead"] = ", ".join(ahead) if ahead else "none"
    out["n_pilots"] = len(regions)
    tert = region_value(snapshot, "tertiary_employed_share_pct", focus)
    year = tert.year
    out["tertiary_employed_share_year"] = year
    out["tertiary_employed_share_pct"] = _num(tert.value)
    out["tertiary_employed_share_pct_country"] = at("tertiary_employed_share_pct", focus.country,
                                                    year)
    out["tertiary_employed_share_pct_eu"] = at("tertiary_employed_share_pct", "EU28", year)
    t_rank, _ = rank_desc(pilot_table(snapshot, "tertiary_employed_share_pct", regions, year),
                          focus.id)
    out["tertiary_employed_share_rank"] = t_rank
    lq = edition_value(snapshot, "industry_lq", focus)
    out["industry_lq"] = _num(lq.value)
    out["industry_lq_year"] = lq.year
    lq_country = (country_value(snapshot, "industry_lq", focus.country, lq.year)
                  if lq.year is not None else None)
    out["industry_lq_country"] = _num(lq_country.value) if lq_country is not None else None
    ht = edition_value(snapshot, "high_tech_sectors_emp_pct", focus)
    out["high_tech_employment_pct"] = _num(ht.value)
    out["high_tech_employment_year"] = ht.year
    out["high_tech_employment_pct_eu"] = at("high_tech_sectors_emp_pct", "EU28", ht.year)
    # Figure 1's employment-rate panel (tgs00007, aged 15-64) and the pilots' medians
    rate = pilot_table(snapshot, EMPLOYMENT_RATE, regions, 2017)
    own_rate = rate.loc[rate["region"] == focus.id, "value"]
    if len(own_rate):  # a pilot: its value in the pilots' table
        out["employment_rate_pct"] = (_num(float(own_rate.iloc[0]))
                                      if pd.notna(own_rate.iloc[0]) else None)
    else:  # any other NUTS 2 region (eocic run --all-nuts2): its own value
        own = region_value(snapshot, EMPLOYMENT_RATE, focus, 2017)
        out["employment_rate_pct"] = None if own.missing else _num(own.value)
    out["employment_rate_year"] = 2017
    out["employment_rate_age"] = "15-64"
    out["employment_rate_pct_eu"] = at(EMPLOYMENT_RATE, "EU28", 2017)
    out["employment_rate_median"] = _median(rate)
    out["employment_rate_rank"] = rank_desc(rate, focus.id)[0]
    out["gdp_per_capita_median"] = _median(gdp)
    # The business sector's share of R&D expenditure (the briefing's measure), its year
    share = edition_value(snapshot, "berd_share_gerd_pct", focus)
    out["berd_share_gerd_pct"] = _num(share.value)
    out["berd_share_gerd_year"] = share.year
    out["berd_share_gerd_pct_country"] = (None if share.year is None or whole else
                                          at("berd_share_gerd_pct", focus.country, share.year))
    out["berd_share_gerd_pct_eu"] = (None if share.year is None else
                                     at("berd_share_gerd_pct", "EU28", share.year))
    return out


EMPLOYMENT_RATE = "employment_rate_15_64_pct"
#: The text of a national value for a region that is its whole country.
WHOLE_COUNTRY_MISSING = "not applicable (the region is the whole country)"


def ahead_clause(ahead: str) -> str:
    """The words after a rank: ", behind <regions ahead>", or, for the first, that no pilot
    region is ahead ("none" or empty ``ahead``)."""
    if not ahead or ahead == "none":
        return ", ahead of every other pilot region"
    return f", behind {ahead}"


def chapter_values(values: dict[str, Any], *, since_sentence: str,
                   comparisons: list[Comparison] | None = None) -> dict[str, Any]:
    """Every value the chapter glues (its keys in ``notebooks/results.yaml``), from
    :func:`glue_values`: the numbers, and the words the prose puts around them (comparisons,
    ranks as ordinals, clauses and sentences).

    Args:
        since_sentence: the sentence on what changed since the briefing
            (:func:`eocic_helpers.analysis.since.since_sentence`).
        comparisons: :func:`~eocic_helpers.data.reference.section_1_2_comparisons` of the
            seed briefing's region; ``None`` for any other region (no numbers of theirs are
            published), which then glues no fidelity count.
    """
    whole = values["region_is_country"]

    lq_country = values["industry_lq_country"]
    if lq_country is None and whole:
        lq_country = Unavailable(WHOLE_COUNTRY_MISSING)
    out = declared_values(values)
    out["industry_lq_country"] = lq_country
    gdp, tert = values["gdp_per_capita_eur"], values["tertiary_employed_share_pct"]
    out.update({
        "gdp_per_capita_rank_ordinal": ordinal(values["gdp_per_capita_rank"]),
        "gdp_per_capita_ahead_clause": ahead_clause(values["gdp_per_capita_ahead"]),
        "tertiary_employed_share_rank_ordinal": ordinal(values["tertiary_employed_share_rank"]),
        "employment_rate_rank_ordinal": ordinal(values["employment_rate_rank"]),
        "gdp_vs_median": relation(gdp, values["gdp_per_capita_median"], CLOSE_WITHIN)
        or "not comparable with",
        "employment_vs_median": relation(values["employment_rate_pct"],
                                         values["employment_rate_median"], CLOSE_WITHIN)
        or "not comparable with",
        "close_within_pct": f"{CLOSE_WITHIN:.0%}",
        "gdp_vs_eu": comparison_word(gdp, values["gdp_per_capita_eur_eu"]),
        "tertiary_vs_eu": comparison_word(tert, values["tertiary_employed_share_pct_eu"]),
        "high_tech_vs_eu": comparison_word(values["high_tech_employment_pct"],
                                           values["high_tech_employment_pct_eu"]),
        "gdp_country_clause": country_clause(
            gdp, values["gdp_per_capita_eur_country"], whole,
            "EUR " + declared_text("gdp_per_capita_eur_country", values["gdp_per_capita_eur_country"])),
        "tertiary_country_clause": country_clause(
            tert, values["tertiary_employed_share_pct_country"], whole,
            declared_text("tertiary_employed_share_pct_country",
                 values["tertiary_employed_share_pct_country"]), "%"),
        "industry_country_clause": "the region is the whole country" if whole else
        "country: " + declared_text("industry_lq_country", lq_country),
        "berd_share_sentence": business_share_sentence(values),
        "since_sentence": since_sentence,
    })
    if comparisons is not None:
        out["fidelity_agree"] = sum(bool(c.agrees) for c in comparisons)
        out["fidelity_total"] = len(comparisons)
    return out


def business_share_sentence(values: dict[str, Any]) -> str:
    """The prose on the business sector's share of R&D expenditure (the briefing's measure),
    from :func:`glue_values`'s numbers; a missing value is said to be missing."""
    own, year = values.get("berd_share_gerd_pct"), values.get("berd_share_gerd_year")
    if own is None:
        return ("Our data hold no business share of R&D expenditure for the region "
                "(Eurostat rd_e_gerdreg as snapshotted), so this measure cannot be shown.")
    eu = values.get("berd_share_gerd_pct_eu")
    country = values.get("berd_share_gerd_pct_country")
    europe = (f"{eu:.1f}% in the EU28 (EU27 plus the United Kingdom), "
              f"{comparison_word(own, eu)} the EU figure" if eu is not None else
              "no EU28 figure in our data")
    if values.get("region_is_country"):
        against = f" (the region is the whole country), against {europe}"
    else:
        national = (f"{country:.1f}% nationally" if country is not None else
                    "no national figure in our data")
        against = f", against {national} and {europe}"
    return (f"In {year} (the latest year our data hold for the region) businesses performed "
            f"{own:.1f}% of all R&D spending in the region{against}.")


def _median(table: pd.DataFrame) -> float | None:
    """The median of the pilots' values, only when every pilot has one."""
    values = table["value"]
    return None if values.isna().any() or not len(values) else float(values.median())


def country_clause(value: float | None, country_value_: float | None, whole: bool,
                   text: str, unit: str = "") -> str:
    """'below the national figure (EUR 34 324)' or, for a region that is its whole country,
    a clause saying so instead of comparing the region with itself."""
    if whole:
        return "the region is the whole country, so this is also the national figure"
    return f"{comparison_word(value, country_value_)} the national figure ({text}{unit})"


def _num(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


#: "Close to" a reference: within this fraction of the reference value (our threshold; the
#: briefing states none).
CLOSE_WITHIN = 0.05


def relation(value: float | None, reference: float | None,
             close_within: float | None = None) -> str | None:
    """'above', 'below', 'equal to' or, with ``close_within``, 'close to' (within that fraction
    of the reference); None when either value is missing."""
    if value is None or reference is None or pd.isna(value) or pd.isna(reference):
        return None
    if close_within is not None and abs(value - reference) <= close_within * abs(reference):
        return "close to"
    return comparison_word(value, reference)


def claim_row(claim_id: str, claim: str, measure: str, value: float | None,
              reference: float | None, comparator: str, expected: str, missing_reason: str = "",
              close_within: float | None = None, fmt: str = ".1f") -> dict[str, Any]:
    """One part of a briefing statement tested on our data: the comparison our values make
    (above / below / close to) and whether it is the briefing's.

    The verdict is 'holds' when our comparison is the expected one, 'does not hold (ours:
    ...)' when it is another, and 'n/a (...)' with the reason when a value is missing: our
    comparison is always readable from it (seven columns fit a screen; an eighth did not).
    ``claim_id`` names the part (:data:`CLAIM_ID`), so that other chapters (the SWOT evidence,
    the reproduction annex) read this verdict instead of judging the claim again.
    """
    found = relation(value, reference, close_within)

    def show(v: float | None) -> str:
        return "missing" if v is None or pd.isna(v) else format_number(v, fmt)

    if found is None:
        reason = missing_reason or ("the region's value is missing" if value is None else
                                    f"no value for {comparator} in our data")
        verdict = f"n/a ({reason})"
    elif found == expected:
        verdict = "holds"
    else:
        verdict = f"does not hold (ours: {found})"
    return {CLAIM_ID: claim_id, "claim (briefing section 1.2)": claim, "measure (our data)": measure,
            "region": show(value), "against": comparator, "its value": show(reference),
            "the briefing says": expected, "verdict": verdict}


def qualitative_claims(values: dict[str, Any], fig2: pd.DataFrame) -> pd.DataFrame:
    """Every statement of the briefing's section 1.2 about the region's indicators, split into
    its parts (one comparator each), tested on our data: the comparison must be the briefing's
    (above, below, close to), not only the magnitude.

    ``values`` are :func:`glue_values`'s; ``fig2`` is :func:`figure2_data`'s frame.
    """

    def get(ind: str, kind: str) -> tuple[float | None, int | None]:
        row = fig2[(fig2["indicator"] == ind) & (fig2["kind"] == kind)]
        if not len(row) or pd.isna(row["value"].iloc[0]):
            return None, None
        return float(row["value"].iloc[0]), int(row["year"].iloc[0])

    def year_of(ind: str) -> str:
        row = fig2[(fig2["indicator"] == ind) & (fig2["kind"] == "region")]
        return "" if not len(row) or pd.isna(row["year"].iloc[0]) else str(int(row["year"].iloc[0]))

    v = values
    n = v.get("n_pilots", 10)
    rows = []
    gdp = "GDP per inhabitant, EUR, 2017 (tgs00003 / tgs00096)"
    rows.append(claim_row(
        "gdp_close_to_pilot_median", "GDP per capita close to the median of the pilot regions",
        gdp, v["gdp_per_capita_eur"],
        v.get("gdp_per_capita_median"), f"median of the {n} pilots", "close to",
        close_within=CLOSE_WITHIN, fmt=",.0f"))
    rows.append(claim_row("gdp_below_eu", "GDP per capita below the EU level", gdp, v["gdp_per_capita_eur"],
                          v["gdp_per_capita_eur_eu"], "EU28", "below", fmt=",.0f"))
    rate = "Employment rate aged 15-64, %, 2017 (tgs00007; the briefing names no age band)"
    rows.append(claim_row(
        "employment_close_to_pilot_median",
        "Employment rate close to the median of the pilot regions", rate,
        v.get("employment_rate_pct"), v.get("employment_rate_median"),
        f"median of the {n} pilots", "close to", close_within=CLOSE_WITHIN))
    rows.append(claim_row(
        "employment_below_eu", "Employment rate below the EU level", rate, v.get("employment_rate_pct"),
        v.get("employment_rate_pct_eu"), "EU28", "below",
        missing_reason="our data hold no EU value for the employment rate: tgs00007 as "
        "snapshotted has NUTS 2 regions only; no EU figure is approximated"))
    lq, lq_c = v.get("industry_lq"), v.get("industry_lq_country")
    lq_year = v.get("industry_lq_year")
    spec = (f"Industry (NACE B-E) location quotient, EU28 = 1, {lq_year} (the series ends in "
            "2015; no complete manufacturing measure in our data)")
    country = ((spec, lq) if v.get("region_is_country") else
               (spec.replace("location quotient", "location quotient of the country"), lq_c))
    for who, (measure, value) in (("region", (spec, lq)), ("country", country)):
        rows.append(claim_row(f"{who}_not_specialised",
                              f"The {who} is not specialised in manufacturing", measure, value,
                              1.0, "EU28 (= 1)", "below", fmt=".2f"))
    for ind, claim, measure, expected, fmt in TECH_CLAIMS:
        own, _ = get(ind, "region")
        for kind, label in (("country", "national average"), ("eu", "EU average")):
            if kind == "country" and v.get("region_is_country"):
                continue
            ref, ref_year = get(ind, kind)
            comparator = ("EU28" if kind == "eu" else v.get("country_name", "the country"))
            if ref_year is not None and str(ref_year) != year_of(ind):
                comparator += f" ({ref_year}: no {year_of(ind)} value)"
            rows.append(claim_row(f"{ind}_{expected}_{kind}", claim.format(c=label),
                                  measure.format(y=year_of(ind) or "n/a"),
                                  own, ref, comparator, expected, fmt=fmt))
    return pd.DataFrame(rows)


def section_claims(snapshot: pd.DataFrame, focus: Region,
                   regions: list[Region] | None = None) -> pd.DataFrame:
    """The verdicts of :func:`qualitative_claims` for ``focus``, from the snapshot alone: the
    one judgement of each part of the briefing's statements, which the indicators chapter
    shows and the SWOT evidence and the reproduction annex read (by :data:`CLAIM_ID`)."""
    regions = regions if regions is not None else load_regions()
    return qualitative_claims(glue_values(snapshot, regions, focus),
                              figure2_data(snapshot, focus))


def ordinal(n: int | None) -> str:
    """1 -> '1st', 2 -> '2nd', 6 -> '6th'; None -> 'not ranked'."""
    if n is None:
        return "not ranked"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def comparison_word(value: float | None, reference: float | None) -> str:
    """'above', 'below' or 'equal to' (or 'not comparable with') for prose."""
    if value is None or reference is None:
        return "not comparable with"
    if abs(value - reference) < 1e-9:
        return "equal to"
    return "above" if value > reference else "below"
