"""Where a notebook's outputs go and how its glued values reach ``results.json``.

Light on purpose (no pandas): the runner imports it to plan and promote tasks, and a no-op
``eocic run`` should not pay for the analysis stack.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eocic_helpers.core import atomic

#: Environment variable, set inside the kernel, naming the staging folder of the notebook.
OUTPUT_ENV = "EOCIC_OUTPUT_DIR"
#: File name suffix of a notebook's results fragment (``<notebook>.results.json``).
FRAGMENT_SUFFIX = ".results.json"


def merge_results(results_file: Path, fragment: dict[str, Any]) -> dict[str, Any]:
    """Merge one notebook's values into ``results.json``, replacing only that notebook's keys.

    ``results.json`` stays a flat key -> value object; a hidden ``_owners.json`` beside it
    remembers which notebook wrote which key, so a re-run drops keys the notebook no longer glues.
    """
    owners_file = results_file.with_name("_owners.json")
    results = json.loads(results_file.read_text("utf-8")) if results_file.exists() else {}
    owners = json.loads(owners_file.read_text("utf-8")) if owners_file.exists() else {}
    notebook = fragment["notebook"]
    for key in [k for k, nb in owners.items() if nb == notebook]:
        results.pop(key, None)
        owners.pop(key)
    for key, value in fragment["values"].items():
        results[key] = value
        owners[key] = notebook
    atomic.write_json(owners_file, owners)
    atomic.write_json(results_file, results)
    return results


def read_fragment(path: Path) -> dict[str, Any]:
    """Read a results fragment written by :meth:`Publication.finish`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
