"""One fact, one place: facts the study repeats have a single definition in the package."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest

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
    # a region's content part synthesis.yaml shares the synthesis notebook's name: the checks
    # of the strategy and the recommendations load that part, not the notebook
    ("analysis/content.py", "synthesis"),
}


def test_no_module_names_a_notebook_or_lists_a_chapters_keys_again():
    """Notebook names come from notebooks/pipeline.yaml, glued keys from
    notebooks/results.yaml: no module of the package holds a notebook's name as a value
    (assigned, returned, passed, or among other notebook names), and no list, tuple or set
    holds two keys that one notebook declares, or their texts (the chapter's keys written
    again)."""
    from eocic_helpers.core.pipeline import load_pipeline
    from eocic_helpers.core.results import load_catalogue

    notebooks = set(load_pipeline().notebooks)
    catalogue = load_catalogue()

    def owner(key: str) -> str | None:
        hit = catalogue.find(key)
        return None if hit is None or hit.entry.pattern is not None \
            or key.removesuffix("_text") in catalogue.data.shared else hit.entry.notebook

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
            if isinstance(n, ast.List | ast.Tuple | ast.Set):
                keys = [nb for t in texts(n.elts) if (nb := owner(t)) is not None]
                if any(keys.count(nb) > 1 for nb in keys):
                    listed.append((name, n.lineno))
    assert named == [], "name the notebook through notebooks/pipeline.yaml"
    assert listed == [], "take a chapter's keys from notebooks/results.yaml"



#: Each light path of the package, as code run by a fresh interpreter, and what it must not
#: load: imports wait inside the functions that need them (nowhere else is a list of them).
LIGHT_PATHS = {
    # `eocic --help` and a refused argument load the command line's module alone
    "the command line": ("import eocic_helpers.cli", {
        "pydantic", "yaml", "numpy", "pandas", "concurrent", "eocic_helpers.run",
        "eocic_helpers.book", "eocic_helpers.data", "eocic_helpers.analysis",
        "eocic_helpers.core.regions"}),
    # the planning parent of `eocic run` (a no-op run, --dry-run), with every preflight and
    # parameter check of notebooks/pipeline.yaml: no notebook machinery, no figure code
    "planning a run": (
        "from eocic_helpers.run import params, runner\n"
        "from eocic_helpers.core.regions import load_regions\n"
        "runner.plan([r.id for r in load_regions()], list(params.discover().values()), {},"
        " force=True)", {
            "papermill", "nbformat", "jupyter_client", "distributed", "tqdm", "matplotlib",
            "seaborn", "scipy", "networkx", "IPython", "myst_nb", "geopandas", "shapely"}),
    # the book stage only assembles: every module of book/ (the Sphinx extensions too)
    "the book stage": (
        "import importlib, pkgutil, eocic_helpers.book as book\n"
        "for m in pkgutil.iter_modules(book.__path__):\n"
        "    importlib.import_module(f'eocic_helpers.book.{m.name}')", {
            "numpy", "pandas", "matplotlib", "IPython", "papermill", "eocic_helpers.analysis",
            "eocic_helpers.run"}),
    # every kernel and `eocic data check` import the snapshot's module
    "the snapshot": ("import eocic_helpers.data.snapshot", {
        "geopandas", "shapely", "pyreadr", "matplotlib"}),
    # the book stage imports outputs.publication too: figures and glue load when used
    "a publication": ("import eocic_helpers.outputs.publication", {
        "matplotlib", "seaborn", "myst_nb", "nbformat"}),
}


@pytest.mark.cli
@pytest.mark.parametrize("path", LIGHT_PATHS)
def test_light_paths_load_only_what_they_use(path: str, tmp_path):
    code, forbidden = LIGHT_PATHS[path]
    probe = (f"{code}\nimport sys\nprint(sorted(m for m in sys.modules if any("
             f"m == f or m.startswith(f + '.') for f in {sorted(forbidden)!r})))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=dict(os.environ, EOCIC_BUILD=str(tmp_path / "build")), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    assert not loaded, f"{path} loads {sorted({m.split('.')[0] for m in loaded})}: {loaded[:10]}"
