import pytest

from eocic_helpers.analysis import indicators as ki
from eocic_helpers.core.regions import load_regions, resolve_region
from eocic_helpers.data.reference import compare
from eocic_helpers.data.snapshot import load_snapshot


@pytest.fixture(scope="module")
def s():
    return load_snapshot()


@pytest.fixture(scope="module")
def cvl():
    return resolve_region("centre-val-de-loire")


def test_figure1_ranks_all_pilots_and_marks_absent_panels(s, cvl):
    d = ki.figure1_data(s, load_regions(), cvl)
    assert sorted(d["panel"].unique()) == [1, 2, 3, 4]
    gdp = d[(d["panel"] == 1) & (d["kind"] == "pilot")]
    assert len(gdp) == 10 and gdp["highlight"].sum() == 1
    assert gdp.loc[gdp["highlight"], "region"].item() == "centre-val-de-loire"
    rate = d[d["panel"] == 2]
    assert (rate["status"] == "missing").all()
    note = rate["note"].iloc[0]
    assert "not in the data snapshot (Eurostat lfst_r_lfe2emprt)" in note
    assert "eocic" not in note and "`" not in note  # no command line for readers
    eu = d[(d["panel"] == 1) & (d["kind"] == "eu")]
    gdp = s[(s["indicator"] == "gdp_mio_eur") & (s["geo"] == "EU28") & (s["year"] == 2017)]
    avg = s[(s["indicator"] == "population_average") & (s["geo"] == "EU28") & (s["year"] == 2017)]
    assert eu["value"].item() == pytest.approx(gdp["value"].item() * 1e6 / avg["value"].item())


def test_figure1_draws_the_absence_inside_the_panel(s, cvl):
    fig = ki.figure1(ki.figure1_data(s, load_regions(), cvl))
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert any("lfst_r_lfe2emprt" in t for t in texts)
    assert fig.axes[2].get_title(loc="left").endswith(", 2015")  # older than the briefing year
    assert not fig.axes[0].get_title(loc="left").endswith("2017")


def test_figure2_compares_like_years_and_marks_missing(s, cvl):
    d = ki.figure2_data(s, cvl)
    for _, grp in d.groupby("panel"):
        assert grp["year"].nunique() <= 1
    berd = d[(d["indicator"] == "berd_pct_gdp") & (d["kind"] == "country")]
    assert berd["status"].item() == "missing" and berd["note"].item()
    fig = ki.figure2(d)
    assert any("missing" in t.get_text() for ax in fig.axes for t in ax.texts)


def test_section_1_2_numbers_reproduce_the_briefing(s, cvl):
    v = ki.glue_values(s, load_regions(), cvl)
    assert compare("gdp_per_capita_eur", v["gdp_per_capita_eur"]).agrees
    assert compare("gdp_per_capita_eur_country", v["gdp_per_capita_eur_country"]).agrees
    assert compare("gdp_per_capita_eur_eu", v["gdp_per_capita_eur_eu"]).agrees
    assert v["gdp_per_capita_rank"] == 6
    assert v["gdp_per_capita_ahead"] == (
        "North-Middle Sweden, East & North Finland, Piemonte, Saxony, Wallonia")
    assert v["tertiary_employed_share_year"] == 2015
    for key in ("tertiary_employed_share_pct", "tertiary_employed_share_pct_country",
                "tertiary_employed_share_pct_eu"):
        assert compare(key, v[key]).agrees, key
    assert v["employment_rate_pct"] is None


def test_fidelity_shows_the_year_difference(s, cvl):
    comps = ki.fidelity(ki.glue_values(s, load_regions(), cvl))
    tert = next(c for c in comps if c.id == "tertiary_employed_share_pct")
    assert "2015" in tert.note and "2017" in tert.note


def test_qualitative_claims(s, cvl):
    v = ki.glue_values(s, load_regions(), cvl)
    claims = ki.qualitative_claims(v, ki.figure2_data(s, cvl)).set_index(
        "claim (briefing section 1.2)")["our data"]
    assert claims.iloc[0] == "holds"  # neither France nor the region specialised
    assert claims.iloc[1] == "holds"  # high-tech employment below EU and France
    assert claims.iloc[2].startswith("does not hold (vs EU only")


@pytest.mark.parametrize("region", [r.id for r in load_regions()])
def test_every_pilot_gets_its_values(s, region):
    v = ki.glue_values(s, load_regions(), resolve_region(region))
    assert v["gdp_per_capita_rank"] in range(1, 11)
    assert v["tertiary_employed_share_pct"] is not None


def test_ordinal_and_words():
    assert [ki.ordinal(n) for n in (1, 2, 3, 4, 11, 22)] == ["1st", "2nd", "3rd", "4th", "11th",
                                                            "22nd"]
    assert ki.comparison_word(1, 2) == "below" and ki.comparison_word(None, 2).startswith("not")
    config = ki.load_config()
    assert [p.indicator for p in config.figure1.panels] == [
        "gdp_per_capita_eur", "employment_rate_pct", "tertiary_employed_share_pct",
        "industry_lq"]
    assert config.briefing_year == 2017
