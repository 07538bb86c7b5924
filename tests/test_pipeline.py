"""The one declaration of the pipeline (notebooks/pipeline.yaml): the runner, the tables of
contents, the CLI and the README read it; run/ and book/ import no analysis module."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, eocic_main

from eocic_helpers.core import pipeline as pl
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.run import params as prm

PKG = ROOT / "eocic_helpers"


def test_every_notebook_is_declared_and_every_declared_one_exists():
    declared = pl.declared_notebooks()
    assert set(declared) == {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    specs = prm.discover()
    assert list(specs) == list(declared)
    assert specs["comparison"].cross_region and specs["reproduction"].after_region
    assert specs["summary"].after_region and specs["indicators"].any_nuts2


def test_no_notebook_carries_its_own_contract():
    import json

    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        assert "eocic" not in json.loads(nb.read_text())["metadata"], nb.name


def test_an_undeclared_or_missing_notebook_is_one_line(tmp_path: Path):
    folder = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", folder)
    shutil.copy(folder / "summary.ipynb", folder / "extra.ipynb")
    with pytest.raises(ConfigError) as err:
        pl.declared_notebooks(folder)
    assert "extra.ipynb is not declared" in str(err.value) and "\n" not in str(err.value)
    (folder / "extra.ipynb").unlink()
    (folder / "summary.ipynb").unlink()
    with pytest.raises(ConfigError) as err:
        pl.declared_notebooks(folder)
    assert "declares 'summary'" in str(err.value) and "does not exist" in str(err.value)


def test_a_bad_declaration_is_one_clear_error(tmp_path: Path):
    bad = tmp_path / "pipeline.yaml"
    text = (ROOT / "notebooks" / "pipeline.yaml").read_text()
    bad.write_text(text.replace("scope: after_region", "scope: sometimes", 1))
    with pytest.raises(ConfigError) as err:
        pl.load_pipeline(bad)
    assert "pipeline.yaml" in str(err.value) and "\n" not in str(err.value).strip()
    bad.write_text(text.replace("- {file: synthesis,", "- {file: synthesys,", 1))
    with pytest.raises(ConfigError, match="synthesys"):
        pl.load_pipeline(bad)


def test_eu_wide_reads_are_declared_consistently(tmp_path: Path):
    text = (ROOT / "notebooks" / "pipeline.yaml").read_text()
    assert prm.discover()["eu_tables"].eu_wide and prm.discover()["industrial_change"].reads_eu
    bad = tmp_path / "pipeline.yaml"
    bad.write_text(text.replace("scope: eu_wide", "scope: region", 1))  # no EU-wide step left
    with pytest.raises(ConfigError, match="industrial_change.*needs a notebook of scope eu_wide"):
        pl.load_pipeline(bad)
    bad.write_text(text.replace("      - data/sources.yaml\n  about_study:",
                                "      - data/regions/{region}/study.yaml\n  about_study:", 1))
    with pytest.raises(ConfigError, match="eu_tables.*cannot read a region's files"):
        pl.load_pipeline(bad)
    bad.write_text(text.replace("      - data/regions/{region}/study.yaml\n",
                                "      - data/regions/{seed}/study.yaml\n", 1))
    with pytest.raises(ConfigError, match=r"about_study.*holds \{seed\}; a read names only"):
        pl.load_pipeline(bad)


def test_checks_are_dotted_paths_that_resolve():
    for name, nb in pl.declared_notebooks().items():
        for dotted in (*nb.checks.values(), *nb.preflight, nb.validator, nb.allowed):
            if dotted:
                assert callable(pl.resolve_callable(dotted)), (name, dotted)
    with pytest.raises(ConfigError, match="names no function"):
        pl.resolve_callable("eocic_helpers.analysis.costs.no_such_function")


def test_the_briefings_order():
    """Front matter, chapters 1-5 in the briefing's order with the costs inside chapter 4
    after the interventions they price and the plan in chapter 5, then the references; the
    technical report beside it holds the data and methods, the analysis behind chapters 1, 2
    and 4, the reproduction annex, the analysts' page and the glossary (issue 33)."""
    pages = pl.load_pipeline().pages("region")
    files = [p.file for _, p, _ in pages]
    assert files == ["intro", "summary", "about_study", "indicators", "industrial_change",
                     "synthesis", "strategy", "interventions", "cost_benefit", "action_plan",
                     "references"]
    parts = {p.file: (part, depth) for part, p, depth in pages}
    assert parts["cost_benefit"] == ("chapter", 1) and parts["summary"] == ("front", 0)
    report = pl.load_pipeline().report_pages("region")
    assert [(p.file, p.cells) for p in report] == [
        ("data_methods", "all"), ("indicators", "report"), ("industrial_change", "report"),
        ("synthesis", "report"), ("cost_benefit", "report"), ("reproduction", "all"),
        ("for_analysts", "all"), ("catalogue", "all"), ("glossary", "all")]
    toc = pl.toc("region", flags={"has_costs": True})
    briefing, technical = toc["parts"]
    chapter4 = next(c for c in briefing["chapters"] if c["file"] == "interventions")
    assert chapter4["sections"] == [{"file": "cost_benefit"}]
    assert technical["chapters"][0]["file"] == "report/index"
    assert "report/" not in str(pl.toc("region", pdf=True))
    report_pdf = pl.report_toc("region", flags={"has_costs": True})
    assert report_pdf["root"] == "report/index" and "for_analysts" not in str(report_pdf)
    assert report_pdf["chapters"][-2:] == [{"file": "report/glossary"}, {"file": "references"}]
    # a page shown only when the region's own content defines it
    assert "cost_benefit" not in str(pl.toc("region", flags={"has_costs": False}))
    assert "cost_benefit" in str(pl.toc("region", flags={"has_costs": True}))
    assert "cost_benefit" not in str(pl.report_toc("region", flags={"has_costs": False}))


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


@pytest.mark.parametrize("room", ["run", "book", "core"])
def test_generic_rooms_import_no_analysis_module(room: str):
    """run/ is the generic runner and book/ only places what runs produced: neither imports
    an analysis module (top-level or inside a function)."""
    for f in sorted((PKG / room).glob("*.py")):
        bad = sorted(m for m in _imports(f) if m.startswith("eocic_helpers.analysis"))
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"


@pytest.mark.cli
def test_cli_lists_the_notebooks_and_the_readme_table_matches():
    proc = eocic_main("notebooks")
    assert proc.returncode == 0
    assert "summary" in proc.stdout and "once, across all pilots" in proc.stdout
    table = eocic_main("notebooks", "--markdown").stdout
    readme = (ROOT / "README.md").read_text()
    assert table in readme, "README's notebook table differs from `eocic notebooks --markdown`"


def test_outputs_of_an_undeclared_notebook_are_pruned(tmp_path: Path, monkeypatch):
    import json

    from eocic_helpers.core import paths
    from eocic_helpers.run import runner

    monkeypatch.setattr(paths, "BUILD", tmp_path)
    monkeypatch.setattr(paths, "RUNS", tmp_path / "runs", raising=False)
    run_dir = paths.run_dir("saxony")
    (run_dir / ".cache").mkdir(parents=True)
    (run_dir / "figures").mkdir()
    (run_dir / "figures" / "old.csv").write_text("x\n1\n")
    (run_dir / "gone.ipynb").write_text("{}")
    (run_dir / ".cache" / "gone.manifest.json").write_text(json.dumps(
        {"key": "k", "files": {"figures/old.csv": "0", "gone.ipynb": "0"}}))
    (run_dir / ".cache" / "gone.results.json").write_text(json.dumps(
        {"region": "saxony", "notebook": "gone", "values": {"stale_key": 1}}))
    (run_dir / "results.json").write_text(json.dumps({"stale_key": 1}))
    assert runner.prune_undeclared("saxony") == ["gone"]
    assert not (run_dir / "figures" / "old.csv").exists()
    assert not (run_dir / "gone.ipynb").exists()
    results = run_dir / "results.json"
    assert not results.exists() or "stale_key" not in json.loads(results.read_text())
