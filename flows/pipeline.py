"""The lingopress pipeline as Prefect flows: ingest → draft per (article, locale) → publish per
locale → render → bundle.

Tasks are thin wrappers; all logic is in plain functions of the `lingopress` package. A
user error in one work unit (a catalog a translator broke) fails that unit only, with a
one-line message; the others go through and the run ends Failed.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from prefect import allow_failure, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.states import Failed, State

from lingopress.bundles import build_bundles
from lingopress.config import Config, load_config
from lingopress.draft import build_memory, engine_for, update_catalog
from lingopress.errors import LingopressError
from lingopress.ingest import Article, load_articles, write_templates
from lingopress.memory import TranslationMemory
from lingopress.publish import render_outputs, update_published
from lingopress.status import review_project, status_markdown, write_review_pages
from lingopress.storage import exclusive_run

STATUS_ARTIFACT_KEY = "lingopress-status"


class _NoEmptyTraceback(logging.Filter):
    """Prefect logs a task that returns a Failed state with exc_info but no exception,
    which prints a bare 'NoneType: None' line; drop that empty traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is None:
            record.exc_info = None
        return True


logging.getLogger("prefect.task_runs").addFilter(_NoEmptyTraceback())


def _user_failure(err: LingopressError) -> State:
    get_run_logger().error("%s", err)
    return Failed(message=str(err))


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(config: Config, write: bool = True) -> list[Article]:
    articles = load_articles(config)
    if write:
        written = write_templates(config, articles)
        get_run_logger().info("ingested %d articles, %d templates updated", len(articles), len(written))
    return articles


@task(name="memory", task_run_name="memory-{locale}", cache_policy=NO_CACHE)
def memory_task(config: Config, locale: str, articles: list[Article]) -> TranslationMemory:
    memory = build_memory(config, locale, articles)
    get_run_logger().info("%s: translation memory holds %d approved units", locale, len(memory))
    return memory


@task(name="draft", task_run_name="draft-{locale}-{slug}", cache_policy=NO_CACHE)
def draft_task(config: Config, locale: str, article: Article, memory: TranslationMemory,
               slug: str) -> dict | State:
    try:
        report = update_catalog(config, locale, article, engine_for(config, locale), memory)
    except LingopressError as err:
        return _user_failure(err)
    get_run_logger().info(
        "%s/%s: %d entries; %d from memory (exact), %d suggested by memory (fuzzy), %d machine drafts "
        "(fuzzy); %s", locale, slug, report.entries, report.memory_exact, report.memory_close,
        report.drafted, "catalog updated" if report.written else "catalog unchanged")
    return asdict(report)


@task(name="publish", task_run_name="publish-{locale}", cache_policy=NO_CACHE)
def publish_task(config: Config, locale: str, articles: list[Article]) -> dict | State:
    try:
        report = update_published(config, locale, articles)
    except LingopressError as err:
        return _user_failure(err)
    logger = get_run_logger()
    for slug, why in report.held_back.items():
        logger.info("%s/%s not published: %s", locale, slug, why)
    logger.info("%s: %d articles published", locale, len(report.published))
    return asdict(report)


@task(name="render", cache_policy=NO_CACHE)
def render_task(config: Config) -> list[str]:
    # After every locale's publish task: each page links to all the languages it exists in.
    written = render_outputs(config)
    get_run_logger().info("rendered outputs, %d files changed", len(written))
    return written


@task(name="bundle", cache_policy=NO_CACHE)
def bundle_task(config: Config) -> dict:
    results = build_bundles(config)
    for result in results.values():
        get_run_logger().info("%s: bundle version %d%s", result.locale, result.version,
                              " (new)" if result.created else " (unchanged)")
    return {locale: asdict(result) for locale, result in results.items()}
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
             draft: bool = True, publish: bool = True, lock_timeout_s: float | None = None) -> dict | State:
    """Ingest sources, update and draft every (article, locale), publish what translators approved."""
    config = load_config(project_dir, locales=locales, engine=engine, lock_timeout_s=lock_timeout_s)
    return _run(config, draft=draft, publish=publish)


def _run(config: Config, *, draft: bool, publish: bool) -> dict | State:
    with exclusive_run(config.project_dir, config.lock_timeout_s,
                       config.translations_dir, config.outputs_dir):
        return _stages(config, draft=draft, publish=publish)


def _stages(config: Config, *, draft: bool, publish: bool) -> dict | State:
    articles = ingest_task(config, write=draft)
    # Publishing includes the source locale: the French original is published too.
    locales = ((config.source_locale,) if publish else ()) + config.target_locales
    summary: dict[str, dict] = {locale: {"draft": [], "publish": None} for locale in locales}
    drafts: dict[str, list[PrefectFuture]] = {locale: [] for locale in locales}
    if draft:
        for locale in config.target_locales:
            memory = memory_task.submit(config, locale, articles)
            drafts[locale] = [draft_task.submit(config, locale, article, memory, slug=article.slug)
                              for article in articles]
    publishes = {}
    if publish:
        publishes = {locale: publish_task.submit(config, locale, articles,
                                                 wait_for=[allow_failure(f) for f in drafts[locale]])
                     for locale in locales}
    failures = []
    for locale in locales:
        for future in drafts[locale]:
            future.wait()
            if future.state.is_completed():
                summary[locale]["draft"].append(future.result())
            else:
                failures.append(future.state.message or f"draft {locale} failed")
        if locale in publishes:
            future = publishes[locale]
            future.wait()
            if future.state.is_completed():
                summary[locale]["publish"] = future.result()
            else:
                failures.append(future.state.message or f"publish {locale} failed")
    if publish:
        # Also after a failed unit: its published state, and so its pages, stay as they were.
        render_task(config)
        for locale, result in bundle_task(config).items():
            summary.setdefault(locale, {"draft": [], "publish": None})["bundle"] = result
    status_task(config, articles)
    if failures:
        return Failed(message=f"{len(failures)} work unit(s) failed: " + "; ".join(failures),
                      data={"summary": summary, "failures": failures})
    return {"summary": summary, "failures": []}


@flow(name="lingopress-draft")
def draft_flow(project_dir: str = ".", locales: list[str] | None = None, engine: str | None = None,
               lock_timeout_s: float | None = None) -> dict | State:
    """Ingest and draft only (no publishing)."""
    config = load_config(project_dir, locales=locales, engine=engine, lock_timeout_s=lock_timeout_s)
    return _run(config, draft=True, publish=False)


@flow(name="lingopress-publish")
def publish_flow(project_dir: str = ".", locales: list[str] | None = None,
                 lock_timeout_s: float | None = None) -> dict | State:
    """Publish approved articles without touching catalogs."""
    config = load_config(project_dir, locales=locales, engine="none", lock_timeout_s=lock_timeout_s)
    return _run(config, draft=False, publish=True)
