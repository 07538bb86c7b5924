"""Speed and memory of `eocic run` + `eocic book`, against the project's targets, in one run.

Prints one table with a met/not-met column (a benchmark, not a timed test):

  T1  the naive loop (the papermill CLI once per notebook, one after another; the EU-wide
      step once, first, as every region's composite reads it) against `eocic run --force`
      (warm kernels, --jobs = cores), on the same executions (102 with the ten pilots):
      >= 12x (and >= 8x, the earlier target); the seconds of worker time per warm execution
      (the sum of the tasks' seconds in summary.json over their number) are printed beside;
  T2  `eocic run --force` + `eocic book all --force` (HTML + PDF when xelatex is present)
      against `eocic run --force --isolate` + `eocic book all --force --jobs 1`: <= 40 %;
  T3  a warm no-op `eocic run` + `eocic book all`: <= 1.0 s (and <= 1.5 s, the earlier one);
  T4  an edit to one region's parameters.yaml until its edition is rebuilt, the way
      `make region` does it (`eocic run REGION` + `eocic book REGION`): <= 10 s; the same
      edit followed by the whole study's `eocic run` (which also re-runs the cross-region
      comparison) + `eocic book REGION` is printed beside it;
  T5  peak resident memory of a worker (with its kernel) during `eocic run --force`: < 1 GiB;
      the whole run's peak is printed too;
  T6  the whole EU: `eocic run --all-nuts2` (the EU-wide step and every NUTS 2 region's atlas
      page) + `eocic book --all-nuts2` (the atlas's HTML), from an empty build: <= 5 min (and
      <= 15 min, the earlier target), with the time per region;
  T7  peak resident memory of the whole `eocic run --all-nuts2` (every process): < 2 GiB;
  T8  the size of that build's site (the atlas and the landing page): <= 40 MB.

The load average is printed before each phase and at the end: on a machine shared with other
work every figure is slower (the worker seconds per execution too, less so).

Everything runs on a copy of the project's inputs (EOCIC_ROOT) with its own build folders:
the real data/ and build/ are never touched. Results go to build/bench.json, or to
$EOCIC_BUILD/bench.json when EOCIC_BUILD is set.

Usage: .venv/bin/python bench/run_bench.py [--quick] [--regions N] [--skip-naive] [--skip-eu]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from procmem import Peaks, measure, mib  # noqa: E402


def note(what: str, seconds: float) -> None:
    print(f"  {seconds:7.1f} s  {what}  (load average {os.getloadavg()[0]:.1f} after)",
          flush=True)


def worker_seconds(build: Path) -> tuple[float, int]:
    """The seconds of the tasks that ran in the last ``eocic run`` of ``build`` (the sum over
    summary.json's tasks, each timed by its worker) and their number."""
    summary = json.loads((build / "runs" / "summary.json").read_text("utf-8"))
    ran = [t for t in summary["tasks"] if t.get("status") == "ok"]
    return sum(float(t["seconds"]) for t in ran), len(ran)


def worker_seconds_by_notebook(build: Path) -> dict[str, tuple[float, int]]:
    """The mean worker seconds of each notebook's tasks in the last ``eocic run`` of ``build``
    and their number, slowest first (where a warm execution's time goes)."""
    summary = json.loads((build / "runs" / "summary.json").read_text("utf-8"))
    by: dict[str, list[float]] = {}
    for task in summary["tasks"]:
        if task.get("status") == "ok":
            by.setdefault(task["notebook"], []).append(float(task["seconds"]))
    means = {nb: (sum(s) / len(s), len(s)) for nb, s in by.items()}
    return dict(sorted(means.items(), key=lambda kv: -kv[1][0] * kv[1][1]))


def tree_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder`` (what a web server would publish)."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def sh(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def sh_mem(cmd: list[str], env: dict[str, str]) -> Peaks:
    peaks = measure(cmd, env=env, cwd=str(ROOT))
    if peaks.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{peaks.stdout[-2000:]}\n{peaks.stderr[-2000:]}")
    return peaks


def model_timings() -> dict[str, float]:
    """Seconds of the two vectorised models (best of 3)."""
    from eocic_helpers.analysis import composite, costs
    from eocic_helpers.core.regions import resolve_region
    from eocic_helpers.data.snapshot import load_snapshot

    snap = load_snapshot()
    focus = resolve_region("centre-val-de-loire")
    values = costs.validate_values({})

    def best(fn) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    return {
        "composite: 1 000 Monte Carlo replications over all EU NUTS 2 regions (goal < 2 s)":
            best(lambda: composite.mc_ranks(composite.mc_draws(snap, replications=1000),
                                            snap, focus)),
        "costs: Monte Carlo 10^5 draws + Sobol' indices (goal < 2 s)":
            best(lambda: (costs.monte_carlo(costs.simulate(values)), costs.sobol(values))),
    }


def project_copy(work: Path) -> Path:
    """The project's inputs copied under ``work`` (used through EOCIC_ROOT)."""
    root = work / "root"
    for part in ("data", "book", "notebooks"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("raw"))
    shutil.copy(ROOT / "requirements.lock", root / "requirements.lock")
    return root


def edit_parameters(root: Path, region: str) -> None:
    """Change one value of one region's parameters.yaml in the copy."""
    import yaml

    f = root / "data" / "regions" / region / "parameters.yaml"
    data = yaml.safe_load(f.read_text()) if f.exists() else {}
    data = data or {}
    data["n_smes"] = int(data.get("n_smes", 50)) + 1
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text("# bench: one region's input edited\n" + yaml.safe_dump(data, sort_keys=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=10, help="how many pilot regions")
    parser.add_argument("--quick", action="store_true",
                        help="2 regions, no naive loop: checks the bench works (figures not "
                        "comparable with the targets)")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive loop (T1)")
    parser.add_argument("--skip-eu", action="store_true",
                        help="skip the whole-EU atlas run (T6, T7)")
    parser.add_argument("--models-only", action="store_true", help="only the model timings")
    args = parser.parse_args()
    if args.quick:
        args.regions, args.skip_naive, args.skip_eu = 2, True, True

    sys.path.insert(0, str(ROOT))
    for name, seconds in model_timings().items():
        print(f"model  {seconds:6.3f} s  {name}")
    if args.models_only:
        return
    from eocic_helpers.book.editions import has_xelatex
    from eocic_helpers.core.regions import load_regions
    from eocic_helpers.run.params import discover

    all_regions = [r.id for r in load_regions()]
    regions = all_regions[: args.regions]
    books = ["all"] if regions == all_regions else regions
    specs = discover()
    # The naive loop runs what `eocic run` runs, in an order that works: each region's own
    # notebooks, then those that read them (after_region), then the cross-region ones once.
    eu = [n for n, sp in specs.items() if sp.eu_wide]
    own = [n for n, sp in specs.items() if not (sp.after_region or sp.cross_region
                                                or sp.eu_wide or sp.atlas)]
    after = [n for n, sp in specs.items() if sp.after_region]
    cross = [n for n, sp in specs.items() if sp.cross_region] if regions == all_regions else []
    notebooks = own + after
    cores = os.cpu_count() or 1
    pdf = has_xelatex()
    work = Path(tempfile.mkdtemp(prefix="eocic-bench-"))
    root = project_copy(work)
    base_env = dict(os.environ, EOCIC_ROOT=str(root), PYTHONHASHSEED="0")
    base_env.pop("EOCIC_OUTPUT_DIR", None)
    base_env.pop("EOCIC_BUILD", None)  # each phase sets its own
    eocic = [str(BIN / "eocic")]
    run = [*eocic, "run", *regions, "--quiet", "--jobs", str(cores)]
    book = [*eocic, "book", *books]
    t: dict[str, float] = {}
    mem: dict[str, int] = {}
    sizes: dict[str, int] = {}
    n_tasks = len(eu) + len(regions) * len(notebooks) + len(cross)
    print(f"load average before the bench: {os.getloadavg()[0]:.1f}", flush=True)
    print(f"{len(eu)} EU-wide + {len(regions)} regions x {len(notebooks)} notebooks + "
          f"{len(cross)} cross-region = "
          f"{n_tasks} executions; "
          f"books: {'HTML + PDF' if pdf else 'HTML only (xelatex missing)'}; work: {work}",
          flush=True)

    # T1 (a): the naive loop
    if not args.skip_naive:
        env = dict(base_env, EOCIC_BUILD=str(work / "naive"))
        start = time.perf_counter()
        for region, nb in ([("eu", nb) for nb in eu]
                           + [(r, nb) for r in regions for nb in notebooks]
                           + [("all", nb) for nb in cross]):
            out = work / "naive" / "runs" / region
            out.mkdir(parents=True, exist_ok=True)
            sh([str(BIN / "papermill"), str(root / "notebooks" / f"{nb}.ipynb"),
                str(out / f"{nb}.ipynb"), "-p", "region", region, "--cwd",
                str(root / "notebooks")], dict(env, EOCIC_OUTPUT_DIR=str(out)))
        t["naive"] = time.perf_counter() - start
        note("naive: papermill CLI once per notebook, sequential", t["naive"])

    env = dict(base_env, EOCIC_BUILD=str(work / "eocic"))
    # T2 (d): isolated kernels, books one at a time
    sh([*eocic, "data", "check"], env)  # warm the file cache for both sides alike
    p = sh_mem([*run, "--force", "--isolate"], env)
    t["run_isolate"], mem["isolate_worker"] = p.seconds, p.worker_with_kernel
    note("eocic run --force --isolate", t["run_isolate"])
    t["book_serial"] = sh([*book, "--force", "--jobs", "1"], env)
    note(f"eocic book {' '.join(books)} --force --jobs 1", t["book_serial"])
    # T1 (b), T2 (c), T5: warm kernels, books in parallel
    p = sh_mem([*run, "--force"], env)
    t["run_warm"] = p.seconds
    t["run_warm_worker"], warm_tasks = worker_seconds(work / "eocic")
    per_notebook = worker_seconds_by_notebook(work / "eocic")
    mem.update(worker=p.worker_with_kernel, worker_alone=p.worker, kernel=p.kernel, tree=p.tree)
    note("eocic run --force (warm kernels)", t["run_warm"])
    t["book_parallel"] = sh([*book, "--force", "--jobs", str(cores)], env)
    note(f"eocic book {' '.join(books)} --force --jobs {cores}", t["book_parallel"])
    # T3: warm no-op
    t["noop"] = sh(run, env) + sh(book, env)
    note("no-op: eocic run + eocic book", t["noop"])
    # T4: one region's parameters edited, until its edition is rebuilt
    edited = regions[-1]
    region_run = [*eocic, "run", edited, "--quiet", "--jobs", str(cores)]
    edit_parameters(root, edited)
    t["edit"] = sh(region_run, env) + sh([*eocic, "book", edited], env)
    note(f"after editing {edited}/parameters.yaml: eocic run {edited} + eocic book {edited}",
         t["edit"])
    edit_parameters(root, edited)
    t["edit_study"] = sh(run, env) + sh([*eocic, "book", edited], env)
    note(f"after editing {edited}/parameters.yaml: eocic run + eocic book {edited}",
         t["edit_study"])

    # T6, T7: the whole EU, from an empty build
    if not args.skip_eu:
        env_eu = dict(base_env, EOCIC_BUILD=str(work / "eu"))
        p = sh_mem([*eocic, "run", "--all-nuts2", "--quiet", "--jobs", str(cores)], env_eu)
        t["eu_run"], mem["eu_tree"] = p.seconds, p.tree
        note("eocic run --all-nuts2", t["eu_run"])
        t["eu_book"] = sh([*eocic, "book", "--all-nuts2"], env_eu)
        note("eocic book --all-nuts2", t["eu_book"])
        t["eu_worker"], eu_tasks = worker_seconds(work / "eu")
        site = work / "eu" / "site"
        sizes["eu_site"] = tree_bytes(site)
        sizes["eu_site_files"] = sum(1 for f in site.rglob("*") if f.is_file())
        from eocic_helpers.core.regions import all_nuts2_regions

        n_eu = len(all_nuts2_regions())

    warm_total = t["run_warm"] + t["book_parallel"]
    cold_total = t["run_isolate"] + t["book_serial"]
    rows: list[tuple[str, str, str, bool | None]] = []
    if "naive" in t:
        ratio = t["naive"] / t["run_warm"]
        rows.append(("T1 naive loop / eocic run --force", f"{ratio:.1f}x", ">= 12x",
                     ratio >= 12))
        rows.append(("   the earlier target", f"{ratio:.1f}x", ">= 8x", ratio >= 8))
        rows.append(("   naive loop / eocic run --force",
                     f"{t['naive']:.0f} / {t['run_warm']:.1f} s", "", None))
        rows.append(("   naive loop per execution", f"{t['naive'] / n_tasks:.2f} s", "", None))
    rows.append(("   worker seconds per warm execution",
                 f"{t['run_warm_worker'] / max(warm_tasks, 1):.2f} s", "", None))
    share = warm_total / cold_total
    rows.append(("T2 warm run + parallel books / isolate run + serial books",
                 f"{100 * share:.0f} %", "<= 40 %", share <= 0.40))
    rows.append(("T3 no-op run + book", f"{t['noop']:.2f} s", "<= 1.0 s", t["noop"] <= 1.0))
    rows.append(("   the earlier target", f"{t['noop']:.2f} s", "<= 1.5 s", t["noop"] <= 1.5))
    rows.append(("T4 one region's parameters edited, edition rebuilt", f"{t['edit']:.1f} s",
                 "<= 10 s", t["edit"] <= 10))
    rows.append(("   the same through the whole study's eocic run", f"{t['edit_study']:.1f} s",
                 "", None))
    rows.append(("T5 peak RSS of a worker with its kernel", mib(mem["worker"]), "< 1 GiB",
                 mem["worker"] < 2**30))
    rows.append(("   peak RSS of the whole run", mib(mem["tree"]), "", None))
    rows.append(("   run --force: warm / isolated kernels",
                 f"{t['run_warm']:.1f} / {t['run_isolate']:.1f} s", "", None))
    rows.append(("   books --force: parallel / serial",
                 f"{t['book_parallel']:.1f} / {t['book_serial']:.1f} s", "", None))
    if "eu_run" in t:
        eu_total = t["eu_run"] + t["eu_book"]
        rows.append((f"T6 whole EU ({n_eu} regions): run + atlas HTML",
                     f"{eu_total / 60:.1f} min", "<= 5 min", eu_total <= 5 * 60))
        rows.append(("   the earlier target", f"{eu_total / 60:.1f} min", "<= 15 min",
                     eu_total <= 15 * 60))
        rows.append(("   run / atlas HTML", f"{t['eu_run']:.0f} / {t['eu_book']:.0f} s", "", None))
        rows.append(("   per region (run + HTML)", f"{eu_total / n_eu:.2f} s", "", None))
        rows.append(("   worker seconds per atlas execution",
                     f"{t['eu_worker'] / max(eu_tasks, 1):.2f} s", "", None))
        rows.append(("T7 peak RSS of the whole EU run", mib(mem["eu_tree"]), "< 2 GiB",
                     mem["eu_tree"] < 2 * 2**30))
        rows.append(("T8 the whole EU's site (atlas + landing page)",
                     f"{sizes['eu_site'] / 1e6:.1f} MB", "<= 40 MB", sizes["eu_site"] <= 40e6))
        rows.append(("   files in it", f"{sizes['eu_site_files']}", "", None))

    print()
    print(f"machine: {platform.platform()}, {cores} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    width = max(len(r[0]) for r in rows)
    print(f"{'target':{width}}  {'measured':>14}  {'goal':>8}  met")
    for what, value, goal, met in rows:
        flag = "" if met is None else ("met" if met else "NOT MET")
        print(f"{what:{width}}  {value:>14}  {goal:>8}  {flag}")
    print("worker seconds per warm execution, by notebook (mean x tasks):")
    for nb, (mean, count) in per_notebook.items():
        print(f"  {nb:{width}}  {mean:>6.2f} s x {count}")
    if args.quick:
        print("(--quick: 2 regions and no naive loop; the targets are for the full bench)")
    out = Path(os.environ.get("EOCIC_BUILD") or ROOT / "build")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(
        {"seconds": t, "memory_bytes": mem, "site_bytes": sizes, "tasks": n_tasks,
         "warm_worker_seconds_by_notebook": {nb: {"mean": m, "tasks": n}
                                             for nb, (m, n) in per_notebook.items()},
         "cores": cores, "pdf": pdf,
         "regions": regions, "quick": args.quick,
         "targets": [{"what": r[0].strip(), "value": r[1], "goal": r[2], "met": r[3]}
                     for r in rows]}, indent=2) + "\n")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
