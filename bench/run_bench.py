"""Speed figures of `eocic run` + the books against a naive loop and a floor.

Prints one table (not a timed test):
  (a) naive: the papermill CLI once per notebook, sequentially, then the HTML books;
  (b) `eocic run` plus the books, cold (empty build folder);
  (c) the same, warm, with nothing changed;
  (d) after editing one region's input (a parameters.yaml for one region);
  (e) floor: an empty notebook's kernel round trip x notebooks / cores, plus the book build.
Books are HTML only here, so the figures do not depend on TeX.

Usage: .venv/bin/python bench/run_bench.py [--regions N] [--skip-naive]
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


def note(key: str, seconds: float) -> None:
    print(f"  measured ({key}) {seconds:.1f} s", flush=True)


def sh(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def model_timings() -> dict[str, float]:
    """Seconds of the two vectorised models (best of 3)."""
    sys.path.insert(0, str(ROOT))
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
            best(lambda: composite.monte_carlo(snap, focus, replications=1000)),
        "costs: Monte Carlo 10^5 draws + Sobol' indices (goal < 2 s)":
            best(lambda: (costs.monte_carlo(values, n=100_000), costs.sobol(values))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=10, help="how many pilot regions")
    parser.add_argument("--skip-naive", action="store_true", help="skip (a), the slowest")
    parser.add_argument("--models-only", action="store_true", help="only the model timings")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    models = model_timings()
    for name, seconds in models.items():
        print(f"model  {seconds:6.3f} s  {name}")
    if args.models_only:
        return
    from eocic_helpers.core.regions import load_regions
    from eocic_helpers.run.params import discover

    regions = [r.id for r in load_regions()][: args.regions]
    notebooks = list(discover())
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="eocic-bench-"))
    eocic = [str(BIN / "eocic")]
    results: dict[str, float] = {}

    # (a) naive
    if not args.skip_naive:
        env = dict(os.environ, EOCIC_BUILD=str(work / "naive"))
        start = time.perf_counter()
        for region in regions:
            for nb in notebooks:
                out = work / "naive" / "runs" / region
                out.mkdir(parents=True, exist_ok=True)
                sh([str(BIN / "papermill"), str(ROOT / "notebooks" / f"{nb}.ipynb"),
                    str(out / f"{nb}.ipynb"), "-p", "region", region, "--cwd",
                    str(ROOT / "notebooks")], dict(env, EOCIC_OUTPUT_DIR=str(out)))
        sh([*eocic, "book", *regions, "--no-pdf"], env)
        results["a"] = time.perf_counter() - start
        note("a", results["a"])

    env = dict(os.environ, EOCIC_BUILD=str(work / "eocic"))
    # (b) cold
    t_run = sh([*eocic, "run", *regions, "--quiet", "--jobs", str(cores)], env)
    t_book = sh([*eocic, "book", *regions, "--no-pdf"], env)
    results["b"] = t_run + t_book
    note("b", results["b"])
    # (c) warm
    results["c"] = sh([*eocic, "run", *regions, "--quiet"], env) + sh(
        [*eocic, "book", *regions, "--no-pdf"], env)
    # (d) one region's input edited
    edited = ROOT / "data" / "regions" / regions[-1] / "parameters.yaml"
    existed = edited.exists()
    backup = edited.read_text() if existed else None
    edited.parent.mkdir(parents=True, exist_ok=True)
    edited.write_text("# bench: one region's input edited\nn_smes: 60\n")
    try:
        results["d"] = sh([*eocic, "run", *regions, "--quiet"], env) + sh(
            [*eocic, "book", *regions, "--no-pdf"], env)
    finally:
        if existed:
            edited.write_text(backup or "")
        else:
            edited.unlink()
    # (e) floor: empty kernel round trip in-process, x notebooks / cores, plus the books
    import nbformat
    import papermill as pm

    empty = work / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), empty)
    pm.execute_notebook(str(empty), str(work / "warmup.ipynb"), progress_bar=False,
                        kernel_name="python3")
    start = time.perf_counter()
    for _ in range(3):
        pm.execute_notebook(str(empty), str(work / "empty-out.ipynb"), progress_bar=False,
                            kernel_name="python3")
    round_trip = (time.perf_counter() - start) / 3
    n_tasks = len(regions) * len(notebooks)
    results["e"] = round_trip * n_tasks / cores + t_book

    rows = [("a", "naive: papermill CLI per notebook, sequential, + books"),
            ("b", "eocic run + books, cold"), ("c", "eocic run + books, warm (no change)"),
            ("d", "after editing one region's input"), ("e", "floor: kernel round trip x "
                                                          "notebooks / cores + books")]
    print(f"machine: {platform.platform()}, {cores} cores, Python {platform.python_version()}")
    print(f"{len(regions)} regions x {len(notebooks)} notebooks = {n_tasks} executions; "
          f"kernel round trip {round_trip:.2f} s; book build (HTML) {t_book:.1f} s")
    print(f"{'case':5} {'seconds':>8}  what")
    for key, what in rows:
        if key in results:
            print(f"{key:5} {results[key]:8.1f}  {what}")
    if "a" in results:
        print(f"a/b = {results['a'] / results['b']:.2f} (goal >= 3)")
    print(f"b/e = {results['b'] / results['e']:.2f} (goal <= 1.3)")
    print(f"c   = {results['c']:.2f} s (goal <= 3 s)")
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "bench.json").write_text(json.dumps(
        {"results": results, "round_trip": round_trip, "book_seconds": t_book,
         "tasks": n_tasks, "cores": cores}, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
