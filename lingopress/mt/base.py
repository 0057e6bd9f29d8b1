"""What every engine shares: the Draft it returns and the notes it writes for translators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .placeholders import Protected, restore


@dataclass(frozen=True)
class Draft:
    """A machine draft and what the translator should check in it (one line per note)."""

    text: str
    notes: tuple[str, ...] = ()


class Engine(Protocol):
    """A machine-translation engine: unit texts in, drafts out, same order."""

    provenance: str

    def translate(self, texts: Sequence[str]) -> list[Draft]: ...


def finish(protected: Protected, translated: str, notes: Sequence[str] = ()) -> Draft:
    """Restore the protected spans; a span the engine lost becomes a note, the draft stays."""
    restored = restore(protected, translated)
    notes = list(notes)
    if restored.lost:
        spans = ", ".join(_quote(span) for span in restored.lost)
        notes.append(f"markup lost by machine translation, copy it from the source: {spans}")
    return Draft(restored.text, tuple(notes))


def _quote(span: str) -> str:
    # Notes are single comment lines: show a hard break or newline as \n.
    return '"' + span.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"') + '"'
