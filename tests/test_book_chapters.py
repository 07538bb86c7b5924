"""The one list of chapters: book/chapters.yml merged with notebooks' own declarations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eocic_helpers.book.chapters import chapters_for, cross_region_notebooks, load_chapters, toc
from eocic_helpers.core import paths
from eocic_helpers.core.errors import ConfigError


def _nb(folder: Path, stem: str, eocic: dict | None = None) -> None:
    meta = {"eocic": eocic} if eocic is not None else {}
    (folder / f"{stem}.ipynb").write_text(json.dumps({"cells": [], "metadata": meta,
                                                      "nbformat": 4, "nbformat_minor": 5}))


@pytest.fixture()
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    book, nbs = tmp_path / "book", tmp_path / "notebooks"
    book.mkdir()
    nbs.mkdir()
    shutil.copy(paths.BOOK_TEMPLATES / "chapters.yml", book / "chapters.yml")
    for stem in ("indicators", "synthesis", "action_plan", "reproduction"):
        _nb(nbs, stem)
    return book, nbs


def test_the_briefings_order_and_only_existing_notebooks(dirs):
    book, nbs = dirs
    files = [c.file for c in chapters_for("region", book, nbs)]
    assert files == ["indicators", "synthesis", "action_plan", "data_methods", "fidelity",
                     "reproduction", "for_analysts", "references"]
    assert [c.file for c in chapters_for("all", book, nbs)] == [
        "data_methods", "for_analysts", "references"]


def test_a_notebook_declares_its_own_chapter(dirs):
    book, nbs = dirs
    _nb(nbs, "strategy")  # listed in chapters.yml: joins at its order with no edit
    _nb(nbs, "regional_budget", {"chapter": {"order": 47, "title": "Budget lines"}})
    _nb(nbs, "comparison", {"cross_region": True})
    _nb(nbs, "panorama", {"cross_region": True, "chapter": {"order": 20, "title": "Panorama"}})
    files = [c.file for c in chapters_for("region", book, nbs)]
    assert files[:5] == ["indicators", "synthesis", "strategy", "regional_budget", "action_plan"]
    assert [c.file for c in chapters_for("all", book, nbs)][:2] == ["comparison", "panorama"]
    assert cross_region_notebooks(nbs) == {"comparison", "panorama"}
    assert toc(chapters_for("all", book, nbs))["chapters"][0] == {"file": "comparison"}


def test_a_bad_declaration_is_one_clear_error(dirs):
    book, nbs = dirs
    _nb(nbs, "broken", {"chapter": {"order": "soon", "title": "X"}})
    with pytest.raises(ConfigError, match="broken.ipynb.*order"):
        load_chapters(book, nbs)


def test_the_project_list_loads():
    assert [c.file for c in load_chapters()][0:1]
