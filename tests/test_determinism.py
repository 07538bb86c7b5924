"""Outputs are byte-identical under any PYTHONHASHSEED (set iteration must not leak into them)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import E2E_HASHSEED, EOCIC, ROOT, run_outputs

pytestmark = pytest.mark.slow
REGION = "centre-val-de-loire"
OTHER_SEED = "12345"


def test_outputs_do_not_depend_on_the_hash_seed(tmp_path: Path, e2e_outputs: dict[str, bytes]):
    # The session's shared run (e2e_build) ran every notebook of the region under
    # PYTHONHASHSEED=E2E_HASHSEED; this one runs them all under another seed.
    assert OTHER_SEED != E2E_HASHSEED
    env = {**os.environ, "EOCIC_BUILD": str(tmp_path / "b"), "PYTHONHASHSEED": OTHER_SEED}
    proc = subprocess.run([*EOCIC, "run", REGION, "--quiet"], capture_output=True, text=True,
                          env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    a, b = e2e_outputs, run_outputs(tmp_path / "b" / "runs" / REGION)
    assert "tables/claims_composite.csv" in a and "figures/figure6_strategy_map.svg" in a
    assert sorted(a) == sorted(b)
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, f"differ between PYTHONHASHSEED={E2E_HASHSEED} and {OTHER_SEED}: {differ}"
