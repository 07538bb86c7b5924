"""How big a figure's text is where readers see it, and whether its labels collide: the
checks the tests run on every figure (the package draws; :mod:`eocic_helpers.outputs.legibility`
holds what drawing needs).

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

:func:`problems` is what the tests call for every figure; ``tests/test_figures.py`` checks the
two widths against the built editions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from eocic_helpers.outputs.legibility import (
    at_saved_dpi,
    boxes_intersect,
    reference_lines,
    saved_bbox,
    text_extent,
)


def renderer(fig: Figure) -> Any:
    """The figure's renderer after a layout pass (every text in its final position; nothing is
    rasterised, which keeps the checks fast)."""
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


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


def text_box(t: Text, r: Any) -> Bbox:
    """Display-space box of a text, including its background box if it has one."""
    patch = t.get_bbox_patch()
    box = text_extent(t, r)
    if patch is not None:
        box = Bbox.union([box, patch.get_window_extent(r)])
    return box


def overlaps(fig: Figure, tol_px: float = 0.5) -> list[str]:
    """Pairs of visible texts whose rendered boxes intersect (by more than ``tol_px``)."""
    r = renderer(fig)
    texts = visible_texts(fig)
    boxes = [text_box(t, r) for t in texts]
    out = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if boxes_intersect(boxes[i], boxes[j], tol_px):
                out.append(f"{texts[i].get_text()[:30]!r} overlaps {texts[j].get_text()[:30]!r}")
    return out


def struck_through(fig: Figure) -> list[str]:
    """Texts inside an axes that one of the axes' lines runs through (e.g. a value label
    crossed by a reference line)."""
    r = renderer(fig)
    out = []
    for ax in fig.axes:
        lines = reference_lines(ax)
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

