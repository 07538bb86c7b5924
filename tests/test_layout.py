"""The layout the README shows is the package's, and the lint covers the notebooks."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from conftest import ROOT

from eocic_helpers.core import paths


def _section(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_layout_shows_every_stage_package():
    layout = _section((ROOT / "README.md").read_text(), "Layout")
    for pkg in sorted(p.parent.name for p in paths.PACKAGE.glob("*/__init__.py")):
        assert re.search(rf"^\s+{pkg}/ ", layout, re.M), f"{pkg}/ missing from the README layout"


def test_readme_layout_names_every_analysis_module_and_the_declarations():
    """The layout names each module of analysis/ (the tree as it is) and both declarations."""
    layout = _section((ROOT / "README.md").read_text(), "Layout")
    modules = sorted(p.stem for p in (paths.PACKAGE / "analysis").glob("*.py")
                     if not p.stem.startswith("_"))
    assert modules
    assert [m for m in modules if not re.search(rf"\b{m}\b", layout)] == []
    for declaration in ("notebooks/pipeline.yaml", "notebooks/results.yaml"):
        assert declaration in layout


def test_readme_has_a_safety_section():
    safety = _section((ROOT / "README.md").read_text(), "Safety")
    for word in ("myst_text", "1 MB", "build/.lock", "--no-wait", "MANIFEST.json"):
        assert word in safety


def test_contributing_recipes_name_files_that_exist():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    for title in ("Add a figure", "Add a region's content",
                  "Add an indicator from a new Eurostat dataset", "Add a notebook (a chapter)",
                  "Add a kind of edition"):
        assert f"## {title}" in text
    # (every path CONTRIBUTING.md names exists: tests/test_docs.py)


def test_pre_commit_strips_outputs_and_runs_the_locked_ruff():
    hooks = {h["id"]: h for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
             ["repos"] for h in repo["hooks"]}
    assert "notebooks" in hooks["nbstripout"]["files"]
    locked = re.search(r"^ruff==(\S+)$", (ROOT / "requirements.lock").read_text(), re.M)[1]
    assert hooks["ruff"]["additional_dependencies"] == [f"ruff=={locked}"]
    assert "jupyter" in hooks["ruff"]["types_or"]


def test_ruff_lints_the_notebooks():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    assert "*.ipynb" in config["extend-include"]
    assert "notebooks" in (ROOT / "Makefile").read_text().split("\nlint:", 1)[1].split("\n\n")[0]
    proc = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "notebooks"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout
