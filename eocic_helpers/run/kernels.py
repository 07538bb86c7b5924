"""Warm kernels: one kept Jupyter kernel per worker, reset to a clean state before each notebook.

papermill still executes every notebook (it injects the parameters, runs the cells and
writes the executed notebook); it is only handed an already started kernel and that kernel's
kept client (engine :data:`ENGINE`), so the imports of pandas, matplotlib, seaborn, scipy and
``eocic_helpers`` are paid once per kernel, not once per notebook.

Before every notebook :func:`kernel_reset` brings the kernel back to the baseline taken right
after its start-up: user namespace and execution counter, matplotlib's figures, ``rcParams``
and unit converters, working directory, ``os.environ``, ``sys.path``, warning filters, numpy's
floating-point error handling and pandas' options. The global random states are re-seeded from
fresh entropy, so a notebook never inherits another's seed. The notebook's staging folder is
set in the kernel's own ``os.environ`` (``EOCIC_OUTPUT_DIR``), never in the worker's, so that
concurrent tasks of one process (Dask threads) cannot see each other's folder.

A kernel is replaced after a failed or timed-out notebook, when it died, after
``recycle_after`` notebooks, and after every notebook with ``isolate``. It exits by itself
within a second when its worker dies (ipykernel polls ``JPY_PARENT_PID``); workers end their
kernels on SIGTERM and on normal exit.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import os
import queue
import random
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eocic_helpers.core import paths
from eocic_helpers.core.digest import module_closure, module_name, notebook_code
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.core.pipeline import declared_notebooks
from eocic_helpers.outputs.fragments import OUTPUT_ENV

KERNEL = "python3"
#: papermill engine name registered by :func:`_register_engine`.
ENGINE = "eocic-kept-kernel"
#: The libraries the study's notebooks work with, through the package (see :func:`warm_modules`).
LIBRARIES: tuple[str, ...] = (
    "numpy", "pandas", "scipy.stats", "matplotlib.pyplot", "seaborn", "myst_nb.ext.glue")


def warm_modules(notebooks: Path) -> list[str]:
    """What a kernel imports when it starts, so that notebooks find it loaded: the
    :data:`LIBRARIES`, then every package module the code of the notebooks declared in
    ``notebooks/pipeline.yaml`` can load (:func:`eocic_helpers.core.digest.module_closure`)."""
    try:
        code = "\n".join(notebook_code(notebooks / f"{name}.ipynb")
                         for name in declared_notebooks(notebooks))
    except (ConfigError, OSError, ValueError):  # a notebook reports its own problem
        return list(LIBRARIES)
    return [*LIBRARIES, *(module_name(f) for f in module_closure(code))]


@dataclass(frozen=True)
class KernelOptions:
    """How a worker runs its notebooks."""

    #: one fresh kernel per notebook (no reuse)
    isolate: bool = False
    #: replace a kept kernel after this many notebooks
    recycle_after: int = 200
    #: seconds a cell may run before the notebook fails and its kernel is replaced (None: no limit)
    cell_timeout: float | None = None
    #: seconds to wait for a kernel to start
    start_timeout: float = 120.0


class KernelError(RuntimeError):
    """A kernel could not be started or reset."""


# -- inside the kernel ------------------------------------------------------------------------

_BASELINE: dict[str, Any] = {}


def kernel_setup() -> None:
    """Run once inside a new kernel: import what the notebooks use (:func:`warm_modules`),
    record the baseline state that :func:`kernel_reset` restores before each notebook, and
    leave the objects of that baseline out of the collections of IPython's reset and of the
    notebooks (``gc.freeze``; docs/performance.md)."""
    for name in warm_modules(paths.NOTEBOOKS):
        # a warm-up only: a notebook reports a missing module itself
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    import matplotlib
    import matplotlib.units
    import numpy as np
    import pandas as pd

    _BASELINE.update(
        cwd=os.getcwd(),
        environ=dict(os.environ),
        path=list(sys.path),
        warnings=list(warnings.filters),
        rc=matplotlib.rcParams.copy(),
        units=dict(matplotlib.units.registry),
        np_err=np.geterr(),
    )
    del pd  # imported so that reset_option has something to reset
    gc.collect()
    gc.freeze()


def kernel_reset(output_dir: str) -> None:
    """Run inside a kept kernel before each notebook: bring it back to its baseline."""
    import matplotlib
    import matplotlib.pyplot as plt
    import matplotlib.units
    import numpy as np
    import pandas as pd
    from IPython import get_ipython

    if not _BASELINE:
        raise KernelError("kernel_reset before kernel_setup")
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=False)
        shell.execution_count = 1
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(_BASELINE["rc"])
        pd.reset_option("all")
    matplotlib.units.registry.clear()
    matplotlib.units.registry.update(_BASELINE["units"])
    os.chdir(_BASELINE["cwd"])
    os.environ.clear()
    os.environ.update(_BASELINE["environ"])
    os.environ[OUTPUT_ENV] = output_dir
    sys.path[:] = _BASELINE["path"]
    warnings.filters[:] = _BASELINE["warnings"]
    if hasattr(warnings, "_filters_mutated"):
        warnings._filters_mutated()
    np.seterr(**_BASELINE["np_err"])
    random.seed()
    np.random.seed()


# -- in the worker ----------------------------------------------------------------------------

def _register_engine() -> None:
    """Register :data:`ENGINE`: papermill's nbclient engine, handed the kept kernel's client
    (``kc``) instead of opening one per notebook (docs/performance.md)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    if ENGINE in papermill_engines._engines:
        return

    class KeptKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, start_timeout=60,
                                     execution_timeout=None, km=None, kc=None, **_):
            # On a cell timeout raise at once; the kernel is then killed and replaced, never
            # interrupted and reused.
            client = PapermillNotebookClient(
                nb_man, km=km, kernel_name=kernel_name, log=logger, log_output=log_output,
                startup_timeout=start_timeout, timeout=execution_timeout,
                interrupt_on_timeout=False)
            client.kc = kc  # nbclient opens a client of its own only when it has none
            return client.execute()

    papermill_engines.register(ENGINE, KeptKernelEngine)


def _wait(result: Any) -> Any:
    """The value of a coroutine of the kernel's asynchronous manager or client, awaited on this
    thread's event loop (the one nbclient uses)."""
    from jupyter_core.utils import run_sync

    async def inner() -> Any:
        return await result

    return run_sync(inner)()


SETUP_CODE = "__import__('eocic_helpers.run.kernels', fromlist=['_']).kernel_setup()"


class WarmKernel:
    """One kept kernel, its one client and the number of notebooks it ran.

    The manager is an ``AsyncKernelManager``, as nbclient's own, and so is the client (shell
    and IOPub channels), so that nbclient notices cell timeouts and dead kernels as usual; the
    client serves the setup, each reset and every notebook, for the kernel's whole life.
    Creating a kernel only launches it and sends its setup; :meth:`ensure_ready` waits for the
    setup to finish, so a worker can do other work (import papermill) while its kernel imports
    pandas and matplotlib.
    """

    def __init__(self, cwd: Path, options: KernelOptions) -> None:
        from jupyter_client import AsyncKernelManager

        self.options = options
        self.tasks = 0
        self.km = AsyncKernelManager(kernel_name=KERNEL)
        self.km.shutdown_wait_time = 2.0
        env = {k: v for k, v in os.environ.items() if k != OUTPUT_ENV}
        # No IPython history: kernels running side by side would share one SQLite file, and
        # the "Session/line number was not unique" error it prints lands in a notebook's output.
        _wait(self.km.start_kernel(cwd=str(cwd), env=env,
                                   extra_arguments=["--HistoryManager.enabled=False"]))
        self.kc = self.km.client()
        self._setup: str | None = None
        try:
            self.kc.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
            self._setup = self.kc.execute(SETUP_CODE, store_history=False, allow_stdin=False)
        except BaseException:
            self.shutdown()
            raise

    def _reply(self, msg_id: str, timeout: float) -> None:
        """Wait for the shell reply to ``msg_id``; raise :class:`KernelError` on an error, a
        dead kernel or no reply within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KernelError(f"the kernel did not answer within {timeout:.0f} s")
            try:
                msg = _wait(self.kc.get_shell_msg(timeout=min(remaining, 1.0)))
            except queue.Empty:
                if not self.alive():
                    raise KernelError("the kernel died") from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            content = msg["content"]
            if content.get("status") != "ok":
                raise KernelError(f"{content.get('ename', 'error')}: {content.get('evalue', '')}")
            return

    def ensure_ready(self) -> None:
        """Wait for the kernel's setup (imports, baseline) to finish, then check that the
        client's IOPub channel is connected, as nbclient does for each client it opens."""
        if self._setup is None:
            return
        msg_id, self._setup = self._setup, None
        self._reply(msg_id, self.options.start_timeout)
        _wait(self.kc.wait_for_ready(timeout=self.options.start_timeout))

    @property
    def pid(self) -> int | None:
        """Process id of the kernel (None once it is gone)."""
        prov = getattr(self.km, "provisioner", None)
        proc = getattr(prov, "process", None)
        return getattr(proc, "pid", None)

    def alive(self) -> bool:
        try:
            return bool(_wait(self.km.is_alive()))
        except Exception:
            return False

    def reset(self, output_dir: Path) -> None:
        """Run :func:`kernel_reset` in the kernel; raise :class:`KernelError` if it fails."""
        code = f"__import__('eocic_helpers.run.kernels', fromlist=['_']).kernel_reset({str(output_dir)!r})"
        self._reply(self.kc.execute(code, store_history=False, allow_stdin=False), 60.0)

    def shutdown(self) -> None:
        """End the kernel at once: it has nothing to save (no history; papermill has written
        the notebook)."""
        self._setup = None
        with contextlib.suppress(Exception):
            self.kc.stop_channels()
        try:
            _wait(self.km.shutdown_kernel(now=True))
        except Exception:
            self.kill()

    def kill(self) -> None:
        """Kill the kernel process at once (safe inside a signal handler)."""
        pid = self.pid
        if pid:
            try:
                os.killpg(os.getpgid(pid), signal.SIGKILL)
            except (OSError, ProcessLookupError):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError, TypeError):
            os.remove(self.km.connection_file)


class KernelPool:
    """The kept kernels of one process: one per concurrent task (one in a pool worker; as many
    as a Dask worker has threads). Thread-safe."""

    def __init__(self, options: KernelOptions) -> None:
        self.options = options
        self._lock = threading.Lock()
        self._idle: list[WarmKernel] = []
        self._busy: set[WarmKernel] = set()
        self.started = 0

    def prestart(self, cwd: Path) -> None:
        """Launch a kernel now and let it run its setup (imports) while the worker does other
        work, e.g. importing papermill; the first task waits for it to be ready."""
        try:
            kernel = WarmKernel(cwd, self.options)
        except Exception:  # the first task starts one itself and reports the error
            return
        with self._lock:
            self.started += 1
            self._idle.append(kernel)

    def _checkout(self, cwd: Path) -> WarmKernel:
        kernel = None
        with self._lock:
            while self._idle:
                candidate = self._idle.pop()
                if candidate.alive():
                    kernel = candidate
                    break
                candidate.shutdown()
            if kernel is not None:
                self._busy.add(kernel)
        if kernel is None:
            kernel = WarmKernel(cwd, self.options)
            with self._lock:
                self.started += 1
                self._busy.add(kernel)
        try:
            kernel.ensure_ready()
        except BaseException:
            self._checkin(kernel, keep=False)
            raise
        return kernel

    def _checkin(self, kernel: WarmKernel, keep: bool) -> None:
        with self._lock:
            self._busy.discard(kernel)
            if keep:
                self._idle.append(kernel)
                return
        kernel.shutdown()

    def execute(self, notebook_path: str, out_nb: Path, parameters: dict[str, Any], cwd: Path
                ) -> None:
        """Execute one notebook in a kept kernel with papermill (raises papermill's errors).

        The staging folder handed to the notebook is ``out_nb``'s folder.
        """
        import papermill as pm

        _register_engine()
        for attempt in (1, 2):
            kernel = self._checkout(cwd)
            try:
                kernel.reset(out_nb.parent)
                break
            except BaseException as exc:
                self._checkin(kernel, keep=False)
                # A kept kernel that died since its last notebook is replaced once; a fresh
                # kernel that cannot be reset is reported.
                if attempt == 2 or not kernel.tasks or not isinstance(exc, KernelError):
                    raise
        keep = False
        try:
            pm.execute_notebook(
                notebook_path, str(out_nb), parameters=parameters, km=kernel.km, kc=kernel.kc,
                engine_name=ENGINE, kernel_name=KERNEL, progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, autosave_cell_every=0,
                start_timeout=self.options.start_timeout,
                execution_timeout=self.options.cell_timeout,
            )
            kernel.tasks += 1
            keep = (not self.options.isolate and kernel.tasks < self.options.recycle_after
                    and kernel.alive())
        finally:
            self._checkin(kernel, keep)

    def shutdown(self) -> None:
        """Shut every kernel down (:meth:`WarmKernel.shutdown`; busy ones are killed)."""
        with self._lock:
            idle, busy = list(self._idle), list(self._busy)
            self._idle.clear()
            self._busy.clear()
        for kernel in idle:
            kernel.shutdown()
        for kernel in busy:
            kernel.kill()

    def kill(self) -> None:
        """Kill every kernel at once, without locks (for signal handlers)."""
        for kernel in [*self._idle, *self._busy]:
            kernel.kill()


_POOL: KernelPool | None = None
_POOL_LOCK = threading.Lock()


def process_pool(options: KernelOptions) -> KernelPool:
    """This process's kernel pool (created on first use; replaced if the options change)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL.options != options:
            old, _POOL = _POOL, KernelPool(options)
            if old is not None:
                old.shutdown()
        return _POOL


def shutdown_process_pool() -> None:
    """Shut down this process's kernels (at worker exit, or at the end of a Dask run)."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown()


# -- worker process guards --------------------------------------------------------------------

PR_SET_PDEATHSIG = 1


def _set_parent_death_signal(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies (prctl)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except Exception:
        return False


def _die(signum: int, _frame: Any) -> None:
    """Signal handler of a worker: kill its kernels, exit now."""
    if _POOL is not None:
        _POOL.kill()
    os._exit(128 + signum)


def guard_worker(parent_pid: int) -> None:
    """Make this worker process end, with its kernels, when its parent dies or asks it to.

    SIGINT is ignored (the parent decides; a Ctrl-C reaches the whole process group), SIGTERM
    kills the kernels and exits, the parent's death sends SIGTERM (Linux), and a watchdog
    thread checks the parent every half second elsewhere.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _die)
    _set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent_pid:  # the parent died before the prctl
        _die(signal.SIGTERM, None)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                _die(signal.SIGTERM, None)

    threading.Thread(target=watch, daemon=True, name="eocic-parent-watchdog").start()
