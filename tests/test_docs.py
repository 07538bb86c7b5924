"""The documentation is true of the code: every file, `make` target and `eocic` command that
README.md, CONTRIBUTING.md and docs/*.md name exists in the tree as it is when the test runs.

What counts as named:

- a path: a word in code (a `code span` or a fenced block) or a Markdown link whose first
  folder is one of the project's (``data/``, ``eocic_helpers/``, ``tests/`` ...; a room of the
  package such as ``core/digest.py`` is read inside ``eocic_helpers/``), or a root ``*.md``.
  Paths under a git-ignored folder (``build/``, ``data/raw/``) are outputs, not files of the
  project. A placeholder (``<region>``, ``{region}``, ``...``) stands for any name: the folder
  before it must exist; a ``*`` glob must match a file.
- a test: ``test_x.py::test_name`` (or ``::test_name`` after one) must be defined there.
- a name in the package: ``eocic_helpers.core.config`` (a module) or
  ``eocic_helpers.outputs.escape.myst_text`` (a name the module defines).
- ``make <target>``: a target of the Makefile.
- ``eocic <command> [<subcommand>] [--option ...]``: the command line's parser has them.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest
from conftest import ROOT

from eocic_helpers.cli import build_parser

DOCS = ["README.md", "CONTRIBUTING.md",
        *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
#: A code span: a run of backticks, then text, then a run of the same length (CommonMark).
SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
PLACEHOLDER = re.compile(r"<[^>]*>|\{[^}]*\}|\.\.\.|…|^[A-Z]+$")


def _code(text: str) -> list[str]:
    """The text of every fenced block's line and every code span (a span may run over a line
    end, read as a space)."""
    blocks = re.findall(r"(?ms)^\s*```[^\n]*\n(.*?)^\s*```", text)
    rest = re.sub(r"(?ms)^\s*```[^\n]*\n.*?^\s*```", "", text)
    return ([line for block in blocks for line in block.splitlines()]
            + [" ".join(span.split()) for _, span in re.findall(SPAN, rest)])


def _ignored_dirs() -> list[str]:
    """The folders .gitignore names (outputs and downloads, not files of the project)."""
    lines = (ROOT / ".gitignore").read_text("utf-8").splitlines()
    return [ln.strip().rstrip("/") for ln in lines
            if ln.strip().endswith("/") and not set("*?[") & set(ln)]


def _top_dirs() -> set[str]:
    ignored = set(_ignored_dirs())
    return {p.name for p in ROOT.iterdir() if p.is_dir() and p.name not in ignored
            and p.name != ".git"}


def _rooms() -> set[str]:
    return {p.name for p in (ROOT / "eocic_helpers").iterdir()
            if p.is_dir() and not p.name.startswith("_")}


def _paths(text: str) -> set[str]:
    """The project paths a doc names (see the module's docstring)."""
    top, rooms = _top_dirs(), _rooms()
    words = {w.strip(".,;:()'\"").split("::")[0] for chunk in _code(text) for w in chunk.split()}
    words |= set(re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text))  # links, from the doc's folder
    named = set()
    for w in words:
        if re.fullmatch(r"[A-Z]+\.md", w):
            named.add(w)
        first = w.split("/")[0]
        if "/" in w and ".." not in w.split("/") and (first in top or first in rooms):
            named.add(w)
    return named


#: Files a command writes into a committed folder, named by the docs before they exist.
WRITTEN_BY_COMMANDS = {
    "data/snapshot/fetched.csv": "eocic data snapshot, when data/raw holds a download",
}


def _exists(path: str) -> bool:
    parts = path.rstrip("/").split("/")
    if any(path.rstrip("/") == d or path.startswith(d + "/") for d in _ignored_dirs()):
        return True  # an output or a download
    if path in WRITTEN_BY_COMMANDS:
        return (ROOT / path).parent.is_dir()
    base = ROOT if parts[0] in _top_dirs() or (ROOT / parts[0]).is_file() else (
        ROOT / "eocic_helpers")
    for k, part in enumerate(parts):
        if PLACEHOLDER.search(part):
            return (base / "/".join(parts[:k])).is_dir()
    if "*" in path:
        return any(base.glob(path.rstrip("/")))
    return (base / path.rstrip("/")).exists()


@pytest.mark.parametrize("doc", DOCS)
def test_every_path_a_doc_names_exists(doc: str):
    text = (ROOT / doc).read_text("utf-8")
    named = _paths(text)
    links = set(re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", text))
    assert named, "the doc names no file"
    missing = sorted(p for p in named - links if not _exists(p))
    missing += sorted(p for p in links if not ((ROOT / doc).parent / p).exists())
    assert not missing, f"{doc} names files that do not exist: {missing}"


def _top_level_names(module: Path) -> set[str]:
    """The names a module defines or imports at its top level."""
    names = set()
    for node in ast.parse(module.read_text("utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _resolves(dotted: str) -> bool:
    """Whether ``eocic_helpers.x.y[.name]`` is a module of the package, or a name one defines."""
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:k])
        module = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if module.is_file():
            return k == len(parts) or parts[k] in _top_level_names(module)
    return False


@pytest.mark.parametrize("doc", DOCS)
def test_every_dotted_name_a_doc_names_exists(doc: str):
    text = (ROOT / doc).read_text("utf-8")
    named = {m.rstrip(".") for chunk in _code(text)
             for m in re.findall(r"\beocic_helpers(?:\.\w+)+", chunk)}
    missing = sorted(n for n in named if not _resolves(n))
    assert not missing, f"{doc} names code that does not exist: {missing}"


def _defined_tests(file: Path) -> set[str]:
    tree = ast.parse(file.read_text("utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}


@pytest.mark.parametrize("doc", DOCS)
def test_every_test_a_doc_names_exists(doc: str):
    missing = []
    for line in (ROOT / doc).read_text("utf-8").splitlines():
        file = None
        for m in re.finditer(r"`(?:tests/)?(test_\w+\.py)?::(\w+)[^`]*`", line):
            file = m.group(1) or file
            if file is None:
                missing.append(f"::{m.group(2)} (no file before it)")
            elif not (ROOT / "tests" / file).is_file():
                missing.append(file)
            elif m.group(2).rstrip("_*") not in _defined_tests(ROOT / "tests" / file) and not (
                    m.group(0).rstrip("`").endswith("*") and any(
                        t.startswith(m.group(2)) for t in _defined_tests(ROOT / "tests" / file))):
                missing.append(f"{file}::{m.group(2)}")
    assert not missing, f"{doc} names tests that do not exist: {missing}"


def _make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text("utf-8")
    return set(re.findall(r"(?m)^([A-Za-z][\w-]*)\s*:(?!=)", text))


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _command_words(line: str) -> list[str]:
    """The words of one command line, up to a comment, a pipe or the next command, or the
    word that ends a clause of prose (``eocic run --all-nuts2, then ...``)."""
    words = []
    for word in re.split(r"\s+", line.strip()):
        if word in {"#", "|", "&&", ";"}:
            break
        words.append(word.rstrip(",;:.)"))
        if word != words[-1]:
            break
    return words


def _command_problems(line: str, parser: argparse.ArgumentParser) -> list[str]:
    """What of one ``eocic ...`` command line the parser does not know."""
    words = _command_words(line)
    problems, known = [], parser
    for k, word in enumerate(words):
        subs = _subparsers(known)
        if word.startswith("-"):
            option = word.split("=")[0]
            if option not in known._option_string_actions:
                problems.append(f"eocic {' '.join(words[:k])}: no option {option}")
        elif subs and not PLACEHOLDER.search(word) and "[" not in word:
            if word not in subs:
                problems.append(f"eocic {' '.join(words[:k])}: no command {word!r}")
                break
            known = subs[word]
        elif subs and k == 0:
            break
    return problems


@pytest.mark.parametrize("doc", DOCS)
def test_every_make_target_and_eocic_command_a_doc_names_exists(doc: str):
    code = _code((ROOT / doc).read_text("utf-8"))
    targets = _make_targets()
    missing = sorted({f"make {t}" for chunk in code
                      for t in re.findall(r"(?:^|[\s(])make\s+([a-z][\w-]*)", chunk)
                      if t not in targets})
    parser = build_parser()
    for chunk in code:
        for m in re.finditer(r"(?:^|[\s(;])(?:\S*/)?eocic\s+(?=(.+))", chunk):
            missing += _command_problems(m.group(1), parser)
    assert not missing, f"{doc}: {missing}"


def test_the_readme_lists_the_debian_packages_the_makefile_installs():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    listed = re.search(r"(?ms)^DEB_PACKAGES\s*:=\s*(.*?)(?<!\\)\n", makefile).group(1)
    packages = set(listed.replace("\\", " ").split())
    spans = [set(span.split()) for span in _code((ROOT / "README.md").read_text("utf-8"))]
    assert packages in spans, f"the README lists no span of exactly {sorted(packages)}"


def test_contributing_names_every_session_fixture():
    tree = ast.parse((ROOT / "tests" / "conftest.py").read_text("utf-8"))
    session = sorted(f.name for f in tree.body if isinstance(f, ast.FunctionDef)
                     and any("session" in ast.unparse(d) for d in f.decorator_list))
    text = (ROOT / "CONTRIBUTING.md").read_text("utf-8")
    assert session and [f for f in session if f"`{f}`" not in text] == []
