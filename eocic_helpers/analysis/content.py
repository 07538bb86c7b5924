"""The briefing's prose as data: study method, chapter 2 framing, strategy, interventions and
EU initiatives, each statement in the project's own words with its section or footnote.

One YAML file per part under ``data/regions/<region>/``: :func:`load_part` reads one and checks
it against its schema (:mod:`eocic_helpers.analysis.content_schema`), its reference values and
the skeleton of ``synthesis.yaml``, with file:line:field errors. The book's text is written from
the loaded parts by :mod:`eocic_helpers.analysis.content_render`; ``eocic scaffold`` writes
commented templates (:mod:`eocic_helpers.analysis.scaffold`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eocic_helpers.analysis.content_schema import (
    PARTS,
    Recommendations,
    Strategy,
    Study,
    check_references,
)
from eocic_helpers.analysis.synthesis import load_synthesis
from eocic_helpers.core import paths
from eocic_helpers.core.config import line_of, load_yaml, project_path, validate
from eocic_helpers.core.errors import ConfigError


def content_file(region_id: str, part: str) -> Path:
    """``data/regions/<region>/<part>.yaml``."""
    return paths.region_data_dir(region_id) / PARTS[part][0]


def load_part(region_id: str, part: str, path: Path | None = None) -> Any:
    """A region's content part, or ``None`` when the region has none yet.

    Raises:
        ConfigError: malformed YAML, a schema violation, a typed number or an unknown
            reference, naming file, line and field; or a file written for another region.
    """
    name, model, _ = PARTS[part]
    path = Path(path or content_file(region_id, part))
    if not path.exists():
        return None
    data = load_yaml(path)
    result = validate(model, data, path)
    if result.region != region_id:
        line = line_of(path, ("region",))
        raise ConfigError(f"{project_path(path)}:{line}: field 'region': '{result.region}' is not "
                          f"'{region_id}'; this file belongs to another region")
    check_references(result, path)
    if part == "strategy":
        _check_strategy(region_id, result, path)
    if part == "recommendations":
        _check_recommendations(region_id, result, path)
    return result


def _check_strategy(region_id: str, strategy: Strategy, path: Path) -> None:
    synthesis = load_synthesis(region_id)
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
    synthesis = load_synthesis(region_id)
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
