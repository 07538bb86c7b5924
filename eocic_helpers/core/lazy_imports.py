"""Imports deferred on purpose, in one place: :data:`DEFERRED_IMPORTS`, and a stand-in for one
slow optional import that every notebook tool pays for at start-up (:func:`install`).

Every other import is at the top of its module. An import waits inside its function only when
importing it at the top would load 5 ms or more (best of 5, measured on this project's
machine; the figures are in :data:`DEFERRED_IMPORTS`) on a path that never calls that function:

- ``eocic --help`` and refused arguments, which load the CLI module alone (about 45 ms);
- the planning parent of ``eocic run`` (a no-op run, ``--dry-run``, the preflights and
  parameter checks named in ``notebooks/pipeline.yaml``, which import ``analysis.content``,
  ``analysis.synthesis``, ``analysis.action_plan`` and ``analysis.cost_parameters``): no
  papermill, jupyter_client, matplotlib or figure code there;
- the book stage (``eocic book``, the Sphinx extensions): no pandas or matplotlib;
- :mod:`eocic_helpers.data.snapshot`, which every kernel and ``eocic data check`` import;

or where the order of imports is the point (:func:`run_jupyter_book`). ``tests/test_one_place.py``
fails on a function-level import this list does not name, and on an entry that names none.

The stand-in: nbformat (used by papermill, myst-nb and Jupyter Book to read and validate
notebooks) imports jsonschema, whose format checkers import ``rfc3987_syntax`` when it is
installed (it comes with ``jsonschema[format-nongpl]``, which the Jupyter server stack asks
for). That module compiles 38 lark grammars at import: about 0.8 s of every process that reads
a notebook (a worker, a kernel's first ``glue``, each Jupyter Book build), measured on this
project's machine, for a checker of the ``iri`` formats that the notebook schema never uses.
The upstream report is python-jsonschema/jsonschema#1428.

:func:`install` puts a stand-in module in ``sys.modules`` whose ``is_valid_syntax`` imports the
real module on its first call, so validation is unchanged; only the grammar compilation moves
to the first time an IRI is actually checked (never, here).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

MODULE = "rfc3987_syntax"

# -- the deferred imports -----------------------------------------------------------------------
# Reasons, with what importing at the top would add, best of 5 (cumulative, over what the path
# has already loaded).

_CLI = ("eocic --help and refused arguments load the CLI module alone (about 45 ms); each "
        "command imports what it runs")
_CLI_CF = "eocic --help and refused arguments: concurrent.futures (7 ms) serves `eocic book all` only"
_KERNEL = ("runs inside a notebook kernel, which has them loaded; run/ stays free of numpy, "
           "pandas and matplotlib (the runner's import is about 0.2 s)")
_WORKER = ("runs in a worker process that executes notebooks; the planning parent (a no-op "
           "`eocic run`, --dry-run) loads no papermill (1.6 s), jupyter_client (80 ms) or "
           "jupyter_core.utils (17 ms)")
_WORKER_MP = "runs in a worker process only; multiprocessing.util is 6 ms in the parent"
_DASK = "--executor dask only: distributed is 0.33 s"
_TQDM = "the progress bar: tqdm is 6 ms that --dry-run and refused runs do not draw"
_PSUTIL = ("psutil (10 ms) only for a stale staging folder or on an interrupt")
_FIGURE = ("a figure, drawn in a kernel; the module is imported by the `eocic run` parent for a "
           "preflight or parameter check (notebooks/pipeline.yaml), where matplotlib would add "
           "0.36 s, outputs.style (seaborn) 1.2 s, outputs.legibility 0.4 s")
_NETWORKX = "the strategy map in a kernel; networkx is 0.11 s on the runner's preflight"
_INDICATORS = "candidates, in a kernel; analysis.indicators adds 16 ms to the runner's preflight"
_IPYTHON = "display in a kernel; IPython.display adds 50 ms to the runner's preflight"
_PUBLICATION = ("a table for a kernel; outputs.publication (IPython) adds 53 ms to the runner's "
                "preflight")
_BOOK = ("the book stage only assembles: pandas (0.23 s) and outputs.publication (0.27 s) load "
         "only for the data pages of an edition being written, not for a no-op `eocic book`")
_DATA_PAGE = ("the page of an edition on fetched data (book/changes.py): pandas (0.23 s), the "
              "data layer (data.update, data.diff, data.snapshot: 0.45 s) and outputs.publication "
              "(0.27 s) load only when that page is written, never for an edition on the "
              "committed snapshot or a no-op `eocic book`")
_PUB_FIGURE = ("outputs.publication is imported by the book stage too (book/appendix.py): "
               "matplotlib (0.36 s), outputs.style (1.2 s) and outputs.legibility (0.4 s) load "
               "only when a kernel saves a figure")
_PUB_GLUE = ("outputs.publication is imported by the book stage too: myst_nb's glue (2.1 s with "
             "nbformat) loads only when a kernel glues a value")
_GEOPANDAS = ("data.snapshot (every kernel, `eocic data check`, the runner's snapshot check) "
              "imports data.maps: geopandas (64 ms) and shapely (12 ms) load only to build or "
              "draw a map")
_PYREADR = "pyreadr (48 ms) only to rebuild the snapshot from raw .rds files"
_ORDER = "the rfc3987_syntax stand-in must be in place before Jupyter Book imports nbformat"

#: Every import made inside a function of the package, as ``"module.function -> imported
#: module"``, with the reason it waits (see the module's docstring).
DEFERRED_IMPORTS: dict[str, str] = {
    # the command line
    "eocic_helpers.cli._book -> concurrent.futures": _CLI_CF,
    "eocic_helpers.cli._atlas -> eocic_helpers.book.atlas": _CLI + " (0.27 s)",
    "eocic_helpers.cli._atlas -> eocic_helpers.book.editions": _CLI + " (0.27 s)",
    "eocic_helpers.cli._atlas -> eocic_helpers.core.regions": _CLI + " (0.15 s)",
    "eocic_helpers.cli._book -> eocic_helpers.book.editions": _CLI + " (0.27 s)",
    "eocic_helpers.cli._book -> eocic_helpers.book.parallel": _CLI + " (0.16 s)",
    "eocic_helpers.cli._book -> eocic_helpers.core.regions": _CLI + " (0.15 s)",
    "eocic_helpers.cli._check_scheduler_address -> eocic_helpers.core.config": _CLI + " (89 ms)",
    "eocic_helpers.cli._cmd_book -> eocic_helpers.core.regions": _CLI + " (0.15 s)",
    "eocic_helpers.cli._cmd_data_check -> eocic_helpers.data.snapshot": _CLI + " (0.42 s)",
    "eocic_helpers.cli._cmd_data_diff -> eocic_helpers.analysis.vintages": _CLI + " (1.5 s: "
    "the indicators analysis, matplotlib and seaborn)",
    "eocic_helpers.cli._cmd_data_update -> eocic_helpers.data.update": _CLI + " (0.28 s)",
    "eocic_helpers.cli._cmd_data_update -> eocic_helpers.analysis.vintages": _CLI + " (1.5 s)",
    "eocic_helpers.cli._data_changes_report -> eocic_helpers.analysis.vintages":
        _CLI + "; the report (1.5 s to import) only for `eocic book` on fetched data",
    "eocic_helpers.cli._data_changes_report -> eocic_helpers.book.changes": _CLI + " (0.27 s)",
    "eocic_helpers.cli._cmd_data_fetch -> eocic_helpers.data.fetch": _CLI + " (0.5 s)",
    "eocic_helpers.cli._cmd_data_info -> eocic_helpers.data.snapshot": _CLI + " (0.42 s)",
    "eocic_helpers.cli._cmd_data_snapshot -> eocic_helpers.data.snapshot": _CLI + " (0.42 s)",
    "eocic_helpers.cli._cmd_notebooks -> eocic_helpers.core.pipeline": _CLI + " (0.15 s)",
    "eocic_helpers.cli._cmd_regions -> eocic_helpers.core.regions": _CLI + " (0.15 s)",
    "eocic_helpers.cli._preflight_declarations -> eocic_helpers.core.pipeline": _CLI + " (0.15 s)",
    "eocic_helpers.cli._preflight_declarations -> eocic_helpers.core.regions": _CLI + " (0.15 s)",
    "eocic_helpers.cli._preflight_declarations -> eocic_helpers.core.results": _CLI + " (0.1 s)",
    "eocic_helpers.cli._cmd_run -> eocic_helpers.core.regions": _CLI + " (0.15 s)",
    "eocic_helpers.cli._cmd_run -> eocic_helpers.run.params": _CLI + " (0.16 s)",
    "eocic_helpers.cli._cmd_run -> eocic_helpers.run.runner": _CLI + " (0.18 s)",
    "eocic_helpers.cli._cmd_scaffold -> eocic_helpers.analysis.scaffold": _CLI + " (0.45 s)",
    "eocic_helpers.cli._cmd_scaffold -> eocic_helpers.core.regions": _CLI + " (0.15 s)",
    "eocic_helpers.cli._preflight_data -> eocic_helpers.data.snapshot":
        _CLI + "; the snapshot (0.42 s) is checked only when a task that reads it will run",
    "eocic_helpers.cli._preflight_files -> eocic_helpers.core.config": _CLI + " (89 ms)",
    "eocic_helpers.cli._preflight_files -> eocic_helpers.core.regions": _CLI + " (0.15 s)",
    # the runner and its kernels
    "eocic_helpers.run.kernels.KernelPool.execute -> papermill": _WORKER,
    "eocic_helpers.run.kernels.WarmKernel.__init__ -> jupyter_client": _WORKER,
    "eocic_helpers.run.kernels.WarmKernel._client -> jupyter_client.blocking": _WORKER,
    "eocic_helpers.run.kernels._register_engine -> papermill.clientwrap": _WORKER,
    "eocic_helpers.run.kernels._register_engine -> papermill.engines": _WORKER,
    "eocic_helpers.run.kernels._register_engine -> papermill.log": _WORKER,
    "eocic_helpers.run.kernels._register_engine -> papermill.utils": _WORKER,
    "eocic_helpers.run.kernels._wait -> jupyter_core.utils": _WORKER,
    "eocic_helpers.run.kernels.kernel_reset -> IPython": _KERNEL,
    "eocic_helpers.run.kernels.kernel_reset -> matplotlib": _KERNEL,
    "eocic_helpers.run.kernels.kernel_reset -> matplotlib.pyplot": _KERNEL,
    "eocic_helpers.run.kernels.kernel_reset -> matplotlib.units": _KERNEL,
    "eocic_helpers.run.kernels.kernel_reset -> numpy": _KERNEL,
    "eocic_helpers.run.kernels.kernel_reset -> pandas": _KERNEL,
    "eocic_helpers.run.kernels.kernel_setup -> matplotlib": _KERNEL,
    "eocic_helpers.run.kernels.kernel_setup -> matplotlib.units": _KERNEL,
    "eocic_helpers.run.kernels.kernel_setup -> numpy": _KERNEL,
    "eocic_helpers.run.kernels.kernel_setup -> pandas": _KERNEL,
    "eocic_helpers.run.runner._owner_alive -> psutil": _PSUTIL,
    "eocic_helpers.run.runner._run_dask -> distributed": _DASK,
    "eocic_helpers.run.runner._run_dask -> tqdm": _TQDM,
    "eocic_helpers.run.runner._stop_workers -> psutil": _PSUTIL,
    "eocic_helpers.run.runner._worker_init -> multiprocessing.util": _WORKER_MP,
    "eocic_helpers.run.runner._worker_init -> papermill": _WORKER,
    "eocic_helpers.run.runner.execute -> papermill": _WORKER,
    "eocic_helpers.run.runner.run -> tqdm": _TQDM,
    # the book stage
    "eocic_helpers.book.appendix.data_methods_md -> eocic_helpers.outputs.publication": _BOOK,
    "eocic_helpers.book.appendix.indicators_table -> eocic_helpers.data.snapshot": _BOOK,
    "eocic_helpers.book.appendix.indicators_table -> pandas": _BOOK,
    "eocic_helpers.book.appendix.raw_files_md -> eocic_helpers.outputs.publication": _BOOK,
    "eocic_helpers.book.appendix.sources_table -> pandas": _BOOK,
    "eocic_helpers.book.changes._declared -> eocic_helpers.data.snapshot": _DATA_PAGE,
    "eocic_helpers.book.changes._frame -> pandas": _DATA_PAGE,
    "eocic_helpers.book.changes.data_used -> eocic_helpers.data.update": _DATA_PAGE,
    "eocic_helpers.book.changes.on_fetched_data -> eocic_helpers.data.update": _DATA_PAGE,
    "eocic_helpers.book.changes.page_md -> eocic_helpers.data.diff": _DATA_PAGE,
    "eocic_helpers.book.changes.page_md -> eocic_helpers.outputs.publication": _DATA_PAGE,
    "eocic_helpers.book.changes.report -> eocic_helpers.data.diff": _DATA_PAGE,
    "eocic_helpers.book.editions._data_changes_files -> eocic_helpers.data.diff": _DATA_PAGE,
    "eocic_helpers.book.parallel._kill_builders -> psutil": _PSUTIL,
    "eocic_helpers.core.lazy_imports.run_jupyter_book -> jupyter_book.cli.main": _ORDER,
    # analysis modules the runner's parent imports (preflights and parameter checks)
    "eocic_helpers.analysis.action_plan.gantt_figure -> eocic_helpers.outputs.legibility": _FIGURE,
    "eocic_helpers.analysis.action_plan.gantt_figure -> eocic_helpers.outputs.style": _FIGURE,
    "eocic_helpers.analysis.action_plan.gantt_figure -> matplotlib.lines": _FIGURE,
    "eocic_helpers.analysis.action_plan.gantt_figure -> matplotlib.patches": _FIGURE,
    "eocic_helpers.analysis.action_plan.gantt_figure -> matplotlib.pyplot": _FIGURE,
    "eocic_helpers.analysis.content_render.list_table -> eocic_helpers.outputs.publication":
        _PUBLICATION,
    "eocic_helpers.analysis.content_render.show -> IPython.display": _IPYTHON,
    "eocic_helpers.analysis.synthesis._diagram -> eocic_helpers.outputs.style": _FIGURE,
    "eocic_helpers.analysis.synthesis._diagram -> matplotlib.pyplot": _FIGURE,
    "eocic_helpers.analysis.synthesis.candidates -> eocic_helpers.analysis.indicators": _INDICATORS,
    "eocic_helpers.analysis.synthesis.pest_figure -> eocic_helpers.outputs.legibility": _FIGURE,
    "eocic_helpers.analysis.synthesis.pest_figure -> eocic_helpers.outputs.style": _FIGURE,
    "eocic_helpers.analysis.synthesis.pest_figure -> matplotlib.patches": _FIGURE,
    "eocic_helpers.analysis.synthesis.pest_figure -> matplotlib.pyplot": _FIGURE,
    "eocic_helpers.analysis.synthesis.strategy_figure -> eocic_helpers.outputs.legibility": _FIGURE,
    "eocic_helpers.analysis.synthesis.strategy_figure -> eocic_helpers.outputs.style": _FIGURE,
    "eocic_helpers.analysis.synthesis.strategy_figure -> matplotlib.lines": _FIGURE,
    "eocic_helpers.analysis.synthesis.strategy_figure -> matplotlib.patches": _FIGURE,
    "eocic_helpers.analysis.synthesis.strategy_figure -> matplotlib.pyplot": _FIGURE,
    "eocic_helpers.analysis.synthesis.strategy_graph -> networkx": _NETWORKX,
    # outputs and data modules that light paths import
    "eocic_helpers.outputs.publication.Publication.figure -> matplotlib.pyplot": _PUB_FIGURE,
    "eocic_helpers.outputs.publication.Publication.glue -> myst_nb": _PUB_GLUE,
    "eocic_helpers.outputs.publication.open_publication -> eocic_helpers.outputs.style":
        _PUB_FIGURE,
    "eocic_helpers.outputs.publication.save_vector -> eocic_helpers.outputs.legibility":
        _PUB_FIGURE,
    "eocic_helpers.data.maps._load -> geopandas": _GEOPANDAS,
    "eocic_helpers.data.maps.build_map -> geopandas": _GEOPANDAS,
    "eocic_helpers.data.maps.build_map -> shapely": _GEOPANDAS,
    "eocic_helpers.data.snapshot._read_rds -> pyreadr": _PYREADR,
}


def _real() -> types.ModuleType:
    stub = sys.modules.pop(MODULE, None)
    try:
        return importlib.import_module(MODULE)
    except BaseException:
        if stub is not None:
            sys.modules[MODULE] = stub
        raise


def install() -> None:
    """Make ``import rfc3987_syntax`` cheap in this process (see the module's docstring)."""
    if MODULE in sys.modules or importlib.util.find_spec(MODULE) is None:
        return
    stub = types.ModuleType(MODULE, "Stand-in: the real module is imported on first use.")

    def is_valid_syntax(*args: Any, **kwargs: Any) -> Any:
        return _real().is_valid_syntax(*args, **kwargs)

    stub.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    sys.modules[MODULE] = stub


def run_jupyter_book(argv: list[str]) -> int:
    """The ``jupyter-book`` command, with :func:`install` applied first."""
    install()
    from jupyter_book.cli.main import main

    sys.argv = ["jupyter-book", *argv]
    try:
        main()
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


if __name__ == "__main__":  # python -m eocic_helpers.core.lazy_imports build ...
    sys.exit(run_jupyter_book(sys.argv[1:]))
