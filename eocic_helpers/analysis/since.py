"""What changed since the briefing: the briefing year's value beside the latest value we hold.

Beyond the briefing: a reader in 2026 needs to know whether 2017's picture still holds. For
each indicator of ``data/key_indicators.yaml`` (``since:``), :func:`since_data` gives, for every
pilot region, the EU and the edition's country where our data have them, the value of the
briefing year and the latest value, each with its year and source. A value our data lack is
missing and says so; nothing is approximated for the EU or the country (a country appears only
where the source has a national row).
"""

from __future__ import annotations

import os
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from eocic_helpers.analysis.indicators import SinceIndicator, is_whole_country, load_config
from eocic_helpers.core import paths
from eocic_helpers.core.regions import Region
from eocic_helpers.data.lookup import lookup, region_value
from eocic_helpers.outputs.legibility import titles_over_labels
from eocic_helpers.outputs.numbers import axis_thousands
from eocic_helpers.outputs.style import EU, FIGURE_WIDTH_IN, HIGHLIGHT, MUTED, SMALL_PT


def aggregate_codes(region: Region) -> list[str]:
    """The codes (NUTS 1, country) whose NUTS 2 units are exactly the region's, for a region
    of several units (Saxony: DED; Wallonia: BE3; Lithuania: LT0, LT); empty otherwise."""
    if len(region.nuts2016) < 2:
        return []
    geo = pd.read_csv(paths.SNAPSHOT / "geo.csv", dtype=str, keep_default_na=False)
    level2 = set(geo.loc[(geo["level"] == "2") & (geo["nuts_version"] == "2016"), "geo"])
    prefix = os.path.commonprefix(list(region.nuts2016))
    return [code for code in dict.fromkeys((prefix[:3], prefix[:2]))
            if len(code) >= 2 and {c for c in level2 if c.startswith(code)} == set(region.nuts2016)]


def _region(snapshot: pd.DataFrame, indicator: str, region: Region, year: int | None):
    """The region's value: its aggregate's own row when the source has one (GDP per
    inhabitant of Saxony = DED), else the lookup's aggregation (with its note)."""
    for code in aggregate_codes(region):
        own = lookup(snapshot, indicator, code, year)
        if not own.missing:
            return own.value, own.year, f"the source's own row for {code}"
    v = region_value(snapshot, indicator, region, year)
    return v.value, v.year, v.note


def _latest_year(snapshot: pd.DataFrame, indicator: str) -> int:
    return int(snapshot.loc[snapshot["indicator"] == indicator, "year"].max())


def since_data(snapshot: pd.DataFrame, regions: list[Region], focus: Region) -> pd.DataFrame:
    """One row per indicator and geography: the briefing year's value and the latest one.

    Columns: ``key, indicator, kind (pilot|country|eu), name, highlight, briefing_year,
    briefing_value, briefing_source, latest_year, latest_value, latest_source, change,
    status (ok|missing), note``.
    """
    whole = is_whole_country(focus)  # the country's row would repeat the region's
    config = load_config()
    briefing_year = config.briefing_year
    rows: list[dict[str, Any]] = []
    for spec in config.since:
        last = _latest_year(snapshot, spec.indicator)

        def row(kind: str, name: str, before: tuple, after: tuple, source: str, note: str,
                highlight: bool = False, spec: SinceIndicator = spec) -> None:
            b, by, bnote = before
            a, ay, anote = after
            ok = b is not None and a is not None
            notes = [n for n in (bnote, anote if anote != bnote else "", note) if n]
            rows.append({
                "key": spec.key, "indicator": spec.label, "kind": kind, "name": name,
                "highlight": highlight, "briefing_year": by, "briefing_value": b,
                "briefing_source": source if b is not None else "",
                "latest_year": ay, "latest_value": a,
                "latest_source": source if a is not None else "",
                "change": (a - b) if ok else None, "status": "ok" if ok else "missing",
                "note": "; ".join(notes)})

        src = spec.source
        for r in regions:
            before = _region(snapshot, spec.indicator, r, briefing_year)
            after = _latest_for(snapshot, spec.indicator, r, last, briefing_year)
            row("pilot", r.name, before, after, src, "", highlight=r.id == focus.id)
        own = lookup(snapshot, spec.indicator, focus.country, briefing_year)
        if not own.missing and not whole:
            latest = lookup(snapshot, spec.indicator, focus.country, last)
            row("country", focus.country_name, (own.value, own.year, ""),
                (latest.value, latest.year, ""), src, "the source's national row")
        if spec.eu_indicator is None:
            row("eu", spec.eu_name, (None, None, ""), (None, None, ""), "", spec.note)
        else:
            eu_last = _latest_year(snapshot, spec.eu_indicator)
            b = lookup(snapshot, spec.eu_indicator, spec.eu_geo, briefing_year)
            a = lookup(snapshot, spec.eu_indicator, spec.eu_geo, eu_last)
            row("eu", spec.eu_name, (b.value, b.year, ""), (a.value, a.year, ""),
                spec.eu_source, spec.note)
    return pd.DataFrame(rows)


def _latest_for(snapshot: pd.DataFrame, indicator: str, region: Region, last: int,
                briefing_year: int):
    """The region's latest value after the briefing year, going back from the series' last
    year."""
    for year in range(last, briefing_year, -1):
        value = _region(snapshot, indicator, region, year)
        if value[0] is not None:
            return value
    return None, None, "no value after the briefing year in our data"


def since_table(data: pd.DataFrame) -> pd.DataFrame:
    """The readable table (the CSV): every value with its year and source."""
    def fmt(v: Any, key: str) -> str:
        if v is None or pd.isna(v):
            return "no value in our data"
        return f"{v:,.0f}".replace(",", "\u00a0") if key == "gdp" else f"{v:.1f}"

    def change(v: Any, key: str) -> str:
        if v is None or pd.isna(v):
            return ""
        return (f"{v:+,.0f}".replace(",", "\u00a0") if key == "gdp" else f"{v:+.1f} points")

    def dated(v: Any, y: Any, key: str) -> str:
        return fmt(v, key) + ("" if pd.isna(y) or v is None or pd.isna(v) else f" ({int(y)})")

    def source(then: Any, now: Any) -> str:
        then, now = ("" if pd.isna(x) else str(x) for x in (then, now))
        return then if then == now or not now else (now if not then else
                                                     f"then: {then}; latest: {now}")

    return pd.DataFrame({
        "indicator": data["indicator"],
        "region": data["name"],
        "briefing year's value (year)": [dated(v, y, k) for v, y, k in zip(
            data["briefing_value"], data["briefing_year"], data["key"], strict=True)],
        "latest value (year)": [dated(v, y, k) for v, y, k in zip(
            data["latest_value"], data["latest_year"], data["key"], strict=True)],
        "change": [change(v, k) for v, k in zip(data["change"], data["key"], strict=True)],
        "source": [source(a, b) for a, b in zip(data["briefing_source"], data["latest_source"],
                                                strict=True)],
        "note": data["note"],
    })


def since_figure(data: pd.DataFrame):
    """Small multiples, one panel per indicator: for each pilot (and the EU and country where
    we hold them) a line from the briefing year's value (open circle) to the latest (filled);
    the edition's region highlighted; a geography without values says so in its row."""
    keys = list(dict.fromkeys(data["key"]))
    fig, axes = plt.subplots(2, 2, figsize=(FIGURE_WIDTH_IN, 8.2), layout="constrained")
    titles = []
    for ax, key in zip(axes.flat, keys, strict=False):
        d = data[data["key"] == key]
        pilots = d[d["kind"] == "pilot"].sort_values("latest_value", na_position="first")
        refs = d[d["kind"] != "pilot"]
        d = pd.concat([pilots, refs]).reset_index(drop=True)
        ok = d[d["status"] == "ok"]
        years_then = sorted({int(y) for y in ok["briefing_year"].dropna()})
        years_now = sorted({int(y) for y in ok["latest_year"].dropna()})
        span = (f"{'/'.join(map(str, years_then))} to {'/'.join(map(str, years_now))}"
                if len(ok) else "no data")
        titles.append((ax, f"{d['indicator'].iloc[0]}, {span}"))
        labels = []
        pairs = list(zip(ok["briefing_year"].astype(int), ok["latest_year"].astype(int),
                         strict=True))
        usual = max(sorted(set(pairs)), key=pairs.count) if pairs else None
        rows: dict[str, list[tuple[float, float, int]]] = {}  # by colour: (then, now, row)
        for i, r in d.iterrows():
            colour = HIGHLIGHT if r["highlight"] else (EU if r["kind"] != "pilot" else MUTED)
            label = r["name"]
            if r["status"] == "ok":
                rows.setdefault(colour, []).append((r["briefing_value"], r["latest_value"], i))
                if (int(r["briefing_year"]), int(r["latest_year"])) != usual:
                    label += f" ({int(r['briefing_year'])}-{int(r['latest_year'])})"
            else:
                ax.text(0.02, i, "no value in our data", va="center", ha="left",
                        fontsize=SMALL_PT - 1, style="italic", transform=ax.get_yaxis_transform())
            labels.append(label)
        # One line and two marker artists per colour, not three per row: rows never overlap,
        # and within a row the line is still under the open circle, under the filled one.
        for colour, pts in rows.items():
            ax.plot([x for a, b, _ in pts for x in (a, b, np.nan)],
                    [y for _, _, i in pts for y in (i, i, np.nan)], color=colour, linewidth=1.6)
        for colour, pts in rows.items():
            ax.plot([a for a, _, _ in pts], [i for _, _, i in pts], "o",
                    markerfacecolor="white", markeredgecolor=colour, markersize=5.5)
        for colour, pts in rows.items():
            ax.plot([b for _, b, _ in pts], [i for _, _, i in pts], "o", color=colour,
                    markersize=5.5)
        ax.set_yticks(range(len(d)), labels, fontsize=SMALL_PT)
        for tick, hl in zip(ax.get_yticklabels(), d["highlight"], strict=True):
            if hl:
                tick.set_fontweight("bold")
        ax.set_ylim(-0.6, len(d) - 0.4)
        ax.tick_params(axis="x", labelsize=SMALL_PT)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        if key == "gdp":
            ax.xaxis.set_major_formatter(FuncFormatter(axis_thousands))
    for ax in list(axes.flat)[len(keys):]:
        ax.set_visible(False)
    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor="white",
                      markeredgecolor="black", label=f"briefing year ({load_config().briefing_year})"),
               Line2D([], [], marker="o", linestyle="", color="black",
                      label="latest value we hold")]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False,
               fontsize=SMALL_PT)
    fig.suptitle("Since the briefing: the briefing year and the latest values")
    titles_over_labels(titles)
    return fig


def since_sentence(data: pd.DataFrame) -> str:
    """The edition's region in one sentence: each indicator's value then and now, with years;
    an indicator without both values says so."""
    parts = []
    names = {spec.key: spec.in_sentence for spec in load_config().since}
    for key in dict.fromkeys(data["key"]):
        r = data[(data["key"] == key) & data["highlight"]]
        name = names[key]
        if r.empty or r["status"].iloc[0] != "ok":
            parts.append(f"{name}: no pair of values in our data")
            continue
        r = r.iloc[0]
        if key == "gdp":
            then = f"EUR {r['briefing_value']:,.0f}".replace(",", "\u00a0")
            now = f"EUR {r['latest_value']:,.0f}".replace(",", "\u00a0")
        else:
            then, now = f"{r['briefing_value']:.1f}%", f"{r['latest_value']:.1f}%"
        parts.append(f"{name} from {then} in {int(r['briefing_year'])} to {now} in "
                     f"{int(r['latest_year'])}")
    return "; ".join(parts) + "."
