"""`eocic book --jobs N`: regional editions built side by side, failures kept per edition."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from eocic_helpers.book import editions
from eocic_helpers.book.parallel import build_regions
from eocic_helpers.core.errors import EocicError
from eocic_helpers.core.regions import load_regions


def test_editions_build_concurrently_and_a_failure_stays_with_its_edition(monkeypatch):
    regions = load_regions()[:4]
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def fake_build(region, pdf=True, force=False):
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.3)
        with lock:
            state["now"] -= 1
        if region.id == regions[1].id:
            raise EocicError(f"html build of {region.id} failed")
        if region.id == regions[2].id:
            return {"html": Path("x"), "cached": Path("unchanged")}
        return {"html": Path(f"{region.id}/index.html")}

    monkeypatch.setattr(editions, "build_region", fake_build)
    seen = []
    results = build_regions(regions, pdf=False, force=False, jobs=2, report=seen.append)
    assert state["peak"] == 2
    assert [r.region.id for r in results] == [r.id for r in regions]  # given order
    assert len(seen) == 4
    assert results[1].error == f"html build of {regions[1].id} failed"
    assert results[2].cached and "cached" not in results[2].outputs
    assert results[0].outputs == {"html": Path(f"{regions[0].id}/index.html")}
    state["peak"] = 0
    build_regions(regions, pdf=False, force=False, jobs=1)
    assert state["peak"] == 1
