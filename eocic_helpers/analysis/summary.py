"""The executive summary: one page on the region's position, challenges, strategy,
interventions with their costs, and the plan.

It runs after the region's other notebooks and reads only what they published
(``results.json``), so it can say nothing that the edition does not show. A part the region's
own content does not define (interventions, costs, plan) is not summarised: the page says
where it stands instead, and never borrows Centre-Val de Loire's.

Every number reaches the page through glue: :class:`Summary` records each value under a key
and writes a ``{glue:text}`` role in its place. The run's results are read through the
catalogue of results (:class:`~eocic_helpers.core.results.Results`): a key no notebook
declares is refused, and each key the page quotes is glued as ``summary_<key>``, a copy the
catalogue declares by that pattern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eocic_helpers.analysis.briefings import citation
from eocic_helpers.analysis.indicators import is_whole_country
from eocic_helpers.core import paths
from eocic_helpers.core.regions import Region
from eocic_helpers.core.results import Results, read_results
from eocic_helpers.outputs.escape import myst_text


def run_results(region_id: str) -> Results:
    """The region's merged ``results.json`` (empty when absent or unreadable), read through
    the catalogue of results."""
    return read_results(paths.run_dir(region_id) / "results.json")


@dataclass
class Summary:
    """Paragraphs of MyST text whose numbers are glue roles, and the values to glue."""

    results: Mapping[str, Any]
    values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.results, Results):
            self.results = Results(self.results)
    paragraphs: list[str] = field(default_factory=list)

    def num(self, key: str, name: str | None = None) -> str:
        """A glue role for ``results[key]``, recorded to be glued under ``summary_<name>``."""
        glued = f"summary_{name or key}"
        self.values[glued] = self.results[key]
        return f"{{glue:text}}`{glued}`"

    def has(self, *keys: str) -> bool:
        return all(self.results.get(k) not in (None, "") for k in keys)

    def add(self, *parts: str) -> None:
        text = " ".join(p for p in parts if p)
        if text:
            self.paragraphs.append(text)

    def markdown(self) -> str:
        return "\n\n".join(self.paragraphs) + "\n"


def _position(s: Summary, region: Region) -> None:
    t = myst_text
    name = t(region.name)
    parts = []
    if s.has("gdp_per_capita_eur_text", "gdp_per_capita_year", "gdp_per_capita_eur_eu_text"):
        comparison = f"against EUR {s.num('gdp_per_capita_eur_eu_text')} for the EU28"
        if not is_whole_country(region) and s.has("gdp_per_capita_eur_country_text"):
            comparison += (f" and EUR {s.num('gdp_per_capita_eur_country_text')} for "
                           f"{t(region.country_name)}")
        parts.append(f"In {s.num('gdp_per_capita_year')}, {name} produced EUR "
                     f"{s.num('gdp_per_capita_eur_text')} of gross domestic product per "
                     f"inhabitant, {comparison}.")
        if s.has("gdp_per_capita_rank_ordinal"):
            parts.append(f"It ranks {s.num('gdp_per_capita_rank_ordinal')} of the ten pilot "
                         "regions on this measure.")
    # Each value with its own year: the series end in different years (industry in 2015).
    if s.has("tertiary_employed_share_pct_text", "tertiary_employed_share_pct_eu_text",
             "tertiary_employed_share_year"):
        parts.append(f"In {s.num('tertiary_employed_share_year')}, "
                     f"{s.num('tertiary_employed_share_pct_text')}% of those in work held a "
                     f"higher-education degree (EU28 "
                     f"{s.num('tertiary_employed_share_pct_eu_text')}%).")
    if s.has("industry_lq_text", "industry_lq_year"):
        parts.append(f"Its specialisation in industry (NACE B-E) was "
                     f"{s.num('industry_lq_text')} in {s.num('industry_lq_year')}, the last "
                     "year of that series, where 1 is the EU28 share.")
    if s.has("composite_rank_all_text", "n_all_regions", "composite_rank_all_p05_text",
             "composite_rank_all_p95_text"):
        parts.append(f"On our open composite of industrial change it ranks "
                     f"{s.num('composite_rank_all_text')} of {s.num('n_all_regions')} in the EU "
                     f"(between {s.num('composite_rank_all_p05_text')} and "
                     f"{s.num('composite_rank_all_p95_text')} as the construction choices vary).")
    s.add(*parts)


def _content(s: Summary, region: Region) -> None:
    t = myst_text
    name = t(region.name)
    if s.results.get("has_synthesis") and s.has("n_challenges", "challenges_text"):
        s.add(f"The analysis of strengths, weaknesses, opportunities and threats leads to "
              f"{s.num('n_challenges')} challenges: {t(s.results['challenges_text'])}.")
    if s.results.get("has_strategy") and s.has("n_specific_objectives", "n_interventions"):
        s.add(f"The strategy answers them with {s.num('n_specific_objectives')} specific "
              f"objectives and {s.num('n_interventions')} interventions.")
    if s.results.get("has_costs") and s.has("inter_clustering_cost_eur_per_year_text",
                                           "coaching_cost_eur_low_text",
                                           "coaching_cost_eur_high_text", "n_smes"):
        s.add(f"The briefing prices its two interventions: EUR "
              f"{s.num('inter_clustering_cost_eur_per_year_text')} a year for inter-clustering, "
              f"and EUR {s.num('coaching_cost_eur_low_text')} to EUR "
              f"{s.num('coaching_cost_eur_high_text')} for coaching {s.num('n_smes')} SMEs (our "
              "sum of its ranges for audits and follow-up; it gives this cost no period). How "
              "far these costs can move is shown with them in chapter 4.")
    if s.results.get("has_action_plan") and s.has("n_actions"):
        s.add(f"The action plan sets out {s.num('n_actions')} actions with their owners and "
              "timing (chapter 5).")
    if content_status(s.results) == "data-only":
        s.add(f"This edition shows what the data say of {name}. Its challenges, strategy, "
              "interventions, their costs and its action plan are in its own 2019 briefing, "
              "cited in the introduction; this reproduction restates only the Centre-Val de "
              "Loire briefing.")


def content_status(results: Mapping[str, Any]) -> str:
    """``"own"`` when the region's run used briefing content written for it (any chapter
    shows content of its own), else ``"data-only"``. The book and the cross-region edition
    read this value from ``results.json``; they do not decide it themselves."""
    own = any(results.get(k) for k in ("has_synthesis", "has_strategy", "has_recommendations",
                                   "has_costs", "has_action_plan", "has_study"))
    return "own" if own else "data-only"


def summary(region: Region, results: Mapping[str, Any]) -> Summary:
    """The executive summary of one regional edition, from its run's results."""
    s = Summary(results)
    _position(s, region)
    _content(s, region)
    return s


def chapter_values(region: Region, page: Summary) -> dict[str, Any]:
    """Every value the summary glues (its keys in ``notebooks/results.yaml``): the copies the
    page quotes (``summary_<key>``), whether the run used content of the region's own, and the
    citation of the region's own 2019 briefing."""
    return {**page.values, "content_status": content_status(page.results),
            "own_briefing_citation": citation(region.id, region.name)}

