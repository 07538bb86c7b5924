"""The source catalogue (``data/sources.yaml``) and raw-file checksums."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pydantic import Field

from eocic_helpers.core import paths
from eocic_helpers.core.config import Strict, load_model
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.reads import cached_loader


class Source(Strict):
    """One catalogued source."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    publisher: str
    dataset_code: str
    title: str
    vintage: str
    licence: str
    attribution: str
    origin: str
    files: dict[str, str] = Field(default_factory=dict)


class Catalogue(Strict):
    schema_version: int
    sources: list[Source]


@cached_loader
def _load(path: Path) -> dict[str, Source]:
    return {s.id: s for s in load_model(Catalogue, path).sources}


#: A snapshot built by ``eocic data update`` catalogues its downloads in its own folder.
SNAPSHOT_SOURCES = "sources.yaml"


def load_sources(path: Path | None = None) -> dict[str, Source]:
    """All sources by id: ``data/sources.yaml`` and, when the snapshot read is not the
    committed one, the sources its own ``sources.yaml`` catalogues (``eocic data update``:
    each Eurostat dataset with its retrieval date as vintage)."""
    if path is not None or paths.on_default_snapshot():
        return _load(Path(path or paths.SOURCES_FILE))
    own = paths.SNAPSHOT / SNAPSHOT_SOURCES
    merged = dict(_load(paths.SOURCES_FILE))
    if own.is_file():
        merged.update(_load(own))
    return merged


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    with open(path, "rb") as fh:  # in chunks: memory stays flat whatever the file's size
        return hashlib.file_digest(fh, "sha256").hexdigest()


def verified_path(raw_dir: Path, relative: str) -> Path:
    """Path of a catalogued raw file after checking that it exists and its sha256 matches.

    Raises:
        DataError: the file is missing, not catalogued, or its checksum differs.
    """
    expected = {rel: sha for s in load_sources().values() for rel, sha in s.files.items()}
    if relative not in expected:
        raise DataError(f"{relative}: not catalogued in data/sources.yaml; add it with its sha256")
    path = Path(raw_dir) / relative
    if not path.is_file():
        raise DataError(
            f"{path}: raw file missing; pass the folder that holds it with --raw DIR "
            "(see data/sources.yaml for its origin)"
        )
    actual = sha256_file(path)
    if actual != expected[relative]:
        raise DataError(
            f"{path}: checksum mismatch (expected sha256 {expected[relative]}, got {actual}); "
            "the file changed: restore the catalogued version or update data/sources.yaml"
        )
    return path


_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December")
#: A reference date inside a vintage text (the population on 1 January), not an extraction.
_REFERENCE_DATE = re.compile(rf"\b(?:on )?1 (?:{_MONTHS}) \d{{4}}")


def extraction_dates(vintage: str) -> list[str]:
    """When a source's data were extracted, as its vintage text says: a month ("December
    2020"), a release ("the 2025 release") or a season ("early 2026"); a reference date such
    as the population on 1 January is not one."""
    text = _REFERENCE_DATE.sub("", vintage)
    found: list[tuple[int, str]] = []
    for m in re.finditer(rf"\b({_MONTHS}) (\d{{4}})\b", text):
        found.append((m.start(), m.group(0)))
    for m in re.finditer(r"\b(\d{4}) release\b", text):
        found.append((m.start(), f"the {m.group(1)} release"))
    for m in re.finditer(r"\babout (early|mid|late) (\d{4})\b", text):
        found.append((m.start(), f"{m.group(1)} {m.group(2)}"))
    return [d for _, d in sorted(found)]
