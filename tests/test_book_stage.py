"""The book stage only assembles: it imports no analysis module and reads only what runs
produced; its one template mechanism escapes every value."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from eocic_helpers.book import templates
from eocic_helpers.book.editions import content_status
from eocic_helpers.book.package import column_unit, write_data_package
from eocic_helpers.core import paths
from eocic_helpers.outputs.publication import column_widths, myst_figure, myst_list_table

BOOK = paths.PACKAGE / "book"


@pytest.mark.cli
def test_importing_the_book_stage_loads_no_analysis_module():
    code = ("import sys, eocic_helpers.book.editions, eocic_helpers.book.appendix, "
            "eocic_helpers.book.package, eocic_helpers.book.changes, "
            "eocic_helpers.book.sphinx_pages; "
            "print([m for m in sys.modules if m.startswith('eocic_helpers.analysis')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("module", sorted(BOOK.glob("*.py")), ids=lambda p: p.name)
def test_no_book_module_mentions_an_analysis_module(module: Path):
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith("eocic_helpers.analysis"), module
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("eocic_helpers.analysis") for a in node.names)


def test_templates_escape_every_value_and_keep_their_own_markup(tmp_path):
    (tmp_path / "page.md").write_text("# {{ name }}\n\n{cite}`x` {{ safe }}", "utf-8")
    out = templates.render("page.md", {"name": "A <script>x</script> {download}`p <../x>`",
                                       "safe": templates.Markup("*kept*")}, folder=tmp_path)
    assert "\\<script\\>" in out and "{download}" not in out.replace("\\{download\\}", "")
    assert "{cite}`x` *kept*" in out


def test_the_intro_template_renders_for_a_data_only_region():
    from eocic_helpers.book.editions import edition_title
    from eocic_helpers.core.regions import resolve_region

    ctx = {"region": resolve_region("saxony"), "results": {},
           "content": "data-only", "available": set(), "chapters": [], "seed": "centre-val-de-loire",
           "stamp": "1 January 2026", "title": edition_title("Saxony", seed=False),
           "vintage": "Eurostat data", "editions": templates.Markup(""),
           "report_link": templates.Markup("REPORT LINK"),
           "missing": lambda nb: templates.Markup(f"MISSING {nb}")}
    text = " ".join(templates.render("intro.md", ctx).split(" "))
    flat = " ".join(text.split())
    # a reproduction, crediting the original authors; the region's own briefing is cited
    assert flat.startswith("# Saxony\\: the 2019 EOCIC briefing\\'s data\\-driven diagnostic")
    assert "not an EOCIC, EASME or European Commission publication" in flat
    assert "Julie Pellegrin and Louis Colnot" in flat
    # without a summary run, the citation is the publication of all ten (no missing glue)
    assert "one of the ten EOCIC briefings published on 5 November 2019" in flat
    assert "own_briefing_citation" not in flat
    with_summary = templates.render("intro.md", {**ctx, "available": {"summary"}})
    assert "summary.ipynb::own_briefing_citation" in with_summary
    assert "No qualitative content of the Centre-Val de Loire briefing is shown under Saxony" in flat
    assert "as a template" not in text
    assert "{{" not in text and "<!--" not in text


def test_content_status_reads_what_the_summary_notebook_published():
    """The book places the classification; it does not compute it from flags itself."""
    assert content_status({"content_status": "own"}) == "own"
    assert content_status({"content_status": "data-only", "has_synthesis": True}) == "data-only"
    assert content_status({}) == "data-only"
    from eocic_helpers.analysis.summary import content_status as computed

    assert computed({"has_synthesis": True}) == "own"
    assert computed({"has_costs": False, "has_action_plan": False}) == "data-only"


def test_list_table_cells_and_caption_are_literal_and_every_column_has_a_width():
    frame = pd.DataFrame({"a": ["<img src=x onerror=alert(1)>", None],
                          "long text": ["word " * 40, "x"]})
    text = myst_list_table(frame, "Cap $x$ {raw}`html <b>`", "tab-x")
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in text
    assert "Cap \\$x\\$ \\{raw\\}\\`html \\<b\\>\\`" in text
    widths = column_widths(frame)
    assert f":widths: {widths[0]} {widths[1]}" in text and widths[1] > widths[0]


def test_figure_alt_text_is_one_quoted_line_and_file_names_cannot_climb():
    text = myst_figure("figures/a.png", "fig-a", "Caption <b>", 'alt "q"\n:class: x\n<script>',
                       data_file="figures/a.csv")
    alt = [line for line in text.splitlines() if line.startswith(":alt:")]
    assert alt == [':alt: "alt \\"q\\" :class: x <script>"']
    assert "Caption \\<b\\>" in text
    with pytest.raises(ValueError):
        myst_figure("../../etc/passwd", "x", "c", "a")


def test_a_figure_names_its_best_format_per_builder_and_nothing_wider():
    # "figures/a.*": Sphinx takes the SVG for HTML and the PDF for LaTeX (both vector).
    assert "```{figure} figures/a.*\n" in myst_figure("figures/a.*", "fig-a", "c", "a")
    for bad in ("figures/*", "figures/a*.png", "*/a.*", "figures/a.**"):
        with pytest.raises(ValueError):
            myst_figure(bad, "x", "c", "a")


def test_figures_are_saved_as_svg_and_pdf_the_same_bytes_every_time(tmp_path: Path):
    import matplotlib.pyplot as plt

    from eocic_helpers.outputs.publication import save_vector
    from eocic_helpers.outputs.style import set_theme

    set_theme()
    saved = []
    for run in ("one", "two"):
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1], [1, 0], label="line")
        ax.set_title("A title")
        files = [tmp_path / f"{run}.{ext}" for ext in ("svg", "pdf")]
        save_vector(fig, *files)
        plt.close(fig)
        saved.append([f.read_bytes() for f in files])
    assert saved[0] == saved[1]
    svg, pdf = saved[0]
    assert b"<svg" in svg and pdf.startswith(b"%PDF")
    assert b"CreationDate" not in pdf and b"/Subtype /Image" not in pdf  # vector, no raster
    # text kept as text (Type 3 glyph procedures), with a ToUnicode map: it can be searched
    assert b"/Subtype /Type3" in pdf and b"/ToUnicode" in pdf
    assert not list(tmp_path.glob("*.png"))  # no PNG: nothing reads one


def test_the_data_package_holds_every_csv_results_and_a_readme(tmp_path: Path):
    src = tmp_path / "demo"
    (src / "figures").mkdir(parents=True)
    (src / "tables").mkdir()
    pd.DataFrame({"gdp_per_capita_eur": [1], "year": [2017]}).to_csv(src / "figures" / "f.csv")
    (src / "figures" / "f.json").write_text(json.dumps({"caption": "GDP."}))
    pd.DataFrame({"share_pct": [1.5]}).to_csv(src / "tables" / "t.csv", index=False)
    (src / "results.json").write_text("{}")
    a = write_data_package(src, tmp_path / "a.zip", epoch=1700000000)
    b = write_data_package(src, tmp_path / "b.zip", epoch=1700000000)
    assert a.read_bytes() == b.read_bytes()
    names = zipfile.ZipFile(a).namelist()
    assert names == sorted(["demo-data/README.md", "demo-data/figures/f.csv",
                            "demo-data/results.json", "demo-data/results_catalogue.csv",
                            "demo-data/tables/t.csv"])
    readme = zipfile.ZipFile(a).read("demo-data/README.md").decode()
    assert "gdp_per_capita_eur: euro" in readme and "share_pct: percent" in readme
    assert "GDP." in readme
    assert column_unit("year", []) == "calendar year"


def test_editing_a_module_the_book_does_not_use_keeps_the_edition_key(tmp_path, monkeypatch):
    """The edition key covers the book stage's own code, not the whole package."""
    import shutil

    from eocic_helpers.core import paths
    from eocic_helpers.run import runner

    pkg = tmp_path / "eocic_helpers"
    shutil.copytree(paths.PACKAGE, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "PACKAGE", pkg)
    code = "import eocic_helpers.book.editions"
    before = runner.code_digest(code)
    with (pkg / "cli.py").open("a") as f:
        f.write("\n# an edit the book does not see\n")
    assert runner.code_digest(code) == before
    with (pkg / "book" / "editions.py").open("a") as f:
        f.write("\n# an edit the book sees\n")
    assert runner.code_digest(code) != before


def test_bibliography_entries_are_list_items_of_their_list():
    from eocic_helpers.book import sphinx_pages

    body = ('<div role="list" class="citation-list"><div class="citation" id="id4" '
            'role="doc-biblioentry">A.</div></div>')
    context = {"body": body}
    sphinx_pages._page_context(None, "references", "page.html", context, None)
    assert 'role="listitem"' in context["body"] and "doc-biblioentry" not in context["body"]
    untouched = {"body": "<p>text</p>"}
    sphinx_pages._page_context(None, "intro", "page.html", untouched, None)
    assert untouched == {"body": "<p>text</p>"}


def test_a_table_cell_never_breaks_inside_a_number_and_may_break_a_long_file_name():
    from eocic_helpers.outputs.escape import NBSP, ZWSP, myst_cell, myst_text

    assert myst_cell("27 820.1 EUR") == f"27{NBSP}820\\.1 EUR"
    assert myst_cell("from 78 000 to 1 100 000") == f"from 78{NBSP}000 to 1{NBSP}100{NBSP}000"
    # digits inside a word, or a year before a number, are not one number
    assert myst_cell("sha256 792dcef47488") == "sha256 792dcef47488"
    assert myst_cell("in 2017 100 people") == "in 2017 100 people"
    cell = myst_cell("ballatore_eurostat_2020/eu_all_geo_data.rds")
    assert cell.count(ZWSP) == 6 and cell.replace(ZWSP, "") == myst_text(
        "ballatore_eurostat_2020/eu_all_geo_data.rds")
    assert ZWSP not in myst_cell("short_name/file.csv")
    # a list of codes joined by "+" breaks after each "+", a sum written with spaces does not
    codes = myst_cell("population-weighted mean over DED2+DED4+DED5")
    assert codes.count(ZWSP) == 2 and codes.replace(ZWSP, "") == myst_text(
        "population-weighted mean over DED2+DED4+DED5")
    assert ZWSP not in myst_cell("1 + 2")
