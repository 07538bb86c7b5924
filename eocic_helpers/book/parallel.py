"""Build several regional editions at once: up to ``jobs`` calls of
:func:`eocic_helpers.book.editions.build_region` side by side, in threads (each build's work
is its own ``jupyter-book`` and ``xelatex`` processes). A failing edition does not stop the
others.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from eocic_helpers.book import editions
from eocic_helpers.core.errors import EocicError
from eocic_helpers.core.regions import Region


@dataclass
class EditionResult:
    """What happened to one regional edition."""

    region: Region
    outputs: dict[str, Path] = field(default_factory=dict)
    cached: bool = False
    error: str = ""


def build_regions(regions: list[Region], pdf: bool, force: bool, jobs: int = 1,
                  report: Callable[[EditionResult], None] | None = None) -> list[EditionResult]:
    """Build the editions of ``regions`` with up to ``jobs`` builds at a time.

    ``report`` is called (in this thread) as each edition finishes. Input errors
    (:class:`EocicError`) are recorded per edition; any other exception is raised after the
    running builds end. Returns one result per region, in the given order.
    """
    def one(region: Region) -> EditionResult:
        result = EditionResult(region)
        try:
            out = editions.build_region(region, pdf=pdf, force=force)
        except EocicError as exc:
            result.error = str(exc)
            return result
        result.cached = bool(out.pop("cached", None))
        result.outputs = out
        return result

    pool = cf.ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="eocic-book")
    try:
        futures = [pool.submit(one, r) for r in regions]
        for fut in cf.as_completed(futures):
            result = fut.result()  # an error other than EocicError stops every build
            if report:
                report(result)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        _kill_builders()
        raise
    pool.shutdown(wait=True)
    return [fut.result() for fut in futures]


def _kill_builders() -> None:
    """End the jupyter-book / LaTeX processes this process started (on an interrupt)."""
    import psutil  # a dependency of distributed

    children = psutil.Process().children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=2.0)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
