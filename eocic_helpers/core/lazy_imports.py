"""Defer one slow optional import that every notebook tool pays for at start-up.

nbformat (used by papermill, myst-nb and Jupyter Book to read and validate notebooks) imports
jsonschema, whose format checkers import ``rfc3987_syntax`` when it is installed (it comes
with ``jsonschema[format-nongpl]``, which the Jupyter server stack asks for). That module
compiles 38 lark grammars at import: about 0.8 s of every process that reads a notebook (a
worker, a kernel's first ``glue``, each Jupyter Book build), measured on this project's
machine, for a checker of the ``iri`` formats that the notebook schema never uses. The
upstream report is python-jsonschema/jsonschema#1428.

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
