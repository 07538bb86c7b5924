import json
from pathlib import Path

import pandas as pd
import pytest

from eocic_helpers.core import atomic
from eocic_helpers.outputs.publication import merge_results, myst_list_table


def test_merge_replaces_only_the_notebooks_own_keys(tmp_path: Path):
    results = tmp_path / "results.json"
    merge_results(results, {"notebook": "a", "values": {"x": 1, "old": 2}})
    merge_results(results, {"notebook": "b", "values": {"y": 3}})
    merged = merge_results(results, {"notebook": "a", "values": {"x": 10}})
    assert merged == {"x": 10, "y": 3}
    assert json.loads(results.read_text()) == {"x": 10, "y": 3}


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path: Path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [target]


def test_list_table_escapes_and_blanks():
    frame = pd.DataFrame({"a": ["x|y", None], "b": [1, 2]})
    text = myst_list_table(frame, "Cap", "tab-x")
    assert text.startswith("```{list-table} Cap\n:header-rows: 1\n:name: tab-x")
    assert "x\\|y" in text and text.rstrip().endswith("```")
