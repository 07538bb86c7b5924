"""The editions as a reader meets them: tables in a browser at desktop and phone widths, an
accessibility audit (axe-core) of the site, and the print rules on every PDF."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.study
#: Two editions read in the browser: the seed region (own content) and a data-only one.
BROWSED = ["centre-val-de-loire", "saxony"]
#: Desktop and phone widths, in CSS pixels.
WIDTHS = [1280, 390]


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


needs_chromium = pytest.mark.skipif(_chromium() is None,
                                    reason="chromium/chromedriver missing: make setup as root")


@pytest.fixture(scope="module")
def site(all_editions: Path) -> Iterator[str]:
    """The published site served on 127.0.0.1; yields its base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(all_editions / "site"))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = _chromium()  # type: ignore[misc]
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=1280,1600"):
        opts.add_argument(flag)
    driver_ = webdriver.Chrome(service=Service(driver), options=opts)
    driver_.set_script_timeout(60)
    yield driver_
    driver_.quit()


def _pages(editions: Path, edition: str) -> list[str]:
    """Every page of an edition a reader can reach (not the index and search pages), its
    technical report's included."""
    site = editions / "site" / edition
    return sorted(p.relative_to(site).as_posix() for p in [*site.glob("*.html"),
                                                            *site.glob("report/*.html")]
                  if p.name not in {"genindex.html", "search.html"}
                  and p.relative_to(site).as_posix() != "index.html")


def _open(web, url: str, width: int) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    web.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": 900, "deviceScaleFactor": 1,
                         "mobile": False})
    web.get(url)
    WebDriverWait(web, 15).until(
        lambda w: w.execute_script("return document.readyState") == "complete")
    assert web.execute_script("return window.innerWidth") == width


#: Each table cell's words and numbers (a number's digit groups count as one), and whether
#: the browser set any of them on two lines; each table against its box.
TABLE_JS = r"""
const token = /\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?%?|[^\s\-\u2010\u2013\/\u200b]+/g;
const tables = Array.from(document.querySelectorAll('article table'))
  .filter(t => t.getBoundingClientRect().width > 0);
const broken = [], clipped = [];
tables.forEach((t, k) => {
  const caption = t.querySelector('caption');
  const name = t.id || (caption ? caption.textContent.trim().slice(0, 50) : 'table ' + k);
  t.querySelectorAll('td, th').forEach(cell => {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walk.nextNode())) {
      const text = node.textContent;
      token.lastIndex = 0;
      let m;
      while ((m = token.exec(text))) {
        const r = document.createRange();
        r.setStart(node, m.index);
        r.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(r.getClientRects()).filter(q => q.width > 0)
          .map(q => Math.round(q.top)));
        if (lines.size > 1) broken.push([name, m[0]]);
      }
    }
  });
  let box = t.parentElement;
  while (box && box !== document.body && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX))
    box = box.parentElement;
  const own = box && box !== document.body;
  const wide = t.getBoundingClientRect().width > t.parentElement.clientWidth + 1;
  if (wide && !own) clipped.push(name);
});
return {tables: tables.length, broken: broken, clipped: clipped,
        page_scrolls: document.documentElement.scrollWidth > window.innerWidth + 1};
"""


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_no_table_cell_breaks_a_number_or_a_word(all_editions: Path, site: str, web,
                                                 width: int):
    """At 1280 px and at 390 px, every table of two editions: no word or number set on two
    lines, a table wider than the column scrolls in its own box, the page never scrolls
    sideways."""
    measured, broken, clipped, sideways = 0, [], [], []
    for edition in BROWSED:
        for page in _pages(all_editions, edition):
            _open(web, f"{site}{edition}/{page}", width)
            found = web.execute_script(TABLE_JS)
            measured += found["tables"]
            broken += [(edition, page, *b) for b in found["broken"]]
            clipped += [(edition, page, c) for c in found["clipped"]]
            if found["page_scrolls"]:
                sideways.append((edition, page))
    assert measured >= 20, measured
    assert not broken, broken[:20]
    assert not clipped, clipped
    assert not sideways, sideways


def _axe_script() -> str:
    import axe_selenium_python

    return (Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core"
            / "axe.min.js").read_text("utf-8")


@pytest.mark.browser
@needs_chromium
def test_no_serious_or_critical_accessibility_violation(all_editions: Path, site: str, web):
    """axe-core on the landing page and on every page of two editions: no violation of
    serious or critical impact (contrast, alternative text, headings, link names, landmarks)."""
    axe = _axe_script()
    urls = [f"{site}index.html"] + [f"{site}{e}/{p}" for e in BROWSED
                                     for p in _pages(all_editions, e)]
    found = []
    for url in urls:
        _open(web, url, 1280)
        web.execute_script(axe)
        result = web.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [],"
            " help: String(e)}]));")
        for v in result:
            if v.get("impact") in {"serious", "critical"}:
                targets = [n.get("target") for n in v.get("nodes", [])][:3]
                found.append((url.removeprefix(site), v["id"], v.get("help"), targets))
    assert len(urls) > 10
    assert not found, found[:20]


@pytest.mark.pdf
@pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
                    reason="poppler-utils missing")
def test_every_pdf_keeps_the_print_rules(all_editions: Path):
    """Every built PDF: no blank page, no page under a quarter full except a chapter's last
    page, no word past the text block (long file names and URLs wrap)."""
    from support.print_checks import layout_report

    pdfs = sorted((all_editions / "pdf").glob("*.pdf"))
    if not pdfs:
        pytest.skip("xelatex missing: PDF not built")
    problems = {}
    for pdf in pdfs:
        found = {k: v for k, v in layout_report(pdf).problems().items() if v}
        if found:
            problems[pdf.stem] = found
    assert not problems, problems


@pytest.mark.pdf
@pytest.mark.skipif(not shutil.which("pdfimages"), reason="poppler-utils missing")
def test_pdf_figures_are_vector(all_editions: Path):
    """``pdfimages -list`` finds no raster image in any PDF: every figure is vector."""
    import subprocess

    pdfs = sorted((all_editions / "pdf").glob("*.pdf"))
    if not pdfs:
        pytest.skip("xelatex missing: PDF not built")
    for pdf in pdfs:
        listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True,
                                 text=True, check=True).stdout.splitlines()[2:]
        assert not listing, (pdf.name, listing[:3])


def test_maps_and_their_data_are_published(all_editions: Path):
    """The locator map in every regional edition, the two EU maps in the cross-region
    edition, each with its data CSV in the edition's data package."""
    import zipfile

    site = all_editions / "site"
    expected = {"all": ["map_composite", "map_gdp_per_capita"]}
    expected |= {e: ["locator_map"] for e in BROWSED}
    for edition, maps in expected.items():
        with zipfile.ZipFile(site / "data" / f"{edition}-data.zip") as z:
            names = z.namelist()
        for name in maps:
            assert (site / edition / "_images" / f"{name}.svg").exists(), (edition, name)
            assert any(n.endswith(f"figures/{name}.csv") for n in names), (edition, name)
    chapter = (site / "centre-val-de-loire" / "indicators.html").read_text("utf-8")
    assert chapter.index("locator_map.svg") < chapter.index("figure1_economic_indicators.svg")
    assert "EuroGeographics" in chapter


@pytest.mark.browser
def test_the_landing_pages_search_finds_a_region_by_any_of_its_names(site: str, web):
    """The offline search (a static index, no server): a region's name without its accents,
    a unit's code, its country; each result links to an edition that exists."""
    from selenium.webdriver.common.by import By

    _open(web, f"{site}index.html", 1280)
    box = web.find_element(By.ID, "eocic-search-input")
    for query, expected in (("centre val", "centre-val-de-loire/index.html"),
                            ("DED2", "saxony/index.html"), ("belgium", "wallonia/index.html")):
        box.clear()
        box.send_keys(query)
        links = [a.get_attribute("href") for a in
                 web.find_elements(By.CSS_SELECTOR, "#eocic-search-results a")]
        assert any(link.endswith(expected) for link in links), (query, links)
    box.clear()
    box.send_keys("no such region anywhere")
    assert "No region matches" in web.find_element(By.ID, "eocic-search-results").text
    # every region on the map links to an edition that was built
    hrefs = web.execute_script(
        "return [...document.querySelectorAll('svg.eocic-map a')].map(a => a.getAttribute('href'))")
    assert len(hrefs) >= 17  # the pilots' NUTS 2 units
    for href in set(hrefs):
        web.get(f"{site}{href}")
        assert web.title and "Error response" not in web.title, href
