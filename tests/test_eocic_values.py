from pathlib import Path

import pytest

from eocic_helpers.core.errors import DataError
from eocic_helpers.data.eocic_values import cluster_stars, load_eocic


def test_only_the_briefings_stars():
    assert cluster_stars() == {"FRB0": 49, "ITC1": 69, "BE31": 40}


def test_composite_and_scoreboard_cite_the_briefing():
    comp = load_eocic("composite_index")
    assert comp.loc[0, "composite_total"] == 0.751 and "section 1.2" in comp.loc[0, "where"]
    eco = load_eocic("ecosystem_scoreboard").set_index("indicator")
    assert eco.loc["knowledge_linkages", "value"] == 0.39
    assert eco.loc["entrepreneurial_norms", "comparator_value"] == 0.546
    assert eco["where"].str.contains("footnote").all()


def test_a_fuller_user_file_is_accepted(tmp_path: Path):
    f = tmp_path / "stars.csv"
    f.write_text("unit_id,unit_name,cluster_stars,year,where,note\nFRB0,CVL,49,2019,x,\n"
                 "BE32,Hainaut,33,2019,user file,\n")
    assert len(load_eocic("cluster_stars", f)) == 2


@pytest.mark.parametrize(
    ("text", "match"),
    [("unit_id,cluster_stars\nFRB0,49\n", "missing columns"),
     ("unit_id,unit_name,cluster_stars,year,where,note\nFRB0,C,many,2019,x,\n", "must be int"),
     ("unit_id,unit_name,cluster_stars,year,where,note\nFRB0,C,-3,2019,x,\n", "negative")],
)
def test_bad_user_files(tmp_path: Path, text, match):
    f = tmp_path / "stars.csv"
    f.write_text(text)
    with pytest.raises(DataError, match=match):
        load_eocic("cluster_stars", f)
