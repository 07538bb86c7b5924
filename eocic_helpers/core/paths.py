"""The one place for paths. Everything is derived from the project root."""

from __future__ import annotations

import os
from pathlib import Path

#: Project root: the folder holding ``pyproject.toml``. ``EOCIC_ROOT`` overrides it.
ROOT: Path = Path(os.environ.get("EOCIC_ROOT", Path(__file__).resolve().parents[2]))

DATA = ROOT / "data"
REGIONS_FILE = DATA / "regions.yaml"
REGION_DATA = DATA / "regions"
SNAPSHOT = DATA / "snapshot"
SOURCES_FILE = DATA / "sources.yaml"
REFERENCE = DATA / "reference"
EOCIC_DATA = DATA / "eocic"
RAW_LOCAL = DATA / "raw"  # live downloads (git-ignored)
#: The shared raw files next to the project, when present.
RAW_SHARED = ROOT.parent / "shared" / "data" / "raw"

NOTEBOOKS = ROOT / "notebooks"
BOOK_TEMPLATES = ROOT / "book"
LOCK_FILE = ROOT / "requirements.lock"
PACKAGE = Path(__file__).resolve().parents[1]

BUILD = Path(os.environ.get("EOCIC_BUILD", ROOT / "build"))
RUNS = BUILD / "runs"
BOOKS = BUILD / "books"  # assembled Jupyter Book sources, one folder per edition
SITE = BUILD / "site"
PDF = BUILD / "pdf"


def run_dir(region_id: str) -> Path:
    """Folder of one region's run outputs: ``build/runs/<region>``."""
    return RUNS / region_id


def region_data_dir(region_id: str) -> Path:
    """Folder of one region's own YAML content: ``data/regions/<region>``."""
    return REGION_DATA / region_id
