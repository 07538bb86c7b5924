"""Notebook parameters: read each notebook's ``parameters`` cell and validate user values.

Papermill only warns on an unknown parameter name; here every problem is an error raised
before any kernel starts.
"""

from __future__ import annotations

import ast
import difflib
import functools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eocic_helpers.core import paths
from eocic_helpers.core.config import line_of, load_versioned, load_yaml, project_path, shown
from eocic_helpers.core.errors import ConfigError, ParameterError
from eocic_helpers.core.pipeline import (
    PIPELINE_FILE,
    REGION_PLACEHOLDER,
    NotebookDecl,
    declared_notebooks,
    load_pipeline,
    resolve_callable,
)

#: Parameters the runner sets itself; users choose regions as positional arguments.
RUNNER_PARAMETERS = {"region"}


@dataclass(frozen=True)
class NotebookSpec:
    """What the runner needs to know about one notebook: its parameters' defaults, and its
    contract from ``notebooks/pipeline.yaml`` (``decl``, a
    :class:`~eocic_helpers.core.pipeline.NotebookDecl`), whose fields and properties the spec
    answers for (``spec.reads``, ``spec.after_region``, ...)."""

    name: str
    path: Path
    defaults: dict[str, Any]
    decl: NotebookDecl

    def __getattr__(self, name: str) -> Any:
        if name == "decl":  # not set yet (unpickling): never recurse
            raise AttributeError(name)
        return getattr(self.decl, name)

    def reads_for(self, region: str) -> list[str]:
        """Its declared read patterns for one region: ``{region}`` is the region's id (the
        one place a read is expanded; ``{eu}/...`` stays for the runner)."""
        return [r.replace(REGION_PLACEHOLDER, region) for r in self.decl.reads]


@functools.cache
def _cell_defaults(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    """The defaults of the ``parameters`` cell of one version of a notebook file."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: not a valid notebook (JSON: {exc.msg})") from None
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ConfigError(f"{path}: needs exactly one cell tagged 'parameters', found {len(cells)}")
    source = cells[0]["source"]
    return parse_parameters("".join(source) if isinstance(source, list) else source)


def parse_parameters(source: str) -> dict[str, Any]:
    """Names and literal defaults assigned in a ``parameters`` cell."""
    out: dict[str, Any] = {}
    for node in ast.parse(source).body:
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and value is not None:
            out[target.id] = ast.literal_eval(value)
    return out


def load_spec(path: Path) -> NotebookSpec:
    """A notebook's parameters (its parameters cell, read once per version of the file, and
    any its declaration reads from a data file), and its contract declared in
    ``notebooks/pipeline.yaml``.

    Raises:
        ConfigError: the notebook is unreadable, has no single ``parameters`` cell, or is not
            declared in the pipeline.
    """
    path = Path(path)
    defaults = dict(load_versioned(path, _cell_defaults, "notebook not found; check notebooks/"))
    declared = load_pipeline(path.parent / PIPELINE_FILE).notebooks
    if path.stem not in declared:
        raise ConfigError(f"notebooks/{path.name} is not declared in notebooks/{PIPELINE_FILE}; "
                          "add it under notebooks:")
    decl = declared[path.stem]
    if decl.parameters:  # the notebook's other parameters, read from a data file
        defaults.update(resolve_callable(decl.parameters)())
    return NotebookSpec(path.stem, path, defaults, decl)


def discover() -> dict[str, NotebookSpec]:
    """All study notebooks, by name, in the declaration's order.

    Raises:
        ConfigError: a notebook not declared in ``notebooks/pipeline.yaml``, or a declared
            one that is missing (one line).
    """
    return {name: load_spec(paths.NOTEBOOKS / f"{name}.ipynb") for name in declared_notebooks()}


def select(specs: dict[str, NotebookSpec], names: Iterable[str] | None) -> list[NotebookSpec]:
    """The notebooks named by ``--notebook``; when none, all but the atlas's (scope ``atlas``,
    run by ``eocic run --all-nuts2``)."""
    names = list(names or [])
    if not names:
        return [s for s in specs.values() if not s.atlas]
    chosen = []
    for name in names:
        key = name.removesuffix(".ipynb")
        if key not in specs:
            hint = difflib.get_close_matches(key, list(specs), n=1, cutoff=0.0)
            raise ParameterError(
                f"unknown notebook '{name}'; did you mean {hint[0] if hint else '?'}? "
                f"valid: {', '.join(specs)}"
            )
        chosen.append(specs[key])
    return chosen


# -- value conversion and checks ------------------------------------------------------------

#: Largest magnitude of a whole-number parameter.
MAX_WHOLE = 1_000_000_000
#: Largest magnitude of a decimal parameter (EUR amounts stay far below; products stay finite).
MAX_NUMBER = 1e15
_WHOLE = re.compile(r"[+-]?[0-9]+(_[0-9]+)*")


def convert(name: str, raw: Any, default: Any) -> Any:
    """Convert a user value (a string from ``-p``, or a YAML value) to the default's type.

    Numbers must be finite and within :data:`MAX_WHOLE` (whole numbers) or :data:`MAX_NUMBER`
    (decimals); a refused value is echoed cut to about 80 characters.

    Raises:
        ParameterError: the value does not fit the type, or is not finite, or is too large.
    """
    kind = type(default)
    got = f"got '{shown(raw)}'"

    def refused(why: str) -> ParameterError:
        return ParameterError(f"parameter '{name}' {why}, {got}")

    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = raw.strip().lower() if isinstance(raw, str) else shown(raw).lower()
        if text in {"true", "yes", "1"}:
            return True
        if text in {"false", "no", "0"}:
            return False
        raise refused("must be true or false")
    if kind in (int, float):
        whole = kind is int
        too_large = f"is too large (max {MAX_WHOLE:,})" if whole else f"is too large (max {MAX_NUMBER:g})"
        text = raw.strip() if isinstance(raw, str) else ""
        if isinstance(raw, bool) or not isinstance(raw, str | int | float) or (
                isinstance(raw, str) and not _is_number(text)):
            raise refused("must be a whole number" if whole else "must be a number")
        if whole and _WHOLE.fullmatch(text):
            if len(text.lstrip("+-").replace("_", "").lstrip("0")) > len(str(MAX_WHOLE)):
                raise refused(too_large)
            value: Any = int(text)
        else:
            try:
                value = float(text) if isinstance(raw, str) else raw if whole else float(raw)
            except OverflowError:
                raise refused(too_large) from None
        if isinstance(value, float) and math.isnan(value):
            raise ParameterError(f"parameter '{name}' must be a number, not NaN; {got}")
        if isinstance(value, float) and math.isinf(value):  # 1e400 overflows to inf
            overflowed = not whole and isinstance(raw, str) and "inf" not in raw.lower()
            raise refused(too_large if overflowed else "must be a finite number")
        if abs(value) > (MAX_WHOLE if whole else MAX_NUMBER):
            raise refused(too_large)
        if whole and isinstance(value, float) and not value.is_integer():
            raise refused("must be a whole number")
        return int(value) if whole else value
    if kind is str:
        if isinstance(raw, dict | list):
            raise ParameterError(f"parameter '{name}' must be text, got {type(raw).__name__}")
        return "" if raw is None else str(raw)
    return raw


def _is_number(text: str) -> bool:
    """``text`` reads as a decimal number (finite or not); rejects words Python would accept."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def resolve(
    selected: list[NotebookSpec], overrides: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Validate user overrides against the selected notebooks.

    Returns:
        For each notebook name, the overrides it declares (converted to their types).

    Raises:
        ParameterError: a name no selected notebook declares, a runner-owned name, a value of
            the wrong type, or a value a check rejects.
    """
    declared = {n for spec in selected for n in spec.defaults}
    for name in overrides:
        if not isinstance(name, str):
            raise ParameterError(f"parameter name '{shown(name)}' is not text; use name: value")
        if name in RUNNER_PARAMETERS:
            raise ParameterError(
                f"parameter '{name}' is set by the runner; name regions as arguments: "
                "eocic run centre-val-de-loire"
            )
        if name not in declared:
            valid = sorted(declared - RUNNER_PARAMETERS)
            hint = difflib.get_close_matches(name, valid, n=1) if len(name) <= 100 else []
            did = f"did you mean '{hint[0]}'? " if hint else ""
            raise ParameterError(
                f"unknown parameter '{shown(name)}' for notebooks {', '.join(s.name for s in selected)}; "
                f"{did}valid: {', '.join(valid) or 'none'}"
            )
    per_notebook: dict[str, dict[str, Any]] = {}
    for spec in selected:
        mine = {}
        for name, raw in overrides.items():
            if name in spec.defaults:
                try:
                    value = convert(name, raw, spec.defaults[name])
                except ParameterError as exc:
                    hint = resolve_callable(spec.allowed)(name) if spec.allowed else ""
                    raise ParameterError(f"{exc}; allowed: {hint}" if hint else str(exc)) from None
                check = spec.checks.get(name)
                if check:
                    resolve_callable(check)(value)
                mine[name] = value
        if spec.validator:  # the notebook's cross-parameter rules
            resolve_callable(spec.validator)(mine)
        per_notebook[spec.name] = mine
    return per_notebook


def load_params_file(path: Path) -> dict[str, Any]:
    """Parameters from ``-f params.yaml`` or a region's ``parameters.yaml``: name to value.

    The file goes through the shared YAML loader and its limits (size, aliases, finite numbers,
    valid dates: see :mod:`eocic_helpers.core.config`).

    Raises:
        ConfigError: missing, too large or malformed file, not a mapping, or a name that is
            not text.
    """
    data = load_yaml(Path(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{project_path(path)}: expected a mapping of parameter: value, "
                          f"got {type(data).__name__}")
    for name in data:
        if not isinstance(name, str):
            line = line_of(Path(path), (name,))
            raise ConfigError(f"{project_path(path)}{f':{line}' if line else ''}: parameter name "
                              f"'{shown(name)}' is not text; write name: value")
    return data
