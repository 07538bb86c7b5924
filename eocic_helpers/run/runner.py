"""Run the study: one papermill execution per (region, notebook), in parallel, cached, atomic.

Workers are long-lived processes that import papermill once. Each execution writes into its
own staging folder; only the parent process promotes a successful run's files into
``build/runs/<region>/`` (renames) and writes ``results.json`` from the notebooks' results
fragments, so a failed or interrupted run leaves the last good outputs intact and different
regions never collide.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eocic_helpers.core import atomic, paths
from eocic_helpers.core.digest import code_digest, file_sha, notebook_code
from eocic_helpers.core.errors import EocicError, ParameterError, SchedulerLost
from eocic_helpers.core.pipeline import EU_PLACEHOLDER, EU_WIDE, load_pipeline, resolve_callable
from eocic_helpers.core.regions import load_regions, resolve_region
from eocic_helpers.core.results import declaration_digest
from eocic_helpers.outputs.fragments import (
    FRAGMENT_SUFFIX,
    OUTPUT_ENV,
    kept_fragments,
    read_fragment,
    results_problem,
)
from eocic_helpers.run import kernels
from eocic_helpers.run.kernels import KernelOptions
from eocic_helpers.run.params import (
    NotebookSpec,
    discover,
    load_params_file,
    load_spec,
    resolve,
)

#: Pseudo-region of the cross-region notebooks (scope ``cross_region`` in the pipeline
#: declaration): they run once over all pilots into ``build/runs/all/``, after the regions'
#: own runs, whose outputs they read.
CROSS_REGION = "all"


@dataclass
class Task:
    """One papermill execution."""

    region: str
    notebook: str
    notebook_path: str
    parameters: dict[str, Any]
    key: str = ""
    #: Digest of the package modules the notebook uses: what promotion needs to re-key the
    #: task with the files the run actually opened.
    code: str = ""
    recorded: list[str] = field(default_factory=list)
    #: Runs after the region's other notebooks (scope ``after_region``).
    after_region: bool = False
    #: Reads what the EU-wide notebooks publish, so runs after them (``{eu}/...`` reads).
    reads_eu: bool = False

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

def _code_of(notebook_path: Path) -> bytes:
    """What a task's key covers of its notebook: the source of every cell, markdown included
    (the executed notebook carries the markdown into the edition), and its tags (they decide
    what the edition shows: hidden input, a page of the report), never its outputs."""
    nb = json.loads(notebook_path.read_text(encoding="utf-8"))
    return "\n# --cell--\n".join(
        f"{c['cell_type']}:{','.join(c.get('metadata', {}).get('tags', []))}:"
        + ("".join(c["source"]) if isinstance(c["source"], list) else c["source"])
        for c in nb["cells"]).encode()


#: Declared reads under this prefix are the snapshot's files: another snapshot than the
#: committed one (``EOCIC_SNAPSHOT``) is read, and keyed, in their place.
SNAPSHOT_PREFIX = "data/snapshot/"


def declared_reads(spec: NotebookSpec, region: str) -> list[Path]:
    """The data files a notebook declares it reads, for one region (globs expanded; see
    :meth:`~eocic_helpers.run.params.NotebookSpec.reads_for`)."""
    files: list[Path] = []
    if spec.cross_region:  # it reads what every pilot's run produced
        for r in load_regions():
            run = paths.run_dir(r.id)
            files += [f for f in [run / "results.json", *sorted((run / "tables").glob("*.csv"))]
                      if f.is_file()]
    for pattern in spec.reads_for(region):
        if pattern.startswith(EU_PLACEHOLDER + "/"):  # published by the EU-wide notebooks
            eu_run = paths.run_dir(EU_WIDE)
            files.extend(m for m in sorted(eu_run.glob(pattern[len(EU_PLACEHOLDER) + 1:]))
                         if m.is_file())
            continue
        if pattern.startswith(SNAPSHOT_PREFIX) and not paths.on_default_snapshot():
            matches = sorted(paths.SNAPSHOT.glob(pattern[len(SNAPSHOT_PREFIX):]))
        else:
            matches = sorted(paths.ROOT.glob(pattern))
        files.extend(m for m in matches if m.is_file())
    return files


def _not_read_after() -> set[str]:
    """The notebooks whose outputs a region's ``after_region`` notebooks do not read: these
    themselves, and the atlas's page (scope ``atlas``), which only ``--all-nuts2`` runs."""
    return {name for name, d in load_pipeline().notebooks.items() if d.after_region or d.atlas}


def region_results_digest(region: str) -> str:
    """Hash of a region's results (:func:`merged_results`) without the values of the notebooks
    that run after the region's others: these read the results, so their key must not cover
    what they (or their siblings, which may be promoted before or after them) add to it."""
    results, owners = merged_results(region)
    after = _not_read_after()
    kept = {k: v for k, v in results.items() if owners[k] not in after}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def region_outputs(region: str, own: Iterable[str] = ()) -> list[str]:
    """The files a region's run published (executed notebooks, figures, tables), relative to
    its run folder, without those of the ``after_region`` notebooks (which read the list) and
    ``own`` (a notebook's outputs while it is promoted, before its manifest lists them)."""
    run = paths.run_dir(region)
    after = _not_read_after()
    own = {*own, *(f"{name}.ipynb" for name in after), *_published(region, after)}
    found = [f.name for f in sorted(run.glob("*.ipynb"))]
    for sub in ("figures", "tables"):
        found += [f"{sub}/{f.name}" for f in sorted((run / sub).glob("*")) if f.is_file()]
    return [f for f in found if f not in own]


def _read_name(f: Path) -> str:
    """A read file's name in the key: relative to the project, or to the build folder (a
    cross-region notebook reads the pilots' runs, which may live outside the project)."""
    if not paths.on_default_snapshot() and f.is_relative_to(paths.SNAPSHOT):
        return SNAPSHOT_PREFIX + f.relative_to(paths.SNAPSHOT).as_posix()
    if f.is_relative_to(paths.ROOT):
        return f.relative_to(paths.ROOT).as_posix()
    return "build:" + f.relative_to(paths.BUILD).as_posix()


def task_key(spec: NotebookSpec, parameters: dict[str, Any], region: str, code: str,
             recorded: list[str] | tuple[str, ...] = (), own: Iterable[str] = ()) -> str:
    """Cache key: code cells, resolved parameters, lock file, ``code`` (the digest of the
    package modules the notebook uses), the declared data files, the files the last run
    of this task actually opened (``recorded``, paths relative to the project root), and what
    ``notebooks/results.yaml`` declares for the notebook (its formats and missing texts).

    A file that is gone counts as missing, so deleting it changes the key too. A notebook that
    runs after the region's others (``after_region``) is keyed on the list of files they
    published as well (:func:`region_outputs`, leaving out ``own``).
    """
    h = hashlib.sha256()
    h.update(_code_of(spec.path))
    h.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    files = {_read_name(f): f for f in declared_reads(spec, region)}
    files.update({rel: paths.ROOT / rel for rel in recorded})
    for rel in sorted(files):
        h.update(rel.encode())
        h.update((file_sha(files[rel]) or "<missing>").encode())
    if spec.after_region:  # the region's results, which notebooks ran, what they published
        h.update(region_results_digest(region).encode())
        h.update(json.dumps(region_outputs(region, own)).encode())
    if paths.LOCK_FILE.exists():
        h.update(paths.LOCK_FILE.read_bytes())
    h.update(code.encode())
    h.update(declaration_digest(spec.name).encode())
    return h.hexdigest()


# -- the per-task manifest ------------------------------------------------------------------
#
# ``build/runs/<region>/.cache/<notebook>.manifest.json`` is written LAST when a task is
# promoted: its key, the sha256 of every file it published (notebook, figures, tables, its
# results fragment) and the files it read. A task is fresh only when the manifest's key matches
# and every file still has the recorded checksum, so a crash anywhere inside promotion (the old
# manifest is removed first) or a hand-edited output makes the task stale, and the next run
# repairs it. The manifest's file list is also the notebook's ownership of output files: a file
# the notebook no longer produces is removed on promotion.

def cache_dir(region: str) -> Path:
    """``build/runs/<region>/.cache``: manifests and per-notebook results fragments."""
    return paths.run_dir(region) / ".cache"


def manifest_file(region: str, notebook: str) -> Path:
    """The per-task manifest (see the comment above)."""
    return cache_dir(region) / f"{notebook}.manifest.json"


def fragment_file(region: str, notebook: str) -> Path:
    """The kept copy of a notebook's results fragment (``results.json`` is rebuilt from these)."""
    return cache_dir(region) / f"{notebook}{FRAGMENT_SUFFIX}"


def read_manifest(region: str, notebook: str) -> dict[str, Any] | None:
    """The task's manifest, or None when absent or unreadable (an unreadable one is stale)."""
    f = manifest_file(region, notebook)
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else None


def _manifested(region: str) -> set[str]:
    """The notebooks that have a manifest in a region's run."""
    return {f.name.removesuffix(".manifest.json") for f in cache_dir(region).glob("*.manifest.json")}


def _published(region: str, notebooks: Iterable[str]) -> set[str]:
    """The files the manifests of these notebooks list (relative to the run folder)."""
    manifests = (read_manifest(region, name) for name in notebooks)
    return {rel for manifest in manifests if manifest for rel in manifest["files"]}


def is_fresh(task: Task) -> bool:
    """True when the last promoted run of this task had the same key and every file it
    published is still there, unchanged."""
    manifest = read_manifest(task.region, task.notebook)
    if manifest is None or manifest.get("key") != task.key:
        return False
    run_dir = paths.run_dir(task.region)
    return all(file_sha(run_dir / rel) == sha for rel, sha in manifest["files"].items())


# -- planning -------------------------------------------------------------------------------

def plan(
    regions: list[str],
    specs: list[NotebookSpec],
    overrides: dict[str, dict[str, Any]],
    force: bool = False,
) -> list[Task]:
    """Tasks for every region x notebook, with their cache keys (no execution).

    A region's content checks (``preflight`` in ``notebooks/pipeline.yaml``) run before any kernel starts,
    once per region, whenever one of its tasks will run (``force``, or a task that is not
    fresh). A region whose tasks are all fresh is not re-checked: each content file is an
    input of a task's key, so it is byte-identical to the one a successful run checked.
    """
    # The same region or notebook named twice is one task, not two racing for one staging folder.
    regions = list(dict.fromkeys(regions))
    specs = list({s.name: s for s in specs}.values())
    every = list(discover().values())
    if any(s.reads_eu for s in specs):  # what they read is computed first, once
        specs = [s for s in every if s.eu_wide and s.name not in {x.name for x in specs}] + specs
    code = {s.name: code_digest(notebook_code(s.path)) for s in specs}
    tasks = [_task(s, EU_WIDE, EU_WIDE, {**s.defaults, **overrides.get(s.name, {})}, code[s.name])
             for s in specs if s.eu_wide]
    cross = [s for s in specs if s.cross_region]
    specs = [s for s in specs if not s.cross_region and not s.eu_wide]
    known = {n for s in every for n in s.defaults}
    for region in regions:
        region_file = paths.region_data_dir(region) / "parameters.yaml"
        raw_region = load_params_file(region_file) if region_file.exists() else {}
        unknown = sorted(set(raw_region) - known)
        if unknown:
            raise ParameterError(f"{region_file}: unknown parameter '{unknown[0]}'; "
                                 "it must be declared by a notebook")
        try:
            region_overrides = resolve([s for s in specs if set(s.defaults) & set(raw_region)],
                                       {k: v for k, v in raw_region.items()
                                        if any(k in s.defaults for s in specs)})
        except ParameterError as exc:
            raise ParameterError(f"{region_file}: {exc}") from None
        region_id = resolve_region(region).id
        region_tasks = [_task(s, region, region_id, {**s.defaults, **region_overrides.get(s.name, {}),
                                                     **overrides.get(s.name, {})}, code[s.name])
                        for s in specs]
        if force or not all(is_fresh(t) for t in region_tasks):
            for check in dict.fromkeys(c for s in specs for c in s.preflight):
                resolve_callable(check)(region)
        tasks += region_tasks
    if cross and set(regions) >= {r.id for r in load_regions()}:
        tasks += [_task(s, CROSS_REGION, CROSS_REGION, {**s.defaults, **overrides.get(s.name, {})},
                        code[s.name]) for s in cross]
    return tasks


def _task(spec: NotebookSpec, region: str, region_id: str, params: dict[str, Any], code: str
          ) -> Task:
    """One task of a plan, keyed: ``params`` validated, and its ``region`` parameter (if it
    declares one) set to ``region_id``."""
    if spec.validator:  # the notebook's cross-parameter rules
        resolve_callable(spec.validator)(params)
    if "region" in spec.defaults:
        params["region"] = region_id
    recorded = (read_manifest(region, spec.name) or {}).get("reads", [])  # the last run's
    task = Task(region, spec.name, str(spec.path), params, code=code, recorded=list(recorded),
                after_region=spec.after_region, reads_eu=spec.reads_eu)
    _rekey(task, spec)
    return task


def _rekey(task: Task, spec: NotebookSpec | None = None) -> None:
    """(Re)compute a task's key: a task that waits for others reads what they publish, which
    changes while they run."""
    spec = spec or load_spec(Path(task.notebook_path))
    task.key = task_key(spec, task.parameters, task.region, task.code, task.recorded)


# -- execution (worker side) ----------------------------------------------------------------

def _worker_init(options: KernelOptions, parent_pid: int) -> None:
    kernels.guard_worker(parent_pid)  # first: a signal must not meet the parent's handlers here
    # Kernels inherit the worker's stderr; send their chatter to a log, not over the progress bar.
    log_dir = paths.RUNS / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / f"worker-{os.getpid()}.log", "a")  # noqa: SIM115 (lives with the worker)
    os.dup2(log.fileno(), 2)

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.pop(OUTPUT_ENV, None)  # a kept kernel gets its folder per notebook, never from here
    import multiprocessing.util

    # The first kernel starts (and imports pandas, matplotlib, ...) while this worker imports
    # papermill.
    kernels.process_pool(options).prestart(paths.NOTEBOOKS)
    multiprocessing.util.Finalize(None, kernels.shutdown_process_pool, exitpriority=10)
    import papermill  # noqa: F401  (imported once per worker, not once per notebook)


def execute(task: Task, staging: str, options: KernelOptions | None = None) -> Outcome:
    """Execute one task into ``staging`` in this process's warm kernel (worker process, or a
    thread of a Dask worker). Never raises for notebook errors."""
    import papermill as pm

    start = time.perf_counter()
    staging_dir = Path(staging)
    # A task Dask reschedules after its worker died finds what the first attempt left: start empty.
    shutil.rmtree(staging_dir, ignore_errors=True)
    staging_dir.mkdir(parents=True, exist_ok=True)
    out_nb = staging_dir / f"{task.notebook}.ipynb"
    outcome = Outcome(task.region, task.notebook, "ok", notebook_out=str(out_nb))
    try:
        kernels.process_pool(options or KernelOptions()).execute(
            task.notebook_path, out_nb, task.parameters, paths.NOTEBOOKS)
    except pm.PapermillExecutionError as exc:
        outcome.status = "failed"
        outcome.cell = exc.exec_count
        outcome.error = f"{exc.ename}: {exc.evalue}".strip()
    except Exception as exc:  # kernel died or timed out, notebook unreadable, ...
        outcome.status = "failed"
        outcome.error = f"{type(exc).__name__}: {exc}".strip()
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


def _outputs_of(staging: Path) -> list[str]:
    """The figure, table and data files a staging folder holds (paths relative to it)."""
    out = []
    for sub in ("figures", "tables", "data"):
        if (staging / sub).is_dir():
            out.extend(f"{sub}/{f.name}" for f in sorted((staging / sub).iterdir()) if f.is_file())
    return out


def merged_results(region: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A region's results as the notebooks' kept fragments give them, in notebook-name order,
    and which notebook glued each key: what ``results.json`` and ``_owners.json`` hold."""
    results: dict[str, Any] = {}
    owners: dict[str, str] = {}
    for notebook, fragment in kept_fragments(cache_dir(region)).items():
        results.update(fragment["values"])
        owners.update(dict.fromkeys(fragment["values"], notebook))
    return results, owners


def write_results(region: str, always: bool = False) -> bool:
    """Write a region's ``results.json`` from the notebooks' kept fragments (with
    ``_owners.json``: which notebook glued each key), in notebook-name order: it is derived
    from them, never the other way round. Written when it does not hold what they say (a
    missing, corrupt or hand-edited one is reported in one line on stderr), or unchecked with
    ``always`` (a fragment was promoted or pruned). Returns whether it did not hold it."""
    run_dir = paths.run_dir(region)
    problem = None if always else results_problem(run_dir)
    if problem is not None:
        print(f"{run_dir / 'results.json'}: {problem}; rebuilt from the notebooks' fragments in "
              f"{cache_dir(region)}", file=sys.stderr)
    elif not always:
        return False
    results, owners = merged_results(region)
    atomic.write_json(run_dir / "_owners.json", owners)
    atomic.write_json(run_dir / "results.json", results)
    return problem is not None


def prune_undeclared(region: str) -> list[str]:
    """Remove what the notebooks no longer in ``notebooks/pipeline.yaml`` published for a
    region (executed notebook, figures, tables, fragment and manifest), then write
    ``results.json`` without their values. Returns their names."""
    run_dir = paths.run_dir(region)
    fragments = cache_dir(region).glob(f"*{FRAGMENT_SUFFIX}")  # a fragment may have no manifest
    found = _manifested(region) | {f.name.removesuffix(FRAGMENT_SUFFIX) for f in fragments}
    pruned = sorted(found - set(load_pipeline().notebooks))
    for name in pruned:
        _remove_published(run_dir, _published(region, [name]))
        for f in (fragment_file(region, name), manifest_file(region, name),
                  run_dir / f"{name}.ipynb"):
            f.unlink(missing_ok=True)
    if pruned:
        write_results(region, always=True)
    return pruned


def _remove_published(run_dir: Path, rels: Iterable[str]) -> None:
    """Remove files a manifest listed, never one outside the run folder."""
    for rel in sorted(rels):
        stale = (run_dir / rel).resolve()
        if run_dir.resolve() in stale.parents:
            stale.unlink(missing_ok=True)


def promote(task: Task, staging: Path) -> Path:
    """Move a successful run's files into ``build/runs/<region>/`` as one set.

    Order: drop the old manifest (the task is stale from here on), move the new figures,
    tables and notebook in, remove the files this notebook published last time but not now,
    keep the results fragment and write ``results.json`` from the fragments, and write the new
    manifest last. A crash at any step leaves a task the next run sees as stale and repairs.
    """
    run_dir = paths.run_dir(task.region)
    staged_fragment = staging / f"{task.notebook}{FRAGMENT_SUFFIX}"
    fragment = read_fragment(staged_fragment) if staged_fragment.exists() else {
        "region": task.region, "notebook": task.notebook, "values": {}, "figures": []}
    nb_staged = staging / f"{task.notebook}.ipynb"
    _hide_injected_parameters(nb_staged)
    outputs = _outputs_of(staging)
    files = {rel: file_sha(staging / rel) or "" for rel in [*outputs, nb_staged.name]}

    run_dir.mkdir(parents=True, exist_ok=True)
    old = read_manifest(task.region, task.notebook)
    mf = manifest_file(task.region, task.notebook)
    mf.unlink(missing_ok=True)
    for rel in outputs:
        dest = run_dir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / rel, dest)
    final_nb = run_dir / nb_staged.name
    os.replace(nb_staged, final_nb)
    write_results(task.region)  # against the fragments as they were: this one is not in yet
    atomic.write_json(fragment_file(task.region, task.notebook), fragment)
    files[f".cache/{task.notebook}{FRAGMENT_SUFFIX}"] = file_sha(
        fragment_file(task.region, task.notebook)) or ""
    others = _published(task.region, _manifested(task.region) - {task.notebook})
    _remove_published(run_dir, set(old["files"]) - set(files) - others if old else ())
    write_results(task.region, always=True)
    reads = sorted(fragment.get("reads", []))
    key = task.key
    if reads != sorted(task.recorded) and task.code:  # the next plan keys on these reads
        key = task_key(load_spec(Path(task.notebook_path)), task.parameters, task.region,
                       task.code, reads, own=files)
    atomic.write_json(mf, {"key": key, "region": task.region, "notebook": task.notebook,
                           "files": files, "reads": reads})
    (run_dir / "failed" / f"{task.notebook}.ipynb").unlink(missing_ok=True)  # superseded
    shutil.rmtree(staging, ignore_errors=True)
    return final_nb


def _keep_failed(task: Task, staging: Path) -> str:
    """Keep a failed execution's notebook for inspection, away from the good outputs.

    Only a complete notebook is kept (a full disk can leave truncated JSON); an older failed
    notebook of the same task is removed either way, so ``failed/`` never shows a stale failure.
    """
    src = staging / f"{task.notebook}.ipynb"
    dest = paths.run_dir(task.region) / "failed" / f"{task.notebook}.ipynb"
    try:
        dest.unlink(missing_ok=True)
        if isinstance(json.loads(src.read_text(encoding="utf-8")).get("cells"), list):
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
    except (OSError, ValueError, AttributeError):
        pass  # no notebook, a truncated one, a read-only or full build folder: still reported
    shutil.rmtree(staging, ignore_errors=True)
    return str(dest) if dest.exists() else ""


# -- the executors ---------------------------------------------------------------------------

def _staging_dir(task: Task, index: int) -> Path:
    """A staging folder no other task shares (the task's index and the run's process id)."""
    return paths.RUNS / ".staging" / f"{task.region}--{task.notebook}-{os.getpid()}-{index}"


def clean_staging() -> None:
    """Remove ``build/runs/.staging``, what killed runs left there. Call it holding the build
    folder's lock (:func:`eocic_helpers.core.lock.build_lock`): no other run is under way."""
    shutil.rmtree(paths.RUNS / ".staging", ignore_errors=True)


def _stop_workers(pool: cf.ProcessPoolExecutor, grace: float = 2.0) -> None:
    """Cancel queued tasks and end the workers and their kernels now: SIGTERM (a worker kills
    its kernel and exits), then SIGKILL for any of them still there after ``grace`` seconds."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # before shutdown drops it
    pool.shutdown(wait=False, cancel_futures=True)
    import psutil

    family = []
    for p in procs:
        with contextlib.suppress(psutil.Error, TypeError):
            family += psutil.Process(p.pid).children(recursive=True)
    for p in procs:
        with contextlib.suppress(OSError, AttributeError):
            p.terminate()
    deadline = time.monotonic() + grace
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join(1.0)
    if family:  # the kernels: gone with their worker, or killed here
        _, alive = psutil.wait_procs(family, timeout=max(0.2, deadline - time.monotonic()))
        for k in alive:
            with contextlib.suppress(psutil.Error):
                k.kill()
        psutil.wait_procs(alive, timeout=1.0)


def _phase(task: Task) -> int:
    """0: the EU-wide notebooks, once; 1: a region's own notebooks; 2: those run after them
    (``after_region``), per region; 3: the cross-region notebooks, after every region."""
    if task.region == EU_WIDE:
        return 0
    return 3 if task.region == CROSS_REGION else 2 if task.after_region else 1


def _settle(task: Task, outcome: Outcome, staging: Path) -> str:
    """Promote a successful execution, or keep a failed one for inspection (parent side, the
    same for every executor). A failed promotion fails only this task. Returns the status."""
    if outcome.status == "ok":
        try:
            outcome.notebook_out = str(promote(task, staging))
        except OSError as exc:  # keep going: the other tasks are independent
            outcome.status, outcome.error = "failed", f"promoting outputs: {exc}"
    else:
        outcome.notebook_out = _keep_failed(task, staging)
    return outcome.status


def _dependencies(tasks: list[Task]) -> dict[int, set[int]]:
    """For each task, the tasks that must be settled before it is keyed and run: a region's
    own notebooks before its ``after_region`` ones, the EU-wide notebooks before the notebooks
    that read what they publish, every region before the cross-region notebooks. A task waits
    for its own dependencies only, never for a whole phase."""
    deps: dict[int, set[int]] = {}
    eu = {j for j, t in enumerate(tasks) if _phase(t) == 0}
    for i, task in enumerate(tasks):
        phase = _phase(task)
        if phase == 1:
            deps[i] = set(eu) if task.reads_eu else set()
        elif phase == 2:
            deps[i] = {j for j, t in enumerate(tasks) if _phase(t) == 1 and t.region == task.region}
        elif phase == 3:
            deps[i] = {j for j, t in enumerate(tasks) if _phase(t) < 3}
        else:
            deps[i] = set()
    return deps


class _Schedule:
    """The one scheduling logic of every executor (the local pool and Dask): a task is keyed,
    and run unless fresh, as soon as the tasks it depends on (:func:`_dependencies`) are
    settled; fresh tasks are settled as cached without running."""

    def __init__(self, tasks: list[Task], force: bool) -> None:
        self.tasks, self.force = tasks, force
        self.deps = _dependencies(tasks)
        self.waiting = {i for i, d in self.deps.items() if d}
        self.outcomes: dict[int, Outcome] = {}
        self.ready: list[int] = []
        for i in sorted(set(range(len(tasks))) - self.waiting):
            self._queue(i)
        self.release()

    def _queue(self, i: int) -> bool:
        """Settle a keyed task as cached when it is fresh (True), or queue it to run."""
        t = self.tasks[i]
        if self.force or not is_fresh(t):
            self.ready.append(i)
            return False
        self.outcomes[i] = Outcome(t.region, t.notebook, "cached", notebook_out=str(
            paths.run_dir(t.region) / f"{t.notebook}.ipynb"))
        return True

    def release(self) -> int:
        """Key the waiting tasks whose dependencies are all settled; settle the fresh ones as
        cached and queue the others. Returns how many were settled as cached."""
        cached, changed = 0, True
        while changed:
            changed = False
            for i in sorted(self.waiting):
                if self.deps[i] <= self.outcomes.keys():
                    self.waiting.discard(i)
                    _rekey(self.tasks[i])
                    if self._queue(i):
                        cached += 1
                        changed = True
        return cached

    def take(self) -> list[int]:
        """The tasks to start now (each once)."""
        out, self.ready = self.ready, []
        return out

    def settle(self, i: int, outcome: Outcome) -> int:
        """Record a task's outcome and release what waited for it (see :meth:`release`)."""
        self.outcomes[i] = outcome
        return self.release()

    @property
    def idle(self) -> bool:
        """Nothing to start and nothing waiting."""
        return not self.ready and not self.waiting

    def ordered(self) -> list[Outcome]:
        return [self.outcomes[i] for i in range(len(self.tasks))]


class _Pool:
    """The local executor: a pool of worker processes, each with a warm kernel. A worker that
    dies breaks the pool: its tasks fail with one line."""

    desc = "eocic run"
    #: Seconds :func:`run` waits for a task before it calls :meth:`check` (None: until one ends).
    poll: float | None = None

    def __init__(self, jobs: int, options: KernelOptions) -> None:
        self.slots: int | None = jobs
        self.executor: cf.Executor = cf.ProcessPoolExecutor(
            max_workers=jobs, initializer=_worker_init, initargs=(options, os.getpid()))

    def failure(self, exc: Exception) -> str:
        """Why a task whose future raised ``exc`` failed (an executor's fault, never the
        notebook's: :func:`execute` reports those)."""
        if isinstance(exc, cf.process.BrokenProcessPool):
            return f"worker process died ({exc})"
        raise exc

    def check(self, left: int, total: int) -> str | None:
        """Called when no task ended for :attr:`poll` seconds (``left`` of ``total`` tasks
        unfinished): a reason to fail every unfinished task, or None to keep waiting."""
        return None

    def lost(self, left: int, total: int) -> EocicError:
        """The error of a run whose executor cancelled its tasks (it went away)."""
        return EocicError(f"the executor stopped; {left} of {total} tasks did not finish")

    def close(self, interrupted: bool) -> None:
        """Stop the executor: after the last task, or at once on an interrupt."""
        if interrupted:
            _stop_workers(self.executor)
        else:
            self.executor.shutdown(wait=True, cancel_futures=True)


#: Seconds a Dask run waits with no worker left before it fails its unfinished tasks
#: (``EOCIC_DASK_WORKER_TIMEOUT`` overrides it).
DASK_WORKER_TIMEOUT = 60.0
#: Seconds between two looks at the cluster while Dask tasks run.
DASK_POLL = 0.5


class _Dask(_Pool):
    """An existing Dask distributed cluster at ``scheduler``, through its ``concurrent.futures``
    executor (``Client.get_executor``), and what only a cluster does to a run.

    The workers must see the project files (same path) and the project environment; each Dask
    worker process keeps warm kernels (one per concurrently running task), shut down at the
    end. A task whose worker dies is rescheduled by Dask while workers remain; when none is
    left for :data:`DASK_WORKER_TIMEOUT` seconds, each unfinished task fails with one line. A
    lost scheduler raises :class:`SchedulerLost` at once.

    Raises:
        EocicError: the scheduler cannot be reached.
    """

    desc = "eocic run (dask)"
    poll = DASK_POLL

    def __init__(self, scheduler: str) -> None:
        from distributed import Client

        _dask_logs_to_file()  # after the import: importing distributed sets its log handlers
        try:
            self.client = Client(scheduler, timeout="10s")
        except (OSError, ValueError, TypeError) as exc:
            raise EocicError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start it "
                             "or use the local pool (drop --executor dask)") from None
        self.scheduler, self.slots = scheduler, None
        self.executor = self.client.get_executor(pure=False)
        try:
            wait_for = float(os.environ.get("EOCIC_DASK_WORKER_TIMEOUT", DASK_WORKER_TIMEOUT))
        except ValueError:
            wait_for = DASK_WORKER_TIMEOUT
        self.wait_for = wait_for if wait_for > 0 else DASK_WORKER_TIMEOUT
        self.alone_since: float | None = None

    def failure(self, exc: Exception) -> str:  # the task failed on every worker Dask tried
        return f"dask task lost: {type(exc).__name__}: {' '.join(str(exc).split())}"

    def lost(self, left: int, total: int) -> SchedulerLost:
        return SchedulerLost(
            f"lost the Dask scheduler at {self.scheduler} during the run (it stopped, or the "
            f"network to it failed); {left} of {total} tasks did not finish and nothing of "
            "theirs was published; restart the scheduler and its workers, then run again "
            "(finished tasks are cached), or drop --executor dask to use the local pool")

    def workers(self) -> int | None:
        """How many workers the scheduler has, or None when it cannot be asked."""
        try:
            info = self.client.scheduler_info(n_workers=0)
        except Exception:
            return None
        return info.get("n_workers", len(info.get("workers", {}))) if info else None

    def check(self, left: int, total: int) -> str | None:
        if self.client.status != "running":
            raise self.lost(left, total)
        if self.workers():
            self.alone_since = None
        elif self.alone_since is None:
            self.alone_since = time.monotonic()
        elif time.monotonic() - self.alone_since > self.wait_for:
            return (f"no Dask worker left for {self.wait_for:g} s (the workers died or were "
                    f"stopped); start workers for {self.scheduler} and run again")
        return None

    def close(self, interrupted: bool) -> None:
        if self.client.status == "running":
            with contextlib.suppress(Exception):
                self.executor.shutdown(wait=False)  # cancels what is left
                if self.workers():
                    self.client.run(kernels.shutdown_process_pool)
        with contextlib.suppress(Exception):
            self.client.close(timeout=2)


def _dask_logs_to_file() -> None:
    """Send the log lines of ``distributed`` (and of tornado, its network layer) to
    ``build/runs/logs/dask-<pid>.log``, not to the terminal, for the rest of this process: the
    run reports each problem in one line of its own, and a client that lost its scheduler
    still logs its reconnection attempts after the run has ended."""
    log_dir = paths.RUNS / "logs"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(log_dir / f"dask-{os.getpid()}.log",
                                                       delay=True)
    except OSError:
        handler = logging.NullHandler()
    names = [n for n in list(logging.Logger.manager.loggerDict)
             if n.split(".")[0] in ("distributed", "tornado")]
    for name in {"distributed", "tornado", *names}:
        logger = logging.getLogger(name)
        if logger.handlers or name in ("distributed", "tornado"):
            logger.handlers = [handler]
            logger.propagate = False


def run(tasks: list[Task], jobs: int = 2, force: bool = False, progress: bool = True,
        options: KernelOptions | None = None, scheduler: str | None = None) -> list[Outcome]:
    """Execute tasks, skipping fresh ones: in a pool of ``jobs`` worker processes, each with a
    warm kernel, or on the Dask cluster at ``scheduler`` (:class:`_Dask`). One loop over the
    ``concurrent.futures`` interface drives both; outputs are promoted here, by this process.

    One executor serves the whole run. A task that depends on others (:func:`_dependencies`)
    is keyed, and run unless fresh, as soon as they are settled, so a region's
    ``after_region`` notebook starts while other regions are still running, on a kernel that
    is already warm.

    On an interrupt (SIGINT, or SIGTERM turned into one by the CLI) queued tasks are cancelled,
    workers and their kernels are stopped within about two seconds, staging folders are removed
    and the interrupt is raised again.

    Returns:
        One outcome per task, in task order.

    Raises:
        EocicError: the Dask scheduler cannot be reached.
        SchedulerLost: the Dask scheduler went away during the run.
    """
    from tqdm import tqdm

    options = options or KernelOptions()
    schedule = _Schedule(tasks, force)
    outcomes = schedule.outcomes
    if schedule.idle:
        return schedule.ordered()
    executor = _Dask(scheduler) if scheduler else _Pool(
        max(1, min(jobs, len(schedule.ready) + len(schedule.waiting))), options)
    bar = tqdm(total=len(tasks), initial=len(outcomes), unit="nb", file=sys.stderr,
               disable=not progress, dynamic_ncols=True, desc=executor.desc)
    stagings: dict[int, Path] = {}
    futures: dict[cf.Future[Outcome], int] = {}  # in submission order
    failed = 0

    def settle(i: int, outcome: Outcome) -> None:
        nonlocal failed
        if i in stagings and _settle(tasks[i], outcome, stagings[i]) != "ok":
            failed += 1
            bar.write(f"FAILED {tasks[i].label}: {outcome.error}", file=sys.stderr)
        bar.update(1 + schedule.settle(i, outcome))

    def fail(i: int, why: str) -> None:
        settle(i, Outcome(tasks[i].region, tasks[i].notebook, "failed", error=why))

    interrupted = False
    try:
        while schedule.ready or futures:
            for i in schedule.take():
                stagings[i] = _staging_dir(tasks[i], i)
                futures[executor.executor.submit(execute, tasks[i], str(stagings[i]), options)] = i
            running = sorted(tasks[i].label for i in list(futures.values())[:executor.slots])
            bar.set_postfix_str(f"running {', '.join(running) or '-'} | failed {failed}")
            done, _ = cf.wait(futures, timeout=executor.poll, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                i = futures.pop(fut)
                if fut.cancelled():  # a Dask client that lost its scheduler cancels them
                    raise executor.lost(len(tasks) - len(outcomes), len(tasks))
                try:
                    outcome = fut.result()
                except Exception as exc:
                    outcome = Outcome(tasks[i].region, tasks[i].notebook, "failed",
                                      error=executor.failure(exc))
                settle(i, outcome)
            why = None if done else executor.check(len(tasks) - len(outcomes), len(tasks))
            if why:  # every unfinished task fails, those never started too
                for i in sorted(futures.values()):
                    fail(i, why)
                futures.clear()
                for i in sorted(set(range(len(tasks))) - outcomes.keys()):
                    schedule.waiting.discard(i)
                    fail(i, why)
                schedule.take()
    except BaseException:
        interrupted = True
        raise
    finally:
        executor.close(interrupted)
        bar.close()
        for staging in stagings.values():
            shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            (paths.RUNS / ".staging").rmdir()
    return schedule.ordered()


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
