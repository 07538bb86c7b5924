"""A Sphinx extension for the editions: ARIA roles that assistive technology understands.

docutils writes a bibliography as ``<div role="list">`` holding entries with
``role="doc-biblioentry"``, a role ARIA 1.2 deprecates; screen readers (and axe-core) then see
a list without items. Each entry becomes a plain ``listitem`` of that list.
"""

from __future__ import annotations

from typing import Any


def _list_items(app: Any, pagename: str, templatename: str, context: dict[str, Any],
                doctree: Any) -> None:
    body = context.get("body")
    if isinstance(body, str) and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _list_items)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
