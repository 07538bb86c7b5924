import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from eocic_helpers.analysis import action_plan as ap
from eocic_helpers.core.config import load_model
from eocic_helpers.core.errors import ConfigError, ParameterError


@pytest.fixture(scope="module")
def plan():
    return ap.load_action_plan("centre-val-de-loire")


def test_table_2_has_all_sixteen_actions(plan):
    assert len(plan.actions) == 16
    assert ap.count_by_intervention(plan) == {"inter_clustering": 8, "coaching": 8}


def test_timing_reads_like_the_briefing(plan):
    labels = {a.id: ap.timing_label(a) for a in plan.actions}
    assert labels["ic_groups"] == "T0"
    assert labels["ic_test_1"] == "From T0 to T0 + 3 months"
    assert labels["ic_test_2"] == "From T0 + 3 months to T0 + 6 months"
    assert labels["ic_full"] == "After T0 + 6 months"
    assert labels["co_selection"] == "T0 + 1 month"
    assert labels["co_dih"] == "Tbc"


def test_other_regions_have_no_plan_and_never_borrow_one():
    """Centre-Val de Loire's plan never appears under another region's name."""
    assert ap.load_action_plan("saxony") is None
    assert ap.load_action_plan("centre-val-de-loire").region == "centre-val-de-loire"


def test_relative_table_uses_months(plan):
    t = ap.plan_table(plan)
    assert list(t.columns[:5]) == ["action", "intervention", "owner", "start", "end"]
    row = t[t["action"].str.startswith("Inter-clustering activities continue")].iloc[0]
    assert row["start"] == 6 and pd.isna(row["end"])
    tbc = t[t["kind"] == "unscheduled"]
    assert list(tbc["action"]) == ["Set up a Digital Innovation Hub."]


def test_dated_table_when_t0_is_set(plan):
    t = ap.plan_table(plan, dt.date(2019, 9, 1))
    row = t[t["action"].str.startswith("First half of the test phase")].iloc[0]
    assert (row["start"], row["end"]) == ("2019-09-01", "2019-12-01")


def test_add_months_clamps_month_end():
    assert ap.add_months(dt.date(2019, 1, 31), 1) == dt.date(2019, 2, 28)
    assert ap.add_months(dt.date(2019, 11, 15), 3) == dt.date(2020, 2, 15)


@pytest.mark.parametrize("bad", ["2019-13-01", "next year", "01/09/2019"])
def test_t0_must_be_a_date(bad):
    with pytest.raises(ParameterError, match="parameter 't0'"):
        ap.parse_t0(bad)


def test_empty_t0_means_relative():
    assert ap.parse_t0("") is None and ap.parse_t0(None) is None


def test_gantt_data_and_figure(plan):
    data = ap.gantt_data(plan)
    assert len(data) == 15  # the Tbc action is listed apart, not drawn
    fig = ap.gantt_figure(plan)
    assert fig.axes[0].get_title().startswith("Action plan")


#: Table 2 row by row: a one-off event (a date), a phase with both ends ("From ... to ..."), a
#: phase of which Table 2 gives only the start (our reading, or "After ..."), or "Tbc".
TABLE_2_KINDS = {
    "ic_groups": "milestone", "ic_tutors": "milestone", "ic_launch": "milestone",
    "ic_test_1": "phase", "ic_midterm": "milestone", "ic_test_2": "phase",
    "ic_results": "milestone", "ic_full": "inferred",
    "co_coordination": "milestone", "co_coaches": "inferred", "co_selection": "inferred",
    "co_impl_1": "inferred", "co_impl_2": "inferred", "co_progress": "milestone",
    "co_feedback": "milestone", "co_dih": "unscheduled",
}


def test_gantt_kinds_follow_table_2(plan):
    assert {a.id: a.kind for a in plan.actions} == TABLE_2_KINDS
    for a in plan.actions:  # the kinds agree with the timing as the briefing words it
        label = ap.timing_label(a)
        if label.startswith("From "):
            assert a.kind == "phase", a.id
        elif label.startswith("After "):
            assert a.kind == "inferred", a.id
        elif label == "Tbc":
            assert a.kind == "unscheduled", a.id
        else:  # one date: an event, or the start of a phase (then our inference)
            assert a.kind in {"milestone", "inferred"}, a.id
            assert a.kind == "milestone" or not a.meeting, a.id


def test_an_inferred_phase_runs_to_the_next_step_of_its_intervention(plan):
    data = ap.gantt_data(plan).set_index("id")
    impl = data.loc["co_impl_1"]  # "T0 + 2 month": runs until Implementation II at T0 + 6
    assert (impl["start_month"], impl["drawn_end_month"]) == (2, 6)
    assert impl["end_is_inference"] and pd.isna(impl["end_month"]) and not impl["runs_on"]
    assert data.loc["co_coaches", "drawn_end_month"] == 1  # until the selection of SMEs
    full = data.loc["ic_full"]  # "After T0 + 6 months": nothing follows, it runs on
    assert full["runs_on"] and full["drawn_end_month"] == ap.gantt_horizon(plan) == 9
    test = data.loc["ic_test_2"]  # both ends stated
    assert (test["end_month"], test["end_is_inference"]) == (6, False)
    assert data.loc["ic_midterm", "drawn_end_month"] == data.loc["ic_midterm", "start_month"]


def test_gantt_draws_each_kind_its_own_way_and_says_which_ends_are_ours(plan):
    import matplotlib.pyplot as plt

    fig = ap.gantt_figure(plan)
    ax = fig.axes[0]
    kinds = pd.Series(TABLE_2_KINDS)
    bars = [p for p in ax.patches if p.get_gid() in {"phase", "inferred"}]
    solid = [p for p in bars if p.get_gid() == "phase"]
    hatched = [p for p in bars if p.get_gid() == "inferred"]
    assert len(solid) == (kinds == "phase").sum() and not any(p.get_hatch() for p in solid)
    assert len(hatched) == (kinds == "inferred").sum()
    assert all(p.get_hatch() == "//" for p in hatched)
    markers = [ln for ln in ax.lines if ln.get_gid() == "milestone"]
    assert len(markers) == (kinds == "milestone").sum()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert ap.LEGEND_INFERRED in legend and "our inference" in ap.LEGEND_INFERRED
    assert ap.LEGEND_PHASE in legend and "one-off event" in legend
    plt.close(fig)


def test_phase_flag_is_for_single_dates_only(tmp_path: Path):
    text = ap.plan_file("centre-val-de-loire").read_text()
    text = text.replace("start_month: 0\n    end_month: 3\n",
                        "start_month: 0\n    end_month: 3\n    phase: true\n", 1)
    f = tmp_path / "action_plan.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError, match="phase: true is for a row with one date"):
        load_model(ap.ActionPlan, f)


def test_end_before_start_is_rejected(tmp_path: Path):
    text = ap.plan_file("centre-val-de-loire").read_text()
    text = text.replace("start_month: 3\n    end_month: 6", "start_month: 6\n    end_month: 3", 1)
    f = tmp_path / "action_plan.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError, match=r"action_plan\.yaml:\d+: field 'actions\.5'"):
        load_model(ap.ActionPlan, f)


def test_chapter_values_are_the_declared_keys(plan):
    from eocic_helpers.core.regions import resolve_region
    from eocic_helpers.core.results import load_catalogue

    catalogue = load_catalogue()
    cvl = resolve_region("centre-val-de-loire")
    v = ap.chapter_values(cvl, plan, None, dt.date(2019, 9, 1))
    assert [k for k in v if catalogue.lookup("action_plan", k) is None] == []
    assert not set(catalogue.unglued("action_plan", v))
    assert v["n_actions"] == 16 == sum(n for k, n in v.items() if k.startswith("n_actions_")
                                       and k != "n_actions_unscheduled")
    assert v["t0"] == "2019-09-01" and v["has_eu_initiatives"] is False
    assert ap.chapter_values(cvl, plan, None, None)["t0"] == ""
    assert ap.chapter_values(resolve_region("saxony"), None, None, None) == {
        "region_name": "Saxony", "has_action_plan": False, "has_eu_initiatives": False}
