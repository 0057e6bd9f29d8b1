"""Jobs of the exchange with CAT tools: the formats' stages (lingopress.exchange) wired to the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import polib

from ..catalogs.po import catalog_text, is_approved
from ..errors import CatalogError, ConfigError
from ..exchange.common import match_locale, po_date
from ..exchange.tbx import TbxMerge, export_tbx, merge_tbx, read_tbx
from ..exchange.tmx import ImportedTmx, TmxUnit, Translation, export_tmx, read_tmx
from ..exchange.xliff import Applied, XliffDocument, apply_xliff, export_xliff, read_xliff
from ..qa import check_catalog
from ..site import with_site
from ..store.project import ProjectStore
from .base import site_of

# --- TMX ---------------------------------------------------------------------------


@dataclass
class TmxExport:
    data: bytes
    units: int
    translations: Counter = field(default_factory=Counter)  # locale → approved translations


def tmx_export(store: ProjectStore, locales: Sequence[str], now: datetime) -> TmxExport:
    """Every approved unit of every article, with each of `locales` that approved it."""
    units: list[TmxUnit] = []
    counts: Counter = Counter()
    for article in with_site(store.articles(), site_of(store.config)):  # the footer texts too
        catalogs = {locale: catalog for locale in locales
                    if (catalog := store.catalog(locale, article.slug, check_locale=False)) is not None}
        found: dict[tuple[str | None, str], list[Translation]] = {}
        created: dict[tuple[str | None, str], datetime | None] = {}
        for locale, catalog in catalogs.items():
            changed = po_date(catalog.metadata.get("PO-Revision-Date"))
            for entry in catalog:
                if is_approved(entry) and not entry.msgid_plural:
                    key = (entry.msgctxt, entry.msgid)
                    found.setdefault(key, []).append(Translation(locale, entry.msgstr, changed))
                    created.setdefault(key, po_date(catalog.metadata.get("POT-Creation-Date")))
                    counts[locale] += 1
        units += [TmxUnit(article.slug, msgctxt, msgid, created[(msgctxt, msgid)], tuple(translations))
                  for (msgctxt, msgid), translations in found.items()]
    return TmxExport(export_tmx(units, store.config.source_locale, now), len(units), counts)


def tmx_import(store: ProjectStore, paths: Sequence[Path]) -> list[tuple[str, ImportedTmx, str]]:
    """Check each TMX, then keep it under translations/memory/: (stored as, what it holds,
    stored/replaced/unchanged)."""
    config = store.config
    read: list[tuple[Path, bytes, ImportedTmx]] = []
    names: dict[str, Path] = {}
    for path in paths:
        if path.name in names:
            raise ConfigError(f"two memories named {path.name!r} (also {names[path.name]})", path=path,
                              hint="rename one: memories are kept by file name under translations/memory/")
        names[path.name] = path
        data = store.read_file(path)
        stored_as = store.relative(store.memory_dir / path.name)
        read.append((path, data, read_tmx(data, path, source_locale=config.source_locale,
                                          locales=config.target_locales, origin=stored_as)))
    with store.locked():
        return [(store.relative(store.memory_dir / path.name), imported, store.save_memory(path.name, data))
                for path, data, imported in read]


# --- TBX ---------------------------------------------------------------------------


def tbx_export(store: ProjectStore) -> tuple[bytes, int]:
    glossary = store.glossary()
    return export_tbx(glossary, store.config.source_locale), len(glossary.terms)


def tbx_import(store: ProjectStore, path: Path, *, overwrite: bool) -> TbxMerge:
    """Merge a TBX into glossary.csv (see lingopress.exchange.tbx) and save it if it changed."""
    config = store.config
    entries = read_tbx(store.read_file(path), path, config.source_locale)
    with store.locked():
        merged = merge_tbx(store.glossary_bytes(), config.glossary_path, entries, source_locale=config.source_locale,
                           locales=config.target_locales, overwrite=overwrite)
        if merged.text is not None:
            store.save_glossary_text(merged.text)
    return merged


# --- XLIFF -------------------------------------------------------------------------


def xliff_export(store: ProjectStore, locale: str, dest: Path, now: datetime) -> tuple[list[tuple[Path, int]], list[str]]:
    """One XLIFF per article with a catalog in `locale`; (files written with their units, slugs without a catalog)."""
    config = store.config
    glossary = store.glossary()
    written, missing = [], []
    for article in with_site(store.articles(), site_of(store.config)):  # the footer texts too
        catalog = store.catalog(locale, article.slug)
        if catalog is None:
            missing.append(article.slug)
            continue
        notes: dict[int, list[str]] = {}
        for finding in check_catalog(catalog, locale, glossary, source_locale=config.source_locale):
            if not finding.dismissed:
                notes.setdefault(finding.line, []).append(f"QA {finding.severity}: {finding.message} [{finding.check}]")
        data = export_xliff(catalog, original=store.relative(store.catalog_path(locale, article.slug)),
                            source_locale=config.source_locale, locale=locale, qa_notes=notes, now=now)
        path = dest / f"{article.slug}.{locale}.xlf"
        store.write_file(path, data)
        written.append((path, sum(1 for entry in catalog if not entry.obsolete and not entry.msgid_plural)))
    return written, missing


@dataclass
class XliffImport:
    path: Path  # the XLIFF file
    catalog: str  # the catalog it went into, relative to the project
    applied: Applied
    written: bool


def xliff_import(store: ProjectStore, paths: Sequence[Path], *, force: bool) -> list[XliffImport]:
    """Apply translated XLIFF files to their catalogs; every file is read and every catalog
    found before the first one is written."""
    documents = [(path, document) for path in paths for document in read_xliff(store.read_file(path), path)]
    with store.locked():
        catalogs: dict[tuple[str, str], polib.POFile] = {}
        targets = []
        for path, document in documents:
            key = _catalog_of(store, path, document)
            if key not in catalogs:
                catalogs[key] = store.catalog(*key)
            targets.append((path, document, key))
        results = [XliffImport(path, store.relative(store.catalog_path(*key)),
                               apply_xliff(catalogs[key], document.units, label=path.name, force=force), False)
                   for path, document, key in targets]
        saved = set()
        for (locale, slug), catalog in catalogs.items():
            text = catalog_text(catalog, store.catalog(locale, slug))
            if text is not None and store.save_catalog_text(locale, slug, text):
                saved.add(store.relative(store.catalog_path(locale, slug)))
    for result in results:
        result.written = result.catalog in saved
    return results


def _catalog_of(store: ProjectStore, path: Path, document: XliffDocument) -> tuple[str, str]:
    """(locale, slug) of the catalog a <file> of an XLIFF goes back to; it must exist."""
    config = store.config
    locale = match_locale(document.language, config.target_locales)
    if locale is None:
        raise CatalogError(f"target-language {document.language!r} of <file original={document.original!r}> is "
                           f"not one of the project's target locales ({', '.join(config.target_locales)})",
                           path=path, hint="export the file again with lingopress xliff export --locale")
    original = PurePosixPath(document.original)
    if original.suffix != ".po":
        raise CatalogError(f"<file original={document.original!r}> does not name a catalog", path=path,
                           hint="import the XLIFF files `lingopress xliff export` wrote")
    if store.catalog_bytes(locale, original.stem) is None:
        raise CatalogError(f"no catalog {store.relative(store.catalog_path(locale, original.stem))} for "
                           f"<file original={document.original!r}>", path=path,
                           hint="run lingopress draft first, or check the file's target-language")
    return locale, original.stem
