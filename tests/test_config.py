from pathlib import Path

import pytest
from pydantic import BaseModel

from eocic_helpers.core.config import load_model, load_yaml
from eocic_helpers.core.errors import ConfigError


class Thing(BaseModel):
    name: str
    count: int


def test_malformed_yaml_names_file_and_line(tmp_path: Path):
    f = tmp_path / "broken.yaml"
    f.write_text("name: ok\ncount: [1, 2\nother: 3\n")
    with pytest.raises(ConfigError) as exc:
        load_yaml(f)
    msg = str(exc.value)
    assert "broken.yaml:" in msg and "malformed YAML" in msg and "\n" not in msg


def test_invalid_field_names_line_and_field(tmp_path: Path):
    f = tmp_path / "thing.yaml"
    f.write_text("name: widget\ncount: many\n")
    with pytest.raises(ConfigError, match=r"thing\.yaml:2: field 'count'"):
        load_model(Thing, f)


def test_missing_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="file not found"):
        load_yaml(tmp_path / "nope.yaml")


def test_ordinary_anchors_and_merge_keys_still_load(tmp_path: Path):
    f = tmp_path / "anchors.yaml"
    f.write_text("base: &base {unit: EUR, year: 2019}\n"
                 "a: {<<: *base, value: 1.5}\nb: {<<: *base, year: 2020}\nwhen: 2019-09-01\n")
    data = load_yaml(f)
    assert data["a"] == {"unit": "EUR", "year": 2019, "value": 1.5}
    assert data["b"]["year"] == 2020
    assert str(data["when"]) == "2019-09-01"


def test_shown_cuts_long_values_and_never_renders_containers():
    from eocic_helpers.core.config import shown

    assert shown("short") == "short"
    assert shown("x" * 1000) == "x" * 80 + "… (1000 characters)"
    assert shown(list(range(10**6))) == "a list of 1000000 items"
    assert "digits" in shown(10**300)


def test_limits_are_stated_in_the_messages(tmp_path: Path):
    f = tmp_path / "big.yaml"
    f.write_bytes(b"#" * 1_000_001)
    with pytest.raises(ConfigError, match=r"big\.yaml: file is 1,000,001 bytes, above the 1 MB"):
        load_yaml(f)
    f.write_bytes(b"#" * 1_000_000)
    assert load_yaml(f) is None


@pytest.mark.parametrize("text", ["n: !!int\n", "n: !!float\n", "t0: !!timestamp soon\n",
                                  "t0: 2019-09-01T25:00:00\n"])
def test_impossible_values_under_explicit_tags_are_one_line(tmp_path: Path, text):
    f = tmp_path / "tagged.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError, match=r"tagged\.yaml:1: .* is not a valid value") as exc:
        load_yaml(f)
    assert "\n" not in str(exc.value)
