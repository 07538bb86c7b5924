"""Shared fixtures and helpers: the one study build of the session, copies of it for tests that
change a build, the command line in this process, and the cost markers.

Every test carries one cost marker (``pyproject.toml`` registers them, ``--strict-markers``):

- ``unit``: in this process; no kernel, no Sphinx, no ``eocic`` process (the default of a test
  that uses no study build and says nothing else);
- ``cli``: calls the command line (in this process through :func:`eocic_main`, or as a process
  when the process itself is under test) and starts no kernel or Sphinx;
- ``study``: runs notebooks or Jupyter Book, or reads the session's shared build (the default
  of a test that uses a build fixture);
- ``dask``: starts a Dask cluster; ``browser``: drives Chromium; ``pdf``: builds or reads a
  PDF.

``make check`` runs ``-m "unit or cli"`` (the inner loop); ``make test`` runs everything.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EOCIC = [sys.executable, "-m", "eocic_helpers.cli"]

#: The cost markers, cheapest first (registered in pyproject.toml).
CHEAP = ("unit", "cli")
COSTLY = ("study", "dask", "browser", "pdf")
#: The fixtures that hold the session's shared study build: a test using one is ``study`` (or
#: costlier), never ``unit`` or ``cli``.
BUILD_FIXTURES = frozenset({"study_build", "e2e_build", "e2e_outputs", "all_pilots_build",
                            "all_editions", "dask_study"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give each test its cost marker: ``study`` when it uses the shared build, ``unit`` when
    it says nothing; refuse a cheap marker on a test that uses the build or carries a costly
    one, so that ``-m "unit or cli"`` never builds the study."""
    for item in items:
        own = {m.name for m in item.iter_markers()} & {*CHEAP, *COSTLY}
        uses_build = bool(BUILD_FIXTURES & set(getattr(item, "fixturenames", ())))
        if not own:
            item.add_marker("study" if uses_build else "unit")
        elif own & set(CHEAP) and (uses_build or own & set(COSTLY) or len(own) > 1):
            raise pytest.UsageError(f"{item.nodeid}: cost markers {sorted(own)}"
                                    f"{' and the shared study build' if uses_build else ''}: "
                                    "a test is unit, cli, or one or more of study, dask, "
                                    "browser and pdf")
    items[:] = _in_running_order(items)


#: The order the suite runs in, by what a test needs (see :func:`_in_running_order`).
RUN_FIRST, WHILE_EDITIONS_BUILD, OWN_PROJECTS, EDITIONS, DASK = range(5)


def _group(item: pytest.Item) -> int:
    names = set(getattr(item, "fixturenames", ()))
    markers = {m.name for m in item.iter_markers()}
    if "dask" in markers:
        return DASK
    if "all_editions" in names or markers & {"browser", "pdf"}:
        return EDITIONS
    if BUILD_FIXTURES & names:
        return WHILE_EDITIONS_BUILD
    if markers & set(CHEAP):
        return RUN_FIRST
    return OWN_PROJECTS


def _in_running_order(items: list[pytest.Item]) -> list[pytest.Item]:
    """The tests in the order that keeps both cores busy: the study is built in the
    background from the first test on (:func:`_background`), so the ``unit`` and ``cli``
    tests, one core's work, run first, beside it; then the tests that read the study's runs,
    beside the editions' build, which starts as soon as the study is built; then the tests
    that run projects of their own, those that read the editions, and the Dask tests. Within
    a group, the collection's order. Tests of one module that share a module-scoped fixture
    run in the earliest group of any of them, so that no such fixture is set up twice."""
    group = {item: _group(item) for item in items}
    shared: dict[tuple[object, str], list[pytest.Item]] = {}
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        for name, defs in (info.name2fixturedefs.items() if info else ()):
            if defs and defs[-1].scope == "module":
                shared.setdefault((getattr(item, "module", None), name), []).append(item)
    changed = True
    while changed:
        changed = False
        for users in shared.values():
            first = min(group[u] for u in users)
            for u in users:
                if group[u] != first:
                    group[u], changed = first, True
    return sorted(items, key=lambda item: group[item])


def run_cli(*args: str, build: Path | None = None, check: bool = False,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``eocic`` in a subprocess, optionally against an isolated build folder. For runs
    that start kernels or Sphinx, and for tests of the process itself (signals, locks held by
    another process); a refusal goes through :func:`eocic_main` instead."""
    env = {**os.environ, **(env or {})}
    if build is not None:
        env["EOCIC_BUILD"] = str(build)
    proc = subprocess.run([*EOCIC, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(f"eocic {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` replaced by ``env`` for the block, and the package's paths (and every
    module-level path derived from them) recomputed from it, as a fresh process would see them;
    all put back afterwards."""
    from eocic_helpers.core import paths
    from eocic_helpers.outputs.publication import _clear_loader_caches

    saved_env = dict(os.environ)
    saved_paths = dict(vars(paths))
    old_root, old_build = paths.ROOT, paths.BUILD
    moved: list[tuple[object, str, object]] = []
    try:
        os.environ.clear()
        os.environ.update(env)
        importlib.reload(paths)
        if (old_root, old_build) != (paths.ROOT, paths.BUILD):
            for name, module in list(sys.modules.items()):
                if module is paths or not (name == "eocic_helpers"
                                           or name.startswith("eocic_helpers.")):
                    continue
                for attr, value in list(vars(module).items()):
                    if not isinstance(value, Path) or value.is_relative_to(paths.PACKAGE):
                        continue
                    for old, new in ((old_build, paths.BUILD), (old_root, paths.ROOT)):
                        if value.is_relative_to(old):
                            moved.append((module, attr, value))
                            setattr(module, attr, new / value.relative_to(old))
                            break
        _clear_loader_caches()
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        for module, attr, value in moved:
            setattr(module, attr, value)
        for attr, value in saved_paths.items():
            setattr(paths, attr, value)
        _clear_loader_caches()


def eocic_main(*args: str, build: Path | None = None,
               env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``eocic ARGS`` in this process (``eocic_helpers.cli.main``), as a process would run it:
    the environment ``env`` (a whole environment, e.g. ``dict(os.environ, EOCIC_ROOT=...)``;
    default this one) with ``EOCIC_BUILD=build`` when given, the working folder the project,
    stdout and stderr captured, the exit code from ``main``'s return or ``SystemExit``
    (argparse's). The result reads as ``subprocess.run``'s.

    For refusals and other commands that start no kernel and no Sphinx: saves starting Python
    and importing the package for each call. Tests of the process itself (signals, exit codes of
    a killed process, a lock held by another process) keep :func:`run_cli`.
    """
    from eocic_helpers import cli

    env = dict(os.environ if env is None else env)
    if build is not None:
        env["EOCIC_BUILD"] = str(build)
    out, err = io.StringIO(), io.StringIO()
    with _environment(env), contextlib.chdir(ROOT), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if not isinstance(exc.code, (int, type(None))):
                print(exc.code, file=sys.stderr)
    return subprocess.CompletedProcess(["eocic", *args], int(code or 0), out.getvalue(),
                                       err.getvalue())


#: The hash seed of the shared local runs (``e2e_build``, ``all_pilots_build``): the tests that
#: compare other runs with them (isolated kernels, Dask under another seed) need one run of
#: their own each, not two.
E2E_HASHSEED = "0"
#: The Dask run's hash seed (:func:`dask_study`): another than the shared build's.
DASK_HASHSEED = "12345"


def run_outputs(run_dir: Path) -> dict[str, bytes]:
    """The bytes of a run's results, tables, figure CSVs and SVGs, and data files (what must be
    deterministic)."""
    files = [run_dir / "results.json", *sorted((run_dir / "tables").glob("*.csv")),
             *sorted((run_dir / "data").glob("*.npy")),
             *sorted((run_dir / "figures").glob("*.csv")),
             *sorted((run_dir / "figures").glob("*.svg"))]
    return {str(f.relative_to(run_dir)): f.read_bytes() for f in files}


#: The atlas pages of the shared build (``eocic run -n atlas``): 20 NUTS 2 regions of ten
#: countries, two of them pilots (the atlas runs them under their ids), one a whole country.
ATLAS_SAMPLE = ["at33", "be10", "bg31", "cy00", "cz01", "de11", "dk01", "ee00", "el30", "es11",
                "fi1b", "hu11", "ie05", "itc4", "lu00", "nl32", "pl91", "pt17", "saxony",
                "centre-val-de-loire"]


def _eocic_in(env: Mapping[str, str], *args: str) -> None:
    """``eocic ARGS`` as a process with exactly ``env`` (never this process's environment,
    which a test in the main thread may be changing), failing loudly."""
    proc = subprocess.run([*EOCIC, *args], capture_output=True, text=True, env=dict(env),
                          cwd=ROOT)
    if proc.returncode != 0:
        raise AssertionError(f"eocic {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")


def _build_study(build: Path, env: Mapping[str, str], editions: bool,
                 dask: Path | None) -> None:
    """The shared build (see :func:`study_build`), then, when some test reads them, its
    editions (see :func:`all_editions`), then, when the Dask test is selected, the study's
    Dask run into the folder ``dask`` (see :func:`dask_study`)."""
    seed = {**env, "EOCIC_BUILD": str(build), "PYTHONHASHSEED": E2E_HASHSEED}
    _eocic_in(seed, "run", "-n", "atlas", *ATLAS_SAMPLE, "--quiet")
    _eocic_in(seed, "run", "--quiet")
    _BACKGROUND["study"].set_result(build)
    if editions:
        pdf = [] if shutil.which("xelatex", path=env.get("PATH")) else ["--no-pdf"]
        _eocic_in({**env, "EOCIC_BUILD": str(build)}, "book", "all", *pdf)
    _BACKGROUND["editions"].set_result(build)
    if dask is not None:
        report = dask / "report.json"
        other = {**env, "EOCIC_BUILD": str(dask / "build"), "PYTHONHASHSEED": DASK_HASHSEED}
        proc = subprocess.run([sys.executable, str(ROOT / "tests" / "support" / "dask_study.py"),
                               str(report), *ATLAS_SAMPLE], capture_output=True, text=True,
                              env=other, cwd=dask, timeout=900)
        if proc.returncode != 0 or not report.exists():
            raise AssertionError(f"the Dask run's process failed:\n{proc.stderr[-3000:]}")
        _BACKGROUND["dask"].set_result(dask / "build")


#: What :func:`_background` builds: the shared study ("study") and its editions ("editions").
_BACKGROUND: dict[str, Future[Path]] = {}


@pytest.fixture(scope="session", autouse=True)
def _background(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Start the shared build in a thread of its own at the first test, when any test of the
    session uses it: its processes then run beside the ``unit`` and ``cli`` tests, which the
    suite runs first (:func:`_in_running_order`), and the editions are built right after the
    study, beside the tests that read its runs. :func:`study_build` and :func:`all_editions`
    wait for their part. At the end of the session, the thread is waited for."""
    names = [set(getattr(item, "fixturenames", ())) for item in request.session.items]
    if not any(BUILD_FIXTURES & n for n in names):
        yield
        return
    reused = os.environ.get("EOCIC_TEST_BUILD")
    build = Path(reused) if reused else tmp_path_factory.mktemp("study") / "build"
    editions = any("all_editions" in n for n in names)
    dask = (tmp_path_factory.mktemp("dask") if any("dask_study" in n for n in names)
            else None)
    _BACKGROUND.update(study=Future(), editions=Future(), dask=Future())
    env = dict(os.environ)  # taken now, in the main thread, before any test changes it

    def work() -> None:
        try:
            _build_study(build, env, editions, dask)
        except BaseException as exc:  # noqa: BLE001 - handed to the fixtures that wait
            for part in _BACKGROUND.values():
                if not part.done():
                    part.set_exception(exc)

    thread = threading.Thread(target=work, name="study build", daemon=True)
    thread.start()
    yield
    thread.join()


@pytest.fixture(scope="session")
def study_build() -> Path:
    """The one build of the study for the whole session (``PYTHONHASHSEED=E2E_HASHSEED``, the
    local pool, warm kernels): the atlas pages of :data:`ATLAS_SAMPLE` with the EU-wide step
    they reuse, then every notebook of every pilot region and the cross-region notebook (so
    ``summary.json`` is the study's run). Tests read it and never write into it: a test that
    changes a build works on :func:`copy_build`. Built in the background from the first test
    on (:func:`_background`); this waits for it.

    With ``EOCIC_TEST_BUILD`` set (never in CI), it is that folder of the developer's own,
    brought up to date by the same two ``eocic run`` (cache hits for what did not change):
    the study tests then take a minute or two instead of several.
    """
    return _BACKGROUND["study"].result()


@pytest.fixture(scope="session")
def e2e_build(study_build: Path) -> Path:
    """The shared build, read for Centre-Val de Loire (the seed region)."""
    return study_build


@pytest.fixture(scope="session")
def e2e_outputs(study_build: Path) -> dict[str, bytes]:
    """``run_outputs`` of Centre-Val de Loire in the shared build, as the fixture made them."""
    return run_outputs(study_build / "runs" / "centre-val-de-loire")


@pytest.fixture(scope="session")
def all_pilots_build(study_build: Path) -> Path:
    """The shared build, read for every pilot region."""
    return study_build


@pytest.fixture(scope="session")
def all_editions(study_build: Path) -> Path:
    """The shared build with every edition built (``eocic book all``: HTML, and the PDF when
    xelatex is present). Shared by the tests that read editions; none of them writes. Built
    in the background right after the study (:func:`_background`); this waits for it."""
    return _BACKGROUND["editions"].result()


@pytest.fixture(scope="session")
def dask_study(study_build: Path) -> tuple[Path, dict]:
    """The study's one Dask run (``tests/support/dask_study.py``: the atlas sample, then the
    whole study, on one ``LocalCluster``, a worker killed mid-task, under
    :data:`DASK_HASHSEED`), made in the background after the editions (:func:`_background`),
    beside the tests that read them; this waits for it. Returns its build folder and what the
    run reported (exit codes, output, the killed and the restarted workers' process ids)."""
    build = _BACKGROUND["dask"].result()
    return build, json.loads((build.parent / "report.json").read_text())


def copy_build(build: Path, target: Path, regions: list[str] | None = None) -> Path:
    """A copy of ``build``'s runs (no editions, no lock, no staging) at ``target``, for a test
    that changes a build: every run, or only those of ``regions``."""
    ignore = shutil.ignore_patterns("books", "site", "pdf", ".lock", ".staging")
    if regions is None:
        shutil.copytree(build, target, ignore=ignore)
    else:
        for region in regions:
            shutil.copytree(build / "runs" / region, target / "runs" / region, ignore=ignore)
    return target


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
    root = tmp_path / "root"
    for part in ("data", "book"):
        shutil.copytree(ROOT / part, root / part)
    (root / "notebooks").mkdir()
    (root / "notebooks" / f"{name}.ipynb").write_text(json.dumps(notebook))
    declare_notebooks(root / "notebooks", {name: "region"}, {name: glues})
    shutil.copy(ROOT / "requirements.lock", root / "requirements.lock")
    return root
