"""What every check shares: findings, the per-locale context, inline Markdown analysis."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal
from markdown_it import MarkdownIt
from translate.filters.checks import CheckerConfig, FilterFailure, StandardChecker

from ..catalogs.glossary import Glossary

ERROR = "error"
WARNING = "warning"
IGNORE_PREFIX = "qa-ignore:"
IGNORE_ALL = "all"


@dataclass(frozen=True)
class Finding:
    check: str
    severity: str
    message: str
    line: int  # the entry's first line in the PO file (polib's linenum)
    dismissed: bool = False



_BIDI = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_SPACES = "\u0020\u00a0\u202f\u2009\u2007"


@dataclass
class Inline:
    """What a reader sees of a Markdown unit, and its inline structure."""

    raw: str
    text: str = ""
    code: Counter = field(default_factory=Counter)
    structure: Counter = field(default_factory=Counter)
    targets: Counter = field(default_factory=Counter)



@dataclass(frozen=True)
class NumberFormat:
    locale: str
    decimals: frozenset[str]
    groups: frozenset[str]
    example: str


class Context:
    """Everything the checks need for one locale, built once per catalog."""

    def __init__(self, locale: str, glossary: Glossary | None = None, source_locale: str = "fr") -> None:
        self.locale = locale
        self.language = locale.split("_")[0]
        self.source_language = source_locale.split("_")[0]
        self.glossary = glossary or Glossary()
        self.source_format = number_format(source_locale)
        self.target_format = number_format(locale)
        dnt = [term.source for term in self.glossary.terms if term.do_not_translate]
        self.ttk = StandardChecker(CheckerConfig(targetlanguage=self.language, notranslatewords=dnt))

    def run_ttk(self, name: str, source: str, target: str) -> str | None:
        """One translate-toolkit check; its failure message, or None when it passes."""
        self.ttk.results_cache = {}
        try:
            passed = getattr(self.ttk, name)(source, target)
        except FilterFailure as failure:
            return str(failure)
        return None if passed else name


@lru_cache(maxsize=64)
def number_format(locale: str) -> NumberFormat:
    """Decimal and group symbols a locale writes numbers with, from Babel (CLDR).

    The Latin digits' symbols and those of the locale's native numbering system are both
    accepted (Arabic: `38.5` and `٣٨٫٥`); space-like group separators always are.
    """
    info = Locale.parse(locale)
    systems = {"latn", info.default_numbering_system, *dict(info.other_numbering_systems).values()}
    decimals, groups = set(), set(_SPACES)
    for system in systems:
        symbols = info.number_symbols.get(system) or {}
        if symbols.get("decimal"):
            decimals.add(_BIDI.sub("", symbols["decimal"]))
        if symbols.get("group"):
            groups.add(_BIDI.sub("", symbols["group"]))
    groups -= decimals
    example = _BIDI.sub("", format_decimal(Decimal("1234.5"), locale=locale, numbering_system="latn"))
    return NumberFormat(locale, frozenset(decimals), frozenset(groups), example)


def analyse(text: str) -> Inline:
    """Parse inline Markdown: visible text (code spans blanked), code, structure, targets."""
    inline = Inline(raw=text)
    parts: list[str] = []
    for token in _walk(_markdown().parseInline(_BIDI.sub("", text))[0].children or []):
        kind = token.type
        if kind == "text":
            parts.append(token.content)
        elif kind == "code_inline":
            inline.code[token.content] += 1
            parts.append(" ")
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "hardbreak":
            inline.structure["line break"] += 1
            parts.append("\n")
        elif kind in ("strong_open", "em_open"):
            inline.structure["bold" if kind == "strong_open" else "italics"] += 1
        elif kind == "link_open":
            inline.structure["link"] += 1
            inline.targets[f"link {token.attrGet('href')}"] += 1
        elif kind == "image":
            inline.structure["image"] += 1
            inline.targets[f"image {token.attrGet('src')}"] += 1
    inline.text = "".join(parts)
    return inline


def _walk(tokens) -> Iterator:
    for token in tokens:
        yield token
        if token.type == "image" and token.children:
            yield from _walk(token.children)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # The same dialect as ingest (markup.parser), inline only: raw HTML is text.
    return MarkdownIt("commonmark", {"html": False})



def contains_source(source: Inline, target: Inline) -> bool:
    """The translation holds the source text unchanged (pseudo-translations, a sentence left
    in French): nothing of the source's meaning is lost, so the meaning checks, which read
    each language with its own lexicon, have nothing to compare. (`unchanged` and `length`
    still report such a translation.)"""
    src = " ".join(source.text.split())
    return bool(src) and re.search(rf"(?<!\w){re.escape(src)}(?!\w)", " ".join(target.text.split())) is not None


def quote(text: str, limit: int = 70) -> str:
    """A sentence as a message shows it: one line, cut at `limit` characters."""
    text = " ".join(text.split())
    return f"« {text[:limit]}{'…' if len(text) > limit else ''} »"
