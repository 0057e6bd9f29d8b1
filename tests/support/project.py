"""The pipeline's jobs on a project given by its Config, for tests: each helper opens the
project's store, takes the lock as a run does and calls the job the flow calls
(lingopress.jobs), with the work done in this process (`jobs.in_process`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from lingopress import jobs
from lingopress.config import Config
from lingopress.ingest import Article
from lingopress.mt import Engine
from lingopress.publishing.bundles import BundleResult
from lingopress.publishing.publish import Gate, PublishReport, Snapshot
from lingopress.review.model import ArticleStatus
from lingopress.store.project import ProjectStore


def load_articles(config: Config) -> list[Article]:
    return ProjectStore(config).articles()


def write_templates(config: Config, articles: Sequence[Article]) -> list[str]:
    store = ProjectStore(config)
    with store.locked():
        return jobs.write_templates(store, articles)


def update_locale(config: Config, locale: str, articles: Sequence[Article], engine: Engine | None) -> jobs.LocaleDrafts:
    store = ProjectStore(config)
    with store.locked():
        return jobs.draft_locale(store, locale, articles, provenance=engine.provenance if engine else "none",
                                 stage=jobs.draft_with(engine))


def update_published(config: Config, locale: str, articles: Sequence[Article], *, gate: Gate | None = None,
                     today: date | None = None) -> PublishReport:
    store = ProjectStore(config)
    with store.locked():
        return jobs.publish_locale(store, locale, articles, gate=gate, today=today)


def render_outputs(config: Config) -> list[str]:
    store = ProjectStore(config)
    with store.locked():
        return jobs.render_outputs(store)


def publish_locale(config: Config, locale: str, articles: Sequence[Article], *, gate: Gate | None = None,
                   today: date | None = None) -> PublishReport:
    """What a publish run does for one locale: the French original, the locale, then every page."""
    store = ProjectStore(config)
    with store.locked():
        if locale != config.source_locale:
            jobs.publish_locale(store, config.source_locale, articles)
        report = jobs.publish_locale(store, locale, articles, gate=gate, today=today)
        report.files_written.extend(jobs.render_outputs(store))
        return report


def build_bundles(config: Config, *, now: datetime | None = None) -> dict[str, BundleResult]:
    return jobs.build_bundles(ProjectStore(config), now=now)


def read_state(config: Config, locale: str) -> dict[str, Snapshot]:
    return ProjectStore(config).published_state(locale)


def refresh_status(config: Config, articles: Sequence[Article]) -> list[ArticleStatus]:
    store = ProjectStore(config)
    with store.locked():
        return jobs.refresh_status(store, articles)[0]


def load_article(path) -> Article:
    from lingopress.ingest import parse_article
    from lingopress.store.files import read_source

    return parse_article(path, read_source(path))


def bundles_dir(config: Config):
    return ProjectStore(config).bundles_dir


def template_for(config: Config, article: Article, locale: str | None = None):
    """The article's template as ingest writes it (every target locale's glossary notes),
    or as a catalog of `locale` is merged with."""
    from lingopress.ingest import build_template

    store = ProjectStore(config)
    return build_template(article, store.glossary(), locale or config.target_locales, store.relative(article.path))
