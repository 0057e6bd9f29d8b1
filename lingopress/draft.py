"""Draft: bring each locale's catalogs up to date with the templates and fill gaps with MT.

Machine output is always written fuzzy with a provenance note in the entry itself,
so nothing machine-made is ever taken for approved work.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import polib

from .catalog import add_note, has_translation, merge_catalog, read_catalog, write_catalog
from .config import Config
from .ingest import Article, build_template
from .mt import Engine, check_engine, open_engine
from .mt.argos import ArgosEngine
from .mt.sentences import split_sentences

__all__ = ["ArgosEngine", "DraftReport", "Engine", "check_engine", "draft_catalog", "draft_catalogs",
           "open_engine", "split_sentences", "update_locale"]

log = logging.getLogger(__name__)


@dataclass
class DraftReport:
    locale: str
    drafted: int = 0
    entries: int = 0
    catalogs_written: list[str] = field(default_factory=list)


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
        add_note(entry, "\n".join([f"machine draft: {engine.provenance}"]
                                   + [f"machine draft: {note}" for note in notes]))
        drafted += 1
    return drafted


def update_locale(config: Config, locale: str, articles: Sequence[Article],
                  engine: Engine | None) -> DraftReport:
    """Merge every article's catalog for one locale with its template, then draft the gaps."""
    report = DraftReport(locale)
    # Read every catalog before writing any, so a broken file stops the locale untouched.
    paths = [config.catalog_path(locale, article.slug) for article in articles]
    existing = [read_catalog(path) if path.exists() else None for path in paths]
    for article, path, old in zip(articles, paths, existing):
        catalog = merge_catalog(build_template(article, config), old, locale, project=article.slug)
        report.drafted += draft_catalog(catalog, engine)
        report.entries += sum(1 for entry in catalog if not entry.obsolete)
        if write_catalog(catalog, path):
            report.catalogs_written.append(config.relative(path))
    log.info("%s: %d entries, %d drafted, %d catalogs written", locale, report.entries,
             report.drafted, len(report.catalogs_written))
    return report


