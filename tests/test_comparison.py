"""The cross-region comparison: planned once over all pilots, after them, keyed on their runs;
it reports what differs between regions and what they lack."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from eocic_helpers.analysis import comparison as cmp
from eocic_helpers.analysis.summary import run_results
from eocic_helpers.core import paths
from eocic_helpers.core.regions import load_regions
from eocic_helpers.outputs.numbers import and_list
from eocic_helpers.run import params as prm
from eocic_helpers.run import runner


@pytest.fixture()
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(paths, "RUNS", tmp_path / "runs")
    monkeypatch.setattr(paths, "BUILD", tmp_path)
    return tmp_path / "runs"


def _result(runs: Path, region: str, values: dict, params: dict | None = None) -> None:
    folder = runs / region
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(values))
    # The columns of the cost notebook's parameter table: a readable parameter name first.
    rows = [{"parameter": "SMEs coached a year", "value": 50.0, "unit": "SMEs"},
            {"parameter": "Two tutors", "value": 70000.0, "unit": "EUR"}]
    for row in rows:
        row["value"] = (params or {}).get(row["parameter"], row["value"])
    pd.DataFrame(rows).to_csv(folder / "tables" / "cost_parameters.csv", index=False)


def test_the_comparison_runs_once_for_all_pilots_and_only_then(runs: Path):
    specs = prm.select(prm.discover(), ["indicators", "comparison"])
    pilots = [r.id for r in load_regions()]
    tasks = runner.plan(pilots, specs, {})
    assert [t.region for t in tasks].count("all") == 1 and tasks[-1].region == "all"
    assert tasks[-1].parameters["region"] == "all"
    assert all(t.region != "all" for t in runner.plan(pilots[:1], specs, {}))


def test_its_key_covers_what_the_regions_produced(runs: Path):
    specs = prm.select(prm.discover(), ["comparison"])
    pilots = [r.id for r in load_regions()]
    _result(runs, pilots[0], {"gdp_per_capita_eur_text": "1"})
    before = runner.plan(pilots, specs, {})[0].key
    _result(runs, pilots[0], {"gdp_per_capita_eur_text": "2"})
    assert runner.plan(pilots, specs, {})[0].key != before


def test_only_parameters_that_differ_are_shown(runs: Path):
    regions = load_regions()[:3]
    for r in regions:
        _result(runs, r.id, {}, {"SMEs coached a year": 80.0} if r is regions[1] else None)
    table, same = cmp.parameters_table(regions)
    assert list(table["Parameter"]) == ["SMEs coached a year"]
    assert list(table.columns[2:]) == [r.name for r in regions]
    assert same == ["Two tutors"]


def test_missing_runs_and_content_are_named_not_blank(runs: Path):
    regions = load_regions()[:2]
    _result(runs, regions[0].id, {"has_synthesis": True, "content_status": "own",
                                  "composite_total_text": "0.43"})
    results = {r.id: run_results(r.id) for r in regions}
    content = cmp.content_table(regions, results)  # only the regions that have content
    assert list(content["Region"]) == [regions[0].name]
    assert content.iloc[0, 1] == "restated for the region"
    assert content.iloc[0, 3] == "not restated"
    assert cmp.regions_lacking(regions, results, "has_synthesis") == [regions[1].name]
    composite = cmp.composite_table(regions, results)
    assert composite.iloc[0, 1] == "0.43" and composite.iloc[1, 1] == cmp.MISSING
    typology = cmp.typology_table(regions, results)  # every region, named when not run
    assert list(typology["Region"]) == [r.name for r in regions]
    assert typology.iloc[1, 1] == cmp.MISSING
    assert and_list(["a", "b", "c"]) == "a, b and c" and and_list([]) == "none"


def test_chapter_values_name_what_the_regions_lack(runs: Path):
    from eocic_helpers.core.errors import ConfigError
    from eocic_helpers.core.results import load_catalogue

    regions = load_regions()[:3]
    _result(runs, regions[0].id, {"has_synthesis": True, "cluster_stars": 3})
    _result(runs, regions[1].id, {"has_synthesis": False, "cluster_stars": ""},
            {"SMEs coached a year": 80.0})
    results = {r.id: run_results(r.id) for r in regions}
    v = cmp.chapter_values(regions, results)
    catalogue = load_catalogue()
    assert sorted(v) == sorted(catalogue.entries["comparison"])
    assert (v["n_regions"], v["n_regions_run"], v["regions_not_run"]) == (3, 2, regions[2].name)
    assert v["regions_with_content"] == regions[0].name and v["n_regions_without_content"] == 2
    assert v["regions_without_stars"] == f"{regions[1].name} and {regions[2].name}"
    assert v["parameters_note"] == "The other 1 cost parameters are the same in every region."
    # a key no notebook declares is refused, not read as missing
    with pytest.raises(ConfigError, match="no notebook declares it"):
        cmp.regions_lacking(regions, results, "has_synthesys")


@pytest.mark.study
def test_the_comparison_ran_once_and_its_reads_are_declared(all_pilots_build: Path):
    """In a full run the comparison ran as region 'all'; the files it opened are files it
    declares (the pilots' runs are in its key through declared_reads)."""
    from conftest import eocic_main

    manifest = all_pilots_build / "runs" / "all" / ".cache" / "comparison.manifest.json"
    recorded = set(json.loads(manifest.read_text())["reads"])
    assert recorded
    spec = prm.discover()["comparison"]
    declared = {p.relative_to(paths.ROOT).as_posix() for p in runner.declared_reads(spec, "all")
                if p.is_relative_to(paths.ROOT)}
    assert recorded <= declared, sorted(recorded - declared)
    # A second full run is a cache hit for it too.
    proc = eocic_main("run", "--dry-run", build=all_pilots_build)
    assert proc.returncode == 0, proc.stderr
    assert "cached all/comparison" in proc.stdout, proc.stdout[-500:]


def test_it_reads_the_parameter_table_the_cost_notebook_writes():
    """The comparison reads the same columns ``costs.parameter_table`` publishes."""
    from eocic_helpers.analysis import costs

    table = costs.parameter_table(costs.defaults())
    assert {"parameter", "value", "unit"} <= set(table.columns)


def test_it_reads_the_candidates_table_the_synthesis_notebook_writes(runs: Path):
    """The candidate matrix reads the columns ``synthesis.candidates_table`` publishes."""
    from eocic_helpers.analysis import synthesis as sy
    from eocic_helpers.data.snapshot import load_snapshot

    regions = load_regions()[:2]
    shown = sy.candidates_table(sy.candidates(load_snapshot(), regions[0]))
    (runs / regions[0].id / "tables").mkdir(parents=True)
    shown.to_csv(runs / regions[0].id / "tables" / "swot_candidates.csv", index=False)
    matrix = cmp.candidates_matrix(regions)
    assert sorted(matrix["Indicator"]) == sorted(shown["Indicator"])
    assert set(matrix[regions[0].name]) <= {"S", "W"}
