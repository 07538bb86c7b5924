"""Digests of source code and files, for cache keys (the runner's tasks, the book's editions).

:func:`code_digest` hashes the ``eocic_helpers`` modules a piece of code can load, found by
reading the imports in the source (:func:`module_closure`), so an edit re-runs only the work
that uses the edited module. File hashes are cached per file version within a process.

This module imports nothing from the package's stages, so whatever uses it (the book stage)
does not have the runner or the analysis in its own closure.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import re
from pathlib import Path

from eocic_helpers.core import paths

PACKAGE_NAME = "eocic_helpers"


@functools.lru_cache(maxsize=4096)
def _module_file(package: Path, name: str) -> Path | None:
    """The source file of module ``eocic_helpers.x.y`` (module or package) in ``package``, if
    it exists (cached: the package's files do not come and go while a command runs)."""
    parts = name.split(".")
    if parts[0] != PACKAGE_NAME:
        return None
    base = package.joinpath(*parts[1:])
    if base.with_suffix(".py").is_file() and parts[1:]:
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _imported_names(tree: ast.AST, current: str, is_package: bool) -> set[str]:
    """Fully qualified names a syntax tree imports (any depth, so function-level imports too).

    For ``from a.b import c`` both ``a.b`` and ``a.b.c`` are returned: ``c`` may be a module.
    """
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import
                base = current.split(".") if is_package else current.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


#: A line that starts an import statement, at any indentation.
_IMPORT_LINE = re.compile(r"[ \t]*(?:import|from)[ \t]")


def _import_statements(source: str) -> list[ast.stmt]:
    """The import statements of a module's source, each parsed alone (parsing whole modules was
    most of a no-op run's planning): a line that starts one, with the lines it continues onto
    (open parentheses, a final backslash). A line that only reads like one (prose in a
    docstring) adds a name that is not a module, or nothing."""
    lines = source.splitlines()
    found: list[ast.stmt] = []
    for i, line in enumerate(lines):
        if not _IMPORT_LINE.match(line):
            continue
        end, depth = i, line.count("(") - line.count(")")
        while (depth > 0 or lines[end].rstrip().endswith("\\")) and end + 1 < len(lines):
            end += 1
            depth += lines[end].count("(") - lines[end].count(")")
        try:
            found += ast.parse("\n".join([line.lstrip(), *lines[i + 1:end + 1]])).body
        except SyntaxError:
            continue
    return found


@functools.lru_cache(maxsize=512)
def _file_imports(path: str, mtime_ns: int, size: int, name: str) -> frozenset[str]:
    """The names module file ``path`` (module ``name``) imports; cached per file version, so
    planning many notebooks reads each module once."""
    tree = ast.Module(body=_import_statements(Path(path).read_text("utf-8")), type_ignores=[])
    return frozenset(_imported_names(tree, name, Path(path).name == "__init__.py"))


def notebook_code(notebook: Path) -> str:
    """The source of a notebook's code cells, one after another."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in cells if c["cell_type"] == "code")


def module_name(f: Path) -> str:
    """The dotted name of a source file of the package (``eocic_helpers.core.digest``)."""
    parts = f.relative_to(paths.PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_closure(code: str) -> list[Path]:
    """The ``eocic_helpers`` source files that ``code`` can load: its imports, their parent
    packages' ``__init__`` files, and the imports of those files, transitively.

    Computed from the source (not from ``sys.modules``), so a kernel that keeps modules
    imported across notebooks does not blur which notebook uses which module.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython magics etc.: fall back to the whole package
        return sorted(paths.PACKAGE.rglob("*.py"))
    todo = [n for name in _imported_names(tree, "__main__", False) for n in _with_parents(name)]
    seen: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in seen or not name.startswith(PACKAGE_NAME):
            continue
        f = _module_file(paths.PACKAGE, name)
        if f is None:
            continue
        seen[name] = f
        st = f.stat()
        for imported in _file_imports(str(f), st.st_mtime_ns, st.st_size, name):
            todo.extend(_with_parents(imported))
    return sorted(set(seen.values()))


@functools.lru_cache(maxsize=4096)
def _sha_of_version(path: str, mtime_ns: int, size: int, inode: int) -> str:
    with open(path, "rb") as f:  # in chunks: memory stays flat whatever the file's size
        return hashlib.file_digest(f, "sha256").hexdigest()


def file_sha(path: Path) -> str | None:
    """sha256 of a file, or None when it cannot be read. Cached per file version (path,
    modification time, size, inode), so one command hashes each input once."""
    try:
        st = path.stat()
        return _sha_of_version(str(path), st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        return None


def code_digest(code: str) -> str:
    """Hash of the package modules ``code`` can load, e.g. ``"import eocic_helpers.book.editions"``
    for a stage that should be rebuilt only when the code it runs changes."""
    h = hashlib.sha256()
    for f in module_closure(code):
        h.update(f.relative_to(paths.PACKAGE).as_posix().encode())
        h.update((file_sha(f) or "<unreadable>").encode())
    return h.hexdigest()
