"""Sections 2 and 3 of the briefing as data: SWOT, PEST, challenges and the strategy map.

Content lives in ``data/regions/<region>/synthesis.yaml`` (its schema
:class:`~eocic_helpers.analysis.content_schema.Synthesis`, loaded and checked by
:func:`eocic_helpers.analysis.content.load_part`); every item cites its source, and items with
figures cite their evidence. For every region, the
snapshot also proposes data-driven candidate strengths and weaknesses.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from eocic_helpers.analysis.claims import CLAIM_ID, claim_status
from eocic_helpers.analysis.content_render import Page, briefing_ref, cite_source
from eocic_helpers.analysis.content_schema import PEST, Synthesis
from eocic_helpers.core.regions import Region, load_regions
from eocic_helpers.data import recipes
from eocic_helpers.data.eocic_values import load_eocic
from eocic_helpers.data.lookup import lookup, region_value
from eocic_helpers.data.reference import load_reference, note_label
from eocic_helpers.outputs.escape import myst_cell, myst_text
from eocic_helpers.outputs.numbers import in_sentence
from eocic_helpers.outputs.publication import myst_list_table

PEST_NOTE = ("The briefing's PEST (Figure 5) is an image that is not in its text; this "
             "classification of statements from sections 2-3 is ours.")


def swot_frame(s: Synthesis) -> pd.DataFrame:
    """Table 1 as rows: quadrant, id, text, source (cited as the table shows it), evidence."""
    return pd.DataFrame([{"quadrant": q, "id": i.id, "text": i.shown,
                          "source": briefing_ref(i.source),
                          "evidence": "; ".join(evidence_label(e) for e in i.evidence)}
                         for q, items in s.swot_items().items() for i in items])


def swot_grid(s: Synthesis) -> tuple[str, str]:
    """Table 1 as a 2x2 grid: (HTML, MyST list-table) that render in HTML and in the PDF.

    Content is escaped for MyST; items with a footnote carry it as a footnote of the table.
    """
    items = s.swot_items()
    page = Page()

    def cell_md(q: str) -> str:
        out = []
        for i in items[q]:
            note = page.note(i.footnote, i.id) if i.footnote else ""
            out.append(f"    - {myst_cell(i.shown)}{note}{cite_source(i.source)}")
        return "\n".join(out)

    caption = myst_text("Strengths, weaknesses, opportunities and threats of industrial "
                        "transition (briefing Table 1). Source: EOCIC (2019), briefing §2.")
    myst = [f"```{{list-table}} {caption}",
            ":header-rows: 1", ":widths: 50 50", ":name: tab-swot", "",
            "* - Strengths", "  - Opportunities",
            "* - ", cell_md("strengths"), "  - ", cell_md("opportunities"),
            "* - **Weaknesses**", "  - **Threats**",
            "* - ", cell_md("weaknesses"), "  - ", cell_md("threats"), "```", ""]
    page.lines = myst

    def cell_html(q: str) -> str:
        return "<ul>" + "".join(f"<li>{html.escape(i.shown)}</li>" for i in items[q]) + "</ul>"

    html_text = ("<table><tr><th>Strengths</th><th>Opportunities</th></tr><tr><td>"
                 f"{cell_html('strengths')}</td><td>{cell_html('opportunities')}</td></tr>"
                 "<tr><th>Weaknesses</th><th>Threats</th></tr><tr><td>"
                 f"{cell_html('weaknesses')}</td><td>{cell_html('threats')}</td></tr></table>")
    return html_text, page.text()


def challenges_myst(s: Synthesis) -> str:
    """The challenges table as an escaped MyST list-table."""
    return myst_list_table(challenges_table(s), "The challenges, the SWOT items they come from "
                           "and what addresses them. Source: EOCIC (2019), briefing §§2-4.",
                           "tab-challenges", widths=[22, 40, 24, 14])


def challenges_table(s: Synthesis) -> pd.DataFrame:
    """Each challenge with the SWOT items it comes from and what addresses it."""
    swot = {i.id: i.shown for items in s.swot_items().values() for i in items}
    rows = []
    for c in s.challenges:
        by = [i.name for i in [*s.interventions, *s.high_impact_actions] if c.id in i.addresses]
        rows.append({"challenge": c.name, "from SWOT items": "; ".join(
            swot[ref] for ref in c.from_swot), "addressed by": "; ".join(by),
            "source": briefing_ref(c.source)})
    return pd.DataFrame(rows)


def challenges_text(s: Synthesis) -> str:
    """The challenges, numbered, as one run of text: "(1) too few links ...; (2) ..."."""
    return "; ".join(f"({k}) {in_sentence(c.name)}" for k, c in enumerate(s.challenges, start=1))


def chapter_values(focus: Region, content: Synthesis | None, cands: pd.DataFrame
                   ) -> dict[str, Any]:
    """Every value the synthesis chapter glues (its keys in ``notebooks/results.yaml``): the
    candidate strengths and weaknesses of the data, and, for a region whose synthesis is
    restated (``content``), its SWOT counts, challenges and general objective."""
    out: dict[str, Any] = {
        "region_name": focus.name, "has_synthesis": content is not None,
        "n_candidate_strengths": int((cands["candidate"] == "strength").sum()),
        "n_candidate_weaknesses": int((cands["candidate"] == "weakness").sum())}
    if content is not None:
        out.update({f"n_{q}": len(items) for q, items in content.swot_items().items()})
        out.update({f"challenge_{k}": c.name for k, c in enumerate(content.challenges, start=1)})
        out.update({"n_challenges": len(content.challenges),
                    "challenges_text": challenges_text(content),
                    "swot_evidence_share_pct": 100 * evidence_share(content),
                    "general_objective": content.general_objective.text.rstrip(".")})
    return out


def strategy_values(focus: Region, skeleton: Synthesis | None, strategy: Any) -> dict[str, Any]:
    """Every value the strategy chapter glues (its keys in ``notebooks/results.yaml``): whether
    the region's strategy is restated and, from its synthesis (``skeleton``), the counts of its
    objectives, interventions, high-impact actions and additional elements."""
    out: dict[str, Any] = {"region_name": focus.name, "has_strategy": strategy is not None}
    if skeleton is not None:
        out.update({"n_specific_objectives": len(skeleton.specific_objectives),
                    "n_interventions": len(skeleton.interventions),
                    "n_high_impact_actions": len(skeleton.high_impact_actions),
                    "n_additional_elements": len(skeleton.additional_elements)})
    return out


def evidence_share(s: Synthesis) -> float:
    """Share of the SWOT items that carry quantitative evidence."""
    items = [i for q in s.swot_items().values() for i in q]
    return sum(bool(i.evidence) for i in items) / len(items)


# -- figures --------------------------------------------------------------------------------

def _diagram(width: float, height: float, title: str):  # noqa: ANN202 - matplotlib objects
    """A figure of ``width`` x ``height`` inches whose one axes spans it in inch units, without
    axis lines, with ``title`` at its top left (the PEST and strategy diagrams)."""
    import matplotlib.pyplot as plt

    from eocic_helpers.outputs.style import TITLE_PT

    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    ax.text(0, height - 0.05, title, fontsize=TITLE_PT + 1, fontweight="bold", va="top", ha="left")
    return fig, ax


def pest_figure(s: Synthesis):
    """Figure 5 as four PEST quadrants, each item a bullet wrapped to the quadrant's width.

    Drawn at the book's text width in inch coordinates, so every quadrant is as tall as its
    text needs and the type stays at 9 pt where it is shown.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    from eocic_helpers.outputs.legibility import wrap_to_width
    from eocic_helpers.outputs.style import FIGURE_WIDTH_IN, FONT_PT, PALETTE, TITLE_PT

    width, gap, pad, spacing = FIGURE_WIDTH_IN, 0.15, 0.1, 1.3
    box_w = (width - gap) / 2
    line_h = FONT_PT * spacing / 72
    probe = plt.figure()
    bodies = {}
    for key in PEST:
        items = [wrap_to_width(i.shown, box_w - 2 * pad - 0.15, FONT_PT, probe).replace(
            "\n", "\n   ") for i in getattr(s.pest, key)]
        bodies[key] = "\n".join("\u2022 " + t for t in items)
    plt.close(probe)
    lines = {k: b.count("\n") + 1 for k, b in bodies.items()}
    head_h = TITLE_PT * 1.6 / 72
    rows = [max(lines[a], lines[b]) * line_h + head_h + 2 * pad for a, b in (PEST[:2], PEST[2:])]
    title_h = 0.35
    height = title_h + rows[0] + gap + rows[1]
    fig, ax = _diagram(width, height, "The regional ecosystem and framework conditions (PEST)")
    for k, key in enumerate(PEST):
        row, col = divmod(k, 2)
        x0 = col * (box_w + gap)
        top = height - title_h - (row * (rows[0] + gap))
        h = rows[row]
        ax.add_patch(FancyBboxPatch((x0, top - h), box_w, h, boxstyle="square,pad=0",
                                    facecolor=PALETTE[k], alpha=0.12, edgecolor="none"))
        ax.add_patch(FancyBboxPatch((x0, top - h), box_w, h, boxstyle="square,pad=0",
                                    facecolor="none", edgecolor=PALETTE[k], linewidth=1.5))
        ax.text(x0 + pad, top - pad, key.replace("_", "-").capitalize(), fontsize=TITLE_PT,
                fontweight="bold", va="top")
        ax.text(x0 + pad, top - pad - head_h, bodies[key], fontsize=FONT_PT, va="top",
                linespacing=spacing)
    return fig


def strategy_graph(s: Synthesis):
    """The strategy map as a networkx DiGraph with a ``layer`` on each node.

    General objective -> specific objectives -> interventions and high-impact actions ->
    the challenges each addresses. Edges come from sections 3 and 4.
    """
    import networkx as nx

    g = nx.DiGraph()
    g.add_node(s.general_objective.id, label=s.general_objective.text, layer=0)
    for o in s.specific_objectives:
        g.add_node(o.id, label=o.name, layer=1)
        g.add_edge(s.general_objective.id, o.id)
    for i in [*s.interventions, *s.high_impact_actions]:
        g.add_node(i.id, label=i.name, layer=2, kind="intervention" if i in s.interventions
                   else "high-impact action")
        for o in i.objectives:
            g.add_edge(o, i.id)
        for c in i.complements:
            g.add_edge(c, i.id, style="complements")
        for c in i.addresses:
            g.add_edge(i.id, c)
    for c in s.challenges:
        g.add_node(c.id, label=c.name, layer=3)
    return g


#: Which links of the strategy map the briefing states (section 3: the general objective is
#: operationalised by the specific objectives, which both interventions serve; sections 4.1.1
#: and 4.2.1: which high-impact action complements which intervention) and which are ours (the
#: briefing's Figure 6 is an image not in its text, so which challenge each intervention or
#: action addresses is this study's reading).
LINK_BASIS: dict[str, str] = {"leads to": "stated in the briefing",
                              "complements": "stated in the briefing",
                              "addresses": "our reading"}


def _edge_kind(g, u: str, v: str, d: dict) -> str:  # noqa: ANN001 - networkx graph
    if d.get("style") == "complements":
        return "complements"
    return "addresses" if g.nodes[v]["layer"] == 3 else "leads to"


def strategy_links_note(s: Synthesis) -> str:
    """One sentence for Figure 6's caption: which links the briefing states, which are ours."""
    edges = strategy_edges(s)
    n = edges["basis"].value_counts()
    return (f"Solid arrows (general objective to specific objectives to interventions, "
            f"{int((edges['kind'] == 'leads to').sum())} links) and dashed lines (which "
            "high-impact action complements which intervention) are stated in the briefing "
            "(sections 3, 4.1.1 and 4.2.1); the dotted arrows, which challenge each intervention "
            f"or action addresses ({int(n.get('our reading', 0))} links), are ours: the "
            "briefing's Figure 6 is an image that is not in its text.")


def _row_order(s: Synthesis) -> list[str]:
    """Interventions with the high-impact actions that complement them at their sides."""
    order: list[str] = []
    for i in s.interventions:
        comps = [h.id for h in s.high_impact_actions if i.id in h.complements and h.id not in order]
        half = len(comps) // 2
        order += comps[:half] + [i.id] + comps[half:]
    order += [h.id for h in s.high_impact_actions if h.id not in order]
    return order


def strategy_figure(s: Synthesis):
    """Figure 6: the strategy map in four rows, drawn at the book's text width.

    Box sizes come from the rendered text, and every arrow runs from the edge of its source
    box to the edge of its target box (the point where the line between their centres
    leaves and enters them). Links the briefing states are solid or dashed; links that are
    our reading are dotted.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    from eocic_helpers.outputs.legibility import text_width_in, wrap_to_width
    from eocic_helpers.outputs.style import FIGURE_WIDTH_IN, OKABE_ITO, PALETTE, SMALL_PT

    g = strategy_graph(s)
    hia = {h.id for h in s.high_impact_actions}
    row2 = _row_order(s)
    position = {n: k for k, n in enumerate(row2)}
    sources = {c.id: [position[u] for u in g.predecessors(c.id) if u in position]
               for c in s.challenges}
    row3 = sorted((c.id for c in s.challenges),
                  key=lambda c: (sum(sources[c]) / len(sources[c]) if sources[c] else 0.0))
    rows = [[s.general_objective.id], [o.id for o in s.specific_objectives], row2, row3]
    edge_colour = {0: PALETTE[0], 1: PALETTE[2], 2: PALETTE[1], 3: PALETTE[3]}
    width, pad, v_gap, spacing = FIGURE_WIDTH_IN, 0.07, 0.5, 1.15
    gaps = [0.2, 0.2, 0.28, 0.2]
    max_w = [3.6, 2.0, 2.0, 1.7]

    # measure the wrapped labels with a renderer to size the boxes; in a crowded row a box's
    # width grows with its label's length (power 0.35), and is never below its longest word
    probe = plt.figure(dpi=100)
    r = probe.canvas.get_renderer()
    box_w, labels, heights = {}, {}, {}
    for k, row in enumerate(rows):
        free = width - (len(row) - 1) * gaps[k]
        words = {n: max(text_width_in(w, SMALL_PT, probe) for w in g.nodes[n]["label"].split())
                 + 2 * pad + 0.02 for n in row}
        weight = {n: len(g.nodes[n]["label"]) ** 0.35 for n in row}
        share = {n: min(max_w[k], max(words[n], free * weight[n] / sum(weight.values())))
                 for n in row}
        excess = sum(share.values()) - free
        slack = {n: share[n] - words[n] for n in row}
        if excess > 0 and sum(slack.values()) > 0:
            share = {n: share[n] - excess * slack[n] / sum(slack.values()) for n in row}
        for n in row:
            w = share[n]
            text = wrap_to_width(g.nodes[n]["label"], w - 2 * pad, SMALL_PT, probe)
            t = probe.text(0, 0, text, fontsize=SMALL_PT, linespacing=spacing)
            heights[n] = t.get_window_extent(r).height / probe.dpi + 2 * pad
            box_w[n], labels[n] = w, text
    plt.close(probe)
    row_h = [max(heights[n] for n in row) for row in rows]
    title_h, legend_h = 0.35, 0.75
    height = title_h + sum(row_h) + v_gap * (len(rows) - 1) + legend_h
    fig, ax = _diagram(width, height, "Overview of the regional industrial modernisation strategy")

    boxes: dict[str, tuple[float, float, float, float]] = {}  # centre x, centre y, half w, half h
    top = height - title_h
    for k, row in enumerate(rows):
        total = sum(box_w[n] for n in row) + gaps[k] * (len(row) - 1)
        x = (width - total) / 2
        cy = top - row_h[k] / 2
        for n in row:
            w, h = box_w[n], row_h[k]
            boxes[n] = (x + w / 2, cy, w / 2, h / 2)
            hia_box = n in hia
            ax.add_patch(FancyBboxPatch(
                (x, cy - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.04",
                facecolor="#fdf3e1" if hia_box else "white", edgecolor=edge_colour[k],
                linewidth=1.6, linestyle="--" if hia_box else "-", zorder=2))
            ax.text(x + w / 2, cy, labels[n], ha="center", va="center", fontsize=SMALL_PT,
                    linespacing=spacing, zorder=3)
            x += w + gaps[k]
        top -= row_h[k] + v_gap

    # ports: the links leaving a box's bottom (entering its top) are spread evenly along
    # that edge, in the order of the boxes at their other ends, so they neither bunch nor cross
    between_rows = [(u, v) for u, v in g.edges() if u in boxes and v in boxes
                    and abs(boxes[u][1] - boxes[v][1]) > 1e-9]
    port: dict[tuple[str, str, str], float] = {}
    for n in boxes:
        for side, links in (("out", [(u, v) for u, v in between_rows if u == n]),
                            ("in", [(u, v) for u, v in between_rows if v == n])):
            other = sorted(links, key=lambda e: boxes[e[1] if side == "out" else e[0]][0])
            for k, e in enumerate(other):
                port[(side, *e)] = (2 * (k + 1) / (len(other) + 1) - 1) * 0.8 * boxes[n][2]

    def ends(u: str, v: str) -> tuple[tuple[float, float], tuple[float, float]]:
        """Where the link u -> v leaves u and enters v: on facing edges (bottom and top
        between rows, the sides between neighbours in a row)."""
        (ux, uy, uw, uh), (vx, vy, vw, vh) = boxes[u], boxes[v]
        if abs(uy - vy) < 1e-9:  # same row: side to side
            sign = 1 if vx > ux else -1
            return (ux + sign * uw, uy), (vx - sign * vw, vy)
        down = -1 if vy < uy else 1
        return ((ux + port[("out", u, v)], uy + down * uh),
                (vx + port[("in", u, v)], vy - down * vh))

    styles = {"leads to": {"color": "0.2", "linestyle": "-", "arrowstyle": "-|>"},
              "addresses": {"color": OKABE_ITO["blue"], "linestyle": ":", "arrowstyle": "-|>"},
              "complements": {"color": OKABE_ITO["orange"], "linestyle": "--",
                              "arrowstyle": "-"}}
    for u, v, d in g.edges(data=True):
        if u not in boxes or v not in boxes:
            continue
        st = styles[_edge_kind(g, u, v, d)]
        a, b = ends(u, v)
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle=st["arrowstyle"], mutation_scale=9,
                                     shrinkA=0, shrinkB=0, color=st["color"],
                                     linestyle=st["linestyle"], linewidth=1.1, zorder=1))
    handles = [
        Patch(facecolor="white", edgecolor=edge_colour[0], label="General objective"),
        Patch(facecolor="white", edgecolor=edge_colour[1], label="Specific objectives"),
        Patch(facecolor="white", edgecolor=edge_colour[2], label="Interventions"),
        Patch(facecolor="#fdf3e1", edgecolor=edge_colour[2], linestyle="--",
              label="High-impact actions"),
        Patch(facecolor="white", edgecolor=edge_colour[3], label="Challenges"),
        *[Line2D([], [], **{k: v for k, v in styles[kind].items() if k != "arrowstyle"},
                 label=f"{kind} ({LINK_BASIS[kind].removeprefix('stated in the ')})")
          for kind in ("leads to", "complements", "addresses")],
    ]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(width / 2, 0),
              bbox_transform=ax.transData, ncol=3, frameon=False, fontsize=SMALL_PT,
              handlelength=2.4, columnspacing=1.2)
    return fig


def strategy_edges(s: Synthesis) -> pd.DataFrame:
    """The links of the strategy map, with whether the briefing states them or they are ours."""
    g = strategy_graph(s)
    rows = []
    for u, v, d in g.edges(data=True):
        kind = _edge_kind(g, u, v, d)
        rows.append({"from": u, "from_label": g.nodes[u]["label"], "to": v,
                     "to_label": g.nodes[v]["label"], "kind": kind, "basis": LINK_BASIS[kind]})
    return pd.DataFrame(rows)


# -- data-driven candidates -----------------------------------------------------------------

#: Indicators screened for candidate strengths and weaknesses: id -> direction (+1 more is better).
SCREEN: dict[str, int] = {
    "gdp_per_capita_eur": 1, "tertiary_employed_share_pct": 1, "industry_lq": 1,
    "high_tech_sectors_emp_pct": 1, "kis_emp_pct": 1, "hrst_pct": 1, "berd_pct_gdp": 1,
    "berd_personnel_pct_emp": 1, "unemployment_rate_pct": -1, "broadband_households_pct": 1,
    "patents_per_million": 1, "tertiary_attainment_25_64_pct": 1,
}


def _unit_regions() -> list[Region]:
    out = []
    for r in load_regions():
        for u in r.units:
            codes13 = r.nuts2013 if len(r.units) == 1 else list(u.nuts2016)
            out.append(Region.model_construct(id=u.id, name=u.name, country=r.country,
                                              country_name=r.country_name, nuts2016=u.nuts2016,
                                              nuts2013=codes13, units=[u]))
    return out


def candidates(snapshot: pd.DataFrame, focus: Region, eu_margin: float = 0.1) -> pd.DataFrame:
    """Indicators on which the region is in the top or bottom quartile of the pilot units, or
    clearly (by ``eu_margin``) above or below the EU28, as candidate strengths and weaknesses."""
    from eocic_helpers.analysis.indicators import edition_value

    units = _unit_regions()
    rows = []
    for ind, direction in SCREEN.items():
        v = edition_value(snapshot, ind, focus)  # one value per indicator in an edition
        if v.missing:
            continue
        peers = [region_value(snapshot, ind, u, v.year).value for u in units]
        peers = [p for p in peers if p is not None]
        if len(peers) < 4:
            continue
        q1, q3 = pd.Series(peers).quantile([0.25, 0.75])
        eu = lookup(snapshot, ind, "EU28", v.year).value
        if eu is None and ind.endswith("_lq"):
            eu = 1.0
        signals = []
        score = 0
        if v.value >= q3:
            signals.append("top quartile of pilot units" if direction > 0 else
                           "highest quartile of pilot units (higher is worse)")
            score += direction
        elif v.value <= q1:
            signals.append("bottom quartile of pilot units" if direction > 0 else
                           "lowest quartile of pilot units (lower is better)")
            score -= direction
        if eu:
            ratio = v.value / eu
            if ratio >= 1 + eu_margin:
                signals.append(f"{(ratio - 1):.0%} above the EU28")
                score += direction
            elif ratio <= 1 - eu_margin:
                signals.append(f"{(1 - ratio):.0%} below the EU28")
                score -= direction
        if not signals or score == 0:
            continue
        rows.append({"indicator": ind, "label": recipes.indicators()[ind].label,
                     "value": round(v.value, 3), "year": v.year, "eu28": None if eu is None else round(eu, 3),
                     "pilot_q1": round(q1, 3), "pilot_q3": round(q3, 3),
                     "candidate": "strength" if score > 0 else "weakness",
                     "why": "; ".join(signals)})
    return pd.DataFrame(rows, columns=["indicator", "label", "value", "year", "eu28", "pilot_q1",
                                       "pilot_q3", "candidate", "why"])


#: Reader-facing headers of the candidates table (the ids stay in the figures' data only).
CANDIDATE_HEADERS = {"label": "Indicator", "value": "Value", "year": "Year", "eu28": "EU28",
                     "pilot_q1": "Pilot units, lower quartile",
                     "pilot_q3": "Pilot units, upper quartile",
                     "candidate": "Candidate", "why": "Why"}


def candidates_table(cands: pd.DataFrame) -> pd.DataFrame:
    """The candidates as a reader sees them: indicator labels, no ids, plain headers."""
    return cands[list(CANDIDATE_HEADERS)].rename(columns=CANDIDATE_HEADERS)


def backing(s: Synthesis, claims: pd.DataFrame) -> pd.DataFrame:
    """Which of the briefing's SWOT items our data back, contradict or cannot test.

    An item is judged only by the claims its declaration names (``test``), with the verdicts
    of ``claims`` (:func:`eocic_helpers.analysis.indicators.section_claims`, the same that
    the indicators chapter shows): backed when every one holds, contradicted when one does
    not, untestable otherwise. Evidence without a test is related data, not a verdict. The
    item's ``id`` is kept for the reproduction annex, which reads these verdicts; the page
    shows the other columns."""
    by_id = claims.set_index(CLAIM_ID) if len(claims) else claims
    rows = []
    for q, items in s.swot_items().items():
        for i in items:
            data_ev = [e for e in i.evidence if e in recipes.indicators()]
            tested = [by_id.loc[c] for c in i.test if c in by_id.index]
            statuses = [claim_status(str(t["verdict"])) for t in tested]
            if i.test and statuses and all(st == "holds" for st in statuses):
                verdict = "backed by the data"
            elif "does not hold" in statuses:
                verdict = "contradicted by the data"
            elif i.test:
                verdict = "cannot be tested on our data"
            elif data_ev:
                verdict = "not tested: the data cited relate to it but test no claim"
            elif i.evidence:
                verdict = "quoted value only (not recomputable here)"
            else:
                verdict = "qualitative: no quantitative evidence"
            rows.append({"id": i.id, "quadrant": q, "item": i.shown,
                         "evidence": "; ".join(evidence_label(e) for e in i.evidence),
                         "tested by": "; ".join(
                             f"{t['claim (briefing section 1.2)']} ({st})"
                             for t, st in zip(tested, statuses, strict=True)),
                         "verdict": verdict})
    return pd.DataFrame(rows, columns=["id", "quadrant", "item", "evidence", "tested by",
                                       "verdict"])


def evidence_label(evidence_id: str) -> str:
    """What a reader sees for an evidence id: the indicator's label, the scoreboard
    indicator's description, or the reference value's note (its first clause)."""
    if evidence_id in recipes.indicators():
        return recipes.indicators()[evidence_id].label
    board = load_eocic("ecosystem_scoreboard").set_index("indicator")
    if evidence_id in board.index:
        return note_label(str(board.loc[evidence_id, "note"]))
    ref = load_reference()
    if evidence_id in ref.index:
        return note_label(str(ref.loc[evidence_id, "note"]))
    return evidence_id
