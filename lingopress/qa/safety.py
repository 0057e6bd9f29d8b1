"""Safety changes between two versions of a French unit: what makes a live translation dangerous.

A translation approved for the old French text still says what the old text said. When the
French changed in a number, a unit, a limit, a time unit or a negation, that translation may
now give a reader a wrong dose or a wrong instruction, so publishing withdraws it until it is
re-approved. Any other edit (wording, typo, style) is harmless for that purpose.

The comparison reuses the meaning checks' own extractors, source against source.
"""

from __future__ import annotations

from collections import Counter

from .base import analyse, number_format
from .lexicon import lexicon
from .meaning import limit_cues, negation_counts
from .numbers import extract_numbers, time_units, word_numbers


def safety_changes(old: str, new: str, source_locale: str = "fr") -> list[str]:
    """What changed between `old` and `new` (two versions of one source unit) that a
    translation of `old` would now get wrong; empty when the change is harmless."""
    language = source_locale.split("_")[0]
    before, after = _facts(analyse(old).text, source_locale, language), _facts(analyse(new).text, source_locale, language)
    changes = []
    for kind in ("number", "negation", "limit", "time unit"):
        removed = Counter({k: v for k, v in before.items() if k[0] == kind}) - after
        added = Counter({k: v for k, v in after.items() if k[0] == kind}) - before
        changes += [f"{kind} {_show(item)} removed or changed" for item in removed]
        changes += [f"{kind} {_show(item)} added" for item in added]
    return changes


def _facts(text: str, locale: str, language: str) -> Counter:
    """What a translation must render exactly: numbers (digits and words) with their units,
    negations, limit qualifiers by direction, time units."""
    lex = lexicon(language)
    facts: Counter = Counter()
    for token in extract_numbers(text, number_format(locale), lenient=True):
        facts[("number", token.value, token.unit)] += 1
    for token in word_numbers(text, lex):
        if not token.soft:
            facts[("number", token.value, None)] += 1
    strong, _ = negation_counts(text, lex)
    if strong:
        facts[("negation", strong)] += 1
    for cue in limit_cues(text, lex):
        facts[("limit", cue.direction, cue.placement == "time")] += 1
    for unit, count in time_units(text, lex).items():
        facts[("time unit", unit)] += count
    return facts


def _show(item: tuple) -> str:
    kind, *rest = item
    if kind == "number":
        value, unit = rest
        return f"{value}{' ' + unit if unit else ''}"
    if kind == "negation":
        return f"(count {rest[0]})"
    if kind == "limit":
        direction, in_time = rest
        return {("max", False): "(upper bound)", ("min", False): "(lower bound)",
                ("max", True): "(before)", ("min", True): "(after)"}[(direction, in_time)]
    return rest[0]
