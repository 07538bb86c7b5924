"""The bench's memory sampler (bench/procmem.py) measures a process tree (no timing asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import procmem  # noqa: E402

CHILD = ("import subprocess, sys, time; "
         "p = subprocess.Popen([sys.executable, '-c', "
         "'b = bytearray(300 * 2**20); import time; time.sleep(2)']); p.wait()")


def test_peak_memory_of_a_child_process_is_seen():
    peaks = procmem.measure([sys.executable, "-c", CHILD], interval=0.1)
    assert peaks.returncode == 0
    assert peaks.samples > 0
    assert peaks.worker_with_kernel >= 300 * 2**20  # the child counted with its own children
    assert peaks.tree >= peaks.worker_with_kernel
    assert procmem.mib(2**30) == "1024 MiB"
