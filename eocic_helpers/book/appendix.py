"""Generated pages of the editions: the data-and-methods and fidelity appendices, and the
cross-region comparison. Tables come from the data files and the runs' results.json, never
from numbers typed into templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from eocic_helpers.core import paths
from eocic_helpers.core.regions import SEED_REGION, Region, load_regions
from eocic_helpers.outputs.publication import myst_list_table


def results(region_id: str) -> dict[str, Any]:
    f = paths.run_dir(region_id) / "results.json"
    return json.loads(f.read_text("utf-8")) if f.exists() else {}


def data_methods_md() -> str:
    """The data-and-methods appendix, from data/sources.yaml, the snapshot and the configs."""
    from eocic_helpers.analysis import composite, costs
    from eocic_helpers.data.sources import load_sources

    parts = ["# Data and methods", "",
             "Every value of this edition comes from the sources below, through the snapshot "
             "`data/snapshot/*.csv` that `eocic data snapshot --raw DIR` rebuilds "
             "deterministically from the raw files (their sha256 is checked).", "",
             "## Sources", ""]
    rows = []
    for s in load_sources().values():
        files = "; ".join(f"{name} (sha256 {sha[:12]}…)" for name, sha in s.files.items())
        rows.append({"source": s.id, "dataset": s.dataset_code, "vintage": s.vintage,
                     "licence and attribution": f"{s.licence}. {s.attribution}",
                     "raw files": files or "none"})
    parts.append(myst_list_table(pd.DataFrame(rows), "Sources, vintages, licences and checksums.",
                                 "tab-sources"))
    ind = pd.read_csv(paths.SNAPSHOT / "indicators.csv", keep_default_na=False)
    parts += ["## Indicators and transformations", "",
              "NUTS 2013 codes of the pilot areas are recoded to NUTS 2016 (FR24→FRB0, "
              "FR30→FRE1, FR22→FRE2, SI01→SI03, SI02→SI04); LT00 is the whole of Lithuania and "
              "is kept whole. Pilot regions made of several NUTS 2 units are aggregated from "
              "sums where the indicator is a ratio of counts, and otherwise as population-"
              "weighted means. A value missing from the raw data stays missing.", "",
              myst_list_table(ind[["indicator", "label", "unit", "dataset_code", "derivation"]],
                              "Indicators of the snapshot and how each is derived.",
                              "tab-indicators")]
    cfg = composite.load_config()
    unc = cfg.uncertainty
    parts += ["## Composite indicator of industrial change", "",
              " ".join(composite.__doc__.split()), "",
              myst_list_table(pd.DataFrame([
                  {"setting": "replications", "value": unc.replications},
                  {"setting": "seed", "value": unc.seed},
                  {"setting": "Dirichlet concentration", "value": unc.dirichlet_concentration},
                  {"setting": "normalisations", "value": ", ".join(unc.normalisations)},
                  {"setting": "aggregations", "value": ", ".join(unc.aggregations)},
                  {"setting": "outliers left out beyond (sd)", "value": cfg.outlier_sd},
                  {"setting": "latest year used", "value": cfg.max_year}]),
                  "Uncertainty settings of the composite.", "tab-composite-settings"),
              myst_list_table(composite.choices_table(cfg), "Indicators of each dimension.",
                              "tab-composite-choices"),
              "## Cost model", "", " ".join(costs.__doc__.split()), "",
              myst_list_table(costs.parameter_table(costs.defaults())[
                  ["parameter", "value", "unit", "range", "distribution", "source"]],
                  "Cost parameters at their defaults.", "tab-cost-parameters")]
    return "\n".join(parts) + "\n"


def fidelity_md(region: Region) -> str:
    """The fidelity appendix: the briefing's numbers against this run's."""
    from eocic_helpers.data.reference import compare_results, fidelity_table, load_reference

    parts = ["# Fidelity to the briefing", ""]
    if region.id != SEED_REGION:
        parts.append(f"The seed briefing covers Centre-Val de Loire only, so there are no "
                     f"published numbers for {region.name} to compare with.")
        return "\n".join(parts) + "\n"
    res = results(region.id)
    comps = compare_results(res, present_only=False)
    ref = load_reference()
    not_computable = ref[ref["computable"] == "no"]
    parts += ["The briefing's numbers that a computation can reproduce, against this run "
              "(tolerances from `data/reference/briefing_values.csv`).", "",
              myst_list_table(fidelity_table(comps), "The briefing's numbers against ours.",
                              "tab-fidelity"),
              "", "These numbers of the briefing cannot be recomputed from public data here; "
              "they are quoted where used and flagged as such:", "",
              myst_list_table(not_computable.reset_index()[["id", "value", "unit", "where", "note"]],
                              "Numbers quoted, not recomputed.", "tab-not-computable")]
    return "\n".join(parts) + "\n"


# -- cross-region edition -------------------------------------------------------------------

def comparison_tables(regions: list[Region] | None = None) -> dict[str, pd.DataFrame]:
    """Side-by-side tables of all pilots from their results.json (missing runs stay blank)."""
    regions = regions or load_regions()
    key_rows, cost_rows = [], []
    for r in regions:
        res = results(r.id)
        key_rows.append({
            "region": r.name, "GDP per capita (EUR)": res.get("gdp_per_capita_eur_text", ""),
            "rank of 10": res.get("gdp_per_capita_rank", ""),
            "higher-education employees (%)": res.get("tertiary_employed_share_pct_text", ""),
            "manufacturing LQ": res.get("manufacturing_lq_text", ""),
            "high-tech employment (%)": res.get("high_tech_employment_pct_text", ""),
            "composite (reconstruction)": res.get("composite_total_text", ""),
            "composite rank among 17 units (5-95%)": (
                f"{res['composite_rank_p05']}-{res['composite_rank_p95']}"
                if "composite_rank_p05" in res else "")})
        cost_rows.append({
            "region": r.name, "SMEs coached": res.get("n_smes", ""),
            "inter-clustering (EUR/yr)": res.get("inter_clustering_cost_eur_per_year_text", ""),
            "coaching low (EUR/yr)": res.get("coaching_cost_eur_low_text", ""),
            "coaching high (EUR/yr)": res.get("coaching_cost_eur_high_text", ""),
            "Monte Carlo 5-95% (EUR/yr)": (
                f"{res['total_cost_eur_p05_text']} to {res['total_cost_eur_p95_text']}"
                if "total_cost_eur_p05_text" in res else ""),
            "break-even per SME (EUR/yr)": res.get("break_even_value_per_sme_eur_text", "")})
    return {"key": pd.DataFrame(key_rows), "costs": pd.DataFrame(cost_rows)}


def challenges_matrix(regions: list[Region] | None = None) -> pd.DataFrame:
    """Challenges (rows) against the regions that have written content (columns)."""
    from eocic_helpers.analysis.synthesis import load_synthesis

    cols: dict[str, dict[str, str]] = {}
    for r in regions or load_regions():
        s = load_synthesis(r.id)
        if s is not None:
            cols[r.name] = {c.name: "yes" for c in s.challenges}
    if not cols:
        return pd.DataFrame({"challenge": []})
    names = sorted({n for c in cols.values() for n in c})
    return pd.DataFrame([{"challenge": n, **{k: v.get(n, "") for k, v in cols.items()}}
                         for n in names])


def candidates_matrix(regions: list[Region] | None = None) -> pd.DataFrame:
    """Data-driven candidate strengths (S) and weaknesses (W) of all pilots side by side."""
    regions = regions or load_regions()
    table: dict[str, dict[str, str]] = {}
    for r in regions:
        f = paths.run_dir(r.id) / "tables" / "swot_candidates.csv"
        if f.exists():
            c = pd.read_csv(f)
            for row in c.itertuples():
                table.setdefault(row.label, {})[r.name] = "S" if row.candidate == "strength" else "W"
    return pd.DataFrame([{"indicator": k, **{r.name: v.get(r.name, "") for r in regions}}
                         for k, v in sorted(table.items())])


def cross_region_pages(out: Path, regions: list[Region] | None = None) -> list[str]:
    """Write the cross-region edition's pages and figures into ``out``; return the page names."""
    from eocic_helpers.analysis import composite
    from eocic_helpers.analysis import indicators as key_indicators
    from eocic_helpers.data.eocic_values import cluster_stars, load_eocic
    from eocic_helpers.data.snapshot import caption_source, load_snapshot
    from eocic_helpers.outputs.style import set_theme

    set_theme()
    regions = regions or load_regions()
    snap = load_snapshot()
    figs = out / "figures"
    figs.mkdir(parents=True, exist_ok=True)
    nobody = Region.model_construct(id="", name="", country="EU", country_name="",
                                    nuts2016=[], nuts2013=[], units=[])
    f1 = key_indicators.figure1_data(snap, regions, nobody)
    f1 = f1[f1["kind"] != "country"]
    key_indicators.figure1(f1).savefig(figs / "figure1_all.png", metadata={"Software": None})
    f1.to_csv(figs / "figure1_all.csv", index=False)
    res = composite.compute(snap)
    units = composite.pilot_units(regions)
    scores = composite.unit_totals(res["total"], composite.population(snap), units)
    eoc = load_eocic("composite_index").set_index("unit_id")["composite_total"].to_dict()
    f4 = composite.figure4_data(scores, units, cluster_stars(), eoc)
    composite.figure4(f4, nobody).savefig(figs / "figure4_all.png", metadata={"Software": None})
    f4.to_csv(figs / "figure4_all.csv", index=False)
    tables = comparison_tables(regions)
    src1 = caption_source("gdp_per_capita_eur", "tertiary_employed_share_pct", "manufacturing_lq")
    comparison = "\n".join([
        "# The ten pilot regions compared", "",
        "Each row comes from that region's own run (`build/runs/<region>/results.json`).", "",
        myst_list_table(tables["key"], "Key indicators and composite of the ten pilots.",
                        "tab-all-key"), "",
        "```{figure} figures/figure1_all.png", ":name: fig-all-figure1",
        ":alt: Four bar charts ranking the ten pilot regions on GDP per capita, employment "
        "rate (no data), higher-education share of employees and specialisation in "
        "manufacturing, with EU28 reference lines.", ":width: 100%", "",
        f"Selected economic data for the ten pilot regions (briefing Figure 1). Source: {src1}. "
        "Data: {download}`figure1_all.csv <figures/figure1_all.csv>`.", "```", "",
        "```{figure} figures/figure4_all.png", ":name: fig-all-figure4",
        ":alt: Scatter plot of the composite against cluster stars for the pilot units; three "
        "units have star counts from the briefing, the others are on a strip below.",
        ":width: 100%", "",
        f"Composite index of industrial change and cluster stars for the pilot units (briefing "
        f"Figure 4); {composite.HONESTY}. Data: "
        "{download}`figure4_all.csv <figures/figure4_all.csv>`.", "```", "",
        "## Costs under each region's parameters", "",
        myst_list_table(tables["costs"], "Cost model of the two interventions per region.",
                        "tab-all-costs"), "",
        "## Challenges and candidate strengths and weaknesses", "",
        "Only regions with written content have challenges; the seed covers Centre-Val de "
        "Loire.", "",
        myst_list_table(challenges_matrix(regions), "Challenges by region.", "tab-all-challenges"),
        "", myst_list_table(candidates_matrix(regions), "Data-driven candidate strengths (S) "
                            "and weaknesses (W) by region.", "tab-all-candidates")])
    (out / "comparison.md").write_text(comparison + "\n", encoding="utf-8")
    links = ["# Regional editions", "", "```{raw} html", "<ul>"]
    for r in regions:
        links.append(f'<li>{r.name}: <a href="../{r.id}/index.html">HTML</a>, '
                     f'<a href="../../pdf/{r.id}.pdf">PDF</a></li>')
    links += ["</ul>", "```", "", "```{raw} latex", "\\begin{itemize}"]
    links += [f"\\item {_latex_escape(r.name)}: build/site/{r.id}/index.html and "
              f"build/pdf/{r.id}.pdf" for r in regions]
    links += ["\\end{itemize}", "```"]
    (out / "editions.md").write_text("\n".join(links) + "\n", encoding="utf-8")
    return ["comparison", "editions"]


def _latex_escape(text: str) -> str:
    for ch, rep in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"),
                    ("#", r"\#"), ("$", r"\$")):
        text = text.replace(ch, rep)
    return text
