"""The ten pilot regions: load ``data/regions.yaml`` and resolve what users type."""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from eocic_helpers.core import paths
from eocic_helpers.core.config import Strict, check_name, load_model, name_problem, shown
from eocic_helpers.core.errors import DataError, EocicError
from eocic_helpers.core.reads import cached_loader

#: A geo code of ``geo.csv`` by NUTS level: the country, then one character per level.
GEO_CODE = {level: re.compile(rf"[A-Z]{{2}}[0-9A-Z]{{{int(level)}}}") for level in "0123"}
#: An aggregate (level -1): Eurostat's code of a group of countries, e.g. ``EU27_2020``.
GEO_CODE["-1"] = re.compile(r"[A-Z]{2}[0-9A-Z_]{0,12}")

#: A name that reaches a page: one line, no control, bidi or zero-width character, bounded.
Name = Annotated[str, AfterValidator(check_name)]


class Unit(Strict):
    """A unit of the briefing's Figure 4: one NUTS 2 region, or several shown as one."""

    id: str
    name: Name
    nuts2016: list[str] = Field(min_length=1)


class Region(Strict):
    """One pilot region."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: Name
    country: str = Field(pattern=r"^[A-Z]{2}$")
    country_name: Name
    nuts2016: list[str] = Field(min_length=1)
    nuts2013: list[str] = Field(min_length=1)
    units: list[Unit] = Field(min_length=1)

    @model_validator(mode="after")
    def _units_cover_codes(self) -> Region:
        covered = sorted(c for u in self.units for c in u.nuts2016)
        if covered != sorted(self.nuts2016):
            raise ValueError(f"units cover {covered}, not the region's nuts2016 {self.nuts2016}")
        return self


class RegionCatalogue(Strict):
    """The content of ``data/regions.yaml``."""

    schema_version: int
    regions: list[Region] = Field(min_length=1)
    #: English short names of countries by Eurostat code (for a region outside the pilots).
    countries: dict[str, Name] = {}


@cached_loader
def _load(path: Path) -> RegionCatalogue:
    return load_model(RegionCatalogue, path)


#: The region of the seed briefing (EOCIC 2019): the only one with published numbers to compare
#: against, and the template for content other regions lack.
SEED_REGION = "centre-val-de-loire"

#: The 28 member states of 2019 (NUTS 0 codes; Greece is EL). EU28 aggregates are their sums.
EU28: list[str] = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR",
                   "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI",
                   "SK", "UK"]


def load_regions(path: Path | None = None) -> list[Region]:
    """All pilot regions, in file order.

    Raises:
        ConfigError: the file is missing, malformed or invalid.
    """
    return list(_load(Path(path or paths.REGIONS_FILE)).regions)


def _fold(text: str) -> str:
    """Case- and accent-insensitive key: 'Centre Val de Loire' -> 'centre-val-de-loire'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(text.lower().replace("&", " ").replace("_", " ").replace("-", " ").split())


def resolve_region(text: str) -> Region:
    """Find a region by slug, NUTS code (2016 or 2013) or name, case-insensitively.

    Raises:
        EocicError: unknown region, with the closest match and the valid ids.
    """
    regions = load_regions()
    key = _fold(text)
    for region in regions:
        names = {region.id, _fold(region.name)}
        codes = {c.lower() for c in (*region.nuts2016, *region.nuts2013)}
        if key in names or key in codes:
            return region
    adhoc = nuts2_region(text)
    if adhoc is not None:
        return adhoc
    ids = [r.id for r in regions]
    close = difflib.get_close_matches(key, ids, n=1, cutoff=0.0)
    starts = [i for i in ids if key and i.startswith(key)]
    hint = starts[0] if starts else (close[0] if close else ids[0])
    raise EocicError(
        f"unknown region '{text}'; did you mean {hint}? valid: {', '.join(ids)}"
    )


def resolve_regions(texts: list[str]) -> list[Region]:
    """Resolve many region names; an empty list means all pilot regions."""
    if not texts:
        return load_regions()
    seen: dict[str, Region] = {}
    for text in texts:
        region = resolve_region(text)
        seen.setdefault(region.id, region)
    return list(seen.values())


@cached_loader
def geo_rows(path: Path) -> tuple[tuple[str, str, str, str], ...]:
    """The rows of the snapshot's ``geo.csv`` (geo, name, level, nuts_version), each checked:
    a geo code of its level's form, and a name fit for a page (:func:`name_problem`).

    Raises:
        DataError: one line naming the file, the row and the field.
    """
    rel = path.relative_to(paths.ROOT) if path.is_relative_to(paths.ROOT) else path
    rows = []
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            for n, r in enumerate(csv.DictReader(fh), start=2):
                geo, name = r.get("geo") or "", r.get("name") or ""
                level, version = r.get("level") or "", r.get("nuts_version") or ""
                pattern = GEO_CODE.get(level)
                if pattern is None or not pattern.fullmatch(geo):
                    raise DataError(f"{rel}: row {n}: field 'geo': '{shown(geo, 40)}' is not a "
                                    f"NUTS {level or '?'} code (two capital letters, then one "
                                    "letter or digit per level); fix the row or rebuild the "
                                    "snapshot: eocic data snapshot --raw DIR")
                problem = name_problem(name)
                if problem:
                    raise DataError(f"{rel}: row {n}: field 'name': the name {problem}; fix "
                                    "the row or rebuild the snapshot: eocic data snapshot --raw DIR")
                rows.append((geo, name, level, version))
    except PermissionError:
        raise DataError(f"{rel}: unreadable (permission denied)") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{rel}: corrupt CSV ({shown(exc, 120)}); restore it with git or "
                        "rebuild the snapshot") from None
    return tuple(rows)


def check_geo() -> None:
    """Check the snapshot's ``geo.csv`` (see :func:`geo_rows`) before any work starts.

    Raises:
        DataError: a malformed geo code or name, with file, row and field.
    """
    geo = paths.SNAPSHOT / "geo.csv"
    if geo.exists():
        geo_rows(geo)


@cached_loader
def _geo_names(level: str, version: str) -> dict[str, str]:
    """Names of the snapshot's geo codes of one NUTS level (and version, "" for any)."""
    geo = paths.SNAPSHOT / "geo.csv"
    if not geo.exists():
        return {}
    return {g: name for g, name, lv, v in geo_rows(geo)
            if lv == level and (not version or v == version)}


def country_native_names() -> dict[str, str]:
    """Each country's name as the snapshot's ``geo.csv`` gives it (in its own language)."""
    return {code: name for code, name in _geo_names("0", "").items() if name}


def nuts2_names() -> dict[str, str]:
    """The name of every NUTS 2 (2016) region of the snapshot, by code (as the snapshot's
    ``geo.csv`` gives it, in the region's own language)."""
    return dict(_geo_names("2", "2016"))


def nuts2_region(text: str) -> Region | None:
    """A NUTS 2 (2016) region of the snapshot as a one-unit region, for data-driven notebooks.

    Its id is the lower-case code (e.g. ``de11``); pilot regions are resolved first.
    """
    code = text.strip().upper()
    names = _geo_names("2", "2016")
    if code not in names:
        return None
    name = names[code] or code
    return Region(id=code.lower(), name=name, country=code[:2],
                  country_name=_load(paths.REGIONS_FILE).countries.get(code[:2], code[:2]),
                  nuts2016=[code], nuts2013=[code], units=[Unit(id=code, name=name, nuts2016=[code])])


def all_nuts2_regions() -> list[Region]:
    """Every NUTS 2 (2016) region of the snapshot, pilots first under their own ids."""
    pilots = load_regions()
    in_pilots = {c for r in pilots for c in r.nuts2016}
    rest = [nuts2_region(c) for c in sorted(_geo_names("2", "2016")) if c not in in_pilots]
    return [*pilots, *[r for r in rest if r is not None]]
