"""Hostile and unlucky input (issue 17, sections 2, 3 and 7): one line, exit 2, no kernel.

Every case is refused before any work starts: most tests call the validation functions, a few
go through the command line with an isolated build folder. None needs a kernel, and none can
hang: the alias bomb below would expand to 10^8 values if it were ever expanded.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, eocic_main

from eocic_helpers.analysis import action_plan as ap
from eocic_helpers.analysis import content as ct
from eocic_helpers.analysis import costs
from eocic_helpers.core import config, paths
from eocic_helpers.core.errors import ConfigError, EocicError, ParameterError
from eocic_helpers.run import params as prm
from eocic_helpers.run import runner

CVL = "centre-val-de-loire"

#: Eight levels of ten aliases: 10^8 values if expanded (it must not be).
BOMB = "".join(
    [f"l0: &l0 [{', '.join(['1'] * 10)}]\n"]
    + [f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 10)}]\n" for k in range(1, 8)]
)


def _one_line_refusal(proc: subprocess.CompletedProcess[str], expected: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert expected in lines[0], lines[0]
    return lines[0]


def _copy_root(tmp_path: Path) -> Path:
    """A private copy of the project's inputs, to plant bad content files in."""
    root = tmp_path / "root"
    for part in ("data", "notebooks", "book"):
        shutil.copytree(ROOT / part, root / part)
    (root / "requirements.lock").write_text("")
    return root


def _run_in(root: Path, build: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(build))
    return eocic_main(*args, env=env)


# -- 2. numbers that pass validation but are not numbers ------------------------------------

@pytest.mark.cli
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-p", "discount_rate", "nan"], "'discount_rate' must be a number, not NaN"),
        (["-p", "tutors_cost_eur_per_year", "inf"], "'tutors_cost_eur_per_year' must be a finite"),
        (["-p", "n_smes", "100000000000000000000000"], "'n_smes' is too large (max 1,000,000,000)"),
        (["-p", "t0", "9999-12-31"], "outside the years 1990 to 2100"),
    ],
)
def test_non_numbers_and_huge_values_are_refused_on_the_command_line(tmp_path: Path, args,
                                                                      expected):
    build = tmp_path / "build"
    (build / "runs").mkdir(parents=True)
    earlier = build / "runs" / "earlier.txt"
    earlier.write_text("last good output")
    proc = eocic_main("run", CVL, "--dry-run", *args, build=build)
    _one_line_refusal(proc, expected)
    assert earlier.read_text() == "last good output"
    assert sorted(p.name for p in (build / "runs").iterdir()) == ["earlier.txt"]


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "Infinity", float("nan"),
                                 float("inf"), "1e400"])
def test_non_finite_numbers_are_refused_for_every_kind(raw):
    for default in (0.5, 50):
        with pytest.raises(ParameterError, match="parameter 'x' (must be|is too large)"):
            prm.convert("x", raw, default)


@pytest.mark.parametrize(("raw", "default"), [("1" * 30, 50), (10**30, 50), (1e30, 50),
                                              ("1e16", 0.5), (10**400, 0.5), ("9" * 5000, 50)])
def test_huge_numbers_are_too_large_not_malformed(raw, default):
    with pytest.raises(ParameterError, match=r"is too large \(max ") as exc:
        prm.convert("x", raw, default)
    assert len(str(exc.value)) < 250


def test_the_cost_model_refuses_nan_before_its_range_checks():
    with pytest.raises(ParameterError, match="'discount_rate' must be a finite number"):
        costs.validate_values({"discount_rate": math.nan})
    with pytest.raises(ParameterError, match="must be a finite number"):
        costs.validate_values({"tutors_cost_eur_per_year": math.inf})


def test_t0_is_bounded_to_sane_years():
    assert ap.parse_t0("2019-09-01").year == 2019
    for bad in ("9999-12-31", "0001-01-01", "1989-12-31", "2101-01-01"):
        with pytest.raises(ParameterError, match="outside the years 1990 to 2100"):
            ap.parse_t0(bad)
    specs = prm.select(prm.discover(), ["action_plan"])
    with pytest.raises(ParameterError, match="outside the years"):
        prm.resolve(specs, {"t0": "9999-12-31"})


def _plan_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (ROOT / "data" / "regions" / CVL / "action_plan.yaml").read_text()
    assert old in text
    f = tmp_path / CVL / "action_plan.yaml"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(text.replace(old, new, 1))
    return f


@pytest.mark.parametrize(
    ("value", "expected"),
    [(".inf", r"'\.inf' is not a finite number"),
     ('"inf"', "field 'actions.0.start_month': Input should be a finite number"),
     ("1e12", "field 'actions.0.start_month': Input should be less than or equal to 600"),
     ("601", "field 'actions.0.start_month': Input should be less than or equal to 600")],
)
def test_action_plan_months_are_finite_and_bounded(tmp_path: Path, value, expected):
    f = _plan_with(tmp_path, "start_month: 0", f"start_month: {value}")
    with pytest.raises(ConfigError, match=r"action_plan\.yaml:\d+: " + expected):
        config.load_model(ap.ActionPlan, f)


def test_action_plan_end_month_1e12_is_refused(tmp_path: Path):
    plan = config.load_yaml(paths.region_data_dir(CVL) / "action_plan.yaml")
    plan["actions"][0]["end_month"] = 1e12
    with pytest.raises(ConfigError, match="field 'actions.0.end_month'.*less than or equal to 600"):
        config.validate(ap.ActionPlan, plan, tmp_path / "action_plan.yaml")


# -- 3. YAML and files that exhaust memory or time ------------------------------------------

def test_file_size_is_capped_before_parsing_and_the_value_is_not_echoed(tmp_path: Path):
    f = tmp_path / "params.yaml"
    f.write_text("t0: " + "x" * 3_000_000 + "\n")
    with pytest.raises(ConfigError, match=r"params\.yaml: file is 3,000,005 bytes, above the 1 MB "
                                          r"limit") as exc:
        prm.load_params_file(f)
    assert len(str(exc.value)) < 200


def test_a_huge_value_in_a_file_under_the_cap_is_echoed_cut(tmp_path: Path):
    f = tmp_path / "params.yaml"
    f.write_text("n_smes: " + "x" * 900_000 + "\n")
    specs = prm.select(prm.discover(), ["cost_benefit"])
    with pytest.raises(ParameterError, match=r"must be a whole number.*900000 characters") as exc:
        prm.resolve(specs, prm.load_params_file(f))
    assert len(str(exc.value)) < 300


def test_a_long_t0_on_the_command_line_is_echoed_cut():
    specs = prm.select(prm.discover(), ["action_plan"])
    with pytest.raises(ParameterError, match="not a date") as exc:
        prm.resolve(specs, {"t0": "9" * 100_000})
    assert len(str(exc.value)) < 300


def test_error_messages_are_capped_whatever_the_caller_echoes():
    assert len(str(EocicError("x" * 1_000_000))) <= EocicError.max_chars


@pytest.mark.parametrize("place", ["n_smes: *l7\n", "n_smes: [*l7, *l7]\n",
                                   "n_smes:\n  deep: *l7\n"])
def test_alias_bomb_in_a_numeric_value_is_refused_without_expanding(tmp_path: Path, place):
    f = tmp_path / "params.yaml"
    f.write_text(BOMB + place)
    with pytest.raises(ConfigError, match=r"params\.yaml:\d+: expands to more than 50,000 "
                                          r"values \(aliases\)"):
        prm.load_params_file(f)


def test_too_many_aliases_and_self_reference_are_refused(tmp_path: Path):
    f = tmp_path / "a.yaml"
    f.write_text("a: &a 1\nb: [" + ", ".join(["*a"] * 101) + "]\n")
    with pytest.raises(ConfigError, match=r"a\.yaml:2: more than 100 aliases"):
        config.load_yaml(f)
    f.write_text("a: &a [1, *a]\n")
    with pytest.raises(ConfigError, match="an alias refers to a value that contains it"):
        config.load_yaml(f)


@pytest.mark.cli
def test_alias_bomb_in_a_region_parameters_file_fails_the_run_in_one_line(tmp_path: Path):
    root = _copy_root(tmp_path)
    (root / "data" / "regions" / CVL / "parameters.yaml").write_text(BOMB + "n_smes: *l7\n")
    proc = _run_in(root, tmp_path / "build", "run", CVL, "-n", "cost_benefit")
    line = _one_line_refusal(proc, "parameters.yaml:")
    assert "expands to more than 50,000 values" in line
    assert not (tmp_path / "build").exists()


def test_nan_in_a_region_parameters_file_is_refused(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(paths, "REGION_DATA", tmp_path)
    (tmp_path / CVL).mkdir()
    (tmp_path / CVL / "parameters.yaml").write_text("n_smes: 60\ndiscount_rate: .nan\n")
    specs = prm.select(prm.discover(), ["cost_benefit"])
    with pytest.raises(ConfigError, match=r"parameters\.yaml:2: '\.nan' is not a finite number"):
        runner.plan([CVL], specs, {})


def test_deep_nesting_is_refused(tmp_path: Path):
    f = tmp_path / "deep.yaml"
    f.write_text("x: " + "[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(ConfigError, match=r"deep\.yaml:1: nested more than 100 levels deep"):
        config.load_yaml(f)


@pytest.mark.cli
@pytest.mark.cli
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not UTF-8 text"),
        ("t0: 2019-09-01\n".encode("utf-16"), "not UTF-8 text (UTF-16)"),
        (b"t0: '2019'\n\x00\x00", "not a text file (it holds NUL bytes)"),
        (b"t0: 2019-13-01\n", "params.yaml:1: '2019-13-01' is not a valid value"),
        (b"{5: 3}\n", "params.yaml:1: parameter name '5' is not text"),
        (b"t0: 2019-09-01\nt0: 2019-10-01\n", "params.yaml:2: duplicate key 't0'"),
        (b"discount_rate: .nan\n", "params.yaml:1: '.nan' is not a finite number"),
        (b"discount_rate: 1.0e+400\n", "params.yaml:1: '1.0e+400' is not a finite number"),
        (b"n_smes: " + b"9" * 5000 + b"\n", "params.yaml:1: '99999"),
        (BOMB.encode() + b"n_smes: *l7\n", "expands to more than 50,000 values"),
    ],
    ids=["binary", "utf16", "nul", "bad-date", "int-key", "dup-key", "nan", "overflow",
         "5000-digits", "alias-bomb"],
)
def test_unreadable_params_files_are_one_line(tmp_path: Path, capsys, content: bytes, expected):
    from eocic_helpers.cli import main

    f = tmp_path / "params.yaml"
    f.write_bytes(content)
    rc = main(["run", CVL, "--dry-run", "-f", str(f)])
    out = capsys.readouterr()
    _one_line_refusal(subprocess.CompletedProcess([], rc, out.out, out.err), expected)
    assert out.out == ""
    assert len(out.err) < 400


@pytest.mark.cli
def test_alias_bomb_params_file_exits_2_in_one_line(tmp_path: Path):
    f = tmp_path / "params.yaml"
    f.write_text(BOMB + "n_smes: *l7\n")
    proc = eocic_main("run", CVL, "-f", str(f), build=tmp_path / "build")
    line = _one_line_refusal(proc, "expands to more than 50,000 values (aliases)")
    assert "params.yaml:5:" in line  # the first anchor whose expansion is over the cap
    assert not (tmp_path / "build").exists()


def test_every_project_yaml_file_loads_as_before():
    import yaml

    files = sorted(paths.DATA.rglob("*.yaml"))
    assert len(files) >= 5
    for f in files:
        assert config.load_yaml(f) == yaml.safe_load(f.read_text("utf-8")), f


# -- 7. synthesis.yaml that names another region, or reuses an id ---------------------------

def _synthesis_with(tmp_path: Path, old: str, new: str) -> Path:
    text = ct.content_file(CVL, "synthesis").read_text()
    assert old in text
    f = tmp_path / "synthesis.yaml"
    f.write_text(text.replace(old, new, 1))
    return f


def test_synthesis_naming_another_region_is_refused(tmp_path: Path):
    f = _synthesis_with(tmp_path, f"region: {CVL}", "region: saxony")
    with pytest.raises(ConfigError, match=r"synthesis\.yaml:\d+: field 'region': says 'saxony' "
                                          rf"but the file is for region '{CVL}'"):
        ct.load_part(CVL, "synthesis", f)


def test_duplicate_swot_ids_are_refused(tmp_path: Path):
    f = _synthesis_with(tmp_path, "- {id: w1,", "- {id: s1,")
    with pytest.raises(ConfigError, match=r"synthesis\.yaml:\d+: field 'swot\.weaknesses\.0\.id': "
                                          r"duplicate SWOT id 's1'"):
        ct.load_part(CVL, "synthesis", f)
    line = config.line_of(f, ("swot", "weaknesses", 0, "id"))
    assert "id: s1," in f.read_text().splitlines()[line - 1]


def test_duplicate_challenge_ids_are_refused(tmp_path: Path):
    first = next(line for line in ct.content_file(CVL, "synthesis").read_text().splitlines()
                 if line.lstrip().startswith("- {id: ch1,"))
    f = _synthesis_with(tmp_path, first + "\n", first + "\n" + first + "\n")
    with pytest.raises(ConfigError, match=r"field 'challenges\.1\.id': duplicate challenge id"):
        ct.load_part(CVL, "synthesis", f)


@pytest.mark.cli
def test_synthesis_for_another_region_fails_the_run_in_one_line(tmp_path: Path):
    root = _copy_root(tmp_path)
    f = root / "data" / "regions" / CVL / "synthesis.yaml"
    f.write_text(f.read_text().replace(f"region: {CVL}", "region: saxony", 1))
    proc = _run_in(root, tmp_path / "build", "run", CVL, "-n", "synthesis")
    line = _one_line_refusal(proc, "synthesis.yaml:")
    assert f"field 'region': says 'saxony' but the file is for region '{CVL}'" in line
    assert not (tmp_path / "build").exists()


def test_action_plan_naming_another_region_or_reusing_an_id_is_refused(monkeypatch,
                                                                       tmp_path: Path):
    monkeypatch.setattr(paths, "REGION_DATA", tmp_path)
    _plan_with(tmp_path, f"region: {CVL}", "region: saxony")
    with pytest.raises(ConfigError, match=r"action_plan\.yaml:\d+: field 'region': says 'saxony'"):
        ap.load_action_plan(CVL)
    plan = config.load_yaml(ROOT / "data" / "regions" / CVL / "action_plan.yaml")
    second = plan["actions"][1]["id"]
    _plan_with(tmp_path, f"id: {second}", f"id: {plan['actions'][0]['id']}")
    with pytest.raises(ConfigError, match=r"field 'actions\.1\.id': duplicate id"):
        ap.load_action_plan(CVL)


def test_too_many_values_are_refused_while_parsing(tmp_path: Path):
    f = tmp_path / "flat.yaml"
    f.write_text("x: [" + ", ".join(["1"] * 60_000) + "]\n")
    assert f.stat().st_size < config.MAX_YAML_BYTES
    with pytest.raises(ConfigError, match=r"flat\.yaml:1: more than 50,000 values"):
        config.load_yaml(f)
