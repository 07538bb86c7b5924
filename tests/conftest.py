"""Shared fixtures: an isolated build folder and one end-to-end run reused by the slow tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EOCIC = [sys.executable, "-m", "eocic_helpers.cli"]


def run_cli(*args: str, build: Path | None = None, check: bool = False
            ) -> subprocess.CompletedProcess[str]:
    """Run ``eocic`` in a subprocess, optionally against an isolated build folder."""
    env = dict(os.environ)
    if build is not None:
        env["EOCIC_BUILD"] = str(build)
    proc = subprocess.run([*EOCIC, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(f"eocic {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def e2e_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder where centre-val-de-loire has been run once (all notebooks)."""
    build = tmp_path_factory.mktemp("build")
    run_cli("run", "centre-val-de-loire", "--quiet", build=build, check=True)
    return build


@pytest.fixture(scope="session")
def all_pilots_build(e2e_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder of its own where every notebook ran for all ten pilot regions.

    It starts as a copy of ``e2e_build`` (so centre-val-de-loire is a cache hit), and tests that
    add editions to one folder never change what the other folder's tests see.
    """
    build = tmp_path_factory.mktemp("all-pilots") / "build"
    shutil.copytree(e2e_build, build, ignore=shutil.ignore_patterns("books", "site", "pdf", ".lock"))
    run_cli("run", "--quiet", build=build, check=True)
    return build
