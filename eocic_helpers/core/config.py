"""Load YAML content files with schema validation and errors that point at file, line and field.

Every YAML file the project reads from ``data/`` and every ``-f`` parameter file goes through
:func:`load_yaml`, which applies the same limits to all of them before anything is built from
the text:

- the path: a regular file (a folder, named pipe or device is named as such and refused); a
  file inside the project must resolve inside it (a symbolic link to a file elsewhere is
  refused);
- size: at most :data:`MAX_YAML_BYTES` (1 MB), checked on the file size before reading or
  hashing (:func:`check_file`), and never more than that read;
- encoding: UTF-8 text (a binary or UTF-16 file is refused in one line);
- aliases: at most :data:`MAX_ALIASES`, and the document, with aliases expanded, at most
  :data:`MAX_NODES` values (an "alias bomb" is refused without being expanded);
- nesting: at most :data:`MAX_DEPTH` levels;
- values: numbers must be finite (``.nan``, ``.inf`` and overflowing floats are refused), dates
  must exist (``2019-13-01``), and a key may appear only once in a mapping;
- characters: no control character (ESC, BEL, form feed, DEL, ...: they stop xelatex) and no
  invisible or text-direction character (bidirectional overrides and isolates, zero-width
  characters, a byte-order mark inside the text: they make text read other than it is) in any
  key or value (:data:`FORBIDDEN_CHARACTERS`); a byte-order mark opening the file is allowed.

Errors are :class:`~eocic_helpers.core.errors.ConfigError`: one line naming file and line.
"""

from __future__ import annotations

import math
import os
import re
import stat
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from yaml.constructor import SafeConstructor

from eocic_helpers.core import paths
from eocic_helpers.core.errors import ConfigError

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

#: Largest YAML file read (bytes), checked before the file is read.
MAX_YAML_BYTES = 1_000_000
#: Most aliases (``*name``) in one document.
MAX_ALIASES = 100
#: Most values (scalars, lists and mappings) in one document, as written and once aliases are
#: expanded. The largest content file has under 600; parsing 50,000 takes a few seconds.
MAX_NODES = 50_000
#: Deepest nesting of lists and mappings.
MAX_DEPTH = 100
MERGE_TAG = "tag:yaml.org,2002:merge"
#: Longest echo of a user value in an error message (characters).
ECHO_CHARS = 80
#: Characters refused in any key or value (see the module's text): the C0 and C1 controls but
#: tab, line feed and carriage return, and the invisible and text-direction characters.
FORBIDDEN_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]")
_CONTROL_NAMES = {0x07: "BEL", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed",
                  0x1B: "ESC", 0x7F: "DEL", 0x00: "NUL"}


class Strict(BaseModel):
    """The model of a declaration: an unknown field is refused, and a loaded one is not changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def character_name(char: str) -> str:
    """``U+001B (ESC, a control character)``, ``U+202E (RIGHT-TO-LEFT OVERRIDE, ...)``."""
    code = ord(char)
    if unicodedata.category(char) == "Cc":
        label = _CONTROL_NAMES.get(code)
        return f"U+{code:04X} ({label + ', ' if label else ''}a control character)"
    return (f"U+{code:04X} ({unicodedata.name(char, 'unnamed')}, an invisible or "
            "text-direction character that can make text read other than it is)")


#: Longest name or label (a region, a country, a unit of Figure 4) that reaches a page.
MAX_NAME_CHARS = 200
#: Line and paragraph breaks: a name is one line.
_BREAKS = re.compile("[\n\r\u0085\u2028\u2029]")


def name_problem(text: str) -> str | None:
    """What makes ``text`` unfit as a name shown on a page, or None: a line break, a control,
    bidi or zero-width character (:data:`FORBIDDEN_CHARACTERS`), or more than
    :data:`MAX_NAME_CHARS` characters."""
    if _BREAKS.search(text):
        return "holds a line break; a name is one line"
    bad = FORBIDDEN_CHARACTERS.search(text)
    if bad:
        return f"holds {character_name(bad.group(0))}"
    if len(text) > MAX_NAME_CHARS:
        return f"is {len(text)} characters long, above the limit of {MAX_NAME_CHARS}"
    return None


def check_name(text: str) -> str:
    """A pydantic validator: ``text`` when :func:`name_problem` finds nothing.

    Raises:
        ValueError: what is wrong with it (pydantic names the field and the file's line).
    """
    problem = name_problem(text)
    if problem:
        raise ValueError(f"the name {problem}")
    return text


def shown(value: Any, limit: int = ECHO_CHARS) -> str:
    """A user value as it may appear in a one-line error: short, never a huge rendering.

    Containers are named by type (never rendered), long text is cut to ``limit`` characters
    with its full length stated, and huge whole numbers are described by their digit count.
    """
    if isinstance(value, dict | list | tuple | set):
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a whole number of about {int(value.bit_length() * 0.30103) + 1} digits"
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        return f"{text[:limit]}… ({len(text)} characters)"
    return text


class LimitError(yaml.MarkedYAMLError):
    """A YAML document that parses but breaks a limit or holds an impossible value."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(None, None, problem, mark)


class LimitedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with the limits described in this module's docstring."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0
        self._nodes = 0
        #: Each composed node's size with aliases expanded (id -> values), so that an alias
        #: bomb is refused from the sizes of its parts, without being expanded.
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise LimitError(f"more than {MAX_ALIASES} aliases; write the values out",
                                 self.peek_event().start_mark)
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:  # still being composed: it holds this alias
                raise LimitError("an alias refers to a value that contains it", node.start_mark)
            return node
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise LimitError(f"more than {MAX_NODES:,} values; split the file or shorten it",
                             self.peek_event().start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise LimitError(f"nested more than {MAX_DEPTH} levels deep",
                                 self.peek_event().start_mark)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        children = node.value if isinstance(node, yaml.SequenceNode) else [
            n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else []
        size = self._sizes[id(node)] = 1 + sum(self._sizes[id(c)] for c in children)
        if size > MAX_NODES:
            raise LimitError(f"expands to more than {MAX_NODES:,} values (aliases); write the "
                             "values out without aliases", node.start_mark)
        return node

    def get_single_node(self) -> Any:
        node = super().get_single_node()
        if node is not None:
            _check_characters(node)
        return node

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except Exception as exc:  # noqa: BLE001 (a bad scalar under an explicit tag, e.g. !!int)
            what = f"'{shown(node.value)}'" if isinstance(node.value, str) else "this value"
            raise LimitError(f"{what} is not a valid value ({shown(exc)})",
                             node.start_mark) from None

    def construct_yaml_float(self, node: Any) -> float:
        value = SafeConstructor.construct_yaml_float(self, node)
        if not math.isfinite(value):
            raise LimitError(f"'{shown(node.value)}' is not a finite number; give a finite value",
                             node.start_mark)
        return value

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != MERGE_TAG:
                    key = (key_node.tag, key_node.value)
                    if key in seen:
                        raise LimitError(f"duplicate key '{shown(key_node.value)}'; keep one",
                                         key_node.start_mark)
                    seen.add(key)
        return super().construct_mapping(node, deep=deep)


LimitedLoader.add_constructor("tag:yaml.org,2002:float", LimitedLoader.construct_yaml_float)


def _check_characters(root: Any) -> None:
    """Refuse a key or value holding one of :data:`FORBIDDEN_CHARACTERS`, naming its field.

    Each node is visited once (aliases share nodes), so the walk is bounded like the document.
    """
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            found = FORBIDDEN_CHARACTERS.search(node.value)
            if found:
                field = FORBIDDEN_CHARACTERS.sub(lambda m: f"<U+{ord(m.group()):04X}>",
                                                 shown(".".join(where) or "(top level)"))
                raise LimitError(f"field '{field}': {character_name(found.group())} is not "
                                 "allowed in content", node.start_mark)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*where, str(k))) for k, item in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                stack.append((value, (*where, name)))
                stack.append((key, (*where, f"{name} (key)")))


def project_path(path: Path) -> str:
    """A file as messages name it: relative to the project when it lies inside, else as given."""
    try:
        return str(Path(path).resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def _in_project(path: Path) -> str | None:
    """A path as the user named it, relative to the project (not resolved, so a symbolic link
    keeps its own name); None when it lies outside the project."""
    absolute = Path(os.path.abspath(path))
    for root in (Path(os.path.abspath(paths.ROOT)), Path(paths.ROOT).resolve()):
        if absolute.is_relative_to(root):
            return absolute.relative_to(root).as_posix()
    return None


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def check_file(path: Path, limit: int | None = None) -> int:
    """Check a content or parameter file before anything reads or hashes it: it exists, is a
    regular file, resolves inside the project when it lies in the project, and is at most
    ``limit`` bytes (:data:`MAX_YAML_BYTES`). Looks only at the file system entry (``stat``):
    a named pipe or a device is never opened.

    Returns:
        The file's size in bytes.

    Raises:
        ConfigError: naming the path, what it is and what was expected.
    """
    path = Path(path)
    limit = MAX_YAML_BYTES if limit is None else limit
    inside = _in_project(path)
    name = inside or str(path)
    if inside is not None:
        target = path.resolve()
        if not target.is_relative_to(Path(paths.ROOT).resolve()):
            raise ConfigError(f"{name}: is a symbolic link to {shown(str(target), 120)}, outside "
                              "the project; content and parameter files must be inside the "
                              "project: copy the file here instead of linking it")
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"{name}: file not found; create it or check the path") from None
    except OSError as exc:
        raise ConfigError(f"{name}: cannot be read ({exc.strerror or exc}); expected a YAML "
                          "file") from None
    for test, kind in _KINDS:
        if test(st.st_mode):
            raise ConfigError(f"{name}: is {kind}, not a regular file; expected a YAML file "
                              "(UTF-8 text, at most 1 MB)")
    if st.st_size > limit:
        raise ConfigError(
            f"{name}: file is {st.st_size:,} bytes, above the 1 MB limit "
            f"({limit:,} bytes) for YAML content and parameter files; shorten it")
    return st.st_size


def read_yaml_text(path: Path) -> str:
    """The text of a YAML file, within the limits of :func:`check_file`, decoded as UTF-8.

    At most :data:`MAX_YAML_BYTES` + 1 bytes are ever read, whatever the file system says.

    Raises:
        ConfigError: the file is missing, not a regular file, a link out of the project,
            larger than :data:`MAX_YAML_BYTES`, or not UTF-8 text.
    """
    path = Path(path)
    check_file(path)
    with open(path, "rb") as f:
        raw = f.read(MAX_YAML_BYTES + 1)
    if len(raw) > MAX_YAML_BYTES:  # grew since stat, or not a regular size
        raise ConfigError(f"{project_path(path)}: file is above the 1 MB limit for YAML content and "
                          "parameter files; shorten it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        kind = ("UTF-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "binary or another encoding")
        raise ConfigError(f"{project_path(path)}:{line}: not UTF-8 text ({kind}); save it as UTF-8 YAML"
                          ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ConfigError(f"{project_path(path)}:{line}: not a text file (it holds NUL bytes); "
                          "save it as UTF-8 YAML")
    return text


def load_yaml(path: Path) -> Any:
    """Parse a YAML file safely, within the limits of this module.

    Raises:
        ConfigError: the file is missing, too large, not UTF-8, not valid YAML, or beyond a
            limit (with the line number when known).
    """
    text, where = read_yaml_text(path), project_path(path)
    try:
        # The reader checks every character when the loader is built: build it inside the try.
        loader = LimitedLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        raise ConfigError(
            f"{where}:{line}: {character_name(char)} is not allowed in YAML; remove it, or write "
            "it escaped in a double-quoted string") from None
    try:
        return loader.get_single_data()
    except LimitError as exc:
        line = f":{exc.problem_mark.line + 1}" if exc.problem_mark is not None else ""
        raise ConfigError(f"{where}{line}: {exc.problem}; fix that line") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["unreadable"])[0]
        raise ConfigError(
            f"{where}{line}: malformed YAML ({shown(problem, 200)}); fix the syntax at that line"
        ) from None
    except RecursionError:
        raise ConfigError(f"{where}: malformed YAML (nested too deeply); flatten it") from None
    finally:
        loader.dispose()


def line_of(path: Path, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at ``loc`` (keys and list indices), or of its nearest parent."""
    try:
        loader = LimitedLoader(read_yaml_text(path))
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except (yaml.YAMLError, ConfigError, RecursionError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == str(part)]
            if not match:
                break
            key_node, node = match[0]
            line = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def validate(model: type[M], data: Any, path: Path) -> M:
    """Validate parsed YAML against a pydantic model.

    Raises:
        ConfigError: naming the file, the line and the field of the first problem.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        field = shown(".".join(str(p) for p in loc) or "(top level)")
        line = line_of(path, loc)
        where = f":{line}" if line else ""
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(
            f"{project_path(path)}{where}: field '{field}': {shown(err['msg'], 300)}{more}; fix that field"
        ) from None


def load_model(model: type[M], path: Path) -> M:
    """Parse and validate a YAML file in one step."""
    return validate(model, load_yaml(path), path)


def load_versioned(where: Path, load: Callable[[str, int, int], T], what: str) -> T:
    """``load(path, mtime_ns, size)`` for the file as it is now: a loader cached on those
    arguments (``functools.cache``) reads each version of the file once.

    Raises:
        ConfigError: the file is missing (one line: ``what`` says what it holds).
    """
    try:
        st = where.stat()
    except OSError:
        raise ConfigError(f"{where}: {what}") from None
    return load(str(where), st.st_mtime_ns, st.st_size)
