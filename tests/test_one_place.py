"""One fact, one place: facts the study repeats have a single definition in the package."""

from __future__ import annotations

import ast
import json

from eocic_helpers.core import paths, regions
from eocic_helpers.data import reference
from eocic_helpers.outputs.numbers import format_number


def _sources() -> dict[str, ast.AST]:
    trees = {p.relative_to(paths.PACKAGE).as_posix(): ast.parse(p.read_text())
             for p in sorted(paths.PACKAGE.rglob("*.py"))}
    for nb in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        # the parameters cell's defaults must be literals (papermill replaces them)
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code"
                         and "parameters" not in c["metadata"].get("tags", []))
        trees[f"notebooks/{nb.name}"] = ast.parse(code)
    return trees


def _where(predicate) -> set[str]:
    return {name for name, tree in _sources().items() if any(predicate(n) for n in ast.walk(tree))}


def test_the_seed_region_is_named_once():
    assert regions.SEED_REGION == "centre-val-de-loire"
    assert _where(lambda n: isinstance(n, ast.Constant) and n.value == regions.SEED_REGION) == {
        "core/regions.py"}


def test_eu28_is_defined_once():
    def defines_eu28(n: ast.AST) -> bool:
        targets = n.targets if isinstance(n, ast.Assign) else (
            [n.target] if isinstance(n, ast.AnnAssign) else [])
        return any(isinstance(t, ast.Name) and t.id == "EU28" for t in targets)

    assert _where(defines_eu28) == {"core/regions.py"}
    assert len(regions.EU28) == 28 and len(set(regions.EU28)) == 28


def test_the_reference_to_results_mapping_is_written_once():
    ids = set(reference.RESULTS_KEYS)
    assert ids <= set(reference.load_reference().index)

    def restates(n: ast.AST) -> bool:
        return isinstance(n, ast.Dict) and sum(
            isinstance(k, ast.Constant) and k.value in ids and isinstance(v, ast.Constant)
            for k, v in zip(n.keys, n.values, strict=True)) > 2

    assert _where(restates) == {"data/reference.py"}


def test_one_intervention_model():
    def defines(n: ast.AST) -> bool:
        return isinstance(n, ast.ClassDef) and n.name == "Intervention" and not any(
            isinstance(b, ast.Name) and b.id == "PlanIntervention" for b in n.bases)

    assert _where(defines) == {"analysis/action_plan.py"}


def test_numbers_are_formatted_in_one_place():
    def thousands_by_hand(n: ast.AST) -> bool:
        return (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr == "replace" and len(n.args) == 2
                and all(isinstance(a, ast.Constant) for a in n.args)
                and [a.value for a in n.args] == [",", " "])

    assert _where(thousands_by_hand) == {"outputs/numbers.py"}
    assert format_number(27791.25) == "27 791"
    assert format_number(1234567, ",.0f") == "1 234 567"
    assert format_number(34.456, ".1f") == "34.5"
    assert format_number(float("nan")) == "not available"
    assert format_number(None, missing="no data") == "no data"
