"""The catalogue of results (notebooks/results.yaml): every key of results.json is declared once,
with its unit, source and notebook; a notebook glues only what it declares and leaves out
nothing it declares; the book, its templates and the comparison read only declared keys; each
data package carries the catalogue."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from eocic_helpers.core import paths
from eocic_helpers.core.errors import ConfigError
from eocic_helpers.core.pipeline import load_pipeline
from eocic_helpers.core.regions import load_regions
from eocic_helpers.core.results import (
    CATALOGUE_COLUMNS,
    Results,
    Unavailable,
    catalogue_rows,
    load_catalogue,
)
from eocic_helpers.run.params import discover

#: A glue role in MyST text: {glue:text}`key`, {glue:}`key`, {glue:text}`nb.ipynb::key:fmt`.
GLUE_ROLE = re.compile(r"\{glue(?::[a-z]*)?\}`(?:([\w.-]+)\.ipynb::)?([a-z0-9_]+)(?::[^`]*)?`")


def _markdown(nb: Path) -> str:
    cells = json.loads(nb.read_text("utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


# -- the declaration ----------------------------------------------------------------------------

def test_the_catalogue_declares_only_notebooks_of_the_pipeline():
    catalogue, pipeline = load_catalogue(), load_pipeline()
    assert set(catalogue.entries) <= set(pipeline.notebooks)
    for nb, entries in catalogue.entries.items():
        for name, e in entries.items():
            assert e.decl.about and e.decl.unit and e.decl.source, (nb, name)


def test_every_glue_role_of_a_notebook_is_a_key_it_declares():
    catalogue = load_catalogue()
    roles = 0
    for nb in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        for other, key in GLUE_ROLE.findall(_markdown(nb)):
            roles += 1
            owner = other or nb.stem
            assert catalogue.lookup(owner, key) is not None, f"{nb.name}: {{glue}}`{key}`"
    assert roles > 100


def test_every_glue_role_and_results_key_of_the_book_is_declared():
    catalogue = load_catalogue()
    found = []
    for f in sorted(paths.BOOK_TEMPLATES.rglob("*.md")):
        text = f.read_text("utf-8")
        for nb, key in GLUE_ROLE.findall(text):
            assert nb, f"{f.name}: a glue role of the book names its notebook ({key})"
            assert catalogue.lookup(nb, key) is not None, f"{f.name}: {nb}::{key}"
            found.append(key)
        for key in re.findall(r"<!--\s*when:\s*([a-z0-9_]+)\s*-->", text):
            assert catalogue.find(key) is not None, f"{f.name}: when: {key}"
            found.append(key)
        # a template reads results only by key, in its expressions: results.key, results["key"]
        code = " ".join(re.findall(r"\{[{%](.*?)[}%]\}", text, re.S))
        for key in re.findall(r"\bresults(?:\.([a-z_][a-z0-9_]*)|\[['\"]([a-z0-9_]+)['\"]\])",
                              code):
            key = key[0] or key[1]
            if key not in {"get", "items", "keys", "values"}:
                assert catalogue.find(key) is not None, f"{f.name}: results.{key}"
    pipeline = load_pipeline()
    for edition in pipeline.editions:
        for _, page, _ in pipeline.pages(edition):
            if page.when:
                assert catalogue.find(page.when) is not None, f"pipeline.yaml when: {page.when}"
                found.append(page.when)
    assert {"own_briefing_citation", "has_costs"} <= set(found)


#: Calls through which the book, the summary and the comparison read a results key.
_READERS = {"num", "has", "get", "value", "_text", "regions_lacking", "content_status"}
_RECEIVERS = {"res", "results", "flags", "s", "page", "values"}


def _keys_read(tree: ast.AST) -> set[str]:
    """String constants read as results keys: ``res.get("k")``, ``s.num("k")``,
    ``_text(res, "k")``, ``value(flags, "k")``, ``res["k"]``, ``s.results["k"]``."""
    out: set[str] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Call):
            f = n.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            receiver = f.value if isinstance(f, ast.Attribute) else None
            if name not in _READERS:
                continue
            if isinstance(f, ast.Attribute) and not (
                    (isinstance(receiver, ast.Name) and receiver.id in _RECEIVERS)
                    or (isinstance(receiver, ast.Attribute) and receiver.attr == "results")):
                continue
            out |= {a.value for a in n.args if isinstance(a, ast.Constant)
                    and isinstance(a.value, str)}
        elif isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant) and \
                isinstance(n.slice.value, str):
            v = n.value
            if (isinstance(v, ast.Name) and v.id in {"res", "results"}) or (
                    isinstance(v, ast.Attribute) and v.attr == "results"):
                out.add(n.slice.value)
    return out


def test_every_key_the_book_the_summary_and_the_comparison_read_is_declared():
    """And the fidelity checks (data/reference.py) and the reproduction annex."""
    from eocic_helpers.analysis.indicators import load_config
    from eocic_helpers.data import reference

    catalogue = load_catalogue()
    files = [paths.PACKAGE / "analysis" / "comparison.py",
             paths.PACKAGE / "analysis" / "summary.py",
             paths.PACKAGE / "analysis" / "reproduction.py",
             paths.PACKAGE / "data" / "reference.py",
             *sorted((paths.PACKAGE / "book").glob("*.py"))]
    read: set[str] = set()
    for f in files:
        read |= _keys_read(ast.parse(f.read_text("utf-8")))
    read |= set(load_config().comparison)
    read |= set(reference.RESULTS_KEYS.values())
    # what the parser finds: the summary's quotes, the comparison's flags, the book's status
    assert {"gdp_per_capita_eur_text", "has_synthesis", "content_status", "cluster_stars_text",
            "composite_rank_p05", "n_actions"} <= read
    undeclared = sorted(k for k in read if catalogue.find(k) is None)
    assert not undeclared, undeclared


def test_a_number_text_and_a_pattern_are_found_and_an_undeclared_key_is_not():
    catalogue = load_catalogue()
    hit = catalogue.lookup("indicators", "gdp_per_capita_eur_text")
    assert hit is not None and hit.text and hit.entry.name == "gdp_per_capita_eur"
    assert catalogue.lookup("indicators", "region_name_text") is None  # text of a text: no
    assert catalogue.lookup("industrial_change", "dimension_creativity").entry.name == \
        "dimension_{dimension}"
    copy = catalogue.lookup("summary", "summary_gdp_per_capita_eur_text")
    assert copy is not None and copy.origin.entry.decl.unit == "EUR per inhabitant"
    assert catalogue.lookup("summary", "summary_no_such_key") is None
    assert catalogue.lookup("indicators", "gdp_per_capita") is None
    assert catalogue.producers("region_name")[:2] == ["about_study", "indicators"]
    with pytest.raises(ConfigError, match="no notebook declares it"):
        catalogue.require("gdp_per_capita_eur_txt")


def _catalogue(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "results.yaml"
    f.write_text(text)
    return f


@pytest.mark.parametrize(("text", "problem"), [
    ("schema_version: 1\nnotebooks:\n  a:\n    x: {about: x, unit: u, source: s, format: ',.0f'}"
     "\n    x_text: {about: t, unit: u, source: s}\n", "do not declare it again"),
    ("schema_version: 1\nnotebooks:\n  a:\n    x: shared\n", "shared: does not declare it"),
    ("schema_version: 1\nnotebooks:\n  a:\n    x: {about: x, unit: u, source: s, year: y}\n",
     "year: 'y' is not a declared key"),
    ("schema_version: 1\nnotebooks:\n  a:\n    x: {about: x, unit: u, source: s, when: y}\n",
     "when: 'y' is not a declared key"),
    ("schema_version: 1\nnotebooks:\n  a:\n    x: {about: x, unit: u}\n", "source"),
    ("schema_version: 1\nnotebooks:\n  a:\n    X: {about: x, unit: u, source: s}\n",
     "is not a key name"),
])
def test_a_bad_catalogue_is_one_clear_line(tmp_path: Path, text: str, problem: str):
    with pytest.raises(ConfigError) as err:
        load_catalogue(_catalogue(tmp_path, text))
    assert problem in str(err.value) and "\n" not in str(err.value)


def test_results_refuse_an_undeclared_key():
    res = Results({"gdp_per_capita_eur_text": "27 791", "typo": 1})
    assert res["gdp_per_capita_eur_text"] == "27 791"
    assert res.get("has_costs") is None and "has_costs" not in res
    for read in (lambda: res["typo"], lambda: res.get("gdp_per_capita_eur_txt"),
                 lambda: "typo" in res):
        with pytest.raises(ConfigError, match="no notebook declares it"):
            read()


def test_the_runners_key_covers_the_notebooks_declaration(tmp_path: Path):
    from eocic_helpers.core.results import declaration_digest

    text = ("schema_version: 1\nnotebooks:\n  nb:\n    x: {about: x, unit: EUR, source: s, "
            "format: ',.0f'}\n")
    f = _catalogue(tmp_path, text)
    before = declaration_digest("nb", f)
    f.write_text(text.replace("',.0f'", "',.1f'"))
    assert declaration_digest("nb", f) != before
    assert declaration_digest("nb", tmp_path / "none.yaml") == "missing"


def test_catalogue_rows_list_an_undeclared_key_with_empty_columns():
    rows = catalogue_rows({"stray": 1})
    assert rows == [dict.fromkeys(CATALOGUE_COLUMNS, "") | {"key": "stray", "value": "1"}]


# -- against every pilot's run -------------------------------------------------------------------

def _fragments(build: Path) -> list[tuple[str, dict]]:
    out = []
    for f in sorted((build / "runs").glob("*/.cache/*.results.json")):
        fragment = json.loads(f.read_text("utf-8"))
        out.append((f.parent.parent.name, fragment))
    return out


@pytest.mark.study
def test_every_key_of_every_run_is_declared_by_its_notebook(all_pilots_build: Path):
    catalogue = load_catalogue()
    fragments = _fragments(all_pilots_build)
    # the pilots, the cross-region run and the EU-wide step (which glues nothing); the atlas's
    # runs (eocic run --all-nuts2) are checked in tests/test_atlas.py
    assert {region for region, _ in fragments} >= {r.id for r in load_regions()} | {"all", "eu"}
    for region, fragment in fragments:
        for key in fragment["values"]:
            assert catalogue.lookup(fragment["notebook"], key) is not None, (
                region, fragment["notebook"], key)
    for region in [r.id for r in load_regions()] + ["all"]:
        results = json.loads((all_pilots_build / "runs" / region / "results.json").read_text())
        undeclared = [k for k in results if catalogue.find(k) is None]
        assert not undeclared, (region, undeclared)


@pytest.mark.study
def test_every_declared_key_is_produced_by_some_run(all_pilots_build: Path):
    """An unused key fails: each declaration (a pattern included) matches a key some pilot's
    run (or the cross-region run) glued."""
    catalogue = load_catalogue()
    used = set()
    for _, fragment in _fragments(all_pilots_build):
        for key in fragment["values"]:
            hit = catalogue.lookup(fragment["notebook"], key)
            if hit is not None:
                used.add((fragment["notebook"], hit.entry.name))
    atlas = {n for n, spec in discover().items() if spec.atlas}  # tests/test_atlas.py
    unused = sorted((nb, name) for nb, entries in catalogue.entries.items() for name in entries
                    if (nb, name) not in used and nb not in atlas)
    assert not unused, unused


@pytest.mark.study
def test_a_conditional_key_is_published_exactly_when_its_condition_holds(all_pilots_build: Path):
    catalogue = load_catalogue()
    for region, fragment in _fragments(all_pilots_build):
        results = json.loads((all_pilots_build / "runs" / region / "results.json").read_text())
        glued = fragment["values"]
        for name, e in catalogue.entries.get(fragment["notebook"], {}).items():
            if not e.decl.when or e.pattern is not None:
                continue
            assert (name in glued) is bool(results.get(e.decl.when)), (region, name)


# -- what a notebook may glue --------------------------------------------------------------------

SMALL = """schema_version: 1
shared:
  name: {about: a name, unit: text, source: test}
notebooks:
  nb:
    name: shared
    flag: {about: a flag, unit: true/false, source: test}
    amount: {about: an amount, unit: EUR, source: test, format: ",.0f", missing: no amount}
    share: {about: a share, unit: "%", source: test, format: ".1f", when: flag}
    part_{id}: {about: one part, unit: count, source: test}
"""


@pytest.fixture()
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from eocic_helpers.outputs import publication

    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "results.yaml").write_text(SMALL)
    monkeypatch.setattr(paths, "NOTEBOOKS", folder)
    monkeypatch.setattr(publication, "display", lambda *a, **k: None)
    (tmp_path / "staging").mkdir()  # the runner makes the staging folder
    monkeypatch.setenv(publication.OUTPUT_ENV, str(tmp_path / "staging"))
    return publication.Publication(region="r", notebook="nb", output_dir=tmp_path / "staging")


def test_glue_refuses_a_key_the_notebook_does_not_declare(small):
    with pytest.raises(ConfigError) as err:
        small.glue("amount_eur", 3)
    assert "'amount_eur'" in str(err.value) and "notebooks/results.yaml" in str(err.value)
    assert "\n" not in str(err.value)
    assert small.values == {}


def test_glue_all_glues_each_value_as_declared_and_finish_wants_them_all(small):
    small.glue_all({"name": "Somewhere", "flag": True, "amount": 12345.6, "part_a": 2})
    assert small.values["amount_text"] == "12 346"
    with pytest.raises(ConfigError) as err:  # flag is true: share is due
        small.finish()
    assert "did not glue 'share'" in str(err.value)
    small.glue_all({"share": Unavailable("not applicable here")})
    assert small.values["share"] is None and small.values["share_text"] == "not applicable here"
    fragment = json.loads(small.finish().read_text())
    assert set(fragment["values"]) == {"name", "flag", "amount", "amount_text", "part_a",
                                       "share", "share_text"}


def test_finish_refuses_a_key_glued_when_its_condition_is_false(small):
    small.glue_all({"name": "x", "flag": False, "amount": None})
    assert small.values["amount_text"] == "no amount"
    small.glue_all({"share": 1.0})
    with pytest.raises(ConfigError, match="although 'flag' is false"):
        small.finish()


# -- the data package ----------------------------------------------------------------------------

def test_the_data_package_holds_the_catalogue(tmp_path: Path):
    from eocic_helpers.book.package import write_data_package

    src = tmp_path / "centre-val-de-loire"
    src.mkdir()
    results = {"gdp_per_capita_eur": 27791.25, "gdp_per_capita_eur_text": "27 791",
               "gdp_per_capita_year": 2017, "industry_lq_year": 2015, "has_costs": True,
               "region_name": "Centre-Val de Loire", "industry_lq_country": None,
               "summary_gdp_per_capita_eur_text": "27 791"}
    (src / "results.json").write_text(json.dumps(results))
    target = write_data_package(src, tmp_path / "p.zip", epoch=0)
    with zipfile.ZipFile(target) as z:
        text = z.read("centre-val-de-loire-data/results_catalogue.csv").decode()
        readme = z.read("centre-val-de-loire-data/README.md").decode()
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(text))}
    assert list(next(csv.reader(io.StringIO(text)))) == list(CATALOGUE_COLUMNS)
    assert set(rows) == set(results)
    gdp = rows["gdp_per_capita_eur"]
    assert (gdp["notebook"], gdp["value"], gdp["unit"], gdp["year"]) == (
        "indicators", "27791.25", "EUR per inhabitant", "2017")
    assert "tgs00003" in gdp["source"]
    assert rows["gdp_per_capita_eur_text"]["about"].endswith("as the text shows it")
    assert rows["summary_gdp_per_capita_eur_text"]["year"] == "2017"  # a copy keeps its year
    assert rows["industry_lq_country"]["year"] == "2015" and rows["industry_lq_country"][
        "value"] == ""
    assert rows["has_costs"]["value"] == "true"
    assert rows["has_costs"]["source"] == "data/regions/centre-val-de-loire/recommendations.yaml"
    assert rows["region_name"]["notebook"].startswith("about_study, indicators")
    assert "## results_catalogue.csv" in readme and "notebooks/results.yaml" in readme
