"""The project files a notebook reads, and loader caches that remember them.

An audit hook (:func:`install`, started by the first
:func:`eocic_helpers.outputs.publication.open_publication`) records every project data file a
process opens for reading into :data:`READS`; the publication starts a new record for each
notebook, and the runner's cache key covers what the notebook read.

A loader cached with :func:`cached_loader` (in place of ``functools.cache``) also remembers the
files its call opened, with their size, modification time and inode. A later call with the same
arguments (in the same notebook, or in a later notebook on the same warm kernel) returns the
value it kept and records the same project files again, as if it had read them; when any of
those files changed or is gone, it reads again. A kept kernel then parses each file once, and
each notebook's record is still every project file its code reads. An entry made before the
hook started (nothing was recorded) is read again once the hook runs.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from eocic_helpers.core import paths

#: Project files opened for reading since the current publication opened (relative paths).
READS: set[str] = set()
#: The files opened during each cached call in progress (absolute paths), innermost last.
_OPEN: list[set[str]] = []
_HOOKED = False
#: What a loader opens that is code, not data: never part of what it read.
_CODE_SUFFIXES = (".py", ".pyc", ".so", ".pth")

F = TypeVar("F", bound=Callable[..., Any])


def _is_read(args: tuple[Any, ...]) -> bool:
    mode, flags = (args[1] if len(args) > 1 else None), (args[2] if len(args) > 2 else 0)
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return False
    return not (mode is None and isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR))


def _record_open(event: str, args: tuple[Any, ...]) -> None:
    """Audit hook: remember files opened for reading; project data files (not code, not
    outputs) go into :data:`READS`."""
    if event != "open" or not args or not isinstance(args[0], (str, os.PathLike)):
        return
    if not _is_read(args):
        return
    try:
        path = Path(os.fsdecode(args[0])).resolve()
    except (ValueError, OSError):
        return
    if path.suffix != ".py":
        _record(path, not path.name.endswith(_CODE_SUFFIXES) and not path.is_relative_to(sys.prefix))


def _record(path: Path, kept: bool = True) -> None:
    """Record a file read: in every cached call in progress (``kept``: not code, not the
    environment's), and in :data:`READS` when it is a project data file (not an output)."""
    for opened in _OPEN if kept else ():
        opened.add(str(path))
    root = paths.ROOT.resolve()
    if not path.is_relative_to(root) or paths.BUILD.resolve() in path.parents:
        return
    rel = path.relative_to(root)
    if rel.parts and rel.parts[0] in {"build", "notebooks", ".venv", ".git", "eocic_helpers"}:
        return
    READS.add(rel.as_posix())


def install() -> None:
    """Start the audit hook (once per process; it cannot be removed)."""
    global _HOOKED
    if not _HOOKED:
        sys.addaudithook(_record_open)
        _HOOKED = True


def _signature(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def cached_loader(fn: F) -> F:
    """``functools.cache`` for a loader of files, which keeps what it read (see the module's
    docstring): a kept value is returned only while every file it was read from is unchanged,
    and its project files are recorded again at each call. ``cache_clear()`` forgets all."""
    entries: dict[Any, tuple[Any, tuple[tuple[str, Any], ...], bool]] = {}

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = (args, tuple(sorted(kwargs.items())))
        kept = entries.get(key)
        if kept is not None:
            value, files, checked = kept
            if not _HOOKED:
                return value  # nothing records reads in this process
            if checked and all(_signature(name) == sig for name, sig in files):
                for name, _ in files:  # as the audit hook would have recorded them
                    _record(Path(name))
                return value
        opened: set[str] = set()
        _OPEN.append(opened)
        try:
            value = fn(*args, **kwargs)
        finally:
            _OPEN.pop()
        # the files it was given count as read (a library may open them outside Python)
        opened.update(str(Path(a).resolve()) for a in (*args, *kwargs.values())
                      if isinstance(a, (str, Path)) and os.path.isfile(a))
        for outer in _OPEN:  # a cached call inside another: the outer one read these too
            outer.update(opened)
        entries[key] = (value, tuple((name, _signature(name)) for name in sorted(opened)),
                        _HOOKED)
        return value

    wrapper.cache_clear = entries.clear  # type: ignore[attr-defined]
    wrapper.keeps_reads = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
