"""Content is text, never markup: escape anything from content files, parameters or data.

Text reaches the book as MyST markdown, which Sphinx then writes as HTML and LaTeX. Escaping
every ASCII punctuation character with a backslash (CommonMark's escape) makes MyST read the
text literally: no roles, directives, raw HTML, math, links or emphasis survive. Newlines are
folded to spaces so no block structure (fences, headings, indented code) can start. Sphinx then
escapes the resulting text nodes for HTML and LaTeX itself.
"""

from __future__ import annotations

import re
from typing import Any

_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def myst_text(value: Any) -> str:
    """``value`` as MyST inline text that renders literally (e.g. ``<script>`` shows as text)."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return _PUNCT.sub(r"\\\1", text)


#: A number whose digit groups are separated by spaces (``27 820``, ``1 234 567``), the
#: thousands separator of format_number; not digits inside a word (``sha256 792dcef``).
_GROUPED_NUMBER = re.compile(r"\b\d{1,3}(?: \d{3})+\b")
#: A long token (a file name, a DOI, a URL).
_LONG_TOKEN = re.compile(r"\S{25,}")
NBSP, ZWSP = "\u00a0", "\u200b"


def myst_cell(value: Any) -> str:
    """``value`` as literal MyST text for a table cell, which breaks only where a reader
    expects: never inside a number (its digit groups are joined by no-break spaces), and
    after each ``/`` or ``_`` of a long token such as a file name or a DOI (a zero-width
    space, which the browser breaks at and the LaTeX preamble turns into a break point)."""
    escaped = _GROUPED_NUMBER.sub(lambda m: m.group(0).replace(" ", NBSP), myst_text(value))
    return _LONG_TOKEN.sub(
        lambda m: re.sub(r"(\\[/_])(?=\S)", lambda b: b.group(1) + ZWSP, m.group(0)), escaped)
