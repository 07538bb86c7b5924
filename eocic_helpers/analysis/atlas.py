"""The atlas: the briefing's data-driven diagnostic for any EU NUTS 2 region, one page each.

What the briefing's data-driven chapters say of a pilot applies to any region: its key
indicators against its country and the EU (section 1.2, Figures 1-2), the composite of
industrial change with its rank among all EU NUTS 2 regions and its uncertainty interval
(Figures 3-4), the candidate strengths and weaknesses the data suggest (section 2), and what
changed since 2017. ``notebooks/atlas.ipynb`` runs this module once per region
(``eocic run --all-nuts2``); the EU-wide Monte Carlo draws come from the EU-wide step
(:func:`eocic_helpers.analysis.composite.mc_draws`), computed once.

Every row carries its year and source; a value the data do not hold is said to be missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from eocic_helpers.analysis import composite as ci
from eocic_helpers.analysis import indicators as ki
from eocic_helpers.core import paths
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.pipeline import EU_WIDE
from eocic_helpers.core.regions import Region, nuts2_names
from eocic_helpers.core.results import load_catalogue
from eocic_helpers.data.snapshot import indicator_info
from eocic_helpers.outputs.numbers import format_number

#: What a table cell says when the data hold no value.
MISSING = "no value in our data"


def short_source(indicator: str, dataset: str) -> str:
    """A table cell's source: the Eurostat dataset, and the compilation it came through (the
    full vintage of each is in the data package's sources)."""
    info = indicator_info(indicator)
    via = "" if info["dataset_code"] == dataset else ", via " + (
        "Honti et al. (2020)" if info["publisher"].startswith("Honti") or
        info["dataset_code"].startswith("I40") else info["publisher"])
    return f"Eurostat {dataset}{via}"


def _fmt(value: Any, fmt: str) -> str:
    return format_number(value, fmt, MISSING)


def _number_format(*values: Any) -> str:
    """Thousands without decimals, smaller values with two; one format for a row's values."""
    known = [v for v in values if v is not None and not pd.isna(v)]
    return ",.0f" if known and abs(known[0]) >= 1000 else ".2f"


def indicator_table(snapshot: pd.DataFrame, pilots: list[Region], focus: Region,
                    ranks: pd.DataFrame | None = None) -> pd.DataFrame:
    """The key indicators of Figures 1-2 for the region, its country and the EU28, each with
    its year and source, and, with ``ranks`` (:func:`eu_indicator_ranks`), the region's rank
    among the EU28 NUTS 2 regions. A comparator the data do not hold says so."""
    values = ki.glue_values(snapshot, pilots, focus)
    config = ki.load_config()
    whole = bool(values["region_is_country"])
    catalogue = load_catalogue()
    rows = []
    for panel in config.figure1.panels:
        key = panel.key or panel.indicator
        own, country, eu = (values.get(k) for k in (key, f"{key}_country", f"{key}_eu"))
        year = values[catalogue.require(key).entry.decl.year]
        fmt = _number_format(own, country, eu)
        rows.append({"_indicator": panel.indicator, "indicator": panel.title,
                     "region": _fmt(own, fmt), "year": year,
                     "country": "the region is the country" if whole else _fmt(country, fmt),
                     "EU28": _fmt(eu, fmt), "source": short_source(panel.indicator, panel.dataset)})
    fig2 = ki.figure2_data(snapshot, focus)
    for panel in config.figure2.panels:
        part = fig2[fig2["indicator"] == panel.indicator].set_index("kind")
        if part.empty:
            continue
        year = part.loc["region", "year"] if "region" in part.index else None

        def cell(kind: str, part: pd.DataFrame = part, own_year: Any = year) -> str:
            if kind not in part.index or pd.isna(part.loc[kind, "value"]):
                return MISSING
            row = part.loc[kind]
            text = _fmt(row["value"], ".2f")
            if kind != "region" and not pd.isna(row["year"]) and row["year"] != own_year:
                text += f" ({int(row['year'])})"
            return text

        rows.append({"_indicator": panel.indicator, "indicator": panel.title,
                     "region": cell("region"),
                     "year": None if year is None or pd.isna(year) else int(year),
                     "country": "the region is the country" if whole else cell("country"),
                     "EU28": cell("eu"), "source": short_source(panel.indicator, panel.dataset)})
    out = pd.DataFrame(rows)
    out["year"] = out["year"].astype("Int64")
    if ranks is not None:
        out.insert(5, "EU rank", [rank_text(ranks, ind, focus) for ind in out.pop("_indicator")])
    else:
        out = out.drop(columns="_indicator")
    return out


def eu_indicator_ranks(snapshot: pd.DataFrame) -> pd.DataFrame:
    """The key indicators of Figures 1-2 for every EU28 NUTS 2 region, and each region's rank
    among them (1 = highest; ties share the best rank): its latest value up to the briefing's
    year, with that year. The EU-wide step computes it once; an atlas page reads its row."""
    config = ki.load_config()
    codes = set(ci.eu_nuts2(snapshot))
    names = nuts2_names()
    frames = []
    for panel in (*config.figure1.panels, *config.figure2.panels):
        rows = snapshot[(snapshot["indicator"] == panel.indicator) & snapshot["geo"].isin(codes)
                        & (snapshot["year"] <= panel.year) & snapshot["value"].notna()]
        if rows.empty:
            continue
        latest = rows.sort_values(["geo", "year"]).groupby("geo").tail(1)
        frame = pd.DataFrame({"geo": latest["geo"].to_numpy(), "indicator": panel.indicator,
                              "title": panel.title, "year": latest["year"].astype(int).to_numpy(),
                              "value": latest["value"].round(4).to_numpy()})
        frame["rank"] = frame["value"].rank(ascending=False, method="min").astype(int)
        frame["n"] = len(frame)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.insert(1, "name", [names.get(g, "") for g in out["geo"]])
    return out.sort_values(["indicator", "rank", "geo"]).reset_index(drop=True)


def load_eu_indicator_ranks(path: Path | None = None) -> pd.DataFrame:
    """The table :func:`eu_indicator_ranks` the EU-wide step published (``build/runs/eu``).

    Raises:
        DataError: it is missing or unreadable (one line naming the command to run).
    """
    f = Path(path or paths.run_dir(EU_WIDE) / "tables" / "indicators_eu_nuts2.csv")
    try:
        return pd.read_csv(f, dtype={"geo": str, "indicator": str}, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise DataError(f"{f}: the EU-wide indicator table is missing or unreadable "
                        f"({type(exc).__name__}); run 'eocic run' (it computes it once, before "
                        "the regions)") from None


def rank_text(ranks: pd.DataFrame, indicator: str, focus: Region) -> str:
    """A region's rank on an indicator among the EU28 NUTS 2 regions, as a table cell; a
    region of several units has no rank of its own in that table, and says so."""
    if len(focus.nuts2016) != 1:
        return "several NUTS 2 units"
    row = ranks[(ranks["indicator"] == indicator) & (ranks["geo"] == focus.nuts2016[0])]
    if row.empty:
        return MISSING
    return f"{int(row['rank'].iloc[0])} of {int(row['n'].iloc[0])} ({int(row['year'].iloc[0])})"


def composite_values(snapshot: pd.DataFrame, focus: Region, draws: dict[str, Any],
                     config: ci.CompositeConfig | None = None) -> dict[str, Any]:
    """The region's central composite, its rank among the EU NUTS 2 regions (its own units
    ranked as one) and the Monte Carlo interval of that rank (5th-95th percentile)."""
    config = config or ci.load_config()
    total = ci.compute(snapshot, config)["total"]
    pop = ci.population(snapshot)
    own = ci.weighted(total, list(focus.nuts2016), pop)
    mc = ci.mc_ranks(draws, snapshot, focus, config)
    return {
        "composite_total": own,
        "composite_rank_all": ci.rank_among(own, total.drop([c for c in focus.nuts2016
                                                              if c in total.index])),
        "composite_rank_all_p05": mc["rank_all_p05"],
        "composite_rank_all_p95": mc["rank_all_p95"],
        "n_all_regions": mc["n_all"],
        "mc_replications": mc["replications"],
    }


def page_values(focus: Region, composite: dict[str, Any]) -> dict[str, Any]:
    """Every value the atlas's page glues (its keys in ``notebooks/results.yaml``). They carry
    the atlas's prefix: a pilot's ``results.json`` holds its edition's keys too."""
    out: dict[str, Any] = {"atlas_region_name": focus.name,
                           "atlas_region_codes": ", ".join(focus.nuts2016),
                           "atlas_country_name": focus.country_name}
    out.update({f"atlas_{key}": value for key, value in composite.items()})
    out["atlas_composite_sentence"] = composite_sentence(composite)
    return out


def composite_sentence(values: dict[str, Any]) -> str:
    """The composite in one sentence, or why there is none."""
    if values["composite_total"] is None or values["composite_rank_all"] is None:
        return ("The region has no composite: our data hold none of its indicators of "
                "industrial change.")
    return (f"The region scores {format_number(values['composite_total'], '.2f')} on a 0-1 scale "
            f"and ranks {values['composite_rank_all']} of {values['n_all_regions']} EU NUTS 2 "
            f"regions; over {format_number(values['mc_replications'], ',d')} Monte Carlo "
            "replications of the construction choices its rank stays between "
            f"{values['composite_rank_all_p05']} and {values['composite_rank_all_p95']} "
            "(5th-95th percentile).")


def no_candidates_sentence(focus: Region) -> str:
    """What the page says when the data suggest no candidate (too few values, or none clear)."""
    return (f"The data suggest no candidate strength or weakness for {focus.name}: no indicator "
            "we hold for it lies in the top or bottom quartile of the pilot units or clearly "
            "above or below the EU28 without the two pointing opposite ways, or it has too few "
            "values to compare.")

