"""A Sphinx extension for the editions: a figure's data link stays a link in print.

In HTML, "Data of this figure (CSV)" is a download link. Sphinx's LaTeX writer sets a download
as plain text, so the PDF had a label a reader could not click. For the LaTeX builder each
download of a CSV becomes a hyperlink to the file's stable place on the published site
(``<edition>/figures/<file>.csv``, which the book copies there), relative to the PDF's own
place (``pdf/<edition>.pdf``): the value ``eocic_data_base`` (e.g.
``"../centre-val-de-loire/figures/"``) set per edition.
"""

from __future__ import annotations

import posixpath
from typing import Any

from docutils import nodes
from sphinx import addnodes


def _links_in_print(app: Any, doctree: Any, docname: str) -> None:
    base = app.config.eocic_data_base
    if app.builder.format != "latex" or not base:
        return
    for node in list(doctree.findall(addnodes.download_reference)):
        target = node.get("reftarget", "")
        if not target.endswith(".csv"):
            continue
        link = nodes.reference("", "", internal=False,
                               refuri=base + posixpath.basename(target))
        link += nodes.Text(node.astext())
        node.replace_self(link)


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("eocic_data_base", "", "env")
    app.connect("doctree-resolved", _links_in_print)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
