import pytest

from eocic_helpers.analysis import indicators as ki
from eocic_helpers.core.regions import load_regions, resolve_region
from eocic_helpers.data.reference import compare, section_1_2_comparisons
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
    pilots = rate[rate["kind"] == "pilot"]
    assert len(pilots) == 10 and (pilots["status"] == "ok").all() and (pilots["year"] == 2017).all()
    assert pilots.loc[pilots["highlight"], "value"].item() == pytest.approx(65.7)
    eu_rate = rate[rate["kind"] == "eu"]
    assert eu_rate["status"].item() == "missing"  # tgs00007 has regions only: not approximated
    note = eu_rate["note"].item()
    assert "no EU value in our data (Eurostat tgs00007" in note
    assert "eocic" not in note and "`" not in note  # no command line for readers
    eu = d[(d["panel"] == 1) & (d["kind"] == "eu")]
    gdp = s[(s["indicator"] == "gdp_mio_eur") & (s["geo"] == "EU28") & (s["year"] == 2017)]
    avg = s[(s["indicator"] == "population_average") & (s["geo"] == "EU28") & (s["year"] == 2017)]
    assert eu["value"].item() == pytest.approx(gdp["value"].item() * 1e6 / avg["value"].item())


def test_figure1_draws_the_absence_inside_the_panel(s, cvl):
    fig = ki.figure1(ki.figure1_data(s, load_regions(), cvl))
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert "EU28: none in our data" in legend
    assert fig.axes[1].get_title(loc="left").startswith("Employment rate, aged 15-64")
    title = fig.axes[2].get_title(loc="left").replace("\n", " ")
    assert ", 2015" in title  # older than the briefing year, and the series' last
    assert title.endswith("(the series ends in that year)")
    assert "ends in that year" in fig.axes[3].get_title(loc="left").replace("\n", " ")
    assert not fig.axes[0].get_title(loc="left").endswith("2017")


def test_figure2_compares_like_years_and_marks_missing(s, cvl):
    d = ki.figure2_data(s, cvl)
    for _, grp in d.groupby("panel"):
        region_year = grp.loc[grp["kind"] == "region", "year"].item()
        other = grp[grp["year"] != region_year]
        # another year only where the panel allows it, and the bar says so
        assert other["note"].str.contains(f"no {region_year} value").all()
    berd = d[(d["indicator"] == "berd_pct_gdp") & (d["kind"] == "country")]
    assert berd["status"].item() == "missing" and berd["note"].item()
    share = d[d["indicator"] == "berd_share_gerd_pct"].set_index("kind")
    assert (share["status"] == "ok").all() and (share["year"] == 2013).all()
    staff_eu = d[(d["indicator"] == "berd_personnel_pct_emp") & (d["kind"] == "eu")]
    assert staff_eu["status"].item() == "ok" and staff_eu["year"].item() == 2014
    # the briefing's nine bars (three panels x region, country, EU): eight now drawn
    briefing = d[d["indicator"].isin(["high_tech_sectors_emp_pct", "berd_share_gerd_pct",
                                      "berd_personnel_pct_emp"])]
    assert (briefing["status"] == "ok").sum() == 8
    fig = ki.figure2(d)
    assert any("missing" in t.get_text() for ax in fig.axes for t in ax.texts)
    labels = [t.get_text() for t in fig.axes[3].get_yticklabels()]
    assert "EU28 (2014)" in labels


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
    assert v["employment_rate_pct"] == pytest.approx(65.7)
    assert v["employment_rate_pct_eu"] is None  # no EU row in tgs00007


def test_fidelity_shows_the_year_difference(s, cvl):
    comps = section_1_2_comparisons(ki.glue_values(s, load_regions(), cvl))
    tert = next(c for c in comps if c.id == "tertiary_employed_share_pct")
    assert "2015" in tert.note and "2017" in tert.note


def test_qualitative_claims(s, cvl):
    """Every part of section 1.2's statements, one comparator each, with the comparison made."""
    v = ki.glue_values(s, load_regions(), cvl)
    t = ki.qualitative_claims(v, ki.figure2_data(s, cvl)).set_index(
        "claim (briefing section 1.2)")
    verdict = t["verdict"]
    # our comparison, as the verdict states it: the briefing's when it holds, else named
    found = {claim: (t.loc[claim, "the briefing says"] if v == "holds" else
                     v.removeprefix("does not hold (ours: ").removesuffix(")"))
             for claim, v in verdict.items()}

    # "GDP per capita and employment rates close to the median of the 10 pilots, below the EU"
    assert found["GDP per capita close to the median of the pilot regions"] == "close to"
    assert verdict["GDP per capita close to the median of the pilot regions"] == "holds"
    assert found["GDP per capita below the EU level"] == "below"
    assert verdict["GDP per capita below the EU level"] == "holds"
    rate = "Employment rate close to the median of the pilot regions"
    assert found[rate] == "close to" and verdict[rate] == "holds"
    assert t.loc[rate, "region"] == "65.7" and t.loc[rate, "its value"] == "66.5"
    assert "15-64" in t.loc[rate, "measure (our data)"]
    eu_rate = verdict["Employment rate below the EU level"]
    assert eu_rate.startswith("n/a (our data hold no EU value") and "approximated" in eu_rate
    # manufacturing: region and country each below 1 (industry B-E, the series ends in 2015)
    for who in ("region", "country"):
        claim = f"The {who} is not specialised in manufacturing"
        assert found[claim] == "below" and verdict[claim] == "holds"
        assert "ends in 2015" in t.loc[claim, "measure (our data)"]
    assert verdict["High-tech employment share below the national average"] == "holds"
    assert verdict["High-tech employment share below the EU average"] == "holds"
    # the briefing's measure of business R&D: BES share of GERD, FR24 2013, above FR and EU28
    for who in ("national", "EU"):
        claim = f"Business sector's share of R&D expenditure above the {who} average"
        assert found[claim] == "above" and verdict[claim] == "holds"
        assert "2013" in t.loc[claim, "measure (our data)"]
    assert t.loc["Business sector's share of R&D expenditure above the EU average",
                 "its value"] == "63.9"
    # BERD as % of GDP is kept, labelled as a second measure: below the EU28
    berd_eu = next(c for c in t.index if c.startswith("Business R&D expenditure above the EU"))
    assert "not the briefing's" in berd_eu and verdict[berd_eu] == "does not hold (ours: below)"
    # R&D personnel against the EU28's 2014 value (none for 2013)
    staff = "Business R&D personnel below the EU average"
    assert verdict[staff] == "holds" and "2014" in t.loc[staff, "against"]
    assert verdict["Business R&D personnel below the national average"].startswith("n/a")


def test_claim_rows_check_the_comparison_not_only_the_magnitude():
    assert ki.claim_row("i", "c", "m", 10.0, 9.9, "x", "below")["verdict"] == "does not hold (ours: above)"
    assert ki.claim_row("i", "c", "m", 10.0, 10.4, "x", "close to", close_within=0.05)["verdict"] == "holds"
    assert ki.claim_row("i", "c", "m", 10.0, 11.0, "x", "close to",
                        close_within=0.05)["verdict"] == "does not hold (ours: below)"
    assert ki.claim_row("i", "c", "m", None, 1.0, "x", "below")["verdict"].startswith("n/a")


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
        "gdp_per_capita_eur", "employment_rate_15_64_pct", "tertiary_employed_share_pct",
        "industry_lq"]
    assert config.briefing_year == 2017


def _declared(notebook, values):
    from eocic_helpers.core.results import load_catalogue

    catalogue = load_catalogue()
    return [k for k in values if catalogue.lookup(notebook, k) is None]


def test_chapter_values_are_the_declared_keys_with_their_words(s, cvl):
    from eocic_helpers.core.results import load_catalogue

    values = ki.glue_values(s, load_regions(), cvl)
    v = ki.chapter_values(values, since_sentence="Since 2017, ...",
                          comparisons=section_1_2_comparisons(values))
    assert _declared("indicators", v) == []
    required = load_catalogue().unglued("indicators", {})
    # one mapping carries every key the chapter glues (the texts come with glue_all)
    assert set(required) - set(v) == {k + "_text" for k in v} & set(required)
    assert v["since_sentence"] == "Since 2017, ..."
    assert 0 < v["fidelity_agree"] <= v["fidelity_total"] == len(section_1_2_comparisons(values))
    assert v["gdp_per_capita_rank_ordinal"] == "6th" and v["close_within_pct"] == "5%"
    assert v["gdp_vs_median"] == "close to" and v["gdp_vs_eu"] == "below"
    assert v["gdp_country_clause"].startswith("below the national figure (EUR ")
    assert v["tertiary_country_clause"].endswith("%)")
    assert v["industry_country_clause"].startswith("country: ")
    assert v["berd_share_sentence"].startswith("In ")


def test_a_whole_country_region_says_so_instead_of_comparing_with_itself(s):
    from eocic_helpers.core.results import Unavailable

    lt = resolve_region("lithuania")
    values = ki.glue_values(s, load_regions(), lt)
    values["industry_lq_country"] = None
    v = ki.chapter_values(values, since_sentence="")
    assert "fidelity_total" not in v  # no numbers of Lithuania's are published
    assert v["industry_lq_country"] == Unavailable(ki.WHOLE_COUNTRY_MISSING)
    assert v["industry_country_clause"] == "the region is the whole country"
    assert v["gdp_country_clause"].startswith("the region is the whole country")
    values["region_is_country"] = False  # a region whose country has no value: plain missing
    assert ki.chapter_values(values, since_sentence="")["industry_country_clause"] == "country: not available"
