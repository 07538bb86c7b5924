"""The front of the site as a reader meets it (issue 33): the landing page says what is true of
every region, suggests only searches that find something, and fits a phone; the cover's date
line lists extractions, never a reference date."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.pages import article, text_of

from eocic_helpers.book.editions import data_vintage, write_landing_page
from eocic_helpers.book.way_in import search_examples
from eocic_helpers.core import paths
from eocic_helpers.core.regions import load_regions
from eocic_helpers.data.sources import extraction_dates


def test_an_extraction_date_is_not_a_reference_date():
    text = ("RCI 'late' snapshot, exported about January 2023; the population equals tgs00096 "
            "on 1 January 2015")
    assert extraction_dates(text) == ["January 2023"]
    assert extraction_dates("2025 release (French regions provisional)") == ["the 2025 release"]
    assert extraction_dates("committed 2026-02-08 with data to 2024 (about early 2026)") == \
        ["early 2026"]
    assert extraction_dates("bulk download of about April 2017; last year 2015") == ["April 2017"]


def test_the_cover_lists_every_extraction_and_no_reference_date():
    vintage = data_vintage()
    assert "January 2015" not in vintage
    for extract in ("December 2020", "April 2017", "the 2025 release", "early 2026",
                    "March 2022", "January 2023"):
        assert extract in vintage, extract


def test_search_examples_come_from_what_the_site_has():
    entries = [{"name": "Saxony", "codes": "DED2, DED4", "country": "Germany"},
               {"name": "Wallonia", "codes": "BE32, BE33", "country": "Belgium"},
               {"name": "Cantabria", "codes": "ES13", "country": "Spain"}]
    assert search_examples(entries) == ["Saxony", "BE32", "Spain"]
    assert search_examples([]) == []
    assert search_examples(entries[:1]) == ["Saxony"]


def test_the_landing_page_words_every_row_by_what_is_true(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path):
    monkeypatch.setattr(paths, "SITE", tmp_path / "site")
    monkeypatch.setattr(paths, "RUNS", tmp_path / "runs")
    page = write_landing_page(load_regions()).read_text("utf-8")
    assert "written yet" not in page and "until the atlas" not in page
    assert "Tirol" not in page  # no suggestion the site as built cannot find
    assert page.count("the region&#x27;s own 2019 briefing is cited, not restated") == 10
    assert "Each of the other nine regions has its own 2019 briefing" in page


@contextlib.contextmanager
def _phone(site: Path, tmp_path: Path) -> Iterator[tuple[Any, str]]:
    """Headless Chromium as a 390 px phone on a local server of ``site``: (driver, base URL)."""
    import functools
    import http.server
    import threading

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or ""
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(flag)
    opts.add_experimental_option("mobileEmulation", {"deviceMetrics": {
        "width": 390, "height": 844, "pixelRatio": 3}})
    web = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    try:
        yield web, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        web.quit()
        server.shutdown()


@pytest.mark.browser
def test_the_landing_page_fits_a_phone(all_editions: Path, tmp_path: Path):
    """At 390 px the landing page does not scroll sideways, and its search suggests what it
    finds; at 390 px the figures of the chapters keep text of at least 9 px and the page
    does not scroll sideways either (a figure scrolls in its own box)."""
    with _phone(all_editions / "site", tmp_path) as (web, base):
        web.get(f"{base}/index.html")
        assert web.execute_script("return document.documentElement.scrollWidth") <= 390
        hint = web.execute_script(
            "return document.getElementById('eocic-search-input').placeholder")
        examples = hint.removeprefix("e.g. ").split(", ")
        found = web.execute_script(
            "return arguments[0].map(q => { const f = q.normalize('NFD')"
            ".replace(/[\\u0300-\\u036f]/g, '').toLowerCase();"
            " return window.EOCIC_REGIONS.filter(e => e.text.includes(f)).length; })",
            examples)
        assert examples and all(n > 0 for n in found), (examples, found)
        small = []
        for page in ("centre-val-de-loire/indicators.html", "saxony/industrial_change.html",
                     "centre-val-de-loire/report/cost_benefit.html",
                     "centre-val-de-loire/strategy.html"):
            web.get(f"{base}/{page}")
            web.execute_script("return Promise.all([...document.images].map(i => i.decode()"
                               ".catch(() => null)))")
            assert web.execute_script(
                "return document.documentElement.scrollWidth") <= 390, page
            for src, shown, natural in web.execute_script(
                    "return [...document.querySelectorAll('article figure img')].map("
                    "i => [i.getAttribute('src'), i.clientWidth, i.naturalWidth])"):
                # the smallest text drawn is 8 pt: 8 * 4/3 px at the drawn size
                if not natural or 8 * 4 / 3 * shown / natural < 9:
                    small.append((page, src, shown, natural))
        assert small == [], small


@pytest.mark.pdf
def test_no_pdf_has_a_blank_page(all_editions: Path):
    """Issue 33, item 8: no blank page anywhere (the cross-region PDF had one before its main
    matter). A page with fewer than 25 words holds nothing but its running header and number."""
    import subprocess

    blank = []
    for pdf in sorted((all_editions / "pdf").glob("*.pdf")):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines()
                         if line.startswith("Pages:")))
        for page in range(1, pages + 1):
            text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                                  capture_output=True, text=True).stdout
            if len(text.split()) < 25:
                blank.append(f"{pdf.name} p. {page}: {' '.join(text.split())}")
    assert blank == []


@pytest.mark.pdf
def test_pdf_text_is_at_least_8_pt(all_editions: Path):
    """Issue 33, item 8: table text (like all text) is at least 8 pt in print. Measured as the
    height of each word's box (10 pt body text measures 10.0, \\footnotesize tables 8.0);
    under 1 % of a PDF's words may be smaller (a superscript footnote mark)."""
    import re
    import subprocess

    for pdf in sorted((all_editions / "pdf").glob("*.pdf")):
        text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                              text=True).stdout
        heights = [float(b) - float(a) for a, b in
                   re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', text)]
        small = sum(h < 7.9 for h in heights)
        assert heights and small <= 0.01 * len(heights), (pdf.name, small, len(heights))


def _pdf_uris(pdf: Path) -> set[str]:
    """The URI link targets of a PDF (in plain and in compressed object streams)."""
    import re
    import zlib

    data = pdf.read_bytes()
    uris = set(re.findall(rb"/URI\s*\(([^)]*)\)", data))
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            uris |= set(re.findall(rb"/URI\s*\(([^)]*)\)", zlib.decompress(m.group(1))))
        except zlib.error:
            continue
    return {u.decode("latin-1") for u in uris}


@pytest.mark.pdf
def test_every_figures_data_link_is_a_link_in_the_pdf(all_editions: Path):
    """Issue 33, item 1: every figure keeps its data link, clickable in the PDF too: one link
    per "Data of this figure (CSV)" label, each to the CSV published beside the edition."""
    import subprocess

    site = all_editions / "site"
    counted = {}
    for pdf in sorted((site / "pdf").glob("*.pdf")):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        labels = " ".join(text.split()).count("Data of this figure (CSV)")
        links = sorted(u for u in _pdf_uris(pdf) if u.endswith(".csv"))
        assert len(links) == labels, (pdf.name, labels, links)
        counted[pdf.stem] = labels
        for link in links:
            assert (site / "pdf" / link).resolve().is_file(), (pdf.name, link)
    # every briefing has figures (a technical report may have none)
    assert all(n > 0 for name, n in counted.items() if not name.endswith("-report")), counted


#: Words a policy reader should never meet in a briefing (issue 33, item 2): the project's
#: own vocabulary, file names, command lines and unit codes. The technical report may use them.
BUILDERS_WORDS = [r"\bsnapshots?\b", r"\bseeds?\b", r"\bseeded\b", r"\bcommits?\b",
                  r"\bthis run\b", r"\bhash seed", r"\bDask\b",
                  r"\w\.(?:py|qmd|ipynb|ya?ml|json)\b", r"(?<![\w/])--[a-z][a-z-]+",
                  r"\beocic (?:run|book|data)\b", r"\bEUR_HAB\b", r"\bPC_[A-Z]+\b", r"\b\d+ PC\b",
                  r"\bTHS\b"]


@pytest.mark.pdf
def test_every_briefing_speaks_the_readers_words(all_editions: Path):
    """Every built briefing, HTML and PDF (not its technical report), holds none of the
    builders' words."""
    import re
    import subprocess

    site = all_editions / "site"
    hits = []
    for edition in sorted(p.parent.name for p in site.glob("*/intro.html")):
        texts = {}
        for page in sorted((site / edition).glob("*.html")):
            if page.name in {"genindex.html", "search.html", "index.html"}:
                continue
            texts[page.name] = text_of(article(page))
        pdf = site / "pdf" / f"{edition}.pdf"
        if pdf.exists():
            texts["PDF"] = " ".join(subprocess.run(["pdftotext", str(pdf), "-"],
                                                   capture_output=True, text=True).stdout.split())
        for name, text in texts.items():
            for word in BUILDERS_WORDS:
                hits += [(edition, name, text[max(0, m.start() - 50):m.end() + 20])
                         for m in re.finditer(word, text)]
    assert hits == [], hits[:20]


def test_every_local_link_of_every_edition_resolves(all_editions: Path):
    """Every relative link and image of every page of every edition, the technical report's
    pages included (one folder down), leads to a file of the site."""
    import re

    site = all_editions / "site"
    broken = []
    for page in sorted(site.glob("*/**/*.html")):
        if page.relative_to(site).parts[0] in {"atlas", "pdf", "data"} or "_static" in page.parts:
            continue
        for ref in re.findall(r'(?:href|src)="([^"#?]+)', page.read_text("utf-8")):
            if re.match(r"^[a-z]+:|^//", ref) or (ref.endswith(".pdf")
                                                 and not shutil.which("xelatex")):
                continue
            if not (page.parent / ref).resolve().exists():
                broken.append((page.relative_to(site).as_posix(), ref))
    assert broken == [], broken[:20]
