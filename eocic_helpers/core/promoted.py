"""What a run promoted, verified before anything is published from it.

Each task writes ``build/runs/<region>/.cache/<notebook>.manifest.json`` last, when its outputs
are promoted: the sha256 of every file it published (its executed notebook, figures, tables and
results fragment). The book publishes a run's file only when a manifest lists it and the file
is still what the run promoted: a regular file (not a symbolic link), inside the run folder,
with the recorded sha256. Anything else (an edited or replaced file, a link, a file no manifest
owns, a damaged manifest) is refused in one line naming the file and the command that repairs
it, so no byte from outside the run ever reaches the site or a data package.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from eocic_helpers.core import paths
from eocic_helpers.core.digest import file_sha
from eocic_helpers.core.errors import EocicError
from eocic_helpers.core.pipeline import EU_WIDE

#: The folders of a run whose files only a manifest can vouch for.
OUTPUT_FOLDERS = ("figures", "tables")


def _refuse(path: Path, why: str, region_id: str) -> EocicError:
    """The refusal of ``path``, with the command that rebuilds the run (the cross-region run
    and the EU-wide step run with every pilot)."""
    command = "eocic run" if region_id in ("all", EU_WIDE) else f"eocic run {region_id}"
    return EocicError(f"{path}: {why}; the book publishes only what a run promoted: run "
                      f"'{command}' to rebuild it")


def read_manifest(region_id: str, notebook: str) -> dict[str, str] | None:
    """The files (relative path -> sha256) that ``notebook``'s last promoted run of
    ``region_id`` published, or None when it has no manifest.

    Raises:
        EocicError: the manifest is unreadable, not a manifest, or names a path outside the
            run folder.
    """
    run_dir = paths.run_dir(region_id)
    f = run_dir / ".cache" / f"{notebook}.manifest.json"
    if not os.path.lexists(f):
        return None
    if f.is_symlink() or not f.is_file():
        raise _refuse(f, "not a task manifest (a link or not a regular file)", region_id)
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except PermissionError:
        raise _refuse(f, "unreadable (permission denied)", region_id) from None
    except (OSError, ValueError):
        raise _refuse(f, "corrupt task manifest (not JSON)", region_id) from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise _refuse(f, "corrupt task manifest (no list of files with their sha256)",
                      region_id)
    for rel in files:
        parts = PurePosixPath(rel).parts
        if not parts or rel.startswith("/") or ".." in parts or "\\" in rel:
            raise _refuse(f, f"corrupt task manifest (it names {rel[:80]!r}, outside the run "
                          "folder)", region_id)
    return files


def verified(region_id: str, rel: str, sha: str) -> Path:
    """The path of a promoted file, once checked: a regular file inside the run folder (no
    link on the way) whose sha256 is still ``sha``.

    Raises:
        EocicError: the file is missing, a link, or changed since the run promoted it.
    """
    run_dir = paths.run_dir(region_id)
    path = run_dir / rel
    if not os.path.lexists(path):
        raise _refuse(path, "missing, though the run's manifest lists it", region_id)
    if path.resolve() != run_dir.resolve() / rel or path.is_symlink():
        raise _refuse(path, "is a symbolic link, not a file the run wrote", region_id)
    if not path.is_file():
        raise _refuse(path, "not a regular file", region_id)
    if not os.access(path, os.R_OK):
        raise _refuse(path, "unreadable (permission denied)", region_id)
    if file_sha(path) != sha:
        raise _refuse(path, "changed since the run promoted it (sha256 differs from its "
                      "manifest)", region_id)
    return path


def _manifests(region_id: str) -> Iterator[dict[str, str]]:
    """The files each of a region's manifests lists, read one by one in the order of names."""
    for f in sorted((paths.run_dir(region_id) / ".cache").glob("*.manifest.json")):
        yield read_manifest(region_id, f.name.removesuffix(".manifest.json")) or {}


def promoted_files(region_id: str, notebooks: Iterable[str]) -> dict[str, Path]:
    """Every file the given notebooks' manifests list, each :func:`verified`, by relative
    path (``figures/x.svg``, ``indicators.ipynb``, ...). A notebook without a manifest
    contributes nothing. Also refuses any file of ``figures/`` or ``tables/`` that no manifest
    of the region owns (something the runs never wrote).

    Raises:
        EocicError: one line naming the first file refused and the repair command.
    """
    run_dir = paths.run_dir(region_id)
    owned = {rel for files in _manifests(region_id) for rel in files}
    for sub in OUTPUT_FOLDERS:
        folder = run_dir / sub
        if folder.is_symlink():
            raise _refuse(folder, "is a symbolic link, not a folder the run wrote", region_id)
        for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
            if f"{sub}/{entry.name}" not in owned:
                raise _refuse(entry, "no task manifest owns it", region_id)
    out: dict[str, Path] = {}
    for notebook in notebooks:
        for rel, sha in sorted((read_manifest(region_id, notebook) or {}).items()):
            out[rel] = verified(region_id, rel, sha)
    return out


def published_results(region_id: str) -> Path:
    """``results.json`` of a run, checked to be a regular file of the run (its content is
    checked against the fragments by :func:`eocic_helpers.outputs.fragments.results_problem`).

    Raises:
        EocicError: it is a link or not a regular file.
    """
    path = paths.run_dir(region_id) / "results.json"
    if path.is_symlink() or (os.path.lexists(path) and not path.is_file()):
        raise _refuse(path, "is a symbolic link or not a regular file", region_id)
    return path


def promoted_file(region_id: str, rel: str) -> Path | None:
    """One file of a run, :func:`verified` against the manifest that owns it; None when no
    manifest owns it and it does not exist (the step has not run).

    Raises:
        EocicError: the file exists but no manifest owns it, or it fails :func:`verified`.
    """
    run_dir = paths.run_dir(region_id)
    for files in _manifests(region_id):
        if rel in files:
            return verified(region_id, rel, files[rel])
    if os.path.lexists(run_dir / rel):
        raise _refuse(run_dir / rel, "no task manifest owns it", region_id)
    return None
