"""The published editions: strict HTML, local assets, PDF text, a real browser, the landing page."""

from __future__ import annotations

import functools
import html
import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.study
REGION = "centre-val-de-loire"
CHAPTERS = ["Executive summary", "Key economic and innovation indicators",
            "Composite indicators of industrial change",
            "Key challenges, barriers and drivers of industrial modernisation",
            "Costs and sensitivity of the interventions",
            "Roadmap and action plan with activities, timeframe and actors",
            "Data and methods", "What this edition reproduces"]


@pytest.fixture(scope="module")
def editions(all_editions: Path) -> Path:
    return all_editions


def _text(html_file: Path) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html_file.read_text()).split())


def test_every_edition_and_the_landing_page(editions: Path):
    site = editions / "site"
    landing = (site / "index.html").read_text()
    for region in ("cantabria", REGION, "wallonia"):
        assert (site / region / "index.html").exists()
        assert f'href="{region}/index.html"' in landing
        assert f'href="data/{region}-data.zip"' in landing and (site / "data" / f"{region}-data.zip").exists()
        if (editions / "pdf" / f"{region}.pdf").exists():
            assert f'href="pdf/{region}.pdf"' in landing and (site / "pdf" / f"{region}.pdf").exists()
    assert 'href="all/index.html"' in landing
    assert "https://doi.org/10.2826/735038" in landing
    text = " ".join(re.sub(r"<[^>]+>", " ", landing).split())
    assert "Centre-Val de Loire France the 2019 briefing reproduced" in text
    assert "Saxony Germany the data-driven diagnostic; the region's own 2019 briefing is cited" \
        in html.unescape(text)
    for region in ("centre-val-de-loire", "saxony"):  # the briefing and its technical report
        assert f'href="{region}/report/index.html"' in landing
        if shutil.which("xelatex"):
            assert f'href="pdf/{region}-report.pdf"' in landing
            assert (site / "pdf" / f"{region}-report.pdf").exists()
    comparison = _text(site / "all" / "comparison.html")
    assert "North-Middle Sweden" in comparison and "27 820" in comparison
    assert (site / "all" / "_images" / "comparison_figure1.svg").exists()
    # What regions lack is said once, not as ten identical rows.
    assert "no briefing content written yet" not in comparison or comparison.count(
        "not written yet") < 10


def test_each_edition_links_its_pdf_the_landing_page_and_the_others(editions: Path):
    page = (editions / "site" / "saxony" / "synthesis.html").read_text()
    assert 'href="../index.html"' in page and 'href="../pdf/saxony.pdf"' in page
    assert 'href="../data/saxony-data.zip"' in page
    for other in ("centre-val-de-loire", "wallonia", "all"):
        assert f'href="../{other}/index.html"' in page, other


def test_no_asset_leaves_the_machine(editions: Path):
    for page in (editions / "site").rglob("*.html"):
        external = re.findall(r'<(?:script|link|img|iframe)[^>]*(?:src|href)="(https?://[^"]+)"',
                              page.read_text())
        assert not external, (page, external)


def test_region_name_in_title_and_chapters_present(editions: Path):
    site = editions / "site" / REGION
    assert "<title>" in (site / "intro.html").read_text()
    assert ("Centre-Val de Loire: a reproduction of the 2019 EOCIC policy briefing"
            in (site / "intro.html").read_text())
    toc = _text(site / "intro.html")
    for chapter in CHAPTERS:
        assert chapter in toc, chapter


def test_figures_have_captions_with_source_alt_text_and_csv(editions: Path):
    page = (editions / "site" / REGION / "indicators.html").read_text()
    figures = re.findall(r"<figure.*?</figure>", page, re.S)
    assert len(figures) >= 2
    for fig in figures:
        assert re.search(r'alt="[^"]{20,}"', fig)
        assert "Source:" in fig and ".csv" in fig
        assert re.search(r"Figure [0-9A-Z]+", fig)  # the briefing's numbers, others lettered


def test_other_regions_say_what_they_lack(editions: Path):
    """A region's chapters cite its own 2019 briefing where this reproduction restates none."""
    text = _text(editions / "site" / "saxony" / "synthesis.html")
    assert "own 2019 briefing, cited in the introduction" in text and "Saxony" in text
    assert "does not restate it" in text
    page = _text(editions / "site" / "saxony" / "report" / "reproduction.html")
    assert "numbers against ours" in page and "covers Centre-Val de Loire only" in page
    assert not (editions / "site" / "saxony" / "fidelity.html").exists()


@pytest.mark.pdf
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing: make setup as root")
def test_pdf_has_chapters_and_the_same_glued_values(editions: Path):
    pdf = editions / "pdf" / f"{REGION}.pdf"
    if not pdf.exists():
        pytest.skip("xelatex missing: PDF not built (make setup as root installs it)")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True).stdout.split())
    for chapter in CHAPTERS:
        assert chapter.upper() in text.upper(), chapter
    html = _text(editions / "site" / REGION / "summary.html")
    for value in ("27 820", "30 105", "34 324", "78 000", "100 000", "130 000"):
        assert value in text, value
        assert value in html, value
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 20 <= pages <= 150
    assert (editions / "pdf" / "all.pdf").exists()


# -- print ------------------------------------------------------------------------------------

def _pdf_text(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def _squash(text: str) -> str:
    """Text with typography, hyphens and whitespace removed, for cell-in-PDF matching."""
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
                 ("\u2013", "-"), ("\u2014", "-"), ("\u2026", "..."), ("\ufb01", "fi"),
                 ("\ufb02", "fl"), ("\u2212", "-")):
        text = text.replace(a, b)
    return re.sub(r"[\s\-\u00ad]+", "", text)


def _text_cells(csv: Path) -> list[str]:
    import pandas as pd

    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    cells = []
    for col in frame.columns:
        if col == "id":  # identifiers link rows in the data; the edition shows the items
            continue
        for value in frame[col]:
            value = value.strip()
            if value[:2] in {"'" + c for c in "=+-@"}:  # the CSV's formula guard, not content
                value = value[1:]
            if value and not re.fullmatch(r"[-+]?[\d.,eE+ %]*", value):
                cells.append(value)
    return cells


def _all_editions() -> list[str]:
    import yaml

    regions = yaml.safe_load((Path(__file__).resolve().parent.parent / "data" /
                              "regions.yaml").read_text())["regions"]
    return [r["id"] for r in regions] + ["all"]


#: Every regional edition and the cross-region edition.
PRINT_EDITIONS = _all_editions()


def _built_pdf(editions: Path, edition: str) -> Path:
    pdf = editions / "pdf" / f"{edition}.pdf"
    if not pdf.exists():
        pytest.skip("xelatex missing: PDF not built")
    return pdf


@pytest.mark.pdf
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
@pytest.mark.parametrize("edition", PRINT_EDITIONS)
def test_pdf_keeps_every_cell_of_every_table(editions: Path, edition: str):
    pdf = _built_pdf(editions, edition)
    # -raw keeps content-stream order: LaTeX sets each cell's lines together. A table is in
    # the briefing's PDF or in the technical report's beside it (issue 33).
    report = pdf.with_name(f"{edition}-report.pdf")
    text = _squash(_pdf_text(pdf, "-raw")
                   + (_pdf_text(report, "-raw") if report.exists() else ""))
    src = editions / "books" / edition / "tables"
    lost = [(csv.name, cell) for csv in sorted(src.glob("*.csv")) for cell in _text_cells(csv)
            if _squash(cell) not in text]
    assert not lost, lost[:20]


@pytest.mark.pdf
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
@pytest.mark.parametrize("edition", PRINT_EDITIONS)
def test_pdf_has_no_blank_pages(editions: Path, edition: str):
    pdf = _built_pdf(editions, edition)
    pages = _pdf_text(pdf).split("\f")[:-1]
    blank = [k + 1 for k, page in enumerate(pages) if not page.strip()]
    assert len(blank) <= 1, blank


@pytest.mark.pdf
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_pdf_front_matter_dates_owners_and_numbering(editions: Path):
    pdf = editions / "pdf" / f"{REGION}.pdf"
    if not pdf.exists():
        pytest.skip("xelatex missing: PDF not built")
    text = _pdf_text(pdf)
    assert len(re.findall(r"Dev.?Up", text, re.I)) >= 5  # Table 2's owners survive print
    cover = text.split("\f")[0]
    assert "Jan 01, 2019" not in cover and re.search(r"Edition of \d+ \w+ 20\d\d", cover)
    assert "Eurostat data extracted" in cover
    intro_page = next(p for p in text.split("\f") if "This edition is a reproduction" in p)
    assert "ABOUT THIS EDITION" in intro_page.upper() and "CONTENTS" not in intro_page.upper()
    assert "Centre-Val de Loire" in text.split("Bibliography")[-1] or \
        "Centre-Val de Loire" in text.split("BIBLIOGRAPHY")[-1]
    # Figures and tables carry the same numbers in print as in HTML (the 2019 briefing's,
    # the others lettered).
    html = _text(editions / "site" / REGION / "indicators.html")
    labels = re.findall(r"(Figure [0-9A-Z]+)\b", html) + re.findall(r"(Table [0-9A-Z]+)\b", html)
    assert "Figure A" in labels and "Figure 1" in labels
    for label in labels:
        assert label in " ".join(text.split()), label
    assert not re.search(r"(Figure|Table) \d+\.\d+", text)


# -- reader-facing text ----------------------------------------------------------------------

FILE_NAME = re.compile(r"[\w./-]+\.(?:csv|ipynb|yaml|yml|md|zip|rds|json|tsv|pdf|png|svg)\b")
def _make_targets() -> str:
    text = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    return "|".join(sorted(set(re.findall(r"^([a-z][a-z-]*):", text, re.M))))


#: A command line: an eocic sub-command, a make target of the project, or a long option.
COMMAND = re.compile(r"\beocic (?:run|book|data|scaffold|regions)\b"
                     rf"|\bmake (?:{_make_targets()})\b|\s--[a-z]")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _dataset_codes() -> set[str]:
    import yaml

    root = Path(__file__).resolve().parent.parent / "data"
    codes = set()
    for source in yaml.safe_load((root / "sources.yaml").read_text())["sources"]:
        codes |= set(SNAKE.findall(source["dataset_code"]))  # Eurostat codes, as published
    text = (root / "key_indicators.yaml").read_text()
    return codes | set(re.findall(r"dataset: (\S+)", text))


def _developer_text(text: str) -> list[str]:
    # File names and paths are references, not variable names (print may break them anywhere).
    text = re.sub(r"doi:\S+|https?://\S+|\S*/\S*", " ", FILE_NAME.sub(" ", text))
    found = COMMAND.findall(text)
    codes = _dataset_codes()
    found += [t for t in SNAKE.findall(text) if t not in codes]
    return found


def _article(page: Path) -> str:
    body = page.read_text("utf-8")
    m = re.search(r'<article class="bd-article".*?</article>', body, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", m.group(0) if m else "").split())


@pytest.mark.pdf
@pytest.mark.parametrize("edition", PRINT_EDITIONS)
def test_no_command_line_or_variable_name_in_an_edition(editions: Path, edition: str):
    import html as htmllib

    found = {}
    for page in sorted((editions / "site" / edition).glob("*.html")):
        if page.name in {"genindex.html", "search.html"}:
            continue
        bad = _developer_text(htmllib.unescape(_article(page)))
        if bad:
            found[page.name] = sorted(set(bad))[:8]
    pdf = editions / "pdf" / f"{edition}.pdf"
    if pdf.exists() and shutil.which("pdftotext"):
        # -raw: content-stream order, each table cell's lines together. (The layout mode joins
        # a cell's end-of-line "population-" with the next column's first word.)
        bad = _developer_text(" ".join(_pdf_text(pdf, "-raw").split()))
        if bad:
            found["PDF"] = sorted(set(bad))[:8]
    assert not found, found


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.mark.browser
@pytest.mark.skipif(_chromium() is None, reason="chromium/chromedriver missing: make setup as root")
def test_browser_loads_every_image_and_navigates(editions: Path, tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser, driver = _chromium()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(editions / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1600"):
        opts.add_argument(flag)
    web = webdriver.Chrome(service=Service(driver), options=opts)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/{REGION}/"
        web.get(base + "index.html")  # redirects to the first chapter
        WebDriverWait(web, 10).until(lambda w: "intro.html" in w.current_url)
        assert "Centre-Val de Loire" in web.title
        visited = []
        for _ in range(12):
            WebDriverWait(web, 10).until(
                lambda w: w.execute_script("return document.readyState") == "complete")
            visited.append(web.current_url)
            images = web.execute_script(
                "return Array.from(document.images).map(i => [i.src, i.complete, i.naturalWidth])")
            for src, complete, width in images:
                assert complete and width > 0, src
            nxt = web.find_elements(By.CSS_SELECTOR, "a.right-next")
            if not nxt:
                break
            before = web.current_url
            web.execute_script("arguments[0].click();", nxt[0])
            WebDriverWait(web, 10).until(lambda w, b=before: w.current_url != b)
        assert any("indicators.html" in u for u in visited)
        assert any("action_plan.html" in u for u in visited)
        web.get(base + "indicators.html")
        shot = editions / "screenshot-indicators.png"
        web.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
        _tables_fit_and_screenshots(web, base, editions)
    finally:
        web.quit()
        server.shutdown()


#: Each table against its container (the theme wraps tables in a scrolling box, whose scroll
#: bar sits below the table, out of sight for a long one): a table fits, or (issue 22: wide
#: tables scroll inside their own box) scrolls in a box no taller than the window, so that its
#: scroll bar is in sight with the table.
TABLE_FIT_JS = """
return Array.from(document.querySelectorAll('article table')).map(t => {
  const box = t.parentElement;
  const caption = t.querySelector('caption');
  return {id: t.id || (caption ? caption.textContent.trim().slice(0, 60) : '?'),
          table: t.scrollWidth, box: box.clientWidth, scroll: box.scrollWidth,
          scrolls: ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
          tall: box.getBoundingClientRect().height > window.innerHeight,
          visible: t.getBoundingClientRect().width > 0};
});
"""


def _tables_fit_and_screenshots(web, base: str, editions: Path) -> None:
    """At 1280 px, no table is clipped: each fits its container or scrolls visibly (in its own
    box, no taller than the window). A screenshot of every chapter of the edition goes to
    build/screenshots/."""
    from selenium.webdriver.support.ui import WebDriverWait

    web.set_window_size(1280, 1600)
    web.get(base + "intro.html")
    pages = web.execute_script(
        "return Array.from(document.querySelectorAll('nav.bd-docs-nav a.reference.internal'))"
        ".map(a => a.href)")
    pages = list(dict.fromkeys([base + "intro.html", *[p.split("#")[0] for p in pages]]))
    assert len(pages) >= 8, pages
    out_dirs = [editions / "screenshots", Path(__file__).resolve().parent.parent / "build" /
                "screenshots"]
    for d in out_dirs:
        d.mkdir(parents=True, exist_ok=True)
    clipped = []
    for url in pages:
        web.get(url)
        WebDriverWait(web, 10).until(
            lambda w: w.execute_script("return document.readyState") == "complete")
        for t in web.execute_script(TABLE_FIT_JS):
            wide = max(t["table"], t["scroll"]) > t["box"] + 1
            if t["visible"] and wide and (not t["scrolls"] or t["tall"]):
                clipped.append((url.rsplit("/", 1)[-1], t))
        height = web.execute_script("return document.documentElement.scrollHeight")
        web.set_window_size(1280, min(max(height, 800), 12000))
        name = url.rsplit("/", 1)[-1].replace(".html", ".png")
        for d in out_dirs:
            web.save_screenshot(str(d / f"{REGION}-{name}"))
        web.set_window_size(1280, 1600)
    assert not clipped, clipped
