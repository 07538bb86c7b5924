"""The atlas: one HTML book with a page for every NUTS 2 region of the snapshot.

``eocic run --all-nuts2`` runs ``notebooks/atlas.ipynb`` for every NUTS 2 region of the
snapshot (pilots under their own ids); ``eocic book --all-nuts2`` places each region's
executed notebook as a page of one book (``build/site/atlas/``), grouped by country. Its
first page carries the map of every region and the offline search
(:mod:`eocic_helpers.book.way_in`), as the landing page does.

Like the other book modules, it computes nothing: it places what the runs published.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from markupsafe import Markup

from eocic_helpers.book import templates
from eocic_helpers.book.editions import (
    base_config,
    build_html,
    copy_notebook,
    copy_static,
    data_vintage,
    edition_stamp,
    fresh_folder,
    swap_in_html,
)
from eocic_helpers.book.package import write_csv_package
from eocic_helpers.book.way_in import atlas_name, map_svg, search_entries, write_search
from eocic_helpers.core import paths
from eocic_helpers.core.errors import EocicError
from eocic_helpers.core.promoted import promoted_files
from eocic_helpers.core.regions import Region, all_nuts2_regions


def atlas_title() -> str:
    return "Atlas of the NUTS 2 regions: the 2019 EOCIC briefing's data-driven diagnostic"


def ran_regions() -> list[Region]:
    """The regions whose atlas notebook ran (its executed copy and manifest are there)."""
    notebook = atlas_name()
    return [r for r in all_nuts2_regions()
            if (paths.run_dir(r.id) / f"{notebook}.ipynb").is_file()
            and (paths.run_dir(r.id) / ".cache" / f"{notebook}.manifest.json").is_file()]


#: The atlas's map, a file of its own in ``_static``: the intro embeds it, so no data value
#: is ever placed inside the intro's MyST.
MAP_FILE = "eocic-map.svg"


def _intro(regions: list[Region], stamp: str, search_box: str, has_map: bool) -> str:
    """The atlas's first page (the template ``book/atlas_intro.md``): the search, the map
    (``has_map``: the file :data:`MAP_FILE` is there) and every region, by country."""
    return templates.render("atlas_intro.md", {
        "title": atlas_title(), "stamp": stamp, "vintage": data_vintage(), "regions": regions,
        "has_map": has_map, "map_file": Markup(MAP_FILE), "search_box": Markup(search_box)})


#: Where each page's data package goes (``_static/data/<region>-data.zip``): one zip of the
#: page's CSVs per region, instead of a download of each figure's CSV (which Sphinx copies
#: into a folder of its own per file).
DATA_FOLDER = "data"


def _package_link(region: Region) -> str:
    """The last cell of a region's page: the link to its data package (the region's id is a
    code or a slug the region list checks; the rest is fixed text)."""
    href = f"../_static/{DATA_FOLDER}/{region.id}-data.zip"
    return ("```{raw} html\n"
            f'<p class="eocic-data"><a href="{href}" download>Data of this page</a> '
            "(zip: the map's units and each table as CSV, with a README of the columns and "
            "units).</p>\n```\n")


def _config(src: Path) -> None:
    config = base_config(atlas_title(), (
        '<a href="../index.html" style="color:#fff">All editions</a> · '
        '<a href="index.html" style="color:#fff">Atlas: every region</a>'))
    config.pop("latex", None)
    # What keeps the site small (docs/performance.md, the atlas): no copy of each page's
    # notebook under _sources/ (the atlas has its own search); no offline MathJax (no atlas
    # page has mathematics); the book's navigation, one link per region, on the first page
    # only (a region's page leads back to it: the bar at the top, previous and next).
    config["sphinx"]["config"]["html_copy_source"] = False
    config["sphinx"]["config"]["html_show_sourcelink"] = False
    config["sphinx"]["extra_extensions"] = [
        e for e in config["sphinx"]["extra_extensions"] if e != "sphinx-mathjax-offline"]
    without_nav = ["navbar-logo.html", "icon-links.html", "search-button-field.html"]
    config["sphinx"]["config"]["html_sidebars"] = {
        "intro": [*without_nav, "sbt-sidebar-nav.html"], "**": without_nav}
    # Each page's figures and tables are numbered from 1 (a number counted across 323 pages,
    # "Table 469", would say nothing): Sphinx numbers them through the book, then
    # eocic_helpers.book.sphinx_numfig numbers them again per page.
    config["sphinx"]["config"]["numfig"] = True
    config["sphinx"]["config"]["eocic_numbering"] = "per_page"
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")


def assemble_atlas(regions: list[Region]) -> Path:
    """``build/books/atlas``: the intro with the map and the search, and one page per region
    (its executed atlas notebook, titled with its name and codes), in parts by country."""
    atlas = atlas_name()
    src = fresh_folder(paths.BOOKS / atlas)
    _config(src)
    copy_static(src)
    search_box = write_search(src / "_static", "_static/", search_entries(
        regions, {r.id: f"{r.id}/index.html" for r in regions}))
    stamp, epoch = edition_stamp()
    # the map as a file of its own, its links one folder up, to each region's page
    svg = map_svg({u: (f"../{r.id}/index.html", r.name) for r in regions for u in r.nuts2016},
                  standalone=True)
    if svg:
        (src / "_static" / MAP_FILE).write_text(svg, "utf-8")
    (src / "intro.md").write_text(_intro(regions, stamp, search_box, bool(svg)), "utf-8")
    parts: dict[str, list[dict[str, str]]] = {}
    for r in regions:
        promoted = promoted_files(r.id, [atlas])  # each file verified against its manifest
        page = src / r.id
        page.mkdir()
        copy_notebook(promoted[f"{atlas}.ipynb"], page / "index.ipynb",
                      f"{r.name} ({', '.join(r.nuts2016)})", "all",
                      link=_package_link(r))
        for rel, f in promoted.items():
            if rel.startswith("figures/") and rel.endswith(".svg"):  # the page shows the SVG
                (page / "figures").mkdir(exist_ok=True)
                shutil.copy2(f, page / rel)
        csvs = {rel: f for rel, f in promoted.items()
                if rel.endswith(".csv") and rel.startswith(("figures/", "tables/"))}
        write_csv_package(csvs, r.id, src / "_static" / DATA_FOLDER / f"{r.id}-data.zip", epoch)
        parts.setdefault(r.country_name, []).append({"file": f"{r.id}/index"})
    toc = {"format": "jb-book", "root": "intro",
           "parts": [{"caption": country, "chapters": parts[country]} for country in sorted(parts)]}
    (src / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True),
                                    "utf-8")
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
    atlas = atlas_name()
    swap_in_html(build_html(src, atlas), atlas)
    return {"html": paths.SITE / atlas / "index.html"}


