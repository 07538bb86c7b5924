"""A Sphinx extension for the editions: escape the page titles the book theme inserts raw.

sphinx-book-theme puts ``pagetitle`` (every page's title, as text) and ``root_title`` (the home
page's title) into its HTML templates without escaping them. A title can carry a region's name,
which is data: escaped here, it can never open a tag.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape


def _escape_titles(app: Any, pagename: str, templatename: str, context: dict[str, Any],
                   doctree: Any) -> None:
    for key in ("pagetitle", "root_title"):
        if isinstance(context.get(key), str):
            context[key] = escape(context[key])


def setup(app: Any) -> dict[str, Any]:
    # After the theme's own html-page-context handler (priority 500), which sets the titles.
    app.connect("html-page-context", _escape_titles, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
