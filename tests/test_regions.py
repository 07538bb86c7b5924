from pathlib import Path

import pytest

from eocic_helpers.core.errors import ConfigError, EocicError
from eocic_helpers.core.regions import load_regions, resolve_region, resolve_regions


def test_ten_pilots_with_the_briefings_units():
    regions = load_regions()
    assert len(regions) == 10
    codes = [c for r in regions for c in r.nuts2016]
    assert len(codes) == len(set(codes)) == 19
    units = [u for r in regions for u in r.units]
    # The briefing's Figure 4 shows 17 units: Lithuania and Slovenia as one each.
    assert len(units) == 17
    assert {"FRB0", "BE31", "DED4"} <= {u.id for u in units}


@pytest.mark.parametrize(
    "text", ["centre-val-de-loire", "Centre-Val de Loire", "CENTRE VAL DE LOIRE", "FRB0", "fr24"]
)
def test_resolve_by_slug_name_or_code(text):
    assert resolve_region(text).id == "centre-val-de-loire"


def test_resolve_accent_and_ampersand():
    assert resolve_region("east & north finland").id == "east-north-finland"
    assert resolve_region("LT00").id == "lithuania"


def test_unknown_region_is_one_line_with_a_suggestion():
    with pytest.raises(EocicError) as exc:
        resolve_region("centre")
    msg = str(exc.value)
    assert "\n" not in msg
    assert "unknown region 'centre'" in msg
    assert "did you mean centre-val-de-loire?" in msg
    assert "valid: cantabria" in msg


def test_no_region_means_all_and_duplicates_collapse():
    assert len(resolve_regions([])) == 10
    assert [r.id for r in resolve_regions(["FRB0", "centre-val-de-loire"])] == [
        "centre-val-de-loire"
    ]


def test_units_must_cover_the_codes(tmp_path: Path):
    bad = tmp_path / "regions.yaml"
    bad.write_text(
        "schema_version: 1\nregions:\n  - id: x\n    name: X\n    country: FR\n"
        "    country_name: France\n    nuts2016: [FRB0]\n    nuts2013: [FR24]\n"
        "    units:\n      - {id: FRE1, name: Y, nuts2016: [FRE1]}\n"
    )
    with pytest.raises(ConfigError, match=r"regions\.yaml:3: field 'regions\.0'"):
        load_regions(bad)
