"""Draft: bring one catalog up to date with its template and fill its gaps.

`draft_unit` is the stage: it takes a template, the catalog as saved (its bytes), the
locale's translation memory and an engine, and returns the catalog to save and a report.
It reads and writes nothing, so it runs the same in the flow's process, in a thread or on
a Dask worker that cannot see the project: a worker needs lingopress and the MT models.

Machine output is always written fuzzy with a provenance note in the entry itself,
so nothing machine-made is ever taken for approved work.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polib

from .catalogs.memory import Memory, TranslationMemory, apply_memory, approved_memories
from .catalogs.po import catalog_text, has_translation, is_approved, merge_catalog, parse_catalog, set_provenance
from .config import Config
from .errors import CatalogError
from .mt import Engine, open_engine


@dataclass(frozen=True)
class CatalogReport:
    """What one (article, locale) update did."""

    slug: str
    locale: str
    path: str
    entries: int
    memory_exact: int
    memory_close: int
    drafted: int
    written: bool
    untranslated: int = 0  # entries still without any translation (engine none, empty drafts)


@dataclass(frozen=True)
class DraftJob:
    """Everything one (article, locale) update reads, as data: what travels to a worker."""

    locale: str
    slug: str
    template: polib.POFile  # the article's template with this locale's glossary notes
    catalog: bytes | None  # the catalog as saved now; None before its first draft
    catalog_path: Path  # names the catalog in messages; never opened here
    report_path: str  # the catalog relative to the project, for the report
    memory: TranslationMemory
    unreadable: str = ""  # why the catalog could not be read (the unit fails with it)


@dataclass(frozen=True)
class DraftResult:
    report: CatalogReport
    text: str | None  # the catalog to save, in GNU gettext's layout; None: unchanged
    # What `text` gives the locale's translation memory (None with text None), so the store
    # need not parse the catalog again to know.
    memories: list[Memory] | None = None


def draft_unit(job: DraftJob, engine: Engine | None) -> DraftResult:
    """Merge the catalog with its template (msgmerge's rules), fill the gaps from
    translation memory, then by machine; a broken catalog raises CatalogError."""
    if job.unreadable:
        raise CatalogError(job.unreadable)
    existing = (parse_catalog(job.catalog, job.catalog_path, locale=job.locale)
                if job.catalog is not None else None)
    catalog = merge_catalog(job.template, existing, job.locale, project=job.slug)
    reused, suggested = apply_memory(catalog, job.memory)
    drafted = draft_catalog(catalog, engine)
    # Compared with a fresh parse: merging may share entries with `existing`.
    previous = parse_catalog(job.catalog, job.catalog_path) if job.catalog is not None else None
    text = catalog_text(catalog, previous)
    live = [entry for entry in catalog if not entry.obsolete]
    report = CatalogReport(slug=job.slug, locale=job.locale, path=job.report_path, entries=len(live),
                           memory_exact=reused, memory_close=suggested, drafted=drafted,
                           written=text is not None,
                           untranslated=sum(1 for entry in live if not has_translation(entry)))
    memories = None
    if text is not None:
        # Memories cite line numbers of the text as saved: parse it, unless nothing in it is approved
        # (a first draft, all fuzzy), which is the common case of a large run.
        memories = (approved_memories(parse_catalog(text.encode("utf-8"), job.catalog_path), job.report_path)
                    if any(is_approved(entry) for entry in live) else [])
    return DraftResult(report, text, memories)


def draft_catalog(po: polib.POFile, engine: Engine | None) -> int:
    """Fill untranslated entries with fuzzy machine drafts; return how many were drafted."""
    return draft_catalogs([po], engine)


def draft_catalogs(catalogs: Sequence[polib.POFile], engine: Engine | None) -> int:
    """Draft the gaps of several catalogs in one engine call, so a locale's sentences are
    batched together; return how many entries were drafted."""
    if engine is None:
        return 0
    todo = [entry for po in catalogs for entry in po
            if not entry.obsolete and not has_translation(entry)]
    if not todo:
        return 0
    drafts = engine.translate([entry.msgid for entry in todo])
    drafted = 0
    for entry, draft in zip(todo, drafts, strict=True):
        text, notes = (draft, ()) if isinstance(draft, str) else (draft.text, draft.notes)
        if not text.strip():
            continue
        entry.msgstr = text
        if "fuzzy" not in entry.flags:
            entry.flags.append("fuzzy")
        # One note, several lines: each starts with "machine draft:" so merges keep them all.
        set_provenance(entry, "\n".join([f"machine draft: {engine.provenance}"]
                                   + [f"machine draft: {note}" for note in notes]))
        drafted += 1
    return drafted


_ENGINES: dict[tuple[Config, str], Engine | None] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(config: Config, locale: str) -> Engine | None:
    """One engine (one model load) per process and locale, shared by its work units."""
    with _ENGINES_LOCK:
        key = (config, locale)
        if key not in _ENGINES:
            _ENGINES[key] = open_engine(config, locale)
        return _ENGINES[key]
