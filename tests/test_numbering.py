"""The briefing keeps the 2019 briefing's figure and table numbers; any other figure or table
of the briefing is lettered; the technical report numbers its own R1, R2, ... (issue 33)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from eocic_helpers.book import editions, sphinx_numfig
from eocic_helpers.core.digest import module_closure
from eocic_helpers.core.pipeline import load_pipeline


def test_letters_count_on_past_z():
    assert [sphinx_numfig.letters(n) for n in (1, 2, 26, 27, 28, 52, 53)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA"]


def test_declared_numbers_are_kept_others_lettered_and_the_report_numbered_apart():
    env = SimpleNamespace(toc_fignumbers={
        "indicators": {"figure": {"fig-locator": (1,), "fig-first": (2,)}},
        "synthesis": {"figure": {"fig-pest": (3,)},
                      "table": {"tab-swot": (1,), "tab-challenges": (2,)}},
        "report/indicators": {"figure": {"fig-since": (4,)}, "table": {"tab-claims": (3,)}},
        "report/costs": {"table": {"tab-params": (5,), "tab-totals": (4,)}}})
    app = SimpleNamespace(config=SimpleNamespace(eocic_numbering={
        "figure": {"fig-first": 1, "fig-pest": 5}, "table": {"tab-swot": 1}}))
    sphinx_numfig._renumber(app, env)
    numbers = env.toc_fignumbers
    assert numbers["indicators"]["figure"] == {"fig-locator": ("A",), "fig-first": ("1",)}
    assert numbers["synthesis"] == {"figure": {"fig-pest": ("5",)},
                                    "table": {"tab-swot": ("1",), "tab-challenges": ("A",)}}
    assert numbers["report/indicators"] == {"figure": {"fig-since": ("R1",)},
                                            "table": {"tab-claims": ("R1",)}}
    assert numbers["report/costs"]["table"] == {"tab-totals": ("R2",), "tab-params": ("R3",)}


def test_the_declared_numbers_are_the_briefings_figures_1_to_6_and_tables_1_to_2():
    numbers = load_pipeline().editions["region"].numbers
    assert sorted(numbers["figure"].values()) == [1, 2, 3, 4, 5, 6]
    assert sorted(numbers["table"].values()) == [1, 2]
    assert not load_pipeline().editions["all"].numbers


def test_the_editions_cache_key_covers_the_sphinx_extensions_the_book_loads(monkeypatch):
    seen: list[str] = []
    monkeypatch.setattr(editions, "code_digest", lambda code: seen.append(code) or "x")
    editions.book_code_digest()
    closure = {f.name for f in module_closure(seen[0])}
    assert {"editions.py", "sphinx_numfig.py", "sphinx_pages.py"} <= closure


def _captions(page_html: str) -> list[tuple[str, str]]:
    """(element id, caption number) of every numbered figure and table of a page."""
    import re

    found = []
    for m in re.finditer(r'<(?:figure|table)[^>]*\bid="([^"]+)"(.*?)</(?:figure|table)>',
                         page_html, re.S):
        number = re.search(r'caption-number">([^<]*)<', m.group(2))
        if number:
            found.append((m.group(1), " ".join(number.group(1).split())))
    return found


@pytest.mark.study
def test_every_edition_numbers_as_the_2019_briefing_does(all_editions):
    """In every region's briefing (HTML and PDF), the figures and tables the 2019 briefing has
    carry its numbers, any other is lettered, and the technical report's are R1, R2, ...; in
    Centre-Val de Loire's, the briefing's Figures 1-6 and Tables 1-2 are all there."""
    import re
    import shutil
    import subprocess

    from docutils.nodes import make_id

    declared = {(kind.capitalize(), make_id(label)): str(n)
                for kind, labels in load_pipeline().editions["region"].numbers.items()
                for label, n in labels.items()}
    site = all_editions / "site"
    wrong, seed_numbers = [], set()
    for edition in sorted(p.parent.name for p in site.glob("*/intro.html")):
        if edition == editions.ALL:
            continue
        pages = [p for p in (site / edition).rglob("*.html") if "_static" not in p.parts]
        assert pages, edition
        for page in pages:
            in_report = page.parent.name == "report"
            for fig_id, caption in _captions(page.read_text("utf-8")):
                kind, number = caption.split(" ", 1)
                want = declared.get((kind, fig_id))
                ok = (number.startswith("R") and number[1:].isdigit() if in_report else
                      number == want if want else number.isalpha())
                if not ok:
                    wrong.append((edition, page.name, fig_id, caption))
                if edition == "centre-val-de-loire" and want and not in_report:
                    seed_numbers.add(caption)
        pdf = site / "pdf" / f"{edition}.pdf"
        if shutil.which("pdftotext") and pdf.exists():
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                  text=True).stdout
            for caption in re.findall(r"^((?:Figure|Table) [0-9A-Z]+):", text, re.M):
                kind, number = caption.split(" ")
                if not (number.isalpha() or number in {n for (k, _), n in declared.items()
                                                       if k == kind}):
                    wrong.append((edition, "PDF", caption))
    assert wrong == [], wrong[:20]
    assert seed_numbers == {f"Figure {n}" for n in range(1, 7)} | {"Table 1", "Table 2"}


def test_numbers_and_their_units_are_joined_by_no_break_spaces():
    from eocic_helpers.book.sphinx_pages import no_break

    nb = "\u00a0"
    assert no_break("EUR 27 820 a year, 34.5 % and 1 234 567 people") == (
        f"EUR{nb}27{nb}820 a year, 34.5{nb}% and 1{nb}234{nb}567 people")
    assert no_break("78 000 EUR per year, +3 pp") == f"78{nb}000{nb}EUR per year, +3{nb}pp"
    assert no_break("in 2017 the sha256 792dcef") == "in 2017 the sha256 792dcef"


@pytest.mark.study
def test_no_number_breaks_in_the_running_text_of_any_edition(all_editions):
    """Every page of every edition: no ordinary space inside a number or between a number
    and its unit, in the text a reader sees (code and scripts aside)."""
    import re

    site = all_editions / "site"
    broken = []
    for page in sorted(site.glob("*/**/*.html")):
        if page.relative_to(site).parts[0] in {"atlas", "pdf", "data"} or "_static" in \
                page.parts or page.name in {"search.html", "genindex.html"}:
            continue
        body = page.read_text("utf-8")
        article = re.search(r"<article[^>]*>(.*)</article>", body, re.S)
        text = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", article.group(1) if article
                      else "", flags=re.S)
        for segment in re.sub(r"<[^>]+>", "\n", text).split("\n"):
            m = re.search(r"\b\d{1,3} \d{3}\b(?!\d)|\d (?:%|EUR\b)|\bEUR \d", segment)
            if m:
                broken.append((page.relative_to(site).as_posix(), segment[max(0, m.start() - 30):
                                                                          m.end() + 10]))
    assert broken == [], broken[:20]
