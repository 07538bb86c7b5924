"""The briefing's prose as data (eocic_helpers.analysis.content, content_schema, content_render,
scaffold) and the reproduction page."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from docutils.core import publish_string
from myst_parser.docutils_ import Parser
from pydantic import BaseModel

from eocic_helpers.analysis import action_plan as ap
from eocic_helpers.analysis import content as ct
from eocic_helpers.analysis import content_render as cr
from eocic_helpers.analysis import content_schema as cs
from eocic_helpers.analysis import reproduction as rp
from eocic_helpers.analysis import synthesis as sy
from eocic_helpers.analysis.scaffold import scaffold
from eocic_helpers.core import paths
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.core.regions import resolve_region

CVL = "centre-val-de-loire"


@pytest.fixture(scope="module")
def parts():
    return {p: ct.load_part(CVL, p) for p in cs.PARTS}


def _html(myst: str) -> str:
    """Render MyST as Sphinx would (docutils with myst-parser) and return the body."""
    out = publish_string(myst, parser=Parser(), writer_name="html5",
                         settings_overrides={"myst_enable_extensions": ["dollarmath"],
                                             "report_level": 5}).decode()
    return out[out.find("<main"):]


def _plain(html_text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html_text).split())


# -- the content of Centre-Val de Loire ----------------------------------------------------

def test_front_matter_and_method(parts):
    study = parts["study"]
    text = _plain(_html(cr.study_md(study)))
    for date in ("29 September 2017", "14 December 2017", "20 June 2018", "20 December 2018"):
        assert date in text
    assert "About 40 people were reached" in text  # 40 comes from the reference values
    assert {s.id for s in study.method} >= {"desk_research", "interviews", "study_visit",
                                           "policy_review", "people_reached"}


def test_chapter_2_framing_cites_footnote_3(parts):
    text = _plain(_html(cr.framing_md(parts["framing"])))
    assert "11 active cluster organisations" in text
    assert "gives 13" in text and "briefing footnote 3" in text
    assert "pôles de compétitivité" in text and "flat specialisation" in text
    assert "Component suppliers" in text


def test_chapter_3_in_full(parts):
    skeleton = ct.load_part(CVL, "synthesis")
    html_text = _html(cr.strategy_md(parts["strategy"], skeleton))
    text = _plain(html_text)
    for o in skeleton.specific_objectives:  # each objective with what it means
        assert re.search(re.escape(o.name) + r" : \S", text), o.name
    for i in [*skeleton.interventions, *skeleton.high_impact_actions]:
        assert i.name in text
    assert len(re.findall(r"<li>", html_text)) == 2 + 3 + 2 + 3 + 4
    assert "Orléans on 20 December 2018" in text


def test_chapter_4_each_intervention_in_the_briefings_structure(parts):
    recs = {r.id: r for r in parts["recommendations"].interventions}
    assert list(recs) == ["inter_clustering", "coaching"]
    ic, co = recs["inter_clustering"], recs["coaching"]
    assert [r.name for r in ic.risks] == ["Mobilising stakeholders", "Funding",
                                          "Reorganisation of the pôles de compétitivité",
                                          "Openness"]
    assert [r.name for r in co.risks] == ["Selection bias", "Content of the coaching", "Funding"]
    assert ic.boxes[0].title.startswith("Box 1") and "Hamburg" in ic.boxes[0].items[0].text
    text = _plain(_html(cr.recommendation_md(ic)))
    for heading in ("Description", "Benefits and costs", "Risks, obstacles and challenges"):
        assert heading in text
    assert "some EUR 70 000 a year" in text and "about EUR 78 000 a year" in text
    assert "every 3 months" in text and "about 6 months" in text
    assert "The briefing names no mitigation." in text  # risk 3 of 4.1.3 has none
    co_text = _plain(_html(cr.recommendation_md(co)))
    assert "EUR 70 000 to 90 000" in co_text and "EUR 30 000 to 40 000" in co_text
    assert "Digital Innovation Hub" in co_text


@pytest.mark.parametrize(("source", "shown"), [
    ("section 4.1.1", "briefing §4.1.1"),
    ("section 2, Table 1, footnote 4", "briefing §2, Table 1, footnote 4"),
    ("sections 3 and 4.1", "briefing §§3 and 4.1"),
    ("section 3; section 4.2.1", "briefing §3; §4.2.1"),
    ("Box 1, footnote 10", "briefing Box 1, footnote 10"),
    ("Selection as one of 10 regions", "briefing, Selection as one of 10 regions"),
    ("European Commission Better Regulation Toolbox (2021)",
     "European Commission Better Regulation Toolbox (2021)"),
])
def test_sources_cite_the_briefing_in_its_own_numbering(source: str, shown: str):
    assert cr.briefing_ref(source) == shown


def test_rendered_citations_never_show_bare_section_numbers(parts):
    """The edition numbers its own chapters: "(section 4.1.1)" would clash with them."""
    skeleton = ct.load_part(CVL, "synthesis")
    pages = [cr.strategy_md(parts["strategy"], skeleton),
             *(cr.recommendation_md(r) for r in parts["recommendations"].interventions)]
    text = " ".join(_plain(_html(p)) for p in pages)
    assert "(briefing §3)" in text and "(briefing §4.1.1)" in text
    assert "(briefing §4.1.1, Box 1)" in text
    # The SWOT grid and the challenges table are list-tables: read their MyST source.
    tables = re.sub(r"\\(.)", r"\1", sy.swot_grid(skeleton)[1] + sy.challenges_myst(skeleton))
    assert "(briefing §2, Table 1)" in tables and "briefing §2\n" in tables
    assert not re.search(r"\(sections? \d|, sections? \d", text + tables)


def test_eu_initiatives(parts):
    text = _plain(_html(cr.eu_initiatives_md(parts["eu_initiatives"])))
    for name in ("ESCP-4i", "ESCP-S3", "European Cluster Excellence Programme", "INNOSUP-1"):
        assert name in text
    assert "early in 2019" in text


def test_content_footnotes_are_where_they_belong(parts):
    held = rp.footnotes_held({**parts, "synthesis": ct.load_part(CVL, "synthesis")})
    assert {3, 4, 5, 6, 7, 9, 13, 14, 15, 20, 21} <= set(held)
    assert held[3] == "framing" and held[4] == held[5] == "synthesis"
    assert held[6] == "strategy" and held[20] == "recommendations"
    _, myst = sy.swot_grid(ct.load_part(CVL, "synthesis"))
    text = _plain(_html(myst))
    assert "0.39 for knowledge linkages" in text and "0.546 on average" in text


def test_numbers_in_content_come_from_the_reference_values(parts):
    used = {m.group(1) for model in parts.values() for _, text in cs.walk(model)
            if isinstance(text, str)
            for m in cs.PLACEHOLDER.finditer(text) if m.group(1)}
    assert {"study_people_reached", "cluster_organisations_active",
            "inter_clustering_cost_eur_per_year", "coaching_audit_eur_low"} <= used
    with pytest.raises(ValueError, match="the number '40' is typed into the text"):
        cs.Statement(id="x", text="Some 40 people.", source="section 1.1")
    for name in ("The S3 and ESCP-4i", "INNOSUP-1 and Hamburg@work"):
        cs.Statement(id="x", text=name, source="section 5")


# -- errors name file, line and field ------------------------------------------------------

def _copy(tmp_path: Path, part: str, old: str, new: str) -> Path:
    f = tmp_path / cs.PARTS[part][0]
    text = ct.content_file(CVL, part).read_text()
    assert old in text
    f.write_text(text.replace(old, new, 1))
    return f


def test_typed_number_names_file_line_and_field(tmp_path: Path):
    f = _copy(tmp_path, "study", "About {ref:study_people_reached} people", "About 40 people")
    with pytest.raises(ConfigError, match=r"study\.yaml:\d+: field 'method\.4\.text': .*'40'"):
        ct.load_part(CVL, "study", f)


def test_unknown_reference_names_file_line_and_field(tmp_path: Path):
    f = _copy(tmp_path, "framing", "{ref:cluster_organisations_active}", "{ref:made_up}")
    with pytest.raises(ConfigError, match=r"framing\.yaml:\d+: field "
                       r"'statements\.1\.footnote\.text': unknown reference value 'made_up'"):
        ct.load_part(CVL, "framing", f)


def test_schema_errors(tmp_path: Path):
    f = _copy(tmp_path, "recommendations", "        name: \"Openness\"\n", "")
    with pytest.raises(ConfigError, match=r"recommendations\.yaml:\d+: field "
                       r"'interventions\.0\.risks\.3\.name': Field required"):
        ct.load_part(CVL, "recommendations", f)
    f = _copy(tmp_path, "strategy", "  - of: so2\n", "  - of: so9\n")
    with pytest.raises(ConfigError, match=r"strategy\.yaml:\d+: field 'objectives\.1\.of': "
                       "'so9' is not among"):
        ct.load_part(CVL, "strategy", f)
    f = _copy(tmp_path, "eu_initiatives", "region: centre-val-de-loire", "region: saxony")
    with pytest.raises(ConfigError, match=r"eu_initiatives\.yaml:\d+: field 'region'"):
        ct.load_part(CVL, "eu_initiatives", f)
    f = _copy(tmp_path, "study", "    text: \"Extensive desk research.\"",
              "    text: \"The study on {date}.\"")
    with pytest.raises(ConfigError, match=r"field 'method\.0'.*no date"):
        ct.load_part(CVL, "study", f)


def test_malformed_yaml(tmp_path: Path):
    f = _copy(tmp_path, "framing", "statements:\n", "statements: [\n")
    with pytest.raises(ConfigError, match=r"framing\.yaml:\d+: malformed YAML"):
        ct.load_part(CVL, "framing", f)


# -- content is text, never markup ----------------------------------------------------------

def test_hostile_content_renders_literally():
    fn = cs.Footnote(number=3, text="note <b>bold</b> [x](javascript:alert)")
    s = cs.Statement(id="x", text="<script>alert(one)</script> {role}`x` **b** $x$ ```{note}",
                     source="section <i>", footnote=fn)
    rec = cs.Recommendation(
        id="iv", title="<img src=x onerror=alert()>", section="4.1",
        description=[cs.Group(heading="## not a heading", items=[s])],
        boxes=[cs.Box(id="b", title="```{raw} html", source="Box", items=[s])],
        benefits=[s], costs=[s],
        risks=[cs.Risk(id="r", name="**name**", text="<u>t</u>", mitigation="`m`",
                       source="x y z")])
    body = _html(cr.recommendation_md(rec))
    assert "<script>" not in body and "&lt;script&gt;alert(one)&lt;/script&gt;" in body
    assert "<img" not in body and "&lt;img src=x onerror=alert()&gt;" in body
    assert "<b>bold</b>" not in body and "**b**" in body and "$x$" in body
    assert "javascript" in body and 'href="javascript' not in body
    assert "<strong>name</strong>" not in body


# -- other regions ---------------------------------------------------------------------------

def test_other_regions_say_what_they_lack_in_one_sentence():
    assert ct.load_part("saxony", "strategy") is None
    sentence = cr.missing_sentence("Saxony", "saxony", "strategy", cite=True)
    text = _plain(_html(sentence))
    # it cites the region's own 2019 briefing, says what is not shown, and names no file
    assert "own policy briefing" in text and "2019 EOCIC policy briefing for Saxony" in text
    assert "the proposed regional strategy" in text and "cross-region edition" in text
    assert "data/regions" not in text and ".yaml" not in text
    assert text.endswith(".") and "eocic " not in text and "--" not in text
    # any other chapter points back to that citation in one sentence
    short = _plain(_html(cr.missing_sentence("Saxony", "saxony", "strategy")))
    assert short.startswith("Saxony's own 2019 briefing, cited in the introduction, sets out")
    assert "the proposed regional strategy" in short and short.count(".") == 1
    wallonia = _plain(_html(cr.missing_sentence("Wallonia", "wallonia", "recommendations",
                                                cite=True)))
    assert "10.2826/504234" in wallonia and "Service on demand" in wallonia


def test_a_plan_is_only_ever_the_regions_own():
    assert ap.load_action_plan("saxony") is None
    assert ap.load_action_plan(CVL).region == CVL
    own = ap.captions("Centre-Val de Loire")
    assert own["table"].startswith("Action plan for Centre-Val de Loire")
    assert not any("template" in text for text in own.values())


def test_scaffold_writes_every_part_valid_and_commented(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(paths, "REGION_DATA", tmp_path)
    region = resolve_region("saxony")
    written = scaffold(region)
    assert [p.name for p in written] == [f for f, _, _ in cs.PARTS.values()]
    assert written[0].name == "synthesis.yaml"
    for part in cs.PARTS:
        assert ct.load_part("saxony", part) is not None
        assert ct.content_file("saxony", part).read_text().startswith("# ")
    with pytest.raises(ConfigError, match="every content file"):
        scaffold(region)
    ct.content_file("saxony", "framing").unlink()
    assert [p.name for p in scaffold(region)] == ["framing.yaml"]


# -- the reproduction page -------------------------------------------------------------------

def test_reproduction_claims_nothing_that_is_not_there(tmp_path: Path):
    cvl = resolve_region(CVL)
    empty = tmp_path / "run"
    empty.mkdir()
    elements = rp.element_rows(cvl, empty)
    assert set(elements["status"]) == {"omitted"}
    numbers = rp.number_rows(cvl, empty)
    assert set(numbers["status"]) == {"omitted"}


def test_reproduction_follows_the_content(monkeypatch, tmp_path: Path):
    cvl = resolve_region(CVL)
    run = tmp_path / "run"
    run.mkdir()
    for nb in rp.chapter_titles():
        (run / f"{nb}.ipynb").write_text("{}")
    rows = rp.element_rows(cvl, run).set_index("element")
    assert rows.loc["4.1.3 Inter-clustering: risks, obstacles and challenges", "status"] == "reproduced"
    assert "4 items" in rows.loc["4.1.3 Inter-clustering: risks, obstacles and challenges",
                                 "how or why"]
    assert rows.loc["Box 1: Inter-clustering activities, the example of Hamburg", "status"] == (
        "reproduced")
    # Footnote 1 is now kept with its source address; footnote 22 (the publisher's closing
    # pages) is still left out.
    assert rows.loc["Footnote 1: details of the selection procedure", "status"] == "reproduced"
    assert rows.loc["Footnote 22: European Cluster Collaboration Platform", "status"] == "omitted"
    assert rows.loc["Figure 6: Overview of the regional industrial modernisation strategy",
                    "status"] == "omitted"  # no figure file in this run
    # Without the recommendations file, chapter 4 is omitted, naming the file.
    data = tmp_path / "regions"
    shutil.copytree(paths.REGION_DATA, data)
    (data / CVL / "recommendations.yaml").unlink()
    monkeypatch.setattr(paths, "REGION_DATA", data)
    rows = rp.element_rows(cvl, run).set_index("element")
    row = rows.loc["4.2.3 Coaching: risks, obstacles and challenges"]
    assert row["status"] == "omitted" and "recommended interventions" in row["how or why"]
    assert rows.loc["Footnote 20: coaching cost estimate", "status"] == "omitted"
    numbers = rp.number_rows(cvl, run).set_index("id")
    assert numbers.loc["voucher_min_smes", "status"] == "omitted"
    # "stated" only when a page shows the number, from structure: the chapter of the content
    # part that holds it ran (no chapter's text is searched for digits)
    assert numbers.loc["study_people_reached", "status"] == "stated"
    assert "Introduction" in numbers.loc["study_people_reached", "how or why"]
    (run / "about_study.ipynb").unlink()
    numbers = rp.number_rows(cvl, run).set_index("id")
    assert numbers.loc["study_people_reached", "status"] == "omitted"
    # a key a page renders: the page that glues it (not one that merely holds the digits)
    (run / "industrial_change.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "About 69 stars and 0.751."}]}))
    (run / "results.json").write_text(json.dumps({"fig4_stars_reading": "Piemonte has 69."}))
    numbers = rp.number_rows(cvl, run).set_index("id")
    assert numbers.loc["cluster_stars_piemonte", "status"] == "omitted"
    (run / "industrial_change.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "{glue:text}`fig4_stars_reading`"}]}))
    numbers = rp.number_rows(cvl, run).set_index("id")
    assert numbers.loc["cluster_stars_piemonte", "status"] == "stated"
    assert numbers.loc["composite_total_max", "status"] == "omitted"


def test_reproduction_page_for_another_region_is_not_cvls(tmp_path: Path):
    saxony = resolve_region("saxony")
    run = tmp_path / "run"
    run.mkdir()
    for nb in rp.chapter_titles():
        (run / f"{nb}.ipynb").write_text("{}")
    numbers = rp.number_rows(saxony, run)
    assert set(numbers["status"]) == {"omitted"}
    rows = rp.element_rows(saxony, run).set_index("element")
    assert rows.loc["Table 2: Action plan", "status"] == "omitted"
    assert "does not restate" in rows.loc["Table 2: Action plan", "how or why"]


# -- the built editions (slow: the session's shared build of every edition) -----------------

def _norm(text: str) -> str:
    """Text compared across HTML and PDF: NFKC, plain quotes, no whitespace or hyphens."""
    import html as html_lib
    import unicodedata

    text = unicodedata.normalize("NFKC", html_lib.unescape(text))
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("\u00ad", "")):
        text = text.replace(a, b)
    return re.sub(r"[\s\-‐–]", "", text).lower()


def _article(page: Path) -> str:
    m = re.search(r'<article class="bd-article">(.*?)</article>', page.read_text(), re.S)
    assert m, page
    return " ".join(re.sub(r"<[^>]+>", " ", m.group(1)).split())


def _pdf_text(pdf: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _texts(node) -> list[str]:
    """Every statement, name and heading a content node shows, as rendered (placeholders
    filled)."""
    from pydantic import BaseModel

    out: list[str] = []
    if isinstance(node, list):
        for item in node:
            out += _texts(item)
    elif isinstance(node, BaseModel):
        fields = type(node).model_fields
        date = getattr(node, "date", None)
        for key in ("text", "mitigation", "heading", "title"):
            if key in fields and getattr(node, key):
                out.append(cr.fill(getattr(node, key), date))
        if "name" in fields and not isinstance(node, cs.Initiative):
            out.append(node.name)
        for key in fields:
            value = getattr(node, key)
            if isinstance(value, BaseModel | list):
                out += _texts(value)
    return out


def _tokens(text: str) -> list[str]:
    """Words of a text, normalised like :func:`_norm`; a word broken at a line end keeps its
    trailing hyphen."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("\u00ad", "-"), ("‐", "-")):
        text = text.replace(a, b)
    out = []
    for raw in text.split():
        broken = raw.endswith("-") and len(raw) > 1
        word = re.sub(r"[^\w'&@%]", "", raw).lower()
        if word:
            out.append(word + ("-" if broken else ""))
    return out


class PdfText:
    """The words of a PDF, searchable for a text whose words may be interleaved with the
    other cells of a table row and hyphenated at line ends (as pdftotext reads tables)."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.flat = _norm(text)  # for checks that something is absent: no gaps allowed

    def __contains__(self, text: str) -> bool:
        words = [w.rstrip("-") for w in _tokens(text)]
        if not words:
            return True
        first = words[0]
        for s, tok in enumerate(self.tokens):
            if tok.rstrip("-") and first.startswith(tok.rstrip("-")) and self._match(words, s):
                return True
        return False

    def _match(self, words: list[str], start: int, gap: int = 14) -> bool:
        k, c, skipped, i = 0, 0, 0, start
        while i < len(self.tokens) and skipped <= gap:
            tok = self.tokens[i]
            piece, broken = tok.rstrip("-"), tok.endswith("-")
            rest = words[k][c:]
            if piece == rest or (piece.startswith(rest) and piece[len(rest):].isdigit()):
                # (a footnote mark sticks to the word before it in the PDF text)
                k, c, skipped = k + 1, 0, 0
                if k == len(words):
                    return True
            elif broken and piece and rest.startswith(piece):
                c, skipped = c + len(piece), 0
            elif i == start:
                return False
            else:
                skipped += 1
            i += 1
        return False


@pytest.fixture(scope="module")
def editions(all_editions: Path) -> Path:
    """Every pilot run and every edition built (shared with the other edition tests)."""
    return all_editions


def _pdf_or_skip(editions: Path, region: str) -> PdfText:
    pdf = editions / "pdf" / f"{region}.pdf"
    if not pdf.exists() or not shutil.which("pdftotext"):
        pytest.skip("xelatex or pdftotext missing: the PDF is not checked")
    return PdfText(_pdf_text(pdf))


@pytest.mark.pdf
@pytest.mark.study
def test_cvl_edition_shows_every_element_the_reproduction_page_claims(editions: Path):
    site = editions / "site" / CVL
    pdf = _pdf_or_skip(editions, CVL)
    run = editions / "runs" / CVL
    elements = rp.element_rows(resolve_region(CVL), run)
    catalogue = {e.label: e for e in rp.load_catalogue().elements}
    parts = rp.region_content(CVL)
    # Nothing the briefing has is left out except what the catalogue says is publisher's matter
    # or a bare link.
    for row in elements.itertuples():
        e = catalogue[row.element]
        assert (row.status == "omitted") == bool(e.omitted), row
    # The list of elements is a page of the technical report (issue 33), in its HTML and PDF.
    page = _norm(_article(site / "report" / "reproduction.html"))
    report_pdf = _pdf_or_skip(editions, f"{CVL}-report")
    checked = 0
    for row in elements.itertuples():
        e = catalogue[row.element]
        assert _norm(row.element) in page and row.element in report_pdf, row.element
        if row.status == "omitted" or not e.chapter:
            continue
        html_text = _norm(_article(site / f"{e.chapter}.html"))
        if e.content:
            texts = _texts(rp.resolve(parts, e.content))
            assert texts, e.content
            for text in texts:
                assert _norm(text) in html_text, (e.id, text)
                assert text in pdf, (e.id, text)
                checked += 1
        if e.figure:
            assert f"{e.figure}.svg" in (site / f"{e.chapter}.html").read_text()
    assert checked > 150
    # Footnotes render as footnotes: in HTML as footnote references, in the PDF their text.
    for chapter, least in (("about_study", 1), ("synthesis", 3), ("strategy", 1),
                           ("interventions", 11)):
        assert (site / f"{chapter}.html").read_text().count('role="doc-noteref"') >= least
    # The claim of a transcription is gone from "About this edition"; the page replaces it.
    intro = _article(site / "intro.html")
    assert "transcribed" not in intro and "What this edition reproduces" in intro


@pytest.mark.pdf
@pytest.mark.study
def test_cvl_edition_has_the_issues_markers_and_the_16_owners(editions: Path):
    site = editions / "site" / CVL
    pdf = _pdf_or_skip(editions, CVL)
    pages = {p.stem: _norm(_article(p)) for p in site.glob("*.html")
             if p.stem not in ("genindex", "search", "index")}
    everything = " ".join(pages.values())
    markers = ["29 September 2017", "14 December 2017", "20 June 2018", "20 December 2018",
               "About 40 people", "pôles de compétitivité", "13", "flat specialisation",
               "Problem drivers", "High-impact actions of the AMI expert", "Orléans",
               "Mobilising stakeholders", "Reorganisation of the pôles de compétitivité",
               "Openness", "Box 1", "Hamburg", "cluster bridges", "Selection bias",
               "Content of the coaching", "ESCP-4i", "ESCP-S3",
               "European Cluster Excellence Programme", "INNOSUP-1"]
    for marker in markers:
        assert _norm(marker) in everything, marker
        assert marker in pdf, marker
    plan = ap.load_action_plan(CVL)
    assert len(plan.actions) == 16
    table = re.search(r'<table[^>]*id="tab-action-plan-briefing".*?</table>',
                      (site / "action_plan.html").read_text(), re.S)
    assert table is not None
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), re.S)[1:]
    assert len(rows) == 16
    for action, row in zip(plan.actions, rows, strict=True):
        cells = [_norm(re.sub(r"<[^>]+>", " ", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                        row, re.S)]
        assert cells[-1] == _norm(action.owners)
        assert action.owners in pdf and action.action in pdf


CVL_ONLY = ["Hamburg", "Orléans", "INNOSUP", "ESCP", "Selection bias", "Dev'Up",
            "regional council", "78 000", "29 September 2017", "pôles de compétitivité"]


@pytest.mark.pdf
@pytest.mark.study
@pytest.mark.parametrize("region", ["saxony", "lithuania"])
def test_other_editions_present_no_cvl_content_as_theirs(editions: Path, region: str):
    site = editions / "site" / region
    name = resolve_region(region).name
    cvl_texts = [_norm(t) for part in rp.region_content(CVL).values() for t in _texts(part)
                 if len(t) > 40]
    for chapter in ("about_study", "strategy", "interventions", "synthesis", "action_plan"):
        text = _article(site / f"{chapter}.html")
        norm = _norm(text)
        # the introduction cites the region's own 2019 briefing, once per edition; the other
        # chapters point back to it; none names a file
        cited = norm.count(_norm(f"{name} has its own policy briefing"))
        assert cited == (1 if chapter == "about_study" else 0), chapter
        if chapter != "about_study":
            assert _norm(f"{name}'s own 2019 briefing, cited in the introduction") in norm, chapter
        assert _norm("data/regions") not in norm, chapter
        assert "eocic " not in text, chapter  # no command line
        for t in cvl_texts:
            assert t not in norm, (chapter, t)
        for s in CVL_ONLY:
            assert _norm(s) not in norm, (chapter, s)
    plan_page = _article(site / "action_plan.html")
    # no plan of Centre-Val de Loire under this region's name, not even as a template
    assert f"Action plan for {name}" not in plan_page and "template" not in plan_page
    for s in ("Dev’Up", "Dev'Up", "Hamburg", "Orléans", "INNOSUP", "78 000"):
        assert s not in plan_page, s
    reproduction = _article(site / "report" / "reproduction.html")
    assert "a number of the Centre-Val de Loire briefing" in reproduction
    # none of the seed region's numbers (about it or France) is reproduced, differs or is
    # shown here: they are not this region's; EU-level and cross-region numbers may be
    assert "numbers held in the reference values:" in reproduction
    import pandas as pd

    numbers = pd.read_csv(editions / "runs" / region / "tables" / "reproduction_numbers.csv",
                          keep_default_na=False).set_index("id")
    geo = rp.load_reference()["geo"].astype(str)
    for ref_id, row in numbers.iterrows():
        if geo[ref_id] in rp.seed_geo():
            assert row["status"] == "omitted", (ref_id, row["status"])
    assert not re.search(r"elements: \d+ reproduced, \d+ reconstructed, \d+ stated", reproduction)
    pdf = _pdf_or_skip(editions, region)
    assert "shown as a template" not in pdf
    # The whole briefing: the reproduction page (which lists what this edition omits) is in
    # the technical report.
    raw = _pdf_text(editions / "pdf" / f"{region}.pdf")
    assert "WHAT THIS EDITION REPRODUCES" not in raw
    # (the bibliography, last, lists every work the project cites, whatever the edition)
    chapters = _norm(raw[:raw.rindex("REFERENCES")])
    assert _norm(f"Action plan for {name}") not in chapters
    for s in ("Hamburg", "Orléans", "INNOSUP", "Selection bias", "ESCP"):
        assert _norm(s) not in chapters, s


@pytest.mark.cli
def test_bad_content_file_fails_before_any_kernel(tmp_path: Path):
    import os

    from conftest import ROOT, eocic_main

    root = tmp_path / "root"
    for part in ("data", "notebooks", "book"):
        shutil.copytree(ROOT / part, root / part)
    (root / "requirements.lock").write_text("")
    f = root / "data" / "regions" / CVL / "recommendations.yaml"
    f.write_text(f.read_text().replace("about EUR {ref:inter_clustering_cost_eur_per_year}",
                                       "about EUR 78 000", 1))
    env = dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(tmp_path / "build"))
    proc = eocic_main("run", CVL, "-n", "interventions", env=env)
    assert proc.returncode == 2, proc.stderr
    assert re.search(r"recommendations\.yaml:\d+: field 'interventions\.0\.costs\.3\.text'.*"
                     r"the number '78' is typed", proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "build").exists()


def test_each_content_part_is_shown_by_the_first_chapter_that_reads_its_file():
    """The chapter a part appears in comes from notebooks/pipeline.yaml's reads."""
    assert {p: rp.part_chapter(p) for p in (*cs.PARTS, "synthesis")} == {
        "study": "about_study", "framing": "synthesis", "strategy": "strategy",
        "recommendations": "interventions", "eu_initiatives": "action_plan",
        "synthesis": "synthesis"}
    assert rp.part_chapter("swot") is None


def test_catalogue_addresses_resolve_for_centre_val_de_loire():
    parts = rp.region_content(CVL)
    catalogue = rp.load_catalogue().elements
    assert len({e.id for e in catalogue}) == len(catalogue)
    for e in catalogue:
        assert e.omitted or e.footnote or e.chapter in rp.chapter_titles(), e.id
        if e.content:
            assert rp._count(rp.resolve(parts, e.content)) > 0, e.content
    assert {e.footnote for e in catalogue if e.footnote} == set(range(1, 24))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://x.org/a b", "https://x.org/<b>",
                                 "ftp://x.org/", "https://x.org/é"])
def test_a_footnote_url_is_a_plain_web_address(url: str):
    with pytest.raises(ValueError, match="url"):
        cs.Footnote(number=1, text="See the source.", url=url)


def test_footnotes_keep_the_briefings_source_addresses(parts):
    page = cr.Page()
    fn = cs.Footnote(number=10, text="The Box's source.", url="https://www.hamburg.de/a_b.pdf")
    html_text = _html("Text" + page.note(fn, "box") + "\n" + page.text())
    assert '<a class="reference external" href="https://www.hamburg.de/a_b.pdf">' in html_text
    kept: dict[int, str] = {}

    def walk(obj):
        if isinstance(obj, cs.Footnote) and obj.url:
            kept[obj.number] = obj.url
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name))
        elif isinstance(obj, list):
            for item in obj:
                walk(item)

    for model in parts.values():
        walk(model)
    assert {1, 8, 10, 11, 14, 16, 18, 19} <= set(kept)
    assert kept[19] == "https://www.connectup-centrevaldeloire.fr/"


def test_study_and_recommendations_values_are_the_declared_keys(parts):
    from eocic_helpers.core.results import load_catalogue

    catalogue = load_catalogue()
    cvl = resolve_region(CVL)
    study = ct.study_values(cvl, parts["study"])
    recs = ct.recommendations_values(cvl, parts["recommendations"])
    assert study == {"region_name": cvl.name, "has_study": True}
    assert [k for k in recs if catalogue.lookup("interventions", k) is None] == []
    assert recs["n_recommended_interventions"] == len(parts["recommendations"].interventions)
    assert {k for k in recs if k.startswith("n_risks_")} == {
        f"n_risks_{r.id}" for r in parts["recommendations"].interventions}
    assert ct.recommendations_values(cvl, None) == {"region_name": cvl.name,
                                                     "has_recommendations": False}
