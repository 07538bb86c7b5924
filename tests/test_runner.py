"""Planning, cache keys and region overrides (no kernel is started here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eocic_helpers.core import paths
from eocic_helpers.core.errors import ParameterError
from eocic_helpers.run import params as prm
from eocic_helpers.run import runner


def _specs(*names):
    return prm.select(prm.discover(), list(names))


def test_plan_covers_regions_times_notebooks():
    tasks = runner.plan(["centre-val-de-loire", "saxony"], _specs("action_plan", "indicators"), {})
    assert [t.label for t in tasks] == [
        "centre-val-de-loire/action_plan", "centre-val-de-loire/indicators",
        "saxony/action_plan", "saxony/indicators"]
    assert all(t.parameters["region"] in {"centre-val-de-loire", "saxony"} for t in tasks)


def test_key_changes_with_parameters():
    specs = _specs("action_plan")
    base = {t.label: t.key for t in runner.plan(["centre-val-de-loire", "saxony"], specs, {})}
    again = {t.label: t.key for t in runner.plan(["centre-val-de-loire", "saxony"], specs, {})}
    assert base == again
    with_t0 = runner.plan(["saxony"], specs, prm.resolve(specs, {"t0": "2020-01-01"}))
    assert with_t0[0].key != base["saxony/action_plan"]


def test_editing_one_regions_yaml_rekeys_only_that_region(monkeypatch, tmp_path: Path):
    for region in ("a", "b"):
        (tmp_path / "data" / "regions" / region).mkdir(parents=True)
        (tmp_path / "data" / "regions" / region / "plan.yaml").write_text("x: 1\n")
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    spec = prm.NotebookSpec("nb", paths.NOTEBOOKS / "action_plan.ipynb", {},
                            reads=("data/regions/{region}/plan.yaml",))
    key_a, key_b = (runner.task_key(spec, {}, r, "pkg") for r in ("a", "b"))
    (tmp_path / "data" / "regions" / "a" / "plan.yaml").write_text("x: 2\n")
    assert runner.task_key(spec, {}, "a", "pkg") != key_a
    assert runner.task_key(spec, {}, "b", "pkg") == key_b
    assert runner.task_key(spec, {}, "b", "other package") != key_b


def test_region_parameter_file_is_validated(monkeypatch, tmp_path: Path):
    region_data = tmp_path / "regions"
    (region_data / "saxony").mkdir(parents=True)
    f = region_data / "saxony" / "parameters.yaml"
    monkeypatch.setattr(paths, "REGION_DATA", region_data)
    f.write_text("n_smes: 0\n")
    with pytest.raises(ParameterError, match=r"saxony/parameters.yaml: parameter 'n_smes' is 0"):
        runner.plan(["saxony"], _specs("cost_benefit"), {})
    f.write_text("n_smess: 10\n")
    with pytest.raises(ParameterError, match="unknown parameter 'n_smess'"):
        runner.plan(["saxony"], _specs("cost_benefit"), {})
    f.write_text("n_smes: 80\n")
    [task] = runner.plan(["saxony"], _specs("cost_benefit"), {})
    assert task.parameters["n_smes"] == 80
    # a -p value wins over the region's file
    [task] = runner.plan(["saxony"], _specs("cost_benefit"),
                         prm.resolve(_specs("cost_benefit"), {"n_smes": "120"}))
    assert task.parameters["n_smes"] == 120


def test_summary_table_names_the_failing_cell():
    out = runner.format_summary([
        runner.Outcome("saxony", "indicators", "failed", 1.0, "build/x.ipynb", "KeyError: 'x'", 3),
        runner.Outcome("wallonia", "indicators", "ok", 2.0)])
    assert "KeyError: 'x' (cell 3) -> build/x.ipynb" in out
