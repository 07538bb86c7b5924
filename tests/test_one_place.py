"""One fact, one place: facts the study repeats have a single definition in the package."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator

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



#: Calls whose text argument names an entry or a field, never a notebook.
_NAMING_CALLS = {"get", "hasattr", "getattr", "pop", "setdefault", "add_argument"}
#: Where a module may still name a notebook, and why.
_MAY_NAME_A_NOTEBOOK = {
    # the briefing's introduction links to the technical report's page of that notebook,
    # whose title its sentence quotes; the declaration does not say which page that is
    ("book/editions.py", "reproduction"),
}


def test_no_module_names_a_notebook_or_lists_a_chapters_keys_again():
    """Notebook names come from notebooks/pipeline.yaml, glued keys from
    notebooks/results.yaml: no module of the package holds a notebook's name as a value
    (assigned, returned, passed, or among other notebook names), and none iterates over a
    list of keys that one notebook declares (the chapter's key list written again)."""
    from eocic_helpers.core.pipeline import load_pipeline
    from eocic_helpers.core.results import load_catalogue

    notebooks = set(load_pipeline().notebooks)
    owner = {k: nb for nb, entries in load_catalogue().entries.items()
             for k, e in entries.items() if e.pattern is None and k not in
             load_catalogue().data.shared}

    def texts(nodes: list[ast.expr]) -> list[str]:
        return [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]

    named, listed = [], []
    for name, tree in _sources().items():
        if name.startswith("notebooks/"):
            continue
        for n in ast.walk(tree):
            values: list[ast.expr] = []
            if isinstance(n, ast.Assign | ast.AnnAssign | ast.Return) and n.value is not None:
                values = [n.value]
            elif isinstance(n, ast.Call) and (n.func.attr if isinstance(n.func, ast.Attribute)
                                              else getattr(n.func, "id", "")) not in _NAMING_CALLS:
                values = [*n.args, *(k.value for k in n.keywords)]
            elif isinstance(n, ast.List | ast.Tuple | ast.Set) and \
                    len([t for t in texts(n.elts) if t in notebooks]) > 1:
                values = n.elts
            named += [(name, t) for t in texts(values) if t in notebooks
                      and (name, t) not in _MAY_NAME_A_NOTEBOOK]
            iterated = [n.iter] if isinstance(n, ast.For | ast.comprehension) else []
            for it in iterated:
                if isinstance(it, ast.List | ast.Tuple | ast.Set):
                    keys = [owner[t] for t in texts(it.elts) if t in owner]
                    if any(keys.count(nb) > 1 for nb in keys):
                        listed.append((name, it.lineno))
    assert named == [], "name the notebook through notebooks/pipeline.yaml"
    assert listed == [], "take a chapter's keys from notebooks/results.yaml"


def _is_package_module(dotted: str) -> bool:
    base = paths.PACKAGE.parent.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The modules an import statement loads: ``from a.b import c`` is ``a.b.c`` when that is
    a module of the package, else ``a.b``."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = node.module or ""
    if node.level:
        parts = module.split(".")
        parts = parts[: len(parts) - node.level + is_package]
        base = ".".join([*parts, *([base] if base else [])])
    subs = [f"{base}.{a.name}" for a in node.names if _is_package_module(f"{base}.{a.name}")]
    return subs if len(subs) == len(node.names) else [base, *subs]


def _imports_in(node: ast.AST, scope: list[str], in_function: bool
                ) -> Iterator[tuple[str, bool, ast.Import | ast.ImportFrom]]:
    """(function path, inside a function, statement) of every import under ``node`` that runs
    (not those for type checkers only)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and ast.unparse(child.test) == "TYPE_CHECKING":
            continue
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _imports_in(child, [*scope, child.name], True)
        elif isinstance(child, ast.ClassDef):
            yield from _imports_in(child, [*scope, child.name], in_function)
        elif isinstance(child, ast.Import | ast.ImportFrom):
            yield ".".join(scope), in_function, child
        else:
            yield from _imports_in(child, scope, in_function)


def _imports_by_place() -> tuple[list[tuple[str, str, str]], dict[str, set[str]]]:
    """Every function-level import of the package as (module, function, imported module),
    and each module's top-level imports."""
    deferred: list[tuple[str, str, str]] = []
    top: dict[str, set[str]] = {}
    for path in sorted(paths.PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(paths.PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        top[module] = set()
        for function, in_function, node in _imports_in(ast.parse(path.read_text("utf-8")), [], False):
            names = _imported(node, module, is_package)
            if in_function:
                deferred.extend((module, function, n) for n in names)
            else:
                top[module].update(names)
    return deferred, top


def test_every_deferred_import_is_listed_with_its_reason():
    """Imports are at the top of their module, except those listed in one place
    (:data:`eocic_helpers.core.lazy_imports.DEFERRED_IMPORTS`) with the reason they wait."""
    from eocic_helpers.core.lazy_imports import DEFERRED_IMPORTS

    deferred, top = _imports_by_place()
    keys = {f"{module}.{function} -> {name}" for module, function, name in deferred}
    unlisted = sorted(keys - set(DEFERRED_IMPORTS))
    assert not unlisted, ("import at the top of the module, or list it with its reason in "
                          f"eocic_helpers/core/lazy_imports.py: {unlisted}")
    stale = sorted(set(DEFERRED_IMPORTS) - keys)
    assert not stale, f"DEFERRED_IMPORTS names imports that are gone: {stale}"
    assert all(reason.strip() for reason in DEFERRED_IMPORTS.values())
    # waiting gains nothing when the module's own top already imports it
    redundant = sorted(f"{m}.{f} -> {n}" for m, f, n in deferred if n in top[m])
    assert not redundant, redundant
