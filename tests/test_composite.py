import numpy as np
import pandas as pd
import pytest

from eocic_helpers.analysis import composite as ci
from eocic_helpers.analysis import composite_chapter as chapter
from eocic_helpers.core.regions import resolve_region
from eocic_helpers.data.eocic_values import load_eocic
from eocic_helpers.data.snapshot import load_snapshot


@pytest.fixture(scope="module")
def s():
    return load_snapshot()


@pytest.fixture(scope="module")
def result(s):
    return ci.compute(s)


def test_minmax_excludes_outliers_when_setting_bounds():
    x = np.array([[float(i)] for i in range(20)] + [[1000.0]])
    n = ci.normalise(x)
    assert n[-1, 0] == 1.0 and n[0, 0] == 0.0
    assert n[19, 0] == pytest.approx(1.0)  # 19 is the max once 1000 is left out
    z = ci.normalise(np.array([[1.0], [2.0], [3.0]]), "zscore")
    assert z.mean() == pytest.approx(0)


def test_aggregate_skips_missing_and_reports_no_data():
    scores = np.array([[0.2, np.nan, 0.8], [np.nan, np.nan, np.nan]])
    membership = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0]])
    dims, total = ci.aggregate(scores, np.ones(3), np.ones(3), membership)
    assert dims[0, 0] == pytest.approx(0.2) and dims[0, 1] == pytest.approx(0.8)
    assert np.isnan(dims[0, 2])  # a dimension with no indicator is no data, never 0
    assert total[0] == pytest.approx(0.5)
    assert np.isnan(total[1])
    _, geo = ci.aggregate(scores, np.ones(3), np.ones(3), membership, "geometric")
    assert geo[0] < total[0]


def test_scores_are_0_to_1_over_all_eu_nuts2(result):
    total = result["total"].dropna()
    assert len(total) > 250
    assert total.between(0, 1).all()
    assert result["covered"] == ["innovative_economy", "emerging_technologies", "digitalisation",
                                 "firm_investments"]
    assert result["dimensions"]["entrepreneurship"].isna().all()


def test_monte_carlo_is_seeded_and_gives_intervals(s):
    cvl = resolve_region("centre-val-de-loire")
    a = ci.mc_ranks(ci.mc_draws(s, replications=200), s, cvl)
    b = ci.mc_ranks(ci.mc_draws(s, replications=200), s, cvl)
    assert np.array_equal(a["rank_all"], b["rank_all"])
    assert 1 <= a["rank_units_p05"] <= a["rank_units_p95"] <= a["n_units"] == 17
    assert a["rank_all_p05"] <= a["rank_all_p95"] <= a["n_all"]


def test_the_shared_draws_give_each_region_the_ranks_of_its_own_monte_carlo(s, tmp_path):
    """A run computes the EU-wide draws once (eu_tables) and each region ranks itself in them:
    the outcome is exactly that of a region's own full Monte Carlo, through the .npy files."""
    draws = ci.mc_draws(s, replications=300)
    ci.save_draws(draws, tmp_path)
    loaded = ci.load_draws(tmp_path)
    for region in ("centre-val-de-loire", "lithuania", "saxony"):
        focus = resolve_region(region)
        own = ci.mc_ranks(ci.mc_draws(s, replications=300), s, focus)
        shared = ci.mc_ranks(loaded, s, focus)
        assert own.keys() == shared.keys()
        for key, value in own.items():
            if isinstance(value, np.ndarray):
                assert np.array_equal(value, shared[key], equal_nan=True), key
            else:
                assert value == shared[key], key
    table = ci.eu_table(s, loaded)
    frb0 = table.set_index("geo").loc["FRB0"]  # Centre-Val de Loire is one NUTS 2 region
    mc = ci.mc_ranks(loaded, s, resolve_region("centre-val-de-loire"))
    assert (frb0["rank_p05"], frb0["rank_p95"]) == (mc["rank_all_p05"], mc["rank_all_p95"])
    assert frb0["name"] == "Centre — Val de Loire" or frb0["name"]
    assert table["rank"].dropna().is_monotonic_increasing


def test_missing_shared_draws_are_one_clear_line(tmp_path):
    from eocic_helpers.core.errors import DataError

    with pytest.raises(DataError, match="composite_mc_totals.npy.*run 'eocic run'"):
        ci.load_draws(tmp_path)


@pytest.mark.parametrize(
    ("stars", "composite", "group"),
    [(49, 0.45, 1),   # Centre-Val de Loire: 49 stars, composite below 0.5 (section 1.2)
     (69, 0.45, 1),   # Piemonte: 69 stars, group 1
     (40, 0.751, 3),  # Walloon Brabant: 40 stars, composite 0.751
     (20, 0.55, 2),   # group 2: fewer than 35 stars, below 0.6
     (40, 0.55, None), (None, 0.45, None), (49, None, None)],
)
def test_typology_matches_the_briefings_memberships(stars, composite, group):
    assert ci.typology(stars, composite) == group


def test_figures_and_claims(s, result):
    cvl = resolve_region("centre-val-de-loire")
    f3 = chapter.figure3_data(result, s, cvl)
    assert set(f3["geo"]) == {"Centre-Val de Loire", "France", "EU28"}
    assert (f3[f3["dimension"] == "creativity"]["status"] == "no data").all()
    assert any("no data" in t.get_text() for t in chapter.figure3(f3).axes[0].texts)
    pop = ci.population(s)
    units = ci.pilot_units()
    assert len(units) == 17
    f4 = chapter.figure4_data(ci.unit_totals(result["total"], pop, units), units,
                         {"FRB0": 49, "ITC1": 69, "BE31": 40}, {"BE31": 0.751})
    assert f4.set_index("unit_id").loc["BE31", "briefing_composite"] == 0.751
    assert f4["cluster_stars"].notna().sum() == 3  # the others are not put at zero
    shown = " ".join(t.get_text() for ax in chapter.figure4(f4, cvl).axes
                     for t in [*ax.texts, *ax.get_xticklabels(), *ax.get_yticklabels()])
    assert "Centre-Val de Loire" in " ".join(shown.split())  # labels may wrap
    claims = chapter.claims(f3, cvl)
    assert len(claims) == 4 and claims.iloc[:, 1].str.len().gt(0).all()
    choices = chapter.choices_table()
    assert list(choices.columns) == ["dimension", "indicator", "direction", "transform", "reason"]
    assert choices["reason"].str.len().gt(0).all()


def test_a_tie_is_not_does_not_hold():
    from eocic_helpers.analysis.composite_chapter import majority_verdict

    assert majority_verdict(4, 8) == "undecided (a tie)"
    assert majority_verdict(5, 8) == "holds"
    assert majority_verdict(3, 8) == "does not hold"
    assert majority_verdict(0, 0).startswith("n/a")


def test_central_composite_obeys_its_coverage_rule():
    from eocic_helpers.analysis import composite as ci
    from eocic_helpers.data.snapshot import load_snapshot

    s = load_snapshot()
    config = ci.load_config()
    assert config.missing_rule == "coverage"
    result = ci.compute(s, config)  # the central case
    coverage = ci.dimension_coverage(ci.indicator_matrix(s, config)[0], config)
    for dim in result["entering"]:
        assert coverage[dim] >= config.min_dimension_coverage, dim
    assert "digitalisation" not in result["entering"]  # 58 % coverage


def test_uncertainty_is_reported_by_source_and_mode():
    from eocic_helpers.analysis import composite as ci
    from eocic_helpers.core.regions import resolve_region
    from eocic_helpers.data.snapshot import load_snapshot

    s = load_snapshot()
    mc = ci.mc_ranks(ci.mc_draws(s, replications=2000), s, resolve_region("centre-val-de-loire"))
    shares = ci.variance_by_source(mc).set_index("source")["share"]
    assert shares.sum() == pytest.approx(1.0)
    assert shares["rule for missing dimensions"] > 0.6  # the rule dominates
    assert shares["normalisation-aggregation pair"] < 0.2
    modes = ci.rank_modes(mc).set_index("rule")
    # two separate modes: the coverage rule's interval lies wholly above (better than) the other
    assert modes.loc["coverage", "p95"] < modes.loc["reweight", "p05"]
    table = chapter.variance_table(mc)
    assert table["what"].str.contains("share of the rank variance").sum() == 3
    assert table["what"].str.contains("5th-95th percentile, when").sum() == 2


def test_cronbach_alpha_per_dimension():
    import numpy as np

    from eocic_helpers.analysis import composite as ci
    from eocic_helpers.data.snapshot import load_snapshot

    x = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 5.0]])
    assert ci.cronbach_alpha(x) == pytest.approx(2 * (1 - (1 + 7 / 3) / (19 / 3)))
    assert ci.standardised_alpha(np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])) == pytest.approx(1)
    t = ci.consistency_table(load_snapshot()).set_index("dimension")
    assert t.loc["New and emerging technologies", "alpha"] == pytest.approx(0.46, abs=0.01)
    assert pd.isna(t.loc["Digitalisation", "alpha"])  # one indicator: not defined


def test_reference_years_show_where_they_mix():
    from eocic_helpers.analysis import composite as ci
    from eocic_helpers.core.regions import resolve_region
    from eocic_helpers.data.snapshot import indicators, load_snapshot

    t = ci.reference_years(load_snapshot(), resolve_region("centre-val-de-loire"))
    t["indicator"] = t["indicator"].map({v.label: k for k, v in indicators().items()})  # shown as labels
    t = t.set_index("indicator")
    assert t.loc["berd_pct_gdp", "year for the region"] == "2013"
    assert t.loc["berd_pct_gdp", "years mix"] == "yes"
    assert t.loc["patents_per_million", "year for the region"] == "2012"


def test_chapter_values_are_the_declared_keys(s):
    from eocic_helpers.core.results import load_catalogue

    focus = resolve_region("saxony")
    mc = ci.mc_ranks(ci.mc_draws(s, replications=200), s, focus)
    values = chapter.summary_values(s, focus, mc=mc)
    fig3 = chapter.figure3_data(values["result"], s, focus, ci.load_config())
    v = chapter.chapter_values(values, fig3, mc, focus)
    catalogue = load_catalogue()
    assert [k for k in v if catalogue.lookup("industrial_change", k) is None] == []
    assert not set(catalogue.unglued("industrial_change", {})) - set(v) - {
        k + "_text" for k in v}
    assert v["region_name"] == "Saxony" and v["cluster_stars"] == ""  # stars not stated
    assert v["composite_country_clause"].endswith(" for its country")
    assert {k for k in v if k.startswith("dimension_")} == {
        f"dimension_{d.id}" for d in ci.load_config().dimensions}
    assert v["variance_share_rule"].endswith("%") and v["variance_share_pair"].endswith("%")


def test_the_briefings_reading_of_figure_4_is_restated_from_its_stated_values():
    """Issue 33, item 5: who leads on stars and on the composite, and who stands out, from
    data/eocic (the briefing's stated values), with our reconstruction's leader."""
    import pandas as pd

    from eocic_helpers.analysis.composite_chapter import figure4_reading

    fig4 = pd.DataFrame({"unit_name": ["Namur", "Dresden"], "composite_total": [0.41, 0.55]})
    out = figure4_reading(fig4)
    assert out["fig4_stars_reading"].startswith("On cluster stars, Piemonte leads the pilot "
                                                "units with 69.")
    assert "5 units with 45 stars or more and a composite below 0.5" in out["fig4_stars_reading"]
    assert "is Centre-Val de Loire, Lithuania, Nord-Pas-de-Calais, Picardie and Piemonte." \
        in out["fig4_stars_reading"]
    assert out["fig4_composite_reading"] == (
        "On the composite, Walloon Brabant heads the pilot units with 0.751 on the 0-1 scale, "
        "alone in the briefing's top group; in our reconstruction, Dresden comes first, with "
        "0.55.")
    assert out["fig4_stand_out_reading"].startswith(
        "The briefing adds that Hainaut, Liège and Slovenia stand out in group 2")
    # the figure cannot place units whose stars the briefing does not state: said, not hidden
    stated = set(load_eocic("cluster_stars")["unit_name"])
    unstated = [u for u in ("Hainaut", "Liège", "Slovenia") if u not in stated]
    if unstated:
        assert "It states no star count for" in out["fig4_stand_out_reading"]
        assert all(u in out["fig4_stand_out_reading"].split("It states no star count")[1]
                   for u in unstated)
    assert "Chemnitz stands out in group 2: in part more cluster stars, with a lower composite"\
        in out["fig4_stand_out_reading"]
