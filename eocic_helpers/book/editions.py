"""Assemble and build the Jupyter Book editions (HTML and PDF) from the executed runs."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from eocic_helpers.core import paths
from eocic_helpers.core.errors import EocicError
from eocic_helpers.core.regions import Region

#: Chapters in the briefing's order: (notebook name, chapter title used when it is missing).
CHAPTERS: list[tuple[str, str]] = [
    ("about_study", "Selection, aims and method of the study"),
    ("indicators", "Key economic and innovation indicators"),
    ("industrial_change", "Composite indicators of industrial change"),
    ("synthesis", "Challenges, barriers and drivers of industrial modernisation"),
    ("strategy", "Proposed regional strategy to address the challenges"),
    ("interventions", "Specific recommendations for policy intervention"),
    ("cost_benefit", "Costs and sensitivity of the two interventions"),
    ("action_plan", "Roadmap and action plan"),
]


def _jupyter_book() -> str:
    exe = Path(sys.executable).parent / "jupyter-book"
    if exe.exists():
        return str(exe)
    found = shutil.which("jupyter-book")
    if not found:
        raise EocicError("jupyter-book is not installed; run: make setup")
    return found


def has_xelatex() -> bool:
    """True when the PDF toolchain (xelatex and latexmk) is on PATH."""
    return bool(shutil.which("xelatex") and shutil.which("latexmk"))


_BLOCK = re.compile(r"<!-- requires: (\w+) -->\n(.*?)<!-- end -->\n", re.S)


def _render(text: str, values: dict[str, str], available: set[str] | None = None) -> str:
    """Fill ``{{ key }}`` placeholders; drop ``<!-- requires: nb -->`` blocks whose notebook
    has not run, saying so in one sentence instead."""
    def block(m: re.Match[str]) -> str:
        if available is None or m.group(1) in available:
            return m.group(2)
        return (f"*This part needs the `{m.group(1)}` notebook, which has not been run for "
                f"this edition.*\n")

    text = _BLOCK.sub(block, text)
    for key, value in values.items():
        text = text.replace("{{ " + key + " }}", value)
    return text


def assemble(region: Region) -> Path:
    """Write the book sources of one regional edition into ``build/books/<region>``.

    Raises:
        EocicError: the region has not been run yet.
    """
    from eocic_helpers.analysis.action_plan import plan_file

    run_dir = paths.run_dir(region.id)
    if not any((run_dir / f"{nb}.ipynb").exists() for nb, _ in CHAPTERS):
        raise EocicError(
            f"no run for {region.id} yet; run it first: eocic run {region.id}"
        )
    src = paths.BOOKS / region.id
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    _, is_template = plan_file(region.id)
    template_note = (
        f"The seed briefing covers Centre-Val de Loire only. {region.name} has no action plan "
        "of its own yet, so its plan chapter uses the Centre-Val de Loire plan as a template."
        if is_template else ""
    ) + " The page {doc}`reproduction` lists each element of the briefing and its status here."
    values = {"region_name": region.name, "region_id": region.id, "template_note": template_note}
    available = {nb for nb, _ in CHAPTERS if (run_dir / f"{nb}.ipynb").exists()}
    for name in ("intro.md", "references.md", "references.bib"):
        text = (paths.BOOK_TEMPLATES / name).read_text("utf-8")
        (src / name).write_text(_render(text, values, available), encoding="utf-8")
    chapters = []
    for notebook, title in CHAPTERS:
        nb = run_dir / f"{notebook}.ipynb"
        if nb.exists():
            shutil.copy2(nb, src / nb.name)
        else:
            (src / f"{notebook}.md").write_text(
                f"# {title}\n\nThis chapter is not available for {region.name}: the "
                f"`{notebook}` notebook has not been run for it (`eocic run {region.id} "
                f"--notebook {notebook}`).\n", encoding="utf-8")
        chapters.append({"file": notebook})
    from eocic_helpers.book import appendix

    (src / "data_methods.md").write_text(appendix.data_methods_md(), encoding="utf-8")
    (src / "fidelity.md").write_text(appendix.fidelity_md(region), encoding="utf-8")
    from eocic_helpers.analysis.reproduction import reproduction_md

    (src / "reproduction.md").write_text(reproduction_md(region), encoding="utf-8")
    chapters += [{"file": "data_methods"}, {"file": "fidelity"}, {"file": "reproduction"},
                 {"file": "references"}]
    for sub in ("figures", "tables"):
        if (run_dir / sub).exists():
            shutil.copytree(run_dir / sub, src / sub)
    toc = {"format": "jb-book", "root": "intro", "chapters": chapters}
    (src / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    config = yaml.safe_load((paths.BOOK_TEMPLATES / "_config.yml").read_text("utf-8"))
    title = f"{region.name}: EOCIC policy briefing"
    config["title"] = title
    config["sphinx"]["config"]["html_title"] = title
    config["latex"]["latex_documents"]["targetname"] = f"eocic-{region.id}.tex"
    config["latex"]["latex_documents"]["title"] = title.replace("&", r"\&")
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return src


def _build(src: Path, builder: str, out: Path) -> Path:
    cmd = [_jupyter_book(), "build", str(src), "--path-output", str(out), "--builder", builder]
    if builder == "html":
        cmd += ["-W", "-n", "--keep-going"]
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1546300800"))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    log = out / f"{builder}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(proc.stdout + "\n" + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        raise EocicError(f"{builder} build of {src.name} failed; see {log}")
    return out / "_build"


def _swap_dir(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` with renames, so readers never see a half-built site."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def edition_key(region: Region, pdf: bool) -> str:
    """Hash of everything an edition is built from: the region's executed notebooks, figures
    and tables, the book templates, the package source and the PDF flag."""
    import hashlib

    from eocic_helpers.run.runner import package_digest

    h = hashlib.sha256(f"{region.id}|{pdf}|{package_digest()}".encode())
    run_dir = paths.run_dir(region.id)
    files = [*sorted(run_dir.glob("*.ipynb")), *sorted((run_dir / "figures").glob("*")),
             *sorted((run_dir / "tables").glob("*")), *sorted(paths.BOOK_TEMPLATES.glob("*")),
             *sorted(paths.REFERENCE.glob("*")), *sorted(paths.region_data_dir(region.id).glob("*"))]
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def publish_edition(src: Path, name: str, pdf: bool) -> dict[str, Path]:
    """Build the book in ``src`` and publish it as ``build/site/<name>/`` (swapped in by
    renames) and ``build/pdf/<name>.pdf`` (written atomically)."""
    work = paths.BOOKS / f".{name}-build"
    if work.exists():
        shutil.rmtree(work)
    built = _build(src, "html", work)
    staged_site = paths.SITE / f".{name}.new"
    if staged_site.exists():
        shutil.rmtree(staged_site)
    shutil.copytree(built / "html", staged_site)
    _swap_dir(staged_site, paths.SITE / name)
    out = {"html": paths.SITE / name / "index.html"}
    if pdf:
        built = _build(src, "pdflatex", work)
        pdf_file = built / "latex" / f"eocic-{name}.pdf"
        if not pdf_file.exists():
            raise EocicError(f"PDF build of {name} produced no PDF; see {work}/pdflatex.log")
        target = paths.PDF / f"{name}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copy2(pdf_file, tmp)
        os.replace(tmp, target)
        out["pdf"] = target
    shutil.rmtree(work, ignore_errors=True)
    return out


def build_region(region: Region, pdf: bool = True, force: bool = False) -> dict[str, Path]:
    """Build one regional edition: ``build/site/<region>/`` and ``build/pdf/<region>.pdf``.

    Skipped when nothing it is built from changed since the last build (``force`` rebuilds).
    """
    key = edition_key(region, pdf)
    key_file = paths.SITE / region.id / ".eocic-edition-key"
    out = {"html": paths.SITE / region.id / "index.html"}
    if pdf:
        out["pdf"] = paths.PDF / f"{region.id}.pdf"
    if (not force and key_file.exists() and key_file.read_text().strip() == key
            and all(p.exists() for p in out.values())):
        return {**out, "cached": Path("unchanged")}
    out = publish_edition(assemble(region), region.id, pdf)
    key_file.write_text(key + "\n")
    return out


ALL = "all"


def build_cross_region(regions: list[Region], pdf: bool = True, force: bool = False
                       ) -> dict[str, Path]:
    """The cross-region edition: ``build/site/all/`` and ``build/pdf/all.pdf``.

    Skipped when no region's run, the data and the templates changed (``force`` rebuilds).
    """
    import hashlib

    from eocic_helpers.book import appendix

    h = hashlib.sha256(f"{ALL}|{pdf}".encode())
    for r in regions:
        h.update(edition_key(r, pdf).encode())
    for f in sorted(paths.DATA.rglob("*")):
        if f.is_file() and "raw" not in f.parts:
            h.update(f.read_bytes())
    key = h.hexdigest()
    key_file = paths.SITE / ALL / ".eocic-edition-key"
    out = {"html": paths.SITE / ALL / "index.html"}
    if pdf:
        out["pdf"] = paths.PDF / f"{ALL}.pdf"
    if (not force and key_file.exists() and key_file.read_text().strip() == key
            and all(p.exists() for p in out.values())):
        return {**out, "cached": Path("unchanged")}

    src = paths.BOOKS / ALL
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    intro = ("# The ten EOCIC pilot regions in industrial transition\n\n"
             "This cross-region edition sets side by side the ten regional editions rebuilt "
             "from the 2019 EOCIC policy briefing for Centre-Val de Loire {cite}`eocic2019cvl`: "
             "the key indicators and the composite of every pilot, the cost model under each "
             "region's parameters, and the challenges and candidate strengths and weaknesses.\n")
    (src / "intro.md").write_text(intro, encoding="utf-8")
    pages = appendix.cross_region_pages(src, regions)
    (src / "data_methods.md").write_text(appendix.data_methods_md(), encoding="utf-8")
    for name in ("references.md", "references.bib"):
        shutil.copy2(paths.BOOK_TEMPLATES / name, src / name)
    toc = {"format": "jb-book", "root": "intro",
           "chapters": [{"file": p} for p in [*pages, "data_methods", "references"]]}
    (src / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    config = yaml.safe_load((paths.BOOK_TEMPLATES / "_config.yml").read_text("utf-8"))
    title = "The ten EOCIC pilot regions: cross-region edition"
    config["title"] = title
    config["sphinx"]["config"]["html_title"] = title
    config["latex"]["latex_documents"]["targetname"] = "eocic-all.tex"
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    out = publish_edition(src, ALL, pdf)
    key_file.write_text(key + "\n")
    return out


def write_landing_page(regions: list[Region]) -> Path:
    """``build/site/index.html``: links every regional edition, HTML and PDF."""
    rows = []
    for r in regions:
        site = paths.SITE / r.id / "index.html"
        pdf = paths.PDF / f"{r.id}.pdf"
        html_link = f'<a href="{r.id}/index.html">HTML</a>' if site.exists() else "not built"
        pdf_link = f'<a href="../pdf/{r.id}.pdf">PDF</a>' if pdf.exists() else "not built"
        rows.append(f"<tr><td>{html.escape(r.name)}</td><td>{html.escape(r.country_name)}</td>"
                    f"<td>{html_link}</td><td>{pdf_link}</td></tr>")
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>EOCIC policy briefings: the ten pilot regions</title>"
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
        "td,th{padding:.3em 1em;text-align:left}</style></head><body>"
        "<h1>EOCIC policy briefings: the ten pilot regions in industrial transition</h1>"
        "<p>Editions rebuilt from code after EOCIC (2019), doi:10.2826/735038.</p>"
        + ('<p><b>Cross-region edition:</b> <a href="all/index.html">HTML</a>'
           + (', <a href="../pdf/all.pdf">PDF</a>' if (paths.PDF / "all.pdf").exists() else "")
           + "</p>" if (paths.SITE / ALL / "index.html").exists() else "")
        + "<table><thead><tr><th>Region</th><th>Country</th><th>HTML</th><th>PDF</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )
    from eocic_helpers.core.atomic import write_text

    target = paths.SITE / "index.html"
    write_text(target, page)
    return target
