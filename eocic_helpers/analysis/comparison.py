"""The cross-region comparison: what differs between the pilot regions' runs.

The comparison notebook runs once over all pilots (pseudo-region ``all``) after their own
runs, and reads what those runs produced: each region's ``results.json`` and its tables. It
reports what differs between regions (indicators, composite and typology, each region's own
parameters); content that some regions lack is reported as missing, once, never as rows of
identical blanks. Every key of ``results.json`` is read through the catalogue of results
(:class:`~eocic_helpers.core.results.Results`), which refuses a key no notebook declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from eocic_helpers.analysis.indicators import load_config
from eocic_helpers.core import paths
from eocic_helpers.core.regions import Region
from eocic_helpers.core.results import Results, load_catalogue
from eocic_helpers.outputs.numbers import and_list

MISSING = "no run"


#: Every region's results, by region id
#: (:func:`eocic_helpers.analysis.summary.run_results`).
AllResults = Mapping[str, Mapping[str, Any]]


def _of(results: Mapping[str, Mapping[str, Any]], region_id: str) -> Results:
    """One region's results, read through the catalogue (a plain mapping is wrapped)."""
    res = results.get(region_id)
    return res if isinstance(res, Results) else Results(res)


def run_tables(regions: list[Region], name: str) -> list[tuple[Region, pd.DataFrame]]:
    """The regions whose run produced the table ``tables/<name>.csv``, each with the table."""
    files = [(r, paths.run_dir(r.id) / "tables" / f"{name}.csv") for r in regions]
    return [(r, pd.read_csv(f, keep_default_na=False)) for r, f in files if f.exists()]


def _text(res: Results, key: str) -> str:
    value = res.get(key)
    return MISSING if not res else ("not available" if value in (None, "") else str(value))


def _year(res: Results, key: str) -> str:
    value = res.get(key) if res else None
    return "" if value in (None, "") else str(value)


def indicators_table(regions: list[Region], results: AllResults) -> pd.DataFrame:
    """One row per region: its key indicators as the regional editions show them, each column
    with its year (the year all regions share in the header; a value of another year says
    its own)."""
    columns: dict[str, list[str]] = {"Region": [r.name for r in regions]}
    catalogue = load_catalogue()
    for key, label in load_config().comparison.items():
        year_key = catalogue.require(key).origin.entry.decl.year
        years = [_year(_of(results, r.id), year_key) for r in regions]
        common = max(set(y for y in years if y), key=years.count, default="")
        cells = []
        for r, year in zip(regions, years, strict=True):
            text = _text(_of(results, r.id), key)
            cells.append(f"{text} ({year})" if year and year != common
                         and text not in ("not available", MISSING) else text)
        columns[f"{label[:-1]}, {common})" if common and label.endswith(")")
                else label] = cells
    return pd.DataFrame(columns)


def composite_table(regions: list[Region], results: AllResults) -> pd.DataFrame:
    """One row per region: our composite and its rank range among the pilot units."""
    rows = []
    for r in regions:
        res = _of(results, r.id)
        rank = (f"{res['composite_rank_p05']} to {res['composite_rank_p95']}"
                if "composite_rank_p05" in res else _text(res, "composite_rank_p05"))
        rows.append({"Region": r.name,
                     "Composite index (reconstruction, 0 to 1; indicators of 2017 or the "
                     "latest year before it)": _text(res, "composite_total_text"),
                     "Rank among the pilot units (5-95%)": rank})
    return pd.DataFrame(rows)


def typology_table(regions: list[Region], results: AllResults) -> pd.DataFrame:
    """Every region: the cluster stars the briefing states (unit by unit), the group its
    typology gives (unit by unit), and our reconstruction of the group."""
    rows = [{"Region": r.name,
             "Cluster stars (briefing)": _text(_of(results, r.id), "cluster_stars_text"),
             "Typology (briefing)": _text(_of(results, r.id), "typology_placement_text"),
             "Our reconstruction": _text(_of(results, r.id), "reconstructed_group_text")}
            for r in regions]
    return pd.DataFrame(rows, columns=["Region", "Cluster stars (briefing)",
                                       "Typology (briefing)", "Our reconstruction"])


def parameters_table(regions: list[Region]) -> tuple[pd.DataFrame, list[str]]:
    """The cost parameters that differ between the regions' runs, one column per region.

    Returns:
        The table (parameter label and unit, then one column per region that ran), and the
        labels of the parameters every region shares, so that the text can state them once.
    """
    values: dict[str, dict[str, str]] = {}
    units: dict[str, str] = {}
    tables = run_tables(regions, "cost_parameters")
    ran = [r for r, _ in tables]
    for r, t in tables:
        for row in t.itertuples(index=False):
            values.setdefault(row.parameter, {})[r.name] = str(row.value)
            units[row.parameter] = str(row.unit)
    differ = {k: v for k, v in values.items() if len(set(v.values())) > 1
              or len(v) < len(ran)}
    same = sorted(k for k in values if k not in differ)
    table = pd.DataFrame([{"Parameter": k, "Unit": units[k],
                           **{r.name: v.get(r.name, "not set") for r in ran}}
                          for k, v in differ.items()])
    return table, same


def content_table(regions: list[Region], results: AllResults) -> pd.DataFrame:
    """The regions with briefing content of their own, and which content: from the
    ``content_status`` their ``summary`` notebook published and the flags their chapters
    glued. Regions without any are named in the text, once."""
    def restated(flag: bool) -> str:
        return "restated for the region" if flag else "not restated"

    rows = [{"Region": r.name, "SWOT, PEST and challenges": restated(res.get("has_synthesis")),
             "Interventions and costs": restated(res.get("has_costs")),
             "Action plan": restated(res.get("has_action_plan"))}
            for r in regions if (res := _of(results, r.id)).get("content_status") == "own"]
    return pd.DataFrame(rows, columns=["Region", "SWOT, PEST and challenges",
                                       "Interventions and costs", "Action plan"])


def candidates_matrix(regions: list[Region]) -> pd.DataFrame:
    """Data-driven candidate strengths (S) and weaknesses (W), indicators by regions; only
    indicators that are a candidate somewhere appear."""
    table: dict[str, dict[str, str]] = {}
    tables = run_tables(regions, "swot_candidates")
    for r, c in tables:
        # The columns as the synthesis chapter publishes them (synthesis.CANDIDATE_HEADERS).
        for label, candidate in zip(c["Indicator"], c["Candidate"], strict=True):
            table.setdefault(label, {})[r.name] = "S" if candidate == "strength" else "W"
    return pd.DataFrame([{"Indicator": k, **{r.name: v.get(r.name, "") for r, _ in tables}}
                         for k, v in sorted(table.items())])


def challenges_by_region(regions: list[Region]) -> pd.DataFrame:
    """The challenges of each region that has them written (one row per challenge)."""
    rows = []
    for r, t in run_tables(regions, "challenges"):
        if t.empty:
            continue
        col = "challenge" if "challenge" in t.columns else t.columns[0]
        rows += [{"Region": r.name, "Challenge": str(v)} for v in t[col]]
    return pd.DataFrame(rows, columns=["Region", "Challenge"])


def regions_lacking(regions: list[Region], results: AllResults, flag: str
                    ) -> list[str]:
    """Names of the regions whose run did not glue ``flag`` as true."""
    return [r.name for r in regions if not _of(results, r.id).get(flag)]


def chapter_values(regions: list[Region], results: AllResults) -> dict[str, Any]:
    """Every value the comparison chapter glues (its keys in ``notebooks/results.yaml``): which
    regions have run, have content of their own and stated cluster stars, and whether their
    cost parameters differ."""
    ran = [r for r in regions if _of(results, r.id)]
    no_content = regions_lacking(regions, results, "has_synthesis")
    no_stars = regions_lacking(regions, results, "cluster_stars")
    params, same = parameters_table(regions)
    return {
        "n_regions": len(regions),
        "n_regions_run": len(ran),
        "regions_not_run": and_list([r.name for r in regions if not _of(results, r.id)]),
        "n_regions_with_content": len(regions) - len(no_content),
        "regions_with_content": and_list([r.name for r in regions if r.name not in no_content]),
        "n_regions_without_content": len(no_content),
        "regions_without_stars": and_list(no_stars),
        "n_regions_without_stars": len(no_stars),
        "parameters_note": (f"All {len(ran)} regions that have run keep the briefing's "
                            f"{len(same)} cost parameters. They price the two interventions of "
                            "the Centre-Val de Loire briefing, which only that edition shows; the "
                            "other regions' own 2019 briefings propose other interventions, not "
                            "costed here." if params.empty else
                            f"The other {len(same)} cost parameters are the same in every "
                            "region."),
    }

