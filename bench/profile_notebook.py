"""Where a warm execution's time goes: run notebooks' code cells in this process, as a warm
kernel does, without papermill, and print the CPU seconds of each (best of ``--reps`` after
one warm-up run per region), or a cProfile of one warm run with ``--profile``.

    .venv/bin/python bench/profile_notebook.py indicators industrial_change \
        --regions centre-val-de-loire saxony [--reps 3] [--profile] [--build DIR]

The build (``--build``, default ``$EOCIC_BUILD`` or ``build/``) must hold the EU-wide step
(``eocic run`` has made it). Outputs go to a scratch folder, never into the build. CPU seconds
(``time.process_time``) depend much less on other work sharing the machine than the wall
clock does: use them to compare two versions of the code.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def code_cells(notebook: Path) -> tuple[str, list[str]]:
    """The notebook's parameters cell and the code cells after it (IPython magics dropped)."""
    import nbformat

    cells = [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
    first = next(k for k, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    sources = ["\n".join(line for line in c.source.splitlines()
                         if not line.lstrip().startswith("%")) for c in cells[first:]]
    return sources[0], sources[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--regions", nargs="+", default=["centre-val-de-loire"])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one warm run")
    parser.add_argument("--build", type=Path, default=None)
    args = parser.parse_args()
    if args.build:
        os.environ["EOCIC_BUILD"] = str(args.build.resolve())
    os.environ["EOCIC_OUTPUT_DIR"] = tempfile.mkdtemp(prefix="eocic-profile-")
    os.chdir(ROOT / "notebooks")
    import matplotlib

    matplotlib.use("Agg")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    for name in args.notebooks:
        params, cells = code_cells(ROOT / "notebooks" / f"{name}.ipynb")
        compiled = [compile(src, name, "exec") for src in [params, *cells]]

        def run(region: str, compiled: list = compiled) -> None:
            ns = {"__name__": "__main__", "get_ipython": lambda: shell}
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compiled[0], ns)  # noqa: S102 - the project's own notebook
                ns["region"] = region
                for code in compiled[1:]:
                    exec(code, ns)  # noqa: S102

        seconds = []
        for region in args.regions:
            run(region)  # warm-up: the kernel's caches filled, as after its first notebook
            best = float("inf")
            for _ in range(args.reps):
                gc.collect()
                start = time.process_time()
                run(region)
                best = min(best, time.process_time() - start)
            seconds.append(best)
        print(f"{name:20} {sum(seconds) / len(seconds):6.3f} s CPU per warm execution "
              f"(best of {args.reps}, mean over {len(seconds)} regions)", flush=True)
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            run(args.regions[0])
            profile.disable()
            pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
