"""The snapshot: rebuilt identically from the raw files, validated on load, and faithful."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from support import RAW_SHARED

from eocic_helpers.core import paths
from eocic_helpers.core.errors import DataError
from eocic_helpers.core.regions import load_regions
from eocic_helpers.data import snapshot as snap
from eocic_helpers.data.lookup import lookup, pilot_table, rank_desc
from eocic_helpers.data.reference import compare

RAW = RAW_SHARED
needs_raw = pytest.mark.skipif(not RAW.is_dir(), reason=f"raw files not present at {RAW}")


@pytest.fixture(scope="module")
def s() -> pd.DataFrame:
    return snap.load_snapshot()


@needs_raw
def test_snapshot_rebuilds_identically(tmp_path: Path):
    out = tmp_path / "snapshot"
    snap.build_snapshot(RAW, out, fetched_dir=tmp_path / "no-downloads")
    built = sorted(p.name for p in [*out.glob("*.csv"), out / snap.MANIFEST])
    committed = sorted(p.name for p in [*paths.SNAPSHOT.glob("*.csv"), paths.SNAPSHOT / snap.MANIFEST])
    assert built == committed
    for name in built:
        assert (out / name).read_bytes() == (paths.SNAPSHOT / name).read_bytes(), name


@needs_raw
def test_checksum_mismatch_names_file_and_both_hashes(tmp_path: Path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    f = raw / "honti2020_i40_dib" / "rankings.csv"
    f.chmod(0o644)
    f.write_text(f.read_text() + "XX99,1,1,0.5\n")
    before = {p.name: p.read_bytes() for p in paths.SNAPSHOT.glob("*.csv")}
    out = tmp_path / "snapshot"
    with pytest.raises(DataError) as exc:
        snap.build_snapshot(raw, out)
    msg = str(exc.value)
    assert "rankings.csv: checksum mismatch" in msg
    assert "expected sha256 9b271fda" in msg and "got " in msg
    assert not out.exists()
    assert before == {p.name: p.read_bytes() for p in paths.SNAPSHOT.glob("*.csv")}


@needs_raw
def test_missing_raw_file(tmp_path: Path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    (raw / "eusbd_hackathon2017" / "lfst_r_lfe2en2.tsv.gz").unlink()
    with pytest.raises(DataError, match="lfst_r_lfe2en2.tsv.gz: raw file missing"):
        snap.build_snapshot(raw, tmp_path / "snapshot")


def test_gdp_per_capita_triple_within_one_percent(s):
    for ref_id, geo in [("gdp_per_capita_eur", "FRB0"), ("gdp_per_capita_eur_country", "FR"),
                        ("gdp_per_capita_eur_eu", "EU28")]:
        result = compare(ref_id, lookup(s, "gdp_per_capita_eur", geo, 2017).value)
        assert result.agrees, result


def test_gdp_rank_sixth_behind_the_briefings_five(s):
    table = pilot_table(s, "gdp_per_capita_eur", load_regions(), 2017)
    rank, ahead = rank_desc(table, "centre-val-de-loire")
    assert compare("gdp_per_capita_rank", rank).agrees
    assert ahead == ["North-Middle Sweden", "East & North Finland", "Piemonte", "Saxony", "Wallonia"]


def test_tertiary_share_within_one_point_and_keeps_its_year(s):
    for ref_id, geo in [("tertiary_employed_share_pct", "FRB0"),
                        ("tertiary_employed_share_pct_country", "FR"),
                        ("tertiary_employed_share_pct_eu", "EU28")]:
        v = lookup(s, "tertiary_employed_share_pct", geo)
        assert v.year == 2015  # the raw data end in 2015; never relabelled 2017
        assert compare(ref_id, v.value).agrees, (ref_id, v)


def test_recoding_and_lithuania(s):
    notes = s[(s["indicator"] == "tertiary_employed_share_pct") & (s["geo"] == "FRB0")]["note"]
    assert notes.str.contains("FR24 recoded").all()
    lt = s[(s["indicator"] == "tertiary_employed_share_pct") & (s["geo"] == "LT00")]
    assert len(lt) and lt["note"].str.contains("whole of Lithuania").all()
    assert "FR24" not in set(s["geo"])


def test_employment_rate_is_absent_not_invented(s):
    # the 20-64 rate (lfst_r_lfe2emprt) is still not in the raw files; the 15-64 rate
    # (tgs00007, 2026 extract) is, for regions only: no country or EU row is invented
    assert not s["indicator"].eq("employment_rate_pct").any()
    rate = s[s["indicator"] == "employment_rate_15_64_pct"]
    assert rate["geo"].str.len().eq(4).all()
    assert rate.set_index(["geo", "year"]).loc[("FRB0", 2017), "value"] == pytest.approx(65.7)
    assert rate["year"].max() == 2024


def test_business_share_of_rd_from_sector_sums(s):
    """BES / TOTAL of rd_e_gerdreg; FR24 (2013) recoded to FRB0; EU28 = EU27_2020 + UK."""
    def v(ind: str, geo: str, year: int) -> float:
        return lookup(s, ind, geo, year).value

    assert v("berd_mio_eur", "FR", 2017) == pytest.approx(33019.108)
    assert v("gerd_mio_eur", "EU27_2020", 2017) == pytest.approx(281437.398)
    share = v("berd_share_gerd_pct", "FRB0", 2013)
    assert share == pytest.approx(v("berd_mio_eur", "FRB0", 2013)
                                  / v("gerd_mio_eur", "FRB0", 2013) * 100, abs=1e-5)
    assert v("berd_mio_eur", "EU28", 2013) == pytest.approx(
        v("berd_mio_eur", "EU27_2020", 2013) + v("berd_mio_eur", "UK", 2013), abs=1e-5)
    eu = s[(s["indicator"] == "berd_share_gerd_pct") & (s["geo"] == "EU28")]
    assert eu["note"].str.contains("EU27_2020 \\+ UK").all()
    frb0 = s[(s["indicator"] == "berd_share_gerd_pct") & (s["geo"] == "FRB0")]
    assert frb0["year"].max() == 2013 and frb0["note"].str.contains("FR24").all()


def test_rci_late_files_hold_2015_values_not_2020():
    """The RCI 'late' exports are said to be 2020/2021; their values are 2015's. Checked here,
    so that the catalogue's warning (and their absence from the snapshot) stays justified."""
    from support.xlsx import parse_value, read_sheet

    from eocic_helpers.data.sources import verified_path

    if not RAW.is_dir():
        pytest.skip(f"raw files not present at {RAW}")
    s = snap.load_snapshot()
    edu = read_sheet(verified_path(RAW, "eurostat_rci_2023_jjayes/education_late.xlsx"))
    col = next(c for c in edu.columns if c.startswith("Tertiary educational attainment, Total")
               and "25-64" in c)
    tgs = s[s["indicator"] == "tertiary_attainment_25_64_pct_tgs"].set_index(["geo", "year"])
    units = [u for r in load_regions() for u in r.nuts2016]
    for unit in units:
        rci, _ = parse_value(edu.loc[edu["Code"] == unit, col].iloc[0])
        assert rci == pytest.approx(tgs.loc[(unit, 2015), "value"])
        assert rci != pytest.approx(tgs.loc[(unit, 2021), "value"]) or unit == "FRE2"
    assert "2015" in snap.load_sources()["estat_rci_education_2023"].vintage
    assert not s["source_id"].str.startswith("estat_rci").any()


def test_parse_rci_cell_text():
    from support.xlsx import parse_value

    assert parse_value("27 400.0 (p)") == (27400.0, "p")
    assert parse_value("68.5 %") == (68.5, "")
    assert parse_value("(:)") == (None, "")
    assert parse_value("-") == (None, "")


def test_every_value_carries_a_catalogued_source(s):
    from eocic_helpers.data.sources import load_sources

    assert set(s["source_id"]) <= set(load_sources())
    assert s[["unit", "source_id", "year"]].notna().all().all()
    for ind in s["indicator"].unique():
        info = snap.indicator_info(ind)
        assert info["dataset_code"] and info["vintage"]


def test_caption_source_names_dataset_and_vintage():
    text = snap.caption_source("gdp_per_capita_eur", "population")
    assert "tgs00003" in text and "December 2020" in text
    assert "R package" not in text  # how a file was obtained is the report's, not a caption's


def test_a_captions_vintage_is_a_date_in_readers_words():
    api = ("Eurostat dissemination API, SDMX-CSV 2.0 labels export; extraction date not in the "
           "file, committed 2026-02-08 with data to 2024 (about early 2026); NUTS 2021")
    assert snap.reader_vintage(api) == "extracted early 2026"
    assert snap.reader_vintage("extracted December 2020 (R package eurostat), NUTS 2016") == (
        "extracted December 2020")
    assert snap.reader_vintage("bulk download of about April 2017; last year 2015") == (
        "extracted April 2017")
    assert snap.reader_vintage("2025 release (French regions provisional)") == (
        "the 2025 release")
    assert snap.reader_vintage("NUTS 2016") == "NUTS 2016"


def _copy_snapshot(tmp_path: Path) -> Path:
    folder = tmp_path / "snap"
    shutil.copytree(paths.SNAPSHOT, folder)
    return folder


def test_unknown_unit_is_rejected(tmp_path: Path):
    folder = _copy_snapshot(tmp_path)
    f = folder / "context.csv"
    f.write_text(f.read_text().replace(",P_MHAB,", ",PER_MHAB,", 1))
    with pytest.raises(DataError, match="unknown unit 'PER_MHAB'"):
        snap.load_snapshot(folder)


def test_duplicate_rows_are_rejected(tmp_path: Path):
    folder = _copy_snapshot(tmp_path)
    f = folder / "context.csv"
    lines = f.read_text().splitlines()
    f.write_text("\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(DataError, match="duplicate row"):
        snap.load_snapshot(folder)


def test_missing_column_and_missing_file(tmp_path: Path):
    folder = _copy_snapshot(tmp_path)
    f = folder / "employment.csv"
    frame = pd.read_csv(f).drop(columns=["unit"])
    frame.to_csv(f, index=False)
    with pytest.raises(DataError, match=r"missing columns \['unit'\]"):
        snap.load_snapshot(folder)
    f.unlink()
    with pytest.raises(DataError, match="employment.csv: missing"):
        snap.load_snapshot(folder)


def test_unknown_geo_is_rejected(tmp_path: Path):
    folder = _copy_snapshot(tmp_path)
    f = folder / "technology.csv"
    lines = f.read_text().splitlines()
    lines[1] = "ZZ99" + lines[1][lines[1].index(","):]
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="unknown geo code 'ZZ99'"):
        snap.load_snapshot(folder)


def test_committed_snapshot_matches_its_manifest():
    manifest = snap.verify_snapshot()
    assert set(manifest["files"]) == {p.name for p in paths.SNAPSHOT.glob("*.csv")}


def test_manifest_refuses_changed_unlisted_and_malformed_files(tmp_path: Path):
    folder = _copy_snapshot(tmp_path)
    f = folder / "context.csv"
    original = f.read_bytes()
    f.write_bytes(original.replace(b",P_MHAB,", b",PER_MHAB,", 1))
    with pytest.raises(DataError, match=r"context.csv: changed since the snapshot was built.*"
                                         r"eocic data snapshot --raw DIR"):
        snap.verify_snapshot(folder)
    # a manifest rebuilt over a malformed file does not make it acceptable
    snap.write_manifest(folder)
    with pytest.raises(DataError, match="unknown unit 'PER_MHAB'"):
        snap.verify_snapshot(folder)
    f.write_bytes(original)
    snap.write_manifest(folder)
    (folder / "extra.csv").write_text("geo\n")
    with pytest.raises(DataError, match="extra.csv: not in MANIFEST.json"):
        snap.verify_snapshot(folder)
    (folder / "extra.csv").unlink()
    (folder / "MANIFEST.json").write_text("{")
    with pytest.raises(DataError, match="MANIFEST.json: unreadable"):
        snap.verify_snapshot(folder)
