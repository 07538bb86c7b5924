"""The content parts as the book shows them: MyST text (escaped by
:func:`eocic_helpers.outputs.escape.myst_text`, so content stays text), with the briefing's
footnotes and citations, ``{ref:ID}`` and ``{date}`` filled in, and tables for HTML and PDF.
"""

from __future__ import annotations

import html
import re

from eocic_helpers.analysis.briefings import not_restated
from eocic_helpers.analysis.content_schema import (
    OTHER_PARTS,
    PARTS,
    EuInitiatives,
    Footnote,
    Framing,
    Recommendation,
    Statement,
    Strategy,
    Study,
    Synthesis,
    fill,
)
from eocic_helpers.outputs.escape import myst_text


class Page:
    """MyST text of one page section, with footnotes collected for the end of the block."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.notes: list[str] = []
        self._labels: set[str] = set()

    def note(self, fn: Footnote, key: str) -> str:
        """A footnote reference; its definition goes to the end of the block."""
        label = f"fn{fn.number}-{key}".replace("_", "-")
        if label not in self._labels:
            self._labels.add(label)
            body = myst_text(fill(fn.text, fn.date)) + (f" <{fn.url}>" if fn.url else "")
            self.notes.append(f"[^{label}]: {body} *{myst_text(f'(briefing footnote {fn.number})')}*")
        return f"[^{label}]"

    def statement(self, s: Statement, *, cite: bool = True) -> str:
        text = myst_text(fill(s.text, s.date))
        if s.footnote:
            text += self.note(s.footnote, s.id)
        if cite:
            text += cite_source(s.source)
        return text

    def heading(self, level: int, title: str) -> None:
        self.lines += ["#" * level + " " + myst_text(title), ""]

    def para(self, text: str) -> None:
        self.lines += [text, ""]

    def bullets(self, items: list[str]) -> None:
        self.lines += [f"- {i}" for i in items] + [""]

    def numbered(self, items: list[str]) -> None:
        self.lines += [f"{k}. {i}" for k, i in enumerate(items, start=1)] + [""]

    def text(self) -> str:
        return "\n".join(self.lines) + "\n" + "".join(f"\n{n}\n" for n in self.notes)


#: How a source that points into the briefing starts (its sections, boxes, tables, footnotes).
_BRIEFING_PLACE = re.compile(r"(sections?|box|table|figure|footnotes?|selection)\b", re.I)
_SECTIONS = re.compile(r"\bsections (\d[\d.]*) and (?:section )?(\d[\d.]*)")
_SECTION = re.compile(r"\bsection (?=\d)")


def briefing_ref(source: str) -> str:
    """A content source as a citation of the briefing, in the briefing's own numbering.

    The edition numbers its chapters differently from the briefing, so a bare "section 4.1.1"
    would be read as the edition's own: ``"section 4.1.1, footnote 8"`` reads
    ``"briefing §4.1.1, footnote 8"``, ``"sections 3 and 4.1"`` reads ``"briefing §§3 and
    4.1"``, ``"Box 1"`` reads ``"briefing Box 1"``, and the unnumbered opening section is named
    after ``"briefing, "``. A source that names another document is returned unchanged.
    """
    if not _BRIEFING_PLACE.match(source):
        return source
    text = _SECTION.sub("§", _SECTIONS.sub(r"§§\1 and \2", source))
    return f"briefing, {text}" if text.startswith("Selection") else f"briefing {text}"


def cite_source(source: str) -> str:
    """A source cited after a statement: `` *(briefing §4.1.1)*``, escaped for MyST."""
    return f" *{myst_text(f'({briefing_ref(source)})')}*"


def show(myst: str) -> None:
    """Display MyST text as a notebook output the book renders (JupyterLab shows it as plain
    text)."""
    from IPython.display import display

    from eocic_helpers.outputs.publication import Bundle

    plain = re.sub(r"\\(.)", r"\1", myst)
    display(Bundle(f"<pre>{html.escape(plain)}</pre>", myst, plain))


def missing_sentence(region_name: str, region_id: str, part: str, cite: bool = False) -> str:
    """The short paragraph a chapter says when the region lacks its content (MyST); with
    ``cite`` (the introduction, once per edition) it cites the region's own 2019 briefing
    (:func:`eocic_helpers.analysis.briefings.not_restated`)."""
    what = OTHER_PARTS.get(part) or PARTS[part][2]
    return myst_text(not_restated(region_id, region_name, what, cite=cite))


# -- pages ----------------------------------------------------------------------------------

def study_md(study: Study) -> str:
    """Front matter (selection of the pilots) and section 1.1 (aims and method)."""
    page = Page()
    page.heading(2, "Selection among the pilot regions in industrial transition")
    for s in study.selection:
        page.para(page.statement(s))
    page.heading(2, "Aims and method of the exercise")
    for s in study.aims:
        page.para(page.statement(s))
    page.para("The briefing rests on:")
    page.bullets([page.statement(s) for s in study.method])
    return page.text()


def framing_md(framing: Framing) -> str:
    """The opening of chapter 2: clusters and the regional economy."""
    page = Page()
    page.para(" ".join(page.statement(s) for s in framing.statements[:2]))
    page.para(" ".join(page.statement(s) for s in framing.statements[2:4]))
    page.para(" ".join(page.statement(s) for s in framing.statements[4:]))
    return page.text()


def strategy_md(strategy: Strategy, synthesis: Synthesis) -> str:
    """Chapter 3: problem drivers, policy context, objectives, interventions, high-impact
    actions and additional elements, the skeleton from ``synthesis.yaml``."""
    page = Page()
    meaning = {m.of: m for field in ("objectives", "interventions", "high_impact_actions")
               for m in getattr(strategy, field)}

    def named(name: str, item_id: str, source: str) -> str:
        text = f"**{myst_text(name)}**"
        m = meaning.get(item_id)
        if m is not None:
            text += f": {myst_text(fill(m.text))}" + cite_source(m.source)
        else:
            text += cite_source(source)
        return text

    page.heading(2, "Problem drivers")
    page.para(page.statement(strategy.drivers_intro))
    page.bullets([myst_text(d.text) + cite_source(d.source) for d in synthesis.problem_drivers])
    page.heading(2, "The regional policy context")
    for s in strategy.context:
        page.para(page.statement(s))
    page.heading(2, "General and specific objectives")
    page.para(page.statement(strategy.objective_intro))
    go = synthesis.general_objective
    page.para(f"General objective: **{myst_text(go.text)}**" + cite_source(go.source))
    page.numbered([named(o.name, o.id, o.source) for o in synthesis.specific_objectives])
    page.heading(2, "Interventions")
    page.bullets([named(i.name, i.id, i.source) for i in synthesis.interventions])
    if synthesis.high_impact_actions:
        page.heading(2, "High-impact actions of the AMI expert")
        if strategy.high_impact_intro is not None:
            page.para(page.statement(strategy.high_impact_intro))
        page.bullets([named(i.name, i.id, i.source) for i in synthesis.high_impact_actions])
    if synthesis.additional_elements:
        page.heading(2, "Additional elements")
        page.para(page.statement(strategy.additional_elements))
        page.numbered([myst_text(a.text) + cite_source(a.source)
                       for a in synthesis.additional_elements])
    return page.text()


def recommendation_md(rec: Recommendation) -> str:
    """One intervention of chapter 4: description, boxes, benefits and costs, risks."""
    page = Page()
    page.heading(2, rec.title)
    page.para(f"*{myst_text(f'Briefing section {rec.section}.')}*")
    page.heading(3, "Description")
    for group in rec.description:
        page.heading(4, group.heading)
        page.bullets([page.statement(s) for s in group.items])
    for box in rec.boxes:
        body = [page.statement(s, cite=False) for s in box.items]
        page.lines += [f"```{{admonition}} {myst_text(box.title)}", ":class: note", ""]
        page.lines += [f"{b}\n" for b in body]
        if box.citation:
            page.lines += [f"*{myst_text('Source: ' + box.citation)}*", ""]
        page.lines += [cite_source(box.source).strip(), "```", ""]
    page.heading(3, "Benefits and costs")
    page.para(myst_text("Benefits:"))
    page.bullets([page.statement(s) for s in rec.benefits])
    page.para(myst_text("Costs:"))
    page.bullets([page.statement(s) for s in rec.costs])
    page.heading(3, "Risks, obstacles and challenges")
    risks = []
    for r in rec.risks:
        text = f"**{myst_text(r.name)}**: {myst_text(fill(r.text))}"
        text += (f" *{myst_text('Mitigation:')}* {myst_text(fill(r.mitigation))}" if r.mitigation
                 else f" {myst_text('The briefing names no mitigation.')}")
        risks.append(text + cite_source(r.source))
    page.numbered(risks)
    return page.text()


def eu_initiatives_md(eu: EuInitiatives) -> str:
    """Chapter 5 before Table 2: deployment and the complementary EU initiatives."""
    page = Page()
    for s in eu.intro:
        page.para(page.statement(s))
    items = []
    for i in eu.initiatives:
        text = f"**{myst_text(i.name)}**"
        if i.programme:
            text += f" ({myst_text(i.programme)})"
        items.append(f"{text}: {myst_text(fill(i.text, i.date))}" + cite_source(i.source))
    page.bullets(items)
    for s in eu.closing:
        page.para(page.statement(s))
    return page.text()
