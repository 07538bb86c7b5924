"""A Sphinx extension that numbers figures and tables as the reader expects them.

Sphinx numbers figures and tables through the whole book (``numfig_secnum_depth: 0``). After
it has assigned its numbers (``env-get-updated``), this extension numbers them again, by the
configuration value ``eocic_numbering``:

- ``"per_page"`` (the atlas, one page per region): each page's figures and tables of each kind
  are numbered from 1 in the page's order, so that a page near the end does not show
  "Figure 75".
- a mapping ``{"figure": {label: number}, "table": {label: number}}`` (an edition): the
  briefing keeps the 2019 briefing's own numbers for the figures and tables it reproduces
  (declared in ``notebooks/pipeline.yaml``); any other figure or table of the briefing is
  lettered A, B, ... in reading order. The technical report (pages under ``report/``) numbers
  its own R1, R2, ..., so that no number of the report can be read as one of the briefing's.

References (``numref``) read the same numbers. In print, LaTeX numbers floats with its own
counters, so each figure and table of the PDF is preceded by a redefinition of
``\\thefigure`` or ``\\thetable`` to the number given here (``doctree-resolved``).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes

from eocic_helpers.core.pipeline import REPORT_DIR

#: Pages of the technical report (the same site as the briefing, a part of its own).
REPORT_PREFIX = f"{REPORT_DIR}/"
#: The mark before the technical report's own figure and table numbers.
REPORT_MARK = "R"


def letters(n: int) -> str:
    """1 -> 'A', 26 -> 'Z', 27 -> 'AA': the label of the n-th lettered figure or table."""
    text = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def _per_page(env: Any) -> None:
    for numbers in env.toc_fignumbers.values():
        for figtype, ids in numbers.items():
            ordered = sorted(ids, key=ids.__getitem__)  # the page's reading order
            numbers[figtype] = {fig_id: (n,) for n, fig_id in enumerate(ordered, start=1)}


def _briefing(env: Any, declared: dict[str, dict[str, Any]]) -> None:
    """Declared numbers (by label) in the briefing, letters for the rest; the report's pages
    R1, R2, .... Reading order across pages is Sphinx's own numbering (the table of contents')."""
    wanted = {figtype: {nodes.make_id(label): str(number) for label, number in labels.items()}
              for figtype, labels in declared.items()}
    for in_report in (False, True):
        pages = {d for d in env.toc_fignumbers if d.startswith(REPORT_PREFIX) == in_report}
        by_type: dict[str, list[tuple[tuple[int, ...], str, dict[str, Any]]]] = {}
        for docname in pages:
            for figtype, ids in env.toc_fignumbers[docname].items():
                by_type.setdefault(figtype, []).extend(
                    (number, fig_id, ids) for fig_id, number in ids.items())
        for figtype, found in by_type.items():
            counter = 0
            for _, fig_id, ids in sorted(found, key=lambda entry: entry[0]):
                fixed = None if in_report else wanted.get(figtype, {}).get(fig_id)
                if fixed is None:
                    counter += 1
                    fixed = (f"{REPORT_MARK}{counter}" if in_report else
                             str(counter) if figtype not in wanted else letters(counter))
                ids[fig_id] = (fixed,)


def _renumber(app: Any, env: Any) -> list[str]:
    plan = app.config.eocic_numbering
    if plan == "per_page":
        _per_page(env)
    elif isinstance(plan, dict):
        _briefing(env, plan)
    return []


_COUNTERS = {nodes.figure: ("figure", "thefigure"), nodes.table: ("table", "thetable")}


def _latex_numbers(app: Any, doctree: nodes.document, docname: str) -> None:
    """Before each figure and table of the PDF, set LaTeX's printed number to ours."""
    if app.builder.format != "latex" or not app.config.eocic_numbering:
        return
    numbers = {(figtype, fig_id): number
               for page in app.env.toc_fignumbers.values()
               for figtype, ids in page.items() for fig_id, number in ids.items()}
    for kind, (figtype, macro) in _COUNTERS.items():
        for node in list(doctree.findall(kind)):
            number = next((numbers[(figtype, i)] for i in node["ids"]
                           if (figtype, i) in numbers), None)
            if number is not None and node.parent is not None:
                shown = ".".join(map(str, number))
                node.parent.insert(node.parent.index(node), nodes.raw(
                    "", f"\\renewcommand{{\\{macro}}}{{{shown}}}", format="latex"))


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("eocic_numbering", None, "env")
    # after Sphinx's own numbering (the toctree collector listens at the default priority)
    app.connect("env-get-updated", _renumber, priority=900)
    app.connect("doctree-resolved", _latex_numbers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
