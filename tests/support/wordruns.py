"""Runs of words two texts share: the measure behind "content in our own words".

The project restates the seed briefing rather than copying it. This module measures that: it
normalises both texts to a list of words (lowercase, no markup or punctuation, one kind of
quote and dash) and finds every run of at least ``min_words`` consecutive words they share.

Proper names are data, not prose: a programme, an organisation or an action's title has to be
written as the briefing writes it. Such names can be declared *exempt*. Each occurrence of an
exempt name then counts as a single word, in both texts, so a run made only of (or inside) a
name is never counted, while a copied sentence around a name still is.

Everything here is pure: text in, runs out.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

#: The default run length that counts as copying (the project's rule: 10 words).
MIN_WORDS = 10

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
})
_HTML_TAG = re.compile(r"<[^>]*>")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_FOOTNOTE = re.compile(r"\[\^[^\]]*\]:?")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_NOT_WORD = re.compile(r"[^\w]+|_+")


def normalise(text: str) -> list[str]:
    """The words of ``text``, normalised for comparison.

    Lowercases; strips HTML tags and entities, markdown links (keeping their text), footnote
    markers and URLs; unifies quotes and dashes; drops apostrophes inside words (``Dev'Up`` is
    ``devup``); treats every other punctuation mark, hyphens included, as a space.

    Args:
        text: Any text: markdown, YAML strings, HTML or plain text.

    Returns:
        The words, in order (an empty list for a text without words).
    """
    text = unicodedata.normalize("NFKC", html.unescape(text)).translate(_QUOTES)
    text = _HTML_TAG.sub(" ", text)
    text = _MD_LINK.sub(r" \1 ", text)
    text = _MD_FOOTNOTE.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _APOSTROPHE.sub("", text.lower())
    return _NOT_WORD.sub(" ", text).split()


class _TextOfHtml(HTMLParser):
    """Collects the text of an HTML page, leaving out scripts, styles and the head."""

    _SKIP = frozenset({"script", "style", "head", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_text(page: str) -> str:
    """The text a reader sees in an HTML page (no scripts, styles or ``<head>``)."""
    parser = _TextOfHtml()
    parser.feed(page)
    parser.close()
    return " ".join("".join(parser.parts).split())


@dataclass(frozen=True)
class Run:
    """One run of consecutive words two texts share.

    Attributes:
        words: The shared words (normalised), in the measured text's order.
        start: Index of the run's first word in the measured text's word list.
        seed_start: Index of the run's first word in the reference (seed) text's word list.
        length: The run's length in counted words: an exempt name counts as one word.
    """

    words: tuple[str, ...]
    start: int
    seed_start: int
    length: int

    @property
    def text(self) -> str:
        """The run as one line of normalised words."""
        return " ".join(self.words)


def _phrases(exempt: Iterable[str]) -> list[tuple[str, ...]]:
    """The exempt names as word tuples, longest first (so the longest name wins a match)."""
    phrases = {tuple(normalise(p)) for p in exempt}
    return sorted((p for p in phrases if p), key=lambda p: (-len(p), p))


def _tokens(words: Sequence[str], phrases: Sequence[tuple[str, ...]]
            ) -> tuple[list[str], list[tuple[int, int]]]:
    """``words`` with each exempt name collapsed to one token; each token's word span."""
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for phrase in phrases:
        by_first[phrase[0]].append(phrase)
    tokens: list[str] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        for phrase in by_first.get(words[i], ()):
            if tuple(words[i:i + len(phrase)]) == phrase:
                tokens.append("\x00" + " ".join(phrase))
                spans.append((i, i + len(phrase)))
                i += len(phrase)
                break
        else:
            tokens.append(words[i])
            spans.append((i, i + 1))
            i += 1
    return tokens, spans


def _as_words(text: str | Sequence[str]) -> list[str]:
    return normalise(text) if isinstance(text, str) else list(text)


def shared_runs(seed: str | Sequence[str], text: str | Sequence[str], *,
                min_words: int = MIN_WORDS, exempt: Iterable[str] = ()) -> list[Run]:
    """Every run of at least ``min_words`` consecutive words ``text`` shares with ``seed``.

    A run is maximal: it cannot be extended on either side. Where several runs overlap in
    ``text`` (the seed repeats itself), a run contained in a longer one is dropped, so each
    copied passage is reported once.

    Args:
        seed: The reference text (or its already-normalised words).
        text: The text measured against it (or its words).
        min_words: The shortest run reported, in counted words (at least 1).
        exempt: Proper names; each occurrence counts as one word in both texts.

    Returns:
        The runs, in the order they start in ``text``.

    Raises:
        ValueError: If ``min_words`` is below 1.
    """
    if min_words < 1:
        raise ValueError(f"min_words must be at least 1, not {min_words}")
    phrases = _phrases(exempt)
    seed_words, text_words = _as_words(seed), _as_words(text)
    a, a_spans = _tokens(seed_words, phrases)
    b, b_spans = _tokens(text_words, phrases)
    k = min_words
    grams: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j in range(len(a) - k + 1):
        grams[tuple(a[j:j + k])].append(j)
    found: list[tuple[int, int, int]] = []  # (start in b, length in tokens, start in a)
    for i in range(len(b) - k + 1):
        for j in grams.get(tuple(b[i:i + k]), ()):
            if i > 0 and j > 0 and a[j - 1] == b[i - 1]:
                continue  # not left-maximal: the run starting earlier covers it
            n = k
            while i + n < len(b) and j + n < len(a) and a[j + n] == b[i + n]:
                n += 1
            found.append((i, n, j))
    found.sort(key=lambda r: (r[0], -r[1], r[2]))
    runs: list[Run] = []
    reach = -1
    for i, n, j in found:
        if i + n <= reach:
            continue  # inside a longer run already reported
        reach = i + n
        lo, hi = b_spans[i][0], b_spans[i + n - 1][1]
        runs.append(Run(words=tuple(text_words[lo:hi]), start=lo,
                        seed_start=a_spans[j][0], length=n))
    return runs


@dataclass(frozen=True)
class RunSummary:
    """The figures the project reports for one measured text.

    Attributes:
        runs: Number of shared runs of at least the threshold (10 words).
        runs_12: How many of them are 12 words or longer.
        words: Total words in those runs (an exempt name counts as its words).
        longest: Length of the longest run, in counted words (0 when there is none).
    """

    runs: int
    runs_12: int
    words: int
    longest: int


def summarise(runs: Sequence[Run]) -> RunSummary:
    """The count, the count of 12+ runs, the total words and the longest run of ``runs``."""
    return RunSummary(runs=len(runs), runs_12=sum(r.length >= 12 for r in runs),
                      words=sum(len(r.words) for r in runs),
                      longest=max((r.length for r in runs), default=0))
