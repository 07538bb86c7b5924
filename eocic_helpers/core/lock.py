"""One writer per build folder: ``eocic run`` and ``eocic book`` hold ``build/.lock``.

The lock is an advisory ``fcntl.flock`` on ``<build>/.lock``; the kernel releases it when the
holding process ends, however it ends, so a killed run never leaves a stale lock behind. A second
``run`` or ``book`` on the same build folder waits, after saying so on stderr, or refuses at once
with ``--no-wait``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from eocic_helpers.core import paths
from eocic_helpers.core.errors import EocicError


class BuildUnwritable(EocicError):
    """The build folder cannot be created or written (read-only, a file, full disk)."""

    exit_code = 1


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def check_writable(folder: Path) -> None:
    """Refuse, in one line, a build folder that is a file, read-only, or cannot be created.

    Raises:
        BuildUnwritable: naming the folder and the reason.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except FileExistsError:
        raise BuildUnwritable(f"{folder}: exists and is not a folder; point EOCIC_BUILD at a "
                              "folder") from None
    except OSError as exc:
        raise BuildUnwritable(f"{folder}: cannot write there ({exc.strerror or exc}); make it "
                              "writable, free some space, or set EOCIC_BUILD to another folder"
                              ) from None


@contextlib.contextmanager
def build_lock(wait: bool = True, build: Path | None = None, what: str = "eocic") -> Iterator[Path]:
    """Hold the build folder's lock for the duration of the block.

    Args:
        wait: when another process holds it, wait (after one line on stderr) instead of failing.
        build: the build folder (default ``paths.BUILD``).
        what: the command, for the messages.

    Raises:
        EocicError: the lock is held and ``wait`` is False (exit 2).
        BuildUnwritable: the build folder cannot be written.
    """
    build = Path(build or paths.BUILD)
    check_writable(build)
    path = build / ".lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise BuildUnwritable(f"{path}: cannot open the lock file ({exc.strerror or exc})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(path)
            if not wait:
                raise EocicError(f"{build} is in use by another eocic run or book{holder}; "
                                "try again when it ends, or drop --no-wait to wait") from None
            print(f"{what}: waiting for another eocic run or book using {build}{holder} to finish",
                  file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):  # the pid is a courtesy; a full disk must not fail here
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing releases the lock
