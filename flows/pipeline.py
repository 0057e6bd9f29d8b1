"""The lingopress pipeline as Prefect flows: ingest → draft (per locale) → publish (per locale).

Tasks are thin wrappers; all logic is in plain functions of the `lingopress` package.
"""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from lingopress.config import Config, load_config
from lingopress.draft import open_engine, update_locale
from lingopress.ingest import Article, load_articles, write_templates
from lingopress.publish import publish_locale
from lingopress.status import review_project, status_markdown, write_review_pages

STATUS_ARTIFACT_KEY = "lingopress-status"


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(config: Config, write: bool = True) -> list[Article]:
    articles = load_articles(config)
    if write:
        written = write_templates(config, articles)
        get_run_logger().info("ingested %d articles, %d templates updated", len(articles), len(written))
    return articles


@task(name="draft", task_run_name="draft-{locale}", cache_policy=NO_CACHE)
def draft_task(config: Config, locale: str, articles: list[Article]) -> dict:
    report = update_locale(config, locale, articles, open_engine(config, locale))
    get_run_logger().info("%s: %d units drafted by machine (fuzzy), %d catalogs updated",
                          locale, report.drafted, len(report.catalogs_written))
    return asdict(report)


@task(name="publish", task_run_name="publish-{locale}", cache_policy=NO_CACHE)
def publish_task(config: Config, locale: str, articles: list[Article]) -> dict:
    report = publish_locale(config, locale, articles)
    logger = get_run_logger()
    for slug, why in report.held_back.items():
        logger.info("%s/%s not published: %s", locale, slug, why)
    logger.info("%s: %d articles published", locale, len(report.published))
    return asdict(report)


@task(name="status", cache_policy=NO_CACHE)
def status_task(config: Config, articles: list[Article]) -> list[dict]:
    """Refresh outputs/status.html and the review pages; publish the table as an artifact."""
    reviews = review_project(config, articles)
    written = write_review_pages(config, reviews)
    rows = [review.status for review in reviews]
    create_markdown_artifact(markdown=status_markdown(rows), key=STATUS_ARTIFACT_KEY,
                             description="Per article and locale: approved, fuzzy, untranslated, "
                                         "QA errors, publishable")
    get_run_logger().info("status: %d of %d article/locale pairs publishable; %d review pages written",
                          sum(row.publishable for row in rows), len(rows), len(written))
    return [asdict(row) for row in rows]


@flow(name="lingopress-pipeline")
def pipeline(project_dir: str = ".", locales: list[str] | None = None, engine: str | None = None,
             draft: bool = True, publish: bool = True) -> dict:
    """Ingest sources, draft every target locale, publish what translators approved."""
    config = load_config(project_dir, locales=locales, engine=engine)
    articles = ingest_task(config, write=draft)
    summary: dict[str, dict] = {locale: {} for locale in config.target_locales}
    drafts: dict[str, PrefectFuture] = {}
    if draft:
        drafts = {locale: draft_task.submit(config, locale, articles) for locale in config.target_locales}
    publishes: dict[str, PrefectFuture] = {}
    if publish:
        publishes = {
            locale: publish_task.submit(config, locale, articles,
                                        wait_for=[drafts[locale]] if locale in drafts else None)
            for locale in config.target_locales
        }
    failures = []
    for stage, futures in (("draft", drafts), ("publish", publishes)):
        for locale, future in futures.items():
            future.wait()
            if future.state.is_completed():
                summary[locale][stage] = future.result()
            else:
                failures.append(f"{stage} {locale}: {future.state.message}")
    if failures:
        raise RuntimeError("; ".join(failures))
    status_task(config, articles)
    return summary


@flow(name="lingopress-draft")
def draft_flow(project_dir: str = ".", locales: list[str] | None = None,
               engine: str | None = None) -> dict:
    """Ingest and draft only (no publishing)."""
    return pipeline(project_dir, locales, engine, draft=True, publish=False)


@flow(name="lingopress-publish")
def publish_flow(project_dir: str = ".", locales: list[str] | None = None) -> dict:
    """Publish approved articles without touching catalogs."""
    return pipeline(project_dir, locales, "none", draft=False, publish=True)
