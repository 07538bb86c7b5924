import json

import numpy as np
import pytest

from eocic_helpers.analysis import costs
from eocic_helpers.core import paths
from eocic_helpers.core.errors import ParameterError
from eocic_helpers.data.reference import compare


@pytest.fixture(scope="module")
def v():
    return costs.validate_values({})


def test_reproduces_the_briefings_costs(v):
    d = costs.deterministic(v)
    assert compare("inter_clustering_cost_eur_per_year", d["inter_clustering_cost_eur_per_year"]).agrees
    assert compare("coaching_cost_eur_low", d["coaching_cost_eur_low"]).agrees
    assert compare("coaching_cost_eur_high", d["coaching_cost_eur_high"]).agrees
    # the meeting cost per participant is implied by EUR 8 000 / (8 x 10)
    assert v["meetings_per_year"] * v["participants_per_meeting"] * v[
        "cost_per_participant_meeting_eur"] == compare("inter_clustering_meetings_eur_per_year",
                                                       8000).briefing


def test_defaults_come_from_the_briefing_where_it_gives_one(v):
    assert v["tutors_cost_eur_per_year"] == compare("inter_clustering_tutors_eur_per_year", 0).briefing
    assert v["n_smes"] == compare("coaching_n_smes", 0).briefing
    for name, p in costs.load_parameters().items():
        assert p.source, name


def test_coaching_scales_with_smes_and_coordination_is_added(v):
    d = costs.deterministic({**v, "n_smes": 120, "coordination_cost_eur_per_year": 5000})
    assert d["coaching_cost_eur_low"] == pytest.approx(100000 * 120 / 50 + 5000)


def test_reallocation_and_offsets_reduce_costs(v):
    d = costs.deterministic({**v, "tutor_time_reallocated_share": 1.0, "savings_offset_share": 0.5})
    assert d["inter_clustering_cost_eur_per_year"] == 8000
    assert d["coaching_cost_eur_low"] == 50000


def test_present_value(v):
    assert costs.annuity_factor(0.0, 3) == 3
    assert costs.annuity_factor(0.1, 2) == pytest.approx(1 + 1 / 1.1)
    np.testing.assert_allclose(costs.annuity_factor(np.array([0.0, 0.1]), 2), [2, 1 + 1 / 1.1])


def test_monte_carlo_is_seeded_and_bounded(v):
    a, b = (costs.monte_carlo(costs.simulate(v, n=20_000)) for _ in range(2))
    assert a.equals(b)
    row = a.loc["yearly"]
    assert row["p05"] < row["mean"] < row["p95"]
    # nothing can cost more than every factor at its worst
    worst = costs.deterministic({**v, "tutors_cost_eur_per_year": 84000,
                                 "participants_per_meeting": 12,
                                 "cost_per_participant_meeting_eur": 120})
    assert row["p95"] <= worst["inter_clustering_cost_eur_per_year"] + worst["coaching_cost_eur_high"]
    assert a.loc["multi_year", "mean"] > row["mean"]


def test_tornado_and_sobol_agree_on_what_matters(v):
    tor = costs.tornado(v)
    sob = costs.sobol(v, n=2**10)
    assert tor["swing"].is_monotonic_decreasing
    # the gross cost: tutors and audits (nearly equal variances) dominate; savings are not in it
    top = {"tutors_cost_eur_per_year", "audit_cost_eur"}
    assert set(tor["parameter"][:2]) == set(sob["parameter"][:2]) == top
    assert not {"savings_offset_share", "tutor_time_reallocated_share"} & set(sob["parameter"])
    assert sob["total_order"].sum() == pytest.approx(1, abs=0.1)
    # the discount rate cannot move a yearly cost
    assert tor.set_index("parameter").loc["discount_rate", "swing"] == 0


def test_scale_and_break_even(v):
    s = costs.scale(v)
    assert s["n_smes"].tolist()[0] == 10 and s["n_smes"].tolist()[-1] == 200
    assert s["total_cost_per_sme_eur_low"].is_monotonic_decreasing
    be = costs.break_even_value_per_sme(v)
    assert be == pytest.approx(costs.deterministic(v)["total_cost_eur_per_year"] / 50)
    # what it covers: with inter-clustering, or the coaching alone (midpoint of its range)
    alone = costs.break_even_value_per_sme(v, include_inter_clustering=False)
    assert alone == pytest.approx(costs.deterministic(v)["coaching_cost_eur_mid"] / 50)
    assert alone < be


def test_central_case_is_the_briefings_gross_cost(v):
    """The central interval draws only the ranges the briefing states, and the gross total
    the briefing's figures imply lies near its middle, not beyond the 95th percentile."""
    gross = costs.deterministic(v)["total_cost_eur_per_year"]
    sim = costs.simulate(v, n=50_000)
    central = costs.monte_carlo(sim).loc["yearly"]
    assert central["p05"] < gross < central["p95"]
    assert {f["kind"] for f in costs.factors(v, "stated")} == {"stated"}
    assert {f["name"] for f in costs.factors(v, "stated")} == {"audit_cost_eur",
                                                               "follow_up_cost_eur"}
    # nothing in the central case can fall below the briefing's low estimates
    assert central["p05"] >= costs.deterministic(v)["inter_clustering_cost_eur_per_year"] + 100000
    table = costs.scenario_table(v, sim).set_index("scenario")
    assert 30 < table.loc["stated", "gross_total_percentile"] < 70
    # savings: a separate, labelled scenario that lowers the cost
    assert table.loc["savings", "mean"] < table.loc["stated", "mean"]
    assert table.loc["savings", "label"].startswith("scenario")
    for name in ("tutor_time_reallocated_share", "savings_offset_share",
                 "hosted_meeting_cost_reduction_share"):
        p = costs.load_parameters()[name]
        assert p.uncertainty == "savings" and "assumption" in p.range_source


def test_inputs_note_says_whose_figures(v):
    assert "briefing's own" in costs.inputs_note("centre-val-de-loire", v)
    assert "template" in costs.inputs_note("saxony", v)
    assert "Centre-Val de Loire" in costs.inputs_note("saxony", v)


@pytest.mark.parametrize(
    ("values", "match"),
    [({"tutors_cost_eur_per_year": -1}, "'tutors_cost_eur_per_year' is -1, below its minimum"),
     ({"n_smes": 0}, "'n_smes' is 0, below its minimum; allowed: whole number of 1 or more"),
     ({"n_smes": 2.5}, "'n_smes' must be a whole number"),
     ({"savings_offset_share": 1.2}, "allowed: number from 0 to 1"),
     ({"follow_up_cost_eur_low": 50000}, "'follow_up_cost_eur_low' .* is above 'follow_up_cost_eur_high'")],
)
def test_bad_values(values, match):
    with pytest.raises(ParameterError, match=match):
        costs.validate_values(values)


def test_the_notebooks_parameters_are_the_data_files():
    """The cost notebook's parameters come from data/interventions.yaml, each with the type of
    its kind (so that -p n_smes 2.5 is refused), and its parameters cell repeats none."""
    from eocic_helpers.run.params import discover, parse_parameters

    spec = discover()["cost_benefit"]
    assert spec.defaults == {"region": "centre-val-de-loire", **costs.defaults()}
    params = costs.load_parameters()
    assert {n: type(v) for n, v in costs.defaults().items()} == {
        n: int if p.kind == "int" else float for n, p in params.items()}
    nb = json.loads((paths.NOTEBOOKS / "cost_benefit.ipynb").read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    assert set(parse_parameters("".join(cell["source"]))) == {"region"}


def test_kpis_name_the_briefings_indicators():
    kpis = " ".join(costs.kpi_table()["indicator"]).lower()
    for word in ("exports", "digitalisation", "recruitment", "satisfaction"):
        assert word in kpis


def _labels(axis) -> list[str]:
    return [" ".join(t.get_text().split()) for t in axis.get_yticklabels()]  # unwrapped


def test_figures_show_what_they_say(v):
    tor = costs.tornado(v)
    ax = costs.tornado_figure(tor, 193000).axes[0]
    shown = _labels(ax)
    assert shown and shown == [x for x in tor["label"] if x in shown]  # widest first
    assert [193000, 193000] in [list(line.get_xdata()) for line in ax.lines]  # the base cost
    sim = costs.simulate(v, n=1000)
    ax = costs.monte_carlo_figure(sim["stated"][0], costs.monte_carlo(sim)).axes[0]
    assert "1 000 draws" in ax.get_title(loc="left")
    sob = costs.sobol(v, n=2**8)
    ax = costs.sobol_figure(sob).axes[0]
    shown = _labels(ax)
    assert shown and shown == [x for x in sob["label"] if x in shown]
    fig = costs.scale_figure(costs.scale(v), 50)
    assert fig.axes[0].yaxis.get_major_formatter()(25000, 0) == "25 000"


def test_the_briefing_s_figures_are_shown_as_stated_and_our_totals_as_ours():
    from eocic_helpers.analysis import costs

    stated = costs.stated_figures()
    assert list(stated["period"][:2]) == ["a year", "a year"]  # inter-clustering, footnotes 14-15
    assert set(stated["period"][2:5]) == {"none stated"}  # coaching: footnote 20 gives no period
    assert "footnote 21" in stated["where"].iloc[-1]
    text = " ".join(stated.astype(str).to_numpy().ravel())
    assert "70 000" in text and "8 000" in text and "78 000" not in text  # no sum of ours
    totals = costs.our_totals(costs.defaults()).set_index("total")
    assert totals.loc["Gross yearly total, our assumption", "EUR a year"] == "193 000"
    assert totals.loc["Net additional yearly cost, our assumption", "EUR a year"] == "78 000"
    assert all("our" in a for a in totals["assumptions"])


def test_the_sensitivity_text_says_a_near_tie_and_the_tornado_s_order():
    """Issue 25, item 4: audits (0.443) and tutors (0.434) are a near tie, and the tornado's
    widest bar (tutors) is named; the net (savings) scenario has its own Sobol' indices."""
    from eocic_helpers.analysis import costs
    from eocic_helpers.outputs.numbers import in_sentence

    v = costs.defaults()
    sob, tor = costs.sobol(v), costs.tornado(v)
    text = costs.sensitivity_sentence(sob, tor)
    assert "about equally" in text and "near tie" in text and "matters most" not in text
    assert "tornado chart" in text and in_sentence(tor.iloc[0]["label"]) in text
    savings = costs.sobol(v, scenario="savings")
    assert set(savings["parameter"]) > set(sob["parameter"])  # the savings factors join
    assert "matters most" in costs.sensitivity_sentence(savings)
    shown = costs.sobol_table(savings)
    assert list(shown.columns) == ["factor", "first-order index", "total index"]


def test_chapter_values_are_the_declared_keys(v):
    from eocic_helpers.core.regions import resolve_region
    from eocic_helpers.core.results import load_catalogue

    cvl = resolve_region("centre-val-de-loire")
    sob = costs.sobol(v, n=2**8)
    sim = costs.simulate(v, n=2000)
    out = costs.chapter_values(cvl, v, costs.deterministic(v), costs.monte_carlo(sim),
                               costs.scenario_table(v, sim), sob,
                               costs.sobol(v, n=2**8, scenario="savings"), costs.tornado(v))
    catalogue = load_catalogue()
    assert [k for k in out if catalogue.lookup("cost_benefit", k) is None] == []
    due = set(catalogue.unglued("cost_benefit", {"has_costs": True}))
    assert due - set(out) == {k + "_text" for k in out} & due  # has_costs: glued apart
    assert out["inter_clustering_cost_eur_per_year"] == pytest.approx(78000)
    assert out["coordination_note"] == "not estimated by the briefing and left at 0"
    assert costs.coordination_note({**v, "coordination_cost_eur_per_year": 12000.0}) == \
        "set to EUR 12 000 a year"
    assert out["mc_draws_text"] == "2 000" and out["discount_rate_pct"] == pytest.approx(4.0)
    assert out["n_smes"] == 50 and out["top_sensitivity_parameter"] == sob.loc[0, "parameter"]
