"""`eocic data diff OLD NEW`: every value revised, appeared or gone, and the claims and ranks
of the briefing that flip; a table in the terminal and a CSV."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from eocic_helpers.analysis import vintages
from eocic_helpers.core import paths
from eocic_helpers.data import diff
from eocic_helpers.data import snapshot as snap

pytestmark = pytest.mark.unit


def _row(geo: str, ind: str, year: int, value: float, note: str = "") -> dict:
    return {"geo": geo, "indicator": ind, "year": year, "value": value, "note": note}


def test_revised_appeared_and_gone_are_told_apart():
    old = pd.DataFrame([_row("FRB0", "x", 2016, 1.0), _row("FRB0", "x", 2017, 2.0),
                        _row("FRE1", "x", 2017, 5.0), _row("FRB0", "y", 2015, 3.0)])
    new = pd.DataFrame([_row("FRB0", "x", 2016, 1.0), _row("FRB0", "x", 2017, 2.5, "Eurostat flag: p"),
                        _row("FRB0", "x", 2018, 2.7), _row("FRB0", "y", 2014, 2.0)])
    out = diff.diff_frames(old, new)
    got = {(r.indicator, r.geo, r.year): r.status for r in out.itertuples()}
    assert got == {("x", "FRB0", 2017): "revised", ("x", "FRB0", 2018): "appeared: new year",
                   ("x", "FRE1", 2017): "disappeared", ("y", "FRB0", 2014): "appeared: filled in",
                   ("y", "FRB0", 2015): "disappeared"}
    rev = out[out["status"] == "revised"].iloc[0]
    assert (rev["old"], rev["new"], rev["change"], rev["change_pct"]) == (2.0, 2.5, 0.5, 25.0)
    assert rev["new_note"] == "Eurostat flag: p"
    assert diff.diff_frames(old, old).empty


@pytest.fixture(scope="module")
def revised(tmp_path_factory) -> Path:
    """The committed snapshot with Centre-Val de Loire's 2017 GDP revised up by half (a test
    revision, never published): GDP per inhabitant then lies above the EU's."""  # noqa: D401
    folder = tmp_path_factory.mktemp("revised") / "snapshot"
    shutil.copytree(paths.DEFAULT_SNAPSHOT, folder)
    f = folder / "gdp_population.csv"
    frame = pd.read_csv(f, dtype={"geo": str, "note": str}, keep_default_na=False)
    hit = ((frame["geo"] == "FRB0") & frame["indicator"].isin(["gdp_mio_eur", "gdp_per_capita_eur"])
           & (frame["year"] == 2017))
    assert hit.sum() == 2
    frame.loc[hit, "value"] = frame.loc[hit, "value"] * 1.5
    frame.to_csv(f, index=False, lineterminator="\n", float_format="%.6f")
    snap.write_manifest(folder)
    return folder


def test_the_briefings_claims_and_ranks_that_flip(revised):
    report = vintages.diff_report(paths.DEFAULT_SNAPSHOT, revised,
                                  csv=revised.parent / "diff.csv")
    changes = report["changes"]
    assert changes[["indicator", "geo", "year", "status"]].values.tolist() == [
        ["gdp_mio_eur", "FRB0", 2017, "revised"], ["gdp_per_capita_eur", "FRB0", 2017, "revised"]]
    flips = report["flips"]
    cvl = flips[flips["region"] == "centre-val-de-loire"]
    claim = cvl[cvl["statement"] == "GDP per capita below the EU level"].iloc[0]
    assert claim["old"] == "holds" and claim["new"].startswith("does not hold (ours: above)")
    rank = cvl[cvl["statement"] == vintages.RANKS["gdp_per_capita_rank"]].iloc[0]
    assert (rank["old"], rank["new"]) == ("6th", "1st")
    # the others' ranks move down by one where CVL passes them
    assert set(flips["region"]) > {"centre-val-de-loire"}
    written = pd.read_csv(report["csv"])
    assert written["status"].tolist() == ["revised", "revised"]
    assert pd.read_csv(report["flips_csv"]).shape[0] == len(flips)
