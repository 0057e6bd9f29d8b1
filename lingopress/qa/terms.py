"""Glossary usage, and copies of the source that the glossary allows."""

from __future__ import annotations

import re

from ..catalogs.glossary import uses_term
from .base import Context, Inline


def check_unchanged(source: Inline, target: Inline, ctx: Context) -> list[str]:
    if _glossary_allows_copy(source.text, ctx):
        return []
    failure = ctx.run_ttk("unchanged", source.text, target.text)
    return ["translation is identical to the source (translate it, or dismiss with "
            "# qa-ignore: unchanged)"] if failure else []


def _glossary_allows_copy(text: str, ctx: Context) -> bool:
    """The whole source is a glossary term whose translation in this locale is the same word."""
    bare = text.strip().strip(".:!?").casefold()
    return any(term.source.casefold() == bare and (term.target(ctx.locale) or "").casefold() == bare
               for term in ctx.glossary.terms)



def check_glossary(source: Inline, target: Inline, ctx: Context) -> list[str]:
    messages = []
    for term in ctx.glossary.terms_in(source.text):
        wanted = term.target(ctx.locale)
        if wanted is None:
            continue
        if term.do_not_translate and wanted == term.source:
            # Kept as it is means exactly that (case aside): CART is not CAR-T.
            if re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", target.text, re.IGNORECASE):
                continue
            messages.append(f"glossary: keep {term.source!r} as it is (do not translate)")
        elif not uses_term(target.text, wanted, ctx.locale):
            messages.append(f"glossary: {term.source!r} should be translated as {wanted!r}")
    return messages

