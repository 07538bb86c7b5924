"""The study on today's data: recipes on Eurostat's format, `eocic data update`, offline.

The network is never used: ``EOCIC_FETCH_FROM`` points the downloader at a folder of files in
Eurostat's SDMX-TSV format. That folder holds the real Eurostat files of ``../shared/data/raw``
where there is one, and otherwise files written in exactly that format from the committed
snapshot's own values (:func:`write_mirror`), so no number is invented.
"""

from __future__ import annotations

import gzip
import json
import shutil
import time
import urllib.error
from pathlib import Path

import pandas as pd
import pytest
from support import RAW_SHARED

from eocic_helpers.core import paths
from eocic_helpers.core.errors import DataError
from eocic_helpers.data import eurostat, fetch, update
from eocic_helpers.data import snapshot as snap
from eocic_helpers.data.recipes import Recipe, check_file, declared, select

pytestmark = pytest.mark.unit

RAW = RAW_SHARED
FIX = Path(__file__).parent / "fixtures"
needs_raw = pytest.mark.skipif(not RAW.is_dir(), reason=f"raw files not present at {RAW}")
EUSBD = RAW / "eusbd_hackathon2017"
GDP2025 = RAW / "eurostat_2025_nama_10r_2gdp" / "estat_nama_10r_2gdp_EUR_HAB_pilot_extract.tsv"


def _cell(value: float, flag: str) -> str:
    text = format(value, ".6f").rstrip("0").rstrip(".")
    return f"{text} {flag}".rstrip() if flag else text


def write_sdmx_tsv(path: Path, dims: list[str], rows: pd.DataFrame) -> Path:
    """Write ``rows`` (dimension columns, ``geo``, ``year``, ``value``, ``flag``) as Eurostat's
    SDMX-TSV: ``freq,<dims>,geo\\TIME_PERIOD`` header, one row per series, ``:`` for a missing
    year, the flag after the value."""
    years = sorted(rows["year"].unique())
    keys = ["freq", *dims, "geo"]
    rows = rows.assign(freq="A")
    lines = [",".join(keys) + "\\TIME_PERIOD\t" + "\t".join(f"{y} " for y in years)]
    for key, grp in rows.groupby(keys, sort=True):
        by_year = {int(y): (v, f) for y, v, f in zip(grp["year"], grp["value"], grp["flag"],
                                                      strict=True)}
        cells = [_cell(*by_year[y]) + " " if y in by_year else ": " for y in years]
        lines.append(",".join(key) + "\t" + "\t".join(cells))
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
    return path


def write_mirror(folder: Path, snapshot: pd.DataFrame, skip: tuple[str, ...] = ()) -> Path:
    """One ``<code>.tsv.gz`` per dataset the recipes read, in SDMX-TSV, holding the committed
    snapshot's values of the indicators read from it (flags from the notes)."""
    folder.mkdir(parents=True, exist_ok=True)
    for code, recipes in update.needed_datasets().items():
        if code in skip:
            continue
        dims = list(dict.fromkeys(d for r in recipes for d in r.filters))
        parts = []
        for ind in snap.indicators().values():
            if ind.recipe is None or ind.recipe.derived or ind.recipe.dataset != code:
                continue
            rows = snapshot[snapshot["indicator"].eq(ind.id)]
            flag = rows["note"].str.extract(r"Eurostat flag: ([a-z]+)")[0].fillna("")
            frame = pd.DataFrame({"geo": rows["geo"], "year": rows["year"],
                                  "value": rows["value"], "flag": flag})
            for d in dims:
                frame[d] = ind.recipe.filters.get(d, "TOTAL")
            parts.append(frame)
        rows = pd.concat(parts) if parts else pd.DataFrame()
        if len(rows):
            write_sdmx_tsv(folder / f"{code}.tsv.gz", dims, rows)
        else:  # not in the committed snapshot: the hand-written sample in Eurostat's format
            shutil.copyfile(FIX / f"{code}_sdmx.tsv.gz", folder / f"{code}.tsv.gz")
    return folder


@pytest.fixture(scope="module")
def committed() -> pd.DataFrame:
    return snap.load_snapshot(paths.DEFAULT_SNAPSHOT)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory, committed) -> Path:
    return write_mirror(tmp_path_factory.mktemp("mirror"), committed)


# -- the recipes ------------------------------------------------------------------------------

def test_every_indicator_declares_its_recipe_beside_it():
    no_recipe = [i.id for i in snap.indicators().values() if i.recipe is None]
    assert no_recipe == ["ris2019_index"]  # the RIS is the Commission's, not an Eurostat table
    for ind in snap.indicators().values():
        r = ind.recipe
        if r is None:
            continue
        if r.derived:
            assert r.inputs and all(i in snap.indicators() for i in r.inputs), ind.id
        else:
            assert r.dataset in declared().datasets, (ind.id, r.dataset)


def test_the_third_party_builders_use_the_same_declaration():
    # Honti et al.'s columns are named by the recipes (dataset, then DIM_value pairs)
    cols = snap.honti_columns()
    assert cols["high_tech_sectors_emp_pct"] == "htec_emp_reg2_NACE_R2_HTC__UNIT_PC_EMP__SEX_T"
    assert cols["berd_personnel_pct_emp"] == (
        "rd_p_persreg_PROF_POS_TOTAL__SEX_T__SECTPERF_BES__UNIT_PC_EMP_FTE")
    assert snap.recipe("gerd_mio_eur").filters["sectperf"] == "TOTAL"


@needs_raw
def test_recipes_on_the_real_2017_bulk_files():
    """lfst_r_lfe2eedu and lfst_r_lfe2en2 of 2017 (old header): the recipes select one series
    per geo and year and the values are the file's (flags kept)."""
    edu = eurostat.read_any(EUSBD / "lfst_r_lfe2eedu.tsv.gz")
    check_file(edu, [snap.recipe("employed_25_64_ths"), snap.recipe("employed_tertiary_25_64_ths")],
               "lfst_r_lfe2eedu")
    total = select(edu, snap.recipe("employed_25_64_ths")).set_index(["geo", "year"])
    assert total.loc[("FR24", 2015), "value"] > 0
    assert not total.index.duplicated().any()
    nace = eurostat.read_any(EUSBD / "lfst_r_lfe2en2.tsv.gz")
    check_file(nace, [snap.recipe("employment_ths"), snap.recipe("industry_employment_ths")],
               "lfst_r_lfe2en2")
    flagged = select(nace, snap.recipe("employment_ths"))
    assert set(flagged["flag"]) >= {"", "b"}


@needs_raw
def test_recipe_on_the_real_2025_sdmx_tsv():
    gdp = eurostat.read_any(GDP2025)
    r = snap.recipe("gdp_per_capita_eur_estat")
    check_file(gdp, [r], GDP2025.name)
    rows, report = update._published(gdp, "gdp_per_capita_eur_estat", r,
                                      set(pd.read_csv(paths.DEFAULT_SNAPSHOT / "geo.csv")["geo"]))
    frb0 = rows[rows["geo"].eq("FRB0")].set_index("year")
    committed = snap.load_snapshot(paths.DEFAULT_SNAPSHOT)
    ours = committed[committed["indicator"].eq("gdp_per_capita_eur_estat")
                     & committed["geo"].eq("FRB0")].set_index("year")
    for year in ours.index:  # the same file through the update path: the same values and flags
        assert frb0.loc[year, "value"] == ours.loc[year, "value"]
        assert frb0.loc[year, "note"] == ours.loc[year, "note"]
    assert "Eurostat flag: p" in set(frb0["note"])
    assert report.empty


def test_a_filter_on_a_missing_dimension_or_value_is_one_line():
    frame = eurostat.read_any(FIX / "lfst_r_lfe2emprt_sdmx.tsv")
    with pytest.raises(DataError, match="dimension 'isced11' missing") as exc:
        check_file(frame, [Recipe("lfst_r_lfe2emprt", {"isced11": "ED5-8"})], "x.tsv")
    assert "\n" not in str(exc.value)
    with pytest.raises(DataError, match="no rows with age=Y15-64"):
        check_file(frame, [Recipe("lfst_r_lfe2emprt", {"age": "Y15-64"})], "x.tsv")


def test_an_underspecified_recipe_is_refused():
    text = ("freq,unit,sex,geo\\TIME_PERIOD\t2017 \nA,PC,T,FRB0\t71.0 p\nA,PC,F,FRB0\t69.0 \n")
    frame = eurostat.parse_tsv_text(text)
    with pytest.raises(DataError, match="several series per geo and year.*sex varies"):
        check_file(frame, [Recipe("x", {"unit": "PC"})], "x.tsv")


# -- eocic data update --------------------------------------------------------------------

def test_update_builds_a_separate_snapshot_from_the_downloads_alone(mirror, committed, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setenv(fetch.FETCH_FROM_ENV, str(mirror))
    before = {p.name: p.read_bytes() for p in paths.DEFAULT_SNAPSHOT.iterdir()}
    out = tmp_path / "fetched"
    summary = update.update(out, downloads=tmp_path / "downloads")
    assert {p.name: p.read_bytes() for p in paths.DEFAULT_SNAPSHOT.iterdir()} == before
    manifest = snap.verify_snapshot(out)
    assert manifest["data"]["kind"] == "eurostat"
    day = manifest["data"]["retrieved"][0]
    assert update.describe(out) == f"Eurostat, retrieved on {day}"
    assert update.describe(paths.DEFAULT_SNAPSHOT) == "the 2019 briefing's reproduction data"
    assert set(manifest["fetched"]) == set(update.needed_datasets())
    for code, entry in manifest["fetched"].items():  # the sha256 of every file used
        assert entry["sha256"] == fetch.sha256_file(tmp_path / "downloads" / entry["file"]), code
    assert summary["absent"] == ["ris2019_index"]
    new = snap.load_snapshot(out)
    # every published value comes back with its note (flags): the recipes read their format
    key = ["geo", "indicator", "year"]
    published = [i.id for i in snap.indicators().values() if i.recipe and not i.recipe.derived]
    known = update.nuts2016_codes()
    a = committed[committed["indicator"].isin(published)]
    # codes the committed geography lists from older extracts (e.g. HR02, a NUTS 2021 code)
    # are not NUTS 2016 codes: reported as unresolved, never kept
    other = set(a.loc[~a["geo"].isin(known), "geo"])
    report = pd.read_csv(out / update.NUTS_REPORT, keep_default_na=False)
    assert other and other == set(report.loc[report["status"] == "unresolved", "geo"])
    a = a[a["geo"].isin(known)].set_index(key)
    b = new.set_index(key)
    common = a.index.intersection(b.index)
    assert len(common) == len(a)
    assert (a.loc[common, "value"] - b.loc[common, "value"]).abs().max() < 1e-9
    flagged = a[a["note"].str.startswith("Eurostat flag")].index
    assert len(flagged) and (b.loc[flagged, "note"] == a.loc[flagged, "note"]).all()
    # derived indicators are recomputed by their recipes, e.g. the business share of R&D
    share = new[(new["indicator"] == "berd_share_gerd_pct") & (new["geo"] == "BE")]
    old = committed[(committed["indicator"] == "berd_share_gerd_pct") & (committed["geo"] == "BE")]
    assert share.set_index("year")["value"].round(6).equals(old.set_index("year")["value"])
    # the vintage is the retrieval date, in the snapshot's own source catalogue
    sources = (out / "sources.yaml").read_text()
    assert f"vintage: retrieved {day}" in sources
    assert set(new["source_id"]) <= {update.source_id(c) for c in manifest["fetched"]}


def test_a_dataset_eurostat_no_longer_has_is_listed_not_filled(committed, tmp_path, monkeypatch):
    mirror = write_mirror(tmp_path / "mirror", committed, skip=("tgs00040",))
    monkeypatch.setenv(fetch.FETCH_FROM_ENV, str(mirror))
    summary = update.update(tmp_path / "out", downloads=tmp_path / "dl")
    assert "tgs00040" in summary["unavailable"]
    assert "patents_per_million" in summary["absent"]
    new = snap.load_snapshot(tmp_path / "out")
    assert "patents_per_million" not in set(new["indicator"])


def test_a_file_that_does_not_fit_its_recipe_builds_nothing(mirror, tmp_path, monkeypatch):
    bad = tmp_path / "mirror"
    shutil.copytree(mirror, bad)
    (bad / "tgs00007.tsv.gz").write_bytes(gzip.compress(
        b"freq,unit,geo\\TIME_PERIOD\t2017 \nA,PC,FRB0\t65.7 \n"))
    monkeypatch.setenv(fetch.FETCH_FROM_ENV, str(bad))
    with pytest.raises(DataError, match=r"tgs00007.tsv.gz: dimension 'sex' missing") as exc:
        update.update(tmp_path / "out", downloads=tmp_path / "dl")
    assert "\n" not in str(exc.value)
    assert not (tmp_path / "out").exists()


def test_offline_update_is_one_line_at_once(tmp_path, monkeypatch):
    monkeypatch.delenv(fetch.FETCH_FROM_ENV, raising=False)
    calls = []

    def no_network(*args, **kwargs):
        calls.append(args)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(fetch.urllib.request, "urlopen", no_network)
    start = time.perf_counter()
    with pytest.raises(DataError) as exc:
        update.update(tmp_path / "out", downloads=tmp_path / "dl")
    assert time.perf_counter() - start < 5
    assert str(exc.value).startswith("no network") and "\n" not in str(exc.value)
    assert len(calls) == 1 and not (tmp_path / "out").exists()


def test_the_run_reads_the_chosen_snapshot(mirror, tmp_path, monkeypatch):
    """EOCIC_SNAPSHOT (what --snapshot sets) makes the snapshot's files the run's reads, keyed
    under data/snapshot/, and gives the run its own build folder."""
    from eocic_helpers.run import params as prm
    from eocic_helpers.run import runner

    monkeypatch.setenv(fetch.FETCH_FROM_ENV, str(mirror))
    out = tmp_path / "fetched"
    update.update(out, downloads=tmp_path / "dl")
    spec = prm.select(prm.discover(), ["indicators"])[0]
    default = runner.declared_reads(spec, "centre-val-de-loire")
    monkeypatch.setattr(paths, "SNAPSHOT", out.resolve())
    chosen = runner.declared_reads(spec, "centre-val-de-loire")
    snap_files = [f for f in chosen if f.is_relative_to(out.resolve())]
    assert snap_files and not any(f.is_relative_to(paths.DEFAULT_SNAPSHOT) for f in chosen)
    assert {runner._read_name(f) for f in snap_files} <= {
        runner._read_name(f) for f in default if f.is_relative_to(paths.DEFAULT_SNAPSHOT)} | {
        f"data/snapshot/{n}" for n in ("nuts_report.csv", "fetched.csv")}
    info = snap.indicator_info("employment_rate_15_64_pct")
    assert info["source_id"] == "estat_tgs00007_fetched" and info["vintage"].startswith("retrieved")


def test_manifest_records_what_is_absent(mirror, tmp_path, monkeypatch):
    monkeypatch.setenv(fetch.FETCH_FROM_ENV, str(mirror))
    update.update(tmp_path / "out", downloads=tmp_path / "dl")
    manifest = json.loads((tmp_path / "out" / snap.MANIFEST).read_text())
    assert manifest["data"]["absent_indicators"] == ["ris2019_index"]
    assert "sources.yaml" in manifest["files"] and "nuts_report.csv" in manifest["files"]
