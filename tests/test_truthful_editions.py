"""What the built editions say about themselves is true of the pages a reader gets (issue
"Editions that tell the truth"): the briefing's order, front matter, no carry-over of Centre-Val
de Loire's content, no self-comparison, the typology unit by unit, reproduction statuses that
match the pages, and no developer text."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from eocic_helpers.core.pipeline import load_pipeline

pytestmark = pytest.mark.study
CVL = "centre-val-de-loire"
OTHERS = ["cantabria", "east-north-finland", "hauts-de-france", "lithuania",
          "north-middle-sweden", "piemonte", "saxony", "slovenia", "wallonia"]


def _text(page: Path) -> str:
    raw = page.read_text("utf-8")
    raw = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", raw)
    main = re.search(r"(?s)<main\b.*?</main>", raw)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main.group(0) if main
                                                    else raw)))


def _pages(site: Path, region: str) -> dict[str, str]:
    return {p.stem: _text(p) for p in sorted((site / region).glob("*.html"))
            if p.stem not in {"genindex", "search", "index"}}  # index.html redirects to intro


def _pdf_text(build: Path, region: str) -> str | None:
    pdf = build / "pdf" / f"{region}.pdf"
    if not pdf.exists() or not shutil.which("pdftotext"):
        return None
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def _without_reproduction_annex(pdf: str) -> str:
    """The PDF's text less the annex "What this edition reproduces", which lists every number
    of the Centre-Val de Loire briefing, each marked as not this region's."""
    pages = pdf.split("\f")
    start = next((k for k, p in enumerate(pages) if k > 2
                  and "WHAT THIS EDITION REPRODUCES" in p.upper()[:2000]), len(pages))
    end = next((k for k in range(start + 1, len(pages))
                if re.search(r"BIBLIOGRAPHY|REFERENCES", pages[k][:800])), len(pages))
    return "\f".join(pages[:start] + pages[end:])


def _article(page: Path) -> str:
    """The text of a page's article (its own content: no navigation, no footer)."""
    m = re.search(r'(?s)<article class="bd-article"[^>]*>(.*?)</article>',
                  page.read_text("utf-8"))
    assert m, page
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", m.group(1))).split())


def _own_briefing_doi(region: str) -> str:
    """The DOI of the region's own 2019 briefing, or "" where the catalogue has none."""
    import csv

    from eocic_helpers.core.paths import REFERENCE

    with (REFERENCE / "eocic_briefings_2019.csv").open(encoding="utf-8") as f:
        return next((row["doi"] for row in csv.DictReader(f) if row["region"] == region), "")


def _nav_order(site: Path, region: str) -> list[str]:
    """The pages in the order the built HTML's sidebar lists them."""
    index = (site / region / "intro.html").read_text("utf-8")
    nav = re.search(r'(?s)<nav class="[^"]*bd-docs-nav.*?</nav>', index).group(0)
    return [h.removesuffix(".html") for h in re.findall(r'href="([a-z_]+)\.html"', nav)]


@pytest.mark.pdf
@pytest.mark.parametrize("region", [CVL, "saxony"])
def test_the_built_toc_follows_the_declaration(all_editions: Path, region: str):
    results = json.loads((all_editions / "runs" / region / "results.json").read_text())
    declared = [p.file for part, p, _ in load_pipeline().pages("region", flags=results)
                if part != "root"]
    assert _nav_order(all_editions / "site", region) == declared
    pdf = _pdf_text(all_editions, region)
    if pdf is None:
        return
    contents = pdf[pdf.index("CONTENTS"):]
    titles = [p.title for part, p, _ in load_pipeline().pages("region", pdf=True, flags=results)
              if part != "root"]
    positions = [contents.find(t.split(":")[0][:40]) for t in titles]
    assert all(p >= 0 for p in positions), dict(zip(titles, positions, strict=True))
    assert positions == sorted(positions), "the PDF's contents run in another order"
    # chapters numbered as in the briefing, annexes lettered
    assert re.search(r"\n\s*4\s+Specific recommendations", contents)
    # only chapters carry numbers: an edition's own section is never numbered as if it were
    # the briefing's (its 4.1 is inter-clustering, not our costs)
    assert not re.search(r"\n\s*\d\.\d\s+[A-Z][a-z]", contents.split("\f")[0])
    assert "Costs and sensitivity" in contents or region != CVL
    assert re.search(r"\n\s*5\s+Roadmap and action plan", contents)
    assert re.search(r"\n\s*A\s+References", contents)
    # the data and methods are the first chapter of the technical report beside it (issue 33)
    report = _pdf_text(all_editions, f"{region}-report")
    assert report is not None and re.search(r"\n\s*1\s+Data and methods", report)


@pytest.mark.parametrize("region", [CVL, *OTHERS])
def test_front_matter_says_it_is_a_reproduction(all_editions: Path, region: str):
    intro = _pages(all_editions / "site", region)["intro"]
    assert "reproduction" in intro and "not an EOCIC, EASME or European Commission" in intro
    assert "Julie Pellegrin" in intro and "10.2826/735038" in intro
    if region != CVL:
        # the cover names the region's own briefing, and credits Pellegrin and Colnot for the
        # method, as the authors of the Centre-Val de Loire briefing, never as this region's
        assert "own 2019 briefing, which is the 2019 EOCIC policy briefing for" in intro
        assert "method of another briefing of the same series, the Policy Briefing" in intro
        assert "rebuilds, as code" not in intro
    if region == "wallonia":
        assert "10.2826/504234" in intro


@pytest.mark.pdf
@pytest.mark.parametrize("region", OTHERS)
def test_no_carry_over_and_no_self_comparison(all_editions: Path, region: str):
    from eocic_helpers.core.regions import resolve_region

    pages = _pages(all_editions / "site", region)
    r = resolve_region(region)
    results = json.loads((all_editions / "runs" / region / "results.json").read_text())
    # the edition is there, with the region's own content: an empty or broken site would pass
    # every absence below. Every page the declaration lists for the region is built under its
    # title, the region is named, its own numbers (its run's GDP per inhabitant and composite
    # rank) are stated, and its own 2019 briefing is cited (in the introduction) where the
    # catalogue knows one.
    declared = {p.file: p.title for part, p, _ in load_pipeline().pages("region", flags=results)
                if part != "root"}
    assert declared and set(declared) <= set(pages), (region, set(declared) - set(pages))
    site = all_editions / "site" / region
    untitled = [f for f, title in declared.items()
                if not _article(site / f"{f}.html").startswith(title)]
    assert untitled == [], (region, untitled)
    for name in ("summary", "indicators", "industrial_change", "synthesis"):
        assert r.name in pages[name], (region, name)
    gdp = f"EUR {results['gdp_per_capita_eur_text']}"
    assert gdp in pages["summary"] and gdp in pages["indicators"], (region, gdp)
    rank = f"{results['composite_rank_all_text']} of "
    assert rank in pages["industrial_change"], (region, rank)
    doi = _own_briefing_doi(region)
    if doi:
        assert doi in pages["intro"] and doi in pages["about_study"], (region, doi)
    # no carry-over of Centre-Val de Loire's content
    # (the bibliography lists every work the project cites, whatever the edition)
    text = " ".join(t for name, t in pages.items() if name not in {"reproduction", "references"})
    for word in ("Dev'Up", "EUR 78 000", "78 000", "inter-clustering", "Hamburg"):
        assert word not in text, (region, word)
    assert "cost_benefit" not in pages
    if any(u.id == r.country for u in r.units):  # the region is its whole country
        assert not re.search(rf"EUR [\d  ]+ for {r.country_name}", pages["summary"])
        assert "national" not in pages["summary"]
    pdf = _pdf_text(all_editions, region)
    if pdf is not None:  # the reproduction annex is in the technical report, not the briefing
        assert "WHAT THIS EDITION REPRODUCES" not in pdf
        assert "Dev'Up" not in pdf and "78 000" not in pdf
        report = _pdf_text(all_editions, f"{region}-report")
        assert report is not None and "WHAT THIS EDITION REPRODUCES" in report.upper()
        body = _without_reproduction_annex(report)
        assert len(body) < len(report)
        assert "Dev'Up" not in body and "78 000" not in body


def test_typology_unit_by_unit(all_editions: Path):
    wallonia = _pages(all_editions / "site", "wallonia")["industrial_change"]
    assert "Walloon Brabant 40 (as stated in the briefing)" in wallonia
    assert "cluster stars are 40" not in wallonia
    assert "Walloon Brabant in group 3" in wallonia and "Namur in group 2" in wallonia
    comparison = _pages(all_editions / "site", "all")["comparison"]
    for name in ("Centre-Val de Loire in group 1", "Piemonte in group 1",
                 "Walloon Brabant in group 3"):
        assert name in comparison
    assert "Typology: not available" not in comparison


#: What a reader must never see in a chapter: paths, flags, glue, ids, code-wrap marks.
DEVELOPER_TEXT = [r"\bdata/[a-z_]+/", r"\bnotebooks/", r"\.ipynb\b", r"\.yaml\b", r"\bbuild/",
                  r"(?<![\w-])-p [a-z_]+", r"\bglue\b", r"\b[swot][0-9]+: ", r"␣", r"↪",
                  r"would hold it", r"active Population"]


@pytest.mark.pdf
@pytest.mark.parametrize("region", [CVL, "saxony", "lithuania", "all"])
def test_no_developer_text_for_readers(all_editions: Path, region: str):
    hits = []
    for name, text in _pages(all_editions / "site", region).items():
        if name == "for_analysts":
            continue
        hits += [(name, m.group(0)) for pat in DEVELOPER_TEXT for m in re.finditer(pat, text)]
    pdf = _pdf_text(all_editions, region)
    if pdf is not None:
        hits += [("pdf", m.group(0)) for pat in DEVELOPER_TEXT for m in re.finditer(pat, pdf)]
    assert not hits, hits[:10]


@pytest.mark.parametrize("region", [CVL, *OTHERS])
def test_reproduction_statuses_match_the_pages(all_editions: Path, region: str):
    """Issue 33, item 3: rebuild the status of each of the briefing's numbers from the built
    pages and the run's results, and compare it with the annex's. A number the annex calls
    shown is on every page it names (in the briefing or its technical report); a number of
    the seed region is never shown or recomputed as another region's."""
    import pandas as pd

    from eocic_helpers.analysis.reproduction import _number_forms, seed_geo
    from eocic_helpers.data.reference import briefing_comparisons, load_reference

    run = all_editions / "runs" / region
    table = pd.read_csv(run / "tables" / "reproduction_numbers.csv",
                        keep_default_na=False).set_index("id")
    results = json.loads((run / "results.json").read_text())
    site = all_editions / "site" / region
    titles = {p.title: p.file for _, p, _ in load_pipeline().pages("region")}
    report_titles = {f"{p.title} (technical report)": p.file
                     for p in load_pipeline().report_pages("region")}
    ref = load_reference()
    comps: dict[str, list] = {}
    if region == CVL:
        for c in briefing_comparisons(results):
            if c.ours is not None:
                comps.setdefault(c.id, []).append(c)
    for ref_id, row in table.iterrows():
        status, how = row["status"], row["how or why"]
        if region != CVL and str(ref.loc[ref_id, "geo"]) in seed_geo():
            assert status == "omitted", (region, ref_id, status)
            continue
        if ref_id in comps:
            expected = "reproduced" if all(c.agrees for c in comps[ref_id]) else "differs"
            assert status == expected, (ref_id, status, expected)
        if status != "stated":
            continue
        named = how.removeprefix("shown in ").split("; not recomputed")[0].split("; ")
        forms = [f for f in _number_forms(float(ref.loc[ref_id, "value"]))]
        for title in named:
            page = (site / f"{titles[title]}.html" if title in titles
                    else site / "report" / f"{report_titles[title]}.html")
            text = _text(page).replace("\u00a0", " ").replace("\u202f", " ")
            assert any(re.search(rf"(?<![\d.]){re.escape(f)}(?!\d)", text) for f in forms), \
                (region, ref_id, title)
    if region == CVL:
        assert table.loc["tertiary_employed_share_pct", "status"] == "differs"
        assert table.loc["tertiary_employed_share_rank", "status"] == "differs"
        # Walloon Brabant's 40 stars are not in this edition ("about 40 people" is not them)
        assert table.loc["cluster_stars_walloon_brabant", "status"] == "omitted"
    for shown in ("composite_total_max", "cluster_stars_piemonte"):
        assert table.loc[shown, "status"] == "stated", shown


def test_the_executive_summary_holds_only_what_the_edition_supports(all_editions: Path):
    cvl = _pages(all_editions / "site", CVL)["summary"]
    assert "78 000" in cvl and "16 actions" in cvl and "4 challenges" in cvl
    for region in ("saxony", "wallonia"):
        text = _pages(all_editions / "site", region)["summary"]
        assert "EUR 27 820" not in text and "78 000" not in text and "actions" not in text
        assert "own 2019 briefing, cited in the introduction" in text
    # the citation itself is given once, in the introduction (issue 33: a stock paragraph once)
    wallonia = _pages(all_editions / "site", "wallonia")
    assert "10.2826/504234" not in wallonia["summary"]
    assert "10.2826/504234" in wallonia["about_study"]


def _tables(page: Path) -> list[tuple[str, list[str]]]:
    """Each table of a page as (caption, rows), text only."""
    body = page.read_text("utf-8")
    out = []
    for table in re.findall(r"<table.*?</table>", body, re.S):
        cap = re.search(r"<caption.*?</caption>", table, re.S)
        caption = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cap.group(0))).split()) if cap else ""
        rows = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", r)).replace("\u200b", "").split())
                for r in re.findall(r"<tr.*?</tr>", table, re.S)]
        out.append((caption, rows))
    return out


def test_the_cost_chapter_states_the_briefing_first_and_labels_our_totals(all_editions: Path):
    """Issue 25, item 4: the cost chapter's first table holds the briefing's figures as it
    states them (no total, no period it does not give), and every yearly total of both
    interventions, which the briefing never makes, is labelled as our assumption."""
    page = all_editions / "site" / CVL / "cost_benefit.html"
    # the sensitivity and the break-even are the chapter's page of the technical report
    report = all_editions / "site" / CVL / "report" / "cost_benefit.html"
    results = json.loads((all_editions / "runs" / CVL / "results.json").read_text("utf-8"))
    tables = _tables(page) + _tables(report)
    caption, rows = tables[0]
    first = " ".join(rows)
    for stated in ("about EUR 70 000", "about EUR 8 000", "EUR 70 000 to 90 000",
                   "EUR 30 000 to 40 000", "none stated", "footnote 21",
                   "no significant additional cost"):
        assert stated.replace(" ", "") in first.replace(" ", "").replace("\xa0", ""), stated
    gross = results["total_cost_eur_per_year_text"]
    net = results["inter_clustering_cost_eur_per_year_text"]
    squash = lambda t: t.replace(" ", "").replace("\xa0", "")  # noqa: E731
    assert squash(gross) not in squash(first) and squash(net) not in squash(first)
    assert "adds none of them up" in caption
    # Every table row showing our gross total, or our net additional cost, says it is ours.
    shown = 0
    for caption, rows in tables:
        header = rows[0] if rows else ""
        for row in rows[1:]:
            if squash(gross) in squash(row) or (squash(net) in squash(row)
                                                  and "Net additional" in row):
                shown += 1
                assert "our assumption" in f"{caption} {header} {row}", (caption, row)
    assert shown >= 2
    # The prose calls the total ours, and break-even is held against value added.
    text = _text(page) + " " + _text(report)
    assert "our gross yearly total is EUR" in text
    assert "in additional value added" in text and "additional exports" not in text
