"""Live acquisition from Eurostat's dissemination API, for users who are online.

Files land in ``data/raw/`` (git-ignored) with their sha256 and download time recorded in
``data/raw/fetched.json``, the catalogue of downloads. ``eocic data snapshot`` then checks each
catalogued file against its sha256 and adds the indicators of ``fetched.csv`` read from it
(``data/indicators.yaml``) to the snapshot, with their checksums in
``data/snapshot/MANIFEST.json``.
Offline, the first request fails at once with one line: use ``--raw DIR`` or the committed
snapshot. This uses the same SDMX 2.1 endpoint as the ``eurostat`` package, with the standard
library only, so no extra dependency is needed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from eocic_helpers.core import atomic, paths
from eocic_helpers.core.errors import DataError
from eocic_helpers.data import eurostat
from eocic_helpers.data.recipes import declared
from eocic_helpers.data.sources import sha256_file

API = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/{code}?format=TSV&compressed=true"

#: A folder of files in Eurostat's format (``<code>.tsv.gz`` or ``<code>.tsv``) that stands in
#: for the network: ``eocic data fetch`` and ``eocic data update`` copy from it (tests, mirrors).
FETCH_FROM_ENV = "EOCIC_FETCH_FROM"


class DatasetGone(DataError):
    """Eurostat answered 404: the dataset is no longer disseminated under that code."""


def _download(code: str, timeout: float) -> tuple[bytes, str]:
    """The dataset's bytes and where they came from: Eurostat's API, or the folder named by
    ``EOCIC_FETCH_FROM``."""
    mirror = os.environ.get(FETCH_FROM_ENV)
    if mirror:
        for name in (f"{code}.tsv.gz", f"{code}.tsv"):
            if (Path(mirror) / name).is_file():
                path = (Path(mirror) / name).resolve()
                return path.read_bytes(), path.as_uri()
        raise DatasetGone(f"{Path(mirror) / code}.tsv.gz: not in {FETCH_FROM_ENV}={mirror}; put "
                          "the dataset there or unset the variable to download from Eurostat")
    url = API.format(code=code)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (fixed https host)
            return resp.read(), url
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise DatasetGone(f"Eurostat answered HTTP 404 for {code}: no longer disseminated "
                              "under that code") from None
        raise DataError(f"Eurostat answered HTTP {exc.code} for {code}; check the code") from None
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataError(
            f"no network: cannot reach Eurostat ({reason}); use --raw DIR with "
            f"eocic data snapshot, {FETCH_FROM_ENV}=DIR for a folder of downloaded files, or "
            "the committed snapshot in data/snapshot"
        ) from None


def fetch(codes: list[str] | None = None, dest: Path | None = None, timeout: float = 30.0
          ) -> list[Path]:
    """Download datasets as gzipped SDMX-TSV, check they parse, and record their sha256.

    Raises:
        DataError: unknown dataset code, no network, an HTTP error, or a file that does not parse.
    """
    datasets = declared().datasets  # every dataset a recipe reads, with what it is for
    codes = list(codes or datasets)
    unknown = [c for c in codes if c not in datasets]
    if unknown:
        raise DataError(f"unknown dataset '{unknown[0]}'; known: {', '.join(datasets)}")
    dest = Path(dest or paths.RAW_LOCAL)
    log_file = dest / "fetched.json"
    log = json.loads(log_file.read_text()) if log_file.exists() else {}
    out = []
    for code in codes:
        payload, url = _download(code, timeout)
        target = dest / f"{code}.tsv.gz"
        with atomic.atomic_path(target) as tmp:
            tmp.write_bytes(payload)
            eurostat.read_any(tmp)  # refuse a file that does not parse
        log[code] = {"file": target.name, "sha256": sha256_file(target), "url": url,
                     "fetched": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                     "dataset": code, "description": datasets[code]}
        atomic.write_json(log_file, log)
        out.append(target)
    return out
