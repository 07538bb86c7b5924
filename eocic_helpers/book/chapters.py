"""An edition's pages and tables of contents, read from ``notebooks/pipeline.yaml``.

The declaration (:mod:`eocic_helpers.core.pipeline`) is the one list of pages; this module
only flattens it for the assembler and writes Jupyter Book's ``_toc.yml``.
"""

from __future__ import annotations

from typing import Any

from eocic_helpers.core.pipeline import Edition, Page, load_pipeline
from eocic_helpers.core.pipeline import report_toc as pipeline_report_toc
from eocic_helpers.core.pipeline import toc as pipeline_toc

__all__ = ["Edition", "Page", "chapters_for", "latex_marks", "report_pages", "report_toc",
           "toc"]


def chapters_for(edition: Edition, flags: dict[str, Any] | None = None) -> list[Page]:
    """Every page of one kind of edition after its root, in reading order (sections follow
    their chapter); with ``flags`` (the run's results), only the pages shown for it."""
    return [p for part, p, _ in load_pipeline().pages(edition, flags=flags) if part != "root"]


def report_pages(edition: Edition, flags: dict[str, Any] | None = None) -> list[Page]:
    """The technical report's pages after its root (none when the edition has no report)."""
    return load_pipeline().report_pages(edition, flags=flags)


def report_toc(edition: Edition, flags: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The ``_toc`` of the technical report's PDF, or None without a report."""
    return pipeline_report_toc(edition, flags=flags)


def toc(edition: Edition, pdf: bool = False, flags: dict[str, Any] | None = None
        ) -> dict[str, Any]:
    """Jupyter Book's ``_toc.yml`` for one kind of edition (``pdf``: without HTML-only pages;
    ``flags``: the run's results, which decide the pages marked ``when``)."""
    return pipeline_toc(edition, pdf=pdf, flags=flags)


def latex_marks(edition: Edition) -> dict[str, str]:
    """The LaTeX command to place before a page, so that print follows the briefing: front
    matter unnumbered, chapters numbered from 1, annexes lettered (book class)."""
    decl = load_pipeline().editions[edition]
    marks = {decl.root.file: r"\frontmatter"}
    if decl.chapters:
        marks[decl.chapters[0].file] = r"\mainmatter"
    printed = [p for p in decl.annexes if p.pdf]
    if printed:
        marks[printed[0].file] = r"\appendix"
    return marks
