import pandas as pd
import pytest

from eocic_helpers.core.regions import resolve_region
from eocic_helpers.data.lookup import lookup, rank_desc, region_value
from eocic_helpers.data.snapshot import load_snapshot


@pytest.fixture(scope="module")
def s():
    return load_snapshot()


def test_multi_unit_region_is_a_ratio_of_sums(s):
    saxony = resolve_region("saxony")
    gdp = sum(lookup(s, "gdp_mio_eur", c, 2017).value for c in saxony.nuts2016)
    # Eurostat's definition: GDP over the AVERAGE population of the year
    pop = sum(lookup(s, "population_average", c, 2017).value for c in saxony.nuts2016)
    v = region_value(s, "gdp_per_capita_eur", saxony, 2017)
    assert v.value == pytest.approx(gdp * 1e6 / pop)
    assert "ratio of sums" in v.note


def test_shares_are_population_weighted(s):
    """Wallonia's high-tech share is its units' shares weighted by their population of the
    same year (1 January), and the weights change the answer: the plain mean of the five
    units is another number (small Walloon Brabant has the highest share)."""
    wallonia = resolve_region("wallonia")
    v = region_value(s, "high_tech_sectors_emp_pct", wallonia)
    vals = [lookup(s, "high_tech_sectors_emp_pct", c, v.year).value for c in wallonia.nuts2016]
    pops = [lookup(s, "population", c, v.year) for c in wallonia.nuts2016]
    assert len(vals) == 5 and all(p.year == v.year for p in pops)
    weighted = sum(x * p.value for x, p in zip(vals, pops, strict=True)) / sum(
        p.value for p in pops)
    unweighted = sum(vals) / len(vals)
    assert abs(weighted - unweighted) > 0.1  # the case tells the two apart
    assert v.value == pytest.approx(weighted, rel=1e-12)
    assert v.value != pytest.approx(unweighted, abs=0.1)
    assert "population-weighted" in v.note


def test_lithuania_uses_the_whole_country_code_in_2013_data(s):
    v = region_value(s, "tertiary_employed_share_pct", resolve_region("lithuania"))
    assert v.value == pytest.approx(lookup(s, "tertiary_employed_share_pct", "LT00").value)


def test_missing_stays_missing(s):
    v = region_value(s, "ris2019_index", resolve_region("centre-val-de-loire"))  # blank for FR
    assert v.missing


def test_rank_desc():
    t = pd.DataFrame({"region": ["a", "b", "c"], "name": ["A", "B", "C"], "value": [1, 3, None]})
    assert rank_desc(t, "a") == (2, ["B"])
    assert rank_desc(t, "c") == (None, [])


@pytest.mark.parametrize("region", ["saxony", "wallonia", "hauts-de-france", "slovenia"])
def test_quotient_of_a_multi_unit_region_comes_from_summed_counts(s, region):
    r = resolve_region(region)
    ind = sum(lookup(s, "industry_employment_ths", c, 2015).value for c in r.nuts2016)
    tot = sum(lookup(s, "employment_ths", c, 2015).value for c in r.nuts2016)
    eu = lookup(s, "industry_share_pct", "EU28", 2015).value
    v = region_value(s, "industry_lq", r, 2015)
    assert v.value == pytest.approx(ind / tot * 100 / eu)
    assert "summed counts" in v.note


def test_business_share_of_rd_of_a_multi_unit_region_is_a_ratio_of_sums(s):
    saxony = resolve_region("saxony")
    bes = sum(lookup(s, "berd_mio_eur", c, 2017).value for c in saxony.nuts2016)
    tot = sum(lookup(s, "gerd_mio_eur", c, 2017).value for c in saxony.nuts2016)
    assert region_value(s, "berd_share_gerd_pct", saxony, 2017).value == pytest.approx(
        bes / tot * 100)


def test_the_rank_clause_is_true_for_the_first_region():
    """A region ranked first is not "behind none" (issue 33): the clause says no pilot is ahead."""
    from eocic_helpers.analysis.indicators import ahead_clause

    assert ahead_clause("none") == ", ahead of every other pilot region"
    assert ahead_clause("") == ", ahead of every other pilot region"
    assert ahead_clause("Saxony, Piemonte") == ", behind Saxony, Piemonte"
