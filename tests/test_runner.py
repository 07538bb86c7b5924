"""Planning, cache keys and region overrides (no kernel is started here)."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from eocic_helpers.core import atomic, paths
from eocic_helpers.core.digest import module_closure, notebook_code
from eocic_helpers.core.errors import ParameterError
from eocic_helpers.core.pipeline import NotebookDecl
from eocic_helpers.run import params as prm
from eocic_helpers.run import runner


def _specs(*names):
    return prm.select(prm.discover(), list(names))


def _spec(notebook: str, reads: tuple[str, ...]) -> prm.NotebookSpec:
    """A notebook ``nb`` with the code of ``notebook`` that reads ``reads``."""
    return prm.NotebookSpec("nb", paths.NOTEBOOKS / notebook, {}, NotebookDecl(
        scope="region", about="a test", briefing="none", reads=reads))


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
    spec = _spec("action_plan.ipynb", ("data/regions/{region}/plan.yaml",))
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


# -- the cache sees what a notebook uses ----------------------------------------------------

def _closure(name: str) -> set[str]:
    spec = prm.discover()[name]
    return {p.relative_to(paths.PACKAGE).as_posix() for p in module_closure(notebook_code(spec.path))}


def test_module_closure_follows_function_level_imports(tmp_path: Path, monkeypatch):
    pkg = tmp_path / "eocic_helpers"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "a.py").write_text("def f():\n    from eocic_helpers.sub import b\n    return b\n")
    (pkg / "sub" / "b.py").write_text("from . import c\n")
    (pkg / "sub" / "c.py").write_text("X = 1\n")
    (pkg / "unused.py").write_text("import eocic_helpers.sub.a\n")
    monkeypatch.setattr(paths, "PACKAGE", pkg)
    got = {p.relative_to(pkg).as_posix() for p in module_closure(
        "from eocic_helpers.sub.a import f\n")}
    assert got == {"__init__.py", "sub/__init__.py", "sub/a.py", "sub/b.py", "sub/c.py"}


def test_no_notebook_uses_the_cli_or_the_book():
    for name in prm.discover():
        used = _closure(name)
        assert "outputs/publication.py" in used, name  # the closure is not empty
        assert "cli.py" not in used and not any(u.startswith("book/") for u in used), (name, used)
        assert "run/runner.py" not in used, name


def test_editing_a_module_no_notebook_imports_keeps_every_key(tmp_path: Path, monkeypatch):
    pkg = tmp_path / "eocic_helpers"
    shutil.copytree(paths.PACKAGE, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "PACKAGE", pkg)
    specs = _specs()
    before = {t.label: t.key for t in runner.plan(["saxony"], specs, {})}
    for unused in ("cli.py", "book/editions.py", "book/appendix.py", "run/runner.py"):
        (pkg / unused).write_text((pkg / unused).read_text() + "\n# edited\n")
    assert {t.label: t.key for t in runner.plan(["saxony"], specs, {})} == before
    # ... while editing a module one notebook uses re-keys that notebook only
    (pkg / "analysis" / "costs.py").write_text(
        (pkg / "analysis" / "costs.py").read_text() + "\n# edited\n")
    after = {t.label: t.key for t in runner.plan(["saxony"], specs, {})}
    assert {k for k in before if after[k] != before[k]} == {"saxony/cost_benefit"}


def test_a_recorded_read_enters_the_key(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    (tmp_path / "extra.yaml").write_text("a: 1\n")
    spec = _spec("action_plan.ipynb", ())
    without = runner.task_key(spec, {}, "r", "code")
    with_read = runner.task_key(spec, {}, "r", "code", ["extra.yaml"])
    assert with_read != without
    (tmp_path / "extra.yaml").write_text("a: 2\n")
    assert runner.task_key(spec, {}, "r", "code", ["extra.yaml"]) != with_read
    (tmp_path / "extra.yaml").unlink()
    assert runner.task_key(spec, {}, "r", "code", ["extra.yaml"]) != with_read


def test_the_same_notebook_or_region_twice_is_one_task():
    tasks = runner.plan(["saxony", "saxony"], _specs("synthesis", "synthesis"), {})
    assert [t.label for t in tasks] == ["saxony/synthesis"]


# -- promotion: one set per task ------------------------------------------------------------

@pytest.fixture()
def runs(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr(paths, "RUNS", tmp_path / "runs")
    return tmp_path / "runs"


def _stage(root: Path, name: str, outputs: dict[str, str], values: dict) -> Path:
    staging = root / ".staging" / name
    staging.mkdir(parents=True)
    for rel, text in outputs.items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text(text)
    nb = {"cells": [{"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": []}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (staging / "nb.ipynb").write_text(json.dumps(nb))
    (staging / "nb.results.json").write_text(json.dumps(
        {"region": "r", "notebook": "nb", "values": values, "figures": [], "reads": []}))
    return staging


def _task(key: str) -> runner.Task:
    return runner.Task("r", "nb", "nb.ipynb", {}, key=key)


OLD = {"figures/a.png": "old a", "figures/gone.png": "old only", "tables/t.csv": "old t"}
NEW = {"figures/a.png": "new a", "figures/b.png": "new b", "tables/t.csv": "new t"}


def test_promotion_publishes_a_set_and_prunes_what_is_no_longer_produced(runs: Path):
    runner.promote(_task("k1"), _stage(runs, "one", OLD, {"v": 1}))
    assert runner.is_fresh(_task("k1")) and not runner.is_fresh(_task("k2"))
    region = runs / "r"
    assert (region / "figures" / "gone.png").read_text() == "old only"
    (region / "failed").mkdir()
    (region / "failed" / "nb.ipynb").write_text("{}")
    runner.promote(_task("k2"), _stage(runs, "two", NEW, {"v": 2}))
    assert runner.is_fresh(_task("k2"))
    assert not (region / "figures" / "gone.png").exists()  # pruned
    assert (region / "figures" / "b.png").read_text() == "new b"
    assert not (region / "failed" / "nb.ipynb").exists()  # a stale failure is removed
    assert json.loads((region / "results.json").read_text()) == {"v": 2}
    # an output edited or deleted by hand makes the task stale
    (region / "tables" / "t.csv").write_text("edited")
    assert not runner.is_fresh(_task("k2"))


@pytest.mark.parametrize("k", range(8))  # every os.replace of a promotion
def test_a_crash_inside_promotion_leaves_a_stale_task_the_next_run_repairs(runs: Path, monkeypatch,
                                                                           k: int):
    runner.promote(_task("k1"), _stage(runs, "one", OLD, {"v": 1}))
    real_replace = os.replace
    calls = {"n": 0}

    def crashing_replace(src, dst):
        calls["n"] += 1
        if calls["n"] > k:
            raise OSError(28, "No space left on device (simulated)")
        return real_replace(src, dst)

    monkeypatch.setattr(runner.os, "replace", crashing_replace)
    monkeypatch.setattr(runner.atomic.os, "replace", crashing_replace)
    with pytest.raises(OSError):
        runner.promote(_task("k2"), _stage(runs, "two", NEW, {"v": 2}))
    assert not runner.is_fresh(_task("k2")) and not runner.is_fresh(_task("k1"))
    monkeypatch.setattr(runner.os, "replace", real_replace)
    monkeypatch.setattr(runner.atomic.os, "replace", real_replace)
    runner.promote(_task("k2"), _stage(runs, "three", NEW, {"v": 2}))
    assert runner.is_fresh(_task("k2"))
    assert json.loads((runs / "r" / "results.json").read_text()) == {"v": 2}


def test_a_file_another_notebook_now_publishes_is_not_pruned(runs: Path):
    runner.promote(_task("k1"), _stage(runs, "one", {"figures/moved.png": "from nb"}, {}))
    other = runner.Task("r", "other", "other.ipynb", {}, key="k")
    staging = _stage(runs, "two", {"figures/moved.png": "from other"}, {})
    (staging / "nb.ipynb").rename(staging / "other.ipynb")
    (staging / "nb.results.json").write_text(json.dumps(
        {"region": "r", "notebook": "other", "values": {}, "figures": []}))
    (staging / "nb.results.json").rename(staging / "other.results.json")
    runner.promote(other, staging)
    runner.promote(_task("k2"), _stage(runs, "three", {}, {}))  # nb no longer draws it
    assert (runs / "r" / "figures" / "moved.png").read_text() == "from other"
    assert runner.is_fresh(other)


def test_a_notebook_without_figures_or_tables_is_promoted_into_a_new_region(runs: Path):
    runner.promote(_task("k1"), _stage(runs, "one", {}, {"v": 1}))
    assert (runs / "r" / "nb.ipynb").exists() and runner.is_fresh(_task("k1"))


def test_a_corrupt_results_json_is_rebuilt_from_the_fragments(runs: Path, capsys):
    runner.promote(_task("k1"), _stage(runs, "one", OLD, {"v": 1, "w": "x"}))
    results = runs / "r" / "results.json"
    good = results.read_bytes()
    results.write_text('{"v": 1, "w')
    assert runner.write_results("r")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "results.json: corrupt; rebuilt" in err
    assert results.read_bytes() == good
    assert not runner.write_results("r")


def test_a_truncated_failed_notebook_is_not_kept(runs: Path):
    staging = _stage(runs, "one", {}, {})
    (staging / "nb.ipynb").write_text('{"cells": [')  # a full disk cut it short
    assert runner._keep_failed(_task("k"), staging) == ""
    staging = _stage(runs, "two", {}, {})
    assert runner._keep_failed(_task("k"), staging).endswith("r/failed/nb.ipynb")


def test_published_files_respect_the_umask(runs: Path):
    runner.promote(_task("k1"), _stage(runs, "one", OLD, {"v": 1}))
    expected = 0o666 & ~atomic.UMASK
    for name in ("results.json", "_owners.json", ".cache/nb.manifest.json"):
        assert stat.S_IMODE((runs / "r" / name).stat().st_mode) == expected, name


def fake_failed_execute(task: runner.Task, staging: str, options: object = None) -> runner.Outcome:
    """Stands in for a kernel: every task fails at once (module level, so workers unpickle it)."""
    return runner.Outcome(task.region, task.notebook, "failed", error="KeyError: 'x'", cell=3)


def test_the_failed_line_goes_to_stderr_even_when_quiet(runs: Path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "execute", fake_failed_execute)
    task = runner.Task("r", "nb", "nb.ipynb", {}, key="k")
    [outcome] = runner.run([task], jobs=1, progress=False)
    assert outcome.status == "failed"
    out, err = capsys.readouterr()
    assert "FAILED r/nb: KeyError: 'x'" in err and "FAILED" not in out


# -- notebooks that run after the region's others (scope after_region) ----------------------

def test_the_reproduction_notebook_runs_after_the_regions_others_keyed_on_their_outputs(
        runs: Path):
    tasks = runner.plan(["saxony"], _specs("reproduction", "indicators"), {})
    after = next(t for t in tasks if t.notebook == "reproduction")
    assert after.after_region
    planned = after.key
    # The one schedule of every executor: the reproduction task waits for the indicators task
    schedule = runner._Schedule(tasks, force=False)
    first = [tasks[i].notebook for i in schedule.take()]
    assert first == ["indicators"] and not schedule.idle
    run = paths.run_dir("saxony")  # what the indicators task publishes
    (run / "figures").mkdir(parents=True)
    (run / "figures" / "figure1.png").write_bytes(b"png")
    (run / "indicators.ipynb").write_text("{}")
    atomic.write_json(runner.fragment_file("saxony", "indicators"), {
        "region": "saxony", "notebook": "indicators", "values": {"gdp": 1}, "figures": []})
    i = next(k for k, t in enumerate(tasks) if t.notebook == "indicators")
    schedule.settle(i, runner.Outcome("saxony", "indicators", "ok"))
    second = schedule.take()
    assert [tasks[k].notebook for k in second] == ["reproduction"] and schedule.idle
    assert after.key != planned  # re-keyed on the indicators task's files
    for k in second:
        schedule.settle(k, runner.Outcome("saxony", "reproduction", "ok"))
    assert [o.notebook for o in schedule.ordered()] == [t.notebook for t in tasks]

    def key() -> str:
        return runner.plan(["saxony"], _specs("reproduction"), {})[0].key

    assert key() == after.key  # a second plan computes the same key
    run = paths.run_dir("saxony")
    (run / "reproduction.ipynb").write_text("{}")  # its own outputs do not enter its key
    (run / "tables").mkdir()
    (run / "tables" / "reproduction_elements.csv").write_text("a\n")
    atomic.write_json(runner.manifest_file("saxony", "reproduction"),
                      {"key": key(), "files": {"tables/reproduction_elements.csv": ""}})
    assert key() == after.key
    (run / "tables" / "indicators.csv").write_text("a\n")  # another notebook's new table
    assert key() != after.key
    (run / "tables" / "indicators.csv").unlink()
    atomic.write_json(runner.fragment_file("saxony", "indicators"), {  # a changed result
        "region": "saxony", "notebook": "indicators", "values": {"gdp": 2}, "figures": []})
    assert key() != after.key


def test_a_task_waits_for_its_own_dependencies_only():
    from eocic_helpers.run import runner

    def task(region: str, notebook: str, after: bool = False) -> runner.Task:
        return runner.Task(region, notebook, f"{notebook}.ipynb", {}, after_region=after)

    tasks = [task("a", "x"), task("a", "y"), task("b", "x"), task("a", "r", after=True),
             task("b", "r", after=True), task(runner.CROSS_REGION, "comparison")]
    deps = runner._dependencies(tasks)
    assert deps[0] == deps[1] == deps[2] == set()
    assert deps[3] == {0, 1}  # region a's reproduction waits for region a, not for b
    assert deps[4] == {2}
    assert deps[5] == {0, 1, 2, 3, 4}  # the cross-region notebook waits for every region


def test_the_eu_wide_notebooks_run_first_and_only_their_readers_wait_for_them():
    from eocic_helpers.run import runner

    tasks = [runner.Task(runner.EU_WIDE, "eu_tables", "eu_tables.ipynb", {}),
             runner.Task("a", "indicators", "indicators.ipynb", {}),
             runner.Task("a", "industrial_change", "industrial_change.ipynb", {}, reads_eu=True),
             runner.Task("a", "summary", "summary.ipynb", {}, after_region=True),
             runner.Task(runner.CROSS_REGION, "comparison", "comparison.ipynb", {})]
    deps = runner._dependencies(tasks)
    assert deps[0] == deps[1] == set()  # a region's notebook that reads no EU table starts at once
    assert deps[2] == {0}
    assert deps[3] == {1, 2}
    assert deps[4] == {0, 1, 2, 3}


def test_a_run_plans_the_eu_wide_step_once_when_a_notebook_reads_it():
    tasks = runner.plan(["centre-val-de-loire", "saxony"], _specs("industrial_change"), {})
    assert [t.label for t in tasks] == [
        "eu/eu_tables", "centre-val-de-loire/industrial_change", "saxony/industrial_change"]
    assert tasks[0].parameters["region"] == runner.EU_WIDE
    assert all(t.reads_eu for t in tasks[1:])
    # the regions' key covers what the EU-wide step published
    reads = runner.declared_reads(_specs("industrial_change")[0], tasks[1].region)
    assert any("composite_mc_totals.npy" in str(r) for r in reads) or not (
        paths.run_dir(runner.EU_WIDE) / "data").is_dir()
    alone = runner.plan(["saxony"], _specs("indicators"), {})
    assert [t.label for t in alone] == ["saxony/indicators"]  # it reads none: no EU-wide step


def test_an_eu_wide_output_changes_the_key_of_the_notebooks_that_read_it(monkeypatch,
                                                                          tmp_path: Path):
    monkeypatch.setattr(paths, "BUILD", tmp_path / "build")
    monkeypatch.setattr(paths, "RUNS", tmp_path / "build" / "runs")
    spec = _spec("industrial_change.ipynb", ("{eu}/data/*.npy",))
    assert spec.reads_eu
    data = paths.run_dir(runner.EU_WIDE) / "data"
    data.mkdir(parents=True)
    (data / "t.npy").write_bytes(b"1")
    before = runner.task_key(spec, {}, "a", "pkg")
    assert [p.name for p in runner.declared_reads(spec, "a")] == ["t.npy"]
    (data / "t.npy").write_bytes(b"2")
    assert runner.task_key(spec, {}, "a", "pkg") != before


def test_a_markdown_edit_changes_the_task_key(tmp_path: Path):
    """The executed notebook carries its markdown into the edition, so editing the text of a
    notebook must re-run it (outputs never enter the key)."""
    import json as _json

    nb = _json.loads((paths.NOTEBOOKS / "summary.ipynb").read_text())
    a, b = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    a.write_text(_json.dumps(nb))
    nb["cells"][0]["source"] = "# Another title\n"
    b.write_text(_json.dumps(nb))
    assert runner._code_of(a) != runner._code_of(b)
    nb["cells"][2]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    a.write_text(_json.dumps(nb))
    assert runner._code_of(a) == runner._code_of(b)
