"""The indicator snapshot: build it deterministically from the raw files, load and validate it.

``data/snapshot/*.csv`` is tidy: ``geo, indicator, year, value, unit, source_id, note``.
A value that is not in the raw data is absent, never filled. ``data/snapshot/indicators.csv``
describes each indicator (label, unit, source, dataset code, how it was derived) and
``data/snapshot/geo.csv`` lists the known geo codes.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eocic_helpers.core import paths
from eocic_helpers.core.atomic import staged_folder
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.reads import cached_loader
from eocic_helpers.core.regions import EU28
from eocic_helpers.data import eurostat
from eocic_helpers.data.maps import MAP_FILE, RAW_FILES, build_map
from eocic_helpers.data.nuts_versions import load_correspondence, recode
from eocic_helpers.data.recipes import declared, flag_note, indicators, recipe, select
from eocic_helpers.data.sources import (
    SNAPSHOT_SOURCES,
    extraction_dates,
    load_sources,
    sha256_file,
    verified_path,
)

COLUMNS = ["geo", "indicator", "year", "value", "unit", "source_id", "note"]
RDS = "ballatore_eurostat_2020/eu_all_geo_data.rds"
EEDU = "eusbd_hackathon2017/lfst_r_lfe2eedu.tsv.gz"
EN2 = "eusbd_hackathon2017/lfst_r_lfe2en2.tsv.gz"
HONTI = "honti2020_i40_dib/I40_indicator_db.csv"
RANKINGS = "honti2020_i40_dib/rankings.csv"
GDP2025 = "eurostat_2025_nama_10r_2gdp/estat_nama_10r_2gdp_EUR_HAB_pilot_extract.tsv"
TGS_DIR = "eurostat_tgs_2026_chappuis5"
TGS00007 = f"{TGS_DIR}/eurostat_tgs00007_employment_rate.csv"
TGS00109 = f"{TGS_DIR}/eurostat_tgs00109_tertiary_education_25_64.csv"
TGS00042 = f"{TGS_DIR}/eurostat_tgs00042_gerd_rd_expenditure.csv"
GERDREG = "nesta_rd_e_gerdreg_2022/rd_e_gerdreg_mio_eur_{sector}.csv"


# -- building -------------------------------------------------------------------------------

def _frame(rows: pd.DataFrame, indicator: str) -> pd.DataFrame:
    meta = indicators()[indicator]
    out = pd.DataFrame({
        "geo": rows["geo"].astype(str).to_numpy(),
        "indicator": indicator,
        "year": rows["year"].astype(int).to_numpy(),
        "value": rows["value"].astype(float).to_numpy(),
        "unit": meta.unit,
        "source_id": meta.source_id,
        "note": rows["note"].to_numpy() if "note" in rows else "",
    })
    return out[np.isfinite(out["value"])]


def _recode_2013(frame: pd.DataFrame) -> pd.DataFrame:
    """Older NUTS codes to NUTS 2016 by the declared correspondence (data/nuts_versions.yaml):
    recodes renamed with a note, a boundary change kept under its own code with its note."""
    return recode(frame.assign(note=""), load_correspondence())


def _is_nuts2(geo: pd.Series) -> pd.Series:
    return geo.str.len().eq(4) & ~geo.str.endswith(("ZZ", "XX")) & ~geo.str.startswith("EU")


@functools.cache
def _read_rds(path: Path) -> pd.DataFrame:
    import pyreadr

    try:
        frame = next(iter(pyreadr.read_r(str(path)).values()))
    except Exception as exc:  # pyreadr raises its own error types for corrupt files
        raise DataError(f"{path}: corrupt or unreadable .rds ({exc}); restore the file") from None
    keep = ["unit", "geo", "time", "values", "input_var_code", "sex", "age"]
    frame = frame[keep].astype({c: str for c in keep if c != "values"})
    frame = frame.rename(columns={"time": "year", "values": "value"})
    frame = frame[frame["year"].str.fullmatch(r"\d{4}")]  # monthly series (teiis090) dropped
    return frame.assign(year=lambda f: f["year"].astype(int))


def _rds_recipe(raw: Path, indicator: str, years: range) -> pd.DataFrame:
    """The R ``eurostat`` package's rows of an indicator, selected by its recipe."""
    r = recipe(indicator)
    frame = _read_rds(verified_path(raw, RDS))
    frame = frame[frame["input_var_code"].eq(r.dataset) & frame["year"].isin(list(years))]
    return select(frame, r)[["geo", "year", "value", "unit"]].reset_index(drop=True)


def average_population(pop: pd.DataFrame) -> pd.DataFrame:
    """Eurostat's average population of year t: the mean of the populations on 1 January of
    t and t + 1 (``value``); a year without the next 1 January is dropped. Every other column
    of ``pop`` is kept for t, and for t + 1 with the suffix ``_next``."""
    out = pop.merge(pop.assign(year=pop["year"] - 1), on=["geo", "year"], suffixes=("", "_next"))
    return out.assign(value=(out["value"] + out["value_next"]) / 2)


def build_gdp_population(raw: Path) -> pd.DataFrame:
    """GDP, population and GDP per inhabitant (2015-2018); FR/country and EU28 from sums.

    GDP per inhabitant divides GDP by the average population of the year, as Eurostat's
    ``EUR_HAB`` does; the average population is derived from the 1 January populations.
    """
    years = range(2015, 2019)
    gdp = _rds_recipe(raw, "gdp_mio_eur", years)
    pop = _rds_recipe(raw, "population", range(2015, 2020))
    pop = pop[_is_nuts2(pop["geo"])]
    avg = average_population(pop)
    regional = {"gdp_mio_eur": gdp[_is_nuts2(gdp["geo"])],
                "population": pop[pop["year"].isin(list(years))],
                "population_average": avg[avg["year"].isin(list(years))]}
    parts = [_frame(t, name) for name, t in regional.items()]
    # Aggregates from sums: a country or EU28 total needs every NUTS 2 region's value.
    wide = pd.concat({name: t.set_index(["geo", "year"])["value"] for name, t in regional.items()},
                     axis=1, join="inner").reset_index()
    by_country = wide.groupby([wide["geo"].str[:2], "year"])
    agg = by_country[list(regional)].sum().assign(n=by_country.size())
    extra = gdp[gdp["geo"].str.endswith("ZZ")]
    agg["zz"] = extra.groupby([extra["geo"].str[:2], "year"])["value"].sum().reindex(
        agg.index, fill_value=0.0)
    agg["gdp_mio_eur"] += agg["zz"]
    agg = agg.reset_index()
    eu = agg[agg["geo"].isin(EU28)].groupby("year")
    eu = eu.sum(numeric_only=True)[eu.size() == len(EU28)].reset_index().assign(geo="EU28")
    agg = pd.concat([agg, eu], ignore_index=True)
    sums = "sum of " + agg["n"].astype(str) + " NUTS 2 regions"
    notes = {"gdp_mio_eur": sums + np.where(agg["zz"] > 0, " plus extra-regio GDP", ""),
             "population": sums, "population_average": sums}
    parts += [_frame(agg.assign(value=agg[name], note=note), name) for name, note in notes.items()]
    per_cap = pd.concat([
        wide.assign(note="GDP / average population of the year"),
        agg.assign(note=notes["gdp_mio_eur"] + "; GDP / average population of the year, from sums"),
    ])
    per_cap["value"] = per_cap["gdp_mio_eur"] * 1e6 / per_cap["population_average"]
    parts.append(_frame(per_cap, "gdp_per_capita_eur"))
    est = eurostat.read_any(verified_path(raw, GDP2025))
    est = select(est, recipe("gdp_per_capita_eur_estat"), GDP2025)
    est = est[est["year"].between(2015, 2023)].copy()
    est["note"] = flag_note(est["flag"])
    est.loc[est["geo"].eq("EU27_2020"), "note"] = "EU27 (2020), the 2025 release has no EU28"
    parts.append(_frame(est, "gdp_per_capita_eur_estat"))
    return pd.concat(parts, ignore_index=True)


def _bulk_2017(raw: Path, relative: str) -> pd.DataFrame:
    """A 2017 bulk file's rows of 2013-2015 for NUTS 2 regions, the EU28 and its countries,
    under NUTS 2016 codes."""
    frame = eurostat.read_any(verified_path(raw, relative))
    frame = frame[frame["year"].isin([2013, 2014, 2015])]
    return _recode_2013(frame[_is_nuts2(frame["geo"]) | frame["geo"].isin(EU28 + ["EU28"])])


def _share(part: pd.DataFrame, whole: pd.DataFrame) -> pd.DataFrame:
    """``part / whole x 100`` per geo and year, with the whole's notes."""
    out = whole.merge(part[["geo", "year", "value"]], on=["geo", "year"], suffixes=("", "_part"))
    return out.assign(value=out["value_part"] / out["value"] * 100)


def build_employment(raw: Path) -> pd.DataFrame:
    """Employment by education (lfst_r_lfe2eedu) and by activity (lfst_r_lfe2en2), 2013-2015."""
    edu = _bulk_2017(raw, EEDU)
    total = select(edu, recipe("employed_25_64_ths"), EEDU)
    tert = select(edu, recipe("employed_tertiary_25_64_ths"), EEDU)
    parts = [_frame(total, "employed_25_64_ths"), _frame(tert, "employed_tertiary_25_64_ths"),
             _frame(_share(tert, total), "tertiary_employed_share_pct")]
    nace = _bulk_2017(raw, EN2)
    tot = select(nace, recipe("employment_ths"), EN2)
    ind = select(nace, recipe("industry_employment_ths"), EN2)
    sh = _share(ind, tot)
    eu_share = sh[sh["geo"].eq("EU28")].set_index("year")["value"]
    lq = sh[sh["year"].isin(eu_share.index)].copy()
    lq["value"] = lq["value"] / lq["year"].map(eu_share)
    parts += [_frame(tot, "employment_ths"), _frame(ind, "industry_employment_ths"),
              _frame(sh, "industry_share_pct"), _frame(lq, "industry_lq")]
    return pd.concat(parts, ignore_index=True)


def honti_columns() -> dict[str, str]:
    """Indicator -> its column in Honti et al.'s table (its name follows the indicator's recipe,
    e.g. ``htec_emp_reg2_NACE_R2_HTC__UNIT_PC_EMP__SEX_T``), for every indicator of that
    source."""
    return {i.id: i.recipe.honti_column() for i in indicators().values()
            if i.source_id == "honti2020" and i.recipe is not None}


def build_technology(raw: Path) -> pd.DataFrame:
    """Technology and skills indicators from Honti et al. (2020), 2013-2018, NUTS 2016."""
    path = verified_path(raw, HONTI)
    try:
        db = pd.read_csv(path, sep="\t", dtype={"NUTS2": str})
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: unreadable ({exc}); restore the file") from None
    columns = honti_columns()
    missing = {"NUTS2", "YEAR", *columns.values()} - set(db.columns)
    if missing:
        raise DataError(f"{path}: missing columns {sorted(missing)[:3]}; wrong file version?")
    db = db[db["YEAR"].between(2013, 2018)]
    parts = []
    for indicator, column in columns.items():
        t = db[["NUTS2", "YEAR", column]].rename(
            columns={"NUTS2": "geo", "YEAR": "year", column: "value"}).dropna()
        t = _recode_2013(t)  # the source keeps NUTS 2013 codes for some French rows (2013)
        t.loc[t["geo"].eq("EU28"), "note"] = "EU28 aggregate row of the source"
        parts.append(_frame(t, indicator))
    rk = pd.read_csv(verified_path(raw, RANKINGS), dtype={"Regio": str})
    rk = rk.dropna(subset=["RII"]).rename(columns={"Regio": "geo", "RII": "value"}).assign(
        year=2019, note="")
    # A spreadsheet turned Saarland's code DEC0 into the date 'Dec-00' in the source file.
    rk.loc[rk["geo"].eq("Dec-00"), "note"] = "source shows 'Dec-00' (spreadsheet date) for DEC0"
    rk["geo"] = rk["geo"].replace({"Dec-00": "DEC0"})
    parts.append(_frame(rk, "ris2019_index"))
    return pd.concat(parts, ignore_index=True)


def build_context(raw: Path) -> pd.DataFrame:
    """Unemployment, broadband, patents and ageing (Eurostat, December 2020 extract)."""
    unemp = _rds_recipe(raw, "unemployment_rate_pct", range(2015, 2020))
    bb = _rds_recipe(raw, "broadband_households_pct", range(2015, 2020))
    pat = _rds_recipe(raw, "patents_per_million", range(2010, 2013))
    old = _rds_recipe(raw, "population_65plus_pct", range(2015, 2020))
    old = old[old["geo"].isin(EU28 + ["EU28"])]
    pat = _recode_2013(pat[_is_nuts2(pat["geo"])])
    return pd.concat([
        _frame(unemp[_is_nuts2(unemp["geo"])], "unemployment_rate_pct"),
        _frame(bb[_is_nuts2(bb["geo"])], "broadband_households_pct"),
        _frame(pat, "patents_per_million"),
        _frame(old, "population_65plus_pct"),
    ], ignore_index=True)


def build_geo(raw: Path, used: set[str]) -> pd.DataFrame:
    """Known geo codes: NUTS 2016 (GISCO) levels 0 and 2, plus codes only older data uses."""
    rows = [(p["NUTS_ID"], p.get("NUTS_NAME") or p.get("NAME_LATN"), level, "2016")
            for level in (0, 2) for p in _gisco(raw, level)]
    geo = pd.DataFrame(rows, columns=["geo", "name", "level", "nuts_version"])
    extra = sorted(used - set(geo["geo"]))
    names = {"EU28": "European Union (28 countries)",
             "EU27_2020": "European Union (27 countries, from 2020)", "LT00": "Lietuva (NUTS 2013)"}
    extra_rows = pd.DataFrame({
        "geo": extra,
        "name": [names.get(g, "") for g in extra],
        "level": [0 if len(g) == 2 else (-1 if g.startswith("EU") else len(g) - 2) for g in extra],
        "nuts_version": ["aggregate" if g.startswith("EU") else ("2016" if len(g) == 3 else "2013")
                         for g in extra],
    })
    return pd.concat([geo, extra_rows]).sort_values("geo").reset_index(drop=True)


def _gisco(raw: Path, level: int) -> list[dict[str, Any]]:
    """The properties of every NUTS 2016 unit of a level (0 or 2) in GISCO's GeoJSON."""
    path = verified_path(raw, RAW_FILES[level])
    try:
        return [f["properties"] for f in json.loads(path.read_text("utf-8"))["features"]]
    except (json.JSONDecodeError, KeyError) as exc:
        raise DataError(f"{path}: unreadable GeoJSON ({exc}); restore the file") from None


def _tgs_rows(raw: Path, relative: str, indicator: str, known: set[str]) -> pd.DataFrame:
    path = verified_path(raw, relative)
    frame = select(eurostat.read_any(path), recipe(indicator), str(path))
    frame = frame[frame["geo"].isin(known)].copy()
    frame["note"] = flag_note(frame["flag"])
    return _frame(frame, indicator)


def build_regional_2026(raw: Path) -> pd.DataFrame:
    """Employment rate 15-64 (tgs00007), tertiary attainment 25-64 (tgs00109) and GERD % of
    GDP (tgs00042), 2013-2024, from the 2026 extract: NUTS 2 regions whose NUTS 2021 code is
    also a NUTS 2016 code (every pilot unit is). The files hold no country or EU rows."""
    known = {p["NUTS_ID"] for p in _gisco(raw, 2)}
    return pd.concat([
        _tgs_rows(raw, TGS00007, "employment_rate_15_64_pct", known),
        _tgs_rows(raw, TGS00109, "tertiary_attainment_25_64_pct_tgs", known),
        _tgs_rows(raw, TGS00042, "gerd_pct_gdp", known),
    ], ignore_index=True)


def _gerdreg(raw: Path, sector: str) -> pd.DataFrame:
    path = verified_path(raw, GERDREG.format(sector=sector))
    column = f"rd_e_gerdreg_mio_eur_{sector}"
    try:
        frame = pd.read_csv(path, dtype={"region_id": str})
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: unreadable ({exc}); restore the file") from None
    if not {"year", "region_id", "region_level", column} <= set(frame.columns):
        raise DataError(f"{path}: expected columns year, region_id, region_level, {column}")
    frame = frame.rename(columns={"region_id": "geo", column: "value"})
    return frame[frame["year"].between(2005, 2020)][["geo", "year", "value"]].dropna()


def build_rd_sectors(raw: Path) -> pd.DataFrame:
    """R&D expenditure of all sectors and of business enterprises (rd_e_gerdreg, million euro,
    2005-2020) and the business share BES / TOTAL; EU28 is EU27_2020 plus the UK (the extract
    has no EU28 row), only in years where both have a value."""
    parts = []
    sums = {}
    for indicator in ("gerd_mio_eur", "berd_mio_eur"):  # one file per sector of performance
        t = _gerdreg(raw, recipe(indicator).filters["sectperf"].lower())
        eu = t[t["geo"].eq("EU27_2020")].merge(t[t["geo"].eq("UK")], on="year",
                                               suffixes=("", "_uk"))
        eu = eu.assign(geo="EU28", value=eu["value"] + eu["value_uk"],
                       note="EU27_2020 + UK (the extract has no EU28 row)")
        t = _recode_2013(t)
        t = pd.concat([t, eu[["geo", "year", "value", "note"]]], ignore_index=True)
        sums[indicator] = t
        parts.append(_frame(t, indicator))
    parts.append(_frame(_share(sums["berd_mio_eur"], sums["gerd_mio_eur"]), "berd_share_gerd_pct"))
    return pd.concat(parts, ignore_index=True)


#: Stem of the snapshot file holding the downloaded datasets' rows (absent until fetched).
FETCHED = "fetched"

BUILDERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "gdp_population": build_gdp_population,
    "employment": build_employment,
    "technology": build_technology,
    "context": build_context,
    "regional_2026": build_regional_2026,
    "rd_sectors": build_rd_sectors,
}


def _keep_geo(geo: pd.Series) -> pd.Series:
    """NUTS 0-2 codes and the EU28 / EU27_2020 aggregates; not EA19, EU15 or extra-regio."""
    nuts = geo.str.fullmatch(r"[A-Z]{2}[0-9A-Z]{0,2}") & ~geo.str.match(r"^(EA|EU)")
    return (nuts & ~geo.str.endswith(("ZZ", "XX"))) | geo.isin(["EU28", "EU27_2020"])


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """A snapshot frame as the snapshot holds it: the kept geographies, its columns in order,
    values rounded to 6 decimals, notes as text, sorted by indicator, geo and year."""
    frame = frame[_keep_geo(frame["geo"])]
    frame = frame[COLUMNS].copy()
    frame["value"] = frame["value"].astype(float).round(6)
    frame["note"] = frame["note"].fillna("").astype(str)
    return frame.sort_values(["indicator", "geo", "year"]).reset_index(drop=True)


FETCH_LOG = "fetched.json"


def build_fetched(fetched_dir: Path) -> tuple[pd.DataFrame | None, dict[str, dict[str, Any]]]:
    """Snapshot rows from the datasets ``eocic data fetch`` downloaded into ``fetched_dir``:
    each indicator of ``fetched.csv`` (``file: fetched`` in ``data/indicators.yaml``) read from
    its dataset by its recipe, for NUTS 2 regions, EU countries and the EU28.

    Each file used is checked against the sha256 recorded at download time in ``fetched.json``.

    Returns:
        The rows (None when nothing usable was fetched) and, per dataset used, its
        ``fetched.json`` entry, for the snapshot manifest.

    Raises:
        DataError: a fetched file is missing, changed since download, or does not parse.
    """
    log_file = Path(fetched_dir) / FETCH_LOG
    if not log_file.is_file():
        return None, {}
    try:
        log = json.loads(log_file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DataError(f"{log_file}: unreadable ({exc}); fetch again with eocic data fetch") from None
    parts, used = [], {}
    for code in sorted(log):
        reading = [i for i in indicators().values() if i.file == FETCHED and i.recipe is not None
                   and i.recipe.dataset == code]
        if not reading:
            continue
        entry = log[code]
        path = Path(fetched_dir) / entry["file"]
        if not path.is_file():
            raise DataError(f"{path}: listed in {log_file} but missing; fetch it again: "
                            f"eocic data fetch {code}")
        if sha256_file(path) != entry["sha256"]:
            raise DataError(f"{path}: changed since it was downloaded (sha256 differs from "
                            f"{log_file}); fetch it again: eocic data fetch {code}")
        frame = eurostat.read_any(path)
        day = str(entry.get("fetched", ""))[:10]
        for ind in reading:
            rows = select(frame, ind.recipe).copy()
            rows = rows[_is_nuts2(rows["geo"]) | rows["geo"].isin(EU28 + ["EU28"])]
            rows["note"] = [f"downloaded {day}" + (f"; {n}" if n else "")
                            for n in flag_note(rows["flag"])]
            parts.append(_frame(rows, ind.id))
        used[code] = entry
    if not parts:
        return None, used
    return pd.concat(parts, ignore_index=True), used


MANIFEST = "MANIFEST.json"
REBUILD_HINT = ("rebuild it with: eocic data snapshot --raw DIR (or restore it: "
                "git checkout data/snapshot)")


def write_manifest(folder: Path, fetched: dict[str, dict[str, Any]] | None = None,
                   data: dict[str, Any] | None = None) -> Path:
    """Write ``MANIFEST.json``: sha256, size and row count of every snapshot CSV (and of the
    snapshot's own ``sources.yaml``), the downloaded datasets the snapshot includes (file,
    checksum, download time, URL of each ``fetched.json`` entry) and, for a snapshot of
    ``eocic data update``, which data it is (``data``)."""
    files = {}
    listed = [f for f in Path(folder).iterdir()
              if f.suffix == ".csv" or f.name == SNAPSHOT_SOURCES]
    for f in sorted(listed):
        content = f.read_bytes()
        files[f.name] = {"sha256": sha256_file(f), "bytes": len(content),
                         "lines": content.count(b"\n")}
    used = {code: {k: str(e[k]) for k in ("file", "sha256", "fetched", "url") if k in e}
            for code, e in (fetched or {}).items()}
    manifest: dict[str, Any] = {"schema_version": 1, "files": files, "fetched": used}
    if data:
        manifest["data"] = data
    target = Path(folder) / MANIFEST
    target.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def verify_snapshot(folder: Path | None = None) -> dict[str, Any]:
    """Check every snapshot file against ``MANIFEST.json``, then load and validate it.

    Returns:
        The manifest.

    Raises:
        DataError: one line naming the first file that is missing, changed, unlisted, or
            malformed, and the command that rebuilds the snapshot.
    """
    folder = Path(folder or paths.SNAPSHOT)
    mf = folder / MANIFEST
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
        files = manifest["files"]
    except FileNotFoundError:
        raise DataError(f"{mf}: missing; {REBUILD_HINT}") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{mf}: unreadable ({type(exc).__name__}); {REBUILD_HINT}") from None
    for name in sorted(files):
        f = folder / name
        if not f.is_file():
            raise DataError(f"{f}: missing; {REBUILD_HINT}")
        if sha256_file(f) != files[name]["sha256"]:
            raise DataError(f"{f}: changed since the snapshot was built (sha256 differs from "
                            f"{MANIFEST}); {REBUILD_HINT}")
    extra = sorted(p.name for p in folder.glob("*.csv") if p.name not in files)
    if extra:
        raise DataError(f"{folder / extra[0]}: not in {MANIFEST}; {REBUILD_HINT}")
    load_snapshot(folder)
    return manifest


def build_snapshot(raw_dir: Path, out_dir: Path | None = None,
                   fetched_dir: Path | None = None) -> list[Path]:
    """Rebuild ``data/snapshot`` from the raw files; deterministic for the same inputs.

    Everything is built and validated in a temporary folder first; the snapshot is replaced
    only when all of it succeeded. Datasets downloaded with ``eocic data fetch`` into
    ``fetched_dir`` (default ``data/raw``) are added as ``fetched.csv``; ``MANIFEST.json``
    records every file's checksum and the downloads used.

    Raises:
        DataError: a raw file is missing, corrupt, or fails its checksum.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise DataError(f"{raw_dir}: raw folder not found; pass the folder with --raw DIR")
    out_dir = Path(out_dir or paths.SNAPSHOT)
    frames = {name: normalise(build(raw_dir)) for name, build in BUILDERS.items()}
    fetched, fetched_log = build_fetched(Path(fetched_dir or paths.RAW_LOCAL))
    built = [i for i in indicators().values() if i.file != FETCHED]
    if fetched is not None:
        frames[FETCHED] = normalise(fetched)
        present = set(frames[FETCHED]["indicator"])
        built += [i for i in indicators().values() if i.file == FETCHED and i.id in present]
    used = {g for f in frames.values() for g in f["geo"]}
    geo = build_geo(raw_dir, used)
    listed = pd.DataFrame([
        {"indicator": i.id, "label": i.label, "unit": i.unit, "source_id": i.source_id,
         "dataset_code": load_sources()[i.source_id].dataset_code, "derivation": i.derivation,
         "file": f"{i.file}.csv"} for i in built])
    with staged_folder(out_dir) as tmp:
        for name, frame in frames.items():
            validate(frame, known_geo=set(geo["geo"]), name=name)
            frame.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n", float_format="%.6f")
        geo.to_csv(tmp / "geo.csv", index=False, lineterminator="\n")
        # the map layer: simplified NUTS boundaries
        build_map(raw_dir).to_csv(tmp / MAP_FILE, index=False, lineterminator="\n")
        listed.to_csv(tmp / "indicators.csv", index=False, lineterminator="\n")
        write_manifest(tmp, fetched_log)
    _load_cached.cache_clear()
    return sorted([*out_dir.glob("*.csv"), out_dir / MANIFEST])


# -- loading and validation -----------------------------------------------------------------

def validate(frame: pd.DataFrame, known_geo: set[str], name: str = "snapshot",
             sources: set[str] | None = None) -> pd.DataFrame:
    """Check a snapshot frame: columns, types, units, years, geo codes, sources, duplicates.

    Raises:
        DataError: naming the file and the first problem.
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{name}: missing columns {missing}; rebuild with eocic data snapshot")
    try:
        frame = frame.astype({"year": int, "value": float})
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name}: non-numeric year or value ({exc})") from None
    units = declared().units
    bad_unit = sorted(set(frame["unit"]) - set(units))
    if bad_unit:
        raise DataError(f"{name}: unknown unit {bad_unit[0]!r}; known: {', '.join(units)}")
    if not frame["year"].between(1990, 2030).all():
        raise DataError(f"{name}: year outside 1990-2030: {frame['year'].min()}-{frame['year'].max()}")
    bad_geo = sorted(set(frame["geo"]) - known_geo)
    if bad_geo:
        raise DataError(f"{name}: unknown geo code {bad_geo[0]!r}; add it to geo.csv or fix it")
    bad_src = sorted(set(frame["source_id"]) - (set(load_sources()) if sources is None
                                                 else sources))
    if bad_src:
        raise DataError(f"{name}: unknown source_id {bad_src[0]!r}; add it to data/sources.yaml")
    bad_ind = sorted(set(frame["indicator"]) - set(indicators()))
    if bad_ind:
        raise DataError(f"{name}: unknown indicator {bad_ind[0]!r}")
    dup = frame.duplicated(["geo", "indicator", "year"])
    if dup.any():
        row = frame[dup].iloc[0]
        raise DataError(f"{name}: duplicate row {row['geo']}/{row['indicator']}/{row['year']}")
    return frame


@cached_loader
def _load_cached(folder: Path) -> pd.DataFrame:
    geo_file = folder / "geo.csv"
    if not geo_file.exists():
        raise DataError(f"{geo_file}: missing; rebuild the snapshot: eocic data snapshot --raw DIR")
    known = set(pd.read_csv(geo_file, dtype=str, keep_default_na=False)["geo"])
    own = folder / SNAPSHOT_SOURCES  # a snapshot of eocic data update catalogues its downloads
    sources = set(load_sources()) | (set(load_sources(own)) if own.is_file() else set())
    frames = []
    optional = [FETCHED] if (folder / f"{FETCHED}.csv").exists() else []
    for name in [*BUILDERS, *optional]:
        f = folder / f"{name}.csv"
        if not f.exists():
            raise DataError(f"{f}: missing; rebuild the snapshot: eocic data snapshot --raw DIR")
        try:
            frame = pd.read_csv(f, dtype={"geo": str, "note": str}, keep_default_na=False,
                                na_values={"value": [""]})
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise DataError(f"{f}: corrupt CSV ({exc}); restore it with git or rebuild") from None
        frames.append(validate(frame, known, name=str(f), sources=sources))
    return pd.concat(frames, ignore_index=True)


def load_snapshot(folder: Path | None = None) -> pd.DataFrame:
    """The whole snapshot as one validated tidy frame (cached per process)."""
    return _load_cached(Path(folder or paths.SNAPSHOT)).copy()


def _source_ids() -> dict[str, str]:
    """Indicator -> source id as the snapshot read lists it: a snapshot built by ``eocic data
    update`` names its downloads; the committed one is ``data/indicators.yaml``'s own."""
    if paths.on_default_snapshot():
        return {}
    return _listed_sources(paths.SNAPSHOT / "indicators.csv")


@cached_loader
def _listed_sources(path: Path) -> dict[str, str]:
    try:
        listed = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: unreadable ({exc}); rebuild it with eocic data update") from None
    return dict(zip(listed["indicator"], listed["source_id"], strict=True))


def indicator_info(indicator: str) -> dict[str, str]:
    """Provenance of an indicator: label, unit, source, dataset code, vintage, derivation."""
    by_id = indicators()
    if indicator not in by_id:
        raise DataError(f"unknown indicator '{indicator}'; known: {', '.join(by_id)}")
    meta = by_id[indicator]
    src = load_sources()[_source_ids().get(indicator, meta.source_id)]
    return {"indicator": meta.id, "label": meta.label, "unit": meta.unit,
            "unit_label": declared().units[meta.unit], "source_id": src.id, "dataset_code": src.dataset_code,
            "publisher": src.publisher, "vintage": src.vintage, "licence": src.licence,
            "attribution": src.attribution, "derivation": meta.derivation}


def reader_vintage(vintage: str) -> str:
    """A source's vintage in a reader's words: when its data were extracted
    (:func:`eocic_helpers.data.sources.extraction_dates`), without how; the vintage's first
    clause when it names no such date."""
    dates = extraction_dates(vintage)
    if not dates:
        return vintage.split(";")[0]
    return dates[0] if dates[0].startswith("the ") else f"extracted {dates[0]}"


def caption_source(*indicator_ids: str) -> str:
    """A caption's source text: dataset codes and, in a reader's words, vintages of the
    indicators drawn."""
    seen: dict[str, str] = {}
    for ind in indicator_ids:
        info = indicator_info(ind)
        attribution = info["attribution"].removeprefix("Source: ")
        seen.setdefault(info["source_id"],
                        f"{attribution} ({reader_vintage(str(info['vintage']))})")
    return "; ".join(seen.values())
