"""The one list of an edition's pages, from which every table of contents is generated.

``book/chapters.yml`` lists the pages in the briefing's order. A notebook may declare its own
entry in ``metadata.eocic.chapter`` (``order``, ``title``, optionally ``editions``), so adding a
chapter needs no edit of a central list: the notebook's entry is merged with the file's (the
notebook wins). A notebook entry whose notebook does not exist is left out of the editions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eocic_helpers.core import paths
from eocic_helpers.core.config import load_yaml, validate
from eocic_helpers.core.errors import ConfigError

#: The two kinds of edition: one per region, and the cross-region edition.
Edition = Literal["region", "all"]

CHAPTERS_FILE = "chapters.yml"


class Chapter(BaseModel):
    """One page of an edition."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    order: int
    source: Literal["notebook", "page"] = "notebook"
    editions: tuple[Edition, ...] = ("region",)


class ChapterList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chapters: list[Chapter]


def _notebook_chapter(nb_path: Path) -> dict | None:
    try:
        meta = json.loads(nb_path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, json.JSONDecodeError):
        return None
    eocic = meta.get("eocic", {}) if isinstance(meta, dict) else {}
    chapter = eocic.get("chapter") if isinstance(eocic, dict) else None
    if not isinstance(chapter, dict):
        return None
    entry = {"file": nb_path.stem, "source": "notebook", **chapter}
    if eocic.get("cross_region") and "editions" not in chapter:
        entry["editions"] = ["all"]
    return entry


def load_chapters(book_dir: Path | None = None, notebook_dir: Path | None = None
                  ) -> list[Chapter]:
    """Every page of every edition, sorted by ``order`` (then file name).

    Raises:
        ConfigError: ``chapters.yml`` or a notebook's ``metadata.eocic.chapter`` is invalid,
            or two pages share a file name and order ambiguously.
    """
    book_dir = Path(book_dir or paths.BOOK_TEMPLATES)
    notebook_dir = Path(notebook_dir or paths.NOTEBOOKS)
    listed = validate(ChapterList, load_yaml(book_dir / CHAPTERS_FILE), book_dir / CHAPTERS_FILE)
    by_file: dict[str, Chapter] = {}
    for c in listed.chapters:
        if c.file in by_file:
            raise ConfigError(f"{book_dir / CHAPTERS_FILE}: page '{c.file}' is listed twice; "
                              "keep one entry")
        by_file[c.file] = c
    notebooks = {p.stem: p for p in sorted(notebook_dir.glob("*.ipynb"))}
    for stem, nb in notebooks.items():
        declared = _notebook_chapter(nb)
        if declared is None:
            continue
        base = by_file[stem].model_dump() if stem in by_file else {}
        merged = {**base, **declared}
        by_file[stem] = validate(Chapter, merged, nb)
    chapters = [c for c in by_file.values()
                if c.source == "page" or c.file in notebooks]
    return sorted(chapters, key=lambda c: (c.order, c.file))


def chapters_for(edition: Edition, book_dir: Path | None = None,
                 notebook_dir: Path | None = None) -> list[Chapter]:
    """The pages of one kind of edition, in order."""
    return [c for c in load_chapters(book_dir, notebook_dir) if edition in c.editions]


def toc(chapters: list[Chapter], root: str = "intro") -> dict:
    """A Jupyter Book ``_toc.yml`` (format ``jb-book``) listing ``chapters`` after ``root``."""
    return {"format": "jb-book", "root": root,
            "chapters": [{"file": c.file} for c in chapters]}


def cross_region_notebooks(notebook_dir: Path | None = None) -> set[str]:
    """Stems of the notebooks run once over all pilots (``metadata.eocic.cross_region``)."""
    out = set()
    for nb in sorted(Path(notebook_dir or paths.NOTEBOOKS).glob("*.ipynb")):
        try:
            meta = json.loads(nb.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, json.JSONDecodeError):
            continue
        if meta.get("eocic", {}).get("cross_region"):
            out.add(nb.stem)
    return out
