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
from .numbers import extract_numbers


def safety_changes(old: str, new: str, source_locale: str = "fr") -> list[str]:
    """What changed between `old` and `new` (two versions of one source unit) that a
    translation of `old` would now get wrong; empty when the change is harmless."""
    fmt = number_format(source_locale)
    old_text, new_text = analyse(old).text, analyse(new).text
    before = Counter(t.key for t in extract_numbers(old_text, fmt, lenient=True))
    after = Counter(t.key for t in extract_numbers(new_text, fmt, lenient=True))
    changes = []
    for value, unit in before - after:
        changes.append(f"number {value}{' ' + unit if unit else ''} removed or changed")
    for value, unit in after - before:
        changes.append(f"number {value}{' ' + unit if unit else ''} added")
    return changes
