"""The page "What this edition reproduces": every element of the briefing with its status.

Statuses are computed, never asserted: an element is *reproduced* or *reconstructed* only when
the region's content file holds it and the chapter that shows it ran (for figures and tables,
when the run produced the file); a number is *reproduced* only when our computed value agrees
with the briefing's within its tolerance, and *stated* only when a chapter quotes it.
Everything else is *omitted*, with the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd
from pydantic import BaseModel, Field

from eocic_helpers.analysis.content import load_part
from eocic_helpers.analysis.content_schema import PARTS, Box, Footnote, Group, format_value, walk
from eocic_helpers.core import paths
from eocic_helpers.core.config import Strict, load_model
from eocic_helpers.core.pipeline import REPORT_TAG, load_pipeline
from eocic_helpers.core.regions import SEED_REGION, Region, load_regions
from eocic_helpers.data.reference import briefing_comparisons, fidelity_table, load_reference
from eocic_helpers.outputs.escape import myst_text
from eocic_helpers.outputs.publication import myst_list_table

ELEMENTS_FILE = "briefing_elements.yaml"
Status = Literal["reproduced", "differs", "reconstructed", "stated", "omitted"]
#: Units of briefing_values.csv in words.
UNITS = {"EUR_HAB": "EUR per inhabitant", "PC": "%"}


def chapter_titles() -> dict[str, str]:
    """Chapter titles by notebook, as ``notebooks/pipeline.yaml`` declares them."""
    return {p.file: p.title for _, p, _ in load_pipeline().pages("region")}


def part_chapter(part: str) -> str | None:
    """The chapter (notebook) that shows a content part of a region: the first notebook that
    ``notebooks/pipeline.yaml`` declares reading the part's file (``None`` for no such part)."""
    if part not in PARTS:
        return None
    return load_pipeline().first_reader(f"data/regions/{{region}}/{PARTS[part][0]}")


class Element(Strict):
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


class Catalogue(Strict):
    schema_version: int
    elements: list[Element] = Field(min_length=1)


def load_catalogue() -> Catalogue:
    return load_model(Catalogue, paths.REFERENCE / ELEMENTS_FILE)


def region_content(region_id: str) -> dict[str, Any]:
    """Every content part of a region (``None`` for a part it lacks)."""
    return {p: load_part(region_id, p) for p in PARTS}


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
        return sum(len(i.items) if isinstance(i, Group | Box) else 1 for i in node)
    if isinstance(node, BaseModel) and hasattr(node, "strengths"):
        return sum(len(getattr(node, q)) for q in ("strengths", "weaknesses", "opportunities",
                                                   "threats"))
    return 1


def footnotes_held(parts: dict[str, Any]) -> dict[int, str]:
    """Briefing footnote number -> the part that carries it."""
    held: dict[int, str] = {}
    for part, model in parts.items():
        for _, node in walk(model):
            if isinstance(node, Footnote):
                held.setdefault(node.number, part)
    return held


def _file_of(part: str) -> str:
    """The region's content part in a reader's words (the file is named on the analysts'
    page, not here)."""
    return f"the project's restatement of {PARTS[part][2]}"


def element_rows(region: Region, run_dir: Path | None = None) -> pd.DataFrame:
    """One row per element of the briefing: element, kind, status, how or why, chapter."""
    run_dir = Path(run_dir or paths.run_dir(region.id))
    parts = region_content(region.id)
    held = footnotes_held(parts)
    ran = {p.stem for p in run_dir.glob("*.ipynb")}
    rows = []
    titles = chapter_titles()
    for e in load_catalogue().elements:
        chapter = titles.get(e.chapter, e.chapter)
        status: Status
        if e.omitted and (e.footnote is None or e.footnote not in held):
            status, how = "omitted", e.omitted
        elif e.footnote is not None:
            if e.footnote in held and part_chapter(held[e.footnote]) in ran:
                part = held[e.footnote]
                status, how = "reproduced", ("a footnote in our words where the briefing places "
                                             f"it, from {_file_of(part)}")
                chapter = titles[str(part_chapter(part))]
            else:
                status, how = "omitted", ("no content file of this region carries it" if
                                          region.id != SEED_REGION else "not written yet")
        elif e.chapter and e.chapter not in ran:
            status, how = "omitted", "the chapter that would show it has not been run"
        elif e.own_file and not (paths.region_data_dir(region.id) / e.own_file).exists():
            status = "omitted"
            how = (f"{region.name}'s own briefing has one, which this reproduction does not "
                   "restate")
        elif e.figure and not (run_dir / "figures" / f"{e.figure}.svg").exists():
            status, how = "omitted", "the figure was not produced for this region"
        elif e.content and _count(resolve(parts, e.content)) == 0:
            part = e.content.split(".")[0]
            status, how = "omitted", f"not written for this region ({_file_of(part)})"
        elif e.table and not e.content and not (run_dir / "tables" / f"{e.table}.csv").exists():
            status, how = "omitted", "the table was not produced for this region"
        elif e.status:
            status, how = e.status, e.how
        else:
            part = e.content.split(".")[0]
            n = _count(resolve(parts, e.content))
            status = "reproduced"
            how = (f"restated in our words, {n} item{'s' if n != 1 else ''} each citing the "
                   f"briefing, from {_file_of(part)}")
        rows.append({"element": e.label, "kind": e.kind, "status": status,
                     "how or why": how, "chapter": chapter if status != "omitted" else ""})
    return pd.DataFrame(rows)


def _number_forms(value: float) -> set[str]:
    """The ways a number can be written in an edition: ``27 800``, ``27,800``, ``27800``,
    ``0.751``, ``34.5``."""
    forms = {format_value(value)}
    if float(value).is_integer():
        forms |= {f"{int(value):,}", f"{int(value)}", f"{int(value)}.0"}
    else:
        forms |= {f"{value:g}"}
    return {f for f in forms if f}


#: A glue role of a page: ``{glue:text}`key` `` (or ``notebook.ipynb::key``, ``key:format``).
_GLUE_ROLE = re.compile(r"\{glue:text\}`(?:[\w./-]+::)?([A-Za-z0-9_]+)(?::[^`]*)?`")


def rendered_keys(run_dir: Path, chapters: list[str]) -> dict[str, list[tuple[str, bool]]]:
    """The catalogue keys each page of the edition renders, from the glue roles of the executed
    notebooks' markdown: key -> [(chapter, in the technical report)]. A ``<key>_text`` role
    renders ``<key>`` too. Structure only: which page quotes which key, never what its text
    looks like."""
    out: dict[str, list[tuple[str, bool]]] = {}
    for name in chapters:
        nb_file = run_dir / f"{name}.ipynb"
        try:
            cells = json.loads(nb_file.read_text("utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "markdown":
                continue
            in_report = REPORT_TAG in cell.get("metadata", {}).get("tags", [])
            for m in _GLUE_ROLE.finditer("".join(cell.get("source", []))):
                for key in dict.fromkeys((m.group(1), m.group(1).removesuffix("_text"))):
                    where = out.setdefault(key, [])
                    if (name, in_report) not in where:
                        where.append((name, in_report))
    return out


def _within(ours: float, row: pd.Series) -> bool:
    value, tol = float(row["value"]), float(row["tolerance"])
    bound = tol * abs(value) if row["tolerance_kind"] == "relative" else tol
    return abs(ours - value) <= bound + 1e-9


def _value_shows(value: Any, number: float, row: pd.Series) -> bool:
    """Whether a key's value (in this region's results) is the briefing's number: a number
    within the row's tolerance, or a text (a sentence glued whole) that states it."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return _within(float(value), row)
    text = str(value).replace("\u00a0", " ").replace("\u202f", " ")
    return any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])(?!\.\d)", text)
               for f in _number_forms(number))


def _results(run_dir: Path) -> dict[str, Any]:
    """The run's ``results.json`` as stored (empty when there is none)."""
    results_file = run_dir / "results.json"
    return json.loads(results_file.read_text("utf-8")) if results_file.exists() else {}


def seed_geo() -> set[str]:
    """The geo codes of the seed briefing's own numbers: its region's units and its country."""
    seed = next(r for r in load_regions() if r.id == SEED_REGION)
    return {*seed.nuts2016, *seed.nuts2013, seed.country}


def swot_tests(parts: dict[str, Any], run_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """For each reference value a SWOT item cites as evidence: the verdicts of the items that
    cite it and name claims to test them, as the synthesis chapter judged them (its table
    ``swot_backing``, read here, never judged again): ``{id: [(verdict, tested by)]}``."""
    backing_csv = run_dir / "tables" / "swot_backing.csv"
    synthesis = parts.get("synthesis")
    if synthesis is None or not backing_csv.exists():
        return {}
    backing = pd.read_csv(backing_csv, dtype=str, keep_default_na=False).set_index("id")
    out: dict[str, list[tuple[str, str]]] = {}
    for items in synthesis.swot_items().values():
        for item in items:
            if item.test and item.id in backing.index:
                for evidence in item.evidence:
                    out.setdefault(evidence, []).append(
                        (backing.loc[item.id, "verdict"], backing.loc[item.id, "tested by"]))
    return out


def number_rows(region: Region, run_dir: Path | None = None) -> pd.DataFrame:
    """One row per number of ``briefing_values.csv`` and its status in this edition, from
    structure (the row's ``shown_by``: the catalogue keys or the content part that show it):

    - *reproduced*: we recompute it, it agrees within its tolerance, and every comparison the
      briefing makes with it (above the EU, below the country...) holds in our data;
    - *differs*: we recompute it and it, or a comparison the briefing makes, does not agree
      (both values are given);
    - *stated*: not recomputed, but a page shows it: a page renders a key that holds it, or
      the chapter of the region's own content part that holds it ran (the page is named);
    - *omitted*: no page shows it; for another region, a number of the Centre-Val de Loire
      briefing about that region or its country is never this region's.
    """
    run_dir = Path(run_dir or paths.run_dir(region.id))
    ref = load_reference()
    results = _results(run_dir)
    pipeline = load_pipeline()
    # The chapters of the region's own run: not the notebooks that run after them (this page,
    # the summary), whose outputs may or may not exist yet when this one runs.
    chapters = [p.file for part, p, _ in pipeline.pages("region")
                if p.source == "notebook" and not pipeline.notebooks[p.file].after_region]
    ran = [c for c in chapters if (run_dir / f"{c}.ipynb").exists()]
    rendered = rendered_keys(run_dir, ran)
    report_titles = {p.file: p.title for p in pipeline.report_pages("region")
                     if p.cells == "report"}
    parts = region_content(region.id)
    own_geo = seed_geo()
    titles = chapter_titles()

    def title(chapter: str, in_report: bool) -> str:
        if in_report and chapter in report_titles:
            return f"{report_titles[chapter]} (technical report)"
        return titles.get(chapter, chapter)

    tested = swot_tests(parts, run_dir)
    comps: dict[str, list[Any]] = {}
    if region.id == SEED_REGION:
        for c in briefing_comparisons(results):
            if c.ours is not None:
                comps.setdefault(c.id, []).append(c)
    rows = []
    for ref_id, row in ref.iterrows():
        number = float(row["value"])
        value = format_value(number)
        kind, _, target = str(row.get("shown_by", "")).partition(":")
        shown_in: list[str] = []
        recomputed: float | None = None
        if kind == "glue" and target in rendered and target in results:
            if _value_shows(results[target], number, row):
                shown_in = [title(c, r) for c, r in rendered[target]]
            elif isinstance(results[target], int | float) and not isinstance(
                    results[target], bool):
                recomputed = float(results[target])
        elif kind == "part" and parts.get(target) is not None and \
                part_chapter(target) in ran:
            shown_in = [title(str(part_chapter(target)), False)]
        theirs = region.id != SEED_REGION and str(row["geo"]) in own_geo
        if theirs:
            status = "omitted"
            how = ("a number of the Centre-Val de Loire briefing about that region or its "
                   "country; this edition does not present it as this region's")
        elif ref_id in comps:
            cs = comps[ref_id]
            ours = format_value(round(float(cs[0].ours), 3))
            claims = [c for c in cs if c.claim]
            if all(c.agrees for c in cs):
                status = "reproduced"
                how = f"recomputed: ours {ours}, briefing {value}, within {cs[0].tolerance}"
                if claims:
                    how += "; " + "; ".join(f"{c.claim}: holds" for c in claims)
            else:
                status = "differs"
                why = [c.note for c in cs if not c.agrees and c.note]
                how = f"ours {ours}, briefing {value} (tolerance {cs[0].tolerance})"
                if why:
                    how += "; " + "; ".join(dict.fromkeys(why))
        elif region.id != SEED_REGION and kind == "glue" and (
                recomputed is not None or (shown_in and isinstance(results.get(target), int | float))):
            ours_value = float(results[target])
            status = "reproduced" if _within(ours_value, row) else "differs"
            pages = "; ".join(dict.fromkeys(title(c, r) for c, r in rendered[target]))
            how = (f"recomputed for this edition ({pages}): ours "
                   f"{format_value(round(ours_value, 3))}, briefing {value}")
        elif shown_in:
            status = "stated"
            how = f"shown in {'; '.join(dict.fromkeys(shown_in))}; not recomputed: {row['note']}"
            how += "".join(f"; the SWOT item citing it is {verdict} ({claims})"
                           for verdict, claims in tested.get(ref_id, []))
        else:
            status = "omitted"
            how = ("a number of the Centre-Val de Loire briefing; this edition does not present "
                   "it as this region's" if region.id != SEED_REGION
                   else "no page of this edition shows it")
        unit = UNITS.get(str(row["unit"]), str(row["unit"]))
        rows.append({"id": ref_id, "number": f"{value} {unit}",
                     "what": str(row["note"]).split(";")[0], "where": f"briefing {row['where']}",
                     "status": status, "how or why": how})
    return pd.DataFrame(rows)


def summary(frame: pd.DataFrame) -> str:
    """The rows of ``frame`` counted by status, in the order of :data:`Status`."""
    counts = frame["status"].value_counts()
    return ", ".join(f"{int(counts[s])} {s}" for s in get_args(Status) if s in counts)


def intro(region: Region) -> str:
    """The page's opening paragraph (plain text)."""
    text = (f"This page lists every element of the seed briefing, EOCIC (2019) for "
            f"Centre-Val de Loire, and what the {region.name} edition does with it. The status "
            "is computed from the region's content files, the chapters that ran and the "
            "briefing's reference values: reproduced (carried over, restated in our words or "
            "recomputed within tolerance, with the briefing's comparisons holding), differs (recomputed, "
            "but the value or a comparison does not agree; both values given), reconstructed "
            "(rebuilt by another route, said how), stated (shown, not recomputed, said why) or "
            "omitted (appears nowhere in this edition).")
    if region.id != SEED_REGION:
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
    return myst_list_table(elements.drop(columns="kind"), "Elements of the briefing and their "
                           "status in this edition.", "tab-reproduction-elements",
                           widths=[27, 15, 38, 20])


def numbers_table(numbers: pd.DataFrame) -> str:
    """The reference numbers as a MyST list-table, every cell escaped."""
    return myst_list_table(numbers.drop(columns="id"), "The briefing's numbers and their "
                           "status in this edition.", "tab-reproduction-numbers",
                           widths=[14, 22, 16, 14, 34])


def fidelity_md(region: Region) -> str:
    """The briefing's numbers against this run (seed region only), with each comparison the
    briefing makes; then the numbers quoted but not recomputable (MyST)."""
    if region.id != SEED_REGION:
        return myst_text(f"The seed briefing covers Centre-Val de Loire only, so there are no "
                         f"published numbers for {region.name} to compare with.") + "\n"
    results = _results(paths.run_dir(region.id))
    ref = load_reference()
    table = fidelity_table(briefing_comparisons(results))
    if "value" in table and "note" in ref:  # a reader sees the value's name, not its id
        table["value"] = table["value"].map(lambda i: ref["note"].get(i) or i)
    not_computable = ref[ref["computable"] == "no"].reset_index()
    not_computable["where"] = "briefing " + not_computable["where"].astype(str)
    parts = [myst_text("The briefing's numbers that a computation can reproduce, against "
                       "this run, with the tolerance each comparison allows."), "",
             myst_list_table(table, "The briefing's numbers against ours.", "tab-fidelity"),
             "", myst_text("These numbers of the briefing cannot be recomputed from public "
                           "data here; they are quoted where used and flagged as such:"), "",
             myst_list_table(not_computable[["value", "unit", "where", "note"]].rename(
                 columns={"value": "Value", "unit": "Unit", "where": "Where in the briefing",
                          "note": "Note"}), "Numbers quoted, not recomputed.",
                 "tab-not-computable")]
    return "\n".join(parts) + "\n"
