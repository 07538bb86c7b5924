"""A Sphinx extension for the editions: what every page writes, made safe and readable.

- Titles: sphinx-book-theme puts ``pagetitle`` (every page's title, as text) and ``root_title``
  (the home page's title) into its HTML templates without escaping them. A title can carry a
  region's name, which is data: escaped here, it can never open a tag.
- ARIA roles: docutils writes a bibliography as ``<div role="list">`` holding entries with
  ``role="doc-biblioentry"``, a role ARIA 1.2 deprecates; screen readers (and axe-core) then
  see a list without items. Each entry becomes a plain ``listitem`` of that list.
- Data links in print: Sphinx's LaTeX writer sets a download link ("Data of this figure
  (CSV)") as plain text; in the PDF each download of a CSV becomes a link to the file on the
  published site: ``eocic_data_base`` (set per edition, relative to ``pdf/<edition>.pdf``,
  e.g. ``"../centre-val-de-loire/figures/"``) and its name.
- Numbers never break across lines in running text: after every reference is resolved (so
  glued numbers are in), each text of a page outside code and raw output gets no-break spaces
  (U+00A0, ``~`` in LaTeX) between the digit groups of a number (``27 820``), between a number
  and its unit (``34.5 %``, ``78 000 EUR``) and after a currency before its number
  (``EUR 29 627``). Table cells have them already
  (:func:`eocic_helpers.outputs.escape.myst_cell`).
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from docutils import nodes
from markupsafe import escape
from sphinx import addnodes

from eocic_helpers.outputs.escape import GROUPED_NUMBER, NBSP

#: A space a line must not break at: before a unit after a number, after a currency before one.
_UNIT_SPACE = re.compile(r"(?<=\d) (?=%|(?:EUR|pp)\b)|(?<=\bEUR) (?=\d)")
_SKIP = (nodes.literal, nodes.literal_block, nodes.raw, nodes.math, nodes.math_block)


def no_break(text: str) -> str:
    """``text`` with no-break spaces inside numbers and between numbers and their units."""
    text = GROUPED_NUMBER.sub(lambda m: m.group(0).replace(" ", NBSP), text)
    return _UNIT_SPACE.sub(NBSP, text)


def _page_context(app: Any, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: Any) -> None:
    """The page's titles escaped; its bibliography's entries items of their list."""
    for key in ("pagetitle", "root_title"):
        if isinstance(context.get(key), str):
            context[key] = escape(context[key])
    body = context.get("body")
    if isinstance(body, str) and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _resolved(app: Any, doctree: nodes.document, docname: str) -> None:
    """The data links made links in print, then the numbers joined to their units."""
    base = app.config.eocic_data_base
    if app.builder.format == "latex" and base:
        for node in list(doctree.findall(addnodes.download_reference)):
            target = node.get("reftarget", "")
            if target.endswith(".csv"):
                link = nodes.reference("", "", internal=False,
                                       refuri=base + posixpath.basename(target))
                link += nodes.Text(node.astext())
                node.replace_self(link)
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or _in_code(parent):
            continue
        joined = no_break(str(text))
        if joined != str(text):
            parent.replace(text, nodes.Text(joined))


def _in_code(node: nodes.Node | None) -> bool:
    """Whether ``node`` is, or is inside, code, raw output or mathematics."""
    while node is not None and not isinstance(node, _SKIP):
        node = node.parent
    return node is not None


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("eocic_data_base", "", "env")
    # After the theme's own html-page-context handler (priority 500), which sets the titles.
    app.connect("html-page-context", _page_context, priority=900)
    app.connect("doctree-resolved", _resolved)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
