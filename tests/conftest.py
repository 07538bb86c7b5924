"""Shared fixtures: an isolated build folder and one end-to-end run reused by the slow tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EOCIC = [sys.executable, "-m", "eocic_helpers.cli"]


def run_cli(*args: str, build: Path | None = None, check: bool = False,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``eocic`` in a subprocess, optionally against an isolated build folder."""
    env = {**os.environ, **(env or {})}
    if build is not None:
        env["EOCIC_BUILD"] = str(build)
    proc = subprocess.run([*EOCIC, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(f"eocic {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


#: The hash seed of the shared local runs (``e2e_build``, ``all_pilots_build``): the tests that
#: compare other runs with them (isolated kernels, Dask under another seed) need one run of
#: their own each, not two.
E2E_HASHSEED = "0"


def run_outputs(run_dir: Path) -> dict[str, bytes]:
    """The bytes of a run's results, tables, figure CSVs and SVGs, and data files (what must be
    deterministic)."""
    files = [run_dir / "results.json", *sorted((run_dir / "tables").glob("*.csv")),
             *sorted((run_dir / "data").glob("*.npy")),
             *sorted((run_dir / "figures").glob("*.csv")),
             *sorted((run_dir / "figures").glob("*.svg"))]
    return {str(f.relative_to(run_dir)): f.read_bytes() for f in files}


@pytest.fixture(scope="session")
def e2e_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder where centre-val-de-loire has been run once (all notebooks, warm
    kernels, ``PYTHONHASHSEED=E2E_HASHSEED``)."""
    build = tmp_path_factory.mktemp("build")
    run_cli("run", "centre-val-de-loire", "--quiet", build=build, check=True,
            env={"PYTHONHASHSEED": E2E_HASHSEED})
    return build


@pytest.fixture(scope="session")
def e2e_outputs(e2e_build: Path) -> dict[str, bytes]:
    """``run_outputs`` of ``e2e_build`` as the fixture made them (before any test touched it)."""
    return run_outputs(e2e_build / "runs" / "centre-val-de-loire")


@pytest.fixture(scope="session")
def all_pilots_build(request: pytest.FixtureRequest,
                     tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder of its own where every notebook ran for all ten pilot regions.

    It starts as a copy of ``e2e_build`` (so centre-val-de-loire is a cache hit), and tests that
    add editions to one folder never change what the other folder's tests see.

    With ``EOCIC_TEST_BUILD`` set (never in CI), it is that folder of the developer's own,
    brought up to date by ``eocic run`` (a cache hit for what did not change): the edition
    tests then take a minute or two instead of ten.
    """
    reused = os.environ.get("EOCIC_TEST_BUILD")
    if reused:
        run_cli("run", "--quiet", build=Path(reused), check=True)
        return Path(reused)
    e2e_build = request.getfixturevalue("e2e_build")
    build = tmp_path_factory.mktemp("all-pilots") / "build"
    shutil.copytree(e2e_build, build, ignore=shutil.ignore_patterns("books", "site", "pdf", ".lock"))
    run_cli("run", "--quiet", build=build, check=True, env={"PYTHONHASHSEED": E2E_HASHSEED})
    return build


@pytest.fixture(scope="session")
def all_editions(all_pilots_build: Path) -> Path:
    """``all_pilots_build`` with every edition built (``eocic book all``: HTML, and the PDF
    when xelatex is present). Shared by the tests that read editions; none of them writes."""
    pdf = [] if shutil.which("xelatex") else ["--no-pdf"]
    run_cli("book", "all", *pdf, build=all_pilots_build, check=True)
    return all_pilots_build


def declare_notebooks(folder: Path, scopes: dict[str, str],
                      glues: dict[str, tuple[str, ...]] | None = None) -> Path:
    """Write a minimal ``pipeline.yaml`` into a test project's notebooks folder, declaring
    each notebook with its scope and one regional edition that shows them, and its
    ``results.yaml``, declaring the keys each notebook glues (``glues``: notebook -> keys)."""
    import yaml

    catalogue = {"schema_version": 1, "notebooks": {
        name: {key: {"about": f"test value {key}", "unit": "text", "source": "test"}
               for key in (glues or {}).get(name, ())} for name in scopes}}
    (folder / "results.yaml").write_text(yaml.safe_dump(catalogue, sort_keys=False),
                                         encoding="utf-8")

    notebooks = {name: {"scope": scope, "about": f"test notebook {name}", "briefing": "test"}
                 for name, scope in scopes.items()}
    pages = [{"file": name, "title": name} for name in scopes]
    declaration = {"schema_version": 1, "notebooks": notebooks, "editions": {
        "region": {"root": {"file": "intro", "title": "About", "source": "page"},
                   "chapters": pages}}}
    target = folder / "pipeline.yaml"
    target.write_text(yaml.safe_dump(declaration, sort_keys=False), encoding="utf-8")
    return target


def one_notebook_project(tmp_path: Path, name: str, notebook: dict,
                         glues: tuple[str, ...] = ()) -> Path:
    """A copy of the project's inputs (data, book, lock) whose only notebook is ``notebook``,
    declared with scope ``region`` and with the keys it glues (``glues``) in its catalogue of
    results. Returns the project root (use it as ``EOCIC_ROOT``)."""
    import json

    root = tmp_path / "root"
    for part in ("data", "book"):
        shutil.copytree(ROOT / part, root / part)
    (root / "notebooks").mkdir()
    (root / "notebooks" / f"{name}.ipynb").write_text(json.dumps(notebook))
    declare_notebooks(root / "notebooks", {name: "region"}, {name: glues})
    shutil.copy(ROOT / "requirements.lock", root / "requirements.lock")
    return root
