"""Translate through a pivot language when no direct package exists: fr→en, then en→de.

The sentences stay split and protected through both legs: placeholders go in French,
come out of English into German, and are restored once, at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import SentenceTranslator
from .progress import Advance


class PivotTranslator:
    """Chain sentence translators; `advance` counts every sentence of every leg."""

    def __init__(self, legs: Sequence[SentenceTranslator]) -> None:
        if len(legs) < 2:
            raise ValueError("a pivot needs at least two legs")
        self.legs = tuple(legs)

    @property
    def label(self) -> str:
        return " + ".join(leg.label for leg in self.legs)

    @property
    def codes(self) -> tuple[str, ...]:
        return self.legs[0].codes + tuple(code for leg in self.legs[1:] for code in leg.codes[1:])

    def translate_sentences(self, sentences: Sequence[str], advance: Advance | None = None) -> list[str]:
        texts = list(sentences)
        for leg in self.legs:
            texts = leg.translate_sentences(texts, advance)
        return texts
