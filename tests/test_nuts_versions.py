"""NUTS versions: declared recodes are renamed with a note, boundary changes and undeclared codes
are never mapped, and every code left out is reported."""

from __future__ import annotations

import pandas as pd
import pytest
from support import RAW_SHARED

from eocic_helpers.data import eurostat
from eocic_helpers.data.nuts_versions import load_correspondence, to_nuts2016
from eocic_helpers.data.update import nuts2016_codes

pytestmark = pytest.mark.unit

KNOWN = {"FRB0", "FRE1", "SI03", "LT01", "LT02", "LT00", "HR03", "FR", "EU27_2020"}


def test_the_declaration_is_sourced_and_covers_the_pilots_2013_codes():
    corr = load_correspondence()
    assert corr.recode_map() == {"FR24": "FRB0", "FR30": "FRE1", "FR22": "FRE2", "SI01": "SI03",
                                 "SI02": "SI04"}
    assert all(r.source for r in corr.recodes) and all(c.source for c in corr.not_comparable)
    assert corr.changed()["LT00"].becomes == ["LT01", "LT02"]


def test_recode_boundary_change_and_unresolved():
    frame = pd.DataFrame({
        "geo": ["FR24", "FRB0", "LT00", "HR02", "HR05", "FRB", "FR", "EU27_2020", "HR03"],
        "indicator": "x", "year": [2013, 2020, 2013, 2021, 2021, 2021, 2021, 2021, 2021],
        "value": range(9), "note": ["", "", "", "", "", "", "", "", "Eurostat flag: p"]})
    kept, report = to_nuts2016(frame, KNOWN)
    assert kept["geo"].tolist() == ["FRB0", "FRB0", "LT00", "FR", "EU27_2020", "HR03"]
    assert kept.loc[0, "note"] == "NUTS 2013 code FR24 recoded to NUTS 2016"
    assert "not split" in kept.loc[2, "note"]
    assert kept.loc[5, "note"] == "Eurostat flag: p"
    got = report.set_index("geo")["status"].to_dict()
    assert got == {"HR02": "unresolved", "HR05": "unresolved", "LT00": "not comparable"}
    assert "boundaries changed" in report.set_index("geo").loc["LT00", "reason"]


@pytest.mark.skipif(not RAW_SHARED.is_dir(), reason="raw files not present")
def test_eurostats_2026_tables_carry_codes_of_three_versions():
    """tgs00042 of 2026 (SDMX-CSV, real): NUTS 2013 codes for old years are recoded where declared
    (FR24 -> FRB0), NUTS 2021 codes that are not NUTS 2016 codes are reported, none mapped."""
    path = RAW_SHARED / "eurostat_tgs_2026_chappuis5" / "eurostat_tgs00042_gerd_rd_expenditure.csv"
    frame = eurostat.read_any(path).assign(indicator="gerd_pct_gdp", note="")
    kept, report = to_nuts2016(frame, nuts2016_codes())
    unresolved = set(report.loc[report["status"] == "unresolved", "geo"])
    assert {"HR02", "HR05", "HR06", "PT1A", "NO08"} <= unresolved
    assert not set(kept["geo"]) & unresolved
    assert "FR24" not in set(kept["geo"])
