"""Sentence splitting for machine translation: NMT models are trained on single sentences.

The general rules come from sentencex (Wikimedia's segmenter, maintained, fast, ~300
languages). A thin French layer on top fixes what it gets wrong in French medical text,
each rule with a test in tests/test_mt_sentences.py:

- titles and abbreviations that take a period (``Dr.``, ``Pr.``, ``M.``, ``s.``, ``fig.``,
  ``p. ex.``) and initials (``William B. Coley``) never end a sentence;
- ``etc.`` and an ellipsis (``…`` or ``...``) do end one when a capital follows.
"""

from __future__ import annotations

import re

from sentencex import get_sentence_boundaries

# Abbreviations that end with a period but (almost) never end a French sentence.
_ABBREVIATIONS = frozenset(
    "dr pr m mm mme mmes mlle mlles me mgr st ste s ss cf env fig figs vol chap ex p pp "
    "av apr ap éd coll art al réf n° no tél".split())
_TRAILING_WORD = re.compile(r"(?:^|[\s(«\"“'’])([^\s(«\"“]+)\.$")
# An initial after a first name ("William B. Coley"), not "vitamine D." or "lymphocytes T et B.".
_INITIAL = re.compile(r"(?:^|\s)[A-ZÀ-Ý][a-zà-ÿ-]+\s[A-ZÀ-Ý]\.$")
# "J.-C.": sentencex cuts after "J."; no sentence starts with a hyphen glued to a word.
_HYPHEN_START = re.compile(r"\s*-\S")
# Boundaries sentencex does not see: "etc." or an ellipsis followed by a capital.
_EXTRA_BOUNDARY = re.compile(r"(?:(?<=\betc\.)|(?<=…)|(?<=\.\.\.))\s+(?=[«\"“(]?\s*[A-ZÀ-ÖØ-Þ])")


def split_sentences(text: str, language: str = "fr") -> list[str]:
    """Split one unit of text into sentences, stripped, none empty; their order is the text's."""
    spans: list[list[int]] = []  # [start, end] offsets into text: merging never alters it
    for boundary in get_sentence_boundaries(language, text):
        start, end = boundary["start_index"], boundary["end_index"]
        cuts = [start] + [start + m.end() for m in _EXTRA_BOUNDARY.finditer(text[start:end])] + [end]
        for begin, finish in zip(cuts, cuts[1:]):
            if spans and (_ends_with_abbreviation(text[spans[-1][0]:spans[-1][1]])
                          or _HYPHEN_START.match(text, begin)):
                spans[-1][1] = finish
            else:
                spans.append([begin, finish])
    pieces = (text[begin:finish].strip() for begin, finish in spans)
    return [piece for piece in pieces if piece]


def _ends_with_abbreviation(piece: str) -> bool:
    piece = piece.rstrip()
    if _INITIAL.search(piece):
        return True
    match = _TRAILING_WORD.search(piece)
    if match is None:
        return False
    word = match.group(1).lower()
    # "p. ex." is two abbreviations; "J.-C." and "n°." carry their own punctuation.
    return word in _ABBREVIATIONS or word.rstrip(".").split(".")[-1] in _ABBREVIATIONS \
        or word.endswith("-c")
