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
