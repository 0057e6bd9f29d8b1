"""Draft: bring each locale's catalogs up to date with the templates and fill gaps with MT.

Machine output is always written fuzzy with a provenance note in the entry itself,
so nothing machine-made is ever taken for approved work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import polib

from .catalogs.po import has_translation, merge_catalog, read_catalog, set_provenance, write_catalog
from .config import Config
from .errors import CatalogError
from .ingest import Article, build_template
from .catalogs.memory import TranslationMemory, apply_memory
from .mt import Engine, check_engine, open_engine
from .mt.argos import ArgosEngine
from .mt.sentences import split_sentences
from .store.records import file_digest, fingerprint, glossary_digest, is_current, load_records, save_records

__all__ = ["ArgosEngine", "DraftReport", "Engine", "check_engine", "draft_catalog", "draft_catalogs",
           "open_engine", "split_sentences", "update_locale"]

log = logging.getLogger(__name__)
DRAFT_STAGE = "draft"


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


@dataclass
class DraftReport:
    locale: str
    drafted: int = 0
    entries: int = 0
    memory_exact: int = 0
    memory_close: int = 0
    catalogs_written: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # slug → error

    def add(self, unit: CatalogReport) -> None:
        self.drafted += unit.drafted
        self.entries += unit.entries
        self.memory_exact += unit.memory_exact
        self.memory_close += unit.memory_close
        if unit.written:
            self.catalogs_written.append(unit.path)


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


def update_catalog(config: Config, locale: str, article: Article, engine: Engine | None,
                   memory: TranslationMemory) -> CatalogReport:
    """One work unit: merge an article's catalog for a locale with its template, fill the
    gaps from translation memory, then by machine, and write it if anything changed."""
    path = config.catalog_path(locale, article.slug)
    existing = read_catalog(path, locale=locale) if path.exists() else None
    catalog = merge_catalog(build_template(article, config, locale), existing, locale, project=article.slug)
    reused, suggested = apply_memory(catalog, memory)
    drafted = draft_catalog(catalog, engine)
    written = write_catalog(catalog, path)
    return CatalogReport(slug=article.slug, locale=locale, path=config.relative(path),
                         entries=sum(1 for entry in catalog if not entry.obsolete),
                         memory_exact=reused, memory_close=suggested, drafted=drafted,
                         written=written,
                         untranslated=sum(1 for entry in catalog
                                          if not entry.obsolete and not has_translation(entry)))


@dataclass(frozen=True)
class DraftPlan:
    """Which (article, locale) units of a locale need work, and the memory to do it with."""

    locale: str
    stale: tuple[str, ...]  # slugs to update
    unchanged: tuple[str, ...]  # slugs skipped: same inputs as after their last update
    memory: TranslationMemory | None  # None when nothing is stale
    memory_digest: str
    provenance: str


def draft_fingerprint(config: Config, locale: str, article: Article, provenance: str,
                      glossary: str) -> str:
    """Everything update_catalog reads for one unit, except the memory (see plan_drafts)."""
    return fingerprint("draft", config.source_locale, locale, article.slug, article.source_hash,
                       config.relative(article.path), glossary, provenance,
                       file_digest(config.catalog_path(locale, article.slug)))


def plan_drafts(config: Config, locale: str, articles: Sequence[Article]) -> DraftPlan:
    """Skip the units whose inputs are byte for byte those of their last update.

    Translation memory only fills entries without a translation, so a unit whose catalog
    was complete is skipped on its own fingerprint; an incomplete one also needs the
    memory to be the same as when it was last updated (a translator approving an entry in
    another article may fill it).
    """
    provenance = check_engine(config, locale)
    glossary = glossary_digest(config)
    records = load_records(config, DRAFT_STAGE, locale)
    stale: list[str] = []
    unchanged: list[str] = []
    waiting: list[str] = []  # same inputs, incomplete: depends on the memory
    for article in articles:
        if not is_current(records, article.slug,
                          draft_fingerprint(config, locale, article, provenance, glossary)):
            stale.append(article.slug)
        elif records[article.slug].get("complete"):
            unchanged.append(article.slug)
        else:
            waiting.append(article.slug)
    memory, digest = None, ""
    if stale or waiting:
        memory = build_memory(config, locale, articles)
        digest = memory.digest()
        for slug in waiting:
            (unchanged if records[slug].get("memory") == digest else stale).append(slug)
    if not stale:
        memory = None
    return DraftPlan(locale, tuple(stale), tuple(unchanged), memory, digest, provenance)


def draft_record(config: Config, plan: DraftPlan, article: Article, report: CatalogReport) -> dict:
    """What to remember of a unit just updated (its catalog as written now)."""
    return {"fingerprint": draft_fingerprint(config, plan.locale, article, plan.provenance,
                                             glossary_digest(config)),
            "complete": report.untranslated == 0, "memory": plan.memory_digest}


def save_draft_records(config: Config, locale: str, articles: Sequence[Article],
                       updated: dict[str, dict]) -> bool:
    """Merge the records of units updated now into the locale's state; forget removed articles."""
    records = load_records(config, DRAFT_STAGE, locale)
    records.update(updated)
    return save_records(config, DRAFT_STAGE, locale, records, keep=[a.slug for a in articles])


def build_memory(config: Config, locale: str, articles: Sequence[Article]) -> TranslationMemory:
    """Approved translations of every readable catalog of the locale.

    A broken catalog contributes nothing here; its own work unit reports it.
    """
    memory = TranslationMemory()
    for article in articles:
        path = config.catalog_path(locale, article.slug)
        if not path.exists():
            continue
        try:
            memory.add_catalog(read_catalog(path), config.relative(path))
        except CatalogError:
            continue
    return memory


def update_locale(config: Config, locale: str, articles: Sequence[Article],
                  engine: Engine | None) -> DraftReport:
    """Update every article's catalog of one locale; a broken catalog fails alone."""
    report = DraftReport(locale)
    memory = build_memory(config, locale, articles)
    for article in articles:
        try:
            unit = update_catalog(config, locale, article, engine, memory)
        except CatalogError as err:
            report.failures[article.slug] = str(err)
            continue
        report.add(unit)
    log.info("%s: %d entries, %d drafted, %d catalogs written", locale, report.entries,
             report.drafted, len(report.catalogs_written))
    return report


_ENGINES: dict[tuple[Config, str], Engine | None] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(config: Config, locale: str) -> Engine | None:
    """One engine (one model load) per process and locale, shared by its work units."""
    with _ENGINES_LOCK:
        key = (config, locale)
        if key not in _ENGINES:
            _ENGINES[key] = open_engine(config, locale)
        return _ENGINES[key]
