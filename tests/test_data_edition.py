"""An edition built on fetched data (issue 37): its cover says which data it uses, and its
technical report carries, after the data and methods, what differs from the 2019 briefing's
data (the report of ``eocic data diff``); an edition on the committed snapshot is unchanged.

No network: a folder of Eurostat-format files made from the committed snapshot's values stands
in for Eurostat (as in ``test_data_update.py``), with one revision that flips claims and ranks:
Centre-Val de Loire's 2017 GDP half as large again (a test revision, never published).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import eocic_main, run_cli

from eocic_helpers.analysis import vintages
from eocic_helpers.book import changes
from eocic_helpers.core import paths
from eocic_helpers.core.errors import EocicError
from eocic_helpers.core.pipeline import REPORT_DIR, load_pipeline, report_toc, toc
from eocic_helpers.core.regions import load_regions, resolve_region
from eocic_helpers.data import diff, fetch
from eocic_helpers.data import snapshot as snap

sys.path.insert(0, str(Path(__file__).parent))
from test_data_update import write_mirror  # noqa: E402

CVL = "centre-val-de-loire"
#: Builders' words a reader's page never shows (file names, commands, the data's machinery).
BUILDERS = re.compile(r"\.csv|\.json|eocic|--snapshot|snapshot|data/|MANIFEST|_pct|_eur\b", re.I)


def _revised_mirror(folder: Path) -> Path:
    frame = snap.load_snapshot(paths.DEFAULT_SNAPSHOT)
    hit = frame["geo"].eq("FRB0") & frame["indicator"].eq("gdp_mio_eur") & frame["year"].eq(2017)
    assert hit.sum() == 1
    frame.loc[hit, "value"] = frame.loc[hit, "value"] * 1.5
    return write_mirror(folder, frame)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> Path:
    return _revised_mirror(tmp_path_factory.mktemp("mirror"))


@pytest.fixture(scope="module")
def fetched(tmp_path_factory, mirror) -> Path:
    """A snapshot of ``eocic data update`` on the stand-in files, with its report."""
    from eocic_helpers.data import update

    out = tmp_path_factory.mktemp("fetched") / "2026-01-02"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(fetch.FETCH_FROM_ENV, str(mirror))
        update.update(out, downloads=out.with_name("downloads"))
    vintages.write_edition_report(out)
    return out


@pytest.fixture
def on_fetched(fetched, monkeypatch) -> Path:
    """This process reads the fetched snapshot (what ``--snapshot DIR`` sets)."""
    monkeypatch.setattr(paths, "SNAPSHOT", fetched.resolve())
    return fetched


@pytest.mark.unit
def test_the_report_is_kept_beside_the_snapshot_and_refreshed_when_out_of_date(fetched):
    got = diff.read_report(fetched, paths.DEFAULT_SNAPSHOT)
    assert got is not None
    values, flips = got
    rev = values[values["status"].eq("revised") & values["geo"].eq("FRB0")]
    assert set(rev["indicator"]) == {"gdp_mio_eur", "gdp_per_capita_eur"}
    assert rev["change_pct"].round(1).tolist() == [50.0, 50.0]
    rank = flips[flips["region"].eq(CVL) & flips["kind"].eq("rank")].iloc[0]
    assert (rank["old"], rank["new"]) == ("6th", "1st")
    about = diff.report_folder(fetched) / diff.REPORT_ABOUT
    assert json.loads(about.read_text())["new"].startswith("Eurostat, retrieved on ")
    # computed from other data (the committed snapshot changed since): not read, written again
    stamp = json.loads(about.read_text())
    about.write_text(json.dumps({**stamp, "old_manifest": "0" * 64}))
    assert diff.read_report(fetched, paths.DEFAULT_SNAPSHOT) is None
    assert vintages.ensure_edition_report(fetched) is True
    assert vintages.ensure_edition_report(fetched) is False
    assert json.loads(about.read_text()) == stamp


@pytest.mark.unit
def test_an_edition_on_the_committed_snapshot_is_unchanged():
    from eocic_helpers.book.editions import _data_context, data_vintage

    report_pages = load_pipeline().report_pages

    assert paths.on_default_snapshot() and not changes.on_fetched_data()
    for edition in ("region", "all"):
        assert changes.with_page(report_pages(edition)) == report_pages(edition)
    for edition in ("region", "all"):
        assert changes.with_toc_entry(toc(edition)) == toc(edition)
        assert changes.with_toc_entry(report_toc(edition)) == report_toc(edition)
    assert _data_context() == {"vintage": data_vintage(), "data_note": ""}
    assert changes.data_used() is None and changes.cover_note() is None


@pytest.mark.unit
def test_on_fetched_data_the_page_follows_the_data_and_methods(on_fetched):
    from eocic_helpers.book.editions import _data_context

    report_pages = load_pipeline().report_pages

    assert changes.on_fetched_data()
    for edition in ("region", "all"):
        files = [p.file for p in changes.with_page(report_pages(edition))]
        assert files[:2] == ["data_methods", changes.PAGE.file]
        html = changes.with_toc_entry(toc(edition))["parts"][1]["chapters"][0]["sections"]
        assert [s["file"] for s in html[:2]] == [f"{REPORT_DIR}/data_methods",
                                                 f"{REPORT_DIR}/{changes.PAGE.file}"]
        pdf = changes.with_toc_entry(report_toc(edition))["chapters"]
        assert [c["file"] for c in pdf[:2]] == [f"{REPORT_DIR}/data_methods",
                                                f"{REPORT_DIR}/{changes.PAGE.file}"]
    context = _data_context()
    assert re.fullmatch(r"Data: Eurostat, retrieved on \d{4}-\d\d-\d\d", context["vintage"])
    assert "not on the data that reproduce the 2019 briefing" in context["data_note"]


def _words(md: str) -> str:
    """The page's text as a reader sees it (MyST escapes and markup removed)."""
    text = re.sub(r"(?m)^```\{list-table\} ", "", md)  # a table's caption is text
    text = re.sub(r"(?m)^```.*$|^:[a-z-]+:.*$|^\\(begin|end)group.*$", "", text)
    return " ".join(re.sub(r"\\(.)", r"\1", text).replace("* - ", " ").replace("  - ", " ").split())


@pytest.mark.unit
def test_the_page_lists_what_differs_for_the_region_in_readers_words(on_fetched):
    cvl = resolve_region(CVL)
    md = changes.page_md(cvl.name, [cvl])
    text = _words(md)
    assert text.startswith("# What differs from the 2019 briefing's data")
    # the claims and ranks that flip for this region only
    assert "GDP per capita below the EU level holds does not hold (ours: above)" in text
    assert "Rank of the pilots by GDP per inhabitant 6th 1st" in text
    assert "Saxony" not in text
    # the revised values, with old, new and change; the values that appeared or went
    assert ("GDP at current market prices (million euro) Centre-Val de Loire 2017 71 597 "
            "107 396 +35 799 +50.00") in text
    assert "a year after the last one of the 2019 briefing's data" in text
    assert "not in this edition's data" in text
    assert "Per indicator, over every region" in text
    assert not BUILDERS.search(text), BUILDERS.search(text)
    # every value reaches MyST escaped: no markup but the page's own
    assert "{list-table}" in md and "<" not in md


@pytest.mark.unit
def test_the_cross_region_page_names_each_region(on_fetched):
    md = changes.page_md("the ten pilot regions", load_regions())
    text = _words(md)
    assert "Region Statement On the 2019 briefing's data On this edition's data" in text
    assert "Saxony Rank of the pilots by GDP per inhabitant 4th 5th" in text
    assert "the ten pilot regions, their countries and the EU" in text
    assert not BUILDERS.search(text)


@pytest.mark.unit
def test_a_missing_report_stops_the_book_in_one_line(fetched, tmp_path, monkeypatch):
    copy = tmp_path / "copy"
    shutil.copytree(fetched, copy, ignore=shutil.ignore_patterns(diff.REPORT_DIR))
    monkeypatch.setattr(paths, "SNAPSHOT", copy.resolve())
    with pytest.raises(EocicError) as exc:
        changes.report()
    assert "missing or out of date" in str(exc.value) and "\n" not in str(exc.value)


@pytest.mark.study
def test_an_edition_built_on_fetched_data(mirror, tmp_path):
    """`eocic data update`, then `eocic run` (the whole study for one pilot, end to end) and
    `eocic book --no-pdf` on that snapshot: every notebook runs, and the cover, the data annex
    and the page; `eocic book` writes the report again when it is missing."""
    out = tmp_path / "fetched"
    proc = eocic_main("data", "update", "--out", str(out),
                      env={**os.environ, fetch.FETCH_FROM_ENV: str(mirror)})
    assert proc.returncode == 0, proc.stderr
    assert (out / diff.REPORT_DIR / diff.REPORT_VALUES).is_file()
    shutil.rmtree(out / diff.REPORT_DIR)
    build = tmp_path / "build"
    ran = run_cli("run", CVL, "--snapshot", str(out), "--quiet", build=build, check=True)
    assert " 0 failed" in ran.stdout, ran.stdout[-2000:]
    run_cli("book", CVL, "--snapshot", str(out), "--no-pdf", build=build, check=True)
    assert diff.read_report(out, paths.DEFAULT_SNAPSHOT) is not None
    site = build / "site" / CVL

    def words(page: str) -> str:
        html = (site / page).read_text("utf-8")
        main = re.search(r"(?s)<main.*?</main>", html).group(0)
        text = re.sub(r"<[^>]+>", " ", main).replace("’", "'").replace("&#8217;", "'")
        return " ".join(text.split())

    cover = words("intro.html")
    assert re.search(r"Data: Eurostat, retrieved on \d{4}-\d\d-\d\d; every source", cover)
    assert "not on the data that reproduce the 2019 briefing" in cover
    assert "not the 2019 briefing's reproduction data" in words("report/data_methods.html")
    page = words("report/data_changes.html")
    assert "What differs from the 2019 briefing's data" in page
    assert "Rank of the pilots by GDP per inhabitant 6th 1st" in page
    assert "71 597 107 396 +35 799 +50.00" in page
    assert not BUILDERS.search(page.split("previous", 1)[0]), BUILDERS.search(page)
    # placed right after the data and methods, in the sidebar and the report's print contents
    index = (site / "report" / "index.html").read_text("utf-8")
    nav = re.search(r'(?s)<nav class="[^"]*bd-docs-nav.*?</nav>', index).group(0)
    hrefs = re.findall(r'href="([a-z_]+)\.html"', nav)
    assert hrefs.index("data_changes") == hrefs.index("data_methods") + 1
    pdf_toc = (build / "books" / CVL / "_toc_report_pdf.yml").read_text()
    assert pdf_toc.index("report/data_methods") < pdf_toc.index("report/data_changes")
    # every row in the edition's data package
    with zipfile.ZipFile(build / "site" / "data" / f"{CVL}-data.zip") as z:
        values = pd.read_csv(z.open(f"{CVL}-data/tables/{changes.VALUES_CSV}"))
        readme = z.read(f"{CVL}-data/README.md").decode()
    assert {"FRB0", "FR", "EU28"} >= set(values["geo"]) and "revised" in set(values["status"])
    assert changes.VALUES_CSV in readme
