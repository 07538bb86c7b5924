"""Shared word runs: normalisation, maximal runs, exempt proper names, summaries."""

from __future__ import annotations

import pytest
from support.wordruns import html_text, normalise, shared_runs, summarise

SEED = ("The importance of component suppliers (especially SMEs) integrated in national or "
        "global value chains, with decision centres out of reach.")


def test_normalise_strips_markup_punctuation_and_unifies_quotes_and_dashes():
    text = ("**Dev\u2019Up** \u2013 the <em>regional</em> [agency](https://x.org) \u201cleads\u201d"
            "[^7]:  low-carbon\u00a0R&D, see https://example.org/a_b.")
    assert normalise(text) == ["devup", "the", "regional", "agency", "leads", "low", "carbon",
                               "r", "d", "see"]
    assert normalise("Dev'Up") == normalise("DEV\u2019UP") == ["devup"]
    assert normalise("  \n\t ") == []


def test_a_copied_sentence_is_one_maximal_run_with_its_length():
    text = "Intro words here. " + SEED + " And then our own words."
    runs = shared_runs(SEED, text)
    assert len(runs) == 1
    assert runs[0].length == len(normalise(SEED)) == 20
    assert runs[0].text == " ".join(normalise(SEED))
    assert runs[0].start == 3 and runs[0].seed_start == 0


def test_runs_below_the_threshold_are_not_reported_and_the_threshold_is_inclusive():
    seed = "one two three four five six seven eight nine ten eleven"
    assert shared_runs(seed, "x one two three four five six seven eight nine y") == []
    runs = shared_runs(seed, "x one two three four five six seven eight nine ten y")
    assert [r.length for r in runs] == [10]
    assert [r.length for r in shared_runs(seed, "two three four", min_words=3)] == [3]
    with pytest.raises(ValueError, match="min_words"):
        shared_runs(seed, seed, min_words=0)


def test_a_restated_item_shares_no_run():
    ours = ("Many regional firms are SME component suppliers whose buyers decide elsewhere, "
            "in national or global chains.")
    assert shared_runs(SEED, ours) == []


def test_every_separate_copied_passage_is_reported_once():
    seed = " ".join(f"w{i}" for i in range(40))
    text = " ".join(["a", *[f"w{i}" for i in range(0, 12)], "b", *[f"w{i}" for i in range(20, 35)]])
    runs = shared_runs(seed, text)
    assert [(r.length, r.words[0]) for r in runs] == [(12, "w0"), (15, "w20")]
    # A seed that repeats a passage still gives one run per passage of the measured text.
    assert len(shared_runs(seed + " " + seed, text)) == 2


def test_a_run_made_only_of_an_exempt_name_is_not_counted():
    name = "European Strategic Cluster Partnerships for Smart Specialisation Investments ESCP S3"
    seed = f"The region joins the {name} next year."
    text = f"We name the {name} as the briefing does."
    assert [r.length for r in shared_runs(seed, text)] == [11]
    assert shared_runs(seed, text, exempt=[name]) == []


def test_a_copied_sentence_around_an_exempt_name_still_counts_with_the_name_as_one_word():
    seed = ("Dev'Up, the regional economic development agency, organised a call in autumn 2018 to "
            "obtain expert support.")
    runs = shared_runs(seed, seed, exempt=["Dev'Up"])
    assert len(runs) == 1 and runs[0].length == len(normalise(seed))
    longer = shared_runs(seed, seed, exempt=["regional economic development agency"])
    assert longer[0].length == len(normalise(seed)) - 3
    assert len(longer[0].words) == len(normalise(seed))


def test_summary_counts_runs_runs_of_12_words_and_the_longest():
    seed = " ".join(f"w{i}" for i in range(60))
    text = " ".join(["x", *[f"w{i}" for i in range(0, 10)], "y", *[f"w{i}" for i in range(30, 55)]])
    summary = summarise(shared_runs(seed, text))
    assert (summary.runs, summary.runs_12, summary.words, summary.longest) == (2, 1, 35, 25)
    assert summarise([]).longest == 0


def test_html_text_keeps_what_a_reader_sees():
    page = ("<html><head><title>T</title><style>p{}</style></head><body><p>Hello&nbsp;"
            "<b>world</b></p><script>var x = 'secret';</script><p>again</p></body></html>")
    assert html_text(page) == "Hello world again"
    assert normalise(html_text(page)) == ["hello", "world", "again"]
