"""One look for every figure: a seaborn theme with a colour-blind-safe palette."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # headless by default; JupyterLab's inline backend still shows figures

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
PALETTE: list[str] = [
    OKABE_ITO[k]
    for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "yellow")
]
#: Roles used across figures, so the region, its country and the EU look the same everywhere.
HIGHLIGHT = OKABE_ITO["vermillion"]
COUNTRY = OKABE_ITO["blue"]
EU = OKABE_ITO["black"]
MUTED = OKABE_ITO["grey"]


#: Width every figure is drawn at, in inches: the PDF's text block (6.27 in), so that the PDF
#: shows figures at their drawn size and the HTML column (660 px) at ~1.05x
#: (measured on the built editions: tests/support/legibility_checks.py): 452.97 pt of 72.27
#: to the inch.
FIGURE_WIDTH_IN = 452.9679 / 72.27
#: Font sizes in points. The smallest, 8.5 pt, stays above 8 pt in the PDF and 11 px in HTML.
FONT_PT = 9.0
SMALL_PT = 8.5
TITLE_PT = 10.0


def set_theme() -> None:
    """Apply the project theme and make saved figures byte-for-byte reproducible."""
    sns.set_theme(context="paper", style="whitegrid", palette=PALETTE, font="DejaVu Sans")
    plt.rcParams.update(
        {
            "svg.hashsalt": "eocic",  # stable SVG element ids
            "svg.fonttype": "path",
            # PDF figures keep their text as text, searchable and copyable: Type 3 fonts, which
            # look as TrueType (Type 42) does in print and save faster (docs/performance.md).
            "pdf.fonttype": 3,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "savefig.pad_inches": 0.05,
            "font.size": FONT_PT,
            "axes.titlesize": TITLE_PT,
            "axes.titleweight": "bold",
            # Titles sit just above their axes (no figure has ticks or labels above an axes),
            # without matplotlib's costly automatic placement (docs/performance.md).
            "axes.titley": 1.0,
            "axes.labelsize": FONT_PT,
            "xtick.labelsize": SMALL_PT,
            "ytick.labelsize": SMALL_PT,
            "legend.fontsize": SMALL_PT,
            "legend.title_fontsize": FONT_PT,
            "figure.titlesize": TITLE_PT + 1,
            "figure.titleweight": "bold",
            # Content is text, never markup: a "$" in a label is a dollar sign, not mathtext.
            "text.parse_math": False,
        }
    )



def category_bars(ax: Axes, labels: Sequence[str], values: Sequence[float],
                  colours: Sequence[str], *, width: float = 0.8,
                  linewidth: float = 0.4) -> None:
    """Horizontal bars, one per label, top to bottom, outlined in black: the bars, ticks,
    limits and grid of seaborn's ``barplot(orient="h")`` of one value per category, drawn
    with one ``barh`` and no empty error bars (docs/performance.md)."""
    n = len(labels)
    ax.barh([i - width / 2 for i in range(n)], list(values), height=width, align="edge",
            color=list(colours), edgecolor="black", linewidth=linewidth)
    ax.set_yticks(range(n), list(labels))
    ax.yaxis.grid(False)
    ax.set_ylim(n - 0.5, -0.5, auto=None)  # as seaborn: y autoscaling stays as it was
