import pytest

from eocic_helpers.core.errors import DataError
from eocic_helpers.data.reference import compare, fidelity_table, load_reference


def test_reference_values_carry_where_and_tolerance():
    ref = load_reference()
    assert ref.loc["gdp_per_capita_eur", "value"] == 27800
    assert ref.loc["inter_clustering_cost_eur_per_year", "value"] == 78000
    assert ref.loc["coaching_audit_eur_low", "value"] == 70000
    assert ref.loc["industrial_jobs_lost_2012_2016", "value"] == 10000
    assert (ref["where"] != "").all()


def test_relative_tolerance():
    assert compare("gdp_per_capita_eur", 27791).agrees
    assert not compare("gdp_per_capita_eur", 28200).agrees  # 1.4 % off


def test_absolute_and_exact():
    assert compare("tertiary_employed_share_pct", 34.72).agrees
    assert not compare("tertiary_employed_share_pct", 35.6).agrees
    assert compare("gdp_per_capita_rank", 6).agrees and not compare("gdp_per_capita_rank", 7).agrees


def test_not_computable_is_said_not_hidden():
    c = compare("industrial_jobs_lost_2012_2016", None)
    assert c.agrees is None and "not computable" in c.note
    table = fidelity_table([c])
    assert table.loc[0, "verdict"] == "n/a"


def test_unknown_reference():
    with pytest.raises(DataError, match="unknown reference value"):
        compare("nope", 1)
