"""Pages the book writes itself: the data-and-methods and "for analysts" annexes.

They are built from what the runs produced (``results.json``), from the data catalogue
(``data/sources.yaml``, the snapshot's indicator list, the briefing's reference values) and
from static prose in ``book/``. No analysis module is imported here: the book only assembles.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from eocic_helpers.book import templates
from eocic_helpers.book.changes import PAGE, data_used
from eocic_helpers.core import paths
from eocic_helpers.core.results import Results, read_results, value
from eocic_helpers.data.sources import load_sources

if TYPE_CHECKING:  # pandas is imported where a table is made: a no-op book stays light
    import pandas as pd

#: Folder of static method documentation, one Markdown fragment per topic, in name order.
METHODS_DIR = "methods"


def results(region_id: str) -> Results:
    """The merged ``results.json`` of a run (empty when the region has not run), read through
    the catalogue of results: a key no notebook declares is refused."""
    return read_results(paths.run_dir(region_id) / "results.json")


def _demote_headings(text: str) -> str:
    """Fragments are sections of the appendix: '# X' becomes '## X' (outside code fences)."""
    out, fence = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        out.append("#" + line if not fence and line.startswith("#") else line)
    return "\n".join(out)


#: A fragment that starts with ``<!-- when: KEY -->`` is placed only in an edition whose run
#: glued KEY as true (the cost method only where the region's own content defines costs).
_WHEN = re.compile(r"^<!--\s*when:\s*([a-z][a-z0-9_]*)\s*-->\s*\n?")


def methods_fragments(flags: dict[str, Any] | None = None) -> list[str]:
    """The static method documentation ``book/methods/*.md``, in sorted file order; with
    ``flags`` (a run's results), only the fragments whose ``when`` key is true there."""
    out = []
    for f in sorted((paths.BOOK_TEMPLATES / METHODS_DIR).glob("*.md")):
        text = f.read_text("utf-8")
        m = _WHEN.match(text)
        if m and flags is not None and not value(flags, m.group(1)):
            continue
        out.append(_demote_headings(_WHEN.sub("", text)).strip() + "\n")
    return out


#: Hexadecimal digits of a raw file's sha256 shown on the analysts' page: enough to tell files
#: apart, narrow enough for the table to fit a screen. The full value is in data/sources.yaml.
SHA_SHOWN = 16


def sources_table(files: bool = False) -> pd.DataFrame:
    """One row per source: dataset, vintage and licence (``files``: the raw files and their
    checksums instead, for the analysts' page)."""
    import pandas as pd

    rows = []
    for s in load_sources().values():
        if files:
            rows += [{"Source": f"{s.publisher}: {s.title}", "Raw file": name,
                      "sha256 (first 16 digits)": sha[:SHA_SHOWN]}
                     for name, sha in s.files.items()]
            continue
        rows.append({"Source": f"{s.publisher}: {s.title}", "Dataset": s.dataset_code or "",
                     "Vintage": s.vintage,
                     "Licence and attribution": f"{s.licence}. {s.attribution}"})
    return pd.DataFrame(rows)


def indicators_table() -> pd.DataFrame:
    """The snapshot's indicators: label, unit, dataset and derivation."""
    import pandas as pd

    from eocic_helpers.data.recipes import declared

    ind = pd.read_csv(paths.SNAPSHOT / "indicators.csv", keep_default_na=False)
    units = declared().units
    ind["unit"] = ind["unit"].map(lambda u: units.get(u, u))
    # A derivation may name another indicator by its id: readers see its label instead.
    # Only ids that cannot be ordinary words (they hold an underscore): "population" in "percent
    # of active population" is a word, not the indicator.
    labels = {i: lab for i, lab in zip(ind["indicator"], ind["label"], strict=True) if "_" in i}
    ids = re.compile(r"\b(" + "|".join(sorted(map(re.escape, labels), key=len, reverse=True))
                     + r")\b")
    ind["derivation"] = ind["derivation"].map(lambda d: ids.sub(lambda m: labels[m.group(1)], d))
    return ind[["label", "unit", "dataset_code", "derivation"]].rename(columns={
        "label": "Indicator", "unit": "Unit", "dataset_code": "Dataset",
        "derivation": "Derivation"})


def data_methods_md(flags: dict[str, Any] | None = None) -> str:
    """The data-and-methods appendix (the template ``book/data_methods.md``): sources,
    indicators and the method fragments; on fetched data, which data the edition uses and
    where what differs is."""
    from eocic_helpers.outputs.publication import myst_list_table

    return templates.render("data_methods.md", {
        "used": data_used(), "changes_title": PAGE.title,
        "sources": Markup(myst_list_table(sources_table(), "Sources, vintages and licences.",
                                          "tab-sources")),
        "indicators": Markup(myst_list_table(indicators_table(), "Indicators of the snapshot "
                                             "and how each is derived.", "tab-indicators")),
        "methods": Markup("\n".join(methods_fragments(flags=flags)))})


def raw_files_md() -> str:
    """The raw files of every source with their sha256, for the analysts' page (MyST)."""
    from eocic_helpers.outputs.publication import myst_list_table

    return myst_list_table(sources_table(files=True),
                           "Raw files and the first 16 of the 64 hexadecimal digits of their "
                           "sha256 checksums (data/sources.yaml holds each in full, and the "
                           "snapshot build verifies every file against it).", "tab-raw-files")
