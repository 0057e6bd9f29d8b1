"""TMX 1.4b: approved units out (one <tu> per article unit, every locale's approved
translation beside the French), other tools' memories in (as suggestions, never approved)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree
from translate.misc.xml_helpers import getXMLlang
from translate.storage.tmx import tmxfile, tmxunit

from .. import __version__
from ..catalogs.memory import Memory
from ..errors import CatalogError
from .common import language_tag, match_locale, parse_store, same_language, tmx_date

ARTICLE_PROP = "x-article"  # TMX 1.4b: prop types of one's own start with "x-"
KIND = "TMX 1.4b"


@dataclass(frozen=True)
class Translation:
    locale: str
    text: str
    changed: datetime | None  # the catalog's PO-Revision-Date


@dataclass(frozen=True)
class TmxUnit:
    """One approved unit of an article: its French source and each locale's translation."""

    article: str
    msgctxt: str | None
    source: str
    created: datetime | None  # the template's POT-Creation-Date
    translations: tuple[Translation, ...]


def export_tmx(units: Iterable[TmxUnit], source_locale: str, now: datetime) -> bytes:
    """The TMX document of `units` (callers pass approved translations only)."""
    store = tmxfile(sourcelanguage=language_tag(source_locale))
    header = store.document.getroot().find("header")
    header.set("creationtool", "lingopress")
    header.set("creationtoolversion", __version__)
    header.set("creationdate", tmx_date(now))
    for unit in units:
        tu = store.addsourceunit(unit.source, language_tag(source_locale))
        for translation in unit.translations:
            tu.settarget(translation.text, lang=language_tag(translation.locale), append=True)
        if unit.msgctxt:
            tu.setcontext(unit.msgctxt)
        _add_prop(tu, ARTICLE_PROP, unit.article)
        _set_dates(tu, unit)
    return bytes(store)


def _add_prop(tu: tmxunit, kind: str, value: str) -> None:
    # translate-toolkit writes only the x-context prop; others go where the DTD wants
    # them, after the notes and before the first <tuv>.
    prop = etree.Element(tu.namespaced("prop"), type=kind)
    prop.text = value
    tu.getlanguageNodes()[0].addprevious(prop)


def _set_dates(tu: tmxunit, unit: TmxUnit) -> None:
    nodes = tu.getlanguageNodes()
    if unit.created is not None:
        tu.xmlelement.set("creationdate", tmx_date(unit.created))
        nodes[0].set("creationdate", tmx_date(unit.created))
    for node, translation in zip(nodes[1:], unit.translations, strict=True):
        if translation.changed is not None:
            node.set("changedate", tmx_date(translation.changed))
    changes = [t.changed for t in unit.translations if t.changed is not None]
    if changes:
        tu.xmlelement.set("changedate", tmx_date(max(changes)))


@dataclass
class ImportedTmx:
    """What a TMX holds for the project: memories per target locale, and what it skipped."""

    memories: dict[str, list[Memory]] = field(default_factory=dict)
    units: int = 0  # <tu> elements read
    languages: Counter = field(default_factory=Counter)  # every xml:lang seen, as written

    def count(self, locale: str) -> int:
        return len(self.memories.get(locale, []))


def read_tmx(data: bytes, path: Path | str, *, source_locale: str, locales: Sequence[str],
             origin: str) -> ImportedTmx:
    """Memories from a TMX for `locales`, translated from `source_locale`; every language
    code is matched through Babel (fr, FR, fr-FR and fr_FR are all French)."""
    store = parse_store(tmxfile.parsestring, data, path, kind=KIND, error=CatalogError, root="tmx")
    result = ImportedTmx()
    for tu in store.units:
        result.units += 1
        texts = [(getXMLlang(node) or "", tu.getNodeText(node) or "") for node in tu.getlanguageNodes()]
        result.languages.update(code for code, _ in texts)
        source = next((text for code, text in texts if same_language(code, source_locale) and text.strip()), None)
        if source is None:
            continue
        for code, text in texts:
            locale = match_locale(code, locales)
            if locale is None or not text.strip():
                continue
            result.memories.setdefault(locale, []).append(
                Memory(tu.getcontext() or None, source, text, origin, approved=False))
    if not any(same_language(code, source_locale) for code in result.languages):
        raise CatalogError(f"no {source_locale!r} segments: a memory for this project translates from "
                           f"{source_locale}", path=path, hint=_found(result))
    if not result.memories:
        raise CatalogError(f"no translations into {', '.join(locales)} beside the {source_locale!r} "
                           f"segments", path=path, hint=_found(result))
    return result


def _found(result: ImportedTmx) -> str:
    seen = ", ".join(sorted(code or "(none)" for code in result.languages)) or "none"
    return f"languages in the file: {seen}; check its xml:lang codes or the project's target_locales"
