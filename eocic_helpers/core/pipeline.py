"""The one declaration of the study's pipeline: ``notebooks/pipeline.yaml``.

Every notebook's contract (scope, what it reads, its parameter checks and content preflights)
and every edition's pages (front matter, chapters with their sections, annexes) are declared
there once. The runner (:mod:`eocic_helpers.run`), the book (:mod:`eocic_helpers.book`), the
command line and the README's table read this module; none of them lists notebooks or
chapters of its own.

Checks are named by dotted path (``eocic_helpers.analysis.action_plan.parse_t0``) and
imported only when called, so the generic runner imports no analysis module.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import Field

from eocic_helpers.core import paths
from eocic_helpers.core.config import Strict, load_model, load_versioned
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.core.results import value

PIPELINE_FILE = "pipeline.yaml"

#: When and for which regions a notebook runs (the header of pipeline.yaml says each; SCOPE_TEXT).
Scope = Literal["eu_wide", "region", "any_nuts2", "after_region", "cross_region", "atlas"]
#: Pseudo-region of the EU-wide notebooks (scope ``eu_wide``): they run once into
#: ``build/runs/eu/``, before the regions, whose notebooks read what they publish.
EU_WIDE = "eu"
#: How a notebook's ``reads`` name a file the EU-wide notebooks publish:
#: ``{eu}/data/<file>`` is ``build/runs/eu/data/<file>``.
EU_PLACEHOLDER = "{eu}"
#: How a notebook's ``reads`` name the files of the region it runs for (the only other
#: placeholder a read may hold).
REGION_PLACEHOLDER = "{region}"
#: The folder of an edition's book (and site) that holds its technical report.
REPORT_DIR = "report"
#: The cell tag of a notebook's analysis beyond the briefing: the briefing's copy leaves those
#: cells out, and a report page declared with ``cells: report`` shows them.
REPORT_TAG = "report"
#: The two kinds of edition: one per region, and the cross-region edition.
Edition = Literal["region", "all"]
_DOTTED = r"^eocic_helpers(\.[a-z_][a-z0-9_]*)+$"
_NAME = r"^[a-z][a-z0-9_]*$"


class NotebookDecl(Strict):
    """One notebook's contract (the header of pipeline.yaml says what each field means)."""

    scope: Scope
    about: str = Field(min_length=1)
    briefing: str = Field(min_length=1)
    reads: tuple[str, ...] = ()
    checks: dict[str, str] = Field(default_factory=dict)
    validator: str = Field(default="", pattern=rf"({_DOTTED})|^$")
    allowed: str = Field(default="", pattern=rf"({_DOTTED})|^$")
    parameters: str = Field(default="", pattern=rf"({_DOTTED})|^$")
    preflight: tuple[str, ...] = ()

    @property
    def cross_region(self) -> bool:
        return self.scope == "cross_region"

    @property
    def eu_wide(self) -> bool:
        return self.scope == "eu_wide"

    @property
    def reads_eu(self) -> bool:
        """Whether it reads what the EU-wide notebooks publish (a ``{eu}/...`` read)."""
        return any(r.startswith(EU_PLACEHOLDER + "/") for r in self.reads)

    @property
    def after_region(self) -> bool:
        return self.scope == "after_region"

    @property
    def any_nuts2(self) -> bool:
        """Whether it can run for any NUTS 2 region (``eocic run --all-nuts2``)."""
        return self.scope in ("any_nuts2", "atlas")

    @property
    def atlas(self) -> bool:
        """Whether it runs only in ``eocic run --all-nuts2`` (by default) or when named."""
        return self.scope == "atlas"


class Page(Strict):
    """One page of an edition: an executed notebook, or a page the book writes itself."""

    file: str = Field(pattern=_NAME)
    title: str = Field(min_length=1)
    source: Literal["notebook", "page"] = "notebook"
    pdf: bool = True
    #: A key of the region's ``results.json`` that must be true for the page to be shown
    #: (e.g. ``has_costs``: the costs of interventions the region's own content defines).
    when: str = Field(default="", pattern=r"^([a-z][a-z0-9_]*)?$")
    #: Which cells of the notebook the page shows: ``all``, or only those tagged ``report``
    #: (a page of the technical report that holds the analysis behind a briefing chapter;
    #: the briefing's copy of the notebook leaves those cells out).
    cells: Literal["all", "report"] = "all"
    sections: tuple[Page, ...] = ()

    def shown(self, pdf: bool, flags: dict[str, Any] | None) -> bool:
        """Whether the page is part of a build (``pdf``: the print build)."""
        if pdf and not self.pdf:
            return False
        return not self.when or flags is None or bool(value(flags, self.when))


class EditionDecl(Strict):
    """The pages of one kind of edition, in reading order."""

    root: Page
    front: tuple[Page, ...] = ()
    chapters: tuple[Page, ...] = Field(min_length=1)
    annexes: tuple[Page, ...] = ()
    #: The technical report published beside the briefing: its own root page and chapters
    #: (in ``report/`` of the edition's site, and its own PDF).
    report: ReportDecl | None = None
    #: The 2019 briefing's own numbers of the figures and tables it reproduces, by kind
    #: (``figure``, ``table``) and label (``fig-<name>``, ``tab-<name>``): the briefing keeps
    #: them and letters any other (:mod:`eocic_helpers.book.sphinx_numfig`).
    numbers: dict[Literal["figure", "table"], dict[str, int]] = {}


class ReportDecl(Strict):
    """The pages of an edition's technical report, in reading order."""

    root: Page
    chapters: tuple[Page, ...] = Field(min_length=1)


class Pipeline(Strict):
    """``notebooks/pipeline.yaml``."""

    schema_version: Literal[1]
    notebooks: dict[str, NotebookDecl]
    editions: dict[Edition, EditionDecl]

    def first_reader(self, path: str) -> str | None:
        """The first notebook, in the declaration's order, that reads ``path`` as declared
        (e.g. ``data/regions/{region}/study.yaml``; globs are not expanded), or ``None``."""
        return next((name for name, nb in self.notebooks.items() if path in nb.reads), None)

    def pages(self, edition: Edition, pdf: bool = False, flags: dict[str, Any] | None = None
              ) -> list[tuple[str, Page, int]]:
        """Every page of an edition in reading order, as (part, page, depth); part is
        ``root``, ``front``, ``chapter`` or ``annex``, depth 0 for a chapter, 1 for its
        sections. ``pdf`` leaves out the pages marked ``pdf: false``; with ``flags`` (a
        region's results), a page whose ``when`` key is not true there is left out."""
        decl = self.editions[edition]
        out: list[tuple[str, Page, int]] = [("root", decl.root, 0)]

        def walk(part: str, pages: tuple[Page, ...], depth: int) -> Iterator[tuple[str, Page, int]]:
            for p in pages:
                if not p.shown(pdf, flags):
                    continue
                yield part, p, depth
                yield from walk(part, p.sections, depth + 1)

        out += walk("front", decl.front, 0)
        out += walk("chapter", decl.chapters, 0)
        out += walk("annex", decl.annexes, 0)
        return out

    def report_pages(self, edition: Edition, pdf: bool = False,
                     flags: dict[str, Any] | None = None) -> list[Page]:
        """The technical report's pages after its root, in reading order (none when the
        edition declares no report); ``pdf`` and ``flags`` as for :meth:`pages`."""
        report = self.editions[edition].report
        if report is None:
            return []
        return [p for p in report.chapters if p.shown(pdf, flags)]


def _check(pipeline: Pipeline, where: Path) -> None:
    for kind, decl in pipeline.editions.items():
        seen: set[str] = set()
        for _, page, _ in pipeline.pages(kind):
            if page.file in seen:
                raise ConfigError(f"{where}: edition '{kind}' lists page '{page.file}' twice")
            seen.add(page.file)
            if page.source == "notebook" and page.file not in pipeline.notebooks:
                raise ConfigError(f"{where}: edition '{kind}' shows notebook '{page.file}', "
                                  "which is not declared under notebooks:")
        if decl.root.source != "page":
            raise ConfigError(f"{where}: edition '{kind}': the root page is written by the book "
                              "(source: page)")
        if decl.report is not None:
            files = [decl.report.root.file, *(p.file for p in decl.report.chapters)]
            if len(set(files)) != len(files):
                raise ConfigError(f"{where}: edition '{kind}': its report lists a page twice")
            for page in decl.report.chapters:
                if page.source == "notebook" and page.file not in pipeline.notebooks:
                    raise ConfigError(f"{where}: edition '{kind}': the report shows notebook "
                                      f"'{page.file}', which is not declared under notebooks:")
    eu = [n for n, nb in pipeline.notebooks.items() if nb.eu_wide]
    for name, nb in pipeline.notebooks.items():
        if nb.reads_eu and (nb.eu_wide or not eu):
            raise ConfigError(f"{where}: notebook '{name}' reads '{EU_PLACEHOLDER}/...', which "
                              + ("an EU-wide notebook cannot (it runs before them)" if nb.eu_wide
                                 else "needs a notebook of scope eu_wide"))
        for read in nb.reads:
            parts = PurePosixPath(read.removeprefix(EU_PLACEHOLDER + "/")).parts
            if read.startswith(("/", "~", "\\")) or re.match(r"^[A-Za-z]:", read) or ".." in parts:
                raise ConfigError(f"{where}: notebook '{name}': read '{read[:120]}' is outside "
                                  "the project; declare a path relative to the project root, "
                                  "without '..' (or {eu}/... for what the EU-wide step publishes)")
            unknown = set(re.findall(r"\{[^}]*\}", read.removeprefix(EU_PLACEHOLDER + "/")))
            if unknown - {REGION_PLACEHOLDER}:
                raise ConfigError(f"{where}: notebook '{name}': read '{read[:120]}' holds "
                                  f"{min(unknown - {REGION_PLACEHOLDER})}; a read names only "
                                  "{region} (the region's id) and {eu}/... (the EU-wide step)")
        if nb.eu_wide and any(REGION_PLACEHOLDER in r for r in nb.reads):
            raise ConfigError(f"{where}: notebook '{name}' runs once for the EU and cannot read "
                              "a region's files ({region})")
        for dotted in (*nb.checks.values(), *nb.preflight):
            if not re.match(_DOTTED, dotted):
                raise ConfigError(f"{where}: notebook '{name}': '{dotted}' is not a dotted path "
                                  "into eocic_helpers")


@functools.cache
def _load(path: str, mtime_ns: int, size: int) -> Pipeline:
    pipeline = load_model(Pipeline, Path(path))
    _check(pipeline, Path(path))
    return pipeline


def load_pipeline(path: Path | None = None) -> Pipeline:
    """The declared pipeline (cached per file version).

    Raises:
        ConfigError: the file is missing, malformed or inconsistent (one line).
    """
    return load_versioned(Path(path or paths.NOTEBOOKS / PIPELINE_FILE), _load,
                          "pipeline declaration not found; it lists every notebook and chapter")


def declared_notebooks(notebook_dir: Path | None = None) -> dict[str, NotebookDecl]:
    """The declared notebooks, checked against ``notebooks/*.ipynb``.

    Raises:
        ConfigError: a notebook file that is not declared, or a declared one that is missing.
    """
    folder = Path(notebook_dir or paths.NOTEBOOKS)
    pipeline = load_pipeline(folder / PIPELINE_FILE)
    present = {p.stem for p in folder.glob("*.ipynb")}
    extra = sorted(present - set(pipeline.notebooks))
    if extra:
        raise ConfigError(f"notebooks/{extra[0]}.ipynb is not declared in "
                          f"notebooks/{PIPELINE_FILE}; add it under notebooks:")
    missing = sorted(set(pipeline.notebooks) - present)
    if missing:
        raise ConfigError(f"notebooks/{PIPELINE_FILE} declares '{missing[0]}', but "
                          f"notebooks/{missing[0]}.ipynb does not exist")
    return dict(pipeline.notebooks)


def resolve_callable(dotted: str) -> Callable[..., Any]:
    """The function named by a dotted path of the declaration (imported on first use).

    Raises:
        ConfigError: no such module or function.
    """
    module, _, name = dotted.rpartition(".")
    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise ConfigError(f"notebooks/{PIPELINE_FILE}: '{dotted}' names no function") from None
    if not callable(fn):
        raise ConfigError(f"notebooks/{PIPELINE_FILE}: '{dotted}' is not a function")
    return fn


def toc(edition: Edition, pdf: bool = False, flags: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Jupyter Book ``_toc.yml`` (format ``jb-book``) for one kind of edition (see
    :meth:`Pipeline.pages` for ``pdf`` and ``flags``)."""
    pipeline = load_pipeline()
    decl = pipeline.editions[edition]

    def entry(p: Page) -> dict[str, Any]:
        out: dict[str, Any] = {"file": p.file}
        subs = [entry(s) for s in p.sections if s.shown(pdf, flags)]
        if subs:
            out["sections"] = subs
        return out

    chapters = [entry(p) for p in (*decl.front, *decl.chapters, *decl.annexes)
                if p.shown(pdf, flags)]
    if decl.report is not None and not pdf:  # the HTML site holds the report too
        report = [{"file": f"{REPORT_DIR}/{p.file}"}
                  for p in pipeline.report_pages(edition, flags=flags)]
        return {"format": "jb-book", "root": decl.root.file,
                "parts": [{"caption": "The briefing", "chapters": chapters},
                          {"caption": "Technical report", "chapters": [
                              {"file": f"{REPORT_DIR}/{decl.report.root.file}",
                               "sections": report}]}]}
    return {"format": "jb-book", "root": decl.root.file, "chapters": chapters}


def report_toc(edition: Edition, flags: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The ``_toc`` of the technical report's PDF: its root and pages (print pages only), in
    ``report/``, with the briefing's references page last; None without a report."""
    pipeline = load_pipeline()
    decl = pipeline.editions[edition]
    if decl.report is None:
        return None
    pages = [{"file": f"{REPORT_DIR}/{p.file}"}
             for p in pipeline.report_pages(edition, pdf=True, flags=flags)]
    refs = [p for p in decl.annexes if p.file == "references"]
    return {"format": "jb-book", "root": f"{REPORT_DIR}/{decl.report.root.file}",
            "chapters": pages + [{"file": p.file} for p in refs]}


SCOPE_TEXT = {"eu_wide": "once, before the regions (EU-wide)", "region": "per region",
              "any_nuts2": "per region (any NUTS 2 region)",
              "after_region": "per region, after its other notebooks",
              "cross_region": "once, across all pilots",
              "atlas": "per NUTS 2 region (eocic run --all-nuts2)"}


def notebooks_markdown() -> str:
    """The README's table of notebooks, generated from the declaration."""
    pipeline = load_pipeline()
    rows = ["| briefing | notebook | runs | what you get |", "| --- | --- | --- | --- |"]
    for name, nb in pipeline.notebooks.items():
        rows.append(f"| {nb.briefing} | `{name}.ipynb` | {SCOPE_TEXT[nb.scope]} | {nb.about} |")
    return "\n".join(rows) + "\n"
