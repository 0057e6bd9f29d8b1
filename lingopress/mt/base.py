"""What every engine shares: the Draft it returns, the notes it writes for translators, and
the sentence translator protocol that argos's models and pivot's chains both follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .placeholders import Protected, restore
from .progress import Advance

# Longest note line: with "#. machine draft: " in front it stays within polib's 78 columns.
NOTE_WIDTH = 60


@dataclass(frozen=True)
class Draft:
    """A machine draft and what the translator should check in it (one line per note)."""

    text: str
    notes: tuple[str, ...] = ()


class Engine(Protocol):
    """A machine-translation engine: unit texts in, drafts out, same order."""

    provenance: str

    def translate(self, texts: Sequence[str]) -> list[Draft]: ...


class SentenceTranslator(Protocol):
    """Sentences of one language in, as many sentences of another out, same order.

    One model (argos.ArgosTranslator) or a chain of them (pivot.PivotTranslator): the engine
    and the pivot only need this much, so neither imports the other's implementation.
    """

    @property
    def label(self) -> str:
        """The model(s), as a provenance note names them: "translate-fr_en 1.9"."""
        ...

    @property
    def codes(self) -> tuple[str, ...]:
        """The languages a sentence passes through: ("fr", "en"), or ("fr", "en", "de")."""
        ...

    def translate_sentences(self, sentences: Sequence[str], advance: Advance | None = None) -> list[str]:
        """`advance(n)` is called as n more sentences of any step are done."""
        ...


def finish(protected: Protected, translated: str, notes: Sequence[str] = ()) -> Draft:
    """Restore the protected spans; a span the engine lost becomes a note, the draft stays."""
    restored = restore(protected, translated)
    notes = list(notes)
    if restored.lost:
        notes += note_lines("lost markup (see the source)", [_quote(s) for s in restored.lost])
    return Draft(restored.text, tuple(notes))


def note_lines(head: str, items: Sequence[str]) -> list[str]:
    """`head: item, item` lines of at most NOTE_WIDTH characters, each starting with head.

    polib wraps a longer comment line, and a wrapped continuation would lose the
    "machine draft:" prefix by which merges recognise (and keep) these notes.
    """
    room = NOTE_WIDTH - len(head) - 2
    lines: list[str] = []
    current: list[str] = []
    for item in items:
        if len(item) > room:
            item = item[: room - 1] + "…"
        if current and len(", ".join(current + [item])) > room:
            lines.append(f"{head}: {', '.join(current)}")
            current = []
        current.append(item)
    if current:
        lines.append(f"{head}: {', '.join(current)}")
    return lines


def _quote(span: str) -> str:
    # Notes are single comment lines: show a hard break or newline as \n.
    return '"' + span.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"') + '"'
