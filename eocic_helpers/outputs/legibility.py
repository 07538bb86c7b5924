"""How big a figure's text is where readers see it, and whether its labels collide.

A figure is drawn at ``figsize`` inches, saved with a tight bounding box and then shown at a
fixed width: the PDF scales it to the LaTeX text block, the HTML edition to the main column.
Text is legible when its size *as shown* is at least :data:`MIN_PDF_PT` in the PDF and
:data:`MIN_HTML_PX` in the browser. The widths were measured on the built editions:

* PDF: ``\\textwidth`` of Sphinx's ``sphinxmanual`` class with the book's ``a4paper, 10pt``
  options is 452.97 pt = 6.27 in (``\\typeout{\\the\\textwidth}`` in the generated .tex), and
  every figure is included with ``:width: 100%``, i.e. ``width=\\linewidth``; Sphinx shrinks an
  image taller than ``\\textheight`` (700.51 pt = 9.69 in) to that height.
* HTML: sphinx-book-theme shows a ``:width: 100%`` figure 660 CSS px wide at a 1280 px viewport
  (measured with headless Chromium; 774 px from 1440 px up).

The functions here measure a drawn figure with its own renderer; :func:`problems` is what the
tests call for every figure.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

from eocic_helpers.outputs.style import TITLE_PT

#: LaTeX text block of the PDF editions, in inches (452.97 pt / 72.27 pt per inch).
PDF_TEXT_WIDTH_IN = 452.9679 / 72.27
PDF_TEXT_HEIGHT_IN = 700.50687 / 72.27
#: Width of a ``:width: 100%`` figure in the HTML edition at a 1280 px viewport, CSS px.
HTML_CONTENT_WIDTH_PX = 660.0
#: The smallest text allowed, as shown.
MIN_PDF_PT = 8.0
MIN_HTML_PX = 11.0


@dataclass(frozen=True)
class ShownSize:
    """Where a saved figure ends up: its saved size and the scale of each edition."""

    width_in: float
    height_in: float

    @property
    def pdf_scale(self) -> float:
        """Shown size / drawn size in the PDF (Sphinx fits the width, or the height if taller)."""
        return min(PDF_TEXT_WIDTH_IN / self.width_in, PDF_TEXT_HEIGHT_IN / self.height_in)

    @property
    def html_px_per_pt(self) -> float:
        """CSS px per drawn point in the HTML edition."""
        return HTML_CONTENT_WIDTH_PX / self.width_in / 72.0


def renderer(fig: Figure) -> Any:
    """The figure's renderer after a layout pass (every text in its final position; nothing is
    rasterised, which keeps the checks fast)."""
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


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
    box = fig.get_tightbbox(renderer(fig)).padded(mpl.rcParams["savefig.pad_inches"])
    return Bbox.from_extents(min(box.x0, 0.0), box.y0, max(box.x1, w), box.y1)


def saved_size(fig: Figure) -> ShownSize:
    """Size in inches of the image the project saves (:func:`saved_bbox`)."""
    box = saved_bbox(fig)
    return ShownSize(box.width, box.height)


def _tick_labels(axis: Axis) -> list[Text]:
    """Tick labels of the ticks matplotlib actually draws (inside the view interval)."""
    lo, hi = sorted(axis.get_view_interval())
    eps = (hi - lo) * 1e-9
    out = []
    for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
        loc = tick.get_loc()
        if loc is None or not (lo - eps <= loc <= hi + eps):
            continue
        out += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    return out


def visible_texts(fig: Figure) -> list[Text]:
    """Every text a reader sees: titles, labels, drawn tick labels, legends, annotations."""
    ticks: set[int] = set()
    texts: list[Text] = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for t in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update({id(t.label1), id(t.label2)})
            texts += _tick_labels(axis)
    for t in fig.findobj(Text):
        if id(t) in ticks:
            continue
        texts.append(t)
    seen: set[int] = set()
    out = []
    for t in texts:
        if id(t) in seen or not t.get_visible() or not t.get_text().strip():
            continue
        if not _ancestors_visible(t):
            continue
        seen.add(id(t))
        out.append(t)
    return out


def _ancestors_visible(t: Text) -> bool:
    return t.axes is None or t.axes.get_visible()


def too_small(fig: Figure) -> list[str]:
    """Texts smaller than the minimum in the PDF or in the HTML edition."""
    size = saved_size(fig)
    out = []
    for t in visible_texts(fig):
        pt = t.get_fontsize()
        pdf = pt * size.pdf_scale
        px = pt * size.html_px_per_pt
        if pdf < MIN_PDF_PT - 1e-6 or px < MIN_HTML_PX - 1e-6:
            out.append(f"{t.get_text()[:40]!r}: {pt:.1f} pt drawn, {pdf:.1f} pt in the PDF, "
                       f"{px:.1f} px in HTML")
    return out


def text_extent(t: Text, r: Any) -> Bbox:
    """Display-space box of a text's glyphs (an annotation's leader line excluded)."""
    if isinstance(t, Annotation):
        t.update_positions(r)
    return Text.get_window_extent(t, r)


def text_box(t: Text, r: Any) -> Bbox:
    """Display-space box of a text, including its background box if it has one."""
    patch = t.get_bbox_patch()
    box = text_extent(t, r)
    if patch is not None:
        box = Bbox.union([box, patch.get_window_extent(r)])
    return box


def _intersect(a: Bbox, b: Bbox, tol: float) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tol)


def overlaps(fig: Figure, tol_px: float = 0.5) -> list[str]:
    """Pairs of visible texts whose rendered boxes intersect (by more than ``tol_px``)."""
    r = renderer(fig)
    texts = visible_texts(fig)
    boxes = [text_box(t, r) for t in texts]
    out = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if _intersect(boxes[i], boxes[j], tol_px):
                out.append(f"{texts[i].get_text()[:30]!r} overlaps {texts[j].get_text()[:30]!r}")
    return out


def _reference_lines(ax: Any) -> list[Line2D]:
    return [ln for ln in ax.get_lines() if ln.get_visible()]


def struck_through(fig: Figure) -> list[str]:
    """Texts inside an axes that one of the axes' lines runs through (e.g. a value label
    crossed by a reference line)."""
    r = renderer(fig)
    out = []
    for ax in fig.axes:
        lines = _reference_lines(ax)
        if not lines:
            continue
        for t in ax.texts:
            if not t.get_visible() or not t.get_text().strip():
                continue
            box = text_extent(t, r)
            for ln in lines:
                path = ln.get_transform().transform_path(ln.get_path())
                if path.intersects_bbox(box, filled=False):
                    out.append(f"{t.get_text()[:30]!r} is crossed by a line")
                    break
    return out


def problems(fig: Figure) -> dict[str, list[str]]:
    """Everything that makes a figure hard to read, by kind: text too small where shown,
    overlapping texts, labels a line runs through. The layout is done once and then frozen
    (this changes ``fig``: call it on a figure you are about to check, not to save)."""
    renderer(at_saved_dpi(fig))
    fig.set_layout_engine("none")
    return {"too small": too_small(fig), "overlapping": overlaps(fig),
            "struck through": struck_through(fig)}


# -- tools for drawing ----------------------------------------------------------------------

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
    r = renderer(fig)
    fig.set_layout_engine("none")
    styles = list(styles) if styles is not None else [{} for _ in labels]
    pts = ax.transData.transform(np.asarray(xy, dtype=float))
    taken: list[Bbox] = [Bbox.from_bounds(x - avoid_points_px, y - avoid_points_px,
                                          2 * avoid_points_px, 2 * avoid_points_px)
                         for x, y in pts]
    paths = [ln.get_transform().transform_path(ln.get_path()) for ln in _reference_lines(ax)]
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
                  and not any(_intersect(box, b, 0.0) for b in taken)
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


def titles_over_labels(titles: Sequence[tuple[Any, str]], fontsize: float | None = None) -> None:
    """:func:`title_over_labels` for several axes of one figure, with one layout pass."""
    if not titles:
        return
    fig = titles[0][0].figure
    size = fontsize or TITLE_PT
    for ax, _ in titles:
        ax.set_title("")
    r = renderer(fig)
    for ax, title in titles:
        outer = ax.get_tightbbox(r)
        inner = ax.get_window_extent(r)
        x = (outer.x0 - inner.x0) / inner.width
        width_in = (max(outer.x1, inner.x1) - outer.x0) / fig.dpi
        ax.set_title(wrap_to_width(title, width_in, size, fig, "bold"), loc="left", x=x,
                     fontsize=size)
