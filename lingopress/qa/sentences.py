"""Sentences of a unit, and source and translation paired sentence by sentence."""

from __future__ import annotations

from functools import lru_cache

from ..mt.sentences import split_sentences
from .base import Context


@lru_cache(maxsize=4096)
def split(text: str, language: str) -> tuple[str, ...]:
    """The sentences of `text` (the pipeline's own splitter: sentencex with French fixes)."""
    return tuple(split_sentences(text, language)) if text.strip() else ()


def aligned_pairs(source: str, target: str, ctx: Context) -> list[tuple[str, str]]:
    """Source and target text paired sentence by sentence when both have as many
    sentences, else the whole unit as one pair."""
    src, tgt = split(source, ctx.source_language), split(target, ctx.language)
    if len(src) == len(tgt) and len(src) > 1:
        return list(zip(src, tgt))
    return [(source, target)]
