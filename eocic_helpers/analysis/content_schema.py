"""What a region's content file may hold: the schema of each part under
``data/regions/<region>/`` (see :data:`PARTS`, ``synthesis.yaml`` included) and the rules of
its text, with :func:`fill`, which writes a text's placeholders as a reader sees them.

Numbers are never typed into the text: a statement writes ``{ref:ID}`` for a value of
``data/reference/briefing_values.csv`` and ``{date}`` for its own ``date`` field; a bare number
in a text field is a schema error, and :func:`check_references` refuses an id the reference
table does not hold. Loading a part (:mod:`eocic_helpers.analysis.content`) applies both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator

from eocic_helpers.analysis.action_plan import Intervention as PlanIntervention
from eocic_helpers.core.config import Strict, line_of, project_path
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.data.reference import load_reference, reference
from eocic_helpers.outputs.numbers import format_number

#: A placeholder for a reference value (``{ref:cluster_organisations_active}``) or the item's
#: own date (``{date}``).
PLACEHOLDER = re.compile(r"\{(?:ref:([a-z0-9_]+)|date)\}")
#: A number written as digits that is not part of a name such as "S3", "ESCP-4i", "INNOSUP-1".
BARE_NUMBER = re.compile(r"(?<![A-Za-z0-9\-@])\d+(?:[.,]\d+)*(?![A-Za-z0-9])")


def _no_bare_numbers(text: str) -> str:
    stripped = PLACEHOLDER.sub("", text)
    found = BARE_NUMBER.search(stripped)
    if found:
        raise ValueError(
            f"the number '{found.group(0)}' is typed into the text; add it to "
            "data/reference/briefing_values.csv and write {ref:ID}, or put a date in 'date' "
            "and write {date}")
    return text


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def format_value(value: float) -> str:
    """A reference value as the briefing writes it: thousands separated by a space."""
    return format_number(value, ",.0f" if float(value).is_integer() else "g")


def format_date(value: dt.date | int) -> str:
    """``20 June 2018`` for a date, the year for a bare year."""
    if isinstance(value, dt.date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return str(value)


def fill(text: str, date: dt.date | int | None = None) -> str:
    """Replace ``{ref:ID}`` by the reference value and ``{date}`` by the date (plain text)."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return format_value(float(reference(m.group(1))["value"]))
        return format_date(date) if date is not None else ""

    return PLACEHOLDER.sub(sub, text)


#: Text in the project's own words: no typed numbers, placeholders allowed.
Prose = Annotated[str, Field(min_length=3), AfterValidator(_no_bare_numbers)]
Ident = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
#: A source address as the briefing gives it: http(s), ASCII, no spaces or angle brackets, so
#: that it can be written as a MyST autolink ``<...>`` and nothing else.
Url = Annotated[str, Field(pattern=r"^https?://[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$",
                           max_length=300)]


class Footnote(Strict):
    """A footnote of the briefing that carries content, placed where it belongs."""

    number: int = Field(ge=1, description="the briefing's footnote number")
    text: Prose
    date: dt.date | int | None = None
    url: Url | None = Field(None, description="the source address the footnote gives")


class Statement(Strict):
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


class Group(Strict):
    """Statements under one heading."""

    heading: str = Field(min_length=3)
    items: list[Statement] = Field(min_length=1)


# -- the parts ------------------------------------------------------------------------------

class _Part(Strict):
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


class Meaning(Strict):
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


class Risk(Strict):
    id: Ident
    name: str = Field(min_length=3)
    text: Prose
    mitigation: Prose | None = None
    source: str = Field(min_length=3)


class Box(Strict):
    id: Ident
    title: str = Field(min_length=3)
    source: str = Field(min_length=3)
    citation: str = ""
    items: list[Statement] = Field(min_length=1)


class Recommendation(Strict):
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


class Initiative(Strict):
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


# -- synthesis.yaml -------------------------------------------------------------------------

class Item(Strict):
    id: Ident
    text: str = Field(min_length=3)
    source: str = Field(min_length=3)
    evidence: list[str] = Field(default_factory=list)
    #: Ids of the section 1.2 claims that test the item on our data
    #: (:data:`eocic_helpers.analysis.claims.CLAIM_IDS`): the only way an item is "backed
    #: by the data". Evidence alone shows related data; it tests nothing.
    test: list[str] = Field(default_factory=list)
    footnote: Footnote | None = None

    @property
    def shown(self) -> str:
        """The text as printed: ``{ref:ID}`` replaced by the reference value."""
        return fill(self.text)


class Swot(Strict):
    strengths: list[Item]
    weaknesses: list[Item]
    opportunities: list[Item]
    threats: list[Item]


class Pest(Strict):
    political: list[Item]
    economic: list[Item]
    socio_cultural: list[Item]
    technological: list[Item]


QUADRANTS = list(Swot.model_fields)
PEST = list(Pest.model_fields)


class Challenge(Strict):
    id: str
    name: str
    source: str
    from_swot: list[str] = Field(min_length=1)


class Objective(Strict):
    id: str
    name: str
    source: str
    addresses: list[str] = Field(min_length=1)


class Intervention(PlanIntervention):
    """An intervention as the synthesis describes it: the action plan's intervention (id,
    name, source) plus what it addresses and complements."""

    objectives: list[str] = Field(default_factory=list)
    complements: list[str] = Field(default_factory=list)
    addresses: list[str] = Field(min_length=1)


class Synthesis(_Part):
    """``synthesis.yaml``: sections 2 and 3 of the briefing (SWOT, PEST, challenges) and the
    skeleton of its strategy (problem drivers, objectives, interventions, high-impact actions,
    additional elements)."""

    swot: Swot
    pest: Pest
    challenges: list[Challenge] = Field(min_length=1)
    problem_drivers: list[Item]
    general_objective: Item
    specific_objectives: list[Objective] = Field(min_length=1)
    interventions: list[Intervention] = Field(min_length=1)
    high_impact_actions: list[Intervention]
    additional_elements: list[Item]

    def swot_items(self) -> dict[str, list[Item]]:
        return {q: getattr(self.swot, q) for q in QUADRANTS}

    @model_validator(mode="after")
    def _references(self) -> Synthesis:
        swot = {i.id for items in self.swot_items().values() for i in items}
        challenges = {c.id for c in self.challenges}
        objectives = {o.id for o in self.specific_objectives}
        interventions = {i.id for i in self.interventions}
        # (who cites, the ids cited, the ids there are, what they are), in the order checked
        links = [(f"challenge '{c.id}' cites", c.from_swot, swot, "SWOT item")
                 for c in self.challenges]
        links += [(f"objective '{o.id}' addresses", o.addresses, challenges, "challenge")
                  for o in self.specific_objectives]
        for i in [*self.interventions, *self.high_impact_actions]:
            links += [(f"'{i.id}' addresses", i.addresses, challenges, "challenge"),
                      (f"'{i.id}' serves", i.objectives, objectives, "objective"),
                      (f"'{i.id}' complements", i.complements, interventions, "intervention")]
        for who, cited, known, what in links:
            for ref in cited:
                if ref not in known:
                    raise ValueError(f"{who} unknown {what} '{ref}'")
        return self


#: Part name -> (file name, model, what the part holds, in the reader's words).
PARTS: dict[str, tuple[str, type[Strict], str]] = {
    "synthesis": ("synthesis.yaml", Synthesis,
                  "the strengths, weaknesses, challenges and objectives"),
    "study": ("study.yaml", Study, "the selection of the region and the method of the study"),
    "framing": ("framing.yaml", Framing, "the role of clusters and the regional economy"),
    "strategy": ("strategy.yaml", Strategy, "the proposed regional strategy"),
    "recommendations": ("recommendations.yaml", Recommendations,
                        "the recommended interventions"),
    "eu_initiatives": ("eu_initiatives.yaml", EuInitiatives,
                       "the EU initiatives that complement the plan"),
}


#: Parts of ``synthesis.yaml`` that a chapter names on their own, in the reader's words.
OTHER_PARTS = {"swot": "its analysis of strengths, weaknesses, opportunities and threats",
               "challenges": "its challenges"}


# -- the {ref:ID} placeholders --------------------------------------------------------------

def walk(obj: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (location, node) in a validated model: the models, lists and values it holds."""
    yield loc, obj
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from walk(getattr(obj, name), (*loc, name))
    elif isinstance(obj, list):
        for k, item in enumerate(obj):
            yield from walk(item, (*loc, k))


def check_references(model: BaseModel, path: Path) -> None:
    """Every ``{ref:ID}`` names a reference value.

    Raises:
        ConfigError: naming file, line and field of the first unknown id.
    """
    known = set(load_reference().index)
    for loc, text in walk(model):
        if not isinstance(text, str):
            continue
        for m in PLACEHOLDER.finditer(text):
            if m.group(1) and m.group(1) not in known:
                line = line_of(path, loc)
                field = ".".join(str(p) for p in loc)
                raise ConfigError(
                    f"{project_path(path)}:{line}: field '{field}': unknown reference value "
                    f"'{m.group(1)}'; add it to data/reference/briefing_values.csv or fix the id")
