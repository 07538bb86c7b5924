"""The documentation names only files that exist."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT


@pytest.mark.parametrize("doc", ["docs/architecture.md", "docs/scale.md"])
def test_every_path_a_doc_names_exists(doc: str):
    text = (ROOT / doc).read_text()
    named = set(re.findall(r"`((?:data|notebooks|eocic_helpers|book|docs|tests|bench)/[^`<>*\s]*)`",
                           text))
    named |= {m for m in re.findall(r"`([A-Z]+\.md)`", text)}
    assert named, "the doc names no file"
    missing = sorted(p for p in named if not (ROOT / p.rstrip("/")).exists())
    assert not missing, missing
