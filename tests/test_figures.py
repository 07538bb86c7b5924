"""Every figure is legible where it is shown, with no colliding or struck-through labels.

Figures are drawn from the data snapshot exactly as the notebooks draw them, for Centre-Val de
Loire (one NUTS 2 unit, with the briefing's qualitative content) and Saxony (three units, data
only), then measured with matplotlib's own renderer (see tests/support/legibility_checks.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from support import legibility_checks as checks

from eocic_helpers.analysis import action_plan as ap
from eocic_helpers.analysis import composite as ci
from eocic_helpers.analysis import composite_chapter as chapter
from eocic_helpers.analysis import content as ct
from eocic_helpers.analysis import costs
from eocic_helpers.analysis import indicators as ki
from eocic_helpers.analysis import maps as mp
from eocic_helpers.analysis import synthesis as sy
from eocic_helpers.core.regions import load_regions, resolve_region
from eocic_helpers.data.eocic_values import cluster_stars, load_eocic
from eocic_helpers.data.snapshot import load_snapshot
from eocic_helpers.outputs import legibility
from eocic_helpers.outputs.style import HIGHLIGHT, set_theme

REGIONS = ["centre-val-de-loire", "saxony"]


@functools.cache
def _inputs(region: str) -> dict[str, Any]:
    snapshot = load_snapshot()
    focus = resolve_region(region)
    config = ci.load_config()
    result = ci.compute(snapshot, config)
    pop = ci.population(snapshot)
    units = ci.pilot_units()
    unit_scores = ci.unit_totals(result["total"], pop, units)
    eocic = load_eocic("composite_index").set_index("unit_id")["composite_total"].to_dict()
    values = costs.defaults()
    plan = ap.load_action_plan(region)
    return {
        "focus": focus,
        "fig1": ki.figure1_data(snapshot, load_regions(), focus),
        "fig2": ki.figure2_data(snapshot, focus),
        "fig3": chapter.figure3_data(result, snapshot, focus, config),
        "fig4": chapter.figure4_data(unit_scores, units, cluster_stars(), eocic),
        "values": values,
        "plan": plan,
        "content": ct.load_part(region, "synthesis"),
        "composite": result["total"],
        "snapshot": snapshot,
    }


def draw(region: str, name: str) -> Any:
    """Draw figure ``name`` for ``region`` as its notebook does."""
    set_theme()
    d = _inputs(region)
    v = d["values"]
    if name == "figure1":
        return ki.figure1(d["fig1"])
    if name == "figure2":
        return ki.figure2(d["fig2"])
    if name == "figure3":
        return chapter.figure3(d["fig3"])
    if name == "figure4":
        return chapter.figure4(d["fig4"], d["focus"])
    if name == "figure5":
        return sy.pest_figure(d["content"])
    if name == "figure6":
        return sy.strategy_figure(d["content"])
    if name == "gantt":
        return ap.gantt_figure(d["plan"])
    if name == "gantt_dated":
        return ap.gantt_figure(d["plan"], dt.date(2020, 1, 1))
    if name == "tornado":
        return costs.tornado_figure(costs.tornado(v), costs.deterministic(v)["total_cost_eur_per_year"])
    if name == "monte_carlo":
        sim = costs.simulate(v, n=20_000)
        return costs.monte_carlo_figure(sim["stated"][0], costs.monte_carlo(sim))
    if name == "sobol":
        return costs.sobol_figure(costs.sobol(v, n=2**10))
    if name == "scale":
        return costs.scale_figure(costs.scale(v), int(v["n_smes"]))
    if name == "locator":
        return mp.locator_figure(_map_layer(), d["focus"])
    if name == "choropleth":
        data = mp.choropleth_data(_map_layer(), d["composite"], load_regions())
        return mp.choropleth_figure(_map_layer(), data, "Composite index of industrial change",
                                    "composite index (0 to 1)")
    if name == "choropleth_gdp":
        data = mp.choropleth_data(
            _map_layer(), mp.snapshot_values(d["snapshot"], "gdp_per_capita_eur", 2017),
            load_regions())
        return mp.choropleth_figure(_map_layer(), data, "GDP per inhabitant, 2017",
                                    "EUR per inhabitant")
    raise KeyError(name)


@functools.cache
def _map_layer() -> Any:
    from eocic_helpers.data.maps import load_map

    return load_map()


FIGURES = ["figure1", "figure2", "figure3", "figure4", "figure5", "figure6", "gantt",
           "gantt_dated", "tornado", "monte_carlo", "sobol", "scale", "locator"]
CASES = [(r, f) for r in REGIONS for f in FIGURES
         if not (f in ("figure5", "figure6", "gantt", "gantt_dated")
                 and r != "centre-val-de-loire")]
# a region that is a whole country (region and country share a name); five units highlighted
CASES += [("lithuania", "figure2"), ("wallonia", "figure4"), ("lithuania", "locator"),
          ("centre-val-de-loire", "choropleth"), ("centre-val-de-loire", "choropleth_gdp")]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _variable_names() -> set[str]:
    """Identifiers a reader must never see: indicator ids and cost parameter names."""
    from eocic_helpers.data.recipes import indicators

    return {n for n in [*indicators(), *costs.load_parameters()] if "_" in n}


@pytest.mark.parametrize(("region", "name"), CASES)
def test_figure_is_legible_uncluttered_and_free_of_code(region: str, name: str) -> None:
    """Text at least 8 pt in the PDF and 11 px in HTML; no two texts overlap; no line runs
    through a label; no command line or variable name drawn."""
    fig = draw(region, name)
    assert checks.problems(fig) == {"too small": [], "overlapping": [], "struck through": []}
    names = _variable_names()
    for t in checks.visible_texts(fig):
        text = t.get_text()
        assert "eocic " not in text and "`" not in text, text
        assert not names & set(text.replace("(", " ").replace(")", " ").split()), text


@pytest.mark.parametrize("name", ["figure4", "figure6", "gantt"])
def test_saved_size_matches_the_saved_png(name: str) -> None:
    """The size the checks scale by is the size of the PNG the book shows."""
    fig = legibility.at_saved_dpi(draw("centre-val-de-loire", name))
    size = checks.saved_size(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    width_px = int.from_bytes(buf.getvalue()[16:20], "big")
    assert width_px == pytest.approx(size.width_in * plt.rcParams["savefig.dpi"], abs=2)


def test_legibility_catches_small_and_overlapping_text() -> None:
    set_theme()
    fig, ax = plt.subplots(figsize=(11, 4))
    ax.text(0.5, 0.5, "North Middle Sweden", fontsize=8)
    ax.text(0.52, 0.5, "Namur", fontsize=8)
    ax.axvline(0.55)
    assert checks.too_small(fig)
    assert checks.overlaps(fig)
    assert checks.struck_through(fig)


def test_focus_marker_is_on_top_in_figure3() -> None:
    fig = draw("centre-val-de-loire", "figure3")
    ax = fig.axes[0]
    markers = [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets())]
    focus = [c for c in markers if to_hex(c.get_facecolor()[0]) == HIGHLIGHT.lower()]
    assert focus
    assert min(c.get_zorder() for c in focus) > max(
        c.get_zorder() for c in markers if c not in focus)


def test_tornado_and_sobol_draw_only_factors_with_a_bar() -> None:
    v = costs.defaults()
    tor = costs.tornado(v)
    fig = costs.tornado_figure(tor, costs.deterministic(v)["total_cost_eur_per_year"])
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert "Discount rate" not in labels  # no effect on the yearly cost
    assert len(labels) == int((tor["swing"] > 0).sum())
    assert costs.omitted_factors_note(tor, "tornado").count("Discount rate") == 1
    sob = costs.sobol(v, n=2**10)
    fig = costs.sobol_figure(sob)
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == int((sob["total_order"] >= costs.SOBOL_MIN_SHARE).sum())
    ax = fig.axes[0]
    rows_with_a_bar = {round(p.get_y() + p.get_height() / 2) for p in ax.patches
                       if p.get_width() > 0.005 * ax.get_xlim()[1]}
    assert rows_with_a_bar == set(range(len(labels)))  # every listed factor has a visible bar


def test_gantt_labels_are_whole_and_unique() -> None:
    d = _inputs("centre-val-de-loire")
    fig = ap.gantt_figure(d["plan"])
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert not any("…" in label for label in labels)
    assert len(set(labels)) == len(labels)
    assert set(labels) == set(ap.gantt_data(d["plan"])["action"])


def test_strategy_map_arrows_touch_their_boxes() -> None:
    fig = draw("centre-val-de-loire", "figure6")
    r = checks.renderer(fig)
    ax = fig.axes[0]
    boxes = [p.get_window_extent(r) for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert arrows and boxes
    for arrow in arrows:
        verts = arrow.get_path().vertices  # display coordinates, head included
        start, end = arrow._posA_posB  # data coordinates of the two ends
        for point in (start, end):
            px = ax.transData.transform(point)
            gap = min(_distance_to_edge(px, b) for b in boxes)
            assert gap < 1.0, f"arrow end {point} is {gap:.1f} px from the nearest box"
        assert len(verts)


def _distance_to_edge(p: np.ndarray, b: Any) -> float:
    x, y = p
    inside = b.x0 <= x <= b.x1 and b.y0 <= y <= b.y1
    dx = max(b.x0 - x, 0, x - b.x1)
    dy = max(b.y0 - y, 0, y - b.y1)
    if inside:
        return min(x - b.x0, b.x1 - x, y - b.y0, b.y1 - y)
    return float(np.hypot(dx, dy))


def test_strategy_map_says_which_links_the_briefing_states() -> None:
    content = _inputs("centre-val-de-loire")["content"]
    edges = sy.strategy_edges(content)
    assert set(edges["basis"]) == {"stated in the briefing", "our reading"}
    ours = edges[edges["basis"] == "our reading"]
    assert set(ours["kind"]) == {"addresses"}
    note = sy.strategy_links_note(content)
    assert "briefing" in note and "ours" in note


def test_wrap_to_width_keeps_words_whole_and_lines_within_width() -> None:
    set_theme()
    fig = plt.figure()
    text = "Enhanced cross-sectoral collaboration among SMEs and technology providers"
    wrapped = legibility.wrap_to_width(text, 1.2, 8.5, fig)
    assert wrapped.replace("\n", " ") == text
    for line in wrapped.split("\n"):
        assert legibility.text_width_in(line, 8.5, fig) <= 1.2
    assert legibility.wrap_to_width("a\u00a0b c", 10, 8.5, fig) == "a b c"


def test_place_labels_avoids_labels_points_and_lines() -> None:
    set_theme()
    fig, ax = plt.subplots(figsize=(6.2, 3))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axvline(0.55)
    xy = [(0.5, 0.5), (0.52, 0.5), (0.54, 0.52)]
    for x, y in xy:
        ax.plot(x, y, "o")
    legibility.place_labels(ax, xy, ["North Middle Sweden", "Namur", "Liège"], 8.5)
    assert checks.overlaps(fig) == []
    assert checks.struck_through(fig) == []


# -- the widths the checks assume are the widths the editions show ------------------------------

@pytest.mark.study
@pytest.mark.skipif(not shutil.which("xelatex") or not shutil.which("pdfimages"),
                    reason="xelatex or poppler missing: run `make setup` as root")
def test_pdf_shows_figures_at_the_assumed_text_width(all_editions: Path) -> None:
    """Figures print as vector PDFs at least as wide as the text block, which Sphinx's LaTeX
    scales to the text width: the width the legibility check assumes."""
    import re as _re

    figures = sorted((all_editions / "books" / "centre-val-de-loire" / "figures").glob("*.pdf"))
    assert len(figures) >= 10
    for f in figures:
        info = subprocess.run(["pdfinfo", str(f)], capture_output=True, text=True,
                              check=True).stdout
        width_in = float(_re.search(r"Page size:\s+([\d.]+) x", info).group(1)) / 72
        assert width_in >= checks.PDF_TEXT_WIDTH_IN - 0.06, (f.name, width_in)


@pytest.mark.study
@pytest.mark.skipif(not shutil.which("chromium") or not shutil.which("chromedriver"),
                    reason="chromium missing: run `make setup` as root")
def test_html_shows_figures_at_the_assumed_content_width(all_editions: Path) -> None:
    import functools
    import http.server
    import tempfile
    import threading

    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    site = all_editions / "site" / "centre-val-de-loire"

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = Options()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync",
                f"--user-data-dir={tempfile.mkdtemp()}"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(shutil.which("chromedriver")))
    try:
        driver.set_window_size(1280, 900)
        widths = []
        # the briefing's pages and the technical report's (its figures: since 2017, costs)
        for page in ("indicators.html", "synthesis.html", "cost_benefit.html",
                     "report/indicators.html", "report/cost_benefit.html"):
            driver.get(f"http://127.0.0.1:{server.server_port}/{page}")
            widths += driver.execute_script(
                "return Array.from(document.querySelectorAll('figure img'))"
                ".map(i => i.getBoundingClientRect().width)")
    finally:
        driver.quit()
        server.shutdown()
    assert len(widths) >= 6
    for px in widths:
        assert px == pytest.approx(checks.HTML_CONTENT_WIDTH_PX, abs=2)
