"""Figures whose text stays legible where readers see it: measured text, wrapped titles,
labels placed where nothing else is drawn.

A figure is drawn at ``figsize`` inches (:data:`eocic_helpers.outputs.style.FIGURE_WIDTH_IN`,
the PDF's text block), saved with a tight bounding box (:func:`saved_bbox`, never narrower than
the figure) and shown at a fixed width in each edition. The functions here measure text with
the figure's own renderer, so that a wrapped title or a placed label fits as drawn. The checks
that every figure is legible as shown (text size, overlaps, struck-through labels) are the
tests' (``tests/support/legibility_checks.py``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

from eocic_helpers.outputs.style import TITLE_PT


def laid_out(fig: Figure) -> Any:
    """The figure's renderer after its layout engine has placed every axes, legend and title,
    without drawing: each text's position and size is then what a draw would give, at a
    third of a draw's cost (a draw formats and places every tick, line and polygon too). The
    saved files are the same bytes as after a full layout pass."""
    r = fig.canvas.get_renderer()
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    return r


def at_saved_dpi(fig: Figure) -> Figure:
    """Set ``fig`` to the resolution ``savefig`` uses, so a layout pass places every text
    exactly where the saved image has it (layouts round differently at other dpi)."""
    dpi = mpl.rcParams["savefig.dpi"]
    if dpi != "figure":
        fig.set_dpi(float(dpi))
    return fig


def saved_bbox(fig: Figure) -> Bbox:
    """The part of ``fig`` the project saves, in inches: the tight box around what is drawn
    (``savefig.bbox``, ``savefig.pad_inches``) in height, and never narrower than the figure
    itself, so that every figure is at least as wide as it was drawn (a map of fixed aspect
    would otherwise come out narrower, and print at another scale than its neighbours)."""
    w, h = (float(v) for v in fig.get_size_inches())
    if mpl.rcParams["savefig.bbox"] != "tight":
        return Bbox.from_bounds(0, 0, w, h)
    box = fig.get_tightbbox(laid_out(fig)).padded(mpl.rcParams["savefig.pad_inches"])
    return Bbox.from_extents(min(box.x0, 0.0), box.y0, max(box.x1, w), box.y1)


def text_extent(t: Text, r: Any) -> Bbox:
    """Display-space box of a text's glyphs (an annotation's leader line excluded)."""
    if isinstance(t, Annotation):
        t.update_positions(r)
    return Text.get_window_extent(t, r)


def boxes_intersect(a: Bbox, b: Bbox, tol: float) -> bool:
    """Whether two display-space boxes overlap by more than ``tol`` in both directions."""
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tol)


def reference_lines(ax: Any) -> list[Line2D]:
    """The visible lines of an axes (reference lines, series) that a label must not cross."""
    return [ln for ln in ax.get_lines() if ln.get_visible()]


def text_width_in(text: str, fontsize: float, fig: Figure, weight: str = "normal") -> float:
    """Width in inches of one line of ``text`` at ``fontsize`` with ``fig``'s renderer."""
    r = fig.canvas.get_renderer()
    prop = FontProperties(size=fontsize, weight=weight)
    w, _, _ = r.get_text_width_height_descent(text, prop, ismath=False)
    return w / fig.dpi


def wrap_to_width(text: str, width_in: float, fontsize: float, fig: Figure,
                  weight: str = "normal") -> str:
    """Wrap ``text`` into lines no wider than ``width_in`` at ``fontsize``. Words are never
    cut; a word wider than the line gets a line of its own. A no-break space (U+00A0) keeps
    its neighbours on one line and is printed as an ordinary space."""
    chars = max(4, int(width_in * 72 / (0.5 * fontsize)))
    while True:
        lines = textwrap.wrap(text, chars, break_on_hyphens=False, break_long_words=False) or [""]
        wide = [line for line in lines if text_width_in(line, fontsize, fig, weight) > width_in]
        if not wide or chars <= 4 or all(" " not in line for line in wide):
            return "\n".join(lines).replace("\u00a0", " ")
        chars -= 1


def place_labels(ax: Any, xy: Sequence[tuple[float, float]], labels: Sequence[str],
                 fontsize: float, avoid_points_px: float = 7.0,
                 styles: Iterable[dict[str, Any]] | None = None) -> list[Text]:
    """Annotate points with labels that do not overlap each other, the points, the axes'
    lines or the axes' edges.

    Each label tries offsets around its point, nearest first, and takes the first free one;
    a label moved further than the nearest ring gets a thin leader line. The figure's layout
    is frozen first (a layout engine would move the axes after the labels were measured).
    """
    fig = ax.figure
    r = laid_out(fig)
    fig.set_layout_engine("none")
    styles = list(styles) if styles is not None else [{} for _ in labels]
    pts = ax.transData.transform(np.asarray(xy, dtype=float))
    taken: list[Bbox] = [Bbox.from_bounds(x - avoid_points_px, y - avoid_points_px,
                                          2 * avoid_points_px, 2 * avoid_points_px)
                         for x, y in pts]
    paths = [ln.get_transform().transform_path(ln.get_path()) for ln in reference_lines(ax)]
    frame = ax.get_window_extent(r)
    directions = [(1, 0.5), (1, -0.5), (-1, 0.5), (-1, -0.5), (0, 1), (0, -1), (1, 1.5),
                  (1, -1.5), (-1, 1.5), (-1, -1.5)]
    rings = [8, 16, 26, 38, 52]
    out = []
    for (x, y), label, style in zip(xy, labels, styles, strict=True):
        chosen = None
        words = label.split(" ")
        half = max(1, len(words) // 2)
        variants = [label] + ([" ".join(words[:half]) + "\n" + " ".join(words[half:])]
                              if len(words) > 1 else [])
        candidates = [(k, ring, dx, dy, text) for k, ring in enumerate(rings)
                      for text in variants for dx, dy in directions]
        for k, ring, dx, dy, text in candidates:
            t = _annotate(ax, text, (x, y), dx, dy, ring, k > 0, fontsize, style)
            box = text_extent(t, r)
            ok = (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
                  and not any(boxes_intersect(box, b, 0.0) for b in taken)
                  and not any(p.intersects_bbox(box, filled=False) for p in paths))
            if ok:
                chosen = (t, box)
                break
            t.remove()
        if chosen is None:  # nothing free: keep the nearest place rather than drop the label
            t = _annotate(ax, label, (x, y), 1, 0.5, rings[0], False, fontsize, style)
            chosen = (t, text_extent(t, r))
        taken.append(chosen[1])
        out.append(chosen[0])
    return out


def _annotate(ax: Any, label: str, xy: tuple[float, float], dx: float, dy: float, ring: float,
              leader: bool, fontsize: float, style: dict[str, Any]) -> Text:
    ha = "left" if dx > 0 else "right" if dx < 0 else "center"
    va = "bottom" if dy > 0 else "top"
    extra: dict[str, Any] = {}
    if leader:
        extra["arrowprops"] = {"arrowstyle": "-", "color": "0.35", "linewidth": 0.6,
                               "shrinkA": 1, "shrinkB": 5}
    return ax.annotate(label, xy, xytext=(dx * ring, dy * ring * 0.6), textcoords="offset points",
                       ha=ha, va=va, fontsize=fontsize, **extra, **style)


def title_over_labels(ax: Any, title: str, fontsize: float | None = None) -> None:
    """Set a left-aligned title that starts above the y tick labels and is wrapped to the
    width of the axes with its labels, so it never runs past the figure's edge."""
    titles_over_labels([(ax, title)], fontsize)


def titles_over_labels(titles: Sequence[tuple[Any, str] | tuple[Any, str, float]],
                       fontsize: float | None = None) -> None:
    """:func:`title_over_labels` for several axes of one figure, with one layout pass; a
    title may give its own font size as a third item (``fontsize`` otherwise)."""
    if not titles:
        return
    fig = titles[0][0].figure
    for ax, *_ in titles:
        ax.set_title("")
    r = laid_out(fig)
    for ax, title, *own in titles:
        size = own[0] if own else fontsize or TITLE_PT
        outer = ax.get_tightbbox(r)
        inner = ax.get_window_extent(r)
        x = (outer.x0 - inner.x0) / inner.width
        width_in = (max(outer.x1, inner.x1) - outer.x0) / fig.dpi
        ax.set_title(wrap_to_width(title, width_in, size, fig, "bold"), loc="left", x=x,
                     fontsize=size)
