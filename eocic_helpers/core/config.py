"""Load YAML content files with schema validation and errors that point at file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from eocic_helpers.core.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def _rel(path: Path) -> str:
    from eocic_helpers.core.paths import ROOT

    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file safely.

    Raises:
        ConfigError: the file is missing or is not valid YAML (with the line number).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{_rel(path)}: file not found; create it or check the path")
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(
            f"{_rel(path)}{where}: malformed YAML ({problem}); fix the syntax at that line"
        ) from None


def _line_of(path: Path, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at ``loc`` (keys and list indices), or of its nearest parent."""
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == part]
            if not match:
                break
            key_node = next(k for k, v in node.value if k.value == part)
            line = key_node.start_mark.line + 1
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def validate(model: type[M], data: Any, path: Path) -> M:
    """Validate parsed YAML against a pydantic model.

    Raises:
        ConfigError: naming the file, the line and the field of the first problem.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        line = _line_of(path, loc)
        where = f":{line}" if line else ""
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(
            f"{_rel(path)}{where}: field '{field}': {err['msg']}{more}; fix that field"
        ) from None


def load_model(model: type[M], path: Path) -> M:
    """Parse and validate a YAML file in one step."""
    return validate(model, load_yaml(path), path)
