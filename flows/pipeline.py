"""The lingopress pipeline as Prefect flows: preflight → templates → draft per (article,
locale) → publish per locale → render → bundle → status.

The flow wires jobs (lingopress.jobs) and owns the project's files through the store,
in its own process under the project lock. Work goes to the task runner as data: a
draft task gets a DraftJob (template, catalog bytes, memory) and returns the catalog's
text, a publish task gets a locale's catalogs and live versions and returns decisions.
So Dask workers need lingopress and the MT models, never the project directory. Tasks
that touch files (templates, render, bundle, status) are called, not submitted: they
run in the flow's process whatever the task runner.

A user error in one work unit (a catalog a translator broke) fails that unit only, with
a one-line message; the others go through and the run ends Failed. Units whose inputs
are unchanged since their last pass are not submitted at all (lingopress.skip); tasks
that may download a model retry on network trouble; the task runner is threads or Dask.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from flows.logs import TracebackOnlyForBugs
from lingopress import jobs
from lingopress.changes import changes_markdown
from lingopress.config import Config, load_config
from lingopress.draft import DraftJob, DraftResult, draft_unit, engine_for
from lingopress.errors import ConfigError, LingopressError, is_transient
from lingopress.ingest import Article
from lingopress.publishing.bundles import BundleResult
from lingopress.publishing.publish import Decision
from lingopress.review.model import ArticleStatus
from lingopress.review.status import status_markdown
from lingopress.store.project import ProjectStore
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


class UnitFailed(LingopressError):
    """A submitted work unit ended Failed; its message says why."""


def submitted(**extra) -> jobs.Run:
    """jobs.Run through the task runner: each input becomes a task run (a Dask task
    under Dask); a unit that failed comes back as UnitFailed with its message."""
    def run(stage: Callable, inputs: Sequence) -> list:
        futures = [stage.submit(item, **extra) for item in inputs]
        results = []
        for future in futures:
            future.wait()
            if future.state.is_completed():
                results.append(future.result())
            else:
                results.append(UnitFailed(future.state.message or f"{stage.name} failed"))
        return results
    return run


@task(name="preflight", cache_policy=NO_CACHE, retries=NETWORK_RETRIES, retry_delay_seconds=NETWORK_BACKOFF_S,
      retry_condition_fn=_retry_transient)
def preflight_task(store: ProjectStore, engines: bool) -> jobs.Preflight:
    # Checking the engines may download a model (network): hence the retries.
    checked = jobs.preflight(store, engines=engines)
    get_run_logger().info("%d articles; engines: %s", len(checked.articles),
                          ", ".join(f"{locale}: {what}" for locale, what in checked.provenance.items()) or "-")
    return checked


@task(name="templates", cache_policy=NO_CACHE)
def templates_task(store: ProjectStore, articles: list[Article]) -> list[str]:
    written = jobs.write_templates(store, articles)
    get_run_logger().info("ingested %d articles, %d templates updated", len(articles), len(written))
    return written


@task(name="draft", task_run_name="draft-{job.locale}-{job.slug}", cache_policy=NO_CACHE,
      retries=NETWORK_RETRIES, retry_delay_seconds=NETWORK_BACKOFF_S, retry_condition_fn=_retry_transient)
def draft_task(job: DraftJob, config: Config, mt_slots: int = DEFAULT_MT_SLOTS) -> DraftResult | State:
    """One catalog's update, from data to data: runs on any worker that has the models."""
    try:
        # The MT-heavy part holds one of a few slots per process, so however many workers
        # the task runner has, at most mt_slots CTranslate2 batches are in memory at once.
        with mt_slot(mt_slots):
            result = draft_unit(job, engine_for(config, job.locale))
    except LingopressError as err:
        if is_transient(err):
            raise  # retried with backoff (retry_condition_fn)
        return _user_failure(err)
    report = result.report
    get_run_logger().info(
        "%s/%s: %d entries; %d from memory (exact), %d suggested by memory (fuzzy), %d machine drafts "
        "(fuzzy); %s", job.locale, job.slug, report.entries, report.memory_exact, report.memory_close,
        report.drafted, "catalog updated" if report.written else "catalog unchanged")
    return result


@task(name="publish", task_run_name="publish-{job.locale}", cache_policy=NO_CACHE)
def publish_task(job: jobs.PublishJob) -> list[Decision] | State:
    try:
        return jobs.decide_all(job)
    except LingopressError as err:
        return _user_failure(err)


@task(name="render", cache_policy=NO_CACHE)
def render_task(store: ProjectStore) -> list[str]:
    # After every locale's publish: each page links to all the languages it exists in.
    written = jobs.render_outputs(store)
    get_run_logger().info("rendered outputs, %d files changed", len(written))
    return written


@task(name="bundle", cache_policy=NO_CACHE)
def bundle_task(store: ProjectStore) -> dict[str, BundleResult]:
    results = jobs.build_bundles(store)
    for result in results.values():
        get_run_logger().info("%s: bundle version %d%s", result.locale, result.version,
                              " (new)" if result.created else " (unchanged)")
    return results


@task(name="status", cache_policy=NO_CACHE)
def status_task(store: ProjectStore, articles: list[Article]) -> list[ArticleStatus]:
    """Refresh outputs/status.html and the review pages; publish the table as an artifact."""
    rows, written = jobs.refresh_status(store, articles)
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
    store = ProjectStore(config)
    with store.locked():
        return _stages(store, draft=draft, publish=publish, mt_slots=mt_slots)


def _stages(store: ProjectStore, *, draft: bool, publish: bool, mt_slots: int = DEFAULT_MT_SLOTS) -> RunSummary | State:
    config = store.config
    checked = preflight_task(store, engines=draft)
    articles = checked.articles
    if draft:
        templates_task(store, articles)
    # Publishing includes the source locale: the French original is published too.
    locales = ((config.source_locale,) if publish else ()) + config.target_locales
    runs = {locale: LocaleRun(locale) for locale in locales}
    failures: list[str] = []
    if draft:
        drafted = jobs.draft_locales(store, config.target_locales, articles, provenance=checked.provenance,
                                     stage=draft_task, run=submitted(config=config, mt_slots=mt_slots))
        for locale, done in drafted.items():
            get_run_logger().info("%s: %d units to update, %d unchanged since their last update (skipped)%s",
                                  locale, len(done.reports) + len(done.failures), len(done.skipped),
                                  f"; translation memory holds {done.memory} approved units" if done.memory else "")
            runs[locale] = LocaleRun(locale, drafts=tuple(done.reports), skipped=tuple(done.skipped))
            failures += done.failures.values()
    if publish:
        for locale in locales:
            try:
                report = jobs.publish_locale(store, locale, articles, stage=publish_task, run=submitted())
            except LingopressError as err:
                failures.append(str(err))
                continue
            logger = get_run_logger()
            # Every run says why, also when the decision was kept from an earlier run.
            for slug, why in report.held_back.items():
                logger.info("%s/%s not published: %s", locale, slug, why)
            logger.info("%s: %d articles published", locale, len(report.published))
            runs[locale] = LocaleRun(locale, runs[locale].drafts, runs[locale].skipped, publish=report)
        # Also after a failed unit: its published state, and so its pages, stay as they were.
        render_task(store)
        for locale, result in bundle_task(store).items():
            previous = runs.get(locale, LocaleRun(locale))
            runs[locale] = LocaleRun(locale, previous.drafts, previous.skipped, previous.publish, bundle=result)
    summary = RunSummary(runs, tuple(failures))
    rows = status_task(store, articles)
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
    return pipeline.fn(project_dir, locales, engine, draft=True, publish=False, lock_timeout_s=lock_timeout_s)


@flow(name="lingopress-publish")
def publish_flow(project_dir: str = ".", locales: list[str] | None = None,
                 lock_timeout_s: float | None = None) -> RunSummary | State:
    """Publish approved articles without touching catalogs."""
    return pipeline.fn(project_dir, locales, "none", draft=False, publish=True, lock_timeout_s=lock_timeout_s)
