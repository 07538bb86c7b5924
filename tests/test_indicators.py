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
    wallonia = resolve_region("wallonia")
    v = region_value(s, "high_tech_sectors_emp_pct", wallonia)
    vals = [lookup(s, "high_tech_sectors_emp_pct", c, v.year).value for c in wallonia.nuts2016]
    assert min(vals) <= v.value <= max(vals)
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
