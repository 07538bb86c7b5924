"""What changed since the briefing: values then and now, each with its year and source."""

import pytest

from eocic_helpers.analysis import since
from eocic_helpers.core.regions import load_regions, resolve_region
from eocic_helpers.data.snapshot import load_snapshot


@pytest.fixture(scope="module")
def s():
    return load_snapshot()


@pytest.fixture(scope="module")
def cvl_data(s):
    return since.since_data(s, load_regions(), resolve_region("centre-val-de-loire"))


def test_four_indicators_for_every_pilot_with_year_and_source(cvl_data):
    assert list(dict.fromkeys(cvl_data["key"])) == ["gdp", "employment", "tertiary", "high_tech"]
    pilots = cvl_data[cvl_data["kind"] == "pilot"]
    assert pilots.groupby("key").size().eq(10).all()
    ok = cvl_data[cvl_data["status"] == "ok"]
    assert (ok["briefing_year"] == 2017).all() and (ok["latest_year"] > 2017).all()
    assert ok["briefing_source"].str.len().gt(0).all() and ok["latest_source"].str.len().gt(0).all()
    table = since.since_table(cvl_data)
    # every value carries its year, and every row its source(s)
    assert {"briefing year's value (year)", "latest value (year)", "source"} <= set(table.columns)
    shown = table[table["latest value (year)"] != "no value in our data"]
    assert shown["latest value (year)"].str.contains(r"\(20\d\d\)").all()
    assert shown["source"].str.len().gt(0).all()


def test_values_of_the_focus_region(cvl_data):
    own = cvl_data[cvl_data["highlight"]].set_index("key")
    assert own.loc["gdp", ["briefing_value", "latest_value", "latest_year"]].tolist() == [
        28200, 34900, 2023]
    assert own.loc["employment", "briefing_value"] == pytest.approx(65.7)
    assert own.loc["employment", "latest_value"] == pytest.approx(72.2)
    assert own.loc["employment", "latest_year"] == 2024
    assert own.loc["tertiary", "latest_value"] == pytest.approx(38.7)
    assert own.loc["high_tech", "latest_year"] == 2018  # the latest we hold
    assert own.loc["employment", "change"] == pytest.approx(6.5)


def test_no_eu_value_is_invented(cvl_data):
    eu = cvl_data[cvl_data["kind"] == "eu"].set_index("key")
    assert eu.loc["employment", "status"] == "missing"
    assert "no EU or national value" in eu.loc["employment", "note"]
    assert eu.loc["gdp", "name"] == "EU27 (2020 composition)"  # the release has no EU28
    assert eu.loc["gdp", "latest_value"] == 38100
    country = cvl_data[cvl_data["kind"] == "country"]
    assert list(country["key"]) == ["gdp"]  # only where the source has a national row
    assert country["latest_value"].item() == 41300
    sentence = since.since_sentence(cvl_data)
    assert "EUR 28\u00a0200 in 2017 to EUR 34\u00a0900 in 2023" in sentence


def test_multi_unit_region_uses_its_own_aggregate_row(s):
    d = since.since_data(s, load_regions(), resolve_region("lithuania"))
    lt = d[(d["key"] == "gdp") & d["highlight"]].iloc[0]
    assert "own row for LT" in lt["note"] and lt["latest_value"] == 25700
    assert d[d["kind"] == "country"].empty  # the region is the whole country
    assert since.aggregate_codes(resolve_region("saxony")) == ["DED"]


def test_figure_has_a_panel_per_indicator_and_says_what_is_missing(cvl_data):
    fig = since.since_figure(cvl_data)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4
    texts = [t.get_text() for ax in visible for t in ax.texts]
    assert "no value in our data" in texts
    bold = [t.get_text() for ax in visible for t in ax.get_yticklabels()
            if t.get_fontweight() == "bold"]
    assert bold and all(b.startswith("Centre-Val de Loire") for b in bold)
