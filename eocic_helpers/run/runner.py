"""Run the study: one papermill execution per (region, notebook), in parallel, cached, atomic.

Workers are long-lived processes that import papermill once. Each execution writes into its
own staging folder; only the parent process promotes a successful run's files into
``build/runs/<region>/`` (renames) and merges ``results.json``, so a failed or interrupted run
leaves the last good outputs intact and different regions never collide.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eocic_helpers.core import atomic, paths
from eocic_helpers.outputs.publication import FRAGMENT_SUFFIX, OUTPUT_ENV, merge_results, read_fragment
from eocic_helpers.run.params import NotebookSpec

KERNEL = "python3"
#: Pseudo-region of the cross-region notebooks (``metadata.eocic.cross_region``): they run once
#: over all pilots into ``build/runs/all/``, after the regions' own runs, whose outputs they read.
CROSS_REGION = "all"


@dataclass
class Task:
    """One papermill execution."""

    region: str
    notebook: str
    notebook_path: str
    parameters: dict[str, Any]
    key: str = ""
    reads: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.region}/{self.notebook}"


@dataclass
class Outcome:
    """What happened to one task."""

    region: str
    notebook: str
    status: str  # "ok", "cached", "failed"
    seconds: float = 0.0
    notebook_out: str = ""
    error: str = ""
    cell: int | None = None


# -- cache keys -----------------------------------------------------------------------------

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _code_of(notebook_path: Path) -> bytes:
    nb = json.loads(notebook_path.read_text(encoding="utf-8"))
    cells = [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]
    return "\n# --cell--\n".join(cells).encode()


def package_digest() -> str:
    """Hash of every source file of ``eocic_helpers``."""
    h = hashlib.sha256()
    for p in sorted(paths.PACKAGE.rglob("*.py")):
        h.update(p.relative_to(paths.PACKAGE).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def declared_reads(spec: NotebookSpec, region: str) -> list[Path]:
    """The data files a notebook declares it reads, for one region (globs expanded)."""
    files: list[Path] = []
    if spec.cross_region:  # it reads what every pilot's run produced
        from eocic_helpers.core.regions import load_regions

        for r in load_regions():
            run = paths.run_dir(r.id)
            files += [f for f in [run / "results.json", *sorted((run / "tables").glob("*.csv"))]
                      if f.is_file()]
    for pattern in spec.reads:
        pattern = pattern.replace("{region}", region)
        matches = sorted(paths.ROOT.glob(pattern))
        files.extend(m for m in matches if m.is_file())
    return files


def task_key(spec: NotebookSpec, parameters: dict[str, Any], region: str, pkg: str) -> str:
    """Cache key: code cells, resolved parameters, declared data files, lock file, package."""
    h = hashlib.sha256()
    h.update(_code_of(spec.path))
    h.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    for f in declared_reads(spec, region):
        h.update((f.relative_to(paths.ROOT) if f.is_relative_to(paths.ROOT) else
                  f.relative_to(paths.BUILD)).as_posix().encode())
        h.update(_sha(f.read_bytes()).encode())
    if paths.LOCK_FILE.exists():
        h.update(paths.LOCK_FILE.read_bytes())
    h.update(pkg.encode())
    return h.hexdigest()


def _key_file(region: str, notebook: str) -> Path:
    return paths.run_dir(region) / ".cache" / f"{notebook}.key"


def is_fresh(task: Task) -> bool:
    """True when the last successful run of this task had the same key and its outputs exist."""
    kf = _key_file(task.region, task.notebook)
    out = paths.run_dir(task.region) / f"{task.notebook}.ipynb"
    return kf.exists() and out.exists() and kf.read_text().strip() == task.key


# -- planning -------------------------------------------------------------------------------

def plan(
    regions: list[str],
    specs: list[NotebookSpec],
    overrides: dict[str, dict[str, Any]],
) -> list[Task]:
    """Tasks for every region x notebook, with their cache keys (no execution)."""
    from eocic_helpers.core.errors import ParameterError
    from eocic_helpers.core.regions import resolve_region
    from eocic_helpers.run.params import resolve

    pkg = package_digest()
    tasks = []
    cross = [s for s in specs if s.cross_region]
    specs = [s for s in specs if not s.cross_region]
    for region in regions:
        region_file = paths.region_data_dir(region) / "parameters.yaml"
        raw_region = _region_overrides(region)
        unknown = sorted(set(raw_region) - {n for s in specs for n in s.defaults}
                         - {n for s in _all_specs() for n in s.defaults})
        if unknown:
            raise ParameterError(f"{region_file}: unknown parameter '{unknown[0]}'; "
                                 "it must be declared by a notebook")
        try:
            region_overrides = resolve([s for s in specs if set(s.defaults) & set(raw_region)],
                                       {k: v for k, v in raw_region.items()
                                        if any(k in s.defaults for s in specs)})
        except ParameterError as exc:
            raise ParameterError(f"{region_file}: {exc}") from None
        from eocic_helpers.run.params import PREFLIGHTS

        for spec in specs:
            for check in spec.preflight:
                PREFLIGHTS[check](region)
            params = {k: v for k, v in spec.defaults.items()}
            params.update(region_overrides.get(spec.name, {}))
            params.update(overrides.get(spec.name, {}))
            if spec.validator:
                from eocic_helpers.run.params import VALIDATORS

                VALIDATORS[spec.validator](params)
            if "region" in spec.defaults:
                params["region"] = resolve_region(region).id
            task = Task(region, spec.name, str(spec.path), params,
                        reads=[str(p) for p in declared_reads(spec, region)])
            task.key = task_key(spec, params, region, pkg)
            tasks.append(task)
    from eocic_helpers.core.regions import load_regions

    if cross and set(regions) >= {r.id for r in load_regions()}:
        for spec in cross:
            params = {**spec.defaults, **overrides.get(spec.name, {})}
            if "region" in spec.defaults:
                params["region"] = CROSS_REGION
            task = Task(CROSS_REGION, spec.name, str(spec.path), params)
            _rekey(task, pkg)
            tasks.append(task)
    return tasks


def _rekey(task: Task, pkg: str | None = None) -> None:
    """(Re)compute a task's key and reads; a cross-region task's inputs change as the regions run."""
    from eocic_helpers.run.params import load_spec

    spec = load_spec(Path(task.notebook_path))
    task.reads = [str(p) for p in declared_reads(spec, task.region)]
    task.key = task_key(spec, task.parameters, task.region, pkg or package_digest())


def _all_specs() -> list[NotebookSpec]:
    from eocic_helpers.run.params import discover

    return list(discover().values())


def _region_overrides(region: str) -> dict[str, Any]:
    """A region's own parameter defaults: ``data/regions/<region>/parameters.yaml`` if present."""
    from eocic_helpers.run.params import load_params_file

    f = paths.region_data_dir(region) / "parameters.yaml"
    return load_params_file(f) if f.exists() else {}


# -- execution (worker side) ----------------------------------------------------------------

def _worker_init() -> None:
    import papermill  # noqa: F401  (imported once per worker, not once per notebook)

    # Kernels inherit the worker's stderr; send their chatter to a log, not over the progress bar.
    log_dir = paths.RUNS / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / f"worker-{os.getpid()}.log", "a")  # noqa: SIM115 (lives with the worker)
    os.dup2(log.fileno(), 2)

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def execute(task: Task, staging: str) -> Outcome:
    """Execute one task into ``staging`` (worker process). Never raises for notebook errors."""
    import papermill as pm

    start = time.perf_counter()
    staging_dir = Path(staging)
    staging_dir.mkdir(parents=True, exist_ok=True)
    out_nb = staging_dir / f"{task.notebook}.ipynb"
    os.environ[OUTPUT_ENV] = str(staging_dir)
    outcome = Outcome(task.region, task.notebook, "ok", notebook_out=str(out_nb))
    try:
        pm.execute_notebook(
            task.notebook_path,
            str(out_nb),
            parameters=task.parameters,
            cwd=str(paths.NOTEBOOKS),
            kernel_name=KERNEL,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            autosave_cell_every=0,
        )
    except pm.PapermillExecutionError as exc:
        outcome.status = "failed"
        outcome.cell = exc.exec_count
        outcome.error = f"{exc.ename}: {exc.evalue}".strip()
    except Exception as exc:  # kernel died, notebook unreadable, ...
        outcome.status = "failed"
        outcome.error = f"{type(exc).__name__}: {exc}"
    finally:
        os.environ.pop(OUTPUT_ENV, None)
    outcome.seconds = round(time.perf_counter() - start, 2)
    return outcome


# -- promotion (parent side) ----------------------------------------------------------------

def _hide_injected_parameters(nb_path: Path) -> None:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def promote(task: Task, staging: Path) -> Path:
    """Move a successful run's files into ``build/runs/<region>/`` and merge its results."""
    run_dir = paths.run_dir(task.region)
    fragment_file = staging / f"{task.notebook}{FRAGMENT_SUFFIX}"
    fragment = read_fragment(fragment_file) if fragment_file.exists() else {
        "region": task.region, "notebook": task.notebook, "values": {}, "figures": []}
    for sub in ("figures", "tables"):
        for f in sorted((staging / sub).glob("*")) if (staging / sub).exists() else []:
            dest = run_dir / sub / f.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(f, dest)
    nb_staged = staging / f"{task.notebook}.ipynb"
    _hide_injected_parameters(nb_staged)
    final_nb = run_dir / f"{task.notebook}.ipynb"
    run_dir.mkdir(parents=True, exist_ok=True)
    os.replace(nb_staged, final_nb)
    merge_results(run_dir / "results.json", fragment)
    atomic.write_text(_key_file(task.region, task.notebook), task.key + "\n")
    shutil.rmtree(staging, ignore_errors=True)
    return final_nb


def _keep_failed(task: Task, staging: Path) -> str:
    """Keep a failed execution's notebook for inspection, away from the good outputs."""
    src = staging / f"{task.notebook}.ipynb"
    dest = paths.run_dir(task.region) / "failed" / f"{task.notebook}.ipynb"
    if src.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
    shutil.rmtree(staging, ignore_errors=True)
    return str(dest) if dest.exists() else ""


# -- the pool -------------------------------------------------------------------------------

def run(tasks: list[Task], jobs: int = 2, force: bool = False, progress: bool = True
        ) -> list[Outcome]:
    """Execute tasks in a pool of ``jobs`` worker processes, skipping fresh ones.

    Returns:
        One outcome per task, in task order.
    """
    from tqdm import tqdm

    cross = [t for t in tasks if t.region == CROSS_REGION]
    if cross and len(cross) < len(tasks):
        # The regions first; then the cross-region notebooks, keyed on what the regions produced.
        first = run([t for t in tasks if t.region != CROSS_REGION], jobs, force, progress)
        for t in cross:
            _rekey(t)
        second = iter(run(cross, jobs, force, progress))
        firsts = iter(first)
        return [next(second) if t.region == CROSS_REGION else next(firsts) for t in tasks]

    outcomes: dict[int, Outcome] = {}
    todo = []
    for i, task in enumerate(tasks):
        if not force and is_fresh(task):
            outcomes[i] = Outcome(task.region, task.notebook, "cached",
                                  notebook_out=str(paths.run_dir(task.region) /
                                                   f"{task.notebook}.ipynb"))
        else:
            todo.append(i)
    if not todo:
        return [outcomes[i] for i in range(len(tasks))]

    bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), unit="nb", file=sys.stderr,
               disable=not progress, dynamic_ncols=True, desc="eocic run")
    stagings = {i: paths.RUNS / ".staging" / f"{tasks[i].region}--{tasks[i].notebook}-{os.getpid()}"
                for i in todo}
    failed = 0
    running: set[str] = set()

    def show() -> None:
        bar.set_postfix_str(f"running {', '.join(sorted(running)) or '-'} | failed {failed}")

    pool = cf.ProcessPoolExecutor(max_workers=max(1, min(jobs, len(todo))),
                                  initializer=_worker_init)
    try:
        futures = {}
        for i in todo:
            futures[pool.submit(execute, tasks[i], str(stagings[i]))] = i
        for i in todo[: max(1, jobs)]:
            running.add(tasks[i].label)
        show()
        pending_order = list(todo[max(1, jobs):])
        for fut in cf.as_completed(futures):
            i = futures[fut]
            task = tasks[i]
            outcome = fut.result()
            if outcome.status == "ok":
                try:
                    outcome.notebook_out = str(promote(task, stagings[i]))
                except OSError as exc:  # keep going: the other tasks are independent
                    outcome.status, outcome.error = "failed", f"promoting outputs: {exc}"
            if outcome.status != "ok":
                failed += 1
                outcome.notebook_out = outcome.notebook_out if outcome.error.startswith(
                    "promoting") else _keep_failed(task, stagings[i])
                bar.write(f"FAILED {task.label}: {outcome.error}")
            outcomes[i] = outcome
            running.discard(task.label)
            if pending_order:
                running.add(tasks[pending_order.pop(0)].label)
            bar.update(1)
            show()
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        for s in stagings.values():
            shutil.rmtree(s, ignore_errors=True)
        bar.close()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
    return [outcomes[i] for i in range(len(tasks))]


def run_dask(tasks: list[Task], scheduler: str, force: bool = False, progress: bool = True
             ) -> list[Outcome]:
    """Execute tasks on an existing Dask distributed cluster at ``scheduler``.

    The workers must see the project files (same path) and the project environment; outputs
    are promoted here, by this process, exactly as with the local pool.
    """
    from tqdm import tqdm

    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - distributed is a project dependency
        from eocic_helpers.core.errors import EocicError

        raise EocicError("the dask executor needs the 'distributed' package; run make setup") from None
    outcomes: dict[int, Outcome] = {}
    todo = []
    for i, task in enumerate(tasks):
        if not force and is_fresh(task):
            outcomes[i] = Outcome(task.region, task.notebook, "cached")
        else:
            todo.append(i)
    stagings = {i: paths.RUNS / ".staging" / f"{tasks[i].region}--{tasks[i].notebook}-dask"
                for i in todo}
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as exc:
        from eocic_helpers.core.errors import EocicError

        raise EocicError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start it or "
                         "use the local pool (drop --executor dask)") from None
    bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), unit="nb", file=sys.stderr,
               disable=not progress, desc="eocic run (dask)")
    try:
        futures = {client.submit(execute, tasks[i], str(stagings[i]), pure=False): i for i in todo}
        for fut in as_completed(futures):
            i = futures[fut]
            outcome = fut.result()
            if outcome.status == "ok":
                outcome.notebook_out = str(promote(tasks[i], stagings[i]))
            else:
                outcome.notebook_out = _keep_failed(tasks[i], stagings[i])
                bar.write(f"FAILED {tasks[i].label}: {outcome.error}")
            outcomes[i] = outcome
            bar.update(1)
    finally:
        bar.close()
        client.close()
    return [outcomes[i] for i in range(len(tasks))]


def write_summary(outcomes: list[Outcome], elapsed: float) -> Path:
    """Write ``build/runs/summary.json``."""
    target = paths.RUNS / "summary.json"
    atomic.write_json(target, {
        "elapsed_seconds": round(elapsed, 2),
        "counts": {s: sum(o.status == s for o in outcomes) for s in ("ok", "cached", "failed")},
        "tasks": [asdict(o) for o in outcomes],
    })
    return target


def format_summary(outcomes: list[Outcome]) -> str:
    """The end-of-run table: region, notebook, status, seconds, and where a failure is."""
    rows = [("region", "notebook", "status", "seconds", "detail")]
    for o in outcomes:
        detail = ""
        if o.status == "failed":
            cell = f" (cell {o.cell})" if o.cell is not None else ""
            detail = f"{o.error}{cell} -> {o.notebook_out}"
        rows.append((o.region, o.notebook, o.status, f"{o.seconds:.1f}", detail))
    widths = [max(len(r[k]) for r in rows) for k in range(4)]
    lines = ["  ".join(r[k].ljust(widths[k]) for k in range(4)) + ("  " + r[4] if r[4] else "")
             for r in rows]
    return "\n".join(lines)
