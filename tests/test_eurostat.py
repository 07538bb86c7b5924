from pathlib import Path

import pytest

from eocic_helpers.core.errors import DataError
from eocic_helpers.data import eurostat

FIX = Path(__file__).parent / "fixtures"


def test_old_tsv_header_with_flags_and_missing():
    f = eurostat.read_any(FIX / "lfst_r_lfe2emprt_old.tsv")
    assert list(f.columns) == ["unit", "sex", "age", "geo", "year", "value", "flag"]
    frb0 = f[f["geo"] == "FRB0"].set_index("year")
    assert frb0.loc[2015, "value"] == 69.8
    assert frb0.loc[2014, "flag"] == "b"
    assert 2013 not in frb0.index  # ':' is missing, never filled


@pytest.mark.parametrize("name", ["lfst_r_lfe2emprt_sdmx.tsv", "lfst_r_lfe2emprt_sdmx.tsv.gz"])
def test_sdmx_tsv_plain_and_gzipped(name):
    f = eurostat.read_any(FIX / name)
    row = f[(f["geo"] == "FRB0") & (f["year"] == 2017)].iloc[0]
    assert (row["value"], row["flag"], row["freq"]) == (71.0, "p", "A")


def test_sdmx_csv_drops_empty_observations():
    f = eurostat.read_any(FIX / "lfst_r_lfe2emprt_sdmx.csv")
    assert set(f["geo"]) == {"FRB0", "EU28"}
    assert f.loc[f["geo"] == "FRB0", "flag"].item() == "p"
    assert {"unit", "sex", "age", "freq"} <= set(f.columns)


def test_read_any_sniffs_the_format():
    assert len(eurostat.read_any(FIX / "lfst_r_lfe2emprt_sdmx.csv")) == 2
    assert len(eurostat.read_any(FIX / "lfst_r_lfe2emprt_old.tsv")) == 5


def test_truncated_gzip(tmp_path: Path):
    data = (FIX / "lfst_r_lfe2emprt_sdmx.tsv.gz").read_bytes()
    bad = tmp_path / "cut.tsv.gz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="corrupt or truncated gzip"):
        eurostat.read_any(bad)


def test_truncated_row(tmp_path: Path):
    text = (FIX / "lfst_r_lfe2emprt_old.tsv").read_text()
    bad = tmp_path / "cut.tsv"
    bad.write_text(text[: text.rfind("\t")])
    with pytest.raises(DataError, match=r"cut\.tsv:3: 3 fields where the header has 4"):
        eurostat.read_any(bad)


def test_missing_columns(tmp_path: Path):
    bad = tmp_path / "nohdr.tsv"
    bad.write_text("unit,geo\t2015\nPC,FR\t1\n")
    with pytest.raises(DataError, match="missing columns: the first header cell"):
        eurostat.parse_tsv_text(bad.read_text(), str(bad))
    csv = tmp_path / "bad.csv"
    csv.write_text("geo,year,value\nFR,2015,1\n")
    with pytest.raises(DataError, match=r"missing columns \['OBS_VALUE', 'TIME_PERIOD'\]"):
        eurostat.read_any(csv)


def test_missing_file(tmp_path: Path):
    with pytest.raises(DataError, match="file not found"):
        eurostat.read_any(tmp_path / "nope.tsv")
