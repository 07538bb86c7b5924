"""A Sphinx extension: every glued number of an edition's HTML carries its provenance.

myst-nb's ``{glue:text}`` role pastes a value without saying which key it came from; the role
is wrapped here so that the pasted text keeps its key. After the page is resolved, each such
text becomes, in HTML, a link to the key's row of the technical report's results catalogue
(the page :data:`CATALOGUE_PAGE`) with a tooltip (what the value is, its unit, year and
source, in readers' words) that shows on hover and on keyboard focus (drawn by the
stylesheet from the link's ``data-tip``, so that the page's text stays the sentence) and that
screen readers read after the number (``aria-label``). Print keeps the plain number.

Everything comes from the edition's own ``results.json`` through the results catalogue
(:func:`eocic_helpers.core.results.catalogue_rows`), and every piece of it is escaped.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes

from eocic_helpers.book.sphinx_pages import no_break
from eocic_helpers.core.pipeline import REPORT_DIR
from eocic_helpers.core.results import catalogue_rows

#: The technical report's page that lists every value of the edition with its provenance.
CATALOGUE_PAGE = f"{REPORT_DIR}/catalogue"
_KEY = "eocic_key"
#: A glued text that is a number: digits with their group and decimal marks, a sign, and a
#: per cent sign or an ordinal's ending ("27 820", "-3.5 %", "6th").
NUMBER = re.compile(r"[-+\u2212]?\d[\d\s\u00a0.,]*(?:\s?%|st|nd|rd|th)?")


def anchor(key: str) -> str:
    """The id of a key's row on the catalogue page."""
    return "key-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


def reader_source(source: str) -> str:
    """A catalogue source in readers' words: dataset codes and the briefing's sections stay,
    the project's file paths and working words go."""
    text = re.sub(r"\s*\([^()]*(?:/|\.ya?ml|\.csv|\.json)[^()]*\)", "", source)
    text = re.sub(r"(?:^|(?<=[;,] ))data/regions/[^\s;,]+", "the region's content, restated "
                  "from its 2019 briefing", text)
    text = re.sub(r"(?:^|(?<=[;,] ))(?:data|build)/[^\s;,]+", "our data", text)
    text = re.sub(r"\bthe snapshot\b", "our data", text)
    text = re.sub(r"\brun parameter\b", "a setting of this edition:", text)
    text = text.replace("each pilot's run", "each pilot's results")
    return " ".join(text.split()).strip(" ;,") or "this study"


def tooltip(row: dict[str, str]) -> str:
    """What a value is, its unit and year, and its source, in one line."""
    about = re.sub(r"^the executive summary's copy: |, as the text shows it"
                   r"|, as an ordinal(?: \(1st, 2nd\.\.\.\))?", "", row["about"])
    what = about[:1].upper() + about[1:] if about else row["key"]
    unit = ", ".join(x for x in (row["unit"], row["year"]) if x and x not in ("text", "year"))
    return f"{what}{f' ({unit})' if unit else ''}. Source: {reader_source(row['source'])}."


def _wrap_glue_role() -> None:
    from myst_nb.ext.glue.domain import NbGlueDomain
    from myst_nb.ext.glue.roles import PasteTextRole

    class KeyedPasteText(PasteTextRole):
        """``{glue:text}`` that remembers the key it pasted."""

        def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
            found, messages = super().run()
            key = self.text.split("::")[-1].rsplit(":", 1)[0]  # [doc::]key[:format]
            for node in found:
                if isinstance(node, nodes.inline):
                    node[_KEY] = key
            return found, messages

    NbGlueDomain.roles = {**NbGlueDomain.roles, "text": KeyedPasteText()}


def _catalogue(app: Any) -> dict[str, dict[str, str]]:
    if not hasattr(app.env, "eocic_catalogue"):
        results = Path(app.srcdir) / "results.json"
        raw = json.loads(results.read_text("utf-8")) if results.is_file() else {}
        app.env.eocic_catalogue = {r["key"]: r for r in catalogue_rows(raw)}
    return app.env.eocic_catalogue


def _link_numbers(app: Any, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    rows = _catalogue(app)
    target = app.builder.get_relative_uri(docname, CATALOGUE_PAGE)
    for node in list(doctree.findall(nodes.inline)):
        row = rows.get(node.get(_KEY, ""))
        if row is None or node.parent is None or row["unit"] == "year" or not NUMBER.fullmatch(
                node.astext().strip()):
            continue  # a name, a sentence or a year reads as text; a value shows its source
        number, tip = html.escape(no_break(node.astext())), html.escape(tooltip(row))
        markup = (f'<a class="eocic-value" href="{html.escape(target)}#{anchor(row["key"])}" '
                  f'data-tip="{tip}" aria-label="{number}: {tip}">{number}</a>')
        node.parent.replace(node, nodes.raw("", markup, format="html"))


def catalogue_md(results: dict[str, Any]) -> str:
    """The catalogue page of the technical report (MyST): every value of the edition, one entry
    per key (what it is and its value, then its unit, year, source and key), each entry the
    target of the links the briefing's numbers carry. A list, not a table: the entries are
    long and many, and a list wraps between words on any screen."""

    def cell(value: Any) -> str:
        return html.escape(no_break(" ".join(str(value).split())))

    def entry(r: dict[str, str]) -> str:
        details = [f"{c} {cell(r[c])}" for c in ("unit", "year", "source") if r[c]]
        return (f'<dt id="{anchor(r["key"])}">{cell(r["about"] or r["key"])}: '
                f"{cell(r['value'])}</dt><dd>{'; '.join(details)}; key "
                f"<code>{cell(r['key'])}</code></dd>\n")

    entries = "".join(entry(r) for r in catalogue_rows(results))
    return ("# Where each number comes from\n\n"
            "Every number the briefing quotes links here: what it is and its value, then its "
            "unit, year and source, and the key under which the results file of this edition "
            "holds it.\n\n```{raw} html\n"
            f'<dl class="eocic-catalogue">\n{entries}</dl>\n```\n')


def setup(app: Any) -> dict[str, Any]:
    _wrap_glue_role()
    app.connect("doctree-resolved", _link_numbers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
