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


def _load(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _denied(path: Path) -> bool:
    """True when ``path`` exists but this user may not read it (permission denied)."""
    try:
        with open(path, "rb"):
            return False
    except PermissionError:
        return True
    except OSError:
        return False


def kept_fragments(cache: Path) -> dict[str, dict[str, Any]]:
    """The results fragments kept in a run's ``.cache/`` folder, by notebook, that are readable
    (an unreadable one is left out: its task is stale and the next run repairs it)."""
    out: dict[str, dict[str, Any]] = {}
    for f in sorted(Path(cache).glob(f"*{FRAGMENT_SUFFIX}")):
        data = _load(f)
        if isinstance(data, dict) and isinstance(data.get("values"), dict):
            out[f.name.removesuffix(FRAGMENT_SUFFIX)] = data
    return out


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def results_problem(run_dir: Path) -> str | None:
    """What is wrong with a run's ``results.json``, checked against the fragments it is derived
    from (``.cache/<notebook>.results.json``), like task outputs against their manifests.

    Returns:
        None when it holds exactly the fragments' values (or there are no fragments and the
        file, if any, is readable); otherwise ``"missing"``, ``"corrupt"``,
        ``"changed since the run wrote it"``, or ``"unreadable ..."`` (permission denied on it,
        ``_owners.json`` or a fragment).
        The check does not depend on the order the notebooks ran in: each key must hold the
        value of the notebook ``_owners.json`` names, and that notebook's fragment must have it.
    """
    run_dir = Path(run_dir)
    results_file, owners_file = run_dir / "results.json", run_dir / "_owners.json"
    for f in (results_file, owners_file, *sorted((run_dir / ".cache").glob(f"*{FRAGMENT_SUFFIX}"))):
        if _denied(f):
            rel = f.relative_to(run_dir).as_posix()
            return "unreadable (permission denied)" if f == results_file else \
                f"unreadable: {rel} (permission denied)"
    fragments = kept_fragments(run_dir / ".cache")
    if not fragments:  # nothing to check against (no notebook has run): readable is enough
        for f in (results_file, owners_file):
            if f.exists() and not isinstance(_load(f), dict):
                return "corrupt"
        return None
    if not results_file.exists() and not owners_file.exists():
        return "missing" if any(f["values"] for f in fragments.values()) else None
    results, owners = _load(results_file), _load(owners_file)
    if not isinstance(results, dict) or not isinstance(owners, dict):
        return "missing" if not results_file.exists() else "corrupt"
    expected = {k for f in fragments.values() for k in f["values"]}
    if set(results) != expected or set(owners) != expected:
        return "changed since the run wrote it"
    for key, value in results.items():
        values = fragments.get(owners[key], {}).get("values", {}) if isinstance(owners[key],
                                                                               str) else {}
        if key not in values or not _same(values[key], value):
            return "changed since the run wrote it"
    return None
