"""The atlas: one HTML book with a page for every EU NUTS 2 region, and the way in to it.

``eocic run --all-nuts2`` runs ``notebooks/atlas.ipynb`` for every NUTS 2 region of the
snapshot (pilots under their own ids); ``eocic book --all-nuts2`` places each region's
executed notebook as a page of one book (``build/site/atlas/``), grouped by country. Its
first page, and the landing page, carry a map of every region (one link per region, an SVG
drawn from the paths the EU-wide step published) and a search box that works offline: a
static index of every region's codes and names (as the snapshot names them, in the region's
own language, and the pilots' English names), filtered in the browser.

Like the other book modules, it computes nothing: it places what the runs published.
"""

from __future__ import annotations

import csv
import html
import json
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from eocic_helpers.book.editions import (
    _build,
    _copy_static,
    _copy_titled,
    _fresh_folder,
    _swap_dir,
    _write,
    data_vintage,
    edition_stamp,
)
from eocic_helpers.core import atomic, paths
from eocic_helpers.core.errors import EocicError
from eocic_helpers.core.pipeline import EU_WIDE
from eocic_helpers.core.regions import COUNTRY_NAMES, Region, all_nuts2_regions, load_regions
from eocic_helpers.outputs.escape import myst_text

#: The atlas's folder under ``build/site`` and ``build/books``.
ATLAS = "atlas"
#: The notebook whose executed copies are the atlas's pages.
NOTEBOOK = "atlas"
#: The offline search: the index (a script defining ``EOCIC_REGIONS``) and the code.
SEARCH_INDEX = "eocic-regions.js"
SEARCH_SCRIPT = "eocic-search.js"
_SEARCH_JS = Path(__file__).with_name("static") / SEARCH_SCRIPT


def atlas_title() -> str:
    return "Atlas of the NUTS 2 regions: the 2019 EOCIC briefing's data-driven diagnostic"


def ran_regions(regions: list[Region] | None = None) -> list[Region]:
    """The regions whose atlas notebook ran (its executed copy and manifest are there)."""
    out = []
    for r in regions or all_nuts2_regions():
        run = paths.run_dir(r.id)
        if (run / f"{NOTEBOOK}.ipynb").is_file() and \
                (run / ".cache" / f"{NOTEBOOK}.manifest.json").is_file():
            out.append(r)
    return out


def page_title(region: Region) -> str:
    return f"{region.name} ({', '.join(region.nuts2016)})"


def _fold(text: str) -> str:
    """Lower case without accents, as the search compares (the browser does the same)."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower())
                   if unicodedata.category(c) != "Mn")


def search_entries(regions: list[Region], href: dict[str, str]) -> list[dict[str, Any]]:
    """One entry per region: its id, codes, name, country, the page it links to, and the
    folded text the search matches (name, codes, country in English and as the snapshot
    names it)."""
    native = _country_native_names()
    out = []
    for r in regions:
        if r.id not in href:
            continue
        words = [r.name, r.id, *r.nuts2016, r.country, r.country_name,
                 native.get(r.country, ""), *(u.name for u in r.units)]
        out.append({"id": r.id, "name": r.name, "codes": ", ".join(r.nuts2016),
                    "country": r.country_name, "href": href[r.id],
                    "text": _fold(" ".join(w for w in words if w))})
    return out


def _country_native_names() -> dict[str, str]:
    f = paths.SNAPSHOT / "geo.csv"
    if not f.is_file():
        return {}
    with open(f, encoding="utf-8") as fh:
        return {row["geo"]: row["name"] for row in csv.DictReader(fh)
                if row["level"] == "0" and row["name"]}


def search_index_js(entries: list[dict[str, Any]]) -> str:
    """The search index as a script (a JSON file could not be read from ``file://``)."""
    text = json.dumps(entries, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "window.EOCIC_REGIONS = " + text.replace("</", "<\\/") + ";\n"


def search_box_html(index_src: str, script_src: str) -> str:
    """The search box (a labelled input, a live list of matches) and its two scripts."""
    return (
        '<div class="eocic-search" role="search">'
        '<label for="eocic-search-input">Find a region by name or NUTS code</label> '
        '<input id="eocic-search-input" type="search" '
        'placeholder="e.g. Tirol, DE11, Κύπρος" aria-controls="eocic-search-results">'
        '<ul id="eocic-search-results" aria-live="polite"></ul></div>'
        f'<script src="{html.escape(index_src)}"></script>'
        f'<script src="{html.escape(script_src)}"></script>'
    )


def _map_paths() -> list[dict[str, str]]:
    f = paths.run_dir(EU_WIDE) / "tables" / "eu_map_paths.csv"
    if not f.is_file():
        return []
    with open(f, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def map_svg(href_of_unit: dict[str, tuple[str, str]]) -> str:
    """The map of every region: one link per NUTS 2 region that has a page (its title the
    region's name), the others grey. Drawn from the EU-wide step's paths; empty when that
    step has not run. ``href_of_unit``: NUTS 2 code -> (link, name shown)."""
    rows = _map_paths()
    if not rows:
        return ""
    esc = html.escape
    regions = [r for r in rows if r["level"] == "2"]
    countries = [r for r in rows if r["level"] == "0"]
    parts = ['<svg class="eocic-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4050 4050" '
             'role="group" aria-label="Map of the NUTS 2 regions: each links to its page">',
             "<style>.eocic-map a:hover path,.eocic-map a:focus path{fill:#d55e00}</style>",
             '<g fill="#f2f2f2" stroke="#ffffff" stroke-width="2">']
    parts += [f'<path d="{esc(c["d"])}"/>' for c in countries if c["eu28"] != "True"]
    parts.append('</g><g stroke="#ffffff" stroke-width="1.5">')
    for r in regions:
        if r["geo"] in href_of_unit:
            link, name = href_of_unit[r["geo"]]
            parts.append(f'<a href="{esc(link)}"><title>{esc(name)} ({esc(r["geo"])})</title>'
                         f'<path fill="#56b4e9" d="{esc(r["d"])}"/></a>')
        else:
            parts.append(f'<path fill="#e6e6e6" d="{esc(r["d"])}"/>')
    parts.append("</g></svg>")
    return "".join(parts)


def _intro(regions: list[Region], stamp: str) -> str:
    by_country: dict[str, list[Region]] = {}
    for r in regions:
        by_country.setdefault(r.country_name, []).append(r)
    units = {u: (f"{r.id}/index.html", r.name) for r in regions for u in r.nuts2016}
    lines = [f"# {myst_text(atlas_title())}", "",
             "A reproduction, not an EOCIC publication: this atlas applies the method of the "
             "2019 policy briefing of the European Observatory for Clusters and Industrial "
             "Change (EOCIC) for Centre-Val de Loire (doi:10.2826/735038) to every NUTS 2 "
             "region of our data (the EU28, and the neighbours Eurostat covers), from open "
             "Eurostat data; ranks are among the EU28's regions. Each page shows what the data "
             "say about one region: where it lies, its key indicators against its country and "
             "the EU, the composite of industrial change with the uncertainty of its rank, the "
             "candidate strengths and weaknesses the data suggest, and what changed since "
             "2017. None of it is the briefing's own judgement, which exists for Centre-Val "
             "de Loire only.", "",
             f"Edition of {myst_text(stamp)}. {myst_text(data_vintage())}.", "",
             "```{raw} html",
             search_box_html(f"_static/{SEARCH_INDEX}", f"_static/{SEARCH_SCRIPT}"),
             map_svg(units),
             "```", "",
             f"The {len(regions)} regions, by country:", ""]
    for country in sorted(by_country):
        links = ", ".join(f"[{myst_text(r.name)}]({r.id}/index)" for r in by_country[country])
        lines.append(f"- **{myst_text(country)}**: {links}")
    return "\n".join(lines) + "\n"


def _config(src: Path) -> None:
    config = yaml.safe_load((paths.BOOK_TEMPLATES / "_config.yml").read_text("utf-8"))
    stamp, _ = edition_stamp()
    title = atlas_title()
    config["title"] = title
    config["sphinx"]["config"]["html_title"] = title
    config["sphinx"]["config"]["today"] = f"Edition of {stamp}. {data_vintage()}."
    options = config["sphinx"]["config"].setdefault("html_theme_options", {})
    options["announcement"] = ('<a href="../index.html" style="color:#fff">All editions</a> · '
                               '<a href="index.html" style="color:#fff">Atlas: every region</a>')
    config.setdefault("html", {})["announcement"] = options["announcement"]
    config.pop("latex", None)
    # Figures and tables are numbered per page in an edition; across 323 pages a number
    # (Table 469) says nothing: the atlas's captions go without.
    config["sphinx"]["config"]["numfig"] = False
    config["bibtex_bibfiles"] = config.get("bibtex_bibfiles", ["references.bib"])
    _write(src / "_config.yml", yaml.safe_dump(config, sort_keys=False))


def assemble_atlas(regions: list[Region]) -> Path:
    """``build/books/atlas``: the intro with the map and the search, and one page per region
    (its executed atlas notebook, titled with its name and codes), in parts by country."""
    src = _fresh_folder(paths.BOOKS / ATLAS)
    _config(src)
    _copy_static(src)
    (src / "_static").mkdir(exist_ok=True)
    entries = search_entries(regions, {r.id: f"{r.id}/index.html" for r in regions})
    _write(src / "_static" / SEARCH_INDEX, search_index_js(entries))
    shutil.copy2(_SEARCH_JS, src / "_static" / SEARCH_SCRIPT)
    stamp, _ = edition_stamp()
    _write(src / "intro.md", _intro(regions, stamp))
    parts: dict[str, list[dict[str, str]]] = {}
    for r in regions:
        run = paths.run_dir(r.id)
        page = src / r.id
        page.mkdir()
        _copy_titled(run / f"{NOTEBOOK}.ipynb", page / "index.ipynb", page_title(r))
        manifest = json.loads((run / ".cache" / f"{NOTEBOOK}.manifest.json").read_text("utf-8"))
        for rel in sorted(manifest.get("files", {})):
            if rel.startswith("figures/") and (run / rel).is_file():
                (page / "figures").mkdir(exist_ok=True)
                shutil.copy2(run / rel, page / rel)
        parts.setdefault(r.country_name, []).append({"file": f"{r.id}/index"})
    toc = {"format": "jb-book", "root": "intro",
           "parts": [{"caption": country, "chapters": parts[country]} for country in sorted(parts)]}
    _write(src / "_toc.yml", yaml.safe_dump(toc, sort_keys=False, allow_unicode=True))
    return src


def build_atlas() -> dict[str, Path]:
    """Build the atlas's HTML into ``build/site/atlas/`` (swapped in by renames).

    Raises:
        EocicError: no region has run the atlas notebook (one line naming the command).
    """
    regions = ran_regions()
    if not regions:
        raise EocicError("no region has an atlas page yet; run 'eocic run --all-nuts2' first")
    src = assemble_atlas(regions)
    work = paths.BOOKS / f".{ATLAS}-build"
    if work.exists():
        shutil.rmtree(work)
    built = _build(src, "html", work)
    staged = paths.SITE / f".{ATLAS}.new"
    if staged.exists():
        shutil.rmtree(staged)
    shutil.copytree(built / "html", staged)
    _swap_dir(staged, paths.SITE / ATLAS)
    shutil.rmtree(work, ignore_errors=True)
    return {"html": paths.SITE / ATLAS / "index.html", "regions": Path(str(len(regions)))}


def landing_map_and_search(pilots: list[Region] | None = None) -> str:
    """The landing page's way in: the map (pilots' units link to their editions, every other
    region to its atlas page when the atlas is built) and the search box; empty when the
    EU-wide step has not run."""
    pilots = pilots if pilots is not None else load_regions()
    href: dict[str, str] = {r.id: f"{r.id}/index.html" for r in pilots
                            if (paths.SITE / r.id / "index.html").is_file()}
    units = {u: (f"{r.id}/index.html", r.name) for r in pilots if r.id in href
             for u in r.nuts2016}
    regions = list(pilots)
    if (paths.SITE / ATLAS / "index.html").is_file():
        for r in all_nuts2_regions():
            if r.id not in href and (paths.SITE / ATLAS / r.id / "index.html").is_file():
                href[r.id] = f"{ATLAS}/{r.id}/index.html"
                units.update({u: (href[r.id], r.name) for u in r.nuts2016})
                regions.append(r)
    svg = map_svg(units)
    if not svg:
        return ""
    atomic.write_text(paths.SITE / SEARCH_INDEX, search_index_js(search_entries(regions, href)))
    atomic.write_text(paths.SITE / SEARCH_SCRIPT, _SEARCH_JS.read_text("utf-8"))
    return ('<h2>Find a region</h2>'
            + search_box_html(SEARCH_INDEX, SEARCH_SCRIPT)
            + '<p>Or choose it on the map: the pilot regions open their edition'
            + (", every other region its page of the atlas" if len(regions) > len(pilots)
               else "; the other regions are shown in grey until the atlas of every region "
               "is built")
            + ".</p>" + svg)


__all__ = ["ATLAS", "assemble_atlas", "build_atlas", "landing_map_and_search", "map_svg",
           "ran_regions", "search_entries", "search_index_js", "COUNTRY_NAMES"]
