"""Pages the book writes itself: the data-and-methods, fidelity and "for analysts" appendices.

They are built from what the runs produced (``results.json``), from the data catalogue
(``data/sources.yaml``, the snapshot's indicator list, the briefing's reference values) and
from static prose in ``book/``. No analysis module is imported here: the book only assembles.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eocic_helpers.core import paths
from eocic_helpers.core.regions import SEED_REGION, Region
from eocic_helpers.outputs.escape import myst_text

if TYPE_CHECKING:  # pandas is imported where a table is made: a no-op book stays light
    import pandas as pd

#: Folder of static method documentation, one Markdown fragment per topic, in name order.
METHODS_DIR = "methods"


def results(region_id: str) -> dict[str, Any]:
    """The merged ``results.json`` of a run (empty when the region has not run)."""
    f = paths.run_dir(region_id) / "results.json"
    try:
        return json.loads(f.read_text("utf-8")) if f.exists() else {}
    except json.JSONDecodeError:
        return {}


def _demote_headings(text: str) -> str:
    """Fragments are sections of the appendix: '# X' becomes '## X' (outside code fences)."""
    out, fence = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        out.append("#" + line if not fence and line.startswith("#") else line)
    return "\n".join(out)


def methods_fragments(book_dir: Path | None = None) -> list[str]:
    """The static method documentation ``book/methods/*.md``, in sorted file order."""
    folder = Path(book_dir or paths.BOOK_TEMPLATES) / METHODS_DIR
    return [_demote_headings(f.read_text("utf-8")).strip() + "\n"
            for f in sorted(folder.glob("*.md"))] if folder.is_dir() else []


def sources_table() -> pd.DataFrame:
    """One row per source: dataset, vintage, licence and the raw files' checksums."""
    import pandas as pd

    from eocic_helpers.data.sources import load_sources

    rows = []
    for s in load_sources().values():
        files = "; ".join(f"{name} (sha256 {sha[:12]}…)" for name, sha in s.files.items())
        rows.append({"Source": f"{s.publisher}: {s.title}", "Dataset": s.dataset_code or "",
                     "Vintage": s.vintage,
                     "Licence and attribution": f"{s.licence}. {s.attribution}",
                     "Raw files": files or "none"})
    return pd.DataFrame(rows)


def indicators_table() -> pd.DataFrame:
    """The snapshot's indicators: label, unit, dataset and derivation."""
    import pandas as pd

    from eocic_helpers.data.snapshot import UNITS

    ind = pd.read_csv(paths.SNAPSHOT / "indicators.csv", keep_default_na=False)
    ind["unit"] = ind["unit"].map(lambda u: UNITS.get(u, u))
    # A derivation may name another indicator by its id: readers see its label instead.
    labels = dict(zip(ind["indicator"], ind["label"], strict=True))
    ids = re.compile(r"\b(" + "|".join(sorted(map(re.escape, labels), key=len, reverse=True))
                     + r")\b")
    ind["derivation"] = ind["derivation"].map(lambda d: ids.sub(lambda m: labels[m.group(1)], d))
    return ind[["label", "unit", "dataset_code", "derivation"]].rename(columns={
        "label": "Indicator", "unit": "Unit", "dataset_code": "Dataset",
        "derivation": "Derivation"})


def data_methods_md() -> str:
    """The data-and-methods appendix: sources, indicators and the method fragments."""
    from eocic_helpers.outputs.publication import myst_list_table

    parts = ["# Data and methods", "",
             "Every value of this edition comes from the sources below, through a snapshot of "
             "the raw files that the project rebuilds deterministically (the raw files' "
             "checksums are verified).", "",
             "## Sources", "",
             myst_list_table(sources_table(), "Sources, vintages, licences and checksums.",
                             "tab-sources"),
             "## Indicators and transformations", "",
             myst_list_table(indicators_table(), "Indicators of the snapshot and how each is "
                             "derived.", "tab-indicators")]
    parts += methods_fragments()
    return "\n".join(parts) + "\n"


def fidelity_md(region: Region, res: dict[str, Any]) -> str:
    """The fidelity appendix: the briefing's numbers against this run's ``results.json``."""
    from eocic_helpers.data.reference import fidelity_table, load_reference

    parts = ["# Fidelity to the briefing", ""]
    if region.id != SEED_REGION:
        parts.append(f"The seed briefing covers Centre-Val de Loire only, so there are no "
                     f"published numbers for {myst_text(region.name)} to compare with.")
        return "\n".join(parts) + "\n"
    from eocic_helpers.data.reference import briefing_comparisons
    from eocic_helpers.outputs.publication import myst_list_table

    comps = briefing_comparisons(res)  # the chapters' checks, claims included
    ref = load_reference()
    table = fidelity_table(comps)
    if "value" in table and "note" in ref:  # a reader sees the value's name, not its id
        table["value"] = table["value"].map(lambda i: ref["note"].get(i) or i)
    not_computable = ref[ref["computable"] == "no"].reset_index()
    parts += ["The briefing's numbers that a computation can reproduce, against this run, "
              "with the tolerance each comparison allows.", "",
              myst_list_table(table, "The briefing's numbers against ours.",
                              "tab-fidelity"),
              "", "These numbers of the briefing cannot be recomputed from public data here; "
              "they are quoted where used and flagged as such:", "",
              myst_list_table(not_computable[["value", "unit", "where", "note"]].rename(
                  columns={"value": "Value", "unit": "Unit", "where": "Where in the briefing",
                           "note": "Note"}),
                  "Numbers quoted, not recomputed.", "tab-not-computable")]
    return "\n".join(parts) + "\n"
