"""The lingopress pipeline as Prefect flows: ingest → draft per (article, locale) → publish per
locale → render → bundle.

Tasks are thin wrappers; all logic is in plain functions of the `lingopress` package. A
user error in one work unit (a catalog a translator broke) fails that unit only, with a
one-line message; the others go through and the run ends Failed. Units whose inputs are
unchanged since their last update are not submitted at all (lingopress.store.records); tasks
that may download a model retry on network trouble; the task runner is threads or Dask.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import replace

from prefect import allow_failure, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from flows.logs import TracebackOnlyForBugs
from lingopress.publishing.bundles import build_bundles
from lingopress.changes import changes_markdown
from lingopress.config import Config, load_config
from lingopress.draft import CatalogReport, DraftPlan, draft_record, engine_for, plan_drafts, save_draft_records, update_catalog
from lingopress.errors import ConfigError, LingopressError, is_transient
from lingopress.ingest import Article, load_articles, write_templates
from lingopress.publishing.bundles import BundleResult
from lingopress.publishing.publish import PublishReport, render_outputs, update_published
from lingopress.review.status import refresh_status, status_markdown
from lingopress.review.model import ArticleStatus
from lingopress.store.atomic import exclusive_run
from lingopress.summary import LocaleRun, RunSummary

STATUS_ARTIFACT_KEY = "lingopress-status"
CHANGES_ARTIFACT_KEY = "lingopress-changes"
TASK_RUNNERS = ("threads", "dask")


# Transient failures (a model download, an HTTP hiccup) retry with backoff; user errors
# (a broken catalog, a missing model with downloads off) never do: see is_transient.
NETWORK_RETRIES = 3
NETWORK_BACKOFF_S = exponential_backoff(backoff_factor=2)
DEFAULT_MT_SLOTS = 2
_MT_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_MT_SLOTS_LOCK = threading.Lock()


def mt_slot(slots: int) -> threading.BoundedSemaphore:
    """A process-wide semaphore bounding concurrent MT work.

    Not a Prefect global concurrency limit: those live on the API server and must be
    created there first, which the temporary local server of a plain `lingopress run`
    does not have. A semaphore per process works with no server, with threads, and under
    Dask (one per worker process, so the bound is workers × slots).
    """
    with _MT_SLOTS_LOCK:
        return _MT_SLOTS.setdefault(slots, threading.BoundedSemaphore(slots))


def _retry_transient(task, task_run, state) -> bool:
    try:
        state.result()
    except Exception as err:  # the task's exception, re-raised by result()
        return is_transient(err)
    return False


for _name in ("prefect.task_runs", "prefect.flow_runs"):
    logging.getLogger(_name).addFilter(TracebackOnlyForBugs())


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


@task(name="plan-drafts", task_run_name="plan-drafts-{locale}", cache_policy=NO_CACHE,
      retries=NETWORK_RETRIES, retry_delay_seconds=NETWORK_BACKOFF_S, retry_condition_fn=_retry_transient)
def plan_task(config: Config, locale: str, articles: list[Article]) -> DraftPlan:
    # Finding the engine may download a model (network): hence the retries.
    plan = plan_drafts(config, locale, articles)
    get_run_logger().info("%s: %d units to update, %d unchanged since their last update (skipped)%s",
                          locale, len(plan.stale), len(plan.unchanged),
                          f"; translation memory holds {len(plan.memory)} approved units" if plan.memory else "")
    return plan


@task(name="draft", task_run_name="draft-{locale}-{slug}", cache_policy=NO_CACHE,
      retries=NETWORK_RETRIES, retry_delay_seconds=NETWORK_BACKOFF_S, retry_condition_fn=_retry_transient)
def draft_task(config: Config, locale: str, article: Article, plan: DraftPlan, slug: str,
               mt_slots: int = DEFAULT_MT_SLOTS) -> tuple[CatalogReport, dict] | State:
    """The catalog's report and its run record (saved by the flow once every unit is done)."""
    try:
        # The MT-heavy part holds one of a few slots per process, so however many workers
        # the task runner has, at most mt_slots CTranslate2 batches are in memory at once.
        with mt_slot(mt_slots):
            report = update_catalog(config, locale, article, engine_for(config, locale), plan.memory)
    except LingopressError as err:
        if is_transient(err):
            raise  # retried with backoff (retry_condition_fn)
        return _user_failure(err)
    get_run_logger().info(
        "%s/%s: %d entries; %d from memory (exact), %d suggested by memory (fuzzy), %d machine drafts "
        "(fuzzy); %s", locale, slug, report.entries, report.memory_exact, report.memory_close,
        report.drafted, "catalog updated" if report.written else "catalog unchanged")
    return report, draft_record(config, plan, article, report)


@task(name="publish", task_run_name="publish-{locale}", cache_policy=NO_CACHE)
def publish_task(config: Config, locale: str, articles: list[Article]) -> PublishReport | State:
    try:
        report = update_published(config, locale, articles)
    except LingopressError as err:
        return _user_failure(err)
    logger = get_run_logger()
    for slug, why in report.held_back.items():
        logger.info("%s/%s not published: %s", locale, slug, why)
    logger.info("%s: %d articles published", locale, len(report.published))
    return report


@task(name="render", cache_policy=NO_CACHE)
def render_task(config: Config) -> list[str]:
    # After every locale's publish task: each page links to all the languages it exists in.
    written = render_outputs(config)
    get_run_logger().info("rendered outputs, %d files changed", len(written))
    return written


@task(name="bundle", cache_policy=NO_CACHE)
def bundle_task(config: Config) -> dict[str, BundleResult]:
    results = build_bundles(config)
    for result in results.values():
        get_run_logger().info("%s: bundle version %d%s", result.locale, result.version,
                              " (new)" if result.created else " (unchanged)")
    return results
@task(name="status", cache_policy=NO_CACHE)
def status_task(config: Config, articles: list[Article]) -> list[ArticleStatus]:
    """Refresh outputs/status.html and the review pages; publish the table as an artifact."""
    rows, written = refresh_status(config, articles)
    create_markdown_artifact(markdown=status_markdown(rows), key=STATUS_ARTIFACT_KEY,
                             description="Per article and locale: approved, fuzzy, untranslated, "
                                         "QA errors, publishable")
    get_run_logger().info("status: %d of %d article/locale pairs publishable; %d review pages written",
                          sum(row.publishable for row in rows), len(rows), len(written))
    return rows


def task_runner(name: str = "threads", *, dask_address: str | None = None, workers: int | None = None):
    """The task runner for --task-runner: Prefect's thread pool, or prefect-dask's DaskTaskRunner
    on a given scheduler (`tcp://host:8786`) or on a LocalCluster it starts and stops."""
    if name == "threads":
        return ThreadPoolTaskRunner(max_workers=workers)
    if name == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        # Worker processes, one thread each: CTranslate2 runs its own threads inside.
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers or 2, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    raise ConfigError(f"unknown task runner {name!r}", hint=f"use one of: {', '.join(TASK_RUNNERS)}")


def env_task_runner():
    """The task runner named by LINGOPRESS_TASK_RUNNER / LINGOPRESS_DASK_ADDRESS: how a
    deployment (prefect.yaml's job variables, `lingopress serve`) picks Dask."""
    return task_runner(os.environ.get("LINGOPRESS_TASK_RUNNER", "threads"),
                       dask_address=os.environ.get("LINGOPRESS_DASK_ADDRESS") or None)


@flow(name="lingopress-pipeline", task_runner=env_task_runner())
def pipeline(project_dir: str = ".", locales: list[str] | None = None, engine: str | None = None,
             draft: bool = True, publish: bool = True, lock_timeout_s: float | None = None,
             mt_slots: int = DEFAULT_MT_SLOTS) -> RunSummary | State:
    """Ingest sources, update and draft every (article, locale), publish what translators approved."""
    config = load_config(project_dir, locales=locales, engine=engine, lock_timeout_s=lock_timeout_s)
    return _run(config, draft=draft, publish=publish, mt_slots=mt_slots)


def _run(config: Config, *, draft: bool, publish: bool, mt_slots: int = DEFAULT_MT_SLOTS) -> RunSummary | State:
    with exclusive_run(config.project_dir, config.lock_timeout_s,
                       config.translations_dir, config.outputs_dir):
        return _stages(config, draft=draft, publish=publish, mt_slots=mt_slots)


def _stages(config: Config, *, draft: bool, publish: bool, mt_slots: int = DEFAULT_MT_SLOTS) -> RunSummary | State:
    articles = ingest_task(config, write=draft)
    by_slug = {article.slug: article for article in articles}
    # Publishing includes the source locale: the French original is published too.
    locales = ((config.source_locale,) if publish else ()) + config.target_locales
    runs = {locale: LocaleRun(locale) for locale in locales}
    drafts: dict[str, list[PrefectFuture]] = {locale: [] for locale in locales}
    plans: dict[str, PrefectFuture] = {}
    failures = []
    if draft:
        plans = {locale: plan_task.submit(config, locale, articles) for locale in config.target_locales}
        for locale, future in plans.items():
            future.wait()
            if not future.state.is_completed():
                failures.append(future.state.message or f"plan {locale} failed")
                continue
            plan = future.result()
            runs[locale] = replace(runs[locale], skipped=tuple(plan.unchanged))
            # Only the units whose inputs changed become tasks: a no-change re-run is cheap.
            drafts[locale] = [draft_task.submit(config, locale, by_slug[slug], future, slug=slug, mt_slots=mt_slots)
                              for slug in plan.stale]
    publishes = {}
    if publish:
        publishes = {locale: publish_task.submit(config, locale, articles,
                                                 wait_for=[allow_failure(f) for f in drafts[locale]])
                     for locale in locales}
    for locale in locales:
        updated: dict[str, dict] = {}
        reports: list[CatalogReport] = []
        for future in drafts[locale]:
            future.wait()
            if future.state.is_completed():
                report, record = future.result()
                updated[report.slug] = record
                reports.append(report)
            else:
                failures.append(future.state.message or f"draft {locale} failed")
        runs[locale] = replace(runs[locale], drafts=tuple(reports))
        if locale in plans:
            # A failed unit keeps no record: it is tried again next run.
            save_draft_records(config, locale, articles, updated)
        if locale in publishes:
            future = publishes[locale]
            future.wait()
            if future.state.is_completed():
                runs[locale] = replace(runs[locale], publish=future.result())
            else:
                failures.append(future.state.message or f"publish {locale} failed")
    if publish:
        # Also after a failed unit: its published state, and so its pages, stay as they were.
        render_task(config)
        for locale, result in bundle_task(config).items():
            runs[locale] = replace(runs.get(locale, LocaleRun(locale)), bundle=result)
    summary = RunSummary(runs, tuple(failures))
    rows = status_task(config, articles)
    create_markdown_artifact(markdown=changes_markdown(summary, rows), key=CHANGES_ARTIFACT_KEY,
                             description="What this run changed per locale: catalogs updated or skipped, "
                                         "drafts, approved entries, articles published, bundles")
    if failures:
        return Failed(message=f"{len(failures)} work unit(s) failed: " + "; ".join(failures), data=summary)
    return summary


@flow(name="lingopress-draft")
def draft_flow(project_dir: str = ".", locales: list[str] | None = None, engine: str | None = None,
               lock_timeout_s: float | None = None) -> RunSummary | State:
    """Ingest and draft only (no publishing)."""
    config = load_config(project_dir, locales=locales, engine=engine, lock_timeout_s=lock_timeout_s)
    return _run(config, draft=True, publish=False)


@flow(name="lingopress-publish")
def publish_flow(project_dir: str = ".", locales: list[str] | None = None,
                 lock_timeout_s: float | None = None) -> RunSummary | State:
    """Publish approved articles without touching catalogs."""
    config = load_config(project_dir, locales=locales, engine="none", lock_timeout_s=lock_timeout_s)
    return _run(config, draft=False, publish=True)
