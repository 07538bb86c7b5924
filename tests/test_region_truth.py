"""Sentences true for the region they are printed for (issue 33): no edition names another
region's briefing authors, or a number the Centre-Val de Loire briefing states about that
region or France, as its own. A sentence may name them only together with the region they
belong to. Glued numbers (links to the edition's own results) are the region's own by
construction and are left out of the search."""

from __future__ import annotations

import re
from pathlib import Path

from support.pages import article, text_of

from eocic_helpers.analysis.briefings import load_briefings
from eocic_helpers.analysis.reproduction import seed_geo
from eocic_helpers.core.regions import SEED_REGION, load_regions
from eocic_helpers.data.reference import load_reference
from eocic_helpers.outputs.numbers import format_number

#: Pages of the briefing a reader gets (the technical report, one folder down, quotes the
#: Centre-Val de Loire briefing's numbers on purpose, each with its status).
SKIP = {"genindex.html", "search.html", "index.html", "references.html"}


def _sentences(page: Path) -> list[str]:
    text = text_of(re.sub(r'<a class="eocic-value"[^>]*>[^<]*</a>', "[own value]",
                          article(page)))
    return re.split(r"(?<=[.;:])\s+(?=[A-Z(])", text)


def _seed_numbers() -> list[str]:
    """The numbers the seed briefing states about its region or France, as our pages write
    them, with three digits or more (a shorter number is too common to be a sign)."""
    ref = load_reference()
    own = ref[ref["geo"].astype(str).isin(seed_geo())]
    out = []
    for value in own["value"].astype(float):
        text = format_number(value, ",.0f" if value.is_integer() else ".1f")
        if sum(c.isdigit() for c in text) >= 3:
            out.append(text)
    return sorted(set(out))


def test_no_edition_names_another_regions_authors_or_numbers_as_its_own(all_editions: Path):
    site = all_editions / "site"
    regions = {r.id: r for r in load_regions()}
    briefings = load_briefings()
    surnames = {rid: {a.split()[-1] for a in b.authors} for rid, b in briefings.items()}
    numbers = _seed_numbers()
    assert "27 800" in numbers and "78 000" in numbers
    flagged, sentences = [], 0
    for rid in regions:
        pages = [p for p in sorted((site / rid).glob("*.html")) if p.name not in SKIP]
        assert len(pages) >= 8, rid
        for page in pages:
            for sentence in _sentences(page):
                sentences += 1
                for names in surnames.values():
                    for name in names:
                        if re.search(rf"\b{re.escape(name)}\b", sentence) and not any(
                                name in surnames[owner] and (owner == rid or regions[
                                    owner].name in sentence) for owner in surnames):
                            flagged.append((rid, page.name, name, sentence[:160]))
                if rid == SEED_REGION or "Centre-Val de Loire" in sentence:
                    continue
                for number in numbers:
                    if re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", sentence):
                        flagged.append((rid, page.name, number, sentence[:160]))
    assert flagged == [], flagged[:20]
    assert sentences > 1000
