"""What a reader of a printed edition would notice, measured on the PDF with poppler.

- :func:`overflowing_words`: words set past the text block (a file name or a URL that does
  not wrap runs into the margin), from ``pdftotext -bbox``.
- :func:`page_fill`: how far down each page the ink reaches, from a coarse rendering
  (``pdftoppm``): figures are vector drawings without words, so text alone would not do.
- :func:`layout_report`: pages, blank pages, sparse pages (under a quarter full, a chapter's
  last page excepted) and overflowing words, the rules every edition's PDF must pass.

The geometry is Sphinx's LaTeX page on A4: a 1 inch margin on every side, the running head
above the text block and the page number below it.
"""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: The text block of a portrait A4 page, in PostScript points (x0, y0, x1, y1).
PORTRAIT_BLOCK = (72.27, 72.27, 523.01, 769.62)
#: The same block on a landscape page (pdflscape), in the coordinates pdftotext reports.
LANDSCAPE_BLOCK = (30.0, 72.27, 812.0, 523.01)
#: A word may pass the block by this much (glyph side bearings, italic overhang).
TOLERANCE_PT = 1.5
#: The same for a word set upright, whose box is its font's full glyph box wide.
ROTATED_TOLERANCE_PT = 5.0
#: A page whose ink reaches less than this share of the text block is sparse.
SPARSE_FILL = 0.25
#: Rendering resolution for the fill measure (dots per inch).
FILL_DPI = 24

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"([^<]*)</word>")
_PAGE = re.compile(r"<page width=\"[\d.]+\" height=\"[\d.]+\">(.*?)</page>", re.S)


@dataclass
class LayoutReport:
    """The print rules measured on one PDF (pages are numbered from 1)."""

    pages: int
    blank: list[int] = field(default_factory=list)
    sparse: list[int] = field(default_factory=list)
    fill: list[float] = field(default_factory=list)
    chapter_last: list[int] = field(default_factory=list)
    overflowing: list[tuple[int, str]] = field(default_factory=list)

    def problems(self) -> dict[str, list]:
        """Each broken rule with its pages (empty lists when the PDF passes)."""
        return {"blank pages": self.blank, "sparse pages": self.sparse,
                "words past the text block": self.overflowing[:20]}


def _run(*cmd: str) -> str:
    return subprocess.run(list(cmd), capture_output=True, text=True, check=True).stdout


def landscape_pages(pdf: Path) -> set[int]:
    """Pages shown rotated (``/Rotate 90``: pdflscape's landscape tables)."""
    out = _run("pdfinfo", "-f", "1", "-l", "100000", str(pdf))
    return {int(m.group(1)) for m in re.finditer(r"^Page\s+(\d+) rot:\s+(90|270)", out, re.M)}


def words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Every page's words with their boxes (x0, y0, x1, y1, text), from ``pdftotext -bbox``."""
    out = _run("pdftotext", "-bbox", str(pdf), "-")
    return [[(float(a), float(b), float(c), float(d), html.unescape(t))
             for a, b, c, d, t in _WORD.findall(body)] for body in _PAGE.findall(out)]


def overflowing_words(pdf: Path) -> list[tuple[int, str]]:
    """Words that pass the text block sideways: ``(page, word)``."""
    rotated = landscape_pages(pdf)
    found = []
    for k, page in enumerate(words(pdf), start=1):
        x0, _, x1, _ = LANDSCAPE_BLOCK if k in rotated else PORTRAIT_BLOCK
        for wx0, wy0, wx1, wy1, text in page:
            # A word set upright (an axis title of a figure) has a box as wide as its font's
            # full height (the PDF's Type 3 fonts give their whole glyph box), more than ink.
            upright = (wy1 - wy0) > 1.5 * (wx1 - wx0)
            tolerance = ROTATED_TOLERANCE_PT if upright else TOLERANCE_PT
            if wx0 < x0 - tolerance or wx1 > x1 + tolerance:
                found.append((k, text))
    return found


def page_fill(pdf: Path) -> list[float]:
    """For each page, the share of the text block's height down to which ink reaches (0 for a
    page with nothing in its text block, 1 for a full one)."""
    fills = []
    with tempfile.TemporaryDirectory() as tmp:
        _run("pdftoppm", "-r", str(FILL_DPI), "-gray", str(pdf), str(Path(tmp) / "p"))
        for img in sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1])):
            pixels = _read_pgm(img)
            scale = FILL_DPI / 72
            height, width = pixels.shape
            top, bottom = PORTRAIT_BLOCK[1], PORTRAIT_BLOCK[3]
            if width > height:  # a landscape page, rendered turned
                top, bottom = 72.27, height / scale - 72.27
            rows = pixels[int(top * scale):int(bottom * scale)]
            inked = np.nonzero((rows < 200).any(axis=1))[0]
            fills.append(0.0 if inked.size == 0 else float((inked[-1] + 1) / rows.shape[0]))
    return fills


def _read_pgm(path: Path) -> np.ndarray:
    """A binary PGM (P5) file as a 2-D array of grey levels."""
    data = path.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    width, height = int(fields[1]), int(fields[2])
    pixels = np.frombuffer(data, dtype=np.uint8, count=width * height, offset=pos + 1)
    return pixels.reshape(height, width)


def chapter_starts(pdf: Path) -> list[int]:
    """Pages on which a chapter or an appendix opens (Sphinx sets "CHAPTER" or "APPENDIX"
    above its title)."""
    pages = _run("pdftotext", "-layout", str(pdf), "-").split("\f")
    return [k for k, text in enumerate(pages, start=1)
            if text.strip()
            and text.strip().splitlines()[0].strip().upper() in {"CHAPTER", "APPENDIX"}]


def layout_report(pdf: Path) -> LayoutReport:
    """Measure the print rules on ``pdf``: no blank page, no page under a quarter full except
    a chapter's last page (the page before a chapter opens, the PDF's last page, and the last
    portrait page before landscape pages that end a chapter), no word past the text block."""
    fill = page_fill(pdf)
    n = len(fill)
    texts = [" ".join(w[4] for w in page) for page in words(pdf)]
    starts = chapter_starts(pdf)
    last = {s - 1 for s in starts if s > 1} | {n}
    # A landscape table that ends a chapter takes pages of its own: the portrait page before
    # it is where the chapter's running text ends, so it counts as a last page too.
    rotated = landscape_pages(pdf)
    for page in sorted(last):
        while page in rotated and page > 1:
            page -= 1
        last.add(page)
    last = sorted(last)
    blank = [k for k in range(1, n + 1) if fill[k - 1] == 0.0 and not texts[k - 1].strip()]
    toc_end = starts[0] if starts else 1  # the cover and contents are set as they are
    sparse = [k for k in range(toc_end, n + 1)
              if fill[k - 1] < SPARSE_FILL and k not in last and k not in blank]
    return LayoutReport(pages=n, blank=blank, sparse=sparse, fill=fill, chapter_last=last,
                        overflowing=overflowing_words(pdf))
