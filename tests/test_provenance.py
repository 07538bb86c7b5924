"""Provenance at a glance (issue 33): every glued number of every edition's HTML links to its
row of the technical report's results catalogue and carries what it is, its year and its
source, on hover, on keyboard focus and for screen readers."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from eocic_helpers.book.sphinx_provenance import anchor, reader_source, tooltip


@pytest.mark.unit
def test_a_source_in_readers_words_names_no_file_and_no_working_word():
    assert reader_source("Eurostat tgs00003, tgs00096") == "Eurostat tgs00003, tgs00096"
    assert reader_source("briefing §1.2 (data/eocic/typology.csv)") == "briefing §1.2"
    assert reader_source("data/regions.yaml") == "our data"
    assert reader_source("data/regions/{region}/action_plan.yaml") == (
        "the region's content, restated from its 2019 briefing")
    assert reader_source("this study (the snapshot against the pilot units and the EU28)") == (
        "this study (our data against the pilot units and the EU28)")
    assert "/" not in reader_source("data/snapshot/geo.csv; data/regions.yaml")
    row = {"key": "k", "about": "the executive summary's copy: GDP of the EU28, as the text "
           "shows it", "unit": "EUR per inhabitant", "year": "2017", "source": "Eurostat x"}
    assert tooltip(row) == "GDP of the EU28 (EUR per inhabitant, 2017). Source: Eurostat x."
    rank = {**row, "about": "rank among the pilots on GDP, as an ordinal (1st, 2nd...)",
            "unit": "rank (1 = highest)"}
    assert tooltip(rank).startswith("Rank among the pilots on GDP (rank (1 = highest), 2017)")
    assert anchor("a b<c") == "key-a-b-c"


@pytest.mark.study
def test_every_glued_number_links_to_its_provenance(all_editions: Path):
    site = all_editions / "site"
    bare, unresolved, linked = [], [], 0
    for edition in sorted(p.parent.name for p in site.glob("*/intro.html")):
        catalogue = site / edition / "report" / "catalogue.html"
        assert catalogue.exists(), edition
        rows = set(re.findall(r'<dt id="([^"]+)"', catalogue.read_text("utf-8")))
        for page in sorted((site / edition).rglob("*.html")):
            body = page.read_text("utf-8")
            for text in re.findall(r'<span class="pasted-text">([^<]*)</span>', body):
                # a glued number (digits, marks, a sign, % or an ordinal's ending), not a
                # glued name or sentence that holds a year
                if re.fullmatch(r"[-+\u2212]?\d[\d\s\u00a0.,]*(?:\s?%|st|nd|rd|th)?",
                                html.unescape(text).strip()) and not re.fullmatch(
                                    r"(?:19|20)\d\d", text.strip()):  # a year is no value
                    bare.append((edition, page.name, text))
            for href, tip, label, number in re.findall(
                    r'<a class="eocic-value" href="([^"]+)" data-tip="([^"]+)" '
                    r'aria-label="([^"]+)">([^<]+)</a>', body):
                linked += 1
                target = (page.parent / href.split("#")[0]).resolve()
                if target != catalogue.resolve() or href.split("#")[1] not in rows:
                    unresolved.append((edition, page.name, href))
                assert html.unescape(label) == f"{html.unescape(number)}: {html.unescape(tip)}"
                assert "Source: " in html.unescape(tip) and "/" not in html.unescape(tip)
    assert bare == [], bare[:10]
    assert unresolved == [], unresolved[:10]
    assert linked > 300
