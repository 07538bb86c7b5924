"""The executive summary: it quotes only what the region's run published, through glue."""

from __future__ import annotations

import pytest

from eocic_helpers.analysis import summary as sm
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.core.regions import resolve_region
from eocic_helpers.core.results import load_catalogue

RESULTS = {"gdp_per_capita_eur_text": "27 791", "gdp_per_capita_year": 2017,
           "gdp_per_capita_eur_eu_text": "30 000", "gdp_per_capita_rank_ordinal": "6th",
           "has_synthesis": True, "n_challenges": 2, "challenges_text": "(1) a; (2) b"}


def test_chapter_values_are_declared_copies_of_the_results_quoted():
    region = resolve_region("saxony")
    page = sm.summary(region, RESULTS)
    values = sm.chapter_values(region, page)
    catalogue = load_catalogue()
    assert [k for k in values if catalogue.lookup("summary", k) is None] == []
    assert values["summary_gdp_per_capita_eur_text"] == "27 791"
    assert values["summary_n_challenges"] == 2
    assert "{glue:text}`summary_gdp_per_capita_year`" in page.markdown()
    assert values["content_status"] == "own" and "Saxony" in values["own_briefing_citation"]
    copy = catalogue.lookup("summary", "summary_gdp_per_capita_eur_text")
    assert copy.origin.entry.notebook == "indicators"


def test_a_key_no_notebook_declares_is_refused():
    page = sm.summary(resolve_region("saxony"), {})
    with pytest.raises(ConfigError, match="no notebook declares it"):
        page.num("gdp_per_capita_eur_txt")
