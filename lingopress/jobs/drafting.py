"""Jobs of the drafting side: templates, catalogs drafted per locale, the preflight and the QA check."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from ..catalogs.memory import TranslationMemory
from ..draft import CatalogReport, DraftJob, DraftResult, draft_unit
from ..errors import CatalogError, LingopressError, display_path
from ..ingest import Article, build_template
from ..mt import Engine, check_engine
from ..qa import Finding, check_catalog
from ..skip import commit, fingerprint, plan, skipping
from ..site import with_site
from ..store.project import ProjectStore
from .base import Run, in_process, site_of

log = logging.getLogger(__name__)


# --- ingest ------------------------------------------------------------------------

def write_templates(store: ProjectStore, articles: Sequence[Article]) -> list[str]:
    """Write `translations/templates/<slug>.pot` for each article and the site texts; return those that changed."""
    config = store.config
    by_slug = {article.slug: article for article in with_site(list(articles), site_of(config))}
    glossary_digest = store.glossary_digest()
    written: list[str] = []

    def fingerprint_of(slug: str) -> str:
        article = by_slug[slug]
        return fingerprint("template", slug, article.source_hash, repr(article.fields), store.relative(article.path),
                           glossary_digest, repr(config.target_locales), store.digest(config.template_path(slug)))

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
    """`draft_locales` for one locale."""
    return draft_locales(store, [locale], articles, provenance={locale: provenance}, stage=stage, run=run)[locale]


def draft_locales(store: ProjectStore, locales: Sequence[str], articles: Sequence[Article], *,
                  provenance: dict[str, str], stage: Callable[[DraftJob], DraftResult],
                  run: Run = in_process) -> dict[str, LocaleDrafts]:
    """Bring every catalog of `locales` (the site's too) up to date and draft its gaps; a
    broken catalog fails alone.

    `provenance` says which engine drafts each locale (mt.check_engine), so a new model
    redoes its units; `stage` is draft.draft_unit with an engine. The units of every locale
    go to `run` together: engines of different locales then translate side by side, which
    keeps the cores busier than one model's batches on all of them. Translation memory only
    fills entries without a translation, so a unit whose catalog was complete is skipped on
    its own fingerprint; an incomplete one also needs the memory to be as when it was last
    updated (a translator approving an entry in another article may fill it).
    """
    plans = {locale: _DraftPlan(store, locale, articles, provenance[locale]) for locale in locales}
    jobs = [job for drafts in plans.values() for job in drafts.jobs()]
    results = run(stage, jobs)
    fresh: dict[str, dict[str, dict]] = {locale: {} for locale in locales}
    for job, done in zip(jobs, results, strict=True):
        drafts = plans[job.locale]
        if isinstance(done, LingopressError):
            drafts.result.failures[job.slug] = str(done)
            continue
        if done.text is not None:
            store.save_catalog_text(job.locale, job.slug, done.text, memories=done.memories)
        drafts.result.reports.append(done.report)
        fresh[job.locale][job.slug] = {"complete": done.report.untranslated == 0, "memory": job.memory.digest()}
    for locale, drafts in plans.items():
        drafts.result.skipped = commit(store, drafts.plan, fresh[locale], drafts.fingerprint_of).skipped
        result = drafts.result
        log.info("%s: %d catalogs updated (%d written), %d unchanged, %d failed", locale, len(result.reports),
                 len(result.catalogs_written), len(result.skipped), len(result.failures))
    return {locale: drafts.result for locale, drafts in plans.items()}


class _DraftPlan:
    """One locale's part of `draft_locales`: its skip plan and the jobs of its changed units."""

    def __init__(self, store: ProjectStore, locale: str, articles: Sequence[Article], provenance: str) -> None:
        self.store, self.locale, self.provenance = store, locale, provenance
        self.by_slug = {article.slug: article for article in with_site(list(articles), site_of(store.config))}
        self.glossary_digest = store.glossary_digest()
        # Imported TMX memories fill gaps too: importing one makes incomplete catalogs draft again.
        self.memory_digest = store.memory_digest()
        self.result = LocaleDrafts(locale)
        self._memory: TranslationMemory | None = None
        self.plan = plan(store, "draft", locale, list(self.by_slug), self.fingerprint_of, reusable=self.reusable)

    def memory(self) -> TranslationMemory:
        if self._memory is None:
            own = self.store.memory(self.locale, self.by_slug)
            # The project's approved translations first: they win over imported suggestions.
            self._memory = TranslationMemory.combined(own, self.store.imported_memory(self.locale))
            self.result.memory = len(own)
        return self._memory

    def fingerprint_of(self, slug: str) -> str:
        article, store = self.by_slug[slug], self.store
        return fingerprint("draft", store.config.source_locale, self.locale, slug, article.source_hash,
                           repr(article.fields), store.relative(article.path), self.glossary_digest, self.provenance,
                           store.digest(store.catalog_path(self.locale, slug)),
                           *([self.memory_digest] if self.memory_digest else []))

    def reusable(self, record: dict) -> bool:
        return bool(record.get("complete")) or record.get("memory") == self.memory().digest()

    def jobs(self) -> list[DraftJob]:
        store, locale = self.store, self.locale
        jobs = []
        for slug in self.plan.todo:
            article = self.by_slug[slug]
            catalog, unreadable = None, ""
            try:
                catalog = store.catalog_bytes(locale, slug)
            except CatalogError as err:  # the unit fails with it, visibly, like a broken catalog
                unreadable = str(err)
            path = store.catalog_path(locale, slug)
            jobs.append(DraftJob(locale, slug, build_template(article, store.glossary(), locale,
                                                               store.relative(article.path)),
                                 catalog, path, store.relative(path), self.memory(), unreadable))
        return jobs


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
