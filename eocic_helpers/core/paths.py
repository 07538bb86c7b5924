"""The one place for paths. Everything is derived from the project root."""

from __future__ import annotations

import os
from pathlib import Path

#: Project root: the folder holding ``pyproject.toml``. ``EOCIC_ROOT`` overrides it.
ROOT: Path = Path(os.environ.get("EOCIC_ROOT", Path(__file__).resolve().parents[2]))

DATA = ROOT / "data"
REGIONS_FILE = DATA / "regions.yaml"
REGION_DATA = DATA / "regions"
#: The committed snapshot: the 2019 briefing's reproduction data, the default.
DEFAULT_SNAPSHOT = DATA / "snapshot"
#: The snapshot a run reads: ``EOCIC_SNAPSHOT`` (or ``--snapshot DIR``) chooses another one,
#: e.g. one built by ``eocic data update`` from Eurostat's current tables.
SNAPSHOT = Path(os.environ["EOCIC_SNAPSHOT"]).resolve() if os.environ.get(
    "EOCIC_SNAPSHOT") else DEFAULT_SNAPSHOT
#: Snapshots built by ``eocic data update`` (git-ignored), one folder per retrieval date.
FETCHED_SNAPSHOTS = DATA / "fetched"
SOURCES_FILE = DATA / "sources.yaml"
REFERENCE = DATA / "reference"
EOCIC_DATA = DATA / "eocic"
RAW_LOCAL = DATA / "raw"  # live downloads (git-ignored)

NOTEBOOKS = ROOT / "notebooks"
BOOK_TEMPLATES = ROOT / "book"
LOCK_FILE = ROOT / "requirements.lock"
PACKAGE = Path(__file__).resolve().parents[1]

#: The build folder: ``EOCIC_BUILD``; by default ``build/``, or ``build/snapshot-<name>`` for a
#: run on another snapshot than the committed one (its runs never overwrite the default's).
BUILD = Path(os.environ.get("EOCIC_BUILD") or (
    ROOT / "build" if SNAPSHOT == DEFAULT_SNAPSHOT else ROOT / "build" / f"snapshot-{SNAPSHOT.name}"))
RUNS = BUILD / "runs"
BOOKS = BUILD / "books"  # assembled Jupyter Book sources, one folder per edition
SITE = BUILD / "site"
PDF = BUILD / "pdf"


def on_default_snapshot() -> bool:
    """Whether this process reads the committed snapshot (no ``EOCIC_SNAPSHOT``)."""
    return SNAPSHOT == DEFAULT_SNAPSHOT


def use_snapshot(folder: Path) -> None:
    """Read ``folder`` as the snapshot, in this process and the workers and kernels it starts
    (through ``EOCIC_SNAPSHOT``). Without ``EOCIC_BUILD``, the build folder becomes
    ``build/snapshot-<folder name>``, so runs on other data never overwrite the default's."""
    global SNAPSHOT, BUILD, RUNS, BOOKS, SITE, PDF
    folder = Path(folder).resolve()
    if folder == DEFAULT_SNAPSHOT.resolve():
        return
    SNAPSHOT = folder
    os.environ["EOCIC_SNAPSHOT"] = str(folder)
    if not os.environ.get("EOCIC_BUILD"):
        BUILD = ROOT / "build" / f"snapshot-{folder.name}"
        os.environ["EOCIC_BUILD"] = str(BUILD)
        RUNS, BOOKS, SITE, PDF = BUILD / "runs", BUILD / "books", BUILD / "site", BUILD / "pdf"


def run_dir(region_id: str) -> Path:
    """Folder of one region's run outputs: ``build/runs/<region>``."""
    return RUNS / region_id


def region_data_dir(region_id: str) -> Path:
    """Folder of one region's own YAML content: ``data/regions/<region>``."""
    return REGION_DATA / region_id
