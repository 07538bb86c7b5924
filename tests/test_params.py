from pathlib import Path

import pytest

from eocic_helpers.core.errors import ConfigError, ParameterError
from eocic_helpers.run import params as prm


def test_parameters_cell_is_parsed():
    src = 'region = "centre-val-de-loire"  # id\nt0: str = ""\nn_smes = 50\nshare = 0.5\n'
    assert prm.parse_parameters(src) == {
        "region": "centre-val-de-loire", "t0": "", "n_smes": 50, "share": 0.5}


def test_every_notebook_declares_region_with_the_default_region():
    specs = prm.discover()
    assert "action_plan" in specs
    for spec in specs.values():
        # A cross-region notebook runs over every pilot at once: its region is "all"; an
        # EU-wide one runs once for the EU: "eu".
        expected = ("all" if spec.cross_region else "eu" if spec.eu_wide
                    else "centre-val-de-loire")
        assert spec.defaults.get("region") == expected, spec.name


def test_unknown_parameter_is_an_error_with_valid_names():
    specs = prm.select(prm.discover(), ["action_plan"])
    with pytest.raises(ParameterError, match="unknown parameter 'tzero'.*valid: t0"):
        prm.resolve(specs, {"tzero": "2019-01-01"})


def test_region_cannot_be_set_with_p():
    specs = prm.select(prm.discover(), ["action_plan"])
    with pytest.raises(ParameterError, match="set by the runner"):
        prm.resolve(specs, {"region": "saxony"})


def test_checked_values():
    specs = prm.select(prm.discover(), ["action_plan"])
    assert prm.resolve(specs, {"t0": "2019-09-01"}) == {"action_plan": {"t0": "2019-09-01"}}
    with pytest.raises(ParameterError, match="not a date"):
        prm.resolve(specs, {"t0": "soon"})


def test_unknown_notebook():
    with pytest.raises(ParameterError, match="unknown notebook 'action_plans'"):
        prm.select(prm.discover(), ["action_plans"])


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [("120", 50, 120), (3, 50, 3), ("0.25", 0.5, 0.25), ("yes", False, True), (7, "", "7")],
)
def test_convert(raw, default, expected):
    assert prm.convert("x", raw, default) == expected


@pytest.mark.parametrize(("raw", "default"), [("12.5", 50), ("many", 50), ("x", 1.0), (2.5, 3)])
def test_convert_rejects(raw, default):
    with pytest.raises(ParameterError, match="parameter 'x'"):
        prm.convert("x", raw, default)


def test_params_file_must_be_a_mapping(tmp_path: Path):
    f = tmp_path / "p.yaml"
    f.write_text("- t0\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        prm.load_params_file(f)


@pytest.mark.parametrize(("raw", "default", "expected"),
                         [("1e3", 50, 1000), ("50.0", 50, 50), (50.0, 50, 50), (" 7 ", 50, 7),
                          ("1_000", 50, 1000), ("1e15", 0.5, 1e15), ("-0.25", 0.5, -0.25)])
def test_convert_numbers_within_limits(raw, default, expected):
    value = prm.convert("x", raw, default)
    assert value == expected and type(value) is type(default)


def test_params_file_names_must_be_text(tmp_path: Path):
    f = tmp_path / "p.yaml"
    f.write_text("t0: ''\n2019: 3\n")
    with pytest.raises(ConfigError, match=r"p\.yaml:2: parameter name '2019' is not text"):
        prm.load_params_file(f)
    with pytest.raises(ParameterError, match="parameter name '5' is not text"):
        prm.resolve(prm.select(prm.discover(), ["action_plan"]), {5: 3})
