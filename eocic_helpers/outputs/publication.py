"""What a notebook hands to the book: glued values, figures, tables and ``results.json``.

A notebook opens a :class:`Publication`, then calls ``glue_all`` (or ``glue``), ``figure`` and
``table``. Every value goes both to myst-nb's glue (for the book's prose) and to a results
fragment that the runner merges into ``build/runs/<region>/results.json``; each key is one that
``notebooks/results.yaml`` declares for the notebook (:mod:`eocic_helpers.core.results`), glued
with the format it declares. Figures are saved as SVG and PDF, the formats something reads (the
HTML edition and JupyterLab show the SVG, the PDF edition embeds the PDF; both vector), with
their data as CSV, deterministically, and shown with a numbered caption and alt text: the book
points at ``figures/<name>.*``, so Sphinx takes the SVG for HTML and the PDF for print.
"""

from __future__ import annotations

import base64
import html
import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import display

from eocic_helpers.core import atomic, paths, reads
from eocic_helpers.core.errors import ConfigError, EocicError
from eocic_helpers.core.results import TEXT_SUFFIX, Unavailable, load_catalogue
from eocic_helpers.outputs.escape import csv_safe, myst_cell, myst_text
from eocic_helpers.outputs.fragments import FRAGMENT_SUFFIX, OUTPUT_ENV, merge_results
from eocic_helpers.outputs.numbers import format_number


class GlueText:
    """A string whose text/plain form has no quotes, so ``{glue:text}`` prints it as is."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class Bundle:
    """An output with HTML for JupyterLab, MyST markdown for the book (see _config.yml) and
    plain text."""

    def __init__(self, html_text: str, myst_text: str, plain: str) -> None:
        self._html, self._myst, self._plain = html_text, myst_text, plain

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self._html, "text/markdown": self._myst, "text/plain": self._plain}


@dataclass
class Publication:
    """The outputs of one notebook run for one region."""

    region: str
    notebook: str
    output_dir: Path = field(default_factory=Path)
    values: dict[str, Any] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)

    def glue(self, key: str, value: Any) -> None:
        """Record ``value`` under ``key`` for the book's prose and ``results.json``.

        Raises:
            ConfigError: ``notebooks/results.yaml`` does not declare ``key`` for this notebook
                (one line).
        """
        from myst_nb import glue as nb_glue

        load_catalogue().check_glue(self.notebook, key)
        value = _jsonable(value)
        if isinstance(value, str):
            nb_glue(key, GlueText(value), display=False)
        else:
            nb_glue(key, value, display=False)
        self.values[key] = value

    def glue_all(self, values: dict[str, Any]) -> None:
        """Glue every value of ``values`` as ``notebooks/results.yaml`` declares it: a number
        with a format also gets its text under ``<key>_text``, thousands separated by a space,
        as in the briefing, and a missing number reads as the declared ``missing`` text (an
        :class:`Unavailable` as its reason), so the prose says so instead of failing. Any
        other value is glued as it is. ``finish`` then checks that the notebook glued every
        key it declares.

        Raises:
            ConfigError: a key the notebook does not declare.
        """
        for key, value in values.items():
            hit = load_catalogue().check_glue(self.notebook, key)
            if not hit.entry.number or hit.text:
                self.glue(key, value)
                continue
            decl = hit.entry.decl
            missing = decl.missing
            if isinstance(value, Unavailable):
                value, missing = None, value.reason
            self.glue(key, value)
            self.glue(f"{key}{TEXT_SUFFIX}", format_number(value, decl.format, missing))

    def figure(
        self,
        fig: Any,
        name: str,
        *,
        caption: str,
        alt: str,
        data: pd.DataFrame,
        source: str,
    ) -> None:
        """Save ``fig`` as SVG and PDF and ``data`` as CSV, then show it with caption and alt
        text. The book takes the SVG (HTML) or the PDF (print), both vector; JupyterLab shows
        the SVG inline. No PNG: nothing reads one.

        Args:
            fig: a matplotlib Figure.
            name: file stem, e.g. ``action_plan_gantt``.
            caption: what the figure shows (one sentence).
            alt: alt text describing the figure for screen readers.
            data: the numbers drawn, saved next to the image.
            source: source and vintage, appended to the caption.
        """
        import matplotlib.pyplot as plt

        fig_dir = self.output_dir / "figures"
        svg, pdf, csv = (fig_dir / f"{name}.{ext}" for ext in ("svg", "pdf", "csv"))
        save_vector(fig, svg, pdf)
        atomic.write_csv(csv, csv_safe(data))  # no spreadsheet formula survives
        plt.close(fig)
        self._show_figure(name, "image/svg+xml", svg.read_bytes(), f"figures/{name}.*",
                          caption=caption, alt=alt, source=source)

    def _show_figure(self, name: str, mime: str, image: bytes, pattern: str, *, caption: str,
                     alt: str, source: str, link_data: bool = True) -> None:
        """Record a saved figure (its caption, alt text and source beside it) and show it:
        inline for JupyterLab, as a MyST figure (``pattern``: its files) for the book, with a
        download link to its CSV when ``link_data``."""
        self.figures.append(name)
        full_caption = f"{caption} Source: {source}."
        alt = " ".join(str(alt).split())
        atomic.write_json(self.output_dir / "figures" / f"{name}.json",
                          {"caption": full_caption, "alt": alt, "source": source})
        b64 = base64.b64encode(image).decode()
        html_text = (
            f'<figure><img src="data:{mime};base64,{b64}" alt="{html.escape(alt)}" '
            f'style="max-width:100%"><figcaption>{html.escape(full_caption)} '
            f"Data: <code>figures/{html.escape(name)}.csv</code></figcaption></figure>"
        )
        myst = myst_figure(pattern, f"fig-{name}", full_caption, alt,
                           data_file=f"figures/{name}.csv" if link_data else None)
        display(Bundle(html_text, myst, full_caption))

    def svg_figure(self, svg: str, name: str, *, caption: str, alt: str, data: pd.DataFrame,
                   source: str) -> None:
        """Save an SVG drawn without matplotlib (the atlas's light locator maps) and ``data``
        as CSV, then show it with caption and alt text, as :meth:`figure` does, without a
        download link of its own: the atlas page links one data package with every CSV of
        the page (:mod:`eocic_helpers.book.atlas`)."""
        fig_dir = self.output_dir / "figures"
        atomic.write_text(fig_dir / f"{name}.svg", svg)
        atomic.write_csv(fig_dir / f"{name}.csv", csv_safe(data))
        self._show_figure(name, "image/svg+xml", svg.encode(), f"figures/{name}.svg",
                          caption=caption, alt=alt, source=source, link_data=False)

    def table(self, frame: pd.DataFrame, name: str, *, caption: str, source: str,
              breaks: bool = True) -> None:
        """Save ``frame`` as ``tables/<name>.csv`` and show it as a captioned table
        (``breaks=False``: print keeps it on one page, moving it whole to the next when the
        rest of the page is too short, rather than leave a few rows alone on a page)."""
        csv = self.output_dir / "tables" / f"{name}.csv"
        atomic.write_csv(csv, csv_safe(frame))
        full_caption = f"{caption} Source: {source}."
        display(Bundle(html_table(frame, full_caption),
                       myst_list_table(frame, full_caption, f"tab-{name}", breaks=breaks),
                       caption))

    def grid(self, frame: pd.DataFrame, name: str, *, html_text: str, myst: str) -> None:
        """Save ``frame`` as ``tables/<name>.csv`` and show a custom layout (e.g. the SWOT grid)
        given as HTML (JupyterLab) and MyST (the book)."""
        atomic.write_csv(self.output_dir / "tables" / f"{name}.csv", csv_safe(frame))
        display(Bundle(html_text, myst, name))

    def paragraph(self, text: str) -> None:
        """Show a paragraph of plain text; it is escaped for HTML and for MyST."""
        display(Bundle(f"<p>{html.escape(text)}</p>", myst_text(text), text))

    def finish(self) -> Path:
        """Write this notebook's results fragment; the runner merges it into results.json.

        Raises:
            ConfigError: the notebook left out a key ``notebooks/results.yaml`` declares for it
                (or glued one whose ``when`` key it glued as false).
        """
        catalogue = load_catalogue()
        left_out = catalogue.unglued(self.notebook, self.values)
        if left_out:
            raise ConfigError(f"notebook '{self.notebook}' did not glue '{left_out[0]}'"
                              + (f" (and {len(left_out) - 1} more)" if len(left_out) > 1 else "")
                              + ", which notebooks/results.yaml declares for it; glue it, or "
                              "declare when it is published (when:, only:)")
        wrong = catalogue.misplaced(self.notebook, self.values)
        if wrong:
            when = catalogue.check_glue(self.notebook, wrong[0]).entry.decl.when
            raise ConfigError(f"notebook '{self.notebook}' glued '{wrong[0]}' although "
                              f"'{when}' is false (notebooks/results.yaml: when: {when})")
        target = self.output_dir / f"{self.notebook}{FRAGMENT_SUFFIX}"
        fragment = {"region": self.region, "notebook": self.notebook,
                    "values": self.values, "figures": self.figures,
                    "reads": sorted(reads.READS)}
        atomic.write_json(target, fragment)
        if not os.environ.get(OUTPUT_ENV):
            # Run by hand (JupyterLab): no runner will merge, so merge now.
            merge_results(self.output_dir / "results.json", fragment)
        return target


def html_table(frame: pd.DataFrame, caption: str) -> str:
    """A captioned table for JupyterLab, every cell escaped."""
    return (f"<p><b>{html.escape(caption)}</b></p>"
            + frame.to_html(index=False, na_rep="", escape=True))


def save_vector(fig: Any, svg: Path, pdf: Path) -> None:
    """Write ``fig`` as SVG and PDF, each byte-for-byte reproducible: no date in the SVG, no
    creation date or producer in the PDF (matplotlib also honours ``SOURCE_DATE_EPOCH``), SVG
    ids salted by the theme (``svg.hashsalt``). The PDF's text is Type 3 text (the theme's
    ``pdf.fonttype``; see :func:`eocic_helpers.outputs.style.set_theme`)."""
    from eocic_helpers.outputs.legibility import at_saved_dpi, saved_bbox

    # One layout for both files, frozen (a layout engine would lay the figure out again for
    # each format, and can collapse a dense grid at the PDF's resolution), and one box (see
    # saved_bbox). No engine at all, not matplotlib's "none", which costs a draw per file
    # (docs/performance.md).
    box = saved_bbox(at_saved_dpi(fig))
    fig.set_layout_engine(None)
    with atomic.atomic_path(svg) as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None}, bbox_inches=box)
    with atomic.atomic_path(pdf) as tmp:
        fig.savefig(tmp, format="pdf", metadata={"CreationDate": None, "ModDate": None,
                                                 "Producer": None, "Creator": None},
                    bbox_inches=box)


def _cell(value: Any) -> str:
    """One table cell as literal MyST text (blank for a missing value); see
    :func:`eocic_helpers.outputs.escape.myst_cell`."""
    try:
        blank = value is None or bool(pd.isna(value))  # None, NaN, pandas' NA and NaT
    except (TypeError, ValueError):  # a list or an array is not blank
        blank = False
    if blank:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return myst_cell(value)


_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")
#: File names code may link from the book: relative, no spaces, no climbing out.
_SAFE_PATH = re.compile(r"(?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_.-]*(?:\.\*)?")


def _label(name: str) -> str:
    """A figure or table label: letters, digits, '-' and '_' only."""
    return _SAFE_NAME.sub("-", str(name))


def _quoted_option(value: Any) -> str:
    """A directive option value on one line, double-quoted so MyST reads it literally."""
    text = " ".join(str(value).split())
    text = "".join(ch for ch in text if ch.isprintable())
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: Tables with this many columns or more are printed in a smaller type.
WIDE_COLUMNS = 7


def column_widths(frame: pd.DataFrame) -> list[int]:
    """Relative column widths for print: at least the longest word of a column (up to 20
    characters), and more for columns of long text (the square root of the mean length, so
    rows come out about as tall in every column). LaTeX then wraps every cell inside the text
    block."""
    widths = []
    for col in frame.columns:
        texts = [str(col)] + ["" if v is None or (isinstance(v, float) and math.isnan(v))
                              else str(v) for v in frame[col].tolist()]
        longest_word = max((len(w) for t in texts for w in t.split()), default=1)
        mean_length = sum(len(t) for t in texts) / len(texts)
        widths.append(round(max(6, min(longest_word, 20), 3 * math.sqrt(mean_length))))
    return widths


def myst_list_table(frame: pd.DataFrame, caption: str, name: str,
                    widths: list[int] | None = None, breaks: bool = True) -> str:
    """A MyST ``list-table`` whose caption and cells are literal text (never markup).

    Every column gets an explicit width (``widths`` or :func:`column_widths`), so the PDF sets
    wrapping paragraph columns that fit the text block instead of running off the page; long
    tables may break across pages.
    """
    widths = widths or column_widths(frame)
    # A table of many columns is set in a smaller type with narrower column gaps in print, on
    # the portrait page: rotated pages each started a new page and left the one before short.
    wide = len(frame.columns) >= WIDE_COLUMNS
    lines = ["```{raw} latex", "\\begingroup\\footnotesize\\setlength{\\tabcolsep}{3pt}",
             "```", ""] if wide else []
    lines += [f"```{{list-table}} {myst_text(caption)}", ":header-rows: 1",
             f":name: {_label(name)}", f":widths: {' '.join(str(int(w)) for w in widths)}"]
    if breaks and len(frame) > 6:
        lines.append(":class: longtable")  # lets LaTeX break long tables across pages
    lines.append("")
    lines.append("* - " + "\n  - ".join(_cell(c) or " " for c in frame.columns))
    for row in frame.itertuples(index=False):
        lines.append("* - " + "\n  - ".join(_cell(v) or " " for v in row))
    lines.append("```")
    if wide:
        lines += ["", "```{raw} latex", "\\endgroup", "```"]
    return "\n".join(lines) + "\n"


def myst_figure(image: str, name: str, caption: str, alt: str,
                data_file: str | None = None) -> str:
    """A MyST ``figure`` with a literal caption and a one-line, quoted alt text.

    ``image`` and ``data_file`` are paths chosen by code (never by content); ``data_file`` is
    linked for download after the caption. ``image`` may end in ``.*``: Sphinx then takes the
    best format each builder has (SVG for HTML, PDF for LaTeX).
    """
    data = ""
    for path in (image, data_file or ""):
        if not _SAFE_PATH.fullmatch(path) or ".." in path:
            raise ValueError(f"unsafe file name for the book: {path!r}")
    if data_file:
        data = f" {{download}}`Data of this figure (CSV) <{data_file}>`."
    return (f"```{{figure}} {image}\n:name: {_label(name)}\n:alt: {_quoted_option(alt)}\n"
            f":width: 100%\n\n{myst_text(caption)}{data}\n```\n")


def _clear_loader_caches(keep_checked: bool = False) -> None:
    """Forget what the package's cached loaders read. With ``keep_checked`` (each new
    publication), loaders cached by :func:`eocic_helpers.core.reads.cached_loader` keep their
    values: they check their files and record them again at each call; any other cache
    (``functools.cache``) is cleared, so that a kernel kept across notebooks reads its files
    again and the audit hook sees them."""
    for name, module in list(sys.modules.items()):
        if name == "eocic_helpers" or name.startswith("eocic_helpers."):
            for obj in list(vars(module).values()):
                if getattr(obj, "__module__", None) == name and callable(
                        getattr(obj, "cache_clear", None)):
                    if keep_checked and getattr(obj, "keeps_reads", False):
                        continue
                    obj.cache_clear()


def open_publication(region: str, notebook: str) -> Publication:
    """Start a notebook's outputs: into the runner's staging folder, or ``build/runs/<region>``.

    It also starts recording which project files the notebook opens (an audit hook); the list
    goes into the results fragment so that the runner's cache key covers every file read,
    also in a kernel kept from an earlier notebook (see :func:`_clear_loader_caches`).
    """
    from eocic_helpers.outputs.style import set_theme

    reads.install()
    reads.READS.clear()  # the project files it opens from now on (the audit hook records them)
    _clear_loader_caches(keep_checked=True)
    set_theme()
    staged = os.environ.get(OUTPUT_ENV)
    out = Path(staged or paths.run_dir(region))
    if staged:
        # The runner made this folder. If it is gone, the run that owns it has ended (a lost
        # Dask scheduler leaves its worker running the task): fail, rather than make it again.
        if not out.is_dir():
            raise EocicError(f"the staging folder {out} is gone: the run that started this "
                              "notebook has ended")
    else:
        out.mkdir(parents=True, exist_ok=True)
    return Publication(region=region, notebook=notebook, output_dir=out)

