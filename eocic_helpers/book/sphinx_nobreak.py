"""A Sphinx extension: numbers never break across lines in running text.

After every reference is resolved (``doctree-resolved``, so glued numbers are in), each text of
a page outside code and raw output gets no-break spaces (U+00A0, ``~`` in LaTeX) between the
digit groups of a number (``27 820``), between a number and its unit (``34.5 %``,
``78 000 EUR``) and after a currency before its number (``EUR 29 627``). Table cells have them
already (:func:`eocic_helpers.outputs.escape.myst_cell`).
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes

from eocic_helpers.outputs.escape import GROUPED_NUMBER, NBSP

#: A space a line must not break at: before a unit after a number, after a currency before one.
_UNIT_SPACE = re.compile(r"(?<=\d) (?=%|(?:EUR|pp)\b)|(?<=\bEUR) (?=\d)")
_SKIP = (nodes.literal, nodes.literal_block, nodes.raw, nodes.math, nodes.math_block)


def no_break(text: str) -> str:
    """``text`` with no-break spaces inside numbers and between numbers and their units."""
    text = GROUPED_NUMBER.sub(lambda m: m.group(0).replace(" ", NBSP), text)
    return _UNIT_SPACE.sub(NBSP, text)


def _join_numbers(app: Any, doctree: nodes.document, docname: str) -> None:
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or any(isinstance(a, _SKIP) for a in _ancestors(parent)):
            continue
        joined = no_break(str(text))
        if joined != str(text):
            parent.replace(text, nodes.Text(joined))


def _ancestors(node: nodes.Node) -> list[nodes.Node]:
    out = []
    while node is not None:
        out.append(node)
        node = node.parent
    return out


def setup(app: Any) -> dict[str, Any]:
    app.connect("doctree-resolved", _join_numbers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
