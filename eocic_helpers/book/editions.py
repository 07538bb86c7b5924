"""Assemble and build the Jupyter Book editions (HTML and PDF) from the executed runs."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime
import hashlib
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup

from eocic_helpers.book import appendix, changes, templates
from eocic_helpers.book.package import write_data_package
from eocic_helpers.book.sphinx_provenance import catalogue_md
from eocic_helpers.book.way_in import atlas_name, landing_map_and_search
from eocic_helpers.core import atomic, paths
from eocic_helpers.core.atomic import swap_dir
from eocic_helpers.core.digest import code_digest
from eocic_helpers.core.errors import EocicError
from eocic_helpers.core.pipeline import (
    REPORT_DIR,
    REPORT_TAG,
    Edition,
    Page,
    load_pipeline,
    report_toc,
    toc,
)
from eocic_helpers.core.promoted import OUTPUT_FOLDERS, promoted_files, published_results
from eocic_helpers.core.regions import SEED_REGION, Region, load_regions
from eocic_helpers.core.results import Results, value
from eocic_helpers.data.sources import extraction_dates, load_sources
from eocic_helpers.outputs.escape import myst_text
from eocic_helpers.outputs.fragments import results_problem
from eocic_helpers.outputs.numbers import and_list


def _jupyter_book() -> list[str]:
    """The ``jupyter-book`` command, run by this Python."""
    if importlib.util.find_spec("jupyter_book") is None:
        raise EocicError("jupyter-book is not installed; run: make setup")
    return [sys.executable, "-c", "from jupyter_book.cli.main import main; main()"]


def has_xelatex() -> bool:
    """True when the PDF toolchain (xelatex and latexmk) is on PATH."""
    return bool(shutil.which("xelatex") and shutil.which("latexmk"))


ALL = "all"
#: Folders of the published site next to the editions: the PDFs and the data packages.
SITE_PDF, SITE_DATA = "pdf", "data"


# -- what runs produced -------------------------------------------------------------------------

def content_status(res: Mapping[str, Any]) -> str:
    """``"own"`` or ``"data-only"``, as the region's ``summary`` notebook published it in
    ``results.json`` (``content_status``); a region not yet run is ``"data-only"``."""
    return "own" if value(res, "content_status") == "own" else "data-only"


def edition_stamp() -> tuple[str, int]:
    """The date an edition carries, and the matching ``SOURCE_DATE_EPOCH``.

    The date of the project's last commit, so that two builds of one commit are identical; a
    copy outside git uses ``SOURCE_DATE_EPOCH`` if set, else today's date.
    """
    epoch = None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        proc = subprocess.run(["git", "-C", str(paths.ROOT), "log", "-1", "--format=%ct"],
                              capture_output=True, text=True, timeout=10)
        if proc.returncode == 0 and proc.stdout.strip().isdigit():
            epoch = int(proc.stdout.strip())
    if epoch is None and os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        epoch = int(os.environ["SOURCE_DATE_EPOCH"])
    if epoch is None:
        epoch = int(datetime.datetime.now(datetime.UTC).timestamp())
    day = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    return f"{day.day} {day:%B %Y}", epoch


def data_vintage() -> str:
    """When the Eurostat data were extracted, in one phrase (from the vintages catalogued in
    ``data/sources.yaml``, each extraction once, in catalogue order)."""
    seen: list[str] = []
    for s in load_sources().values():
        if s.publisher.lower().startswith("eurostat"):
            seen += [d for d in extraction_dates(s.vintage) if d not in seen]
    if not seen:
        return "Data vintages are listed in the sources appendix"
    return f"Eurostat data extracted {and_list(seen)}"


def _data_context() -> dict[str, Any]:
    """The cover's words on the data: ``vintage`` (when the data were extracted, or, on fetched
    data, "Data: Eurostat, retrieved on <date>") and ``data_note`` (on fetched data only: what
    that means and where the report of what differs is; empty otherwise)."""
    used = changes.data_used()
    if used is None:
        return {"vintage": data_vintage(), "data_note": ""}
    return {"vintage": f"Data: {used}", "data_note": changes.cover_note()}


def _data_changes_files() -> list[Path]:
    """The report of what differs from the committed snapshot, for an edition's key (none on
    the committed snapshot)."""
    if not changes.on_fetched_data():
        return []
    from eocic_helpers.data.diff import report_folder

    folder = report_folder(paths.SNAPSHOT)
    return [paths.SNAPSHOT / "MANIFEST.json", *sorted(folder.glob("*"))]


# -- assembling the book sources ----------------------------------------------------------------

def _placeholder(chapter: Page) -> str:
    return (f"# {myst_text(chapter.title)}\n\nThis chapter has not been computed for this "
            "edition yet.\n")


def _links_html(current: str, regions: list[Region]) -> str:
    """Links to the landing page, this edition's PDF and data package, and every other edition
    (raw HTML built from escaped names only)."""
    esc = html.escape

    def a(href: str, text: str) -> str:
        return f'<a href="{esc(href)}" style="color:#fff">{esc(text)}</a>'

    own = [a("../index.html", "All editions"),
           a(f"../{SITE_PDF}/{current}.pdf", "PDF of this edition"),
           a(f"../{SITE_DATA}/{current}-data.zip", "Data package (zip)")]
    others = [a(f"../{r.id}/index.html", r.name) for r in regions if r.id != current]
    if current != ALL:
        others.append(a(f"../{ALL}/index.html", "Cross-region edition"))
    return (" · ".join(own) + '<br><span class="eocic-editions">Other editions: '
            + " · ".join(others) + "</span>")


def base_config(title: str, announcement: str) -> dict[str, Any]:
    """The book template's ``_config.yml`` with a book's title, date line and announcement
    bar (raw HTML)."""
    config = yaml.safe_load((paths.BOOK_TEMPLATES / "_config.yml").read_text("utf-8"))
    # The theme writes html_title into the navbar without escaping it (and <title> escapes
    # it again): angle brackets go in as entities, so a name can never open a tag.
    safe_title = title.replace("<", "&lt;").replace(">", "&gt;")
    config["title"] = safe_title
    config["sphinx"]["config"]["html_title"] = safe_title
    config["sphinx"]["config"]["today"] = f"Edition of {edition_stamp()[0]}. {data_vintage()}."
    # Theme options given in sphinx.config replace Jupyter Book's own: the announcement bar
    # goes in with them.
    config["html"]["announcement"] = announcement
    config["sphinx"]["config"].setdefault("html_theme_options", {})["announcement"] = announcement
    return config


def _config(src: Path, title: str, name: str, regions: list[Region],
            report: bool = False) -> None:
    """The edition's ``_config.yml`` (``report``: ``_config_report.yml``, the configuration of
    the technical report's PDF: its own title and file name)."""
    config = base_config(title, _links_html(name, regions))
    config["author"] = edition_author(name == SEED_REGION)
    config["latex"]["latex_documents"]["targetname"] = (
        f"eocic-{name}-report.tex" if report else f"eocic-{name}.tex")
    # each figure's CSV at a stable place of the site (figures/), linked from the PDF
    config["sphinx"]["config"]["html_extra_path"] = ["_extra"]
    config["sphinx"]["config"]["eocic_data_base"] = f"../{name}/figures/"
    # the 2019 briefing's own figure and table numbers (eocic_helpers.book.sphinx_numfig)
    numbers = load_pipeline().editions["all" if name == ALL else "region"].numbers
    config["sphinx"]["config"]["eocic_numbering"] = {
        kind: dict(labels) for kind, labels in numbers.items()}
    config["latex"]["latex_documents"]["title"] = _latex_escape(title)
    # the sidebar's home entry goes in with the theme options too
    options = config["sphinx"]["config"]["html_theme_options"]
    options.setdefault("home_page_in_toc", bool(config["html"].get("home_page_in_navbar")))
    (src / (REPORT_CONFIG if report else "_config.yml")).write_text(
        yaml.safe_dump(config, sort_keys=False), "utf-8")


def edition_title(subject: str, seed: bool = True) -> str:
    """An edition's title: it says what the edition reproduces. The seed region's edition
    reproduces its 2019 EOCIC briefing; any other edition reproduces that briefing's
    data-driven method, never the region's own briefing."""
    if seed:
        return f"{subject}: a reproduction of the 2019 EOCIC policy briefing"
    return f"{subject}: the 2019 EOCIC briefing's data-driven diagnostic, reproduced"


def edition_author(seed: bool) -> str:
    """The author line of an edition: the project, and whose method it follows (the authors
    of the Centre-Val de Loire briefing, credited as such, never as another region's)."""
    if seed:
        return "eocic project, after Pellegrin and Colnot (EOCIC, 2019)"
    return ("eocic project, with the method of the Centre-Val de Loire briefing "
            "(Pellegrin and Colnot, EOCIC, 2019)")


def fresh_folder(folder: Path) -> Path:
    """``folder``, emptied (created when missing)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def copy_static(src: Path) -> None:
    """The bibliography and the stylesheet (book/_static: CSS only; a .js there would run)."""
    shutil.copy2(paths.BOOK_TEMPLATES / "references.bib", src / "references.bib")
    static = paths.BOOK_TEMPLATES / "_static"
    if static.is_dir():
        (src / "_static").mkdir(exist_ok=True)
        for f in sorted(static.glob("*.css")):
            shutil.copy2(f, src / "_static" / f.name)


def _copy_outputs(name: str, promoted: dict[str, Path], src: Path) -> None:
    """The run's figures, tables and results: only those the task manifests of the notebooks
    this edition shows list, each verified (:mod:`eocic_helpers.core.promoted`). Each figure's
    CSV also goes to ``_extra/figures/``, published at ``<edition>/figures/`` for the PDF's
    data links."""
    (src / "_extra").mkdir(exist_ok=True)
    for rel, f in promoted.items():
        sub = rel.partition("/")[0]
        if sub in OUTPUT_FOLDERS:
            (src / sub).mkdir(exist_ok=True)
            shutil.copy2(f, src / rel)
            if sub == "figures" and rel.endswith(".csv"):
                (src / "_extra" / "figures").mkdir(exist_ok=True)
                shutil.copy2(f, src / "_extra" / rel)
    results = published_results(name)
    if results.exists():
        shutil.copy2(results, src / "results.json")


#: Hidden cells (set-up, parameters, glue): every copy keeps them, for the glued values.
_HIDDEN_TAGS = {"remove-cell", "injected-parameters", "parameters"}


def report_link(name: str, page: str, what: str) -> str:
    """A paragraph that sends the reader to the technical report: a link to its page in HTML,
    to its PDF (beside the briefing's) in print. ``what`` opens the sentence; the link text
    is "technical report"."""
    href = f"{REPORT_DIR}/{page}.html" if page else f"{REPORT_DIR}/index.html"
    return (f"```{{raw}} html\n<p class=\"eocic-report-link\">{html.escape(what)} the "
            f'<a href="{html.escape(href)}">technical report</a>.</p>\n```\n\n'
            f"```{{raw}} latex\n\\sphinxAtStartPar {_latex_escape(what)} the "
            f"\\href{{{name}-report.pdf}}{{technical report}}.\n```\n")


def briefing_link(name: str) -> str:
    """A paragraph of the technical report that leads back to the briefing (its first page in
    HTML, its PDF in print)."""
    return ('```{raw} html\n<p>Back to <a href="../intro.html">the briefing</a>.</p>\n```\n\n'
            "```{raw} latex\n\\sphinxAtStartPar The briefing itself is published beside this "
            f"report: \\href{{{name}.pdf}}{{the briefing}}.\n```\n")


def copy_notebook(nb: Path, target: Path, title: str, cells: str = "briefing",
                   link: str = "", mark: str = "") -> None:
    """Copy an executed notebook for a page, its first heading set to the title the pipeline
    declares (the declaration is the one source of titles).

    ``cells``: ``briefing`` keeps every cell but those tagged ``report`` and ends with ``link``
    (a paragraph to the report); ``report`` keeps the hidden cells (their glued values) and
    those tagged ``report``; ``all`` keeps every cell. ``mark``: a LaTeX command placed in a
    first cell (:func:`_latex_marks`). A page of the report sits in ``report/``: its figures
    and downloads are named from the book's root."""
    data = json.loads(nb.read_text("utf-8"))
    kept = []
    for k, cell in enumerate(data.get("cells", [])):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cells == "briefing" and REPORT_TAG in tags:
            continue
        if cells == "report" and k > 0 and REPORT_TAG not in tags and not tags & _HIDDEN_TAGS:
            continue
        kept.append(cell)
    for cell in kept:
        if cell.get("cell_type") != "markdown":
            continue
        lines = "".join(cell.get("source", [])).split("\n")
        heading = next((k for k, line in enumerate(lines) if line.startswith("# ")), None)
        if heading is not None:
            lines[heading] = f"# {myst_text(title)}"
            cell["source"] = "\n".join(lines[:heading + 1] if cells == "report" else lines)
            break
    if link:
        kept.append({"cell_type": "markdown", "metadata": {}, "source": link})
    if mark:
        kept.insert(0, {"cell_type": "markdown", "metadata": {}, "source": _raw_latex(mark)})
    if target.parent.name == REPORT_DIR:
        for cell in kept:
            for out in cell.get("outputs", []):
                md = out.get("data", {}).get("text/markdown")
                if md:
                    text = "".join(md) if isinstance(md, list) else md
                    out["data"]["text/markdown"] = re.sub(
                        r"(\{figure\} |<)(figures|tables)/", r"\1/\2/", text)
    data["cells"] = kept
    target.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")


def _page_text(res: Results, context: dict[str, Any], subject: str, regions: list[Region]
               ) -> dict[str, Callable[[], str]]:
    """The pages an edition writes itself, by file, each made when placed: the data and
    methods, what changed in the data since the briefing (for ``subject``, the edition's
    ``regions``), the analysts' page, the references, the glossary and the catalogue."""
    return {
        "data_methods": lambda: appendix.data_methods_md(res),
        changes.PAGE.file: lambda: changes.page_md(subject, regions),
        "for_analysts": lambda: templates.render(
            "for_analysts.md", {**context, "raw_files": Markup(appendix.raw_files_md())}),
        "references": lambda: templates.render("references.md", context),
        "glossary": lambda: templates.render("glossary.md", context),
        "catalogue": lambda: catalogue_md(res),
    }


def _place(page: Page, promoted: dict[str, Path], folder: Path,
           page_text: dict[str, Callable[[], str]], cells: str, link: str = "",
           mark: str = "") -> None:
    """Write one page into ``folder``: the notebook the run promoted (see
    :func:`copy_notebook`), the page the book writes itself, or a placeholder."""
    nb = promoted.get(f"{page.file}.ipynb") if page.source == "notebook" else None
    if nb is not None:
        copy_notebook(nb, folder / nb.name, page.title, cells, link, mark)
        return
    make = page_text.get(page.file) if page.source != "notebook" else None
    text = make() if make else _placeholder(page)
    (folder / f"{page.file}.md").write_text(_marked(mark, text), "utf-8")


def _raw_latex(command: str) -> str:
    return f"```{{raw}} latex\n{command}\n```\n"


def _marked(mark: str, text: str) -> str:
    """A page's MyST text, after the raw LaTeX block of ``mark`` (if any)."""
    return _raw_latex(mark) + "\n" + text if mark else text


def _latex_marks(edition: Edition) -> dict[str, str]:
    """The LaTeX command to place before a page, so that print follows the briefing: front
    matter unnumbered, chapters numbered from 1, annexes lettered (book class)."""
    decl = load_pipeline().editions[edition]
    marks = {decl.root.file: r"\frontmatter", decl.chapters[0].file: r"\mainmatter"}
    printed = [p for p in decl.annexes if p.pdf]
    if printed:
        marks[printed[0].file] = r"\appendix"
    return marks


def _write_tocs(src: Path, edition: Edition, flags: dict[str, Any]) -> None:
    """``_toc.yml`` for HTML (the briefing and its report), ``_toc_pdf.yml`` for the
    briefing's print (without HTML-only pages) and ``_toc_report_pdf.yml`` for the report's
    (none without a report)."""
    tocs = {"_toc.yml": changes.with_toc_entry(toc(edition, flags=flags)),
            "_toc_pdf.yml": toc(edition, pdf=True, flags=flags),
            REPORT_TOC: changes.with_toc_entry(report_toc(edition, flags=flags))}
    for name, content in tocs.items():
        if content is not None:
            (src / name).write_text(yaml.safe_dump(content, sort_keys=False), "utf-8")


#: The report's print table of contents and configuration, beside the briefing's.
REPORT_TOC, REPORT_CONFIG = "_toc_report_pdf.yml", "_config_report.yml"


def has_report(src: Path) -> bool:
    """Whether the assembled edition in ``src`` has a technical report."""
    return (src / REPORT_TOC).exists()


def chapters_for(edition: Edition, flags: dict[str, Any] | None = None) -> list[Page]:
    """Every page of one kind of edition after its root, in reading order (sections follow
    their chapter); with ``flags`` (the run's results), only the pages shown for it."""
    return [p for part, p, _ in load_pipeline().pages(edition, flags=flags) if part != "root"]


def assemble(region: Region) -> Path:
    """Write the book sources of one regional edition into ``build/books/<region>``.

    Reads only what the region's run produced (executed notebooks, figures, tables,
    ``results.json``), the book's templates and the data catalogue.

    Raises:
        EocicError: the region has not been run yet.
    """
    res = appendix.results(region.id)
    if not any((paths.run_dir(region.id) / f"{c.file}.ipynb").exists()
               for c in chapters_for("region", res)):
        raise EocicError(f"no run for {region.id} yet; run it first: eocic run {region.id}")
    context = {
        "region": region, "content": content_status(res), "seed": SEED_REGION,
        "missing": lambda nb: Markup(
            f"*This part is filled by the notebook "
            f"{myst_text('notebooks/' + nb + '.ipynb')}, which has not been run for this "
            "edition.*"),
    }
    return _assemble(region.id, "region", res, load_regions(), [region],
                     (region.name, region.name), context, (
                         "reproduction", "Every element and number of the 2019 briefing, "
                         "with its status in this edition, is listed under “What this edition "
                         "reproduces” in"))


def assemble_cross_region(regions: list[Region]) -> Path:
    """Write the book sources of the cross-region edition into ``build/books/all``, from the
    comparison notebook's run (``build/runs/all``) and the book's templates."""
    own = [r.id for r in regions if content_status(appendix.results(r.id)) == "own"]
    return _assemble(ALL, ALL, appendix.results(ALL), regions, regions,
                     ("The ten pilot regions", "the ten pilot regions"), {"own_ids": own},
                     ("", "The data, the methods and a page for analysts are in"))


def _assemble(name: str, kind: Edition, res: Results, regions: list[Region],
              focus: list[Region], subject: tuple[str, str], context: dict[str, Any],
              report_link_to: tuple[str, str]) -> Path:
    """Write the book sources of the edition ``name`` (of the kind ``kind``, about ``focus``)
    into ``build/books/<name>``: its intro, pages, technical report, outputs, tables of
    contents and configurations. ``subject``: the edition's subject as a title and as a
    sentence says it; ``context``: the intro's own values; ``report_link_to``: the report's
    page the intro links, and the words that lead to it."""
    chapters = chapters_for(kind, res)
    report = changes.with_page(load_pipeline().report_pages(kind, flags=res))
    promoted = promoted_files(name, list(dict.fromkeys(
        p.file for p in [*chapters, *report] if p.source == "notebook")))
    src = fresh_folder(paths.BOOKS / name)
    context = {
        "regions": regions, "results": res, "stamp": edition_stamp()[0], **_data_context(),
        "title": edition_title(subject[0], seed=name == SEED_REGION),
        "available": {c.file for c in chapters if f"{c.file}.ipynb" in promoted},
        "chapters": chapters,
        "report_link": Markup(report_link(name, *report_link_to)) if report else Markup(""),
        **context,
    }
    marks = _latex_marks(kind)
    intro = templates.render("intro.md" if kind == "region" else f"intro_{kind}.md", context)
    (src / "intro.md").write_text(_marked(marks.get("intro", ""), intro), "utf-8")
    page_text = _page_text(res, context, subject[1], focus)
    links = {} if kind != "region" else {
        p.file: report_link(name, p.file, "The analysis behind this chapter, with its tables "
                            "and their uncertainty, is in")
        for p in report if p.source == "notebook" and p.cells == "report"}
    for c in chapters:
        _place(c, promoted, src, page_text, "briefing", links.get(c.file, ""),
               marks.get(c.file, ""))
    if report:
        folder = src / REPORT_DIR
        folder.mkdir(exist_ok=True)
        (folder / "index.md").write_text(_marked(r"\frontmatter", templates.render(
            "report_index.md", {**context, "subject": subject[0],
                                "back_link": Markup(briefing_link(name))})), "utf-8")
        for k, p in enumerate(report):
            _place(p, promoted, folder, page_text, "report" if p.cells == "report" else "all",
                   mark=r"\mainmatter" if k == 0 else "")
    copy_static(src)
    _copy_outputs(name, promoted, src)
    if changes.PAGE in report:
        changes.write_tables(src, focus)
    _write_tocs(src, kind, res)
    _config(src, context["title"], name, regions)
    if report:
        _config(src, f"{subject[0]}: technical report", name, regions, report=True)
    return src


#: At most this many Jupyter Book builds (HTML or PDF) run at a time in this process; set by
#: ``eocic book --jobs`` through :func:`set_build_slots`.
_SLOTS = threading.BoundedSemaphore(2)


def set_build_slots(n: int) -> None:
    """Allow ``n`` Jupyter Book builds (one HTML or one PDF build each) at a time."""
    global _SLOTS
    _SLOTS = threading.BoundedSemaphore(max(1, n))


def run_book(src: Path, builder: str, out: Path, report: bool = False) -> Path:
    """Run Jupyter Book strictly (warnings are errors) for HTML and for the PDF alike
    (``report``: the technical report's PDF, with its own contents and configuration)."""
    cmd = [*_jupyter_book(), "build", str(src), "--path-output", str(out), "--builder", builder,
           "-W", "-n", "--keep-going"]
    if builder == "pdflatex":  # print leaves out the HTML-only pages (only_build_toc_files)
        cmd += ["--toc", str(src / (REPORT_TOC if report else "_toc_pdf.yml"))]
        if report:
            cmd += ["--config", str(src / REPORT_CONFIG)]
    _, epoch = edition_stamp()
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch))
    with _SLOTS:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    # Jupyter Book calls its LaTeX builder "pdflatex", but it runs xelatex: name what runs.
    label = "PDF (xelatex)" if builder == "pdflatex" else builder
    log = out / f"{'xelatex' if builder == 'pdflatex' else builder}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(proc.stdout + "\n" + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        raise EocicError(f"{label} build of {src.name} failed; see {log}")
    return out / "_build"


def _build_pdf(src: Path, name: str, fresh: bool, report: bool = False) -> Path:
    """Build the PDF in ``build/books/.<name>-pdf``, a folder kept between builds: LaTeX then
    starts from the last build's auxiliary files (table of contents, references, index) and
    usually needs one xelatex pass instead of two. latexmk still re-runs until they are stable,
    so the PDF is the same as from scratch. ``fresh`` (``--force``), or a failure from a kept
    folder, builds from an empty folder."""
    target = f"{name}-report" if report else name
    work = paths.BOOKS / f".{target}-pdf"
    pdf_file = work / "_build" / "latex" / f"eocic-{target}.pdf"

    def attempt() -> bool:
        pdf_file.unlink(missing_ok=True)
        run_book(src, "pdflatex", work, report=report)
        return pdf_file.exists()

    if fresh:
        shutil.rmtree(work, ignore_errors=True)
    kept = work.exists()
    try:
        ok = attempt()
    except EocicError:
        if not kept:
            raise
        ok = False
    if not ok and kept:  # once more, from an empty folder
        shutil.rmtree(work, ignore_errors=True)
        ok = attempt()
    if not ok:
        raise EocicError(f"PDF (xelatex) build of {name} produced no PDF; see {work}/xelatex.log")
    missing = missing_glyphs(pdf_file.with_suffix(".log"))
    if missing:
        shown_chars = ", ".join(f"'{c}' ({code})" for c, code in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise EocicError(f"PDF of {name}: the fonts have no glyph for {shown_chars}{more}; "
                         "the PDF would leave them out: write that text without them "
                         "(docs/reliability.md lists the characters the fonts cover)")
    return pdf_file


_MISSING_GLYPH = re.compile(r"Missing character: There is no (.+?) \((U\+[0-9A-F]{4,6})\)")


def missing_glyphs(log: Path) -> list[tuple[str, str]]:
    """The characters xelatex's log reports no font glyph for (each once, in order of first
    report): (character, ``U+XXXX``)."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return list(dict.fromkeys((m.group(1), m.group(2)) for m in _MISSING_GLYPH.finditer(text)))


def book_code_digest() -> str:
    """Hash of the package modules the book stage runs (this module, what it imports, and the
    Sphinx extensions the book template loads by name), so an edit elsewhere (the CLI, a
    model) does not rebuild every edition."""
    config = yaml.safe_load((paths.BOOK_TEMPLATES / "_config.yml").read_text("utf-8"))
    extensions = [e for e in config["sphinx"]["extra_extensions"]
                  if e.startswith("eocic_helpers.")]
    return code_digest("; ".join(f"import {m}" for m in
                                 ["eocic_helpers.book.editions", *extensions]))


def _key(name: str, pdf: bool, extra: list[Path], also: str = "") -> str:
    """Hash of what the edition ``name`` is built from: its run's notebooks, figures, tables
    and results, the book templates, the declarations, the package source, the data stamp,
    the PDF flag, and the ``extra`` files and ``also`` text of the kind of edition."""
    h = hashlib.sha256(f"{name}|{pdf}|{book_code_digest()}|{edition_stamp()[0]}".encode())
    h.update(also.encode())
    run_dir = paths.run_dir(name)
    files = [*sorted(run_dir.glob("*.ipynb")), run_dir / "results.json",
             *sorted((run_dir / "figures").glob("*")), *sorted((run_dir / "tables").glob("*")),
             *sorted(p for p in paths.BOOK_TEMPLATES.rglob("*") if p.is_file()),
             *sorted(paths.NOTEBOOKS.glob("*.ipynb")), paths.NOTEBOOKS / "pipeline.yaml",
             paths.NOTEBOOKS / "results.yaml", paths.REGIONS_FILE, *extra,
             *_data_changes_files()]
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def publish_edition(src: Path, name: str, pdf: bool, fresh: bool = False) -> dict[str, Path]:
    """Build the book in ``src`` and publish it: ``build/site/<name>/`` (swapped in by renames),
    its data package ``build/site/data/<name>-data.zip`` and, with ``pdf``,
    ``build/site/pdf/<name>.pdf`` (copied to ``build/pdf/<name>.pdf`` too; written atomically).

    HTML and PDF are built side by side (each Jupyter Book build is its own process; at most
    :func:`set_build_slots` builds run at a time), and both before anything is published, so
    HTML and PDF never get out of step. ``fresh`` builds the PDF from an empty LaTeX folder.
    """
    jobs: dict[str, cf.Future[Path]] = {}
    if pdf:  # the PDFs build beside the HTML, each in its own folder and process
        pool = cf.ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"eocic-pdf-{name}")
        jobs["pdf"] = pool.submit(_build_pdf, src, name, fresh)
        if has_report(src):
            jobs["report_pdf"] = pool.submit(_build_pdf, src, name, fresh, True)
        pool.shutdown(wait=False)
    try:
        built = build_html(src, name)
    finally:  # never leave a PDF build running behind a failed HTML build
        cf.wait(list(jobs.values()))
    pdfs = {key: job.result() for key, job in jobs.items()}
    swap_in_html(built, name)
    write_data_package(src, paths.SITE / SITE_DATA / f"{name}-data.zip", epoch=edition_stamp()[1])
    for key, file in (("pdf", f"{name}.pdf"), ("report_pdf", f"{name}-report.pdf")):
        if key in pdfs:
            for target in (paths.SITE / SITE_PDF / file, paths.PDF / file):
                with atomic.atomic_path(target) as tmp:
                    shutil.copy2(pdfs[key], tmp)
        else:  # never publish new HTML next to an older PDF
            (paths.SITE / SITE_PDF / file).unlink(missing_ok=True)
    return _outputs(name, pdf)


def build_html(src: Path, name: str) -> Path:
    """Build the HTML of ``src`` in ``build/books/.<name>-build`` (emptied first); returns
    its ``_build`` folder."""
    work = paths.BOOKS / f".{name}-build"
    if work.exists():
        shutil.rmtree(work)
    return run_book(src, "html", work)


def swap_in_html(built: Path, name: str) -> None:
    """Publish the HTML of :func:`build_html` as ``build/site/<name>/``, by renames, with the
    technical report's pages relinked (:func:`_relink_report_pages`); its build folder goes."""
    staged = paths.SITE / f".{name}.new"
    if staged.exists():
        shutil.rmtree(staged)
    shutil.copytree(built / "html", staged)
    shutil.rmtree(built.parent, ignore_errors=True)
    _relink_report_pages(staged)
    swap_dir(staged, paths.SITE / name)


_ANNOUNCEMENT = re.compile(r'(<div class="bd-header-announcement__content">)(.*?)(</div>)', re.S)


def _relink_report_pages(site: Path) -> None:
    """The announcement bar's links (to the landing page, the PDFs, the other editions) are
    written for the edition's top folder; on a page of its technical report, one folder down,
    they climb one more level."""
    for page in sorted((site / REPORT_DIR).glob("*.html")):
        text = page.read_text("utf-8")
        fixed = _ANNOUNCEMENT.sub(lambda m: m.group(1) + m.group(2).replace(
            'href="../', 'href="../../') + m.group(3), text)
        if fixed != text:
            page.write_text(fixed, "utf-8")


def _outputs(name: str, pdf: bool) -> dict[str, Path]:
    out = {"html": paths.SITE / name / "index.html",
           "data": paths.SITE / SITE_DATA / f"{name}-data.zip"}
    if pdf:
        out["pdf"] = paths.PDF / f"{name}.pdf"
        if has_report(paths.BOOKS / name):
            out["report_pdf"] = paths.PDF / f"{name}-report.pdf"
    return out


def _cached(key: str, name: str, pdf: bool, force: bool) -> bool:
    key_file = paths.SITE / name / ".eocic-edition-key"
    return (not force and key_file.exists() and key_file.read_text().strip() == key
            and all(p.exists() for p in _outputs(name, pdf).values())
            and (not pdf or (paths.SITE / SITE_PDF / f"{name}.pdf").exists()))


def _check_results(name: str) -> None:
    """Refuse to publish a run whose ``results.json`` is missing, corrupt or edited: it must
    hold what the notebooks' kept fragments say (``eocic run`` rebuilds it from them)."""
    published_results(name)  # a regular file of the run, not a link
    problem = results_problem(paths.run_dir(name))
    if problem is not None:
        command = "eocic run" if name == ALL else f"eocic run {name}"
        if problem.startswith("unreadable"):
            raise EocicError(f"{paths.run_dir(name) / 'results.json'}: {problem}; give this "
                             f"user read access (chmod u+r), or remove it and run '{command}'")
        raise EocicError(f"{paths.run_dir(name) / 'results.json'}: {problem}; run '{command}' "
                         "to rebuild it from the notebooks' fragments, then build the edition")


def build_region(region: Region, pdf: bool = True, force: bool = False) -> dict[str, Path]:
    """Build one regional edition: ``build/site/<region>/`` and ``build/pdf/<region>.pdf``.

    Skipped when nothing it is built from changed since the last build (``force`` rebuilds).
    """
    return _build(region.id, pdf, force, lambda: assemble(region))


def build_cross_region(regions: list[Region], pdf: bool = True, force: bool = False
                       ) -> dict[str, Path]:
    """The cross-region edition: ``build/site/all/`` and ``build/pdf/all.pdf``.

    Skipped when nothing it is built from changed (``force`` rebuilds); it is also built from
    its regions, the data declarations and the snapshot.
    """
    return _build(ALL, pdf, force, lambda: assemble_cross_region(regions),
                  [*sorted(paths.DATA.glob("*.yaml")), *sorted(paths.SNAPSHOT.glob("*"))],
                  also=",".join(r.id for r in regions))


def _build(name: str, pdf: bool, force: bool, assemble_sources: Callable[[], Path],
           extra: list[Path] | None = None, also: str = "") -> dict[str, Path]:
    """Check the run's results, then assemble and publish the edition ``name`` unless its
    :func:`_key` (with ``extra`` and ``also``) is the one of its last build."""
    _check_results(name)
    key = _key(name, pdf, extra or [], also)
    if _cached(key, name, pdf, force):
        return {**_outputs(name, pdf), "cached": Path("unchanged")}
    out = publish_edition(assemble_sources(), name, pdf, fresh=force)
    (paths.SITE / name / ".eocic-edition-key").write_text(key + "\n")
    return out


def write_landing_page(regions: list[Region]) -> Path:
    """``build/site/index.html`` (the template ``book/landing.html``): every edition (HTML,
    PDF, data), whether each region has briefing content of its own or is data-only, and the
    seed briefing's DOI."""

    def published(name: str) -> dict[str, str]:
        """The files of the edition ``name`` on the site, by kind (paths from the site)."""
        files = {"html": f"{name}/index.html", "pdf": f"{SITE_PDF}/{name}.pdf",
                 "report": f"{name}/{REPORT_DIR}/index.html",
                 "report_pdf": f"{SITE_PDF}/{name}-report.pdf",
                 "data": f"{SITE_DATA}/{name}-data.zip"}
        return {kind: rel for kind, rel in files.items() if (paths.SITE / rel).exists()}

    atlas = f"{atlas_name()}/index.html"
    page = templates.render("landing.html", {
        "rows": [{"region": r, "files": published(r.id),
                  "own": content_status(appendix.results(r.id)) == "own"} for r in regions],
        "cross": published(ALL), "atlas": atlas if (paths.SITE / atlas).exists() else "",
        "way_in": Markup(landing_map_and_search(regions)), "stamp": edition_stamp()[0],
        "vintage": data_vintage()})
    target = paths.SITE / "index.html"
    atomic.write_text(target, page)
    return target


#: LaTeX's special characters, each replaced in one pass (so a replacement is never escaped).
_LATEX_SPECIAL = str.maketrans({
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "_": r"\_", "#": r"\#", "$": r"\$",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"})


def _latex_escape(text: str) -> str:
    return text.translate(_LATEX_SPECIAL)
