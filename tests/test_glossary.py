"""The technical report may use technical terms, each explained once in its glossary
(issue 33): every term of the list below that a built report uses is defined on that
edition's glossary page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from support.pages import article, text_of

#: A technical term as the report may write it -> its entry in book/glossary.md.
TERMS = {r"\bsnapshots?\b": "Snapshot", r"\bseed(?:s|ed)?\b": "Seed",
         r"\bhash seed": "Hash seed", r"\bcommits?\b": "Commit", r"\bDask\b": "Dask",
         r"\bEUR_HAB\b": "EUR_HAB", r"\bMonte Carlo\b": "Monte Carlo",
         r"\bSobol": "Sobol' indices", r"\btornado\b": "Tornado chart",
         r"\blocation quotient": "Location quotient", r"\bNUTS 2\b": "NUTS 2",
         r"\bEU28\b": "EU28", r"\bmin-max\b": "Min-max normalisation",
         r"\bcluster stars\b": "Cluster stars", r"\btolerance\b": "Tolerance",
         r"\bvintages?\b": "Vintage", r"\bextraction\b": "Extraction",
         r"\bnotebooks?\b": "Notebook", r"\bcomposite indicators?\b": "Composite indicator"}


def _defined(glossary_html: str) -> set[str]:
    return {" ".join(html.unescape(re.sub(r"<[^>]+>", "", t)).replace("\u2019", "'").split())
            for t in re.findall(r"<dt[^>]*>(.*?)(?:<a class=\"headerlink\"|</dt>)",
                                glossary_html, re.S)}


@pytest.mark.unit
def test_the_glossary_defines_every_term_of_the_list():
    from eocic_helpers.core import paths

    source = (paths.BOOK_TEMPLATES / "glossary.md").read_text("utf-8")
    block = source.split("```{glossary}", 1)[1].split("```", 1)[0]
    entries = {line.strip() for line in block.splitlines() if line and not line[0].isspace()}
    assert set(TERMS.values()) <= entries, set(TERMS.values()) - entries


@pytest.mark.study
def test_every_term_a_report_uses_is_in_its_glossary(all_editions: Path):
    site = all_editions / "site"
    missing = []
    reports = sorted(p.parent for p in site.glob("*/report/glossary.html"))
    assert len(reports) == 11, reports
    for report in reports:
        defined = _defined((report / "glossary.html").read_text("utf-8"))
        for page in sorted(report.glob("*.html")):
            if page.name in {"glossary.html", "search.html", "genindex.html"}:
                continue
            text = text_of(article(page))
            for pattern, term in TERMS.items():
                if re.search(pattern, text, re.I) and term not in defined:
                    missing.append((report.parent.name, page.name, term))
    assert missing == [], missing[:20]
