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
from collections import Counter

from .base import Context, Inline
from .lexicon import MAX, MIN, LimitCue, Lexicon, lexicon, normalize

_DIGIT = re.compile(r"\d")
_NEAR = 28  # characters between a qualifier and its number ("moins de 12", "au moins trois")


def negation_counts(text: str, lex: Lexicon) -> tuple[int, int]:
    """(strong, weak) negation cues in `text`."""
    text = lex.not_negation.sub(" ", normalize(text))
    strong = len(lex.negation_strong.findall(text))
    text = lex.negation_strong.sub(" ", text)
    return strong, len(lex.negation_weak.findall(text))


def negation_messages(source: str, target: str, ctx: Context) -> tuple[list[str], list[str]]:
    """(errors, warnings) for one aligned pair of source and target text."""
    src_strong, src_weak = negation_counts(source, lexicon(ctx.source_language))
    tgt_strong, tgt_weak = negation_counts(target, lexicon(ctx.language))
    # « Ne pas dépasser 4 g » may become "at most 4 g": a limit stands in for a negation
    # (whether it points the right way is the limits check's business).
    source_lex = lexicon(ctx.source_language)
    negated_limits = sum(1 for cue in limit_cues(source, source_lex) if source_lex.negation_strong.search(cue.text))
    tgt_weak += min(negated_limits, len(limit_cues(target, lexicon(ctx.language))))
    errors, warnings = [], []
    if src_strong > tgt_strong + tgt_weak:
        errors.append(f"negation missing in translation: the source has {src_strong} "
                      f"({_quote(source)}), the translation {tgt_strong}")
    elif tgt_strong > src_strong + src_weak:
        warnings.append(f"negation in the translation that the source does not have "
                        f"({tgt_strong} against {src_strong}): {_quote(target)}")
    return errors, warnings


def check_negation(source: Inline, target: Inline, ctx: Context) -> list[str]:
    from .alignment import aligned_pairs

    messages = []
    for src, tgt in aligned_pairs(source.text, target.text, ctx):
        messages += negation_messages(src, tgt, ctx)[0]
    return messages


def check_added_negation(source: Inline, target: Inline, ctx: Context) -> list[str]:
    from .alignment import aligned_pairs

    messages = []
    for src, tgt in aligned_pairs(source.text, target.text, ctx):
        messages += negation_messages(src, tgt, ctx)[1]
    return messages


def limit_cues(text: str, lex: Lexicon) -> list[LimitCue]:
    """Qualifiers of numbers and dose words in `text`, each with its direction."""
    text = lex.limit_neutral.sub(lambda m: " " * len(m.group(0)), normalize(text))
    numbers = [(m.start(), m.end()) for m in _DIGIT.finditer(text)]
    numbers += [(word.start, word.end) for word in lex.find_number_words(text)]
    candidates = []
    for pattern, direction, placement in lex.limits:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if placement == "before" and not any(0 <= s - end <= _NEAR for s, _ in numbers):
                continue
            if placement == "after" and not any(0 <= start - e <= _NEAR for _, e in numbers):
                continue
            candidates.append(LimitCue(direction, placement, match.group(0), start, end))
    # The longest reading wins: "no less than" is one lower bound, not "less than".
    taken = [False] * (len(text) + 1)
    cues = []
    for cue in sorted(candidates, key=lambda c: (c.start - c.end, c.start)):
        if not any(taken[cue.start:cue.end]):
            taken[cue.start:cue.end] = [True] * (cue.end - cue.start)
            cues.append(cue)
    return sorted(cues, key=lambda cue: cue.start)


def check_limits(source: Inline, target: Inline, ctx: Context) -> list[str]:
    src = limit_cues(source.text, lexicon(ctx.source_language))
    tgt = limit_cues(target.text, lexicon(ctx.language))
    src_count = Counter(cue.direction for cue in src)
    tgt_count = Counter(cue.direction for cue in tgt)
    messages = []
    for direction, opposite in ((MAX, MIN), (MIN, MAX)):
        if src_count[direction] > tgt_count[direction] and tgt_count[opposite] > src_count[opposite]:
            lost = next(cue.text for cue in src if cue.direction == direction)
            found = next(cue.text for cue in tgt if cue.direction == opposite)
            messages.append(f"limit turned the other way: {lost!r} ({_NAMES[direction]}) in the source, "
                            f"{found!r} ({_NAMES[opposite]}) in the translation")
    return messages


_NAMES = {MAX: "an upper bound", MIN: "a lower bound"}


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return f"« {text[:limit]}{'…' if len(text) > limit else ''} »"
