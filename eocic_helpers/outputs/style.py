"""One look for every figure: a seaborn theme with a colour-blind-safe palette."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # headless by default; JupyterLab's inline backend still shows figures

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

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


def set_theme() -> None:
    """Apply the project theme and make saved figures byte-for-byte reproducible."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font="DejaVu Sans")
    plt.rcParams.update(
        {
            "svg.hashsalt": "eocic",  # stable SVG element ids
            "svg.fonttype": "path",
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "axes.titleweight": "bold",
            "axes.titlesize": 11,
            # Content is text, never markup: a "$" in a label is a dollar sign, not mathtext.
            "text.parse_math": False,
        }
    )
