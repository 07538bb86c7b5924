"""The ``eocic`` command line. Errors are one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import signal
import sys
import time
from pathlib import Path

from eocic_helpers.core import paths
from eocic_helpers.core.errors import EocicError
from eocic_helpers.core.lock import build_lock


def _cmd_regions(args: argparse.Namespace) -> int:
    from eocic_helpers.core.regions import load_regions

    for r in load_regions():
        print(f"{r.id:22} {r.name:22} {r.country}  NUTS 2016: {' '.join(r.nuts2016)}")
    return 0


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from eocic_helpers.core.pipeline import SCOPE_TEXT, declared_notebooks, notebooks_markdown

    if args.markdown:
        print(notebooks_markdown(), end="")
        return 0
    for name, nb in declared_notebooks().items():
        print(f"{name:18} {SCOPE_TEXT[nb.scope]:38} {nb.briefing}")
    return 0


def _preflight_declarations() -> None:
    """Load and check, in this process and before any planning or kernel, what every task
    would read on its own: the declared pipeline, the catalogue of results, the pilots and the
    snapshot's geo codes and names. A bad file is one line here, not one failure per task."""
    from eocic_helpers.core.pipeline import load_pipeline
    from eocic_helpers.core.regions import check_geo, load_regions
    from eocic_helpers.core.results import load_catalogue

    load_pipeline()
    load_catalogue()
    load_regions()
    check_geo()


def _cmd_run(args: argparse.Namespace) -> int:
    from eocic_helpers.core.regions import all_nuts2_regions, resolve_regions
    from eocic_helpers.run import params as prm
    from eocic_helpers.run import runner

    _choose_snapshot(args)
    _preflight_declarations()

    if args.all_nuts2:
        if args.regions:
            raise EocicError("--all-nuts2 runs every NUTS 2 region; name no REGION with it")
        declared = prm.discover()
        specs = prm.select(declared, args.notebook or [n for n, s in declared.items() if s.atlas])
        not_any = [s.name for s in specs if not s.any_nuts2]
        if not_any:
            raise EocicError(f"--all-nuts2 runs data-driven notebooks only; {not_any[0]} is not one")
        _preflight_data(specs)  # the region list comes from the snapshot
        regions = all_nuts2_regions()
    else:
        regions = resolve_regions(args.regions)
        specs = prm.select(prm.discover(), args.notebook)
    if args.executor == "dask" and not args.scheduler:
        raise EocicError("--executor dask needs --scheduler tcp://HOST:PORT")
    if args.scheduler:
        _check_scheduler_address(args.scheduler)
    overrides = {**(prm.load_params_file(Path(args.params_file)) if args.params_file else {}),
                 **dict(args.param or [])}  # -p NAME VALUE: the last one wins
    per_notebook = prm.resolve(specs, overrides)
    _preflight_files([r.id for r in regions], specs)
    tasks = runner.plan([r.id for r in regions], specs, per_notebook, force=args.force)
    # Before any kernel starts, whenever a task will run. (A fresh task's key covers the
    # snapshot files it reads: they are the bytes a successful run was checked against.)
    if args.force or not all(runner.is_fresh(t) for t in tasks):
        _preflight_data(specs)
    if args.dry_run:
        hits = 0
        for t in tasks:
            fresh = runner.is_fresh(t) and not args.force
            hits += fresh
            print(f"{'cached' if fresh else 'run':6} {t.label}")
        print(f"{len(tasks)} tasks, {hits} cache hits, {len(tasks) - hits} to run")
        return 0
    with build_lock(wait=not args.no_wait, what="eocic run"):
        runner.clean_staging()  # what killed runs left: no other run is under way now
        for region_id in dict.fromkeys(t.region for t in tasks):
            runner.prune_undeclared(region_id)
            runner.write_results(region_id)
        start = time.perf_counter()
        options = runner.KernelOptions(isolate=args.isolate, recycle_after=args.recycle_after,
                                       cell_timeout=args.cell_timeout)
        outcomes = runner.run(tasks, jobs=args.jobs, force=args.force, progress=not args.quiet,
                              options=options, scheduler=args.scheduler
                              if args.executor == "dask" else None)
        elapsed = time.perf_counter() - start
        summary = runner.write_summary(outcomes, elapsed)
    print(runner.format_summary(outcomes))
    failed = sum(o.status == "failed" for o in outcomes)
    print(f"{len(outcomes)} tasks: {sum(o.status == 'ok' for o in outcomes)} ran, "
          f"{sum(o.status == 'cached' for o in outcomes)} cached, {failed} failed "
          f"in {elapsed:.1f} s; summary: {summary}")
    return 1 if failed else 0


#: Address schemes a Dask scheduler listens on.
_SCHEDULER = re.compile(r"((?:tcp|tls|ws|wss|ucx)://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})/?")


def _check_scheduler_address(address: str) -> None:
    """Refuse a ``--scheduler`` value that is not ``[tcp://]HOST:PORT`` before any work."""
    from eocic_helpers.core.config import shown

    m = _SCHEDULER.fullmatch(address.strip())
    if m is None or not 0 < int(m.group(3)) < 65536:
        raise EocicError(f"--scheduler '{shown(address)}' is not a Dask scheduler address; give "
                         "tcp://HOST:PORT, as printed by 'dask scheduler'")


def _preflight_files(regions: list[str], specs: list) -> None:
    """Check the content and parameter files the selected notebooks read, before anything
    hashes or parses them (:func:`eocic_helpers.core.config.check_file`): each is a regular
    file of at most 1 MB inside the project. A region's content folder may hold other files;
    they must resolve inside the project too."""
    from eocic_helpers.core.config import check_file

    files = [paths.region_data_dir(region) / "parameters.yaml" for region in regions]
    for pattern in dict.fromkeys(p for region in regions for s in specs if not s.cross_region
                                 for p in s.reads_for(region)):
        files += sorted(paths.ROOT.glob(pattern))
    for f in dict.fromkeys(files):
        if not (f.exists() or f.is_symlink()):
            continue
        if f.suffix in {".yaml", ".yml"}:
            check_file(f)
        elif f.is_symlink() and not f.resolve().is_relative_to(paths.ROOT.resolve()):
            check_file(f, limit=f.stat().st_size if f.exists() else 0)


def _preflight_data(specs: list) -> None:
    """Refuse a changed, truncated or malformed snapshot before any kernel starts."""
    if any(r.startswith("data/snapshot") for s in specs for r in s.reads):
        from eocic_helpers.data.snapshot import verify_snapshot

        verify_snapshot()


def _choose_snapshot(args: argparse.Namespace) -> None:
    """``--snapshot DIR``: read that snapshot (e.g. one of ``eocic data update``) instead of the
    committed one, in this process and every worker and kernel (``EOCIC_SNAPSHOT``)."""
    folder = getattr(args, "snapshot", None)
    if not folder:
        return
    if not (Path(folder) / "MANIFEST.json").is_file():
        raise EocicError(f"--snapshot {folder}: no MANIFEST.json there; give a folder built by "
                         "eocic data update (or eocic data snapshot --out DIR)")
    paths.use_snapshot(Path(folder))


def _cmd_book(args: argparse.Namespace) -> int:
    from eocic_helpers.core.regions import load_regions, resolve_region

    _choose_snapshot(args)
    if args.all_nuts2 and args.region:
        raise EocicError("--all-nuts2 builds the atlas of every region; name no REGION with it")
    _preflight_declarations()
    everything = [n.lower() for n in args.region or ["all"]] == ["all"]
    # bad input is refused before the build folder is touched
    regions = load_regions() if everything else [resolve_region(n) for n in args.region]
    with build_lock(wait=not args.no_wait, what="eocic book"):
        return _atlas() if args.all_nuts2 else _book(args, regions, everything)


def _data_changes_report() -> None:
    """On a snapshot of ``eocic data update``: the report of what differs from the committed
    snapshot, which its editions carry as a page (written when missing or out of date)."""
    from eocic_helpers.book.changes import on_fetched_data

    if on_fetched_data():
        from eocic_helpers.analysis.vintages import ensure_edition_report

        if ensure_edition_report(paths.SNAPSHOT):
            print(f"what differs from the committed snapshot: {paths.SNAPSHOT}/changes/",
                  file=sys.stderr)


def _atlas() -> int:
    from eocic_helpers.book import editions as book
    from eocic_helpers.book.atlas import build_atlas, ran_regions
    from eocic_helpers.core.regions import load_regions

    print(f"atlas: {len(ran_regions())} regions", file=sys.stderr)
    out = build_atlas()
    print(f"atlas: {out['html']}")
    print(f"landing page: {book.write_landing_page(load_regions())}")
    return 0


def _book(args: argparse.Namespace, regions: list, everything: bool) -> int:
    """The editions of ``regions`` (with ``everything``, the cross-region edition and the
    landing page too)."""
    from eocic_helpers.book import editions as book

    want_pdf = args.pdf
    if want_pdf and not book.has_xelatex():
        print("PDF skipped: xelatex is missing; install TeX with: sudo apt-get install "
              "texlive-xetex latexmk texlive-latex-extra texlive-fonts-recommended "
              "fonts-freefont-otf", file=sys.stderr)
        want_pdf = False
    _data_changes_report()
    from eocic_helpers.book.parallel import EditionResult, build_regions

    failures = []

    def report(result: EditionResult) -> None:
        if result.error:
            failures.append(result.error)
            print(f"{result.region.id}: {result.error}", file=sys.stderr)
        else:
            print(f"{result.region.id}: {'unchanged, kept ' if result.cached else ''}"
                  + ", ".join(str(p) for p in result.outputs.values()))

    one = len(regions) == 1 and not everything
    # one edition's three builds (its HTML and the PDFs of the briefing and the report) run
    # at once unless --jobs says otherwise; several editions share 2 slots
    jobs = args.jobs or (3 if one else 2)
    book.set_build_slots(jobs)
    cross = None
    if everything:  # it reads the runs only, so it builds beside the regional editions
        import concurrent.futures as cf

        helper = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="eocic-book-all")
        cross = helper.submit(book.build_cross_region, regions, pdf=want_pdf, force=args.force)
        helper.shutdown(wait=False)
    results = build_regions(regions, pdf=want_pdf, force=args.force, jobs=jobs,
                            report=None if one else report)
    if one:
        if results[0].error:
            raise EocicError(results[0].error)
        report(results[0])
    if cross is not None:
        try:
            out = cross.result()
            out.pop("cached", None)
            print("cross-region: " + ", ".join(str(p) for p in out.values()))
        except EocicError as exc:
            failures.append(str(exc))
            print(f"cross-region: {exc}", file=sys.stderr)
        print(f"landing page: {book.write_landing_page(regions)}")
    return 1 if failures else 0


def _cmd_data_snapshot(args: argparse.Namespace) -> int:
    from eocic_helpers.data.snapshot import FETCH_LOG, MANIFEST, build_snapshot

    files = build_snapshot(Path(args.raw), Path(args.out) if args.out else None,
                           Path(args.fetched) if args.fetched else None)
    for f in files:
        print(f)
    manifest = json.loads((files[-1].parent / MANIFEST).read_text(encoding="utf-8"))
    for code in sorted(manifest.get("fetched", {})):
        print(f"included download: {code}")
    log = Path(args.fetched or paths.RAW_LOCAL) / FETCH_LOG
    unused = sorted(set(json.loads(log.read_text(encoding="utf-8"))) - set(manifest["fetched"])
                    ) if log.is_file() else []
    for code in unused:
        print(f"not included: {code} was downloaded but the snapshot has no recipe for it "
              "(no indicator of data/indicators.yaml with file: fetched reads it)",
              file=sys.stderr)
    return 0


def _cmd_data_fetch(args: argparse.Namespace) -> int:
    from eocic_helpers.data.fetch import fetch

    for f in fetch(args.datasets, Path(args.dest) if args.dest else None, timeout=args.timeout):
        print(f)
    return 0


def _cmd_data_check(args: argparse.Namespace) -> int:
    from eocic_helpers.data.snapshot import MANIFEST, load_snapshot, verify_snapshot

    manifest = verify_snapshot()
    snap = load_snapshot()
    fetched = ", ".join(f"{code} (downloaded {e.get('fetched', '?')[:10]})"
                        for code, e in sorted(manifest.get("fetched", {}).items()))
    print(f"snapshot ok: {len(manifest['files'])} files match {MANIFEST}; {len(snap)} values, "
          f"{snap['indicator'].nunique()} indicators, {snap['geo'].nunique()} geo codes"
          + (f"; includes downloads: {fetched}" if fetched else ""))
    return 0


def _cmd_data_info(args: argparse.Namespace) -> int:
    from eocic_helpers.data.recipes import indicators
    from eocic_helpers.data.snapshot import indicator_info

    for ind in args.indicators or list(indicators()):
        info = indicator_info(ind)
        recipe = indicators()[ind].recipe
        print(f"{info['indicator']}: {info['label']} [{info['unit_label']}]; "
              f"{info['dataset_code']}, {info['vintage']}; {info['derivation']}; recipe: "
              + (recipe.describe() if recipe else "none (not an Eurostat table)"))
    return 0


def _cmd_data_update(args: argparse.Namespace) -> int:
    from eocic_helpers.data.update import update

    s = update(Path(args.out) if args.out else None,
               Path(args.downloads) if args.downloads else None, timeout=args.timeout)
    print(f"snapshot: {s['folder']} (Eurostat, retrieved on {', '.join(s['retrieved'])}; "
          f"{s['values']} values, {len(s['indicators'])} indicators from "
          f"{len(s['datasets'])} datasets; downloads in {s['downloads']})")
    for code, why in sorted(s["unavailable"].items()):
        print(f"unavailable: {code}: {why}", file=sys.stderr)
    if s["absent"]:
        print(f"absent (no recipe or no data): {', '.join(s['absent'])}", file=sys.stderr)
    if s["nuts"]:
        print("NUTS codes not mapped to NUTS 2016: " + ", ".join(
            f"{n} {k}" for k, n in sorted(s["nuts"].items())) + f" (see {s['folder']}/"
            "nuts_report.csv)", file=sys.stderr)
    from eocic_helpers.analysis.vintages import write_edition_report

    changes = write_edition_report(Path(s["folder"]))
    print(f"what differs from the committed snapshot (its editions' page): {changes}/")
    print(f"use it: eocic run --snapshot {s['folder']} (or EOCIC_SNAPSHOT={s['folder']}); "
          f"compare: eocic data diff data/snapshot {s['folder']}")
    return 0


def _cmd_data_diff(args: argparse.Namespace) -> int:
    from eocic_helpers.analysis.vintages import diff_report, print_report

    old, new = Path(args.old), Path(args.new)
    report = diff_report(old, new, Path(args.csv) if args.csv else None,
                         claims=not args.no_claims)
    print_report(report, rows=args.rows)
    return 0


def _cmd_scaffold(args: argparse.Namespace) -> int:
    from eocic_helpers.analysis.scaffold import scaffold
    from eocic_helpers.core.regions import resolve_region

    for path in scaffold(resolve_region(args.region), force=args.force):
        print(path)
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: error: {message}; see '{self.prog} --help'", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="eocic",
        description="Rebuild the EOCIC 2019 regional policy briefings: run the study notebooks "
        "per pilot region and build the Jupyter Book editions.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("regions", help="list the ten pilot regions")
    p.set_defaults(func=_cmd_regions)

    p = sub.add_parser("notebooks", help="list the study's notebooks with their scope "
                       "(from notebooks/pipeline.yaml)")
    p.add_argument("--markdown", action="store_true", help="as the README's Markdown table")
    p.set_defaults(func=_cmd_notebooks)

    p = sub.add_parser("run", help="execute the notebooks for regions (all pilots by default)")
    p.add_argument("regions", nargs="*", metavar="REGION",
                   help="slug, NUTS code or name; none means all ten pilots")
    p.add_argument("--notebook", "-n", action="append", metavar="NAME",
                   help="run only this notebook (repeatable)")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="set a notebook parameter (repeatable)")
    p.add_argument("-f", "--params-file", metavar="PARAMS_YAML", help="parameters from YAML")
    p.add_argument("--jobs", "-j", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--force", action="store_true", help="re-run even when nothing changed")
    p.add_argument("--dry-run", action="store_true", help="list the tasks and cache hits only")
    p.add_argument("--all-nuts2", action="store_true",
                   help="run the atlas notebook (a data-driven page) for every NUTS 2 region of the "
                   "snapshot; with -n, other data-driven notebooks (indicators, industrial_change)")
    p.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="local process pool (default) or an existing Dask cluster")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="Dask scheduler address")
    p.add_argument("--isolate", action="store_true",
                   help="one fresh kernel per notebook instead of a warm kernel per worker")
    p.add_argument("--recycle-after", type=int, default=200, metavar="N",
                   help="replace a worker's kernel after N notebooks (default 200)")
    p.add_argument("--cell-timeout", type=float, metavar="SECONDS",
                   help="fail a notebook whose cell runs longer than this (default: no limit)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--no-wait", action="store_true",
                   help="refuse at once if another run or book is using the build folder")
    p.add_argument("--snapshot", metavar="DIR",
                   help="read this snapshot (e.g. from 'eocic data update') instead of the "
                   "committed one; also EOCIC_SNAPSHOT. Builds into build/snapshot-<name>")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("book", help="build the editions of regions, or 'all' (every region, "
                       "the cross-region edition and the landing page)")
    p.add_argument("region", nargs="*", metavar="REGION|all", help="default: all")
    p.add_argument("--pdf", dest="pdf", action="store_true", default=True,
                   help="build the PDF too (default)")
    p.add_argument("--no-pdf", dest="pdf", action="store_false", help="HTML only")
    p.add_argument("--all-nuts2", action="store_true",
                   help="build the atlas: one HTML page for every NUTS 2 region that "
                   "'eocic run --all-nuts2' ran, with a map and a search")
    p.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    p.add_argument("--jobs", "-j", type=int, default=None,
                   help="Jupyter Book builds (HTML or PDF) run at the same time (default 2; "
                   "3 for one edition: its HTML and its two PDFs)")
    p.add_argument("--no-wait", action="store_true",
                   help="refuse at once if another run or book is using the build folder")
    p.add_argument("--snapshot", metavar="DIR",
                   help="the edition of runs on this snapshot (as given to eocic run)")
    p.set_defaults(func=_cmd_book)

    p = sub.add_parser("scaffold", help="write commented templates of the content files a "
                       "region lacks (synthesis, study, framing, strategy, recommendations, "
                       "EU initiatives)")
    p.add_argument("region", metavar="REGION")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(func=_cmd_scaffold)

    data = sub.add_parser("data", help="build, check, describe or fetch the data")
    dsub = data.add_subparsers(dest="data_command", required=True)
    p = dsub.add_parser("snapshot", help="rebuild data/snapshot from the raw files")
    p.add_argument("--raw", required=True, metavar="DIR", help="folder of the raw files")
    p.add_argument("--out", metavar="DIR", help="write here instead of data/snapshot")
    p.add_argument("--fetched", metavar="DIR",
                   help="folder of 'eocic data fetch' downloads to include (default data/raw)")
    p.set_defaults(func=_cmd_data_snapshot)
    p = dsub.add_parser("fetch", help="download Eurostat datasets into data/raw (online)")
    p.add_argument("datasets", nargs="*", metavar="DATASET")
    p.add_argument("--dest", metavar="DIR")
    p.add_argument("--timeout", type=float, default=30.0)
    p.set_defaults(func=_cmd_data_fetch)
    p = dsub.add_parser("check", help="validate the committed snapshot")
    p.set_defaults(func=_cmd_data_check)
    p = dsub.add_parser("info", help="provenance of indicators")
    p.add_argument("indicators", nargs="*", metavar="INDICATOR")
    p.set_defaults(func=_cmd_data_info)
    p = dsub.add_parser("update", help="download every dataset the study uses from Eurostat, "
                        "check it, and build a snapshot from those files alone (online)")
    p.add_argument("--out", metavar="DIR", help="default data/fetched/<today>")
    p.add_argument("--downloads", metavar="DIR", help="default <out>.downloads")
    p.add_argument("--timeout", type=float, default=30.0)
    p.set_defaults(func=_cmd_data_update)
    p = dsub.add_parser("diff", help="what changed between two snapshots: values revised, "
                        "appeared or gone, and the briefing's claims and ranks that flip")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.add_argument("--csv", metavar="FILE", help="every change as CSV (default "
                   "build/data-diff/<OLD>--<NEW>.csv; the flips beside it)")
    p.add_argument("--rows", type=int, default=20, help="largest revisions shown (default 20)")
    p.add_argument("--no-claims", action="store_true", help="values only, no claims or ranks")
    p.set_defaults(func=_cmd_data_diff)
    return parser


#: Marks a ``-p`` value that starts with "-" while the command line is parsed (a real argument
#: cannot hold a NUL character), so that argparse never takes it for an option.
_VALUE_MARK = "\x00"


def _mark_param_values(argv: list[str]) -> list[str]:
    """The command line with each ``-p NAME VALUE`` value that starts with "-" marked: argparse
    would read ``-inf``, ``-nan`` (as ``-n an``) or ``-Z+1`` as options and answer "expected 2
    arguments"; the parameter checks then say what is wrong with the value instead."""
    out = list(argv)
    i = 0
    while i < len(out) and out[i] != "--":
        if out[i] in ("-p", "--param") and i + 2 < len(out) and out[i + 2].startswith("-"):
            out[i + 2] = _VALUE_MARK + out[i + 2]
            i += 2  # past NAME and VALUE
        i += 1
    return out


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (SIGINT)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated()


#: Most ``-p NAME VALUE`` pairs one command takes (the study declares a few dozen parameters):
#: counted before argparse, whose handling of repeated options grows with their square.
MAX_PARAM_PAIRS = 500


def _os_error_line(exc: OSError) -> str:
    """An environment fault in one line, naming the file it concerns: for a full disk, the
    destination being written (``filename2`` of a copy), not the source."""
    target = exc.filename2 if exc.errno == errno.ENOSPC and exc.filename2 else exc.filename
    where = f"{target}: " if target else ""
    return f"eocic: error: {where}{exc.strerror or exc}; earlier outputs are intact"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``eocic`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    # The study uses no pydantic plugin: no process it starts (workers, kernels, book builds
    # inherit this) searches every installed package's entry points for one (docs/performance.md).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    pairs = sum(a in ("-p", "--param") for a in argv)
    if pairs > MAX_PARAM_PAIRS:
        print(f"eocic: error: {pairs} -p pairs given, more than {MAX_PARAM_PAIRS}; put the "
              "parameters in a YAML file and pass it with -f", file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(_mark_param_values(argv))
    if getattr(args, "param", None):
        args.param = [[name, value.removeprefix(_VALUE_MARK)] for name, value in args.param]
    for opt in ("jobs", "recycle_after"):
        if getattr(args, opt, None) is not None and getattr(args, opt) < 1:
            print(f"eocic: error: --{opt.replace('_', '-')} must be 1 or more", file=sys.stderr)
            return 2
    if getattr(args, "cell_timeout", None) is not None and not args.cell_timeout > 0:
        print("eocic: error: --cell-timeout must be a positive number of seconds", file=sys.stderr)
        return 2
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    # Ctrl-C interrupts even when the caller started us with SIGINT ignored (a parent that
    # ignores it, e.g. a worker process, passes that on to its children).
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return int(args.func(args) or 0)
    except EocicError as exc:
        print(f"eocic: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the cleanup
        print("eocic: interrupted; earlier outputs are intact", file=sys.stderr)
        return 143 if isinstance(exc, _Terminated) else 130
    except OSError as exc:  # environment faults: full disk, read-only folder, ...
        print(_os_error_line(exc), file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


if __name__ == "__main__":
    sys.exit(main())
