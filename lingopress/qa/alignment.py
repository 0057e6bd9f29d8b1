"""Omission and addition: every sentence and every member of an enumeration comes through.

Sentences are split with the pipeline's own splitter (sentencex with French fixes) and
aligned by length with Gale and Church's algorithm (Computational Linguistics 19(1), 1993).
It is hand-written here (40 lines) because the maintained aligners need sentence embeddings
(bertalign: LaBSE, a model download) and the only Gale-Church package on PyPI is a young
single-author release; the algorithm is small, exact and needs no data beyond each
language's length ratio.

- A source sentence aligned to nothing, or merged with a neighbour into a translation that
  is as long as one of them alone, is an omission (error).
- A translation sentence aligned to nothing is an addition (warning).
- « les diabétiques, les femmes enceintes et les enfants » has three members; a
  translation whose longest enumeration has two lost one (error).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from .base import Context, Inline, contains_source, quote
from .lexicon import lexicon, normalize
from .meaning import limit_cues, negation_counts
from .numbers import without_vague, word_numbers
from .sentences import split

# Characters of translation per character of French (measured on the project's reviewed
# catalogs and typical for the pairs); other languages get 1.
LENGTH_RATIO = {"en": 0.92, "es": 1.06, "de": 1.08, "ar": 0.82, "fr": 1.0}
_VARIANCE = 6.8  # Gale & Church's s², the variance of the length difference per character
# -log of the prior probability of each bead (source sentences, target sentences).
_BEADS = {(1, 1): -math.log(0.89), (1, 0): -math.log(0.0099 / 2), (0, 1): -math.log(0.0099 / 2),
          (2, 1): -math.log(0.089 / 2), (1, 2): -math.log(0.089 / 2), (2, 2): -math.log(0.011)}
_MAX_SENTENCES = 60
# A translation with fewer sentences than its source and under this share of the expected
# length has lost one, even where alignment cannot tell which.
_SHORT = 0.62  # beyond this the unit is a list or a table; align only its first part


def align(src: tuple[str, ...], tgt: tuple[str, ...], ratio: float) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Gale-Church alignment: the beads (source indexes, target indexes), in order."""
    src, tgt = src[:_MAX_SENTENCES], tgt[:_MAX_SENTENCES]
    n, m = len(src), len(tgt)
    src_len, tgt_len = [len(s) for s in src], [len(t) for t in tgt]
    cost = [[math.inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == math.inf:
                continue
            for (di, dj), prior in _BEADS.items():
                if i + di > n or j + dj > m:
                    continue
                total = cost[i][j] + prior + _length_cost(sum(src_len[i:i + di]), sum(tgt_len[j:j + dj]), ratio)
                if total < cost[i + di][j + dj]:
                    cost[i + di][j + dj] = total
                    back[i + di][j + dj] = (di, dj)
    beads = []
    i, j = n, m
    while i or j:
        di, dj = back[i][j]
        beads.append((tuple(range(i - di, i)), tuple(range(j - dj, j))))
        i, j = i - di, j - dj
    return beads[::-1]


def _length_cost(source: int, target: int, ratio: float) -> float:
    if source == 0 and target == 0:
        return 0.0
    mean = (source + target / ratio) / 2
    delta = (target - source * ratio) / math.sqrt(max(mean, 1) * _VARIANCE)
    probability = 2 * (1 - _normal_cdf(abs(delta)))
    return -math.log(max(probability, 1e-12))


def _normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _beads(source: str, target: str, ctx: Context):
    src, tgt = split(source, ctx.source_language), split(target, ctx.language)
    ratio = LENGTH_RATIO.get(ctx.language, 1.0) / LENGTH_RATIO.get(ctx.source_language, 1.0)
    if len(src) <= 1 and len(tgt) <= 1:
        return src, tgt, ratio, []
    return src, tgt, ratio, align(src, tgt, ratio)


def check_omission(source: Inline, target: Inline, ctx: Context) -> list[str]:
    if contains_source(source, target):
        return []
    src, tgt, ratio, beads = _beads(source.text, target.text, ctx)
    messages = []
    if len(src) > len(tgt):
        for i in _unmatched(beads, src, tgt, ratio, ctx, side=0):
            messages.append(f"sentence {i + 1} of the source has no counterpart in the translation: {quote(src[i])}")
        expected = ratio * len(source.text)
        if not messages and len(target.text) < _SHORT * expected:
            messages.append(f"the translation has {len(tgt)} sentences for the source's {len(src)} and is "
                            f"{len(target.text) / expected:.0%} of the expected length: a sentence is missing")
    messages += _enumeration_messages(source.text, target.text, ctx)
    return messages


def check_addition(source: Inline, target: Inline, ctx: Context) -> list[str]:
    src, tgt, ratio, beads = _beads(source.text, target.text, ctx)
    if len(tgt) <= len(src):
        return []
    return [f"sentence {j + 1} of the translation has no counterpart in the source: {quote(tgt[j])}"
            for j in _unmatched(beads, src, tgt, ratio, ctx, side=1)]


def _unmatched(beads, src: tuple[str, ...], tgt: tuple[str, ...], ratio: float, ctx: Context,
               side: int) -> list[int]:
    """Sentences on `side` (0: source, 1: translation) that the other side lacks.

    Suspects are sentences the alignment leaves alone, or merges with a neighbour into one
    sentence of the other side. A suspect is cleared when the other side's text next to it
    carries everything that matters in it and its neighbour (negations, numbers, limits,
    time units), or, where it carries none of those, is as long as both together: a
    translator who joins two sentences keeps the content of both.
    """
    mine_texts, other_texts = (src, tgt) if side == 0 else (tgt, src)
    scale = ratio if side == 0 else 1 / ratio
    languages = (ctx.source_language, ctx.language) if side == 0 else (ctx.language, ctx.source_language)
    found = []
    for index, bead in enumerate(beads):
        mine, theirs = bead[side], bead[1 - side]
        if not theirs:
            near = [b for b in (beads[index - 1] if index else None,
                                beads[index + 1] if index + 1 < len(beads) else None) if b and b[1 - side]]
            suspects = [(i, [j for b in near for j in b[side]], [j for b in near for j in b[1 - side]]) for i in mine]
        elif len(mine) == 2 and len(theirs) == 1:
            suspects = [(one, [i for i in mine if i != one], list(theirs)) for one in mine]
        else:
            continue
        # Length alignment can pair the wrong neighbours, so content is compared over the
        # beads on either side too.
        window = beads[max(index - 1, 0):index + 2]
        for suspect, neighbours, counterpart in suspects:
            wide_mine = [i for b in window for i in b[side] if i != suspect]
            wide_other = [j for b in window for j in b[1 - side]]
            if not _covered(mine_texts[suspect], neighbours, counterpart, wide_mine, wide_other,
                            mine_texts, other_texts, scale, languages):
                found.append(suspect)
                break  # one of a merged pair is missing, not both
    return found


def _covered(suspect: str, neighbours: list[int], counterpart: list[int], wide_mine: list[int],
             wide_other: list[int], mine_texts: tuple[str, ...], other_texts: tuple[str, ...], scale: float,
             languages: tuple[str, str]) -> bool:
    def signals(text: str, language: str, generous: bool) -> Counter:
        # (Time units are left out: « 30 minutes » may be "half an hour"; the time-units
        # check compares them.)
        lex = lexicon(language)
        text = without_vague(text, lex)[0]
        strong, weak = negation_counts(text, lex)
        numbers = len(re.findall(r"\d+(?:[.,]\d+)?", text)) + sum(
            1 for w in word_numbers(text, lex) if not w.soft)
        counts = Counter(negation=strong + (weak if generous else 0), numbers=numbers,
                         limits=len(limit_cues(text, lex)))
        return +counts

    def joined(texts: tuple[str, ...], ids: list[int]) -> str:
        return " ".join(texts[i] for i in ids)

    wanted = signals(suspect, languages[0], False)
    if wanted:
        have = signals(joined(other_texts, wide_other), languages[1], True)
        return not (wanted + signals(joined(mine_texts, wide_mine), languages[0], False)) - have
    neighbour, other = joined(mine_texts, neighbours), joined(other_texts, counterpart)
    whole = scale * (len(suspect) + len(neighbour) + (1 if neighbour else 0))
    without, alone = scale * len(neighbour), scale * len(suspect)
    got = len(other)
    # Missing: the counterpart is much shorter than both together and fits the neighbour
    # alone better than both, and better than the suspect alone (then the alignment merely
    # paired the wrong neighbours).
    missing = got < _MERGED * whole and abs(got - without) < min(abs(got - whole), abs(got - alone))
    return not missing


# --- enumerations ------------------------------------------------------------------------

_NUMBER_WITH_COMMA = re.compile(r"\d+[,.]\d+")
_AFTER_COLON = re.compile(r":\s*([^.!?؟:]+)")
_ASIDE = re.compile(r"\([^()]*\)")  # "(fontanelle)": an aside, not a member
_CLAUSE = re.compile(r"[;:\[\]«»\"“”!?؟.]|\s[–—-]\s")
_MAX_ITEM_WORDS = 6
_SHORT_ITEM_WORDS = 4  # list members are short noun phrases; longer ones must look alike
# A merged pair whose counterpart is under this share of both together has lost one (the
# spread of lengths between faithful translations is about ±20 %).
_MERGED = 0.75


def enumerations(text: str, language: str, smallest: int = 3, *, generous: bool = False) -> list[int]:
    """Member counts of the enumerations (of `smallest` members or more) in `text`: « A, B et C ».
    `generous` (for translations) also counts members joined again after the conjunction."""
    conjunction = lexicon(language).conjunctions
    found = []
    text = _ASIDE.sub("", _NUMBER_WITH_COMMA.sub("0", normalize(text)))
    for listed in _AFTER_COLON.findall(text):
        # « Signes d'alerte : fièvre, peau sèche, confusion » — a list needs no conjunction
        # after a colon when every part is short.
        parts = [part.strip() for part in re.split(r"[,،;]", listed) if part.strip()]
        if len(parts) >= 3 and all(len(part.split()) <= _MAX_ITEM_WORDS for part in parts):
            found.append(len(parts) + len(conjunction.findall(parts[-1])))
    for clause in _CLAUSE.split(text):
        segments = [s.strip() for s in re.split(r"[,،]", clause)]
        middle: list[str] = []  # the members between the first comma and the conjunction
        just_closed = False
        for segment in segments[1:]:
            joined = conjunction.search(segment)
            before = segment[:joined.start()].strip() if joined else ""
            if joined and not before and not middle and just_closed:
                found[-1] += 1  # "A, B and C, and D": the list goes on after its conjunction
                continue
            just_closed = False
            if joined and len(before.split()) <= _MAX_ITEM_WORDS and (before or middle):
                # "A, B, et C" (a comma before the conjunction) has no member before it.
                rest = segment[joined.end():].strip()
                members = [*middle, *([before] if before else []), *(_conjoined(rest, conjunction) if generous else [rest])]
                if (middle and all(len(m.split()) <= _SHORT_ITEM_WORDS for m in members[:-1])) or _parallel(members):
                    found.append(len(members) + _first_is_member(segments[0], members))
                    just_closed = True
                middle = []
            elif len(segment.split()) <= _MAX_ITEM_WORDS:
                middle.append(segment)
            else:
                middle = []
    return [count for count in found if count >= smallest]


def _conjoined(rest: str, conjunction: re.Pattern) -> list[str]:
    """The members after a list's conjunction: "kidney cancer", or "Nierenkrebs sowie
    weitere Krebsarten" (two, joined again)."""
    parts = [part.strip() for part in conjunction.split(rest)]
    members = [parts[0]]
    for part in parts[1:]:
        if part and len(members[-1].split()) <= _MAX_ITEM_WORDS:
            members.append(part)
    return members


def _first_is_member(first: str, members: list[str]) -> int:
    """« Avant le traitement, un bilan, une radio et un test »: the words before the first
    comma are a member only when they end like the others (the same determiner) or the
    members are bare words."""
    if all(len(member.split()) <= 2 for member in members[:-1]):
        return 1  # the last member runs on to the end of the sentence: not a measure
    lead = {member.split()[0].casefold() for member in members if member.split()}
    return int(bool(lead & {word.casefold() for word in first.split()[-4:]}))


# Words that introduce a list without being part of its first member ("such as bananas").
_INTRODUCERS = re.compile(r"^(?:comme|tels? que|telles? que|notamment|dont|like|such as|including|namely|"
                          r"como|tales como|incluidos?|wie|etwa|z\.\s?B\.|darunter|مثل|منها|ومنها|ك)\s+", re.IGNORECASE)


def _parallel(members: list[str]) -> bool:
    """With a single comma, « X, Y et Z » may be a clause and two coordinated verbs
    (« Si la fièvre persiste, consultez et appelez »): count it as an enumeration only when
    the members after the comma are alike: bare words, or the same first word (les…, les…)."""
    words = [_INTRODUCERS.sub("", member).split() for member in members]
    if all(0 < len(w) <= 2 for w in words):
        return True
    return len({w[0].casefold() for w in words if w}) == 1


def _members_in_translation(text: str, language: str) -> int:
    """The most members any clause of the translation can hold: separators + 1. Counting
    generously only ever spares a translation, never accuses one."""
    conjunction = lexicon(language).conjunctions
    best = 0
    for clause in _CLAUSE.split(_ASIDE.sub("", _NUMBER_WITH_COMMA.sub("0", normalize(text)))):
        separators = len(re.findall(r"[,،]", clause)) + len(conjunction.findall(clause))
        if language == "ar":  # و is written joined to the next word: والأطفال
            separators += len(re.findall(r"(?<!\w)و(?=ال|\w{3,})", clause))
        best = max(best, separators + 1)
    return best


def _enumeration_messages(source: str, target: str, ctx: Context) -> list[str]:
    counts = enumerations(source, ctx.source_language)
    if not counts:
        return []
    found = enumerations(target, ctx.language, smallest=2, generous=True) if ctx.language != "ar" else []
    # Where no enumeration reads as such (no commas, Arabic's joined و), count generously.
    members = max(found) if found else _members_in_translation(target, ctx.language)
    largest = max(counts)
    if 2 <= members < largest:
        return [f"an enumeration of {largest} members in the source has at most {members} in the translation"]
    return []
