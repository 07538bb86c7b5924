"""Run a command and sample the resident memory of its process tree (psutil, every 0.5 s).

Reports the wall time, the peak of the whole tree, and the peak of each worker counted with
its kernel (a worker process of ``eocic run`` plus the Jupyter kernel it started).

Usage: .venv/bin/python bench/procmem.py -- CMD [ARG..]
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import psutil


@dataclass
class Peaks:
    """Wall time and peak resident set sizes (bytes) of a command's process tree."""

    seconds: float = 0.0
    returncode: int = 0
    tree: int = 0
    #: peak of one worker plus its children (its kernel), the largest over all workers
    worker_with_kernel: int = 0
    #: peak of a worker process alone, and of a kernel process alone
    worker: int = 0
    kernel: int = 0
    samples: int = 0
    stdout: str = ""
    stderr: str = field(default="", repr=False)


def _rss(p: psutil.Process) -> int:
    try:
        return p.memory_info().rss
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0


def _is_kernel(p: psutil.Process) -> bool:
    try:
        return "ipykernel_launcher" in " ".join(p.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def measure(cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None,
            interval: float = 0.5) -> Peaks:
    """Run ``cmd`` to the end, sampling memory; return the peaks."""
    peaks = Peaks()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            try:
                children = root.children(recursive=False)
            except psutil.NoSuchProcess:
                break
            total = _rss(root)
            for child in children:
                own = _rss(child)
                try:
                    grand = child.children(recursive=True)
                except psutil.NoSuchProcess:
                    grand = []
                sub = sum(_rss(g) for g in grand)
                total += own + sub
                if _is_kernel(child):
                    peaks.kernel = max(peaks.kernel, own)
                else:
                    peaks.worker = max(peaks.worker, own)
                    peaks.worker_with_kernel = max(peaks.worker_with_kernel, own + sub)
                for g in grand:
                    if _is_kernel(g):
                        peaks.kernel = max(peaks.kernel, _rss(g))
            peaks.tree = max(peaks.tree, total)
            peaks.samples += 1
            done.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    done.set()
    thread.join()
    peaks.seconds = time.perf_counter() - start
    peaks.returncode = proc.returncode
    peaks.stdout, peaks.stderr = out, err
    return peaks


def mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB"


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    p = measure(args)
    sys.stdout.write(p.stdout[-3000:])
    sys.stderr.write(p.stderr[-3000:])
    print(json.dumps({"seconds": round(p.seconds, 1), "returncode": p.returncode,
                      "tree_mib": round(p.tree / 2**20), "worker_with_kernel_mib":
                      round(p.worker_with_kernel / 2**20), "worker_mib": round(p.worker / 2**20),
                      "kernel_mib": round(p.kernel / 2**20), "samples": p.samples}))
    sys.exit(p.returncode)
