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
