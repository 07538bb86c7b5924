"""The action plan (briefing section 5, Table 2): load, tabulate and draw as a Gantt chart."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from eocic_helpers.core import paths
from eocic_helpers.core.config import Strict, line_of, load_model, project_path, shown
from eocic_helpers.core.errors import ConfigError, ParameterError
from eocic_helpers.core.regions import resolve_region
from eocic_helpers.outputs.numbers import and_list, format_number

#: Latest month from T0 an action may start or end (50 years): keeps every date computable.
MAX_MONTHS = 600
#: Years ``t0`` may fall in.
T0_YEARS = (1990, 2100)


class Intervention(Strict):
    id: str
    name: str
    source: str


class Action(Strict):
    """One row of Table 2. Months are counted from T0.

    Table 2 gives one date for most rows. ``phase: true`` marks a row whose one date starts
    work that goes on (an implementation, a management task) rather than a one-off event (a
    meeting, an appointment): that reading is ours, not the briefing's, and the Gantt chart
    draws such a phase up to the next step of the same intervention, marked as our inference.
    """

    id: str
    intervention: str
    action: str
    start_month: float | None = Field(default=None, ge=0, le=MAX_MONTHS, allow_inf_nan=False)
    end_month: float | None = Field(default=None, ge=0, le=MAX_MONTHS, allow_inf_nan=False)
    open_ended: bool = False
    meeting: bool = False
    phase: bool = False
    owners: str
    source: str

    @model_validator(mode="after")
    def _timing(self) -> Action:
        if self.start_month is None and (self.end_month is not None or self.open_ended):
            raise ValueError("an unscheduled action (start_month: null) has no end or open end")
        if self.start_month is not None and self.end_month is None and not self.open_ended:
            raise ValueError("end_month is null: set it, or set open_ended: true")
        if (self.end_month is not None and self.start_month is not None
                and self.end_month < self.start_month):
            raise ValueError("end_month is before start_month")
        if self.phase and (self.meeting or self.open_ended or self.end_month != self.start_month):
            raise ValueError("phase: true is for a row with one date (start_month == end_month) "
                             "that is not a meeting")
        return self

    @property
    def kind(self) -> Literal["milestone", "phase", "inferred", "unscheduled"]:
        """How the Gantt chart draws the action: a one-off event (``milestone``), a phase
        whose start and end Table 2 gives (``phase``), a phase of which Table 2 gives only the
        start (``inferred``: its end is our reading), or not scheduled (``unscheduled``)."""
        if self.start_month is None:
            return "unscheduled"
        if self.open_ended or self.phase:
            return "inferred"
        return "milestone" if self.end_month == self.start_month else "phase"


class ActionPlan(Strict):
    """The content of ``data/regions/<region>/action_plan.yaml``."""

    schema_version: int
    region: str
    source: str
    interventions: list[Intervention] = Field(min_length=1)
    actions: list[Action] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_interventions(self) -> ActionPlan:
        known = {i.id for i in self.interventions}
        for action in self.actions:
            if action.intervention not in known:
                raise ValueError(
                    f"action '{action.id}' names unknown intervention '{action.intervention}'"
                )
        return self


def plan_file(region_id: str) -> Path:
    """The file of a region's own action plan (it may not exist)."""
    return paths.region_data_dir(region_id) / "action_plan.yaml"


def load_action_plan(region_id: str) -> ActionPlan | None:
    """A region's own plan, or ``None``: another region's plan is never shown under its name."""
    path = plan_file(region_id)
    if not path.exists():
        return None
    plan = load_model(ActionPlan, path)
    _check_identity(plan, path.parent.name, path)
    return plan


def _check_identity(plan: ActionPlan, folder_region: str, path: Path) -> None:
    """The plan names the region whose folder holds it, and each id is used once.

    Raises:
        ConfigError: ``file:line: field '...'`` naming the first problem.
    """
    if plan.region != folder_region:
        raise ConfigError(
            f"{project_path(path)}:{line_of(path, ('region',))}: field 'region': says "
            f"'{shown(plan.region)}' but the file is in the folder of '{folder_region}'; set "
            f"region: {folder_region}, or move the file to that region's folder")
    for field, items in (("interventions", plan.interventions), ("actions", plan.actions)):
        seen: set[str] = set()
        for k, item in enumerate(items):
            if item.id in seen:
                raise ConfigError(
                    f"{project_path(path)}:{line_of(path, (field, k, 'id'))}: field '{field}.{k}.id': "
                    f"duplicate id '{shown(item.id)}'; give each its own id")
            seen.add(item.id)


def parse_t0(t0: str | None) -> dt.date | None:
    """Parse the ``t0`` parameter: an ISO date (YYYY-MM-DD), or empty for relative months.

    Raises:
        ParameterError: ``t0`` is not an ISO date, or falls outside the years :data:`T0_YEARS`.
    """
    if t0 is None or str(t0).strip() == "":
        return None
    try:
        date = dt.date.fromisoformat(str(t0).strip())
    except ValueError:
        raise ParameterError(
            f"parameter 't0' is '{shown(t0)}', not a date; give an ISO date like 2019-09-01, "
            "or '' for months from T0"
        ) from None
    low, high = T0_YEARS
    if not low <= date.year <= high:
        raise ParameterError(
            f"parameter 't0' is {date.isoformat()}, outside the years {low} to {high}; "
            "give a date in that range, or '' for months from T0"
        )
    return date


def add_months(start: dt.date, months: float) -> dt.date:
    """``start`` plus a number of months (whole months by calendar, a fraction by 30-day steps)."""
    whole = int(months)
    year, month = divmod(start.month - 1 + whole, 12)
    day = min(start.day, calendar.monthrange(start.year + year, month + 1)[1])
    base = dt.date(start.year + year, month + 1, day)
    return base + dt.timedelta(days=round((months - whole) * 30))


def plan_table(plan: ActionPlan, t0: dt.date | None = None) -> pd.DataFrame:
    """Table 2 as a frame: ``action, intervention, owner, start, end`` (+ ``kind``, ``source``).

    ``start``/``end`` are months from T0, or dates when ``t0`` is given. Open-ended actions have
    no end; unscheduled ("Tbc") actions have neither.
    """
    names = {i.id: i.name for i in plan.interventions}
    rows = []
    for a in plan.actions:
        start: object = a.start_month
        end: object = a.end_month
        if t0 is not None:
            start = add_months(t0, a.start_month).isoformat() if a.start_month is not None else None
            end = add_months(t0, a.end_month).isoformat() if a.end_month is not None else None
        rows.append(
            {
                "action": a.action,
                "intervention": names[a.intervention],
                "owner": a.owners,
                "start": start,
                "end": end,
                "kind": a.kind,
                "source": a.source,
            }
        )
    frame = pd.DataFrame(rows)
    if t0 is None:
        for col in ("start", "end"):
            months = pd.to_numeric(frame[col])
            whole = months.dropna().apply(float.is_integer).all()
            frame[col] = months.astype("Int64") if whole else months
    return frame


def timing_label(action: Action) -> str:
    """The briefing's wording for an action's timing, e.g. 'From T0 to T0 + 3 months'."""

    def t(m: float) -> str:
        m_int = int(m) if float(m).is_integer() else m
        return "T0" if m == 0 else f"T0 + {m_int} month{'s' if m != 1 else ''}"

    if action.kind == "unscheduled":
        return "Tbc"
    if action.open_ended:
        return f"After {t(action.start_month or 0)}"
    if action.end_month == action.start_month:
        return t(action.start_month or 0)
    return f"From {t(action.start_month or 0)} to {t(action.end_month or 0)}"


def briefing_table(plan: ActionPlan) -> pd.DataFrame:
    """Table 2 with the briefing's columns: intervention, action, timing and owner."""
    names = {i.id: i.name for i in plan.interventions}
    return pd.DataFrame(
        {
            "Intervention": [names[a.intervention] for a in plan.actions],
            "Action": [a.action for a in plan.actions],
            "Timing": [timing_label(a) for a in plan.actions],
            "Owner": [a.owners for a in plan.actions],
        }
    )


def count_by_intervention(plan: ActionPlan) -> dict[str, int]:
    """Number of actions per intervention id, in plan order."""
    counts = {i.id: 0 for i in plan.interventions}
    for a in plan.actions:
        counts[a.intervention] += 1
    return counts


def gantt_horizon(plan: ActionPlan) -> float:
    """The last month the Gantt chart draws: three months past the plan's last date."""
    return float(max((a.end_month or a.start_month or 0)
                     for a in plan.actions if a.start_month is not None)) + 3


def inferred_end(plan: ActionPlan, action: Action) -> float | None:
    """Where we draw the end of a phase Table 2 gives only a start for: the next later start
    of the same intervention, or ``None`` when no step follows (it runs on past the chart)."""
    later = [a.start_month for a in plan.actions
             if a.intervention == action.intervention and a.start_month is not None
             and action.start_month is not None and a.start_month > action.start_month]
    return float(min(later)) if later else None


def gantt_data(plan: ActionPlan) -> pd.DataFrame:
    """The numbers the Gantt chart draws: one row per scheduled action, in plan order.

    ``end_month`` is Table 2's end (none for a milestone's own date, none for an inferred
    phase); ``drawn_end_month`` is where the chart ends the bar: for an ``inferred`` phase, the
    next step of its intervention, or the chart's horizon when ``runs_on``.
    """
    names = {i.id: i.name for i in plan.interventions}
    horizon = gantt_horizon(plan)
    rows = []
    for a in plan.actions:
        if a.kind == "unscheduled":
            continue
        start = float(a.start_month or 0)
        runs_on = False
        if a.kind == "inferred":
            end = inferred_end(plan, a)
            runs_on = end is None
            drawn = horizon if end is None else end
        else:
            drawn = float(a.end_month if a.end_month is not None else start)
        rows.append(
            {
                "id": a.id,
                "action": a.action,
                "intervention": names[a.intervention],
                "start_month": start,
                "end_month": float(a.end_month) if a.kind == "phase" else None,
                "drawn_end_month": drawn,
                "kind": a.kind,
                "end_is_inference": a.kind == "inferred",
                "runs_on": runs_on,
                "meeting": a.meeting,
            }
        )
    return pd.DataFrame(rows)


#: Legend labels of the three ways an action is drawn.
LEGEND_PHASE = "phase (start and end in Table 2)"
LEGEND_INFERRED = "phase, end is our inference"


def gantt_figure(plan: ActionPlan, t0: dt.date | None = None):  # -> matplotlib Figure
    """Draw the plan as a Gantt chart, coloured by intervention.

    One-off events are milestones (diamonds; circles for meetings). A phase whose start and end
    Table 2 gives is a solid bar; a phase of which it gives only the start is a hatched, paler
    bar up to the next step of its intervention (an arrow when it runs on), labelled in the
    legend as our inference. Action names are wrapped, never cut; each row is as tall as its
    name. Unscheduled ("Tbc") actions are listed under the chart.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from eocic_helpers.outputs.legibility import wrap_to_width
    from eocic_helpers.outputs.style import FIGURE_WIDTH_IN, MUTED, PALETTE, SMALL_PT

    data = gantt_data(plan)
    colours = {i.name: PALETTE[k % len(PALETTE)] for k, i in enumerate(plan.interventions)}
    unscheduled = [a for a in plan.actions if a.kind == "unscheduled"]
    probe = plt.figure()
    names = [wrap_to_width(a, 2.6, SMALL_PT, probe) for a in data["action"]]
    note = ""
    if unscheduled:
        note = wrap_to_width("Not yet scheduled (Tbc): " + "; ".join(a.action for a in unscheduled),
                             FIGURE_WIDTH_IN - 0.1, SMALL_PT, probe)
    plt.close(probe)
    line_h = SMALL_PT * 1.2 / 72  # inches per line of a name
    heights = [max(0.24, (n.count("\n") + 1) * line_h + 0.04) for n in names]
    centres = np.cumsum(heights) - np.array(heights) / 2
    chart_h = float(sum(heights))
    extra = 1.75 + (0.4 if t0 else 0) + (note.count("\n") + 1) * line_h * bool(note)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, chart_h + extra), layout="constrained")
    bar_h = 0.2
    for y, row in zip(centres, data.itertuples(), strict=True):
        colour = colours[row.intervention]
        if row.kind == "milestone":
            ax.plot(row.start_month, y, marker="o" if row.meeting else "D", markersize=8,
                    color=colour, markeredgecolor="black", zorder=3, linestyle="", gid="milestone")
        elif row.kind == "phase":
            ax.barh(y, row.drawn_end_month - row.start_month, left=row.start_month,
                    height=bar_h, color=colour, edgecolor="black", zorder=2, gid="phase")
        else:  # inferred: hatched and paler, its end is ours
            ax.barh(y, row.drawn_end_month - row.start_month, left=row.start_month,
                    height=bar_h, facecolor=colour, alpha=0.45, edgecolor="black", hatch="//",
                    zorder=2, gid="inferred")
            if row.runs_on:
                ax.annotate("", xy=(row.drawn_end_month + 0.6, y), xytext=(row.drawn_end_month, y),
                            arrowprops={"arrowstyle": "->", "color": "black"})
    ax.set_yticks(centres)
    ax.set_yticklabels(names, fontsize=SMALL_PT, linespacing=1.1)
    ax.set_ylim(chart_h, 0)
    ax.grid(axis="y", visible=False)
    horizon = int(data["drawn_end_month"].max()) + 1
    # at most ~12 labelled months (~6 dated ones, which are wider), whatever the plan's length
    step = max(1, -(-horizon // (12 if t0 is None else 6)))
    ticks = list(range(0, horizon + 1, step))
    ax.set_xticks(ticks)
    if t0 is None:
        ax.set_xticklabels(["T0" if m == 0 else f"+{m}" for m in ticks])
        ax.set_xlabel("Months from T0")
    else:
        ax.set_xticklabels([add_months(t0, m).strftime("%b\n%Y") for m in ticks])
        ax.set_xlabel(f"Month (T0 = {t0.isoformat()})")
    ax.set_xlim(-0.5, horizon + 0.5)
    handles = [Patch(facecolor=c, edgecolor="black", label=n) for n, c in colours.items()]
    handles += [
        *(Line2D([], [], marker=marker, linestyle="", color=MUTED, markeredgecolor="black",
                 label=label) for marker, label in (("D", "one-off event"), ("o", "meeting"))),
        Patch(facecolor=MUTED, edgecolor="black", label=LEGEND_PHASE),
        Patch(facecolor=MUTED, alpha=0.45, edgecolor="black", hatch="//", label=LEGEND_INFERRED),
    ]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.01), ncol=2,
              frameon=False, borderaxespad=0)
    legend_rows = -(-len(handles) // 2)
    ax.set_title("Action plan: timing of the two interventions", pad=10 + 18 * legend_rows)
    if note:  # below the figure, where nothing else is drawn
        fig.text(0.0, 0.0, note, fontsize=SMALL_PT, ha="left", va="top")
    return fig


def captions(region_name: str) -> dict[str, str]:
    """Captions and the subject of the plan chapter (a region shows only its own plan)."""
    return {"table": f"Action plan for {region_name} (briefing Table 2).",
            "gantt": f"Timing of the actions for {region_name}",
            "schedule": "Schedule of the actions",
            "subject": f"The action plan for {region_name}"}


def plan_summary(plan: ActionPlan) -> str:
    """One paragraph counting the plan's actions by intervention and kind (plain text)."""
    names = {i.id: i.name.lower() for i in plan.interventions}
    per = [f"{format_number(n)} for {names[k]}" for k, n in count_by_intervention(plan).items()]
    kinds = Counter(a.kind for a in plan.actions)
    inferred, unscheduled = kinds["inferred"], kinds["unscheduled"]
    owner = resolve_region(plan.region).name
    text = (f"The action plan of {owner} counts {format_number(len(plan.actions))}"
            f" actions: {and_list(per)}. {format_number(kinds['milestone'])} of them are one-off"
            " events (a meeting, an appointment)")
    if inferred:
        text += (f"; for {format_number(inferred)} others Table 2 gives only the start of a "
                 "phase, which the chart runs to the next step of the same intervention (our "
                 "inference, hatched)")
    if unscheduled:
        text += f"; {format_number(unscheduled)} {'is' if unscheduled == 1 else 'are'} still "
        text += "to be confirmed (\"Tbc\")"
    return text + "."


def chapter_values(region: Any, plan: ActionPlan | None, eu: Any, t0: dt.date | None
                   ) -> dict[str, Any]:
    """Every value the action-plan chapter glues (its keys in ``notebooks/results.yaml``):
    whether the region's plan and EU initiatives are restated and, for a plan, its counts of
    actions (by intervention, unscheduled, one-off, inferred), its source and T0."""
    out: dict[str, Any] = {"region_name": region.name, "has_action_plan": plan is not None,
                           "has_eu_initiatives": eu is not None}
    if plan is None:
        return out
    kinds = Counter(a.kind for a in plan.actions)
    out.update({"plan_region_name": resolve_region(plan.region).name,
                "plan_subject": captions(region.name)["subject"],
                "n_actions": len(plan.actions)})
    out.update({f"n_actions_{k}": n for k, n in count_by_intervention(plan).items()})
    out.update({"n_actions_unscheduled": kinds["unscheduled"], "n_milestones": kinds["milestone"],
                "n_inferred_phases": kinds["inferred"],
                "plan_source": plan.source,
                "t0": t0.isoformat() if t0 else ""})
    return out
