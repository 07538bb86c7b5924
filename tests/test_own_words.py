"""Content in our own words: no run of 10+ consecutive words shared with the seed briefing.

The seed is ``../shared/seed/eocic-briefing-centre-val-de-loire-2019.md`` (next to the
repository); every test here skips when it is absent. Measured: every content file (the YAML
under ``data/``, the reference tables, the book's templates, the notebooks' cells and the
package's strings) and the text of the built Centre-Val de Loire edition. The only exceptions
are the proper names of ``data/reference/proper_names.yaml``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from support.wordruns import MIN_WORDS, Run, html_text, normalise, shared_runs

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "eocic-briefing-centre-val-de-loire-2019.md"
PROPER_NAMES = ROOT / "data" / "reference" / "proper_names.yaml"
REGION = "centre-val-de-loire"
#: The longest an exempt name may be: a name longer than this is a sentence.
MAX_NAME_WORDS = 12

pytestmark = pytest.mark.skipif(not SEED.is_file(), reason=f"seed briefing absent: {SEED}")


@pytest.fixture(scope="module")
def seed() -> list[str]:
    return normalise(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def exempt() -> list[str]:
    names = yaml.safe_load(PROPER_NAMES.read_text(encoding="utf-8"))["names"]
    return [name for group in names.values() for name in group]


def content_files() -> list[Path]:
    """Every file whose text can reach an edition or describes the content."""
    data, book = ROOT / "data", ROOT / "book"
    files = [*data.glob("regions/**/*.yaml"), data / "interventions.yaml",
             *data.glob("reference/*.yaml"), *data.glob("reference/*.csv"),
             *book.glob("**/*.md"), *(ROOT / "notebooks").glob("*.ipynb"),
             *(ROOT / "eocic_helpers").glob("**/*.py")]
    return sorted(f for f in files if f.is_file())


def texts_of(path: Path) -> list[str]:
    """The texts of a file measured separately: one per notebook cell, else the whole file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        return ["".join(cell["source"]) for cell in json.loads(text)["cells"]]
    return [text]


def report(runs: dict[str, list[Run]]) -> str:
    return "\n".join(f"{name}: {r.length} words: {r.text}"
                     for name, found in runs.items() for r in found)


def test_proper_names_are_names_the_briefing_uses(seed, exempt):
    text = " " + " ".join(seed) + " "
    assert exempt and len(set(exempt)) == len(exempt)
    for name in exempt:
        words = normalise(name)
        assert 1 < len(words) <= MAX_NAME_WORDS, f"not a name: {name!r}"
        assert f" {' '.join(words)} " in text, f"{name!r} does not occur in the briefing"


def test_the_measure_finds_a_copied_sentence(seed, exempt):
    """The check can fail: a sentence of the seed, pasted into content, is found."""
    copied = " ".join(seed[1000:1030])
    runs = shared_runs(seed, f"our words {copied} more of ours", exempt=exempt)
    assert runs and max(r.length for r in runs) >= MIN_WORDS


def test_no_content_file_copies_the_briefing(seed, exempt):
    files = content_files()
    assert any(f.name == "synthesis.yaml" for f in files) and any(f.suffix == ".ipynb" for f in files)
    runs = {str(f.relative_to(ROOT)): [r for t in texts_of(f)
                                       for r in shared_runs(seed, t, exempt=exempt)]
            for f in files}
    runs = {name: found for name, found in runs.items() if found}
    assert not runs, f"runs of {MIN_WORDS}+ words shared with the seed:\n{report(runs)}"


def edition_runs(site: Path, seed: list[str], exempt: list[str]) -> dict[str, list[Run]]:
    pages = sorted(site.glob("*.html"))
    assert len(pages) > 5, f"{site} holds {len(pages)} pages"
    runs = {page.name: shared_runs(seed, html_text(page.read_text(encoding="utf-8")),
                                   exempt=exempt) for page in pages}
    return {name: found for name, found in runs.items() if found}


@pytest.mark.study
def test_a_fresh_edition_does_not_copy_the_briefing(all_editions: Path, seed, exempt):
    """The edition of the session's shared build (with ``EOCIC_TEST_BUILD``, the developer's own
    build folder brought up to date: it replaces the check of this checkout's ``build/``, which
    skipped in a clean clone)."""
    runs = edition_runs(all_editions / "site" / REGION, seed, exempt)
    assert not runs, f"runs of {MIN_WORDS}+ words shared with the seed:\n{report(runs)}"
