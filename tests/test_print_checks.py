"""The print rules measured on a small PDF whose pages are known."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import print_checks as pc

pytestmark = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
                                reason="poppler-utils missing")


#: Builds the sample in a fresh interpreter, so no theme set by an earlier test reaches it.
SAMPLE_SCRIPT = """
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages

def page(pdf, lines):
    fig = plt.figure(figsize=(595.28 / 72, 841.89 / 72))
    for x, y, text in lines:
        fig.text(x / 595.28, 1 - y / 841.89, text, fontsize=10, va="top")
    pdf.savefig(fig)
    plt.close(fig)

full = [(80, 80 + 20 * k, f"line {k} of a full page") for k in range(34)]
with PdfPages(sys.argv[1]) as pdf:
    page(pdf, [(300, 40, "CHAPTER"), *full])                         # 1: a chapter opens
    page(pdf, [(80, 80, "a short page in the"), (80, 120, "middle of a chapter")])  # 2
    page(pdf, [*full, (500, 300, "marginal")])                       # 3: a word too far
    page(pdf, [(80, 80, "the last lines of the chapter")])           # 4: its last page
    page(pdf, [(300, 40, "APPENDIX"), *full])                        # 5: an appendix opens
    page(pdf, [])                                                    # 6: blank
    page(pdf, [(80, 80, "end")])                                     # 7: the PDF's last page
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    subprocess.run([sys.executable, "-c", SAMPLE_SCRIPT, str(target)], check=True)
    return target


def test_sparse_pages_are_found_and_a_chapters_last_page_is_not_one(sample: Path):
    report = pc.layout_report(sample)
    assert report.pages == 7
    assert pc.chapter_starts(sample) == [1, 5]
    assert report.chapter_last == [4, 7]
    assert report.sparse == [2]
    assert report.blank == [6]
    assert report.fill[0] > 0.9 and report.fill[1] < 0.1


def test_a_word_past_the_text_block_is_reported_with_its_page(sample: Path):
    found = pc.overflowing_words(sample)
    assert found == [(3, "marginal")]
    assert pc.layout_report(sample).problems()["words past the text block"] == found
