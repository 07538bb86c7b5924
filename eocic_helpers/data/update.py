"""``eocic data update``: the study's snapshot rebuilt from Eurostat's current tables alone.

Every dataset an indicator's recipe reads (``data/indicators.yaml``) is downloaded
(:func:`eocic_helpers.data.fetch.fetch`) and checked against its recipes; the snapshot is
built from those files by the same recipes into its own folder, with the committed
snapshot's NUTS 2016 geography, and the committed snapshot is never touched. Indicators
without an Eurostat recipe and datasets Eurostat no longer disseminates are absent, listed in
the manifest, never filled. The steps and the files written: docs/data-update.md.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from eocic_helpers.core import paths
from eocic_helpers.core.atomic import staged_folder
from eocic_helpers.core.errors import DataError
from eocic_helpers.data import eurostat, fetch
from eocic_helpers.data import snapshot as snap
from eocic_helpers.data.maps import MAP_FILE
from eocic_helpers.data.nuts_versions import REPORT_COLUMNS, load_correspondence, to_nuts2016
from eocic_helpers.data.recipes import (
    Recipe,
    check_file,
    declared,
    flag_note,
    indicators,
    recipe,
    select,
)
from eocic_helpers.data.sources import SNAPSHOT_SOURCES

NUTS_REPORT = "nuts_report.csv"
#: The snapshot's geography files, taken from the committed snapshot (NUTS 2016).
GEOGRAPHY = ("geo.csv", MAP_FILE)


def needed_datasets() -> dict[str, list[Recipe]]:
    """Dataset code -> the recipes that read it, for every indicator with a recipe."""
    out: dict[str, list[Recipe]] = {}
    for ind in indicators().values():
        if ind.recipe is not None and not ind.recipe.derived:
            out.setdefault(ind.recipe.dataset, []).append(ind.recipe)
    return dict(sorted(out.items()))


def source_id(code: str) -> str:
    """The source id of a downloaded dataset in a fetched snapshot's ``sources.yaml``."""
    return f"estat_{code}_fetched".lower()


@dataclass
class Fetched:
    """The downloads of one update: parsed frames, catalogue entries, and what is missing."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    log: dict[str, dict[str, Any]] = field(default_factory=dict)
    gone: dict[str, str] = field(default_factory=dict)


def download(dest: Path, timeout: float = 30.0) -> Fetched:
    """Download and check every dataset the recipes need into ``dest``.

    Raises:
        DataError: no network (at the first dataset, in one line), an HTTP error other than
            404, a file that does not parse, or one whose dimensions do not fit its recipes.
    """
    out = Fetched()
    for code, recipes in needed_datasets().items():
        try:
            [path] = fetch.fetch([code], dest, timeout=timeout)
        except fetch.DatasetGone as exc:
            out.gone[code] = str(exc)
            continue
        frame = eurostat.read_any(path)
        check_file(frame, recipes, str(path))
        out.frames[code] = frame
    log = json.loads((Path(dest) / snap.FETCH_LOG).read_text(encoding="utf-8"))
    out.log = {code: log[code] for code in out.frames}
    return out


def _published(frame: pd.DataFrame, indicator: str, recipe: Recipe, known: set[str]
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = select(frame, recipe).copy()
    rows["note"] = flag_note(rows["flag"])
    rows["indicator"] = indicator
    kept, report = to_nuts2016(rows, known)
    # a recoded row never replaces a row published under the NUTS 2016 code itself
    kept = kept.assign(_recoded=kept["note"].str.contains("recoded to NUTS 2016", regex=False))
    kept = kept.sort_values(["geo", "year", "_recoded"], kind="stable")
    kept = kept.drop_duplicates(["geo", "year"], keep="first").drop(columns="_recoded")
    return kept, report


def _joined_notes(*notes: pd.Series) -> list[str]:
    out = []
    for parts in zip(*notes, strict=True):
        seen = dict.fromkeys(p for p in parts if isinstance(p, str) and p)
        out.append("; ".join(seen))
    return out


def build_rows(frames: dict[str, pd.DataFrame], known: set[str]
               ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Every indicator's rows from the downloaded frames, by its recipe.

    Returns:
        The rows (``geo, indicator, year, value, note``), the NUTS report, and the indicators
        that could not be built (no recipe, or its dataset or inputs missing).
    """
    built: dict[str, pd.DataFrame] = {}
    reports, absent = [], []
    for ind in indicators().values():
        r = ind.recipe
        if r is None or (not r.derived and r.dataset not in frames) or (
                r.derived and any(i not in built for i in r.inputs)):
            absent.append(ind.id)
            continue
        if r.kind == "published":
            rows, report = _published(frames[r.dataset], ind.id, r, known)
            reports.append(report)
        elif r.kind == "average_population":
            rows = snap.average_population(built[r.inputs[0]])
            rows["note"] = _joined_notes(rows["note"], rows["note_next"])
        elif r.kind == "ratio":
            num, den = built[r.inputs[0]], built[r.inputs[1]]
            rows = num.merge(den, on=["geo", "year"], suffixes=("", "_den"))
            rows = rows[rows["value_den"] != 0]
            rows = rows.assign(value=rows["value"] / rows["value_den"] * r.factor)
            rows["note"] = _joined_notes(rows["note"], rows["note_den"])
        else:  # a quotient: over the year's first reference geo that has a value
            share = built[r.inputs[0]]
            ref = share[share["geo"].isin(r.reference)].sort_values(
                "geo", key=lambda g: g.map(r.reference.index), kind="stable")
            ref = ref.drop_duplicates("year")
            ref = ref[ref["value"] != 0][["year", "geo", "value"]]
            rows = share.merge(ref, on="year", suffixes=("", "_ref"))
            rows["value"] = rows["value"] / rows["value_ref"]
            other = rows["geo_ref"].ne(r.reference[0])
            rows["note"] = _joined_notes(rows["note"], pd.Series(np.where(
                other, "reference " + rows["geo_ref"] + f" (this release has no {r.reference[0]})",
                "")))
        built[ind.id] = rows[["geo", "year", "value", "note"]].reset_index(drop=True)
    out = [b.assign(indicator=i) for i, b in built.items() if len(b)]
    absent += [i for i, b in built.items() if not len(b)]
    rows = (pd.concat(out, ignore_index=True) if out
            else pd.DataFrame(columns=["geo", "year", "value", "note", "indicator"]))
    report = pd.concat([r for r in reports if len(r)], ignore_index=True) if any(
        len(r) for r in reports) else pd.DataFrame(columns=REPORT_COLUMNS)
    return rows, report, absent


def _dataset_of(indicator: str) -> str:
    """The dataset an indicator's values come from (a derived one's first input's)."""
    r = recipe(indicator)
    return r.dataset if not r.derived else _dataset_of(r.inputs[0])


def _sources_yaml(log: dict[str, dict[str, Any]]) -> str:
    sources = []
    for code, entry in sorted(log.items()):
        day = str(entry.get("fetched", ""))[:10]
        sources.append({
            "id": source_id(code), "publisher": "Eurostat", "dataset_code": code,
            "title": declared().datasets.get(code, code), "vintage": f"retrieved {day}",
            "licence": "Eurostat re-use policy (Commission Decision 2011/833/EU)",
            "attribution": f"Source: Eurostat ({code})",
            "origin": str(entry.get("url", "")), "files": {entry["file"]: entry["sha256"]},
        })
    return yaml.safe_dump({"schema_version": 1, "sources": sources}, sort_keys=False,
                          allow_unicode=True)


def nuts2016_codes(base: Path | None = None) -> set[str]:
    """The geo codes a fetched row may keep: the NUTS 2016 codes and aggregates of the
    snapshot's ``geo.csv``, every country, and the declared boundary changes it lists (kept under their own
    code, with their note). Other codes it lists (seen in older extracts) are not taken as
    NUTS 2016: a fetched row under one is reported, never kept."""
    geo = pd.read_csv(Path(base or paths.DEFAULT_SNAPSHOT) / "geo.csv", dtype=str,
                      keep_default_na=False)
    changed = set(load_correspondence().changed())
    country = geo["geo"].str.fullmatch(r"[A-Z]{2}")  # countries (also outside the EU)
    keep = geo["nuts_version"].isin(["2016", "aggregate"]) | country | geo["geo"].isin(changed)
    return set(geo.loc[keep, "geo"])


def update(out: Path | None = None, downloads: Path | None = None, timeout: float = 30.0,
           base: Path | None = None) -> dict[str, Any]:
    """Download every dataset, check it, and build a snapshot from the downloads alone.

    Args:
        out: the new snapshot's folder (default ``data/fetched/<today>``); replaced whole
            only when everything succeeded.
        downloads: where the files go (default ``<out>.downloads``, next to it).
        timeout: seconds per request.
        base: the snapshot whose NUTS 2016 geography is used (default: the committed one).

    Returns:
        A summary: folder, retrieval date, datasets used and missing, indicators built and
        absent, NUTS report counts.

    Raises:
        DataError: one line (no network, a file that does not fit its recipes, ...).
    """
    day = dt.date.today().isoformat()
    out = Path(out or paths.FETCHED_SNAPSHOTS / day)
    downloads = Path(downloads or out.with_name(out.name + ".downloads"))
    got = download(downloads, timeout=timeout)
    if not got.frames:
        raise DataError("no dataset could be downloaded: " + "; ".join(got.gone.values()))
    base = Path(base or paths.DEFAULT_SNAPSHOT)
    known = nuts2016_codes(base)
    rows, report, absent = build_rows(got.frames, known)
    rows["source_id"] = [source_id(_dataset_of(i)) for i in rows["indicator"]]
    by_id = indicators()
    rows["unit"] = [by_id[i].unit for i in rows["indicator"]]
    sources = {source_id(c) for c in got.log}
    retrieved = sorted({str(e.get("fetched", ""))[:10] for e in got.log.values()})
    with staged_folder(out) as tmp:
        by_file: dict[str, list[str]] = {}
        for ind in by_id.values():
            by_file.setdefault(ind.file, []).append(ind.id)
        listed = []
        for stem, ids in by_file.items():
            frame = snap.normalise(rows[rows["indicator"].isin(ids)])
            if stem == snap.FETCHED and frame.empty:
                continue
            snap.validate(frame, known_geo=known, name=stem, sources=sources)
            frame.to_csv(tmp / f"{stem}.csv", index=False, lineterminator="\n",
                         float_format="%.6f")
            listed += [i for i in ids if i in set(frame["indicator"])]
        absent = sorted(set(absent) - set(listed))
        for name in GEOGRAPHY:
            shutil.copyfile(base / name, tmp / name)
        pd.DataFrame([{
            "indicator": i, "label": by_id[i].label, "unit": by_id[i].unit,
            "source_id": source_id(_dataset_of(i)), "dataset_code": _dataset_of(i),
            "derivation": recipe(i).describe(), "file": f"{by_id[i].file}.csv"}
            for i in listed]).to_csv(tmp / "indicators.csv", index=False, lineterminator="\n")
        report.to_csv(tmp / NUTS_REPORT, index=False, lineterminator="\n")
        (tmp / SNAPSHOT_SOURCES).write_text(_sources_yaml(got.log), encoding="utf-8")
        snap.write_manifest(tmp, got.log, data={
            "kind": "eurostat", "retrieved": retrieved, "unavailable": got.gone,
            "absent_indicators": absent,
            "geography": f"NUTS 2016, from {base.name}"})
    counts = report["status"].value_counts().to_dict() if len(report) else {}
    return {"folder": str(out), "downloads": str(downloads), "retrieved": retrieved,
            "datasets": sorted(got.frames), "unavailable": got.gone, "indicators": listed,
            "absent": absent, "values": int(len(rows)),
            "nuts": {str(k): int(v) for k, v in counts.items()}}


def _data(folder: Path | None) -> dict[str, Any]:
    """The ``data`` entry of a snapshot's manifest (empty for the committed snapshot's)."""
    folder = Path(folder or paths.SNAPSHOT)
    try:
        manifest = json.loads((folder / snap.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    data = manifest.get("data") if isinstance(manifest, dict) else None
    return data if isinstance(data, dict) else {}


def is_fetched(folder: Path | None = None) -> bool:
    """Whether a snapshot (default: the one this process reads) was built by ``eocic data
    update`` from Eurostat's current tables."""
    return _data(folder).get("kind") == "eurostat"


def describe(folder: Path | None = None) -> str:
    """Which data a snapshot is: "the 2019 briefing's reproduction data" or "Eurostat,
    retrieved on <date>" (from its manifest)."""
    data = _data(folder)
    if data.get("kind") == "eurostat":
        days = data.get("retrieved") or ["?"]
        return f"Eurostat, retrieved on {days[0] if len(days) == 1 else f'{days[0]} to {days[-1]}'}"
    return "the 2019 briefing's reproduction data"

