"""Section 1.2 of the briefing: Figure 1 (economic data, ten pilots) and Figure 2 (technology).

Panels come from ``data/key_indicators.yaml``. Data functions return tidy frames (saved as the
figures' CSV); figure functions take those frames and return matplotlib figures.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from eocic_helpers.core import paths
from eocic_helpers.core.config import load_model
from eocic_helpers.core.regions import Region
from eocic_helpers.data.lookup import country_value, lookup, pilot_table, rank_desc, region_value
from eocic_helpers.data.reference import Comparison, section_1_2_comparisons
from eocic_helpers.data.snapshot import BY_ID
from eocic_helpers.outputs.numbers import format_number

CONFIG_FILE = paths.DATA / "key_indicators.yaml"


class Panel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicator: str
    title: str
    year: int
    dataset: str
    reason: str


class FigureSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    briefing_ref: str
    panels: list[Panel] = Field(min_length=1)


class KeyIndicators(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: int
    briefing_year: int
    figure1: FigureSpec
    figure2: FigureSpec


def load_config(path: Path | None = None) -> KeyIndicators:
    """The panel configuration of Figures 1 and 2."""
    return load_model(KeyIndicators, Path(path or CONFIG_FILE))


def _has(snapshot: pd.DataFrame, indicator: str) -> bool:
    return bool((snapshot["indicator"] == indicator).any())


def _year_for(snapshot: pd.DataFrame, indicator: str, wanted: int) -> int | None:
    years = snapshot.loc[snapshot["indicator"] == indicator, "year"]
    years = years[years <= wanted]
    return int(years.max()) if len(years) else None


def is_whole_country(region: Region, snapshot: pd.DataFrame | None = None) -> bool:
    """Whether the region's NUTS 2 units are all of its country's (Lithuania, Slovenia): then
    the country's figure is the region's own, and no separate national comparison exists."""
    import re

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
    rows: list[dict[str, Any]] = []
    for k, panel in enumerate(config.figure1.panels):
        base = {"panel": k + 1, "indicator": panel.indicator}
        if not _has(snapshot, panel.indicator):
            rows.append({**base, "kind": "pilot", "region": "", "name": "", "value": None,
                         "year": None, "highlight": False, "status": "missing",
                         "note": f"not in the data snapshot (Eurostat {panel.dataset})"})
            continue
        year = _year_for(snapshot, panel.indicator, panel.year)
        table = pilot_table(snapshot, panel.indicator, regions, year)
        for r in table.itertuples():
            rows.append({**base, "kind": "pilot", "region": r.region, "name": r.name,
                         "value": r.value, "year": r.year, "highlight": r.region == focus.id,
                         "status": "missing" if r.value is None or pd.isna(r.value) else "ok",
                         "note": r.note})
        eu = lookup(snapshot, panel.indicator, "EU28", year)
        if eu.missing and panel.indicator.endswith("_lq"):
            eu = type(eu)(1.0, year, "EU28", "EU28 = 1 by definition")
        whole = is_whole_country(focus)
        country = (country_value(snapshot, panel.indicator, focus.country, year)
                   if year and not whole else None)
        for kind, v, name in (("eu", eu, "EU28"), ("country", country, focus.country_name)):
            missing = v is None or v.missing
            note = WHOLE_COUNTRY_NOTE if kind == "country" and whole else (
                "" if v is None else v.note)
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
        v = latest_region_value(snapshot, panel.indicator, focus, panel.year)
        year = v.year
        values = [("region", focus.name, v if year else None)]
        if year is not None:
            if not whole:
                values.append(("country", focus.country_name,
                               country_value(snapshot, panel.indicator, focus.country, year)))
            values.append(("eu", "EU28", lookup(snapshot, panel.indicator, "EU28", year)))
        else:
            values += ([] if whole else [("country", focus.country_name, None)]) + [
                ("eu", "EU28", None)]
        for kind, name, val in values:
            missing = val is None or val.missing
            note = ("" if val is None else val.note) or (
                f"missing in Eurostat {panel.dataset} as snapshotted" if missing else "")
            rows.append({"panel": k + 1, "indicator": panel.indicator, "kind": kind,
                         "name": name, "value": None if missing else val.value,
                         "year": year, "status": "missing" if missing else "ok", "note": note})
    return pd.DataFrame(rows)


def latest_region_value(snapshot: pd.DataFrame, indicator: str, focus: Region, max_year: int):
    """The region's value in the latest year up to ``max_year`` that has one."""
    years = sorted(set(snapshot.loc[snapshot["indicator"] == indicator, "year"]), reverse=True)
    for year in (y for y in years if y <= max_year):
        v = region_value(snapshot, indicator, focus, year)
        if not v.missing:
            return v
    return region_value(snapshot, indicator, focus, max_year)


def _fmt(value: float, indicator: str) -> str:
    unit = BY_ID[indicator].unit
    if unit == "EUR_HAB":
        return format_number(value)
    if unit == "RATIO":
        return f"{value:.2f}"
    return f"{value:.1f}"


def figure1(data: pd.DataFrame, config: KeyIndicators | None = None):
    """Draw Figure 1: a 2x2 grid of ranked bars (seaborn), the focus region highlighted, EU and
    country reference lines; an absent indicator says so inside its panel.

    Values are printed in a column at the right of each panel, so no reference line crosses
    them; the reference values are in each panel's legend below it.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from eocic_helpers.outputs.legibility import titles_over_labels, wrap_to_width
    from eocic_helpers.outputs.numbers import axis_thousands
    from eocic_helpers.outputs.style import COUNTRY, EU, FIGURE_WIDTH_IN, HIGHLIGHT, MUTED, SMALL_PT

    config = config or load_config()
    fig, axes = plt.subplots(2, 2, figsize=(FIGURE_WIDTH_IN, 7.6), layout="constrained")
    titles = []
    for k, (ax, panel) in enumerate(zip(axes.flat, config.figure1.panels, strict=True)):
        d = data[data["panel"] == k + 1]
        pilots = d[(d["kind"] == "pilot") & (d["status"] == "ok")].sort_values(
            "value", ascending=False)
        year = int(pilots["year"].max()) if len(pilots) else None
        title = panel.title + (f",\u00a0{year}" if year and year != panel.year else "")
        titles.append((ax, title))
        if pilots.empty:
            note = wrap_to_width(f"No data: not in the data snapshot (Eurostat {panel.dataset})",
                                 2.2, SMALL_PT, fig)
            ax.text(0.5, 0.5, note, ha="center", va="center", fontsize=SMALL_PT,
                    transform=ax.transAxes,
                    bbox={"boxstyle": "round", "facecolor": "#f2f2f2", "edgecolor": MUTED})
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            continue
        palette = {n: HIGHLIGHT if h else MUTED
                   for n, h in zip(pilots["name"], pilots["highlight"], strict=True)}
        sns.barplot(data=pilots, x="value", y="name", hue="name", palette=palette, legend=False,
                    orient="h", edgecolor="black", linewidth=0.4, saturation=1, ax=ax)
        value_column = ax.get_yaxis_transform()  # x in axes fraction, y in data
        for y, (value, hl) in enumerate(zip(pilots["value"], pilots["highlight"], strict=True)):
            ax.text(1.03, y, _fmt(value, panel.indicator), va="center", ha="left",
                    fontsize=SMALL_PT, fontweight="bold" if hl else "normal",
                    transform=value_column, clip_on=False)
        for kind, colour, style in (("eu", EU, "--"), ("country", COUNTRY, ":")):
            ref = d[(d["kind"] == kind) & (d["status"] == "ok")]
            if len(ref):
                ax.axvline(ref["value"].iloc[0], color=colour, linestyle=style, linewidth=1.5,
                           label=f"{ref['name'].iloc[0]}: {_fmt(ref['value'].iloc[0], panel.indicator)}")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", bbox_to_anchor=(-0.02, -0.1), frameon=False,
                      borderaxespad=0, handlelength=2.2)
        ax.set_ylabel("")
        ax.set_xlabel("")
        ax.set_xlim(0, max(pilots["value"].max(), *d.loc[d["kind"] != "pilot", "value"].dropna())
                    * 1.05)
        ax.xaxis.set_major_locator(MaxNLocator(2))
        if BY_ID[panel.indicator].unit == "EUR_HAB":
            ax.xaxis.set_major_formatter(FuncFormatter(axis_thousands))
    fig.suptitle(config.figure1.title)
    fig.get_layout_engine().set(h_pad=0.06, w_pad=0.04, hspace=0.06, wspace=0.06)
    titles_over_labels(titles)
    return fig


def figure2(data: pd.DataFrame, config: KeyIndicators | None = None):
    """Draw Figure 2: the region, its country and the EU28, one panel per indicator, as
    horizontal bars (seaborn); a missing value says so in place of its bar."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from eocic_helpers.outputs.legibility import titles_over_labels
    from eocic_helpers.outputs.style import COUNTRY, EU, FIGURE_WIDTH_IN, HIGHLIGHT, SMALL_PT

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
        # one category per row: a region that is a whole country has its country's name
        plotted = d.assign(value=d["value"].where(d["status"] == "ok", 0.0).astype(float),
                           row=[str(i) for i in range(len(d))])
        sns.barplot(data=plotted, x="value", y="row", hue="kind", palette=colour, legend=False,
                    orient="h", edgecolor="black", linewidth=0.5, width=0.6, saturation=1,
                    ax=ax)
        for bar in ax.patches:  # hatch the country's bar, found by its row
            row = int(round(bar.get_y() + bar.get_height() / 2))
            if 0 <= row < len(plotted) and plotted["kind"].iloc[row] == "country":
                bar.set_hatch("//")
        top = float(plotted["value"].max()) or 1.0
        for i, row in d.iterrows():
            if row["status"] == "ok":
                ax.text(row["value"] + top * 0.01, i, f"{row['value']:.2f}", va="center",
                        ha="left", fontsize=SMALL_PT)
            else:
                ax.text(top * 0.01, i, f"missing in Eurostat {panel.dataset}", va="center",
                        ha="left", fontsize=SMALL_PT, style="italic")
        ax.set_yticks(range(len(d)), list(d["name"]))
        ax.set_xlim(0, top * 1.35)
        ax.set_xlabel("")
        ax.set_ylabel("")
        if (d["status"] != "ok").all():
            ax.set_xticks([])
    fig.suptitle(config.figure2.title)
    titles_over_labels(titles)
    return fig


def edition_value(snapshot: pd.DataFrame, indicator: str, focus: Region,
                  briefing_year: int | None = None):
    """THE value of an indicator for a region in an edition: the latest year up to the
    briefing's year (2017) with data. Every chapter that states the indicator uses this, so
    one edition shows one value, with its year, per indicator."""
    year = briefing_year if briefing_year is not None else load_config().briefing_year
    return latest_region_value(snapshot, indicator, focus, year)


def glue_values(snapshot: pd.DataFrame, regions: list[Region], focus: Region) -> dict[str, Any]:
    """The numbers section 1.2 states, for the focus region (keys as in results.json)."""
    out: dict[str, Any] = {"region_name": focus.name, "country_name": focus.country_name}
    whole = is_whole_country(focus)
    out["region_is_country"] = whole
    gdp = pilot_table(snapshot, "gdp_per_capita_eur", regions, 2017)
    rank, ahead = rank_desc(gdp, focus.id)
    out["gdp_per_capita_year"] = 2017
    out["gdp_per_capita_eur"] = _num(region_value(snapshot, "gdp_per_capita_eur", focus, 2017).value)
    out["gdp_per_capita_eur_country"] = _num(lookup(snapshot, "gdp_per_capita_eur", focus.country,
                                                    2017).value)
    out["gdp_per_capita_eur_eu"] = _num(lookup(snapshot, "gdp_per_capita_eur", "EU28", 2017).value)
    out["gdp_per_capita_rank"] = rank
    out["gdp_per_capita_ahead"] = ", ".join(ahead) if ahead else "none"
    out["n_pilots"] = len(regions)
    tert = region_value(snapshot, "tertiary_employed_share_pct", focus)
    year = tert.year
    out["tertiary_employed_share_year"] = year
    out["tertiary_employed_share_pct"] = _num(tert.value)
    out["tertiary_employed_share_pct_country"] = _num(
        lookup(snapshot, "tertiary_employed_share_pct", focus.country, year).value)
    out["tertiary_employed_share_pct_eu"] = _num(
        lookup(snapshot, "tertiary_employed_share_pct", "EU28", year).value)
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
    out["high_tech_employment_pct_eu"] = _num(lookup(snapshot, "high_tech_sectors_emp_pct", "EU28",
                                                     ht.year).value)
    out["employment_rate_pct"] = _num(region_value(snapshot, "employment_rate_pct", focus).value)
    return out


def country_clause(value: float | None, country_value_: float | None, whole: bool,
                   text: str, unit: str = "") -> str:
    """'below the national figure (EUR 34 324)' or, for a region that is its whole country,
    a clause saying so instead of comparing the region with itself."""
    if whole:
        return "the region is the whole country, so this is also the national figure"
    return f"{comparison_word(value, country_value_)} the national figure ({text}{unit})"


def _num(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def fidelity(values: dict[str, Any]) -> list[Comparison]:
    """Section 1.2's numbers against ours, the briefing's comparisons included
    (:func:`eocic_helpers.data.reference.section_1_2_comparisons`)."""
    return section_1_2_comparisons(values)


def qualitative_claims(values: dict[str, Any], fig2: pd.DataFrame) -> pd.DataFrame:
    """The briefing's qualitative statements of section 1.2, checked against our data."""

    def get(ind: str, kind: str) -> float | None:
        row = fig2[(fig2["indicator"] == ind) & (fig2["kind"] == kind)]
        v = row["value"].iloc[0] if len(row) else None
        return None if v is None or pd.isna(v) else float(v)

    def verdict(ok: bool | None) -> str:
        return "n/a (data missing)" if ok is None else ("holds" if ok else "does not hold")

    def compare_all(a: float | None, refs: dict[str, float | None], higher: bool) -> str:
        if a is None:
            return "n/a (the region's value is missing)"
        known = {k: r for k, r in refs.items() if r is not None}
        if not known:
            return "n/a (no comparator in the data)"
        ok = all((a > r) if higher else (a < r) for r in known.values())
        missing = [k for k in refs if k not in known]
        suffix = f" (vs {', '.join(known)} only; {', '.join(missing)} missing)" if missing else ""
        return ("holds" if ok else "does not hold") + suffix

    def claim(ind: str, higher: bool) -> str:
        return compare_all(get(ind, "region"), {"EU": get(ind, "eu"), "country": get(ind, "country")},
                           higher)

    lq, lq_c = values.get("industry_lq"), values.get("industry_lq_country")
    claims = [
        ("Neither the country nor the region is specialised in manufacturing (tested with "
         "industry, NACE B-E, location quotient below 1: no complete manufacturing measure in "
         "our data)",
         verdict(None if lq is None or lq_c is None else (lq < 1 and lq_c < 1))),
        ("High-tech employment share below the EU and national averages",
         claim("high_tech_sectors_emp_pct", higher=False)),
        ("Business R&D expenditure above the national and EU averages",
         claim("berd_pct_gdp", higher=True)),
        ("Business R&D personnel below the national and EU figures",
         claim("berd_personnel_pct_emp", higher=False)),
    ]
    return pd.DataFrame([{"claim (briefing section 1.2)": c, "our data": v} for c, v in claims])


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
