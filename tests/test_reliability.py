"""Reliability, round 2 (issue 23): the 13 cases that did not hold, each reproduced as the issue
describes it and checked for its one-line error, exit code, time bound and intact earlier outputs.

Fast cases run the command line against a copy of the project or an isolated build folder and
start no kernel. The cases that need a real run (a deleted results.json through ``eocic book``)
or a Dask cluster (a worker or the scheduler killed mid-run) are marked slow, and each is bounded
in time.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, copy_build, eocic_main, one_notebook_project

from eocic_helpers import cli
from eocic_helpers.core import config, paths
from eocic_helpers.outputs import escape
from eocic_helpers.run import params as prm
from eocic_helpers.run import runner

CVL = "centre-val-de-loire"
#: What an earlier run left: every refusal must keep it byte for byte.
EARLIER = "last good output\n"


def _project(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A copy of the project's inputs (to plant bad files in), its own build folder with an
    earlier output in it, and the environment that points ``eocic`` at both."""
    root = tmp_path / "root"
    for part in ("data", "notebooks", "book"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copy(ROOT / "requirements.lock", root / "requirements.lock")
    build = tmp_path / "build"
    (build / "runs").mkdir(parents=True)
    (build / "runs" / "earlier.txt").write_text(EARLIER)
    return root, build, dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(build))


def _eocic(env: dict[str, str], *args: str, timeout: float = 60.0, process: bool = False
           ) -> tuple[subprocess.CompletedProcess[str], float]:
    """``eocic ARGS`` and its seconds: in this process (a refusal), or with ``process`` as a
    process of its own, bounded by ``timeout`` (a real run, or a case that could hang)."""
    start = time.monotonic()
    if process:
        proc = subprocess.run([sys.executable, "-m", "eocic_helpers.cli", *args],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)
    else:
        proc = eocic_main(*args, env=env)
    return proc, time.monotonic() - start


def _one_line(proc: subprocess.CompletedProcess[str], expected: str, code: int = 2) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert expected in lines[0], lines[0]
    return lines[0]


def _intact(build: Path) -> None:
    """The earlier output is there, unchanged, and nothing else was written."""
    assert (build / "runs" / "earlier.txt").read_text() == EARLIER
    assert sorted(p.name for p in (build / "runs").iterdir()) == ["earlier.txt"]


# -- 1, 2. results.json is derived: a deleted or edited one heals ---------------------------

@pytest.fixture()
def build(tmp_path: Path, monkeypatch) -> Path:
    """An isolated build folder (in this process) where centre-val-de-loire/action_plan is a
    cache hit whose fragment holds two values, with results.json as a run leaves it."""
    build = tmp_path / "build"
    monkeypatch.setattr(paths, "BUILD", build)
    monkeypatch.setattr(paths, "RUNS", build / "runs")
    [task] = runner.plan([CVL], prm.select(prm.discover(), ["action_plan"]), {})
    fragment = {"region": CVL, "notebook": "action_plan", "figures": [],
                "values": {"n_actions": 16, "plan_owner": "Dev'Up"}}
    runner.atomic.write_json(runner.fragment_file(CVL, "action_plan"), fragment)
    runner.write_results(CVL)
    runner.atomic.write_json(runner.manifest_file(CVL, "action_plan"),
                             {"key": task.key, "files": {}, "reads": []})
    assert runner.is_fresh(task)
    (build / "runs" / "earlier.txt").write_text(EARLIER)
    return build


def _cached_run(capsys) -> tuple[int, str]:
    start = time.monotonic()
    rc = cli.main(["run", CVL, "-n", "action_plan", "-q"])
    assert time.monotonic() - start < 30
    return rc, capsys.readouterr().err


@pytest.mark.cli
def test_1_a_deleted_results_json_is_rebuilt_on_a_cached_run(build: Path, capsys):
    results = build / "runs" / CVL / "results.json"
    good = results.read_bytes()
    results.unlink()
    rc, err = _cached_run(capsys)
    assert rc == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "results.json: missing; rebuilt from the notebooks' fragments" \
        in lines[0], err
    assert results.read_bytes() == good  # every key back, not {}
    assert json.loads(good) == {"n_actions": 16, "plan_owner": "Dev'Up"}
    assert (build / "runs" / "earlier.txt").read_text() == EARLIER
    rc, err = _cached_run(capsys)  # healed: the next run has nothing to say
    assert rc == 0 and err == ""


@pytest.mark.cli
def test_1_a_promotion_after_a_deletion_never_publishes_results_json_empty(build: Path, capsys):
    """The issue's second path: a task runs after the deletion. Its promotion rebuilds the other
    notebooks' keys first, then merges its own."""
    results = build / "runs" / CVL / "results.json"
    results.unlink()
    staging = build / "runs" / ".staging" / "one"
    staging.mkdir(parents=True)
    (staging / "synthesis.ipynb").write_text(json.dumps({"cells": [], "metadata": {}}))
    (staging / "synthesis.results.json").write_text(json.dumps(
        {"region": CVL, "notebook": "synthesis", "values": {"n_swot": 29}, "figures": []}))
    runner.promote(runner.Task(CVL, "synthesis", "synthesis.ipynb", {}, key="k"), staging)
    assert "results.json: missing; rebuilt" in capsys.readouterr().err
    assert json.loads(results.read_text()) == {"n_actions": 16, "n_swot": 29,
                                               "plan_owner": "Dev'Up"}


@pytest.mark.cli
@pytest.mark.parametrize("edit", ["value", "added", "removed"])
def test_2_an_edited_results_json_heals_on_the_next_run(build: Path, capsys, edit: str):
    results = build / "runs" / CVL / "results.json"
    good = results.read_bytes()
    data = json.loads(good)
    if edit == "value":
        data["n_actions"] = 17  # a value changed by hand
    elif edit == "added":
        data["invented"] = 1
    else:
        del data["plan_owner"]
    results.write_text(json.dumps(data))
    rc, err = _cached_run(capsys)
    assert rc == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "results.json: changed since the run wrote it; rebuilt" in lines[0]
    assert results.read_bytes() == good


def test_2_results_json_verification_does_not_depend_on_the_run_order(build: Path):
    """Two notebooks glue the same key: whichever ran last owns it, and that is consistent."""
    run_dir = build / "runs" / CVL
    runner.atomic.write_json(runner.fragment_file(CVL, "zeta"), {
        "region": CVL, "notebook": "zeta", "values": {"n_actions": 99}, "figures": []})
    runner.atomic.write_json(run_dir / "results.json", {"n_actions": 99, "plan_owner": "Dev'Up"})
    runner.atomic.write_json(run_dir / "_owners.json", {"n_actions": "zeta",
                                                        "plan_owner": "action_plan"})
    assert runner.results_problem(run_dir) is None
    runner.atomic.write_json(run_dir / "_owners.json", {"n_actions": "action_plan",
                                                        "plan_owner": "action_plan"})
    assert runner.results_problem(run_dir) is not None  # 99 is not what action_plan glued


@pytest.mark.cli
def test_1_the_book_refuses_a_run_whose_results_json_is_missing(tmp_path: Path):
    build = tmp_path / "build"
    run_dir = build / "runs" / CVL
    (run_dir / ".cache").mkdir(parents=True)
    (run_dir / "action_plan.ipynb").write_text(json.dumps({"cells": [], "metadata": {}}))
    (run_dir / ".cache" / "action_plan.results.json").write_text(json.dumps(
        {"region": CVL, "notebook": "action_plan", "values": {"n_actions": 16}, "figures": []}))
    proc, seconds = _eocic(dict(os.environ, EOCIC_BUILD=str(build)), "book", CVL, "--no-pdf")
    line = _one_line(proc, "results.json: missing; run 'eocic run centre-val-de-loire'")
    assert "notebooks' fragments" in line
    assert not (build / "site").exists() and seconds < 30


@pytest.mark.study
def test_1_deleted_results_json_run_then_book_publishes_every_key(e2e_build: Path,
                                                                  tmp_path: Path):
    """The issue's sequence: rm results.json; eocic run; eocic book. Every key is back in the
    run and in the edition's data package."""
    build = copy_build(e2e_build, tmp_path / "build", regions=["eu", CVL])
    results = build / "runs" / CVL / "results.json"
    good = results.read_bytes()
    assert len(json.loads(good)) > 100
    results.unlink()
    env = dict(os.environ, EOCIC_BUILD=str(build))
    proc, seconds = _eocic(env, "run", CVL, "-q", timeout=300, process=True)
    assert proc.returncode == 0, proc.stderr
    assert "results.json: missing; rebuilt from the notebooks' fragments" in proc.stderr
    assert results.read_bytes() == good
    assert "0 ran" in proc.stdout  # every task stayed a cache hit
    proc, _ = _eocic(env, "book", CVL, "--no-pdf", timeout=600, process=True)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(build / "site" / "data" / f"{CVL}-data.zip") as z:
        assert z.read(f"{CVL}-data/results.json") == good


# -- 3. sizes are checked before hashing or parsing; hashing reads in chunks -----------------

@pytest.mark.cli
def test_3_a_2_gb_sparse_content_file_is_refused_within_5_s(tmp_path: Path):
    root, build, env = _project(tmp_path)
    study = root / "data" / "regions" / CVL / "study.yaml"
    with open(study, "r+b") as f:
        f.truncate(2 * 1024**3)  # sparse: 2 GB on paper, no disk used
    proc, seconds = _eocic(env, "run", CVL, "-q")
    line = _one_line(proc, "study.yaml: file is 2,147,483,648 bytes, above the 1 MB limit")
    assert line.startswith(f"eocic: error: data/regions/{CVL}/study.yaml")
    assert seconds < 5, seconds
    _intact(build)


@pytest.mark.cli
def test_3_files_are_hashed_in_chunks(tmp_path: Path):
    """Hashing a 1 GB file keeps the process's memory flat (it used to read the file whole)."""
    f = tmp_path / "big.bin"
    with open(f, "wb") as out:
        out.truncate(1024**3)
    code = ("import resource, sys; from pathlib import Path; "
            "from eocic_helpers.core.digest import file_sha; "
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
            f"assert file_sha(Path({str(f)!r})) is not None; "
            "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
            "print(before, after)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    before, after = map(int, proc.stdout.split())
    # KiB: the peak grows by far less than the 1 GB file while it is hashed (Linux keeps the
    # parent's peak across exec, so only the growth says anything about the hashing)
    assert after - before < 100_000, proc.stdout
    assert resource.RUSAGE_SELF is not None


def test_3_a_yaml_file_is_never_read_beyond_the_limit(tmp_path: Path, monkeypatch):
    f = tmp_path / "grows.yaml"
    f.write_text("a: 1\n")
    monkeypatch.setattr(config, "check_file", lambda path, limit=None: 5)  # it grew since stat
    f.write_bytes(b"a: " + b"x" * (config.MAX_YAML_BYTES * 3) + b"\n")
    with pytest.raises(config.ConfigError, match="above the 1 MB limit"):
        config.read_yaml_text(f)


# -- 4, 10, 11. Dask: bad addresses, a dead worker, a lost scheduler --------------------------

@pytest.mark.cli
def test_10_a_malformed_scheduler_address_is_one_line(tmp_path: Path):
    build = tmp_path / "build"
    for address in ("not a url", "tcp://127.0.0.1", "tcp://host:99999", "http://x:1 y"):
        proc = eocic_main("run", CVL, "-n", "action_plan", "--executor", "dask", "--scheduler",
                       address, build=build)
        _one_line(proc, f"--scheduler '{address}' is not a Dask scheduler address; give "
                        "tcp://HOST:PORT")
    assert not build.exists()


SLEEPER = {
    "cells": [
        {"cell_type": "code", "execution_count": None, "metadata": {"tags": ["parameters"]},
         "outputs": [], "source": ["region = \"centre-val-de-loire\"\n"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["import time\n", "from eocic_helpers.outputs.publication import "
                    "open_publication\n", "pub = open_publication(region, \"sleeper\")\n",
                    "(pub.output_dir / \"inside\").touch()\n", "time.sleep(120)\n", "pub.finish();\n"]},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 4,
}


@pytest.fixture()
def dask_cluster(tmp_path: Path):
    """A Dask scheduler and one worker (with its nanny), each in its own process group, over a
    project with one notebook that sleeps for two minutes. Yields (env, address, scheduler,
    worker); whatever is left is killed at the end."""
    pytest.importorskip("distributed")
    root = one_notebook_project(tmp_path, "sleeper", SLEEPER)
    build = tmp_path / "build"
    (build / "runs").mkdir(parents=True)
    (build / "runs" / "earlier.txt").write_text(EARLIER)
    env = dict(os.environ, EOCIC_ROOT=str(root), EOCIC_BUILD=str(build),
               EOCIC_DASK_WORKER_TIMEOUT="3")
    info = tmp_path / "scheduler.json"
    started = []
    try:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT,
            start_new_session=True)
        started.append(scheduler)
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
             "--nworkers", "1", "--no-dashboard", "--local-directory", str(tmp_path / "dw")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT,
            start_new_session=True)
        started.append(worker)
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(1, timeout=90)
        yield env, address, scheduler, worker
    finally:
        for proc in reversed(started):
            import psutil

            with __import__("contextlib").suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
            for p in psutil.process_iter(["environ"]):  # kernels that outlived their worker
                with __import__("contextlib").suppress(psutil.Error):
                    if (p.info.get("environ") or {}).get("EOCIC_BUILD") == env["EOCIC_BUILD"]:
                        p.kill()


def _start_run(env: dict[str, str], address: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "eocic_helpers.cli", "run", CVL,
                             "--executor", "dask", "--scheduler", address, "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)


def _wait_until_running(env: dict[str, str], run: subprocess.Popen[str]) -> None:
    """Until the worker's kernel is inside the notebook's sleep: the notebook has opened its
    publication in the staging folder and marked it. (The folder itself appears before the
    kernel starts, so waiting for it alone raced with a kernel slower than the wait.)"""
    staging = Path(env["EOCIC_BUILD"]) / "runs" / ".staging"
    deadline = time.monotonic() + 90
    while not list(staging.glob("*/inside")) and time.monotonic() < deadline:
        assert run.poll() is None, run.communicate()
        time.sleep(0.2)
    assert list(staging.glob("*/inside")), "the task never started on the worker"
    time.sleep(0.5)


@pytest.mark.dask
def test_4_a_dask_run_whose_only_worker_dies_ends_on_its_own(dask_cluster):
    env, address, _, worker = dask_cluster
    run = _start_run(env, address)
    try:
        _wait_until_running(env, run)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its nanny, mid-run
        killed = time.monotonic()
        out, err = run.communicate(timeout=60)
        seconds = time.monotonic() - killed
    finally:
        run.kill()
    proc = subprocess.CompletedProcess(run.args, run.returncode, out, err)
    line = _one_line(proc, f"FAILED {CVL}/sleeper: no Dask worker left for 3 s", code=1)
    assert f"start workers for {address} and run again" in line
    assert seconds < 30, seconds  # 3 s without a worker, then it ends
    assert "1 failed" in out
    build = Path(env["EOCIC_BUILD"])
    assert (build / "runs" / "earlier.txt").read_text() == EARLIER
    assert not (build / "runs" / CVL / "sleeper.ipynb").exists()
    assert not (build / "runs" / ".staging").exists()


@pytest.mark.dask
def test_11_a_dask_run_whose_scheduler_dies_says_so_in_one_line(dask_cluster):
    env, address, scheduler, _ = dask_cluster
    run = _start_run(env, address)
    try:
        _wait_until_running(env, run)
        os.killpg(scheduler.pid, signal.SIGKILL)
        killed = time.monotonic()
        out, err = run.communicate(timeout=60)
        seconds = time.monotonic() - killed
    finally:
        run.kill()
    proc = subprocess.CompletedProcess(run.args, run.returncode, out, err)
    line = _one_line(proc, f"eocic: error: lost the Dask scheduler at {address} during the run",
                     code=1)
    assert "restart the scheduler and its workers, then run again" in line
    assert "distributed" not in err and "Client lost the connection" not in err
    assert seconds < 20, seconds
    build = Path(env["EOCIC_BUILD"])
    assert (build / "runs" / "earlier.txt").read_text() == EARLIER
    assert not (build / "runs" / ".staging").exists()


# -- 5. staging folders of killed runs are removed ------------------------------------------

@pytest.mark.cli
def test_5_staging_folders_of_killed_runs_are_removed(build: Path, capsys):
    """A run cleans ``.staging`` holding the build folder's lock: what it finds there was left
    by runs killed before they could clean up, whatever their process ids."""
    staging = build / "runs" / ".staging"
    left = [staging / f"{CVL}--synthesis-{pid}-{k}" for pid in (1, os.getpid()) for k in range(2)]
    for folder in left:
        (folder / "figures").mkdir(parents=True)
        (folder / "figures" / "x.png").write_bytes(b"partial")
    rc, err = _cached_run(capsys)
    assert rc == 0 and err == ""
    assert not staging.exists()
    assert (build / "runs" / "earlier.txt").read_text() == EARLIER


@pytest.mark.cli
def test_5_a_live_runs_staging_folders_are_kept(build: Path, capsys):
    """A run under way holds the lock: another one on the same build folder waits, or refuses
    with --no-wait, and touches nothing of it."""
    from eocic_helpers.core.lock import build_lock

    live = build / "runs" / ".staging" / f"{CVL}--synthesis-{os.getpid()}-0"
    (live / "figures").mkdir(parents=True)
    (live / "figures" / "x.png").write_bytes(b"being written")
    with build_lock(build=build):
        rc = cli.main(["run", CVL, "-n", "action_plan", "-q", "--no-wait"])
    assert rc == 2 and "is in use by another eocic run or book" in capsys.readouterr().err
    assert (live / "figures" / "x.png").read_bytes() == b"being written"


# -- 6, 8. control, bidirectional and invisible characters in content ------------------------

def _swot_with(root: Path, text: str) -> Path:
    f = root / "data" / "regions" / CVL / "synthesis.yaml"
    lines = f.read_text().splitlines(keepends=True)
    k = next(i for i, line in enumerate(lines) if line.lstrip().startswith("- {id: s1,"))
    start = lines[k].index("text: ") + len("text: ")
    quote = lines[k][start]
    end = lines[k].index(quote, start + 1) if quote in "\"'" else lines[k].index(",", start)
    lines[k] = lines[k][:start] + text + lines[k][end + (1 if quote in "\"'" else 0):]
    f.write_text("".join(lines))
    return f


@pytest.mark.cli
@pytest.mark.parametrize(
    ("escaped", "named"),
    [(r'"Clusters \e[31m red"', "U+001B (ESC, a control character)"),
     (r'"Clusters \a bell"', "U+0007 (BEL, a control character)"),
     (r'"Clusters \f page"', "U+000C (form feed, a control character)"),
     (r'"Clusters \x7f del"', "U+007F (DEL, a control character)"),
     (r'"RTL\u202Eevil.exe"', "U+202E (RIGHT-TO-LEFT OVERRIDE"),
     (r'"Iso\u2067late"', "U+2067 (RIGHT-TO-LEFT ISOLATE"),
     (r'"zero\u200bwidth"', "U+200B (ZERO WIDTH SPACE"),
     (r'"joiner\u2060here"', "U+2060 (WORD JOINER"),
     (r'"inner\ufeffmark"', "U+FEFF (ZERO WIDTH NO-BREAK SPACE")],
    ids=["esc", "bel", "ff", "del", "rlo", "rli", "zwsp", "wj", "bom"],
)
def test_6_8_control_and_invisible_characters_are_refused_with_file_line_field(
        tmp_path: Path, escaped: str, named: str):
    root, build, env = _project(tmp_path)
    f = _swot_with(root, escaped)
    proc, seconds = _eocic(env, "run", CVL, "-n", "synthesis", "-q")
    line = _one_line(proc, named)
    number = next(i for i, text in enumerate(f.read_text().splitlines(), 1) if escaped in text)
    assert f"data/regions/{CVL}/synthesis.yaml:{number}: field 'swot.strengths.0.text':" in line
    assert "is not allowed in content" in line
    assert seconds < 30
    _intact(build)


def test_8_no_refused_character_reaches_the_terminal(tmp_path: Path):
    f = tmp_path / "p.yaml"
    f.write_text('"t0\\u202e\\x1b": 1\n')
    with pytest.raises(config.ConfigError) as exc:
        config.load_yaml(f)
    assert not config.FORBIDDEN_CHARACTERS.search(str(exc.value))
    assert "field 't0<U+202E><U+001B> (key)'" in str(exc.value)


def test_8_a_byte_order_mark_opening_a_file_is_fine(tmp_path: Path):
    f = tmp_path / "p.yaml"
    f.write_bytes("\ufeffa: text\n".encode())
    assert config.load_yaml(f) == {"a": "text"}


def test_6_tabs_and_newlines_stay_allowed(tmp_path: Path):
    f = tmp_path / "p.yaml"
    f.write_text('a: "one\\ttwo\\nthree"\nb: |\n  four\n  five\n')
    assert config.load_yaml(f) == {"a": "one\ttwo\nthree", "b": "four\nfive\n"}


def test_6_the_pdf_build_error_names_xelatex(tmp_path: Path, monkeypatch):
    from eocic_helpers.book import editions
    from eocic_helpers.core.errors import EocicError

    monkeypatch.setattr(paths, "BOOKS", tmp_path / "books")
    monkeypatch.setattr(editions.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a, 1, "", "! Text line contains an invalid character."))
    with pytest.raises(EocicError) as exc:
        editions._build_pdf(tmp_path / "src", CVL, fresh=True)
    assert "xelatex" in str(exc.value) and "pdflatex" not in str(exc.value)
    assert (tmp_path / "books" / f".{CVL}-pdf" / "xelatex.log").exists()


# -- 7. spreadsheet formulas are neutralised in every CSV ------------------------------------

FORMULAS = ['=HYPERLINK("http://example.invalid","x")', "@SUM(1+1)*cmd|' /C calc'!A0",
            "+cmd|' /C calc'!A0", "-Z+2*cmd|' /C calc'!A0", "\tTAB=1", "\rCR=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_7_a_formula_cell_gets_a_leading_apostrophe(text: str):
    assert escape.csv_cell(text) == "'" + text.replace("\r", "\n")


@pytest.mark.parametrize("text", ["-0.5", "+20.1", "-3", "1e5", "-1.5e-3", "text", "", "a=b",
                                  "e-mail", "'quoted"])
def test_7_numbers_and_plain_text_stay_as_they_are(text: str):
    assert escape.csv_cell(text) == text


def test_7_published_tables_figure_data_and_packages_are_formula_safe(tmp_path: Path,
                                                                      monkeypatch):
    import pandas as pd

    from eocic_helpers.book.package import write_data_package
    from eocic_helpers.outputs.publication import Publication

    out = tmp_path / "out"
    pub = Publication(region=CVL, notebook="probe", output_dir=out)
    monkeypatch.setattr("eocic_helpers.outputs.publication.display", lambda *a, **k: None)
    frame = pd.DataFrame({"text": FORMULAS, "share": [-0.5, 20.1, 1, 2, 3, 4],
                          "as_text": ["-0.5", "+20.1", "-1", "x", "=1", "@a"]})
    pub.table(frame, "swot", caption="c", source="s")
    pub.grid(frame, "grid", html_text="", myst="")
    for name in ("tables/swot.csv", "tables/grid.csv"):
        written = pd.read_csv(out / name, keep_default_na=False, dtype={"as_text": str})
        assert list(written["text"]) == ["'" + t.replace("\r", "\n") for t in FORMULAS]
        assert list(written["share"]) == [-0.5, 20.1, 1, 2, 3, 4]  # numbers stay numbers
        assert list(written["as_text"]) == ["-0.5", "+20.1", "-1", "x", "'=1", "'@a"]
    # The package re-checks every CSV it ships, even one written by other means.
    src = tmp_path / "src" / "edition"
    (src / "tables").mkdir(parents=True)
    (src / "tables" / "raw.csv").write_text('a,b\n"=HYPERLINK(""x"")",-0.5\n')
    shutil.copy(out / "tables" / "swot.csv", src / "tables" / "swot.csv")
    target = write_data_package(src, tmp_path / "edition-data.zip", epoch=0)
    with zipfile.ZipFile(target) as z:
        assert z.read("edition-data/tables/raw.csv").decode() == \
            "a,b\n\"'=HYPERLINK(\"\"x\"\")\",-0.5\n"
        assert z.read("edition-data/tables/swot.csv") == (out / "tables" / "swot.csv").read_bytes()


# -- 9. content must resolve inside the project ---------------------------------------------

@pytest.mark.cli
def test_9_a_content_file_linked_to_a_file_outside_the_project_is_refused(tmp_path: Path):
    root, build, env = _project(tmp_path)
    study = root / "data" / "regions" / CVL / "study.yaml"
    outside = tmp_path / "elsewhere" / "study.yaml"
    outside.parent.mkdir()
    shutil.copy(study, outside)  # a valid file: only where it lives is wrong
    study.unlink()
    study.symlink_to(outside)
    for args in (("run", CVL, "-q"), ("run", CVL, "-n", "about_study", "--dry-run")):
        proc, seconds = _eocic(env, *args)
        line = _one_line(proc, f"data/regions/{CVL}/study.yaml: is a symbolic link to "
                               f"{outside}, outside the project")
        assert "copy the file here instead of linking it" in line
        assert seconds < 30
    _intact(build)


def test_9_a_link_inside_the_project_is_fine(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "real.yaml"
    real.write_text("a: 1\n")
    (tmp_path / "data" / "link.yaml").symlink_to(real)
    assert config.load_yaml(tmp_path / "data" / "link.yaml") == {"a": 1}


@pytest.mark.cli
def test_9_a_region_parameters_file_linked_outside_is_refused(tmp_path: Path):
    root, build, env = _project(tmp_path)
    outside = tmp_path / "params.yaml"
    outside.write_text("n_smes: 60\n")
    (root / "data" / "regions" / CVL / "parameters.yaml").symlink_to(outside)
    proc, _ = _eocic(env, "run", CVL, "-n", "cost_benefit", "-q")
    _one_line(proc, f"data/regions/{CVL}/parameters.yaml: is a symbolic link to {outside}")
    _intact(build)


# -- 12. a path that exists but is not a file says what it is --------------------------------

@pytest.mark.cli
@pytest.mark.parametrize(("kind", "expected"), [("folder", "is a folder, not a regular file"),
                                                ("fifo", "is a named pipe (FIFO), not a "
                                                         "regular file")])
def test_12_a_content_path_that_is_a_folder_or_a_fifo(tmp_path: Path, kind: str, expected: str):
    root, build, env = _project(tmp_path)
    study = root / "data" / "regions" / CVL / "study.yaml"
    study.unlink()
    study.mkdir() if kind == "folder" else os.mkfifo(study)
    proc, seconds = _eocic(env, "run", CVL, "-q", timeout=30,  # a FIFO must never be
                           process=True)  # opened: a hang stays in that process
    line = _one_line(proc, f"data/regions/{CVL}/study.yaml: {expected}")
    assert "expected a YAML file" in line and "not found" not in line
    assert seconds < 30
    _intact(build)


@pytest.mark.cli
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_12_a_params_file_that_is_a_fifo_a_device_or_a_folder(tmp_path: Path, kind: str):
    build = tmp_path / "build"
    (build / "runs").mkdir(parents=True)
    (build / "runs" / "earlier.txt").write_text(EARLIER)
    target = {"fifo": tmp_path / "params.yaml", "dev-zero": Path("/dev/zero"),
              "folder": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    expected = {"fifo": "is a named pipe (FIFO)", "dev-zero": "is a character device",
                "folder": "is a folder"}[kind]
    proc, seconds = _eocic(dict(os.environ, EOCIC_BUILD=str(build)), "run", CVL, "-f",
                           str(target), "-q", timeout=30, process=True)  # a hang stays there
    line = _one_line(proc, f"{target}: {expected}, not a regular file; expected a YAML file")
    assert "not found" not in line and seconds < 30
    _intact(build)


# -- 13. a value that looks like an option ---------------------------------------------------

@pytest.mark.cli
@pytest.mark.parametrize(("value", "expected"), [
    ("-inf", "parameter 'discount_rate' must be a finite number, got '-inf'"),
    ("-Infinity", "parameter 'discount_rate' must be a finite number"),
    ("-nan", "parameter 'discount_rate' must be a number, not NaN"),
    ("-1e5", "parameter 'discount_rate' is -100000, below its minimum"),
])
def test_13_a_negative_non_number_value_gets_the_parameter_message(tmp_path: Path, value: str,
                                                                   expected: str):
    build = tmp_path / "build"
    (build / "runs").mkdir(parents=True)
    (build / "runs" / "earlier.txt").write_text(EARLIER)
    start = time.monotonic()
    proc = eocic_main("run", CVL, "-p", "discount_rate", value, build=build)
    _one_line(proc, expected)
    assert "expected 2 arguments" not in proc.stderr
    assert time.monotonic() - start < 30
    _intact(build)
