"""A Sphinx extension for the atlas: figures and tables numbered from 1 on every page.

Sphinx numbers figures and tables through the whole book (``numfig_secnum_depth: 0``), which
suits an edition read from start to end; in the atlas, a book of one page per region, the
page of a region near the end would show "Figure 75" and "Table 223". After Sphinx has
assigned its numbers (``env-get-updated``), each page's figures and tables of each kind are
numbered again from 1 in the order Sphinx gave them, which is the page's order. References
(``numref``) read the same numbers.
"""

from __future__ import annotations

from typing import Any


def _per_page(app: Any, env: Any) -> list[str]:
    for numbers in env.toc_fignumbers.values():
        for figtype, ids in numbers.items():
            ordered = sorted(ids, key=ids.__getitem__)
            numbers[figtype] = {fig_id: (n,) for n, fig_id in enumerate(ordered, start=1)}
    return []


def setup(app: Any) -> dict[str, Any]:
    # after Sphinx's own numbering (the toctree collector listens at the default priority)
    app.connect("env-get-updated", _per_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
