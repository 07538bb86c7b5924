"""Bad input: one line on stderr, non-zero exit, and no kernel started (nothing written)."""

import os
from pathlib import Path

import pytest
from conftest import ROOT, eocic_main

pytestmark = pytest.mark.cli


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "centre"], "unknown region 'centre'; did you mean centre-val-de-loire?"),
        (["run", "centre-val-de-loire", "-p", "tzero", "x"], "unknown parameter 'tzero'"),
        (["run", "centre-val-de-loire", "-p", "t0", "2019-02-30"], "parameter 't0'"),
        (["run", "centre-val-de-loire", "--notebok", "x"], "unrecognized arguments"),
        (["run", "centre-val-de-loire", "-n", "nope"], "unknown notebook 'nope'"),
        (["run", "centre-val-de-loire", "-f", "missing.yaml"], "missing.yaml: file not found"),
        (["book", "atlantis"], "unknown region 'atlantis'"),
        (["run", "FRB0", "-p", "n_smes", "0"], "'n_smes' is 0, below its minimum"),
        (["run", "FRB0", "-p", "n_smes", "ten"], "'n_smes' must be a whole number"),
        (["run", "FRB0", "-p", "tutors_cost_eur_per_year", "-70000"], "below its minimum"),
        (["run", "FRB0", "-p", "discount_rate", "1.5"], "allowed: number from 0 to 1"),
        (["run", "FRB0", "-p", "audit_cost_eur_low", "95000"], "is above 'audit_cost_eur_high'"),
    ],
)
def test_bad_input_fails_fast_in_one_line(tmp_path: Path, args, expected):
    proc = eocic_main(*args, build=tmp_path / "build")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert expected in lines[0]
    assert not (tmp_path / "build").exists(), "no work may start on bad input"


def test_malformed_params_file(tmp_path: Path):
    f = tmp_path / "params.yaml"
    f.write_text("t0: [2019\n")
    proc = eocic_main("run", "centre-val-de-loire", "-f", str(f), build=tmp_path / "build")
    assert proc.returncode == 2
    assert "params.yaml:" in proc.stderr and "malformed YAML" in proc.stderr


def test_regions_lists_ten(tmp_path: Path):
    proc = eocic_main("regions")
    assert proc.returncode == 0
    assert len(proc.stdout.strip().splitlines()) == 10


def test_dry_run_plans_without_executing(tmp_path: Path):
    proc = eocic_main("run", "--dry-run", "-n", "action_plan", build=tmp_path / "build")
    assert proc.returncode == 0
    assert proc.stdout.count("run    ") == 10
    assert not (tmp_path / "build" / "runs").exists()


def test_bad_synthesis_yaml_fails_before_any_kernel(tmp_path: Path):
    import shutil

    root = tmp_path / "root"
    for part in ("data", "notebooks", "book"):
        shutil.copytree(ROOT / part, root / part)
    (root / "requirements.lock").write_text("")
    f = root / "data" / "regions" / "centre-val-de-loire" / "synthesis.yaml"
    f.write_text(f.read_text().replace("swot:\n", "swot: [\n", 1))
    env = dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(tmp_path / "build"))
    proc = eocic_main("run", "FRB0", "-n", "synthesis", env=env)
    assert proc.returncode == 2
    assert "synthesis.yaml:" in proc.stderr and "malformed YAML" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "build").exists()
