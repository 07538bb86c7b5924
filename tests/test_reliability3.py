"""Reliability, round 3 (issue 36): the atlas's map never becomes markup, the book publishes
only what a run promoted, and every bad file is one line before any kernel.

Most cases are unit tests on the functions that guard them, or the command line called in
this process. One test builds a real atlas (HTML, three pages whose runs are written here by
hand with their manifests) from a project whose names carry the payloads that broke out of the
map's fence, and checks what a browser would run and what the site holds.
"""

from __future__ import annotations

import errno
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from eocic_helpers import cli
from eocic_helpers.core import config, paths, promoted
from eocic_helpers.core.errors import ConfigError, DataError, EocicError
from eocic_helpers.core.pipeline import load_pipeline
from eocic_helpers.core.regions import geo_rows, load_regions
from eocic_helpers.outputs import fragments
from eocic_helpers.outputs.escape import csv_cell

#: The payloads of the critical case: a line of three backticks closes the map's fence, then
#: an include of a file outside the project, a download role and a raw-HTML file include.
FENCE_BREAKS = [
    "Evil\n```\n```{literalinclude} /etc/passwd\n```\n```{raw} html",
    "Evil\n```\n{download}`x </etc/passwd>`\n```{raw} html",
    "Evil\n```\n```{raw} html\n:file: data/snapshot/geo.csv\n```\n```{raw} html",
]
#: One-line payloads a name may hold (they pass the name check): shown literally, never run.
ONE_LINE = {
    "DE11": "Stuttgart <script>window.__pwned=1</script>",
    "DE12": "Karlsruhe ``` {literalinclude} /etc/passwd ``` <img src=x onerror=alert(1)>",
    "DE13": "Freiburg {download}`x </etc/passwd>` {raw}`html` :file: x",
}
INVISIBLE = {"RLO": "\u202e", "ZWSP": "\u200b", "ESC": "\x1b", "BEL": "\x07"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- 3. one line for every bad file --------------------------------------------------------

@pytest.mark.parametrize("char", ["\x1b", "\x07", "\x0c", "\x7f", "\ufffe"],
                         ids=["ESC", "BEL", "FF", "DEL", "U+FFFE"])
@pytest.mark.unit
def test_a_raw_control_byte_in_yaml_is_one_line_with_file_and_line(tmp_path: Path, char: str):
    f = tmp_path / "p.yaml"
    f.write_text(f"a: 1\nname: x{char}y\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        config.load_yaml(f)
    message = str(exc.value)
    assert re.search(r"p\.yaml:2: U\+[0-9A-F]{4} ", message), message
    assert "\n" not in message


@pytest.mark.parametrize("name", ["study.yaml", "synthesis.yaml"])
@pytest.mark.cli
def test_a_raw_control_byte_in_a_region_file_is_refused_by_run_before_any_kernel(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        name: str):
    regions = tmp_path / "regions"
    shutil.copytree(paths.REGION_DATA, regions)
    target = regions / "centre-val-de-loire" / name
    target.write_text(target.read_text("utf-8") + "\nnote: \x1b[31mred\n", encoding="utf-8")
    monkeypatch.setattr(paths, "REGION_DATA", regions)
    code = cli.main(["run", "centre-val-de-loire", "--dry-run"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert name in err and "U+001B" in err


@pytest.mark.cli
def test_a_raw_control_byte_in_a_params_file_is_one_line(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]):
    f = tmp_path / "params.yaml"
    f.write_bytes(b"discount_rate: 0.04\x07\n")
    code = cli.main(["run", "centre-val-de-loire", "-f", str(f), "--dry-run"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "U+0007" in err, err


def _declarations(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    shutil.copytree(paths.NOTEBOOKS, folder)
    return folder


@pytest.mark.parametrize("case", ["malformed", "unknown field", "wrong type", "control byte",
                                  "alias bomb", "3 MB"])
@pytest.mark.cli
def test_a_broken_results_catalogue_is_one_line_before_any_kernel(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        case: str):
    folder = _declarations(tmp_path)
    f = folder / "results.yaml"
    text = f.read_text("utf-8")
    bad = {"malformed": text + "\n  - : : [\n",
           "unknown field": text.replace("schema_version: 1", "schema_version: 1\nsurprise: 1", 1),
           "wrong type": text.replace("schema_version: 1", "schema_version: [1]", 1),
           "control byte": text + "\n# \x1b\n",
           "alias bomb": "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
               f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
               for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
           "3 MB": text + "\n# " + "x" * 3_000_000 + "\n"}[case]
    f.write_text(bad, encoding="utf-8")
    monkeypatch.setattr(paths, "NOTEBOOKS", folder)
    for args in (["run", "centre-val-de-loire", "--dry-run"], ["run", "--all-nuts2", "--dry-run"],
                 ["book", "centre-val-de-loire", "--no-pdf"]):
        code = cli.main(args)
        err = capsys.readouterr().err.strip()
        assert code == 2 and len(err.splitlines()) == 1, (args, err)
        assert "results.yaml" in err, err


@pytest.mark.parametrize("read", ["/etc/hostname", "../../etc/hostname", "data/../../x.csv",
                                  "{eu}/../../../etc/passwd"])
@pytest.mark.unit
def test_a_declared_read_outside_the_project_is_refused(tmp_path: Path, read: str):
    folder = _declarations(tmp_path)
    f = folder / "pipeline.yaml"
    data = yaml.safe_load(f.read_text("utf-8"))
    data["notebooks"]["synthesis"]["reads"] = [read]
    f.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError, match="outside the project"):
        load_pipeline(f)


@pytest.mark.parametrize("code", ["12AB", "AB1/../../X", "de11", "DE1\u202e1"])
@pytest.mark.unit
def test_a_malformed_geo_code_is_one_line_with_row_and_field(tmp_path: Path, code: str):
    f = tmp_path / "geo.csv"
    f.write_text(f"geo,name,level,nuts_version\nDE,Deutschland,0,2016\n{code},X,2,2016\n",
                 encoding="utf-8")
    with pytest.raises(DataError, match=r"geo\.csv: row 3: field 'geo'"):
        geo_rows(f)


@pytest.mark.parametrize("payload", [*FENCE_BREAKS, *(f"Name {c} x" for c in INVISIBLE.values()),
                                     "x" * 201],
                         ids=["fence-include", "fence-download", "fence-raw-file",
                              *INVISIBLE, "too-long"])
@pytest.mark.unit
def test_a_name_unfit_for_a_page_is_refused_in_geo_csv(tmp_path: Path, payload: str):
    f = tmp_path / "geo.csv"
    quoted = '"' + payload.replace('"', '""') + '"'
    f.write_text(f"geo,name,level,nuts_version\nDE,Deutschland,0,2016\nDE11,{quoted},2,2016\n",
                 encoding="utf-8")
    with pytest.raises(DataError, match=r"geo\.csv: row 3: field 'name'"):
        geo_rows(f)


@pytest.mark.parametrize("field", ["name", "country_name", "units.0.name"])
@pytest.mark.parametrize("payload", [FENCE_BREAKS[0], "A\u202eB", "A\u200bB", "A\x07B"],
                         ids=["fence", "RLO", "ZWSP", "BEL"])
@pytest.mark.unit
def test_a_name_unfit_for_a_page_is_refused_in_regions_yaml(tmp_path: Path, field: str,
                                                            payload: str):
    data = yaml.safe_load(paths.REGIONS_FILE.read_text("utf-8"))
    target = data["regions"][1]
    if field == "units.0.name":
        target["units"][0]["name"] = payload
    else:
        target[field] = payload
    f = tmp_path / "regions.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_regions(f)
    assert "regions.yaml" in str(exc.value) and field.split(".")[-1] in str(exc.value)


@pytest.mark.unit
def test_the_committed_names_pass_the_checks():
    assert len(geo_rows(paths.SNAPSHOT / "geo.csv")) > 300
    assert len(load_regions()) == 10


@pytest.mark.parametrize("args", [["run", "--all-nuts2", "--dry-run"], ["book", "--all-nuts2"],
                                  ["run", "saxony", "--dry-run"], ["book", "saxony", "--no-pdf"]])
@pytest.mark.cli
def test_run_and_book_refuse_a_malformed_geo_code_in_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        args: list[str]):
    snapshot = tmp_path / "snapshot"
    shutil.copytree(paths.SNAPSHOT, snapshot)
    geo = snapshot / "geo.csv"
    geo.write_text(geo.read_text("utf-8") + "AB1/../../X,Evil,2,2016\n", encoding="utf-8")
    monkeypatch.setattr(paths, "SNAPSHOT", snapshot)
    code = cli.main(args)
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "geo.csv: row" in err and "field 'geo'" in err


# -- 2. the book publishes only what a run promoted ----------------------------------------

@pytest.fixture
def fake_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A run of region ``zz`` written by hand: a notebook, a figure and a table, with the
    manifest a promotion writes."""
    monkeypatch.setattr(paths, "RUNS", tmp_path / "runs")
    run = paths.run_dir("zz")
    for rel, body in {"atlas.ipynb": "{}", "figures/map.svg": "<svg/>",
                      "figures/map.csv": "a,b\n1,2\n", "tables/t.csv": "x\n1\n"}.items():
        (run / rel).parent.mkdir(parents=True, exist_ok=True)
        (run / rel).write_text(body)
    files = {rel: _sha(run / rel) for rel in ("atlas.ipynb", "figures/map.svg",
                                               "figures/map.csv", "tables/t.csv")}
    (run / ".cache").mkdir()
    (run / ".cache" / "atlas.manifest.json").write_text(json.dumps({"key": "k", "files": files}))
    return run


@pytest.mark.unit
def test_promoted_files_are_given_when_they_are_what_the_run_promoted(fake_run: Path):
    got = promoted.promoted_files("zz", ["atlas"])
    assert sorted(got) == ["atlas.ipynb", "figures/map.csv", "figures/map.svg", "tables/t.csv"]


def _refused(match: str) -> None:
    with pytest.raises(EocicError) as exc:
        promoted.promoted_files("zz", ["atlas"])
    message = str(exc.value)
    assert match in message and "eocic run zz" in message, message


@pytest.mark.unit
def test_an_edited_output_is_refused(fake_run: Path):
    (fake_run / "figures" / "map.csv").write_text("a,b\n1,3\n")
    _refused("figures/map.csv: changed since the run promoted it")


@pytest.mark.unit
def test_an_output_replaced_by_a_link_is_refused(fake_run: Path, tmp_path: Path):
    outside = tmp_path / "outside.csv"
    outside.write_text("a,b\n1,2\n")  # the same bytes: only the link gives it away
    (fake_run / "figures" / "map.csv").unlink()
    (fake_run / "figures" / "map.csv").symlink_to(outside)
    _refused("figures/map.csv: is a symbolic link")


@pytest.mark.unit
def test_a_file_no_manifest_owns_is_refused(fake_run: Path, tmp_path: Path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (fake_run / "figures" / "zz.csv").symlink_to(outside)
    _refused("figures/zz.csv: no task manifest owns it")


@pytest.mark.parametrize("body", ["garbage{", json.dumps({"files": ["x"]}),
                                  json.dumps({"files": {"../../etc/passwd": "0" * 64}})],
                         ids=["not JSON", "no files", "climbs out"])
@pytest.mark.unit
def test_a_corrupt_manifest_is_refused(fake_run: Path, body: str):
    (fake_run / ".cache" / "atlas.manifest.json").write_text(body)
    _refused("atlas.manifest.json: corrupt task manifest")


@pytest.mark.unit
def test_a_linked_results_file_is_refused(fake_run: Path, tmp_path: Path):
    (tmp_path / "r.json").write_text("{}")
    (fake_run / "results.json").symlink_to(tmp_path / "r.json")
    with pytest.raises(EocicError, match="results.json: is a symbolic link"):
        promoted.published_results("zz")


@pytest.fixture
def tampered_build(e2e_build: Path, tmp_path: Path) -> Path:
    """A copy of the shared Centre-Val de Loire run (tests may change it)."""
    build = tmp_path / "build"
    shutil.copytree(e2e_build / "runs", build / "runs", symlinks=True)
    return build


@pytest.mark.study
@pytest.mark.parametrize("tamper", ["garbage manifest + outside link", "edited figure",
                                    "linked figure"])
def test_eocic_book_refuses_a_tampered_run_in_one_line(tampered_build: Path, tmp_path: Path,
                                                       tamper: str):
    from conftest import run_cli

    run = tampered_build / "runs" / "centre-val-de-loire"
    secret = tmp_path / "secret.csv"
    secret.write_text("outside,the,project\n")
    figure = sorted((run / "figures").glob("*.csv"))[0]
    if tamper == "garbage manifest + outside link":
        (run / ".cache" / "indicators.manifest.json").write_text("garbage")
        (run / "figures" / "zz.csv").symlink_to(secret)
    elif tamper == "edited figure":
        figure.write_text(figure.read_text() + "1,2\n")
    else:
        figure.unlink()
        figure.symlink_to(secret)
    proc = run_cli("book", "centre-val-de-loire", "--no-pdf", "--force", build=tampered_build)
    err = proc.stderr.strip()
    assert proc.returncode == 2 and len(err.splitlines()) == 1, err
    assert "eocic run centre-val-de-loire" in err
    assert not (tampered_build / "site").exists() or not any(
        "outside,the,project" in f.read_text(errors="replace")
        for f in (tampered_build / "site").rglob("*") if f.is_file())


@pytest.mark.study
def test_eocic_run_repairs_a_corrupt_manifest_without_a_traceback(tampered_build: Path):
    from conftest import run_cli

    run = tampered_build / "runs" / "centre-val-de-loire"
    (run / ".cache" / "synthesis.manifest.json").write_text("garbage")
    proc = run_cli("run", "centre-val-de-loire", "--dry-run", build=tampered_build)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert re.search(r"^run\s+centre-val-de-loire.*synthesis", proc.stdout, re.M), proc.stdout


# -- 4. honest messages --------------------------------------------------------------------

def _deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """Make ``denied`` unreadable to the fragments module (a mode-000 file, even as root)."""
    real = open

    def fake_open(path, *args, **kwargs):
        if Path(path) == denied:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(fragments, "open", fake_open, raising=False)


def _results_run(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    (run / ".cache").mkdir(parents=True)
    (run / ".cache" / "a.results.json").write_text(json.dumps({"notebook": "a", "values": {"k": 1}}))
    (run / "results.json").write_text(json.dumps({"k": 1}))
    (run / "_owners.json").write_text(json.dumps({"k": "a"}))
    return run


@pytest.mark.unit
def test_an_unreadable_results_file_is_reported_as_unreadable(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path):
    run = _results_run(tmp_path)
    assert fragments.results_problem(run) is None
    _deny(monkeypatch, run / "results.json")
    assert fragments.results_problem(run) == "unreadable (permission denied)"


@pytest.mark.unit
def test_an_unreadable_fragment_is_reported_as_unreadable(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path):
    run = _results_run(tmp_path)
    _deny(monkeypatch, run / ".cache" / "a.results.json")
    assert fragments.results_problem(run) == "unreadable: .cache/a.results.json (permission denied)"


@pytest.mark.unit
def test_a_full_disk_names_the_destination():
    exc = OSError(errno.ENOSPC, "No space left on device", "build/runs/x/figures/a.svg", None,
                  "build/site/x/_images/a.svg")
    line = cli._os_error_line(exc)
    assert "build/site/x/_images/a.svg" in line and "build/runs" not in line
    assert "No space left on device" in line


@pytest.mark.parametrize("cell", [" =HYPERLINK(\"http://x\")", "  +cmd|' /C calc'!A0",
                                  "\n@SUM(1)", "\u00a0-2+3*cmd"])
@pytest.mark.unit
def test_a_formula_after_leading_blanks_is_neutralised(cell: str):
    assert csv_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", [" -0.5", "  +20.1", "plain text", "-3"])
@pytest.mark.unit
def test_numbers_and_text_after_blanks_are_kept(cell: str):
    assert csv_cell(cell) == cell


@pytest.mark.cli
def test_a_huge_list_of_parameters_is_refused_before_argparse(capsys: pytest.CaptureFixture[str]):
    argv = ["run", "centre-val-de-loire"] + ["-p", "discount_rate", "0.04"] * 50_000
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "50000 -p pairs" in err and "-f" in err


# -- 5. missing glyphs ---------------------------------------------------------------------

@pytest.mark.unit
def test_a_pdf_whose_fonts_lack_a_glyph_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path):
    from eocic_helpers.book import editions

    monkeypatch.setattr(paths, "BOOKS", tmp_path / "books")
    latex = tmp_path / "books" / ".zz-pdf" / "_build" / "latex"

    def fake_build(src: Path, builder: str, out: Path, report: bool = False) -> Path:
        latex.mkdir(parents=True, exist_ok=True)
        (latex / "eocic-zz.pdf").write_bytes(b"%PDF-1.5\n")
        (latex / "eocic-zz.log").write_text(
            "Missing character: There is no \u1100 (U+1100) in font FreeSerif:mode=node;!\n"
            "Missing character: There is no \U0001f1eb (U+1F1EB) in font FreeSerif:mode=node;!\n"
            "Missing character: There is no \u1100 (U+1100) in font FreeSans:mode=node;!\n")
        return out / "_build"

    monkeypatch.setattr(editions, "run_book", fake_build)
    with pytest.raises(EocicError) as exc:
        editions._build_pdf(tmp_path / "src", "zz", fresh=True)
    message = str(exc.value)
    assert "U+1100" in message and "U+1F1EB" in message and "no glyph" in message
    assert editions.missing_glyphs(latex / "eocic-zz.log") == [("\u1100", "U+1100"),
                                                                ("\U0001f1eb", "U+1F1EB")]


# -- 1. a markup-proof map and atlas -------------------------------------------------------

def _notebook(title: str) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [{"id": "a", "cell_type": "markdown", "metadata": {},
                   "source": f"# {title}\n\nA page of the atlas."}]}


def _promote(run: Path, notebook: str, files: dict[str, str]) -> None:
    for rel, body in files.items():
        (run / rel).parent.mkdir(parents=True, exist_ok=True)
        (run / rel).write_text(body, encoding="utf-8")
    (run / ".cache").mkdir(parents=True, exist_ok=True)
    manifest = {"key": "test", "region": run.name, "notebook": notebook,
                "files": {rel: _sha(run / rel) for rel in files}, "reads": []}
    (run / ".cache" / f"{notebook}.manifest.json").write_text(json.dumps(manifest))


@pytest.fixture(scope="module")
def hostile_atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An atlas (and the landing page) built from a project whose geo.csv names and one pilot's
    name carry one-line payloads; the three regions' runs and the EU-wide map paths are written
    here with their manifests, as a promotion writes them."""
    tmp = tmp_path_factory.mktemp("hostile-atlas")
    root, build = tmp / "root", tmp / "build"
    for part in ("data", "book", "notebooks"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copy(ROOT / "requirements.lock", root / "requirements.lock")
    geo = root / "data" / "snapshot" / "geo.csv"
    lines = geo.read_text("utf-8").splitlines()
    for k, line in enumerate(lines):
        code = line.split(",", 1)[0]
        if code in ONE_LINE:
            rest = line.rsplit(",", 2)
            lines[k] = f'{code},"{ONE_LINE[code]}",{rest[-2]},{rest[-1]}'
    geo.write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest = root / "data" / "snapshot" / "MANIFEST.json"  # as a careful attacker would
    data = json.loads(manifest.read_text("utf-8"))
    data["files"]["geo.csv"].update(sha256=_sha(geo), bytes=geo.stat().st_size,
                                    lines=len(geo.read_text("utf-8").splitlines()))
    manifest.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    regions = yaml.safe_load((root / "data" / "regions.yaml").read_text("utf-8"))
    regions["regions"][1]["name"] += " <script>window.__pwned=2</script> ``` {download}`y </etc/passwd>`"
    (root / "data" / "regions.yaml").write_text(yaml.safe_dump(regions, sort_keys=False,
                                                               allow_unicode=True))
    square = "M 0 0 L 100 0 L 100 100 Z"
    paths_csv = "geo,level,eu28,d\n" + "".join(f"{c},2,True,{square}\n" for c in ONE_LINE) + \
        "DE,0,True,M 0 0 L 400 0 L 400 400 Z\n"
    _promote(build / "runs" / "eu", "eu_tables", {"tables/eu_map_paths.csv": paths_csv})
    for code, name in ONE_LINE.items():
        _promote(build / "runs" / code.lower(), "atlas",
                 {"atlas.ipynb": json.dumps(_notebook(html.escape(name)))})
    env = dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(build))
    proc = subprocess.run([sys.executable, "-m", "eocic_helpers.cli", "book", "--all-nuts2"],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-2000:])
    return build


def _live(page: Path) -> tuple[list[str], list[str]]:
    from test_hostile_content import _Live

    live = _Live()
    live.feed(page.read_text("utf-8"))
    return live.scripts, live.handlers


@pytest.mark.study
def test_the_atlas_and_landing_page_run_no_script_from_a_name(hostile_atlas: Path):
    site = hostile_atlas / "site"
    pages = [*(site / "atlas").rglob("*.html"), site / "index.html"]
    assert len(pages) >= 4
    for page in pages:
        scripts, handlers = _live(page)
        assert not [s for s in scripts if "__pwned" in s or "alert(" in s], page
        assert not [h for h in handlers if "alert(" in h or "__pwned" in h], page
    svg = (site / "atlas" / "_static" / "eocic-map.svg").read_text("utf-8")
    assert "<script" not in svg and "&lt;script&gt;" in svg and 'target="_top"' in svg


@pytest.mark.study
def test_the_atlas_shows_the_names_literally_and_holds_no_byte_from_outside(hostile_atlas: Path):
    site = hostile_atlas / "site"
    intro = site / "atlas" / "intro.html"
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", intro.read_text("utf-8"))).split())
    for name in ONE_LINE.values():
        assert name in text, name
    assert "eocic-map.svg" in intro.read_text("utf-8")
    secrets = [Path(p).read_text(errors="replace").strip() for p in ("/etc/passwd", "/etc/hostname")
               if Path(p).exists()]
    for f in site.rglob("*"):
        if f.is_file() and f.suffix in {".html", ".js", ".txt", ".svg", ".csv", ".json"}:
            body = f.read_text(errors="replace")
            assert "root:x:0:0" not in body, f
            assert "nuts_version" not in body, f  # no raw include of geo.csv
            assert not [s for s in secrets if len(s) > 12 and s in body], f
    assert not list(site.rglob("passwd")) and not list((site / "atlas").rglob("_downloads/*"))


@pytest.mark.study
def test_a_name_that_would_break_the_fence_stops_the_atlas_in_one_line(hostile_atlas: Path,
                                                                        tmp_path: Path):
    root = hostile_atlas.parent / "root"
    geo = root / "data" / "snapshot" / "geo.csv"
    kept = geo.read_text("utf-8")
    before = {f: f.stat().st_mtime_ns for f in (hostile_atlas / "site").rglob("*.html")}
    try:
        geo.write_text(kept.replace(ONE_LINE["DE11"], FENCE_BREAKS[0].replace('"', "")),
                       encoding="utf-8")
        env = dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(hostile_atlas))
        for args in (["book", "--all-nuts2"], ["run", "--all-nuts2", "--dry-run"]):
            proc = subprocess.run([sys.executable, "-m", "eocic_helpers.cli", *args],
                                  capture_output=True, text=True, env=env, cwd=ROOT)
            err = proc.stderr.strip()
            assert proc.returncode == 2 and len(err.splitlines()) == 1, err
            assert "geo.csv: row" in err and "field 'name'" in err and "line break" in err
    finally:
        geo.write_text(kept, encoding="utf-8")
    assert before == {f: f.stat().st_mtime_ns for f in (hostile_atlas / "site").rglob("*.html")}


@pytest.mark.browser
def test_headless_chromium_runs_no_script_from_a_name(hostile_atlas: Path,
                                                      tmp_path_factory: pytest.TempPathFactory):
    """The landing page, the atlas's first page (with its map object) and an atlas page, each
    loaded in headless Chromium: nothing a name carries runs (``window.__pwned`` stays unset,
    in the page and in the map's document)."""
    import functools
    import http.server
    import threading

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(hostile_atlas / "site"))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        opts.add_argument(flag)
    web = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    try:
        for page in ("index.html", "atlas/intro.html", "atlas/de11/index.html",
                     "atlas/_static/eocic-map.svg"):
            web.get(base + page)
            web.execute_script("return document.readyState")
            assert web.execute_script("return window.__pwned === undefined && "
                                      "!document.querySelector('img[onerror]')"), page
        web.get(base + "atlas/intro.html")
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(web, 15).until(lambda w: w.execute_script(
            "const o = document.querySelector('object.eocic-map');"
            "return !!(o && o.contentDocument && o.contentDocument.querySelector('a'))"))
        inner = web.execute_script(
            "const o = document.querySelector('object.eocic-map');"
            "return o && o.contentDocument ? [o.contentWindow.__pwned === undefined,"
            " o.contentDocument.querySelectorAll('a').length] : null")
        assert inner == [True, len(ONE_LINE)], inner
    finally:
        web.quit()
        server.shutdown()


@pytest.mark.study
def test_a_corrupt_atlas_manifest_is_one_line_from_book_and_repaired_by_run(hostile_atlas: Path):
    root = hostile_atlas.parent / "root"
    manifest = hostile_atlas / "runs" / "de12" / ".cache" / "atlas.manifest.json"
    kept = manifest.read_bytes()
    env = dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(hostile_atlas))
    try:
        manifest.write_text("{not json")
        book = subprocess.run([sys.executable, "-m", "eocic_helpers.cli", "book", "--all-nuts2"],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        err = book.stderr.strip().splitlines()[-1]
        assert book.returncode == 2 and "Traceback" not in book.stderr, book.stderr
        assert "atlas.manifest.json: corrupt task manifest" in err and "eocic run de12" in err
        run = subprocess.run([sys.executable, "-m", "eocic_helpers.cli", "run", "--all-nuts2",
                              "--dry-run"], capture_output=True, text=True, env=env, cwd=ROOT)
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        assert re.search(r"^run\s+de12\b", run.stdout, re.M), run.stdout[:500]
    finally:
        manifest.write_bytes(kept)
