"""The briefing's prose as data: the synthesis (SWOT, PEST, challenges, the strategy's
skeleton), study method, chapter 2 framing, strategy, interventions and EU initiatives, each
statement in the project's own words with its section or footnote.

One YAML file per part under ``data/regions/<region>/``: :func:`load_part` reads one and checks
it against its schema (:mod:`eocic_helpers.analysis.content_schema`), its reference values, its
ids and evidence (``synthesis.yaml``) or the skeleton of ``synthesis.yaml`` (the strategy and
the recommendations), with file:line:field errors. The book's text is written from
the loaded parts by :mod:`eocic_helpers.analysis.content_render`; ``eocic scaffold`` writes
commented templates (:mod:`eocic_helpers.analysis.scaffold`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eocic_helpers.analysis.claims import CLAIM_IDS
from eocic_helpers.analysis.content_schema import (
    PARTS,
    PEST,
    Recommendations,
    Strategy,
    Study,
    Synthesis,
    check_references,
)
from eocic_helpers.core import paths
from eocic_helpers.core.config import line_of, load_yaml, project_path, shown, validate
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.data import recipes
from eocic_helpers.data.eocic_values import load_eocic
from eocic_helpers.data.reference import load_reference


def content_file(region_id: str, part: str) -> Path:
    """``data/regions/<region>/<part>.yaml``."""
    return paths.region_data_dir(region_id) / PARTS[part][0]


def load_part(region_id: str, part: str, path: Path | None = None) -> Any:
    """A region's content part, or ``None`` when the region has none yet.

    Raises:
        ConfigError: malformed YAML, a schema violation, a typed number, an unknown reference
            or evidence, or an id used twice, naming file, line and field; or a file written
            for another region.
    """
    _, model, _ = PARTS[part]
    path = Path(path or content_file(region_id, part))
    if not path.exists():
        return None
    data = load_yaml(path)
    result = validate(model, data, path)
    if result.region != region_id:
        raise ConfigError(
            f"{project_path(path)}:{line_of(path, ('region',))}: field 'region': says "
            f"'{shown(result.region)}' but the file is for region '{region_id}'; set "
            f"region: {region_id}, or move the file to that region's folder")
    if part == "synthesis":
        _check_ids(result, path)
        _check_evidence(result, path)
    check_references(result, path)
    if part == "strategy":
        _check_strategy(region_id, result, path)
    if part == "recommendations":
        _check_recommendations(region_id, result, path)
    return result


def _check_ids(model: Synthesis, path: Path) -> None:
    """Each id of ``synthesis.yaml`` is used once: ids are cited by other items (challenges
    cite SWOT ids, objectives cite challenges, the strategy map links interventions), so each
    kind of id must be unique."""
    groups: list[tuple[str, list[tuple[tuple[str | int, ...], str]]]] = [
        ("SWOT", [(("swot", q, k), i.id) for q, items in model.swot_items().items()
                  for k, i in enumerate(items)]),
        ("PEST", [(("pest", q, k), i.id) for q in PEST
                  for k, i in enumerate(getattr(model.pest, q))]),
        ("challenge", [(("challenges", k), c.id) for k, c in enumerate(model.challenges)]),
        ("objective", [(("specific_objectives", k), o.id)
                       for k, o in enumerate(model.specific_objectives)]),
        ("intervention", [((f, k), i.id) for f in ("interventions", "high_impact_actions")
                          for k, i in enumerate(getattr(model, f))]),
    ]
    for kind, entries in groups:
        seen: dict[str, str] = {}
        for loc, item_id in entries:
            field = ".".join(str(p) for p in loc)
            if item_id in seen:
                line = line_of(path, (*loc, "id"))
                raise ConfigError(
                    f"{project_path(path)}:{line}: field '{field}.id': duplicate {kind} id "
                    f"'{shown(item_id)}' (first used at {seen[item_id]}); give each its own id")
            seen[item_id] = field


def _check_evidence(model: Synthesis, path: Path) -> None:
    """The evidence a SWOT item cites (a reference value, an EOCIC scoreboard indicator or a
    snapshot indicator) and the claims that test it are known."""
    evidence = (set(load_reference().index) | set(load_eocic("ecosystem_scoreboard")["indicator"])
                | set(recipes.indicators()))
    checks = [("evidence", "evidence", evidence, "cite a reference, EOCIC or snapshot id"),
              ("test", "claim", CLAIM_IDS,
               f"name one of section 1.2's claims: {', '.join(sorted(CLAIM_IDS))}")]
    for q, items in model.swot_items().items():
        for k, item in enumerate(items):
            for field, what, known, hint in checks:
                for ref in getattr(item, field):
                    if ref not in known:
                        line = line_of(path, ("swot", q, k))
                        raise ConfigError(f"{path}:{line}: field 'swot.{q}.{k}.{field}': unknown "
                                          f"{what} '{ref}'; {hint}")


def _check_strategy(region_id: str, strategy: Strategy, path: Path) -> None:
    synthesis = load_part(region_id, "synthesis")
    if synthesis is None:
        raise ConfigError(f"{project_path(path)}: chapter 3 builds on the objectives and interventions "
                          f"of data/regions/{region_id}/synthesis.yaml, which is missing")
    known = {"objectives": {o.id for o in synthesis.specific_objectives},
             "interventions": {i.id for i in synthesis.interventions},
             "high_impact_actions": {i.id for i in synthesis.high_impact_actions}}
    for field, ids in known.items():
        for k, meaning in enumerate(getattr(strategy, field)):
            if meaning.of not in ids:
                line = line_of(path, (field, k, "of"))
                raise ConfigError(
                    f"{project_path(path)}:{line}: field '{field}.{k}.of': '{meaning.of}' is not among "
                    f"the {field.replace('_', ' ')} of synthesis.yaml ({', '.join(sorted(ids))})")


def _check_recommendations(region_id: str, recs: Recommendations, path: Path) -> None:
    synthesis = load_part(region_id, "synthesis")
    if synthesis is None:
        return
    ids = {i.id for i in synthesis.interventions}
    for k, rec in enumerate(recs.interventions):
        if rec.id not in ids:
            line = line_of(path, ("interventions", k, "id"))
            raise ConfigError(
                f"{project_path(path)}:{line}: field 'interventions.{k}.id': '{rec.id}' is not an "
                f"intervention of synthesis.yaml ({', '.join(sorted(ids))})")


def check_region_content(region_id: str) -> None:
    """Load and check every content part a region has (the runner's preflight, declared in
    ``notebooks/pipeline.yaml``).

    Raises:
        ConfigError: the first problem, naming file, line and field.
    """
    for part in PARTS:
        load_part(region_id, part)


# -- the values the content chapters glue -------------------------------------------------------

def study_values(region: Any, study: Study | None) -> dict[str, Any]:
    """Every value the about_study chapter glues (its keys in ``notebooks/results.yaml``)."""
    return {"region_name": region.name, "has_study": study is not None}


def recommendations_values(region: Any, recs: Recommendations | None) -> dict[str, Any]:
    """Every value the interventions chapter glues (its keys in ``notebooks/results.yaml``):
    whether the region's recommendations are restated, how many, and each one's risks."""
    out: dict[str, Any] = {"region_name": region.name, "has_recommendations": recs is not None}
    if recs is not None:
        out["n_recommended_interventions"] = len(recs.interventions)
        out.update({f"n_risks_{rec.id}": len(rec.risks) for rec in recs.interventions})
    return out
