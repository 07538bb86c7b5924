"""Content is text, never markup: escape anything from content files, parameters or data.

Text becomes MyST through :func:`myst_text`, and CSV cells through :func:`csv_cell` (no
spreadsheet formula survives).

Text reaches the book as MyST markdown, which Sphinx then writes as HTML and LaTeX. Escaping
every ASCII punctuation character with a backslash (CommonMark's escape) makes MyST read the
text literally: no roles, directives, raw HTML, math, links or emphasis survive. Newlines are
folded to spaces so no block structure (fences, headings, indented code) can start. Sphinx then
escapes the resulting text nodes for HTML and LaTeX itself.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def myst_text(value: Any) -> str:
    """``value`` as MyST inline text that renders literally (e.g. ``<script>`` shows as text)."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return _PUNCT.sub(r"\\\1", text)


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection"):
#: equals, plus, minus, at, tab and carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:[0-9][0-9_]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def csv_cell(value: Any) -> Any:
    """A value safe to open in a spreadsheet: text that starts like a formula
    (:data:`FORMULA_STARTS`), also after leading blanks, gets a leading apostrophe, as OWASP
    advises, so ``=HYPERLINK(...)`` is shown, never run. Numbers, and text that is a plain
    number such as ``-0.5``, are kept as they are. A carriage return becomes a line feed."""
    if not isinstance(value, str):
        return value
    # Spreadsheets skip leading blanks before reading a formula: " =HYPERLINK(...)" runs too.
    start = value.lstrip(" \u00a0\n\x0b\x0c")
    if start.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(start):
        value = "'" + value
    # A carriage return inside a cell becomes a line feed: Python's CSV writer quotes a cell
    # holding the line terminator ("\n") but not a lone "\r", which would end the row.
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def csv_safe(frame: Any) -> Any:
    """A copy of a pandas DataFrame whose text cells and column names pass :func:`csv_cell`
    (the frame itself when nothing needs it). Numeric columns are never touched."""
    text_columns = [c for c in frame.columns if frame[c].dtype == object
                    or str(frame[c].dtype) in {"string", "str"}]
    needs = any(isinstance(c, str) and csv_cell(c) != c for c in frame.columns) or any(
        frame[c].map(lambda v: csv_cell(v) is not v).any() for c in text_columns)
    if not needs:
        return frame
    out = frame.copy()
    for c in text_columns:
        out[c] = out[c].map(csv_cell)
    out.columns = [csv_cell(c) for c in out.columns]
    return out


def csv_text_safe(text: str) -> str:
    """CSV text (as written by pandas or the csv module) with every cell passed through
    :func:`csv_cell`; returned unchanged, byte for byte, when no cell needs it."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    safe = [[csv_cell(c) for c in row] for row in rows]
    if safe == rows:
        return text
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(safe)
    return out.getvalue()


#: A number whose digit groups are separated by spaces (``27 820``, ``1 234 567``), the
#: thousands separator of format_number; not digits inside a word (``sha256 792dcef``).
GROUPED_NUMBER = re.compile(r"\b\d{1,3}(?: \d{3})+\b")
#: A long token (a file name, a DOI, a URL).
_LONG_TOKEN = re.compile(r"\S{25,}")
NBSP, ZWSP = "\u00a0", "\u200b"
#: The escaped "+" between two codes of a list such as ``DED2+DED4+DED5``.
_JOINED_CODES = re.compile(r"(?<=\w)\\\+(?=\w)")


def myst_cell(value: Any) -> str:
    """``value`` as literal MyST text for a table cell, which breaks only where a reader
    expects: never inside a number (its digit groups are joined by no-break spaces), and
    after each ``/`` or ``_`` of a long token such as a file name or a DOI, and after each
    ``+`` of a list of codes (a zero-width space, which the browser breaks at and the LaTeX
    preamble turns into a break point)."""
    escaped = GROUPED_NUMBER.sub(lambda m: m.group(0).replace(" ", NBSP), myst_text(value))
    escaped = _LONG_TOKEN.sub(
        lambda m: re.sub(r"(\\[/_])(?=\S)", lambda b: b.group(1) + ZWSP, m.group(0)), escaped)
    return _JOINED_CODES.sub(lambda m: m.group(0) + ZWSP, escaped)
