"""Jobs of the drafting side: templates, catalogs drafted per locale, the preflight and the QA check."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from ..draft import CatalogReport, DraftJob, DraftResult, draft_unit
from ..errors import CatalogError, LingopressError, display_path
from ..ingest import Article, build_template
from ..mt import Engine, check_engine
from ..qa import Finding, check_catalog
from ..skip import fingerprint, skipping
from ..store.project import ProjectStore
from .base import Run, in_process

log = logging.getLogger(__name__)


# --- ingest ------------------------------------------------------------------------

def write_templates(store: ProjectStore, articles: Sequence[Article]) -> list[str]:
    """Write `translations/templates/<slug>.pot` for each article; return those that changed."""
    config = store.config
    by_slug = {article.slug: article for article in articles}
    glossary_digest = store.glossary_digest()
    written: list[str] = []

    def fingerprint_of(slug: str) -> str:
        article = by_slug[slug]
        return fingerprint("template", slug, article.source_hash, store.relative(article.path), glossary_digest,
                           repr(config.target_locales), store.digest(config.template_path(slug)))

    def stage(todo: list[str]) -> dict[str, dict]:
        for slug in todo:
            article = by_slug[slug]
            pot = build_template(article, store.glossary(), config.target_locales, store.relative(article.path))
            if store.save_template(slug, pot):
                written.append(store.relative(config.template_path(slug)))
        return {slug: {} for slug in todo}

    skipping(store, "template", "all", list(by_slug), fingerprint_of, stage)
    return written


# --- draft -------------------------------------------------------------------------

@dataclass
class LocaleDrafts:
    """What drafting one locale did."""

    locale: str
    reports: list[CatalogReport] = field(default_factory=list)  # catalogs updated this run
    skipped: list[str] = field(default_factory=list)  # slugs unchanged since their last update
    failures: dict[str, str] = field(default_factory=dict)  # slug → one-line error
    memory: int = 0  # approved units in the locale's translation memory

    @property
    def catalogs_written(self) -> list[str]:
        return [report.path for report in self.reports if report.written]

    @property
    def entries(self) -> int:
        return sum(report.entries for report in self.reports)

    @property
    def drafted(self) -> int:
        return sum(report.drafted for report in self.reports)

    @property
    def memory_exact(self) -> int:
        return sum(report.memory_exact for report in self.reports)

    @property
    def memory_close(self) -> int:
        return sum(report.memory_close for report in self.reports)


def draft_locale(store: ProjectStore, locale: str, articles: Sequence[Article], *, provenance: str,
                 stage: Callable[[DraftJob], DraftResult], run: Run = in_process) -> LocaleDrafts:
    """Bring every catalog of `locale` up to date and draft its gaps; a broken catalog fails alone.

    `provenance` says which engine drafts (mt.check_engine), so a new model redoes the
    units; `stage` is draft.draft_unit with its engine. Translation memory only fills
    entries without a translation, so a unit whose catalog was complete is skipped on its
    own fingerprint; an incomplete one also needs the memory to be as when it was last
    updated (a translator approving an entry in another article may fill it).
    """
    config = store.config
    by_slug = {article.slug: article for article in articles}
    glossary_digest = store.glossary_digest()
    result = LocaleDrafts(locale)
    memory = None

    def locale_memory():
        nonlocal memory
        if memory is None:
            memory = store.memory(locale, by_slug)
            result.memory = len(memory)
        return memory

    def fingerprint_of(slug: str) -> str:
        article = by_slug[slug]
        return fingerprint("draft", config.source_locale, locale, slug, article.source_hash,
                           store.relative(article.path), glossary_digest, provenance,
                           store.digest(store.catalog_path(locale, slug)))

    def reusable(record: dict) -> bool:
        return bool(record.get("complete")) or record.get("memory") == locale_memory().digest()

    def draft(todo: list[str]) -> dict[str, dict]:
        jobs: list[DraftJob] = []
        for slug in todo:
            article = by_slug[slug]
            catalog, unreadable = None, ""
            try:
                catalog = store.catalog_bytes(locale, slug)
            except CatalogError as err:  # the unit fails with it, visibly, like a broken catalog
                unreadable = str(err)
            path = store.catalog_path(locale, slug)
            jobs.append(DraftJob(locale, slug, build_template(article, store.glossary(), locale,
                                                               store.relative(article.path)),
                                 catalog, path, store.relative(path), locale_memory(), unreadable))
        payloads: dict[str, dict] = {}
        for job, done in zip(jobs, run(stage, jobs), strict=True):
            if isinstance(done, LingopressError):
                result.failures[job.slug] = str(done)
                continue
            if done.text is not None:
                store.save_catalog_text(locale, job.slug, done.text)
            result.reports.append(done.report)
            payloads[job.slug] = {"complete": done.report.untranslated == 0, "memory": job.memory.digest()}
        return payloads

    skipped = skipping(store, "draft", locale, list(by_slug), fingerprint_of, draft, reusable=reusable)
    result.skipped = skipped.skipped
    log.info("%s: %d catalogs updated (%d written), %d unchanged, %d failed", locale, len(result.reports),
             len(result.catalogs_written), len(result.skipped), len(result.failures))
    return result


def draft_with(engine: Engine | None) -> Callable[[DraftJob], DraftResult]:
    """The draft stage with a given engine, for `draft_locale` in this process."""
    return partial(draft_unit, engine=engine)


# --- checks ------------------------------------------------------------------------

@dataclass(frozen=True)
class Preflight:
    """What a run needs before it writes anything, checked once."""

    articles: list[Article]
    provenance: dict[str, str]  # target locale → the engine and model that drafts it


def preflight(store: ProjectStore, *, engines: bool) -> Preflight:
    """Fail before any file is written: the sources parse, the glossary reads and (with
    `engines`) every target locale's engine can run (may download a model)."""
    articles = store.articles()
    store.glossary()
    provenance = {locale: check_engine(store.config, locale) if engines else "none"
                  for locale in store.config.target_locales}
    return Preflight(articles, provenance)


@dataclass(frozen=True)
class CatalogFindings:
    path: str  # as given to the user: relative to the working directory when below it
    locale: str
    slug: str
    findings: tuple[Finding, ...]


def check_catalogs(store: ProjectStore) -> list[CatalogFindings]:
    """QA findings of every catalog of the configured locales (drafts included)."""
    config = store.config
    glossary = store.glossary()
    results = []
    for locale in config.target_locales:
        for path in store.catalog_paths(locale):
            catalog = store.catalog(locale, path.stem, check_locale=False)
            findings = check_catalog(catalog, locale, glossary, source_locale=config.source_locale)
            results.append(CatalogFindings(display_path(path), locale, path.stem,
                                           tuple(sorted(findings, key=lambda f: f.line))))
    return results
