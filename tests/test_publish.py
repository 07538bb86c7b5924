import json
from pathlib import Path

import pandas as pd
import pytest

from eocic_helpers.core import atomic, reads
from eocic_helpers.outputs.fragments import merge_results
from eocic_helpers.outputs.publication import myst_list_table


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


def test_publication_records_the_project_files_a_notebook_reads(tmp_path: Path, monkeypatch):
    from eocic_helpers.core import paths
    from eocic_helpers.outputs import publication

    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    (root / "data" / "in.yaml").write_text("a: 1\n")
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setattr(paths, "BUILD", root / "build")
    (tmp_path / "staging").mkdir()  # the runner makes the staging folder
    monkeypatch.setenv(publication.OUTPUT_ENV, str(tmp_path / "staging"))
    pub = publication.open_publication("r", "nb")
    (root / "data" / "in.yaml").read_text()  # a read under the project: recorded
    (root / "data" / "out.txt").write_text("x")  # a write: not a read
    (root / "build").mkdir()
    (root / "build" / "x.json").write_text("{}")
    (root / "build" / "x.json").read_text()  # the build folder: outputs, not inputs
    (tmp_path / "elsewhere.txt").write_text("x")
    (tmp_path / "elsewhere.txt").read_text()  # outside the project
    fragment = json.loads(pub.finish().read_text())
    assert fragment["reads"] == ["data/in.yaml"]
    publication.open_publication("r", "next")  # the next notebook starts a new record
    assert sorted(reads.READS) == []


def test_a_kept_kernel_reads_and_records_cached_data_again(tmp_path: Path, monkeypatch):
    from eocic_helpers.core.regions import load_regions
    from eocic_helpers.outputs import publication

    (tmp_path / "staging").mkdir()  # the runner makes the staging folder
    monkeypatch.setenv(publication.OUTPUT_ENV, str(tmp_path / "staging"))
    load_regions()  # an earlier notebook in the same kernel loaded the regions
    publication.open_publication("r", "nb")
    load_regions()
    assert "data/regions.yaml" in sorted(reads.READS)


def test_a_notebook_whose_staging_folder_is_gone_fails_rather_than_make_it_again(
        tmp_path: Path, monkeypatch):
    """A worker left running a task after its run ended (a lost Dask scheduler) must not
    recreate the staging folder the run removed."""
    from eocic_helpers.core import paths
    from eocic_helpers.core.errors import EocicError
    from eocic_helpers.outputs import publication

    monkeypatch.setattr(paths, "BUILD", tmp_path / "build")
    gone = tmp_path / "build" / "runs" / ".staging" / "r--nb-1-0"
    monkeypatch.setenv(publication.OUTPUT_ENV, str(gone))
    with pytest.raises(EocicError, match="staging folder .* is gone"):
        publication.open_publication("r", "nb")
    assert not (tmp_path / "build").exists()


def test_a_checked_loader_keeps_its_value_records_its_files_and_reads_a_changed_file(
        tmp_path: Path, monkeypatch):
    """A warm kernel parses a file once across notebooks, each notebook still records it, and
    a file that changed is read again (eocic_helpers.core.reads.cached_loader)."""
    from eocic_helpers.core import paths, reads
    from eocic_helpers.outputs import publication

    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    data = root / "data" / "x.txt"
    data.write_text("one")
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setattr(paths, "BUILD", root / "build")
    (tmp_path / "staging").mkdir()
    monkeypatch.setenv(publication.OUTPUT_ENV, str(tmp_path / "staging"))
    calls: list[str] = []

    @reads.cached_loader
    def load(path: Path) -> str:
        calls.append(str(path))
        return path.read_text()

    @reads.cached_loader
    def outer() -> str:  # a checked loader calling another records its files too
        return load(data).upper()

    publication.open_publication("r", "first")
    assert load(data) == "one" and sorted(reads.READS) == ["data/x.txt"]
    publication.open_publication("r", "second")  # the next notebook, on the same kernel
    assert sorted(reads.READS) == []
    assert outer() == "ONE" and load(data) == "one" and len(calls) == 1  # kept
    assert sorted(reads.READS) == ["data/x.txt"]  # and recorded again
    publication.open_publication("r", "third")
    assert outer() == "ONE" and sorted(reads.READS) == ["data/x.txt"]
    data.write_text("two!")
    assert load(data) == "two!" and outer() == "TWO!" and len(calls) == 2  # read again
    data.unlink()
    with pytest.raises(FileNotFoundError):
        load(data)
