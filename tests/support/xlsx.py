"""Read the first sheet of an .xlsx workbook as text, with the standard library only.

Eurostat's "Regions and Cities Illustrated" exports (read by tests only, to check what the
catalogue says of them) are small one-sheet workbooks whose cells
hold text such as ``"68.5 %"`` or ``"27 400.0 (p)"``; :func:`read_sheet` returns them as strings
and :func:`parse_value` turns one into a number and a flag. No spreadsheet library is needed.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd

from eocic_helpers.core.errors import DataError

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _column(ref: str) -> int:
    """'A1' -> 0, 'AB7' -> 27."""
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):  # type: ignore[union-attr]
        n = n * 26 + ord(ch) - 64
    return n - 1


def _text(node: ElementTree.Element) -> str:
    return "".join(t.text or "" for t in node.iter(f"{{{_NS['m']}}}t"))


def read_sheet(path: Path) -> pd.DataFrame:
    """The first worksheet as a frame of strings, the first row as header ('' for empty cells).

    Raises:
        DataError: the file is not a readable workbook.
    """
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            shared: list[str] = []
            if "xl/sharedStrings.xml" in names:
                root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
                shared = [_text(si) for si in root.findall("m:si", _NS)]
            book = ElementTree.fromstring(z.read("xl/workbook.xml"))
            first = book.find("m:sheets/m:sheet", _NS)
            rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            target = next(r.get("Target") for r in rels if r.get("Id") == first.get(_REL))  # type: ignore[union-attr]
            target = target.lstrip("/")
            sheet = ElementTree.fromstring(z.read(target if target.startswith("xl/")
                                                  else f"xl/{target}"))
    except (zipfile.BadZipFile, KeyError, StopIteration, AttributeError,
            ElementTree.ParseError) as exc:
        raise DataError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}); "
                        "restore the file") from None
    rows: list[dict[int, str]] = []
    for row in sheet.iter(f"{{{_NS['m']}}}row"):
        cells: dict[int, str] = {}
        for c in row.findall("m:c", _NS):
            kind = c.get("t")
            v = c.find("m:v", _NS)
            if kind == "s" and v is not None:
                value = shared[int(v.text or 0)]
            elif kind == "inlineStr":
                value = _text(c)
            else:
                value = "" if v is None else (v.text or "")
            cells[_column(c.get("r", "A1"))] = value
        rows.append(cells)
    if not rows:
        raise DataError(f"{path}: the first sheet is empty")
    width = max(max(r, default=-1) for r in rows) + 1
    table = [[r.get(i, "") for i in range(width)] for r in rows]
    return pd.DataFrame(table[1:], columns=table[0])


_VALUE = re.compile(r"^\s*(-?[0-9][0-9 \u00a0]*(?:\.[0-9]+)?)\s*%?\s*(?:\(([a-z]+)\))?\s*$")


def parse_value(text: str) -> tuple[float | None, str]:
    """``"27 400.0 (p)"`` -> ``(27400.0, "p")``; ``"68.5 %"`` -> ``(68.5, "")``;
    ``"(:)"``, ``"-"`` or ``""`` -> ``(None, "")`` (not available)."""
    m = _VALUE.match(str(text))
    if not m:
        return None, ""
    return float(re.sub(r"[ \u00a0]", "", m.group(1))), m.group(2) or ""
