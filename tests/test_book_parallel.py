"""`eocic book --jobs N`: regional editions built side by side, failures kept per edition."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from eocic_helpers.book import editions
from eocic_helpers.book.parallel import build_regions
from eocic_helpers.core.errors import EocicError
from eocic_helpers.core.regions import load_regions


class Busy:
    """Counts how many fake builds run at once (``peak``); each takes ``seconds``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = self.peak = 0

    def work(self, seconds: float) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(seconds)
        with self.lock:
            self.now -= 1


def test_editions_build_concurrently_and_a_failure_stays_with_its_edition(monkeypatch):
    regions = load_regions()[:4]
    busy = Busy()

    def fake_build(region, pdf=True, force=False):
        busy.work(0.3)
        if region.id == regions[1].id:
            raise EocicError(f"html build of {region.id} failed")
        if region.id == regions[2].id:
            return {"html": Path("x"), "cached": Path("unchanged")}
        return {"html": Path(f"{region.id}/index.html")}

    monkeypatch.setattr(editions, "build_region", fake_build)
    seen = []
    results = build_regions(regions, pdf=False, force=False, jobs=2, report=seen.append)
    assert busy.peak == 2
    assert [r.region.id for r in results] == [r.id for r in regions]  # given order
    assert len(seen) == 4
    assert results[1].error == f"html build of {regions[1].id} failed"
    assert results[2].cached and "cached" not in results[2].outputs
    assert results[0].outputs == {"html": Path(f"{regions[0].id}/index.html")}
    busy.peak = 0
    build_regions(regions, pdf=False, force=False, jobs=1)
    assert busy.peak == 1


def _fake_jupyter_book(monkeypatch, tmp_path: Path, fail_when_kept: bool = False):
    """Replace the Jupyter Book subprocess: record builds, write a PDF, track concurrency."""
    monkeypatch.setattr(editions.paths, "BOOKS", tmp_path / "books")
    calls: list[dict] = []
    busy = Busy()

    def fake_build(src: Path, builder: str, out: Path, report: bool = False) -> Path:
        name = out.name.removeprefix(".").removesuffix("-pdf")  # build/books/.<name>-pdf
        kept = (out / "_build" / "latex" / f"eocic-{name}.aux").exists()
        with editions._SLOTS:
            busy.work(0.2)
        calls.append({"builder": builder, "kept": kept})
        if fail_when_kept and kept:
            raise EocicError(f"{builder} build of {src.name} failed")
        latex = out / "_build" / "latex"
        latex.mkdir(parents=True, exist_ok=True)
        if builder == "pdflatex":
            (latex / f"eocic-{name}.aux").write_text("aux")
            (latex / f"eocic-{name}.pdf").write_bytes(b"%PDF")
        return out / "_build"

    monkeypatch.setattr(editions, "run_book", fake_build)
    return calls, busy


def test_the_pdf_keeps_its_latex_folder_and_force_starts_from_scratch(monkeypatch, tmp_path):
    calls, _ = _fake_jupyter_book(monkeypatch, tmp_path)
    src = tmp_path / "src"
    assert editions._build_pdf(src, "x", fresh=False).name == "eocic-x.pdf"
    editions._build_pdf(src, "x", fresh=False)
    editions._build_pdf(src, "x", fresh=True)
    assert [c["kept"] for c in calls] == [False, True, False]


def test_a_pdf_build_that_fails_from_a_kept_folder_is_retried_from_scratch(monkeypatch, tmp_path):
    calls, _ = _fake_jupyter_book(monkeypatch, tmp_path, fail_when_kept=True)
    src = tmp_path / "src"
    editions._build_pdf(src, "x", fresh=False)  # first build: nothing kept, succeeds
    pdf = editions._build_pdf(src, "x", fresh=False)  # kept folder fails, then a fresh build
    assert pdf.exists() and [c["kept"] for c in calls] == [False, True, False]


def test_build_slots_bound_the_builds_that_run_at_once(monkeypatch, tmp_path):
    _, busy = _fake_jupyter_book(monkeypatch, tmp_path)
    src = tmp_path / "src"
    for slots, peak in ((1, 1), (2, 2)):
        editions.set_build_slots(slots)
        busy.peak = 0
        threads = [threading.Thread(target=editions._build_pdf, args=(src, f"e{i}", True))
                   for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert busy.peak == peak
    editions.set_build_slots(2)
