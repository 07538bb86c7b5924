"""The way in to the editions and the atlas: a map of every NUTS 2 region (one link per region
that has a page) and a search that works offline (a static index filtered in the browser).

The landing page (:func:`eocic_helpers.book.editions.write_landing_page`) and the atlas's first
page (:mod:`eocic_helpers.book.atlas`) both carry them. The map is drawn from the SVG paths the
EU-wide step published (``build/runs/eu/tables/eu_map_paths.csv``); like the rest of the book
stage, this module computes nothing, it places.
"""

from __future__ import annotations

import csv
import html
import json
import unicodedata
from pathlib import Path
from typing import Any

from eocic_helpers.core import atomic, paths
from eocic_helpers.core.pipeline import EU_WIDE, load_pipeline
from eocic_helpers.core.promoted import promoted_file
from eocic_helpers.core.regions import Region, all_nuts2_regions, country_native_names

#: The offline search: the index (a script defining ``EOCIC_REGIONS``) and the code.
SEARCH_INDEX = "eocic-regions.js"
SEARCH_SCRIPT = "eocic-search.js"
SEARCH_JS = Path(__file__).with_name("static") / SEARCH_SCRIPT


def atlas_name() -> str:
    """The atlas's notebook: the one ``notebooks/pipeline.yaml`` declares with scope ``atlas``.
    Its executed copies are the atlas's pages, and its name is the atlas's folder under
    ``build/site`` and ``build/books``."""
    return next(name for name, nb in load_pipeline().notebooks.items() if nb.atlas)


def _fold(text: str) -> str:
    """Lower case without accents, as the search compares (the browser does the same)."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower())
                   if unicodedata.category(c) != "Mn")


def search_entries(regions: list[Region], href: dict[str, str]) -> list[dict[str, Any]]:
    """One entry per region: its id, codes, name, country, the page it links to, and the
    folded text the search matches (name, codes, country in English and as the snapshot
    names it)."""
    native = country_native_names()
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


def search_index_js(entries: list[dict[str, Any]]) -> str:
    """The search index as a script (a JSON file could not be read from ``file://``)."""
    text = json.dumps(entries, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "window.EOCIC_REGIONS = " + text.replace("</", "<\\/") + ";\n"


def search_examples(entries: list[dict[str, Any]]) -> list[str]:
    """Up to three searches that find something in ``entries`` (what the site as built has):
    a region's name, another's NUTS code and a third's country."""
    if not entries:
        return []
    picks = [entries[0]["name"]]
    if len(entries) > 1:
        picks.append(entries[len(entries) // 2]["codes"].split(", ")[0])
    if len(entries) > 2:
        picks.append(entries[-1]["country"])
    return list(dict.fromkeys(p for p in picks if p))


def write_search(folder: Path, prefix: str, entries: list[dict[str, Any]]) -> str:
    """Write the search's index of ``entries`` and its script into ``folder`` (``prefix``: that
    folder as the page reaches it), and return the search box (a labelled input, a live list of
    matches), its :func:`search_examples` suggested in the empty box."""
    atomic.write_text(folder / SEARCH_INDEX, search_index_js(entries))
    atomic.write_text(folder / SEARCH_SCRIPT, SEARCH_JS.read_text("utf-8"))
    examples = search_examples(entries)
    hint = f' placeholder="e.g. {html.escape(", ".join(examples))}"' if examples else ""
    return (
        '<div class="eocic-search" role="search">'
        '<label for="eocic-search-input">Find a region by name or NUTS code</label> '
        f'<input id="eocic-search-input" type="search"{hint} '
        'aria-controls="eocic-search-results">'
        '<ul id="eocic-search-results" aria-live="polite"></ul></div>'
        f'<script src="{html.escape(prefix + SEARCH_INDEX)}"></script>'
        f'<script src="{html.escape(prefix + SEARCH_SCRIPT)}"></script>'
    )


def _map_paths() -> list[dict[str, str]]:
    f = promoted_file(EU_WIDE, "tables/eu_map_paths.csv")  # verified against its manifest
    if f is None:
        return []
    with open(f, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def map_svg(href_of_unit: dict[str, tuple[str, str]], standalone: bool = False) -> str:
    """The map of every region: one link per NUTS 2 region that has a page (its title the
    region's name), the others grey. Drawn from the EU-wide step's paths; empty when that
    step has not run. ``href_of_unit``: NUTS 2 code -> (link, name shown). ``standalone``: an
    SVG file of its own (an XML declaration; links open in the whole window, not inside the
    ``<object>`` that embeds it)."""
    rows = _map_paths()
    if not rows:
        return ""
    esc = html.escape
    target = ' target="_top"' if standalone else ""
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
            parts.append(f'<a href="{esc(link)}"{target}><title>{esc(name)} ({esc(r["geo"])})</title>'
                         f'<path fill="#56b4e9" d="{esc(r["d"])}"/></a>')
        else:
            parts.append(f'<path fill="#e6e6e6" d="{esc(r["d"])}"/>')
    parts.append("</g></svg>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' if standalone else "") + "".join(parts)


def landing_map_and_search(pilots: list[Region]) -> str:
    """The landing page's way in: the map (pilots' units link to their editions, every other
    region to its atlas page when the atlas is built) and the search box; empty when the
    EU-wide step has not run."""
    href: dict[str, str] = {r.id: f"{r.id}/index.html" for r in pilots
                            if (paths.SITE / r.id / "index.html").is_file()}
    units = {u: (f"{r.id}/index.html", r.name) for r in pilots if r.id in href
             for u in r.nuts2016}
    regions = list(pilots)
    atlas = atlas_name()
    if (paths.SITE / atlas / "index.html").is_file():
        for r in all_nuts2_regions():
            if r.id not in href and (paths.SITE / atlas / r.id / "index.html").is_file():
                href[r.id] = f"{atlas}/{r.id}/index.html"
                units.update({u: (href[r.id], r.name) for u in r.nuts2016})
                regions.append(r)
    svg = map_svg(units)
    if not svg:
        return ""
    return ('<h2>Find a region</h2>'
            + write_search(paths.SITE, "", search_entries(regions, href))
            + '<p>Or choose it on the map: the pilot regions open their edition'
            + (", every other region its page of the atlas" if len(regions) > len(pilots)
               else "; the other regions, in grey, have no page on this site")
            + ".</p>" + svg)
