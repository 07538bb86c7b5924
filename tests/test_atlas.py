"""The atlas: a data-driven page for any EU NUTS 2 region, the map of every region and the
offline search (issue: the diagnostic for every EU region)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import ATLAS_SAMPLE, copy_build, run_cli
from shapely.geometry import MultiPolygon, Polygon

from eocic_helpers.analysis import atlas
from eocic_helpers.analysis import maps as mp
from eocic_helpers.book import way_in as book_atlas
from eocic_helpers.core.regions import Region, Unit, load_regions, resolve_region
from eocic_helpers.data.snapshot import load_snapshot


@pytest.fixture(scope="module")
def s() -> pd.DataFrame:
    return load_snapshot()


def _region(name: str, code: str = "ZZ11", country: str = "ZZ") -> Region:
    return Region(id=code.lower(), name=name, country=country, country_name="Zedland",
                  nuts2016=[code], nuts2013=[code], units=[Unit(id=code, name=name,
                                                                nuts2016=[code])])


def test_svg_paths_are_kilometres_from_the_top_left_of_the_eu_extent():
    x0, _, _, y1 = mp.EU_EXTENT
    square = Polygon([(x0, y1), (x0 + 10_000, y1), (x0 + 10_000, y1 - 10_000), (x0, y1)])
    assert mp.svg_path(square) == "M0 0L10 0L10 10L0 0Z"
    tiny = Polygon([(x0, y1), (x0 + 10, y1), (x0 + 10, y1 - 10)])  # below 1 km: dropped
    assert mp.svg_path(MultiPolygon([square, tiny])) == "M0 0L10 0L10 10L0 0Z"


def test_the_locator_map_fills_the_region_and_escapes_its_name():
    paths = pd.DataFrame({"geo": ["ZZ", "ZZ11", "ZZ12"], "level": [0, 2, 2],
                          "country": ["ZZ"] * 3, "eu28": [True] * 3,
                          "name": ["Zedland", "A", "B"], "d": ["M0 0L1 1Z", "M2 2L3 3Z", "M4 4Z"]})
    svg = mp.locator_svg(paths, _region('<b>"Hostile" & co</b>'))
    assert '<path fill="#D55E00" d="M2 2L3 3Z"/>' in svg.replace("#d55e00", "#D55E00")
    assert "M4 4Z" not in svg  # other regions are not drawn one by one
    assert "<b>" not in svg and "&lt;b&gt;" in svg and 'role="img"' in svg


def test_a_regions_indicator_table_gives_every_value_a_year_and_a_source(s):
    table = atlas.indicator_table(s, load_regions(), resolve_region("at33"))
    assert list(table.columns) == ["indicator", "region", "year", "country", "EU28", "source"]
    assert table["source"].str.match(r"^Eurostat [a-z0-9_]+").all()
    assert table["year"].notna().all()
    gdp = table.set_index("indicator").loc["GDP per capita (EUR)"]
    assert gdp["region"] == "44 836" and gdp["country"] == "42 090"
    rate = table.set_index("indicator").loc["Employment rate, aged 15-64 (%)"]
    assert rate["region"] == "74.80"  # a region outside the pilots has its own rate
    assert rate["EU28"] == atlas.MISSING  # tgs00007 holds regions only: said, not blank
    whole = atlas.indicator_table(s, load_regions(), resolve_region("cy00"))
    assert (whole["country"] == "the region is the country").all()


def test_the_composite_sentence_says_when_there_is_no_composite():
    none = {"composite_total": None, "composite_rank_all": None}
    assert "no composite" in atlas.composite_sentence(none)
    some = {"composite_total": 0.5234, "composite_rank_all": 73, "n_all_regions": 281,
            "composite_rank_all_p05": 39, "composite_rank_all_p95": 92, "mc_replications": 10000}
    text = atlas.composite_sentence(some)
    assert "0.52" in text and "73 of 281" in text and "39 and 92" in text and "10 000" in text


def test_the_search_index_finds_names_in_their_own_language_without_accents():
    cyprus = _region("Κύπρος", "CY00", "CY")
    zurich = _region("Zürich", "CH04", "CH")
    entries = book_atlas.search_entries([cyprus, zurich, _region("Not built", "ZZ99")],
                                        {"cy00": "atlas/cy00/index.html",
                                         "ch04": "atlas/ch04/index.html"})
    assert [e["id"] for e in entries] == ["cy00", "ch04"]  # only regions with a page
    assert "κυπρος" in entries[0]["text"] and "cy00" in entries[0]["text"]
    assert "zurich" in entries[1]["text"]
    js = book_atlas.search_index_js([{"id": "x", "name": "</script><script>alert(1)",
                                      "href": "x", "text": ""}])
    assert js.startswith("window.EOCIC_REGIONS = ") and "</script>" not in js


@pytest.mark.study
def test_an_atlas_of_a_sample_builds_with_working_links_and_search(study_build: Path,
                                                                     tmp_path: Path):
    # the shared build's atlas pages (ATLAS_SAMPLE, run on its EU-wide step), on a copy
    build = copy_build(study_build, tmp_path / "build")
    sample = ATLAS_SAMPLE
    proc = run_cli("book", "--all-nuts2", build=build, check=True)
    site = build / "site"
    assert (site / "atlas" / "index.html").is_file(), proc.stdout
    for region in sample:
        page = (site / "atlas" / region / "index.html").read_text("utf-8")
        name = resolve_region(region).name
        assert f"<h1>{name}" in page or f">{name} (" in page, region
        assert re.search(r"not an\s+EOCIC publication", page), region
        assert re.search(r'<img[^>]+alt="A map of the EU with', page), region
        for table in ("atlas_indicators", "atlas_candidates", "atlas_since"):
            label = f"tab-{table}-{region}".replace("_", "-")  # as Sphinx writes ids
            assert f'id="{label}"' in page, (region, table)
    from eocic_helpers.core.results import load_catalogue

    declared = set(load_catalogue().entries["atlas"])
    for region in sample:
        frag = json.loads((build / "runs" / region / ".cache" / "atlas.results.json").read_text())
        glued = {k.removesuffix("_text") for k in frag["values"]}
        assert glued == declared, region  # every key declared is glued, and only those
    landing = (site / "index.html").read_text("utf-8")
    links = re.findall(r'<a href="([^"]+)"><title>', landing)
    # this build has no pilot edition: each sampled region's units link to its atlas page
    # (Saxony's three), and no other region links anywhere (tests/test_reading.py checks the
    # pilots' links to their editions)
    assert sorted(links) == sorted(f"atlas/{r}/index.html" for r in sample for _ in
                                   resolve_region(r).nuts2016)
    for href in set(links):
        assert (site / href).is_file(), href
    index = (site / book_atlas.SEARCH_INDEX).read_text("utf-8")
    entries = json.loads(index.removeprefix("window.EOCIC_REGIONS = ").rstrip(";\n"))
    assert {e["id"] for e in entries} >= set(sample)
    for e in entries:
        assert (site / e["href"]).is_file(), e["href"]
    assert "eocic-search-input" in landing
    assert (site / book_atlas.SEARCH_SCRIPT).is_file()
    atlas_intro = (site / "atlas" / "index.html").read_text("utf-8")
    for href in re.findall(r'<a href="([^"#]+)"><title>', atlas_intro):
        assert (site / "atlas" / href).is_file(), href
    # each page numbers its figures and tables from 1, and links one data package
    import zipfile

    for region in sample:
        page = (site / "atlas" / region / "index.html").read_text("utf-8")
        numbers = re.findall(r'class="caption-number">(Figure|Table) (\d+)', page)
        figures = [int(n) for kind, n in numbers if kind == "Figure"]
        tables = [int(n) for kind, n in numbers if kind == "Table"]
        assert figures == [1], (region, numbers)
        assert tables == list(range(1, len(tables) + 1)) and len(tables) >= 2, (region, numbers)
        href = f"../_static/data/{region}-data.zip"
        assert f'href="{href}"' in page, region
        with zipfile.ZipFile(site / "atlas" / region / href) as z:
            names = set(z.namelist())
        assert f"{region}-data/README.md" in names, names
        assert f"{region}-data/tables/atlas_indicators_{region}.csv" in names, names
        assert f"{region}-data/figures/locator_map_{region}.csv" in names, names
    # one copy of each figure, no copy of each page's notebook, no download per CSV
    assert not (site / "atlas" / "_sources").exists()
    assert not (site / "atlas" / "_downloads").exists()
    svgs = [f.name for f in (site / "atlas").rglob("locator_map_*.svg")]
    assert len(svgs) == len(set(svgs)) == len(sample), svgs


def test_the_atlas_numbers_figures_and_tables_per_page():
    from types import SimpleNamespace

    from eocic_helpers.book import sphinx_numfig

    env = SimpleNamespace(toc_fignumbers={
        "intro": {},
        "de11/index": {"figure": {"fig-a": (7,)}, "table": {"tab-c": (21,), "tab-b": (20,)}},
        "de12/index": {"figure": {"fig-d": (8,)}, "table": {"tab-e": (22,)}}})
    app = SimpleNamespace(config=SimpleNamespace(eocic_numbering="per_page"))
    assert sphinx_numfig._renumber(app, env) == []
    assert env.toc_fignumbers["de11/index"] == {"figure": {"fig-a": (1,)},
                                                "table": {"tab-b": (1,), "tab-c": (2,)}}
    assert env.toc_fignumbers["de12/index"] == {"figure": {"fig-d": (1,)},
                                                "table": {"tab-e": (1,)}}


def test_the_eu_wide_indicator_ranks_rank_each_region_once_per_indicator(s):
    ranks = atlas.eu_indicator_ranks(s)
    assert set(ranks.columns) == {"geo", "name", "indicator", "title", "year", "value", "rank", "n"}
    for indicator, part in ranks.groupby("indicator"):
        assert part["geo"].is_unique, indicator
        assert (part["n"] == len(part)).all() and part["year"].le(2017).all()
        best = part.sort_values("value", ascending=False).iloc[0]
        assert best["rank"] == 1, indicator  # 1 = highest
        assert part["rank"].between(1, len(part)).all()
    assert not ranks["geo"].str[:2].isin(["CH", "NO", "TR", "RS"]).any()  # EU28 regions only
    assert atlas.rank_text(ranks, "gdp_per_capita_eur", resolve_region("saxony")) == \
        "several NUTS 2 units"
    text = atlas.rank_text(ranks, "gdp_per_capita_eur", resolve_region("at33"))
    assert re.fullmatch(r"\d+ of \d+ \(2017\)", text), text
    table = atlas.indicator_table(s, load_regions(), resolve_region("at33"), ranks)
    assert "EU rank" in table.columns and table["EU rank"].str.contains(" of ").all()
