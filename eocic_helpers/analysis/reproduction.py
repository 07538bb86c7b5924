"""The page "What this edition reproduces": every element of the briefing with its status.

Statuses are computed, never asserted: an element is *reproduced* or *reconstructed* only when
the region's content file holds it and the chapter that shows it ran (for figures and tables,
when the run produced the file); a number is *reproduced* only when our computed value agrees
with the briefing's within its tolerance, and *stated* only when a chapter quotes it.
Everything else is *omitted*, with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from eocic_helpers.analysis import content as ct
from eocic_helpers.core import paths
from eocic_helpers.core.config import load_model
from eocic_helpers.core.regions import SEED_REGION, Region

ELEMENTS_FILE = "briefing_elements.yaml"
TEMPLATE_REGION = SEED_REGION
Status = Literal["reproduced", "reconstructed", "stated", "omitted"]
#: Which chapter (notebook) shows each content part.
PART_CHAPTER = {"study": "about_study", "framing": "synthesis", "strategy": "strategy",
                "recommendations": "interventions", "eu_initiatives": "action_plan",
                "synthesis": "synthesis"}
#: Units of briefing_values.csv in words.
UNITS = {"EUR_HAB": "EUR per inhabitant", "PC": "%"}
CHAPTER_TITLES = {
    "about_study": "Selection, aims and method of the study",
    "indicators": "Key economic and innovation indicators",
    "industrial_change": "Composite indicators of industrial change",
    "synthesis": "Challenges, barriers and drivers of industrial modernisation",
    "strategy": "Proposed regional strategy to address the challenges",
    "interventions": "Specific recommendations for policy intervention",
    "cost_benefit": "Costs and sensitivity of the two interventions",
    "action_plan": "Roadmap and action plan",
}


class Element(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: Literal["section", "figure", "table", "box", "footnote"]
    label: str
    chapter: str = ""
    content: str = ""
    figure: str = ""
    table: str = ""
    own_file: str = ""
    footnote: int | None = None
    status: Literal["reproduced", "reconstructed"] | None = None
    how: str = ""
    omitted: str = ""


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: int
    elements: list[Element] = Field(min_length=1)


def load_catalogue(path: Path | None = None) -> Catalogue:
    return load_model(Catalogue, Path(path or paths.REFERENCE / ELEMENTS_FILE))


def region_content(region_id: str) -> dict[str, Any]:
    """Every content part of a region (``None`` for a part it lacks), synthesis included."""
    from eocic_helpers.analysis.synthesis import load_synthesis

    parts: dict[str, Any] = {p: ct.load_part(region_id, p) for p in ct.PARTS}
    parts["synthesis"] = load_synthesis(region_id)
    return parts


def resolve(parts: dict[str, Any], address: str) -> Any:
    """``study.method`` or ``recommendations.coaching.risks``: the content at that address, or
    ``None`` when the region lacks it."""
    head, *rest = address.split(".")
    node: Any = parts.get(head)
    for key in rest:
        if node is None:
            return None
        if isinstance(node, BaseModel) and key in type(node).model_fields:
            node = getattr(node, key)
        elif isinstance(node, BaseModel) and hasattr(node, "interventions"):
            node = next((i for i in node.interventions if getattr(i, "id", None) == key), None)
        else:
            return None
    return node


def _count(node: Any) -> int:
    if node is None:
        return 0
    if isinstance(node, list):
        return sum(len(i.items) if isinstance(i, ct.Group | ct.Box) else 1 for i in node)
    if isinstance(node, BaseModel) and hasattr(node, "strengths"):
        return sum(len(getattr(node, q)) for q in ("strengths", "weaknesses", "opportunities",
                                                   "threats"))
    return 1


def footnotes_held(parts: dict[str, Any]) -> dict[int, str]:
    """Briefing footnote number -> the part that carries it."""
    held: dict[int, str] = {}

    def walk(obj: Any, part: str) -> None:
        if isinstance(obj, ct.Footnote):
            held.setdefault(obj.number, part)
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name), part)
        elif isinstance(obj, list):
            for item in obj:
                walk(item, part)

    for part, model in parts.items():
        if model is not None:
            walk(model, part)
    return held


def _file_of(part: str, region_id: str) -> str:
    name = "synthesis.yaml" if part == "synthesis" else ct.PARTS[part][0]
    return f"data/regions/{region_id}/{name}"


def element_rows(region: Region, run_dir: Path | None = None) -> pd.DataFrame:
    """One row per element of the briefing: element, kind, status, how or why, chapter."""
    run_dir = Path(run_dir or paths.run_dir(region.id))
    parts = region_content(region.id)
    held = footnotes_held(parts)
    ran = {p.stem for p in run_dir.glob("*.ipynb")}
    rows = []
    for e in load_catalogue().elements:
        chapter = CHAPTER_TITLES.get(e.chapter, e.chapter)
        status: Status
        if e.omitted and (e.footnote is None or e.footnote not in held):
            status, how = "omitted", e.omitted
        elif e.footnote is not None:
            if e.footnote in held and PART_CHAPTER[held[e.footnote]] in ran:
                part = held[e.footnote]
                status, how = "reproduced", ("a footnote in our words where the briefing places "
                                             f"it, from {_file_of(part, region.id)}")
                chapter = CHAPTER_TITLES[PART_CHAPTER[part]]
            else:
                status, how = "omitted", ("no content file of this region carries it" if
                                          region.id != TEMPLATE_REGION else "not written yet")
        elif e.chapter and e.chapter not in ran:
            status, how = "omitted", "the chapter that would show it has not been run"
        elif e.own_file and not (paths.region_data_dir(region.id) / e.own_file).exists():
            status = "omitted"
            how = (f"{region.name} has none of its own (data/regions/{region.id}/{e.own_file}); "
                   "the chapter shows Centre-Val de Loire's as a template, labelled as such")
        elif e.figure and not (run_dir / "figures" / f"{e.figure}.png").exists():
            status, how = "omitted", "the figure was not produced for this region"
        elif e.content and _count(resolve(parts, e.content)) == 0:
            part = e.content.split(".")[0]
            status, how = "omitted", f"not written for this region ({_file_of(part, region.id)})"
        elif e.table and not e.content and not (run_dir / "tables" / f"{e.table}.csv").exists():
            status, how = "omitted", "the table was not produced for this region"
        elif e.status:
            status, how = e.status, e.how
        else:
            part = e.content.split(".")[0]
            n = _count(resolve(parts, e.content))
            status = "reproduced"
            how = (f"restated in our words, {n} item{'s' if n != 1 else ''} each citing the "
                   f"briefing, from {_file_of(part, region.id)}")
        rows.append({"element": e.label, "kind": e.kind, "status": status,
                     "how or why": how, "chapter": chapter if status != "omitted" else ""})
    return pd.DataFrame(rows)


def number_rows(region: Region, run_dir: Path | None = None) -> pd.DataFrame:
    """One row per number of ``briefing_values.csv``: its status in this edition."""
    from eocic_helpers.data.reference import RESULTS_KEYS as FIDELITY_KEYS
    from eocic_helpers.data.reference import compare, load_reference

    run_dir = Path(run_dir or paths.run_dir(region.id))
    ref = load_reference()
    results_file = run_dir / "results.json"
    results = json.loads(results_file.read_text("utf-8")) if results_file.exists() else {}
    ran = {p.stem for p in run_dir.glob("*.ipynb")}
    owners_file = run_dir / "_owners.json"
    owners = json.loads(owners_file.read_text("utf-8")) if owners_file.exists() else {}
    parts = region_content(region.id)
    quoted: dict[str, list[str]] = {}
    for part, model in parts.items():
        if model is None or PART_CHAPTER[part] not in ran:
            continue
        ids = ct.references_used(model)
        if part == "synthesis":
            ids += [e for q in model.swot_items().values() for i in q for e in i.evidence]
        for ref_id in ids:
            quoted.setdefault(ref_id, [])
            title = CHAPTER_TITLES[PART_CHAPTER[part]]
            if title not in quoted[ref_id]:
                quoted[ref_id].append(title)
    rows = []
    for ref_id, row in ref.iterrows():
        value = ct.format_value(float(row["value"]))
        where = str(row["where"])
        if region.id != TEMPLATE_REGION:
            status, how = "omitted", ("a number of the Centre-Val de Loire briefing; this "
                                      "edition does not present it as this region's")
        elif (row["computable"] == "yes" and ref_id in FIDELITY_KEYS
              and results.get(FIDELITY_KEYS[ref_id]) is not None):
            c = compare(ref_id, results[FIDELITY_KEYS[ref_id]])
            ours = ct.format_value(round(float(c.ours or 0), 3))
            margin = ("equal to the briefing's" if c.tolerance == "exact"
                      else f"within {c.tolerance} of the briefing's")
            if c.agrees:
                status, how = "reproduced", f"recomputed: {ours}, {margin}"
            else:
                status, how = "reconstructed", (f"recomputed as {ours}, not "
                                                f"{margin.replace('within', 'within')}; the "
                                                "fidelity appendix shows the difference")
        elif (ref_id in FIDELITY_KEYS and results.get(FIDELITY_KEYS[ref_id]) is not None
              and owners.get(FIDELITY_KEYS[ref_id]) in CHAPTER_TITLES):
            chapter = CHAPTER_TITLES[owners[FIDELITY_KEYS[ref_id]]]
            status, how = "stated", f"quoted in {chapter}; not recomputed: {row['note']}"
        elif ref_id in quoted:
            why = (str(row["note"]) if row["computable"] == "no"
                   else "an input the briefing states, not an output")
            status, how = "stated", f"quoted in {'; '.join(quoted[ref_id])}; not recomputed: {why}"
        else:
            status, how = "omitted", "no chapter quotes it in its text or recomputes it"
        unit = UNITS.get(str(row["unit"]), str(row["unit"]))
        rows.append({"id": ref_id, "number": f"{value} {unit}",
                     "what": str(row["note"]).split(";")[0], "where": where,
                     "status": status, "how or why": how})
    return pd.DataFrame(rows)


def summary(frame: pd.DataFrame) -> str:
    counts = frame["status"].value_counts()
    order = ["reproduced", "reconstructed", "stated", "omitted"]
    return ", ".join(f"{int(counts[s])} {s}" for s in order if s in counts)


#: The page's title and its two section headings (the notebook's markdown cells hold them too).
TITLE = "What this edition reproduces"
ELEMENTS_HEADING = "Sections, figures, tables, boxes and footnotes"
NUMBERS_HEADING = "Stated numbers"


def intro(region: Region) -> str:
    """The page's opening paragraph (plain text)."""
    text = (f"This page lists every element of the seed briefing, EOCIC (2019) for "
            f"Centre-Val de Loire, and what the {region.name} edition does with it. The status "
            "is computed from the region's content files, the chapters that ran and the "
            "briefing's reference values: reproduced (carried over, restated in our words or "
            "recomputed within tolerance), reconstructed (rebuilt by another route, said how), "
            "stated (quoted, not recomputable, said why) or omitted (said why).")
    if region.id != TEMPLATE_REGION:
        text += (f" The briefing is about Centre-Val de Loire: for {region.name} only the "
                 "data-driven chapters and the content written for it count.")
    return text


def elements_summary(elements: pd.DataFrame) -> str:
    """One sentence counting the elements by status (plain text)."""
    return f"Of {len(elements)} elements: {summary(elements)}."


def numbers_summary(numbers: pd.DataFrame) -> str:
    """One sentence counting the reference numbers by status (plain text)."""
    return f"Of {len(numbers)} numbers held in the reference values: {summary(numbers)}."


def elements_table(elements: pd.DataFrame) -> str:
    """The elements as a MyST list-table, every cell escaped."""
    return ct.list_table(elements.drop(columns="kind"), "Elements of the briefing and their "
                         "status in this edition.", "tab-reproduction-elements",
                         widths="27 15 38 20")


def numbers_table(numbers: pd.DataFrame) -> str:
    """The reference numbers as a MyST list-table, every cell escaped."""
    return ct.list_table(numbers.drop(columns="id"), "The briefing's numbers and their status "
                         "in this edition.", "tab-reproduction-numbers",
                         widths="14 22 16 14 34")


def reproduction_md(region: Region, run_dir: Path | None = None) -> str:
    """The page "What this edition reproduces" as one MyST text, from content, runs and
    references (the notebook ``notebooks/reproduction.ipynb`` shows the same parts)."""
    elements = element_rows(region, run_dir)
    numbers = number_rows(region, run_dir)
    parts = [f"# {TITLE}", "", ct.myst_text(intro(region)), "",
             f"## {ELEMENTS_HEADING}", "", ct.myst_text(elements_summary(elements)), "",
             elements_table(elements),
             f"## {NUMBERS_HEADING}", "", ct.myst_text(numbers_summary(numbers)), "",
             numbers_table(numbers)]
    return "\n".join(parts) + "\n"
