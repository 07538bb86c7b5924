"""The book's one template mechanism: jinja2, with every inserted value escaped as MyST text
(or as HTML, in a ``.html`` template).

Templates live in ``book/`` (``intro.md``, ``intro_all.md``, ``for_analysts.md``,
``landing.html``...). A ``{{ value }}`` expression is passed through
:func:`eocic_helpers.outputs.escape.myst_text` (:func:`html.escape` in a ``.html`` template), so
a region name or any value read from a run renders literally. Markup belongs in the template
itself, or in a value wrapped in :class:`Markup` by code that built it from escaped parts.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from eocic_helpers.core import paths
from eocic_helpers.outputs.escape import myst_text

__all__ = ["Markup", "render"]


def _finalize(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    return myst_text(value)


def _html(value: Any) -> Markup:
    return value if isinstance(value, Markup) else Markup(html.escape(str(value)))


def render(name: str, context: dict[str, Any], folder: Path | None = None) -> str:
    """Render the template ``book/<name>`` with ``context`` (a ``.html`` name: as HTML).

    Raises:
        jinja2.UndefinedError: the template uses a name the context lacks (a bug, not input).
    """
    html_page = name.endswith(".html")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder or paths.BOOK_TEMPLATES)),
        finalize=_html if html_page else _finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=html_page,  # a macro's output is then Markup, never escaped again
    )
    return env.get_template(name).render(**context)
