"""Parse Eurostat files: the bulk TSV (old and SDMX-TSV headers) and SDMX-CSV.

Both give one tidy frame: the dimension columns, ``geo``, ``year``, ``value`` and ``flag``.
Missing observations (``:``) are dropped, never filled.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from pathlib import Path

import pandas as pd

from eocic_helpers.core.errors import DataError

_VALUE = re.compile(r"^\s*(?P<num>[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|:)\s*(?P<flag>[a-z ]*)\s*$")
SDMX_CSV_COLUMNS = {"geo", "TIME_PERIOD", "OBS_VALUE"}


def _read_text(path: Path) -> str:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found; fetch it (eocic data fetch) or pass --raw DIR")
    try:
        raw = path.read_bytes()
        data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        return data.decode("utf-8")
    except (EOFError, OSError, zlib.error) as exc:
        raise DataError(
            f"{path}: corrupt or truncated gzip ({exc}); download it again with eocic data fetch"
        ) from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text; is this an Eurostat TSV/CSV file?") from None


def parse_tsv_text(text: str, name: str = "<tsv>") -> pd.DataFrame:
    """Parse Eurostat bulk TSV text (``unit,geo\\time`` or ``freq,unit,geo\\TIME_PERIOD``).

    Raises:
        DataError: no ``\\`` header, a row with the wrong number of fields, or a bad value.
    """
    lines = text.splitlines()
    if not lines or "\\" not in lines[0].split("\t")[0]:
        raise DataError(
            f"{name}: missing columns: the first header cell must look like 'unit,geo\\time'; "
            "is this an Eurostat bulk TSV?"
        )
    header = lines[0].split("\t")
    dims = header[0].split("\\")[0].split(",")
    if "geo" not in dims:
        raise DataError(f"{name}: missing column 'geo' in header '{header[0]}'")
    years = [h.strip() for h in header[1:]]
    if not years or not all(re.fullmatch(r"\d{4}", y) for y in years):
        raise DataError(f"{name}: header has no yearly columns (got {years[:3]}...)")
    records: list[tuple] = []
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise DataError(
                f"{name}:{lineno}: {len(cells)} fields where the header has {len(header)}; "
                "the file is truncated or corrupt, download it again"
            )
        keys = cells[0].split(",")
        if len(keys) != len(dims):
            raise DataError(f"{name}:{lineno}: key '{cells[0]}' does not match {dims}")
        for year, cell in zip(years, cells[1:], strict=True):
            m = _VALUE.match(cell)
            if not m:
                raise DataError(f"{name}:{lineno}: unreadable value '{cell.strip()}' for {year}")
            if m["num"] == ":":
                continue
            records.append((*keys, int(year), float(m["num"]), m["flag"].strip()))
    return pd.DataFrame.from_records(records, columns=[*dims, "year", "value", "flag"])


def parse_sdmx_csv_text(text: str, name: str = "<csv>") -> pd.DataFrame:
    """Parse Eurostat SDMX-CSV (``DATAFLOW,...,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG``)."""
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{name}: unreadable CSV ({exc}); download it again") from None
    missing = SDMX_CSV_COLUMNS - set(frame.columns)
    if missing:
        raise DataError(f"{name}: missing columns {sorted(missing)}; is this Eurostat SDMX-CSV?")
    drop = {"DATAFLOW", "LAST UPDATE", "CONF_STATUS", "OBS_FLAG", "TIME_PERIOD", "OBS_VALUE"}
    dims = [c for c in frame.columns if c not in drop]
    frame = frame[frame["OBS_VALUE"].str.strip().ne("")]
    try:
        values = frame["OBS_VALUE"].astype(float)
        years = frame["TIME_PERIOD"].str[:4].astype(int)
    except ValueError as exc:
        raise DataError(f"{name}: unreadable value or period ({exc})") from None
    out = frame[dims].copy()
    out["year"] = years.to_numpy()
    out["value"] = values.to_numpy()
    out["flag"] = frame["OBS_FLAG"].str.strip().to_numpy() if "OBS_FLAG" in frame else ""
    return out.reset_index(drop=True)


def read_any(path: Path) -> pd.DataFrame:
    """Read an Eurostat file (optionally gzipped), bulk TSV or SDMX-CSV, chosen by its
    content."""
    text = _read_text(path)
    first = text.split("\n", 1)[0]
    if "\\" in first.split("\t")[0]:
        return parse_tsv_text(text, str(path))
    return parse_sdmx_csv_text(text, str(path))
