"""The catalogue of results: every key of ``results.json``, declared once in
``notebooks/results.yaml`` (its header says what each field of a key means).

:meth:`eocic_helpers.outputs.publication.Publication.glue` refuses a key its notebook does not
declare, and ``finish`` refuses a run that left a declared key out. The book, its templates
and the cross-region comparison read results through :class:`Results`, which refuses an
undeclared key. Each edition's data package carries the catalogue as ``results_catalogue.csv``
(:func:`catalogue_rows`).

Light on purpose (no pandas): the runner and the book import it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from eocic_helpers.core import paths
from eocic_helpers.core.config import Strict, load_model, load_versioned
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.core.reads import cached_loader

RESULTS_FILE = "results.yaml"
#: The ending of the text companion of a number glued with a format.
TEXT_SUFFIX = "_text"
#: The text of a missing number unless its declaration says otherwise.
MISSING = "not available"
#: A declared key: a name, or a pattern whose ``{placeholders}`` stand for names.
_DECLARED = r"^[a-z{][a-z0-9_{}]*$"
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class KeyDecl(Strict):
    """One key of ``results.json``."""

    #: What the value is, in a few words.
    about: str = Field(min_length=1)
    #: e.g. ``EUR per inhabitant``, ``% of employment``, ``rank (1 = highest)``, ``text``.
    unit: str = Field(min_length=1)
    #: Dataset code(s) as in data/sources.yaml, a part of the briefing, or this study.
    source: str = Field(min_length=1)
    #: The year the value refers to, or the name of the key that holds it.
    year: int | str | None = None
    #: A number's format spec (``,.0f``); the key then also publishes ``<key>_text``.
    format: str = ""
    #: The text of a missing number (with ``format`` only).
    missing: str = MISSING
    #: Published only when this key of the region's results is true.
    when: str = Field(default="", pattern=r"^([a-z][a-z0-9_]*)?$")
    #: Published only in some runs, said in words (when no key tells).
    only: str = ""
    #: For a pattern: the declared key whose value it copies (``{key}``).
    copy_of: str = ""


class SharedUse(Strict):
    """A notebook's use of a key declared under ``shared:`` (several notebooks glue it)."""

    shared: Literal[True]
    when: str = Field(default="", pattern=r"^([a-z][a-z0-9_]*)?$")
    only: str = ""


class CatalogueFile(Strict):
    """``notebooks/results.yaml``."""

    schema_version: Literal[1]
    shared: dict[str, KeyDecl] = Field(default_factory=dict)
    notebooks: dict[str, dict[str, KeyDecl | SharedUse | Literal["shared"]]]


@dataclass(frozen=True)
class Entry:
    """A declared key (or pattern) of one notebook, shared declarations resolved."""

    name: str
    notebook: str
    decl: KeyDecl
    pattern: re.Pattern[str] | None = None

    @property
    def number(self) -> bool:
        """Glued with a format: it also publishes ``<key>_text``."""
        return bool(self.decl.format)


@dataclass(frozen=True)
class Hit:
    """What the catalogue says of one concrete key."""

    key: str
    entry: Entry
    #: The key is ``<number>_text``, the text companion of ``entry``.
    text: bool = False
    #: For a copy (``copy_of``): the hit of the key copied.
    copied: Hit | None = None

    @property
    def origin(self) -> Hit:
        """The hit whose unit, source and year describe the value (a copy's original)."""
        return self.copied.origin if self.copied is not None else self

    @property
    def about(self) -> str:
        base = self.origin
        about = base.entry.decl.about + (", as the text shows it" if base.text else "")
        if self.copied is not None:
            about = f"{self.entry.decl.about}: {about}"
        return about


def _pattern(name: str) -> re.Pattern[str] | None:
    if "{" not in name:
        return None
    parts = _PLACEHOLDER.split(name)
    regex = "".join(re.escape(p) if k % 2 == 0 else f"(?P<{p}>[a-z0-9_]+)"
                    for k, p in enumerate(parts))
    return re.compile(regex)


class Catalogue:
    """The declared keys of every notebook (see the module's text)."""

    def __init__(self, data: CatalogueFile, where: Path) -> None:
        self.where = where
        self.data = data
        self.entries: dict[str, dict[str, Entry]] = {}
        for nb, keys in data.notebooks.items():
            out: dict[str, Entry] = {}
            for name, d in keys.items():
                if not re.match(_DECLARED, name) or name.count("{") != name.count("}"):
                    self._fail(f"notebook '{nb}': '{name}' is not a key name (lower case, digits, "
                               "'_', {placeholders} for a pattern)")
                if d == "shared" or isinstance(d, SharedUse):
                    if name not in data.shared:
                        self._fail(f"notebook '{nb}': '{name}' is marked shared, but shared: does "
                                   "not declare it")
                    decl = data.shared[name]
                    if isinstance(d, SharedUse):
                        decl = decl.model_copy(update={"when": d.when or decl.when,
                                                       "only": d.only or decl.only})
                else:
                    decl = d
                out[name] = Entry(name, nb, decl, _pattern(name))
            self.entries[nb] = out
        self._check()

    def _fail(self, problem: str) -> None:
        raise ConfigError(f"{self.where}: {problem}")

    def _check(self) -> None:
        for nb, entries in self.entries.items():
            for name, e in entries.items():
                d = e.decl
                number = entries.get(name.removesuffix(TEXT_SUFFIX))
                if name.endswith(TEXT_SUFFIX) and number is not None and number.number:
                    self._fail(f"notebook '{nb}': '{name}' is the text of the number "
                               f"'{number.name}' (it has a format); do not declare it again")
                if d.missing != MISSING and not d.format:
                    self._fail(f"notebook '{nb}': '{name}' sets missing: without a format")
                if d.format:
                    try:
                        format(0, d.format)
                    except ValueError:
                        try:
                            format(0.0, d.format)
                        except ValueError:
                            self._fail(f"notebook '{nb}': '{name}': '{d.format}' is not a "
                                       "format spec")
                for ref, what in ((d.when, "when"),
                                  (d.year if isinstance(d.year, str) else "", "year")):
                    if ref and self.find(ref) is None:
                        self._fail(f"notebook '{nb}': '{name}': {what}: '{ref}' is not a "
                                   "declared key")
                if d.copy_of and (e.pattern is None or d.copy_of not in {
                        "{" + p + "}" for p in e.pattern.groupindex}):
                    self._fail(f"notebook '{nb}': '{name}': copy_of names one of its own "
                               "{placeholders}")

    # -- look-ups ----------------------------------------------------------------------------

    def lookup(self, notebook: str, key: str) -> Hit | None:
        """What ``notebook`` declares for ``key`` (a name, a number's text, a pattern)."""
        entries = self.entries.get(notebook, {})
        e = entries.get(key)
        if e is not None and e.pattern is None:
            return Hit(key, e)
        if key.endswith(TEXT_SUFFIX):
            e = entries.get(key[:-len(TEXT_SUFFIX)])
            if e is not None and e.pattern is None and e.number:
                return Hit(key, e, text=True)
        for e in entries.values():
            if e.pattern is None:
                continue
            hit = self._match(e, key)
            if hit is not None:
                return hit
        return None

    def _match(self, e: Entry, key: str) -> Hit | None:
        assert e.pattern is not None
        for candidate, text in ((key, False), (key[:-len(TEXT_SUFFIX)], True)):
            if text and not (e.number and key.endswith(TEXT_SUFFIX)):
                continue
            m = e.pattern.fullmatch(candidate)
            if m is None:
                continue
            if not e.decl.copy_of:
                return Hit(key, e, text=text)
            original = e.decl.copy_of.format(**m.groupdict())
            copied = self.find(original, exclude=e)
            if copied is not None:
                return Hit(key, e, text=text, copied=copied)
        return None

    def find(self, key: str, exclude: Entry | None = None) -> Hit | None:
        """The first notebook's declaration of ``key`` (any notebook)."""
        for nb in self.entries:
            hit = self.lookup(nb, key)
            if hit is not None and hit.entry is not exclude:
                return hit
        return None

    def producers(self, key: str) -> list[str]:
        """Every notebook that declares ``key``."""
        return [nb for nb in self.entries if self.lookup(nb, key) is not None]

    def require(self, key: str) -> Hit:
        """The declaration of a key read from results.

        Raises:
            ConfigError: no notebook declares it.
        """
        hit = self.find(key)
        if hit is None:
            raise ConfigError(f"'{key}' is not a key of results.json: no notebook declares it in "
                              f"notebooks/{RESULTS_FILE}")
        return hit

    def check_glue(self, notebook: str, key: str) -> Hit:
        """The declaration of a key ``notebook`` glues.

        Raises:
            ConfigError: the notebook does not declare it.
        """
        hit = self.lookup(notebook, key)
        if hit is None:
            raise ConfigError(f"notebook '{notebook}' glues '{key}', which notebooks/"
                              f"{RESULTS_FILE} does not declare for it; declare it there "
                              "(about, unit, source)")
        return hit

    def unglued(self, notebook: str, glued: Mapping[str, Any]) -> list[str]:
        """The keys ``notebook`` declares that a run which glued ``glued`` should have glued:
        every key that is not optional, and those whose ``when`` key (glued by the same
        notebook) is true."""
        out = []
        for name, e in self.entries.get(notebook, {}).items():
            if e.pattern is not None or e.decl.only:
                continue
            if e.decl.when and not (e.decl.when in glued and glued[e.decl.when]):
                continue
            out += [k for k in (name, name + TEXT_SUFFIX if e.number else "") if k
                    and k not in glued]
        return out

    def misplaced(self, notebook: str, glued: Mapping[str, Any]) -> list[str]:
        """Keys glued although their ``when`` key, glued by the same notebook, is false."""
        out = []
        for key in glued:
            hit = self.lookup(notebook, key)
            when = hit.entry.decl.when if hit is not None else ""
            if when and when in glued and not glued[when]:
                out.append(key)
        return out

    def year_of(self, hit: Hit, results: Mapping[str, Any]) -> str:
        """The year of a value: the declared year, or the value of the key that holds it."""
        year = hit.origin.entry.decl.year
        if isinstance(year, str):
            raw = results.raw if isinstance(results, Results) else results
            value = raw.get(year)
            return "" if value is None else str(value)
        return "" if year is None else str(year)


@cached_loader
def _load(path: str, mtime_ns: int, size: int) -> Catalogue:
    return Catalogue(load_model(CatalogueFile, Path(path)), Path(path))


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The catalogue of results (cached per file version).

    Raises:
        ConfigError: the file is missing, malformed or inconsistent (one line).
    """
    return load_versioned(Path(path or paths.NOTEBOOKS / RESULTS_FILE), _load,
                          "catalogue of results not found; it declares every key of results.json")


def declaration_digest(notebook: str, path: Path | None = None) -> str:
    """A hash of what the catalogue declares for ``notebook`` ("missing" without a catalogue):
    a new format or missing text changes what the notebook publishes."""
    try:
        entries = load_catalogue(path).entries.get(notebook, {})
    except ConfigError:
        return "missing"
    text = json.dumps({n: e.decl.model_dump() for n, e in sorted(entries.items())}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Unavailable:
    """A number missing for a stated reason: glued as None, with ``reason`` as its text (for a
    reason that depends on the region, e.g. a national value of a region that is its whole
    country)."""

    reason: str


class Results(Mapping[str, Any]):
    """A run's ``results.json`` read through the catalogue: reading a key that no notebook
    declares (``[]``, ``get``, ``in``) raises :class:`ConfigError` (a typo cannot read as a
    missing value)."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self.raw: dict[str, Any] = dict(data or {})

    def __getitem__(self, key: str) -> Any:
        load_catalogue().require(key)
        return self.raw[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __repr__(self) -> str:
        return f"Results({len(self.raw)} keys)"


def read_results(path: Path) -> Results:
    """A ``results.json`` as :class:`Results` (empty when absent or unreadable)."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        data = {}
    return Results(data if isinstance(data, dict) else {})


def value(results: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """``results[key]`` (``default`` when absent), for a key the catalogue declares."""
    load_catalogue().require(key)
    raw = results.raw if isinstance(results, Results) else results
    return raw.get(key, default)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


CATALOGUE_COLUMNS = ("key", "notebook", "value", "unit", "source", "year", "about")


def catalogue_rows(results: Mapping[str, Any], region: str = "") -> list[dict[str, str]]:
    """One row per key of a run's results: its value there, the notebooks that produce it,
    its unit, source and year (resolved for this run when the declaration names a key) and
    what it is; ``{region}`` in a source is the ``region``'s id when given. A key no notebook
    declares is listed with empty columns (it cannot be, once the run has passed
    :meth:`Publication.glue`)."""
    cat = load_catalogue()
    raw = results.raw if isinstance(results, Results) else dict(results)
    rows = []
    for key in sorted(raw):
        hit = cat.find(key)
        row = dict.fromkeys(CATALOGUE_COLUMNS, "")
        row.update(key=key, value=_cell(raw[key]))
        if hit is not None:
            origin = hit.origin.entry.decl
            source = origin.source.replace("{region}", region) if region else origin.source
            row.update(notebook=", ".join(cat.producers(key)), unit=origin.unit,
                       source=source, year=cat.year_of(hit, raw), about=hit.about)
        rows.append(row)
    return rows
