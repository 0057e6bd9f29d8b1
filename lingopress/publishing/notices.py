"""What readers see of a stale translation, the notices, and the page chrome's few
strings, in the reader's language.

The texts live in `templates/notices.toml`, one table per language, so that a translator
can add a language without touching code. A locale without a table falls back to its
language ("pt_BR" → "pt"), then to English; the notice then says it is English (`lang`),
and its dates are written for the language it is in, not for the page's.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from babel import Locale
from babel.dates import format_date

from .staleness import Staleness

NOTICES_FILE = "templates/notices.toml"
FALLBACK = "en"
KEYS = ("outdated", "original_link", "withdrawn_title", "withdrawn_safety", "withdrawn_change", "fallback",
        "translated_from", "reviewed", "languages", "index_description", "feed")


@dataclass(frozen=True)
class UiText:
    """A sentence of page chrome, with the language it is written in."""

    text: str
    lang: str  # BCP 47
    dir: str


@dataclass(frozen=True)
class Notice:
    withdrawn: bool
    lang: str  # BCP 47 of the notice's text
    dir: str
    title: str  # the withdrawn page's heading; "" for an outdated notice
    text: str
    link: str  # the link text to the French original
    href: str  # the current French original


@lru_cache(maxsize=1)
def notice_texts() -> dict[str, dict[str, str]]:
    """Every language's notice texts, by language code."""
    return tomllib.loads(resources.files("lingopress").joinpath(NOTICES_FILE).read_text(encoding="utf-8"))


def texts_for(locale: str) -> tuple[str, dict[str, str]]:
    """The notice language for `locale` and its texts."""
    table = notice_texts()
    code = next(code for code in (locale, Locale.parse(locale).language, FALLBACK) if code in table)
    return code, table[code]


def ui_text(locale: str, key: str) -> UiText:
    """The sentence `key` of the notices table for a reader of `locale` (English fallback)."""
    code, texts = texts_for(locale)
    return UiText(texts[key], code.replace("_", "-"), Locale.parse(code).text_direction)
@dataclass(frozen=True)
class Chrome:
    """The page chrome's strings for a locale, in the language they are written in."""

    lang: str  # BCP 47: differs from the page's when the locale has no table (English fallback)
    dir: str
    translated_from: str
    reviewed: str  # with {date}
    languages: str
    index_description: str
    feed: str


def chrome(locale: str) -> Chrome:
    code, texts = texts_for(locale)
    return Chrome(code.replace("_", "-"), Locale.parse(code).text_direction, texts["translated_from"],
                  texts["reviewed"], texts["languages"], texts["index_description"], texts["feed"])


def notice(locale: str, stale: Staleness, href: str) -> Notice:
    """The notice a reader of `locale` sees on a page that is `stale`, linking to `href`."""
    code, texts = texts_for(locale)
    dates = {"source_updated": _long_date(stale.source_updated, code),
             "translated_from": _long_date(stale.translated_from, code)}
    if stale.withdrawn:
        text = texts["withdrawn_safety" if stale.changes else "withdrawn_change"].format(**dates)
        title = texts["withdrawn_title"]
    else:
        text, title = texts["outdated"].format(**dates), ""
    return Notice(stale.withdrawn, code.replace("_", "-"), Locale.parse(code).text_direction, title, text,
                  texts["original_link"], href)


def _long_date(value: str, locale: str) -> str:
    return format_date(date.fromisoformat(value), format="long", locale=locale)
