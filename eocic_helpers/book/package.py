"""Each edition's data package: a zip of every figure and table CSV, ``results.json``, the
catalogue of its results (``results_catalogue.csv``: where every value the text quotes comes
from) and a README that lists each file's columns and units."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from eocic_helpers.core import atomic
from eocic_helpers.core.results import CATALOGUE_COLUMNS, catalogue_rows
from eocic_helpers.outputs.escape import csv_text_safe

#: Column-name endings and the unit they mean (first match wins).
UNIT_HINTS: tuple[tuple[str, str], ...] = (
    ("_eur_per_year", "euro per year"),
    ("_eur_per_sme", "euro per SME"),
    ("eur", "euro"),
    ("_pct", "percent"),
    ("_share", "share between 0 and 1"),
    ("_lq", "location quotient (EU28 = 1)"),
    ("_months", "months"),
    ("month", "months from the launch date T0"),
    ("year", "calendar year"),
    ("_years", "years"),
    ("rank", "rank (1 = highest)"),
    ("stars", "number of cluster stars"),
    ("n_", "count"),
)


def column_unit(column: str, columns: list[str]) -> str:
    """The unit of a column, from its name, or where the file states it."""
    name = column.lower().strip()
    for end, unit in UNIT_HINTS:
        if (end.startswith("n_") and name.startswith(end)) or name.endswith(end):
            return unit
    if name in {"value", "score", "ours", "briefing"} and "unit" in columns:
        return "as given in the unit column"
    if name in {"value", "score", "composite_total", "total"}:
        return "index or value as described in the caption"
    return "text"


#: The catalogue of an edition's results in its data package.
CATALOGUE_NAME = "results_catalogue.csv"
CATALOGUE_CAPTION = (
    "Where every value of results.json comes from, one row per name: the notebook that "
    "produces it, its value in this edition, its unit, its source (dataset code, part of the "
    "briefing, or this study), the year it refers to, and what it is. Declared once for the "
    "whole study in notebooks/results.yaml.")


def catalogue_csv(results: dict[str, Any], edition: str = "") -> bytes:
    """``results_catalogue.csv``: :func:`eocic_helpers.core.results.catalogue_rows` for an
    edition's results (``edition``: the region's id, for the sources in its folder), as
    formula-safe CSV."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(CATALOGUE_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(catalogue_rows(results, region=edition))
    return csv_text_safe(out.getvalue()).encode("utf-8")


def readme(files: dict[str, bytes], captions: dict[str, str], edition: str) -> str:
    """The README of a data package: what each file is, its columns and their units."""
    lines = [f"# Data package of the {edition} edition", "",
             "Every figure and table of the edition, as CSV (UTF-8, comma-separated, one header "
             "row), and results.json: every value the edition's text quotes, by name. Units "
             "are read from the column names (for example a name ending in _eur is in euro, "
             "_pct in percent); where a file has a unit column, that column gives the unit.", ""]
    for name in sorted(files):
        if not name.endswith(".csv"):
            continue
        lines += [f"## {name}", ""]
        if captions.get(name):
            lines += [captions[name], ""]
        cols = next(csv.reader(io.StringIO(files[name].decode("utf-8"))), [])
        lines += [f"- {c}: {column_unit(c, cols)}" for c in cols]
        lines.append("")
    lines += ["## results.json", "",
              "A flat object of name: value. Names ending in _text hold the value as the text "
              "shows it; other values are numbers, text or true/false. results_catalogue.csv "
              "describes every name.", ""]
    return "\n".join(lines)


def write_data_package(book_src: Path, target: Path, epoch: int) -> Path:
    """Zip the figures' and tables' CSVs of an assembled edition, its ``results.json`` and
    the catalogue of its results, as :func:`write_csv_package` does.

    No CSV cell can run as a spreadsheet formula (:func:`~eocic_helpers.outputs.escape.csv_cell`).
    """
    csvs = {f"{sub}/{f.name}": f for sub in ("figures", "tables")
            for f in sorted((book_src / sub).glob("*.csv"))}
    results = book_src / "results.json"
    if not results.exists():
        return write_csv_package(csvs, book_src.name, target, epoch)
    data = results.read_bytes()
    return write_csv_package(csvs, book_src.name, target, epoch, {
        "results.json": (data, ""),
        CATALOGUE_NAME: (catalogue_csv(json.loads(data), book_src.name), CATALOGUE_CAPTION)})


def write_csv_package(csvs: dict[str, Path], name: str, target: Path, epoch: int,
                      more: dict[str, tuple[bytes, str]] | None = None) -> Path:
    """A data package (``csvs``: the name in the package -> the file; ``more``: other files,
    name -> (bytes, caption)) with the README of :func:`readme` (a figure's caption from the
    JSON beside its CSV): an edition's, or an atlas page's figure and tables.

    Deterministic: the files zipped under ``<name>-data/``, sorted, each dated ``epoch`` (the
    edition's stamp, :func:`eocic_helpers.book.editions.edition_stamp`).
    """
    files: dict[str, bytes] = {}
    captions: dict[str, str] = {}
    for rel in sorted(csvs):
        f = csvs[rel]
        # Runs write formula-safe CSVs; checked again here, as the package leaves the site.
        files[rel] = csv_text_safe(f.read_text("utf-8")).encode("utf-8")
        meta = f.with_suffix(".json")
        if meta.exists():
            with contextlib.suppress(json.JSONDecodeError, KeyError):
                captions[rel] = json.loads(meta.read_text("utf-8"))["caption"]
    for rel, (data, caption) in (more or {}).items():
        files[rel] = data
        if caption:
            captions[rel] = caption
    files["README.md"] = readme(files, captions, name).encode("utf-8")
    when = datetime.datetime.fromtimestamp(max(epoch, 315532800), datetime.UTC).timetuple()[:6]
    with atomic.atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for entry in sorted(files):
            info = zipfile.ZipInfo(f"{name}-data/{entry}", date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, files[entry])
    return target
