"""The briefing's prose as data: study method, chapter 2 framing, strategy, interventions and
EU initiatives, each statement in the project's own words with its section or footnote.

One YAML file per part under ``data/regions/<region>/`` (see :data:`PARTS`), checked by a
schema with file:line:field errors. Numbers are never typed into the text: a statement writes
``{ref:ID}`` for a value of ``data/reference/briefing_values.csv`` and ``{date}`` for its own
``date`` field; a bare number in a text field is a schema error. Everything rendered for the
book goes through :func:`eocic_helpers.outputs.escape.myst_text`, so content stays text.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from eocic_helpers.core import paths
from eocic_helpers.core.config import _line_of, _rel, load_yaml, validate
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.outputs.escape import myst_text

#: A placeholder for a reference value (``{ref:cluster_organisations_active}``) or the item's
#: own date (``{date}``).
PLACEHOLDER = re.compile(r"\{(?:ref:([a-z0-9_]+)|date)\}")
#: A number written as digits that is not part of a name such as "S3", "ESCP-4i", "INNOSUP-1".
BARE_NUMBER = re.compile(r"(?<![A-Za-z0-9\-@])\d+(?:[.,]\d+)*(?![A-Za-z0-9])")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def _no_bare_numbers(text: str) -> str:
    stripped = PLACEHOLDER.sub("", text)
    found = BARE_NUMBER.search(stripped)
    if found:
        raise ValueError(
            f"the number '{found.group(0)}' is typed into the text; add it to "
            "data/reference/briefing_values.csv and write {ref:ID}, or put a date in 'date' "
            "and write {date}")
    return text


#: Text in the project's own words: no typed numbers, placeholders allowed.
Prose = Annotated[str, Field(min_length=3), AfterValidator(_no_bare_numbers)]
Ident = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
#: A source address as the briefing gives it: http(s), ASCII, no spaces or angle brackets, so
#: that it can be written as a MyST autolink ``<...>`` and nothing else.
Url = Annotated[str, Field(pattern=r"^https?://[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$",
                           max_length=300)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Footnote(_Model):
    """A footnote of the briefing that carries content, placed where it belongs."""

    number: int = Field(ge=1, description="the briefing's footnote number")
    text: Prose
    date: dt.date | int | None = None
    url: Url | None = Field(None, description="the source address the footnote gives")


class Statement(_Model):
    """One short statement in the project's own words."""

    id: Ident
    text: Prose
    source: str = Field(min_length=3)
    date: dt.date | int | None = None
    footnote: Footnote | None = None

    @model_validator(mode="after")
    def _date_placeholder(self) -> Statement:
        for where, text, date in [("text", self.text, self.date)] + (
                [("footnote", self.footnote.text, self.footnote.date)] if self.footnote else []):
            if "{date}" in text and date is None:
                raise ValueError(f"{where} writes {{date}} but no date is given")
        return self


class Group(_Model):
    """Statements under one heading."""

    heading: str = Field(min_length=3)
    items: list[Statement] = Field(min_length=1)


# -- the parts ------------------------------------------------------------------------------

class _Part(_Model):
    """What every content file starts with: its schema version and the region it is for."""

    schema_version: int
    region: str


class Study(_Part):
    """``study.yaml``: why the region is in the study (front matter) and how the briefing was
    made (section 1.1)."""

    selection: list[Statement] = Field(min_length=1)
    aims: list[Statement] = Field(min_length=1)
    method: list[Statement] = Field(min_length=1)


class Framing(_Part):
    """``framing.yaml``: the opening of chapter 2 (clusters and the regional economy)."""

    statements: list[Statement] = Field(min_length=1)


class Meaning(_Model):
    """What an element of ``synthesis.yaml`` (an objective, an intervention, an action) means."""

    of: Ident
    text: Prose
    source: str = Field(min_length=3)


class Strategy(_Part):
    """``strategy.yaml``: chapter 3 around the skeleton of ``synthesis.yaml`` (drivers, general
    and specific objectives, interventions, high-impact actions, additional elements)."""

    drivers_intro: Statement
    context: list[Statement] = Field(min_length=1)
    objective_intro: Statement
    objectives: list[Meaning] = Field(min_length=1)
    interventions: list[Meaning] = Field(min_length=1)
    high_impact_intro: Statement | None = None
    high_impact_actions: list[Meaning] = Field(default_factory=list)
    additional_elements: Statement


class Risk(_Model):
    id: Ident
    name: str = Field(min_length=3)
    text: Prose
    mitigation: Prose | None = None
    source: str = Field(min_length=3)


class Box(_Model):
    id: Ident
    title: str = Field(min_length=3)
    source: str = Field(min_length=3)
    citation: str = ""
    items: list[Statement] = Field(min_length=1)


class Recommendation(_Model):
    """One intervention of chapter 4."""

    id: Ident
    title: str = Field(min_length=3)
    section: str
    description: list[Group] = Field(min_length=1)
    boxes: list[Box] = Field(default_factory=list)
    benefits: list[Statement] = Field(min_length=1)
    costs: list[Statement] = Field(min_length=1)
    risks: list[Risk] = Field(min_length=1)


class Recommendations(_Part):
    """``recommendations.yaml``: chapter 4, one entry per intervention."""

    interventions: list[Recommendation] = Field(min_length=1)


class Initiative(_Model):
    id: Ident
    name: str = Field(min_length=3)
    programme: str = ""
    text: Prose
    source: str = Field(min_length=3)
    date: dt.date | int | None = None


class EuInitiatives(_Part):
    """``eu_initiatives.yaml``: chapter 5 before the action plan."""

    intro: list[Statement] = Field(min_length=1)
    initiatives: list[Initiative] = Field(min_length=1)
    closing: list[Statement] = Field(default_factory=list)


#: Part name -> (file name, model, what the part holds, in the reader's words).
PARTS: dict[str, tuple[str, type[_Model], str]] = {
    "study": ("study.yaml", Study, "the selection of the region and the method of the study"),
    "framing": ("framing.yaml", Framing, "the role of clusters and the regional economy"),
    "strategy": ("strategy.yaml", Strategy, "the proposed regional strategy"),
    "recommendations": ("recommendations.yaml", Recommendations,
                        "the recommended interventions"),
    "eu_initiatives": ("eu_initiatives.yaml", EuInitiatives,
                       "the EU initiatives that complement the plan"),
}


def content_file(region_id: str, part: str) -> Path:
    """``data/regions/<region>/<part>.yaml``."""
    return paths.region_data_dir(region_id) / PARTS[part][0]


def _walk(obj: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every (location, string) in a validated model."""
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk(getattr(obj, name), (*loc, name))
    elif isinstance(obj, list):
        for k, item in enumerate(obj):
            yield from _walk(item, (*loc, k))
    elif isinstance(obj, str):
        yield loc, obj


def _known_references() -> set[str]:
    from eocic_helpers.data.reference import load_reference

    return set(load_reference().index)


def check_references(model: BaseModel, path: Path) -> None:
    """Every ``{ref:ID}`` names a reference value.

    Raises:
        ConfigError: naming file, line and field of the first unknown id.
    """
    known = _known_references()
    for loc, text in _walk(model):
        for m in PLACEHOLDER.finditer(text):
            if m.group(1) and m.group(1) not in known:
                line = _line_of(path, loc)
                field = ".".join(str(p) for p in loc)
                raise ConfigError(
                    f"{_rel(path)}:{line}: field '{field}': unknown reference value "
                    f"'{m.group(1)}'; add it to data/reference/briefing_values.csv or fix the id")


def load_part(region_id: str, part: str, path: Path | None = None) -> Any:
    """A region's content part, or ``None`` when the region has none yet.

    Raises:
        ConfigError: malformed YAML, a schema violation, a typed number or an unknown
            reference, naming file, line and field; or a file written for another region.
    """
    name, model, _ = PARTS[part]
    path = Path(path or content_file(region_id, part))
    if not path.exists():
        return None
    data = load_yaml(path)
    result = validate(model, data, path)
    if result.region != region_id:
        line = _line_of(path, ("region",))
        raise ConfigError(f"{_rel(path)}:{line}: field 'region': '{result.region}' is not "
                          f"'{region_id}'; this file belongs to another region")
    check_references(result, path)
    if part == "strategy":
        _check_strategy(region_id, result, path)
    if part == "recommendations":
        _check_recommendations(region_id, result, path)
    return result


def _check_strategy(region_id: str, strategy: Strategy, path: Path) -> None:
    from eocic_helpers.analysis.synthesis import load_synthesis

    synthesis = load_synthesis(region_id)
    if synthesis is None:
        raise ConfigError(f"{_rel(path)}: chapter 3 builds on the objectives and interventions "
                          f"of data/regions/{region_id}/synthesis.yaml, which is missing")
    known = {"objectives": {o.id for o in synthesis.specific_objectives},
             "interventions": {i.id for i in synthesis.interventions},
             "high_impact_actions": {i.id for i in synthesis.high_impact_actions}}
    for field, ids in known.items():
        for k, meaning in enumerate(getattr(strategy, field)):
            if meaning.of not in ids:
                line = _line_of(path, (field, k, "of"))
                raise ConfigError(
                    f"{_rel(path)}:{line}: field '{field}.{k}.of': '{meaning.of}' is not among "
                    f"the {field.replace('_', ' ')} of synthesis.yaml ({', '.join(sorted(ids))})")


def _check_recommendations(region_id: str, recs: Recommendations, path: Path) -> None:
    from eocic_helpers.analysis.synthesis import load_synthesis

    synthesis = load_synthesis(region_id)
    if synthesis is None:
        return
    ids = {i.id for i in synthesis.interventions}
    for k, rec in enumerate(recs.interventions):
        if rec.id not in ids:
            line = _line_of(path, ("interventions", k, "id"))
            raise ConfigError(
                f"{_rel(path)}:{line}: field 'interventions.{k}.id': '{rec.id}' is not an "
                f"intervention of synthesis.yaml ({', '.join(sorted(ids))})")


def missing_sentence(region_name: str, region_id: str, part: str) -> str:
    """The short paragraph a chapter says when the region lacks its content (MyST): it cites
    the region's own 2019 briefing (:mod:`eocic_helpers.analysis.briefings`)."""
    from eocic_helpers.analysis.briefings import not_restated

    what = OTHER_PARTS.get(part) or PARTS[part][2]
    return myst_text(not_restated(region_id, region_name, what))


#: Parts held in ``synthesis.yaml`` (not in :data:`PARTS`), in the reader's words.
OTHER_PARTS = {"swot": "its analysis of strengths, weaknesses, opportunities and threats",
               "challenges": "its challenges"}


def has_own_content(region_id: str) -> bool:
    """True when the region has briefing content written for it (any content file)."""
    from eocic_helpers.analysis.synthesis import load_synthesis

    return load_synthesis(region_id) is not None or any(
        content_file(region_id, part).exists() for part in PARTS)


# -- rendering ------------------------------------------------------------------------------

def format_value(value: float) -> str:
    """A reference value as the briefing writes it: thousands separated by a space."""
    from eocic_helpers.outputs.numbers import format_number

    return format_number(value, ",.0f" if float(value).is_integer() else "g")


def format_date(value: dt.date | int) -> str:
    """``20 June 2018`` for a date, the year for a bare year."""
    if isinstance(value, dt.date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return str(value)


def fill(text: str, date: dt.date | int | None = None) -> str:
    """Replace ``{ref:ID}`` by the reference value and ``{date}`` by the date (plain text)."""
    from eocic_helpers.data.reference import reference

    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return format_value(float(reference(m.group(1))["value"]))
        return format_date(date) if date is not None else ""

    return PLACEHOLDER.sub(sub, text)


def references_used(model: BaseModel) -> list[str]:
    """The reference ids a part cites, in order of first use."""
    seen: dict[str, None] = {}
    for _, text in _walk(model):
        for m in PLACEHOLDER.finditer(text):
            if m.group(1):
                seen.setdefault(m.group(1), None)
    return list(seen)


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


class Markdown:
    """An output holding MyST for the book, escaped HTML for JupyterLab and plain text."""

    def __init__(self, myst: str) -> None:
        self.myst = myst

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        plain = re.sub(r"\\(.)", r"\1", self.myst)
        return {"text/markdown": self.myst, "text/plain": plain,
                "text/html": f"<pre>{html.escape(plain)}</pre>"}


def show(myst: str) -> None:
    """Display MyST text as a notebook output the book renders."""
    from IPython.display import display

    display(Markdown(myst))


def list_table(frame: Any, caption: str, name: str, widths: str | None = None) -> str:
    """A MyST list-table whose caption and cells are escaped content: the one writer of
    :func:`eocic_helpers.outputs.publication.myst_list_table` (column widths that fit the
    PDF's text block, a landscape page for a wide table), with ``widths`` as a MyST string."""
    from eocic_helpers.outputs.publication import myst_list_table

    return myst_list_table(frame, caption, name,
                           widths=[int(w) for w in widths.split()] if widths else None)


def html_table(frame: Any, caption: str) -> str:
    return f"<p><b>{html.escape(caption)}</b></p>" + frame.to_html(index=False, na_rep="",
                                                                     escape=True)


# -- pages ----------------------------------------------------------------------------------

def study_values(region: Any, study: Study | None) -> dict[str, Any]:
    """Every value the about_study chapter glues (its keys in ``notebooks/results.yaml``)."""
    return {"region_name": region.name, "has_study": study is not None}


def recommendations_values(region: Any, recs: Recommendations | None) -> dict[str, Any]:
    """Every value the interventions chapter glues (its keys in ``notebooks/results.yaml``):
    whether the region's recommendations are restated, how many, and each one's risks."""
    out: dict[str, Any] = {"region_name": region.name, "has_recommendations": recs is not None}
    if recs is not None:
        out["n_recommended_interventions"] = len(recs.interventions)
        out.update({f"n_risks_{rec.id}": len(rec.risks) for rec in recs.interventions})
    return out


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


def strategy_md(strategy: Strategy, synthesis: Any) -> str:
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


# -- scaffold -------------------------------------------------------------------------------

_HEAD = """\
# {what} for {name}, as data (data/regions/centre-val-de-loire/{file} is a complete
# example). Write each statement in your own words, short, and cite where it comes from in
# 'source'. Do not type numbers into the text: write {{ref:ID}} for a value of
# data/reference/briefing_values.csv (add a row there with its source), or give a 'date' and
# write {{date}}. A 'footnote' (number, text, optional url) is printed as a footnote where the
# statement is.
schema_version: 1
region: {id}
"""

SCAFFOLDS: dict[str, str] = {
    "study": """\
# Front matter: how the region came to be a pilot (calls, dates, who funds the advice).
selection:
  - id: call
    text: "The region answered the call for expressions of interest of {{date}}."
    date: 2017-09-29
    source: "where it is stated"
# Section 1.1: what the exercise is for.
aims:
  - id: aim
    text: "What the exercise helps the regional authorities decide."
    source: "where it is stated"
# Section 1.1: how the briefing was made (research, interviews, visits, meetings).
method:
  - {{id: desk_research, text: "Desk research.", source: "where it is stated"}}
""",
    "framing": """\
# Opening of chapter 2: the role of clusters, how many there are, how they differ, and what
# characterises the regional economy. Statements are printed as three short paragraphs.
statements:
  - {{id: role_of_clusters, text: "How the region sees its clusters.", source: "where it is stated"}}
""",
    "strategy": """\
# Chapter 3. The skeleton (problem drivers, general and specific objectives, interventions,
# high-impact actions, additional elements) lives in synthesis.yaml; here is what links it.
drivers_intro:
  id: drivers_intro
  text: "How the analysis arrived at the problem drivers."
  source: "where it is stated"
context:
  - {{id: policy, text: "The regional policy the strategy builds on.", source: "where it is stated"}}
objective_intro:
  id: objective_intro
  text: "How the general objective follows."
  source: "where it is stated"
# 'of' names an id of synthesis.yaml: what each specific objective means.
objectives:
  - {{of: so1, text: "What this objective means.", source: "where it is stated"}}
interventions:
  - {{of: iv1, text: "What this intervention does.", source: "where it is stated"}}
high_impact_actions: []
additional_elements:
  id: meetings
  text: "Where the additional elements come from."
  source: "where it is stated"
""",
    "recommendations": """\
# Chapter 4: one entry per intervention of synthesis.yaml (same id).
interventions:
  - id: iv1
    title: "Title of the intervention"
    section: "4.1"
    # Groups of statements under a heading: why, who, steps, phases...
    description:
      - heading: "What the intervention does"
        items:
          - {{id: purpose, text: "What it does and for whom.", source: "where it is stated"}}
    # Boxes: an example from elsewhere, with its citation.
    boxes: []
    benefits:
      - {{id: benefit, text: "An expected benefit.", source: "where it is stated"}}
    # Costs: amounts only as {{ref:ID}}.
    costs:
      - {{id: cost, text: "What drives the cost.", source: "where it is stated"}}
    # Risks: leave out 'mitigation' when none is named.
    risks:
      - id: risk
        name: "Name of the risk"
        text: "What could go wrong."
        mitigation: "How to limit it."
        source: "where it is stated"
""",
    "eu_initiatives": """\
# Chapter 5 before the action plan: EU initiatives that complement the interventions.
intro:
  - {{id: deployment, text: "How the interventions would be deployed.", source: "where it is stated"}}
initiatives:
  - id: initiative
    name: "Name of the initiative"
    programme: ""
    text: "What it offers the region."
    source: "where it is stated"
closing: []
""",
}


def scaffold(region: Any, force: bool = False) -> list[Path]:
    """Write a commented template for every content file the region lacks (synthesis.yaml
    included); with ``force``, overwrite them all.

    Returns:
        The files written.

    Raises:
        ConfigError: the region already has every file (use ``force``).
    """
    from eocic_helpers.analysis import synthesis as sy
    from eocic_helpers.core.atomic import write_text

    written = []
    if force or not sy.synthesis_file(region.id).exists():
        written.append(sy.scaffold(region, force=force))
    for part, (file, _, what) in PARTS.items():
        target = content_file(region.id, part)
        if target.exists() and not force:
            continue
        head = _HEAD.format(what=what[0].upper() + what[1:], name=region.name, file=file,
                            id=region.id)
        write_text(target, head + SCAFFOLDS[part].format())
        written.append(target)
    if not written:
        raise ConfigError(f"data/regions/{region.id}/ has every content file; edit them, or "
                          "pass --force to overwrite them")
    return written


def check_region_content(region_id: str) -> None:
    """Load and check every content part a region has (the runner's preflight, declared in
    ``notebooks/pipeline.yaml``).

    Raises:
        ConfigError: the first problem, naming file, line and field.
    """
    for part in PARTS:
        load_part(region_id, part)
