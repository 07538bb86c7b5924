"""Outputs are byte-identical under any PYTHONHASHSEED (set iteration must not leak into them)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import EOCIC, ROOT

pytestmark = pytest.mark.slow
REGION = "centre-val-de-loire"
NOTEBOOKS = ["indicators", "industrial_change", "cost_benefit", "synthesis", "strategy"]


def _run(build: Path, hashseed: str) -> Path:
    env = {**os.environ, "EOCIC_BUILD": str(build), "PYTHONHASHSEED": hashseed}
    args = ["run", REGION, "--force", "--quiet", "--jobs", "1"]
    for nb in NOTEBOOKS:
        args += ["-n", nb]
    proc = subprocess.run([*EOCIC, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return build / "runs" / REGION


def _outputs(run: Path) -> dict[str, bytes]:
    files = [run / "results.json", *sorted((run / "tables").glob("*.csv")),
             *sorted((run / "figures").glob("*.csv")), *sorted((run / "figures").glob("*.svg"))]
    return {str(f.relative_to(run)): f.read_bytes() for f in files}


def test_outputs_do_not_depend_on_the_hash_seed(tmp_path: Path):
    a = _outputs(_run(tmp_path / "h0", "0"))
    b = _outputs(_run(tmp_path / "h12345", "12345"))
    assert "tables/claims_composite.csv" in a and "figures/figure6_strategy_map.svg" in a
    assert sorted(a) == sorted(b)
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, f"differ between PYTHONHASHSEED=0 and 12345: {differ}"
