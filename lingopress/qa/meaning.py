"""Meaning checks: a negation dropped or added, a limit turned the other way.

Every digit of « ne doit pas être administré pendant la grossesse » survives in "must be
given during pregnancy"; these checks read what the digits checks cannot. They count cues
from per-language lexicons (`lexicons/*.toml`), so they work on any sentence of the
language, not on a list of known sentences.

Negation is counted per aligned sentence (see `alignment`): a sentence whose source has
more negations than its translation has lost one (error); a translation with more has
gained one (warning). "Weak" cues (« éviter », "avoid", "absence", "nor") may stand in for
a negation but never count as an extra one, so idiomatic renderings pass.

Limits: each qualifier of a number (« moins de 12 ans », "at least 3 days", "≤ 4 g") or of
a dose word (« dose maximale ») has a direction, upper bound or lower bound. A direction
that disappears while the other appears is a flipped limit (error). A qualifier that only
disappears is not reported: "children under 12" for « enfants de moins de 12 ans » keeps
it, but so do many renderings a lexicon cannot list.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from functools import lru_cache

from .base import Context, Inline, contains_source, quote
from .lexicon import MAX, MIN, LimitCue, Lexicon, lexicon, normalize
from .sentences import aligned_pairs

_DIGIT = re.compile(r"\d")
_NEAR = 28  # characters between a qualifier and its number ("moins de 12", "au moins trois")


def negation_counts(text: str, lex: Lexicon) -> tuple[int, int]:
    """(strong, weak) negation cues in `text`."""
    return _negation_counts(text, lex.language)[:2]


@lru_cache(maxsize=8192)
def _negation_counts(text: str, language: str) -> tuple[int, int, int]:
    # Several checks ask about the same sentence: each text is read once.
    lex = lexicon(language)
    text = lex.not_negation.sub(" ", normalize(text))
    double = len(lex.negation_double.findall(text))
    text = lex.negation_double.sub(" ", text)
    strong = len(lex.negation_strong.findall(text))
    # Weak cues inside a strong one count too: in « n'arrêtez pas », "arrêtez" must not let
    # a translation's "stop" stand in for the negation it lost.
    inside = sum(1 for match in lex.negation_strong.finditer(text)
                 for weak in lex.negation_weak.finditer(match.group(0))
                 if weak.end() - weak.start() < match.end() - match.start() - 2)
    text = lex.negation_strong.sub(" ", text)
    weak = len(lex.negation_weak.findall(text))
    return strong, weak + 2 * double, weak + inside + 2 * double


def negation_messages(source: str, target: str, ctx: Context) -> tuple[list[str], list[str]]:
    """(errors, warnings) for one aligned pair of source and target text."""
    src_strong, src_weak, src_weak_all = _negation_counts(source, ctx.source_language)
    tgt_strong, tgt_weak = negation_counts(target, lexicon(ctx.language))
    # A weak cue of the translation answers the source's own weak cues first (« sauf avis
    # contraire » is "unless your doctor says otherwise"); only what is left may stand in
    # for a negation.
    tgt_weak = max(0, tgt_weak - src_weak_all)
    # « Ne pas dépasser 4 g » may become "at most 4 g": a limit stands in for a negation
    # (whether it points the right way is the limits check's business).
    if src_strong > tgt_strong + tgt_weak:
        source_lex = lexicon(ctx.source_language)
        negated_limits = sum(1 for cue in limit_cues(source, source_lex) if source_lex.negation_strong.search(cue.text))
        if negated_limits:
            tgt_weak += min(negated_limits, len(limit_cues(target, lexicon(ctx.language))))
    errors, warnings = [], []
    if src_strong > tgt_strong + tgt_weak:
        errors.append(f"negation missing in translation: the source has {src_strong} "
                      f"({quote(source)}), the translation {tgt_strong}")
    elif tgt_strong > src_strong + src_weak:
        warnings.append(f"negation in the translation that the source does not have "
                        f"({tgt_strong} against {src_strong}): {quote(target)}")
    return errors, warnings


def check_negation(source: Inline, target: Inline, ctx: Context) -> list[str]:
    if contains_source(source, target):
        return []
    messages = []
    for src, tgt in aligned_pairs(source.text, target.text, ctx):
        messages += negation_messages(src, tgt, ctx)[0]
    return messages


def check_added_negation(source: Inline, target: Inline, ctx: Context) -> list[str]:
    messages = []
    for src, tgt in aligned_pairs(source.text, target.text, ctx):
        messages += negation_messages(src, tgt, ctx)[1]
    return messages


def limit_cues(text: str, lex: Lexicon) -> tuple[LimitCue, ...]:
    """Qualifiers of numbers and dose words in `text`, each with its direction."""
    return _limit_cues(text, lex.language)


@lru_cache(maxsize=8192)
def _limit_cues(text: str, language: str) -> tuple[LimitCue, ...]:
    lex = lexicon(language)
    text = lex.limit_neutral.sub(lambda m: " " * len(m.group(0)), normalize(text))
    numbers = sorted([(m.start(), m.end()) for m in _DIGIT.finditer(text)]
                     + [(word.start, word.end) for word in lex.find_number_words(text)])
    starts = [start for start, _ in numbers]
    ends = sorted(end for _, end in numbers)
    candidates = []
    for pattern, direction, placement in lex.limits:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if placement == "before" and not _within(starts, end, end + _NEAR):
                continue
            if (placement == "before" and end - start <= 7 and _within(ends, start - 3, start)
                    and _within(starts, end, end + 3)):
                continue  # "2 to 3 days", „zwei bis drei Tage“: a range word, not a bound
            if placement == "after" and not _within(ends, start - _NEAR, start):
                continue
            candidates.append(LimitCue(direction, placement, match.group(0), start, end))
    # The longest reading wins: "no less than" is one lower bound, not "less than".
    cues: list[LimitCue] = []
    for cue in sorted(candidates, key=lambda c: (c.start - c.end, c.start)):
        if all(cue.end <= kept.start or cue.start >= kept.end for kept in cues):
            cues.append(cue)
    return tuple(sorted(cues, key=lambda cue: cue.start))


def _within(sorted_positions: list[int], low: int, high: int) -> bool:
    index = bisect_left(sorted_positions, low)
    return index < len(sorted_positions) and sorted_positions[index] <= high


def check_limits(source: Inline, target: Inline, ctx: Context) -> list[str]:
    if contains_source(source, target):
        return []
    src = limit_cues(source.text, lexicon(ctx.source_language))
    if not src:
        return []  # a flip needs a qualifier in the source
    tgt = limit_cues(target.text, lexicon(ctx.language))
    messages = []
    # Quantities and times are compared apart: « jusqu'à 4 semaines » lost and "after
    # opening" gained is a rewording, not a flip.
    for in_time in (False, True):
        src_kind = [cue for cue in src if (cue.placement == "time") == in_time]
        tgt_kind = [cue for cue in tgt if (cue.placement == "time") == in_time]
        src_count = Counter(cue.direction for cue in src_kind)
        tgt_count = Counter(cue.direction for cue in tgt_kind)
        for direction, opposite in ((MAX, MIN), (MIN, MAX)):
            if src_count[direction] > tgt_count[direction] and tgt_count[opposite] > src_count[opposite]:
                lost = next(cue.text for cue in src_kind if cue.direction == direction)
                found = next(cue.text for cue in tgt_kind if cue.direction == opposite)
                messages.append(f"limit turned the other way: {lost!r} ({_NAMES[direction]}) in the source, "
                                f"{found!r} ({_NAMES[opposite]}) in the translation")
    return messages


_NAMES = {MAX: "an upper bound, or before", MIN: "a lower bound, or after"}
