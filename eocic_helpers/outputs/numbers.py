"""Numbers (and names) as readers see them: one formatting rule for prose, tables, captions
and axes.

Thousands are separated by a space, as in the briefing (``27 800``); a missing or non-finite
value is written as words, never as ``nan``.
"""

from __future__ import annotations

import math
from typing import Any

from eocic_helpers.core.errors import ConfigError
from eocic_helpers.core.results import Unavailable, load_catalogue

MISSING = "not available"


def format_number(value: Any, fmt: str = ",.0f", missing: str = MISSING) -> str:
    """``value`` formatted with ``fmt`` (Python format spec), thousands separated by a space.

    >>> format_number(27791.25)
    '27 791'
    >>> format_number(0.345, ".1%")
    '34.5%'
    >>> format_number(None)
    'not available'
    """
    if value is None:
        return missing
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return missing
    return format(value, fmt).replace(",", " ")


def declared_text(key: str, value: Any) -> str:
    """The text a number is glued with (``<key>_text``): the format and missing text that
    ``notebooks/results.yaml`` declares for ``key`` (a key is declared by one notebook, or
    under ``shared:``). For a sentence that quotes the number as the prose does. An
    :class:`~eocic_helpers.core.results.Unavailable` value reads as its reason.

    Raises:
        ConfigError: ``key`` is not a declared number.
    """

    hit = load_catalogue().require(key)
    decl = hit.entry.decl
    if not decl.format:
        raise ConfigError(f"notebooks/results.yaml declares no format for '{key}' of "
                          f"notebook '{hit.entry.notebook}'")
    if isinstance(value, Unavailable):
        return value.reason
    return format_number(value, decl.format, decl.missing)


def declared_values(values: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``values`` whose keys ``notebooks/results.yaml`` declares by name: what
    a chapter glues as it was computed, without its module listing the keys again."""
    entries = load_catalogue().entries
    return {k: v for k, v in values.items()
            if any(k in e and e[k].pattern is None for e in entries.values())}


def axis_thousands(value: float, _position: Any = None) -> str:
    """A matplotlib tick formatter: whole numbers with a space as thousands separator."""
    return format_number(value, ",.0f", missing="")


def in_sentence(name: str) -> str:
    """A name or label as it reads inside a sentence: its first letter in lower case, unless
    its first word is an acronym ("SMEs innovate too little" stays as it is)."""
    first = name.split(" ", 1)[0]
    if len(first) > 1 and first[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def and_list(names: list[str], empty: str = "none") -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C" (``empty`` for none)."""
    if not names:
        return empty
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
