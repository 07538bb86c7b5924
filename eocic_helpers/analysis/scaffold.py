"""``eocic scaffold``: commented templates of a region's content files, for an analyst to fill.

The templates are files of ``templates/scaffold/`` (package data), not strings in code, one
per part of :data:`~eocic_helpers.analysis.content_schema.PARTS`: ``synthesis.yaml`` is
written whole; each other part is ``head.yaml`` (what the file holds, the rules of its text,
the schema version and the region) followed by the part's own ``<part>.yaml``. Only the
``${...}`` fields are filled in (:class:`string.Template`); the rest, ``{ref:ID}`` and
``{date}`` included, is written as it stands.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from eocic_helpers.analysis.content import content_file
from eocic_helpers.analysis.content_schema import PARTS
from eocic_helpers.core.atomic import write_text
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.core.regions import Region

TEMPLATES = Path(__file__).parent / "templates" / "scaffold"


def template(name: str) -> Template:
    """``templates/scaffold/<name>.yaml``."""
    return Template((TEMPLATES / f"{name}.yaml").read_text(encoding="utf-8"))


def scaffold(region: Region, force: bool = False) -> list[Path]:
    """Write a commented template for every content file the region lacks (synthesis.yaml
    included); with ``force``, overwrite them all.

    Returns:
        The files written.

    Raises:
        ConfigError: the region already has every file (use ``force``).
    """
    written = []
    head = template("head")
    for part, (file, _, what) in PARTS.items():
        target = content_file(region.id, part)
        if target.exists() and not force:
            continue
        if part == "synthesis":  # written whole
            text = template(part).substitute(name=region.name, id=region.id)
        else:
            text = head.substitute(what=what[0].upper() + what[1:], name=region.name, file=file,
                                   id=region.id) + template(part).substitute()
        write_text(target, text)
        written.append(target)
    if not written:
        raise ConfigError(f"data/regions/{region.id}/ has every content file; edit them, or "
                          "pass --force to overwrite them")
    return written
