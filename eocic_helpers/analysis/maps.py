"""Maps of the editions: where a pilot region lies, and EU choropleths of NUTS 2 values.

The boundaries are the snapshot's map layer (:mod:`eocic_helpers.data.maps`: GISCO NUTS
2016, EPSG:3035, simplified); geopandas draws them. Colours are colour-blind safe: the
region in vermillion (Okabe & Ito), values on the cividis scale, regions without data in
light grey with a hatch, each named in the legend.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from eocic_helpers.core import paths
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.pipeline import EU_WIDE
from eocic_helpers.core.regions import EU28, Region
from eocic_helpers.data.maps import SOURCE_ID
from eocic_helpers.data.sources import load_sources
from eocic_helpers.outputs.legibility import laid_out
from eocic_helpers.outputs.style import FIGURE_WIDTH_IN, HIGHLIGHT

#: The EU extent drawn, in EPSG:3035 metres (x0, x1, y0, y1): the 28 member states of 2019
#: without the outermost regions.
EU_EXTENT = (2_500_000, 6_550_000, 1_400_000, 5_450_000)
#: Margin around a country in the zoomed panel, in metres.
ZOOM_MARGIN_M = 120_000
#: Colour scale of the choropleths (perceptually uniform, readable with any colour vision).
CMAP = "cividis"
NO_DATA = "#e6e6e6"
LAND = "#d9d9d9"
OUTSIDE = "#f2f2f2"


def locator_data(layer: Any, region: Region) -> pd.DataFrame:
    """The units the locator map draws, and how: ``geo, name, country, role``.

    ``role`` is ``region`` (the pilot's NUTS 2 units), ``country`` (the rest of its country),
    ``eu`` (other EU28 units) or ``outside`` (other countries of the map layer).
    """
    units = layer[layer["level"] == 2]
    role = np.where(units["geo"].isin(region.nuts2016), "region",
                    np.where(units["country"] == region.country, "country",
                             np.where(units["country"].isin(EU28), "eu", "outside")))
    return pd.DataFrame({"geo": units["geo"].values, "name": units["name"].values,
                         "country": units["country"].values, "role": role}
                        ).sort_values("geo").reset_index(drop=True)


@contextmanager
def _on_redraw(fig: Any, action: Any) -> Iterator[None]:
    """While geopandas plots into ``fig``, run ``action`` where it asks for a redraw after each
    layer (``canvas.draw_idle()``, a whole draw of every polygon drawn so far on a
    non-interactive canvas) instead of that draw: the figure is drawn when it is saved."""
    fig.canvas.draw_idle = lambda *args, **kwargs: action()
    try:
        yield
    finally:
        del fig.canvas.draw_idle


def _frame_axes(ax: Any, extent: tuple[float, float, float, float]) -> None:
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_edgecolor("#999999")
        spine.set_linewidth(0.5)


def locator_figure(layer: Any, region: Region) -> Any:  # -> matplotlib Figure
    """Where ``region`` lies: the EU with the country outlined and the region's NUTS 2 units
    filled (left), and the country close up (right)."""
    data = locator_data(layer, region)
    units = layer[layer["level"] == 2].set_index("geo").loc[data["geo"]].reset_index()
    colour = {"region": HIGHLIGHT, "country": LAND, "eu": LAND, "outside": OUTSIDE}
    units["colour"] = data["role"].map(colour).values
    countries = layer[layer["level"] == 0]
    country = countries[countries["country"] == region.country]
    fig, axes = plt.subplots(1, 2, figsize=(FIGURE_WIDTH_IN, 3.6), layout="constrained",
                             gridspec_kw={"width_ratios": [1.05, 1]})
    x0, y0, x1, y1 = country.total_bounds
    half = max(x1 - x0, y1 - y0) / 2 + ZOOM_MARGIN_M
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    zoom = (cx - half, cx + half, cy - half, cy + half)
    with _on_redraw(fig, lambda: None):
        for ax, extent, width in ((axes[0], EU_EXTENT, 0.15), (axes[1], zoom, 0.3)):
            units.plot(ax=ax, color=units["colour"], edgecolor="white", linewidth=width)
            countries.boundary.plot(ax=ax, color="#7f7f7f", linewidth=0.3)
            country.boundary.plot(ax=ax, color="black", linewidth=1.0)
            _frame_axes(ax, extent)
    axes[0].set_title("In the EU", fontsize=9)
    axes[1].set_title(region.country_name, fontsize=9)
    handles = [Patch(facecolor=HIGHLIGHT, edgecolor="white", label=f"{region.name} (NUTS 2)"),
               Patch(facecolor="white", edgecolor="black", linewidth=1.0,
                     label=f"{region.country_name} (outline)"),
               Patch(facecolor=LAND, edgecolor="white", label="other EU28 regions"),
               Patch(facecolor=OUTSIDE, edgecolor="#7f7f7f", label="outside the EU28")]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False)
    fig.suptitle(f"Where {region.name} lies", fontsize=10)
    return fig


def map_source() -> str:
    """The boundaries' source for a caption: GISCO's NUTS 2016 set and its attribution."""
    src = load_sources()[SOURCE_ID]
    return (f"boundaries {src.publisher}, {src.dataset_code} (NUTS 2016, 1:20 million), "
            f"{src.attribution.removeprefix('© ')}, simplified")


def snapshot_values(snapshot: pd.DataFrame, indicator: str, year: int) -> pd.Series:
    """One indicator's values of one year by geo code, from the snapshot."""
    rows = snapshot[(snapshot["indicator"] == indicator) & (snapshot["year"] == year)]
    return rows.set_index("geo")["value"].astype(float)


def choropleth_data(layer: Any, values: pd.Series, pilots: list[Region]) -> pd.DataFrame:
    """One row per EU28 NUTS 2 unit of the map: ``geo, name, country, value, pilot`` (the
    pilot region's id, empty for others); a unit without a value has it missing."""
    units = layer[(layer["level"] == 2) & layer["eu28"]]
    pilot_of = {code: r.id for r in pilots for code in r.nuts2016}
    vals = pd.Series(values, dtype=float)
    return pd.DataFrame({
        "geo": units["geo"].values, "name": units["name"].values,
        "country": units["country"].values,
        "value": units["geo"].map(vals).values,
        "pilot": units["geo"].map(pilot_of).fillna("").values,
    }).sort_values("geo").reset_index(drop=True)


def choropleth_figure(layer: Any, data: pd.DataFrame, title: str, unit: str) -> Any:
    """An EU map of ``data['value']`` by NUTS 2 unit on the cividis scale, with a colour bar in
    ``unit``, units without data hatched in grey and the pilot regions outlined."""
    units = layer[layer["level"] == 2].set_index("geo")
    eu = units.loc[data["geo"]].reset_index()
    eu["value"] = data["value"].values
    other = units[~units.index.isin(data["geo"])]
    pilots = eu[data["pilot"].ne("").values]
    pilot_outline = pilots.dissolve(by=data.loc[data["pilot"].ne(""), "pilot"].values)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, 5.6), layout="constrained")
    # Laid out after each layer, where geopandas asks for a redraw: the colour bar's
    # constrained layout settles over those passes (without them it comes out 0.1 pt wider);
    # the layout alone, without drawing every polygon each time, settles it the same.
    with _on_redraw(fig, lambda: laid_out(fig)):
        other.plot(ax=ax, color=OUTSIDE, edgecolor="#bdbdbd", linewidth=0.2)
        missing = eu[eu["value"].isna()]
        if len(missing):
            missing.plot(ax=ax, color=NO_DATA, edgecolor="#9e9e9e", linewidth=0.2, hatch="////")
        shown = eu[eu["value"].notna()]
        shown.plot(ax=ax, column="value", cmap=CMAP, edgecolor="white", linewidth=0.15,
                   legend=True, legend_kwds={"label": unit, "shrink": 0.6, "pad": 0.01})
        for colourbar in fig.axes[1:]:  # matplotlib rasterises a long colour ramp: keep it vector
            for mesh in colourbar.collections:
                mesh.set_rasterized(False)
        pilot_outline.boundary.plot(ax=ax, color="#D55E00", linewidth=1.3)
    _frame_axes(ax, EU_EXTENT)
    ax.set_title(title)
    handles = [Line2D([], [], color="#D55E00", linewidth=1.3, label="pilot region (outline)"),
               Patch(facecolor=NO_DATA, edgecolor="#9e9e9e", hatch="////", label="no data"),
               Patch(facecolor=OUTSIDE, edgecolor="#bdbdbd", label="outside the EU28")]
    ax.legend(handles=handles, loc="upper left", frameon=True, framealpha=0.9)
    return fig


# -- light SVG maps: the atlas's locator maps and the landing page's map of every region ------

#: Metres per SVG unit: the SVG maps are drawn in kilometres of EPSG:3035, rounded.
SVG_UNIT_M = 1000.0


def _ring(coords: Any, x0: float, y1: float) -> str:
    points: list[tuple[int, int]] = []
    for x, y in coords:
        p = (round((x - x0) / SVG_UNIT_M), round((y1 - y) / SVG_UNIT_M))
        if not points or p != points[-1]:
            points.append(p)
    if len(points) < 3:
        return ""
    return "M" + "L".join(f"{x} {y}" for x, y in points) + "Z"


def svg_path(geometry: Any, extent: tuple[float, float, float, float] = EU_EXTENT) -> str:
    """An SVG path (``d``) of a (multi)polygon in EPSG:3035, in kilometres from the top left
    corner of ``extent`` (x0, x1, y0, y1), y pointing down."""
    x0, _, _, y1 = extent
    polygons = getattr(geometry, "geoms", [geometry])
    parts = []
    for poly in polygons:
        for ring in (poly.exterior, *poly.interiors):
            parts.append(_ring(ring.coords, x0, y1))
    return "".join(p for p in parts if p)


def map_paths(layer: Any) -> pd.DataFrame:
    """Every country (level 0) and NUTS 2 region (level 2) of the map layer as an SVG path in
    the EU extent: ``geo, level, country, eu28, name, d``. The landing page's map of every
    region and the atlas's locator maps are drawn from it, without matplotlib."""
    frame = pd.DataFrame({"geo": layer["geo"].values, "level": layer["level"].values,
                          "country": layer["country"].values, "eu28": layer["eu28"].values,
                          "name": layer["name"].values,
                          "d": [svg_path(g) for g in layer.geometry]})
    return frame[frame["d"] != ""].sort_values(["level", "geo"]).reset_index(drop=True)


def load_map_paths(path: Path | None = None) -> pd.DataFrame:
    """The map paths the EU-wide step published (:func:`map_paths`, ``build/runs/eu``).

    Raises:
        DataError: the file is missing or unreadable (one line naming the command to run).
    """
    f = Path(path or paths.run_dir(EU_WIDE) / "tables" / "eu_map_paths.csv")
    try:
        frame = pd.read_csv(f, dtype={"geo": str, "country": str, "name": str, "d": str},
                            keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise DataError(f"{f}: the EU map is missing or unreadable ({type(exc).__name__}); "
                        "run 'eocic run' (it draws it once, before the regions)") from None
    frame["eu28"] = frame["eu28"].astype(str).eq("True")
    return frame


def locator_svg(paths_frame: pd.DataFrame, region: Region) -> str:
    """A light locator map as SVG text: the countries in grey (EU28 darker), the region's
    NUTS 2 units filled in vermillion, its country outlined in black. Every name in it is
    escaped."""
    units = paths_frame[(paths_frame["level"] == 2) & paths_frame["geo"].isin(region.nuts2016)]
    countries = paths_frame[paths_frame["level"] == 0]
    fill = np.where(countries["eu28"], LAND, OUTSIDE)
    label = (f"Where {region.name} lies in the EU: its NUTS 2 units filled, "
             f"{region.country_name} outlined.")
    x0, x1, y0, y1 = EU_EXTENT  # the view: the EU extent in kilometres
    view_box = f"0 0 {round((x1 - x0) / SVG_UNIT_M)} {round((y1 - y0) / SVG_UNIT_M)}"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" '
             f'role="img" aria-label={quoteattr(label)}>',
             f"<title>{escape(label)}</title>",
             '<g stroke="#ffffff" stroke-width="2">']
    parts += [f'<path fill="{f}" d="{d}"/>' for f, d in zip(fill, countries["d"], strict=True)]
    parts += [f'<path fill="{HIGHLIGHT}" d="{d}"/>' for d in units["d"]]
    parts.append('</g><g fill="none" stroke="#000000" stroke-width="5">')
    parts += [f'<path d="{d}"/>' for d in countries.loc[countries["geo"] == region.country, "d"]]
    parts.append("</g></svg>\n")
    return "".join(parts)
