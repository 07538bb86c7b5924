"""Reading a built page as a reader sees it: its article (the theme's navigation and footer
left out) and that article's text."""

from __future__ import annotations

import html
import re
from pathlib import Path


def article(page: Path) -> str:
    """The HTML of a built page's ``<article>`` (the whole page when it has none)."""
    body = page.read_text("utf-8")
    found = re.search(r"<article[^>]*>(.*)</article>", body, re.S)
    return found.group(1) if found else body


def text_of(markup: str) -> str:
    """Markup as text: tags dropped, entities read, all white space (no-break spaces too)
    one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())
