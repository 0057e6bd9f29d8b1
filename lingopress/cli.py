"""The `lingopress` command: maps options to stage functions and flows, errors to exit codes."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table

from .cli_common import RUN_FAILED, LocalesOption, ProjectOption, codes, user_errors
from .cli_exchange import glossary_app, tm_app, xliff_app
from .config import Config, load_config
from .errors import LingopressError
from .terminal import error_line, say, stdout, text, visible

if TYPE_CHECKING:
    from .store.project import ProjectStore
    from .summary import RunSummary

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Translate French Markdown articles through reviewed gettext catalogs.")
models_app = typer.Typer(no_args_is_help=True, help="List, install and remove Argos Translate models.")
app.add_typer(models_app, name="models")
app.add_typer(tm_app, name="tm")
app.add_typer(glossary_app, name="glossary")
app.add_typer(xliff_app, name="xliff")

EngineOption = Annotated[Optional[str], typer.Option("--engine", "-e", help="Draft engine for every locale: argos, apertium or none.")]
LockOption = Annotated[Optional[float], typer.Option("--lock-timeout", help="Seconds to wait for another run on the project.")]
RunnerOption = Annotated[str, typer.Option("--task-runner", help="threads (default) or dask.")]
DaskOption = Annotated[Optional[str], typer.Option(
    "--dask-address", help="With --task-runner dask: a running scheduler (tcp://host:8786); default: a LocalCluster.")]
QA_ERRORS = 1


def _config(project: Path, locales: str | None, engine: str | None,
            lock_timeout: float | None = None) -> Config:
    return load_config(project, locales=codes(locales), engine=engine, lock_timeout_s=lock_timeout)


def _store(project: Path, locales: str | None = None) -> ProjectStore:
    from .store.project import ProjectStore

    return ProjectStore(_config(project, locales, None))


def _prepare_prefect() -> None:
    # The temporary local server otherwise tries to send telemetry (no network here, and
    # no reason to), and lingopress's own log lines should reach Prefect's run logs.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "lingopress")
    # Log lines carry slugs and messages from files: shown as text, not as rich markup.
    # Must be set before Prefect configures logging (on its import).
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_CLASS", "flows.logs.PlainConsoleHandler")
    # Prefect gives the extra loggers its handlers but not a level: without one they
    # inherit the root's WARNING, and drafting progress would never show.
    if logging.getLogger("lingopress").level == logging.NOTSET:
        logging.getLogger("lingopress").setLevel(logging.INFO)


def _run_flow(which: str, project: Path, *, locales: str | None = None, engine: str | None = None,
              lock_timeout: float | None = None, runner: str = "threads",
              dask_address: str | None = None) -> RunSummary:
    """Run a flow on the project with the options as given; the flow takes the lock.

    The preflight (configuration, sources, glossary, engines) runs here first, so a user
    error is one line before Prefect starts; the flow runs the same `jobs.preflight` again
    because a scheduled run has no CLI in front of it (the second pass reads the parse
    cache and the model index: it costs milliseconds, not a second parse).
    """
    from .jobs import preflight
    from .store.project import ProjectStore

    if runner not in ("threads", "dask"):
        raise LingopressError(f"--task-runner: unknown task runner {runner!r}", hint="use threads or dask")
    preflight(ProjectStore(_config(project, locales, engine, lock_timeout)), engines=which != "publish")
    _prepare_prefect()
    from flows import pipeline as flows
    from flows.server import temporary_server

    kwargs = {"project_dir": str(project.resolve()), "locales": codes(locales),
              "lock_timeout_s": lock_timeout, "return_state": True}
    if which != "publish":
        kwargs["engine"] = engine
    chosen = {"run": flows.pipeline, "draft": flows.draft_flow, "publish": flows.publish_flow}[which]
    with temporary_server():
        state = chosen.with_options(task_runner=flows.task_runner(runner, dask_address=dask_address))(**kwargs)
        result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    return result


def _print_summary(result: RunSummary) -> None:
    from .summary import TABLE_COLUMNS, TABLE_MIN_WIDTH, plain_lines, table_cells

    if stdout.is_terminal and stdout.width >= TABLE_MIN_WIDTH:
        table = Table(title="lingopress")
        for column in TABLE_COLUMNS:
            table.add_column(column)
        for run in result.locales.values():
            table.add_row(*map(text, table_cells(run)))
        stdout.print(table)
    else:
        # A log or a narrow terminal: a table's cells would wrap over several lines each.
        for line in plain_lines(result, stdout.width):
            say(line)
    if result.failures:
        for failure in result.failures:
            error_line(failure)
        raise typer.Exit(RUN_FAILED)


@app.command()
def run(project: ProjectOption = Path("."), locales: LocalesOption = None, engine: EngineOption = None,
        lock_timeout: LockOption = None, task_runner: RunnerOption = "threads",
        dask_address: DaskOption = None) -> None:
    """Ingest sources, draft translations, publish approved articles (the whole pipeline)."""
    with user_errors():
        _print_summary(_run_flow("run", project, locales=locales, engine=engine, lock_timeout=lock_timeout,
                                 runner=task_runner, dask_address=dask_address))


@app.command()
def draft(project: ProjectOption = Path("."), locales: LocalesOption = None, engine: EngineOption = None,
          lock_timeout: LockOption = None, task_runner: RunnerOption = "threads",
          dask_address: DaskOption = None) -> None:
    """Ingest sources and update/draft the catalogs, without publishing."""
    with user_errors():
        _print_summary(_run_flow("draft", project, locales=locales, engine=engine, lock_timeout=lock_timeout,
                                 runner=task_runner, dask_address=dask_address))


@app.command()
def publish(project: ProjectOption = Path("."), locales: LocalesOption = None,
            lock_timeout: LockOption = None) -> None:
    """Publish every fully approved article; catalogs are not touched."""
    with user_errors():
        _print_summary(_run_flow("publish", project, locales=locales, lock_timeout=lock_timeout))


@app.command()
def serve(
    project: ProjectOption = Path("."),
    locales: LocalesOption = None,
    engine: EngineOption = None,
    cron: Annotated[str, typer.Option("--cron", help="When to run, as a cron expression (UTC unless --timezone).")] = "0 6 * * *",
    timezone: Annotated[Optional[str], typer.Option("--timezone", help="IANA time zone of --cron, e.g. Europe/Paris.")] = None,
    name: Annotated[str, typer.Option("--name", help="Deployment name, as in `prefect deployment run lingopress-pipeline/NAME`.")] = "scheduled",
) -> None:
    """Serve the pipeline on a schedule from this process (no work pool or worker needed).

    Registers the deployment with the Prefect API (PREFECT_API_URL; start one with
    `prefect server start`), then runs each scheduled or manually triggered flow run
    until stopped with Ctrl-C.
    """
    with user_errors():
        config = _config(project, locales, engine)
        _prepare_prefect()
        schedule = _cron_schedule(cron, timezone)
        from flows.pipeline import pipeline

        parameters = {"project_dir": str(config.project_dir), "locales": list(config.target_locales),
                      "engine": config.engine}
    pipeline.serve(name=name, schedules=[schedule], parameters=parameters,
                   description="lingopress: ingest, draft, publish on a schedule")


def _cron_schedule(cron: str, timezone: str | None):
    from prefect.client.schemas.schedules import CronSchedule

    try:
        return CronSchedule(cron=cron, timezone=timezone)
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        errors_found = getattr(err, "errors", lambda: [])()
        detail = errors_found[0]["msg"] if errors_found else str(err)
        raise LingopressError(f"--cron {cron!r} / --timezone {timezone!r}: {detail}",
                              hint='give five cron fields, e.g. --cron "0 6 * * *", and an IANA time zone') from None


@app.command()
def ingest(project: ProjectOption = Path(".")) -> None:
    """Extract translatable units from sources/ into translations/templates/*.pot (no Prefect)."""
    from .jobs import write_templates

    with user_errors():
        store = _store(project)
        with store.locked():
            articles = store.articles()
            written = write_templates(store, articles)
        say(f"{len(articles)} articles, {sum(len(a.segments) for a in articles)} units; "
            f"templates updated: {', '.join(written) or 'none'}")


@app.command()
def pull(
    source: Annotated[str, typer.Argument(help="URL or directory where outputs/bundles (or outputs/) is served.")],
    locale: Annotated[str, typer.Option("--locale", help="The locale to install, e.g. en.")],
    dest: Annotated[Path, typer.Option("--dest", help="Directory to install the bundle into (replaced atomically).")],
    version: Annotated[Optional[int], typer.Option("--version", help="A published version; default: the latest.")] = None,
    deadline: Annotated[Optional[float], typer.Option("--deadline", help="Seconds the whole pull may take; default 1800.")] = None,
    max_download: Annotated[Optional[str], typer.Option("--max-download", help="Most bytes to download, e.g. 2GiB; default 1GiB.")] = None,
    max_unpacked: Annotated[Optional[str], typer.Option("--max-unpacked", help="Most bytes to install, e.g. 8GiB; default 4GiB.")] = None,
    max_files: Annotated[Optional[int], typer.Option("--max-files", help="Most files in the bundle; default 100000.")] = None,
) -> None:
    """Download a locale bundle, verify it and install it into DEST (publishers; no project needed)."""
    from .publishing.pull import limits_from_options
    from .publishing.pull import pull as pull_bundle

    with user_errors():
        limits = limits_from_options(deadline, max_download, max_unpacked, max_files)
        result = pull_bundle(source, locale, dest, version=version, limits=limits)
        if result.changed:
            say(f"installed {result.locale} version {result.version} ({result.articles} articles, "
                f"{result.files} files, all sha256 verified) from {result.url} into {result.dest}")
        else:
            say(f"{result.dest} already holds {result.locale} version {result.version}, verified; nothing to do")


@app.command()
def check(
    project: ProjectOption = Path("."),
    locales: LocalesOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text (file:line: severity: message) or json.")] = "text",
) -> None:
    """Run the QA checks on every translated entry; exit 1 when an error is found."""
    import json

    from .jobs import check_catalogs
    from .qa import ERROR

    with user_errors():
        _check_format(format, ("text", "json"))
        results = check_catalogs(_store(project, locales))
    live = [(r, f) for r in results for f in r.findings if not f.dismissed]
    dismissed = [(r, f) for r in results for f in r.findings if f.dismissed]
    errors_found = sum(1 for _, f in live if f.severity == ERROR)
    summary = {"catalogs": len(results), "errors": errors_found, "warnings": len(live) - errors_found,
               "dismissed": len(dismissed)}
    if format == "json":
        def as_dict(result, finding) -> dict:
            return {"file": result.path, "line": finding.line, "locale": result.locale, "slug": result.slug,
                    "check": finding.check, "severity": finding.severity, "message": finding.message}
        typer.echo(json.dumps({"findings": [as_dict(r, f) for r, f in live],
                               "dismissed": [as_dict(r, f) for r, f in dismissed],
                               "summary": summary}, ensure_ascii=False, indent=2))
    else:
        # Plain lines, never wrapped: editors and CI parse `file:line: severity: message`.
        for result, finding in live:
            typer.echo(visible(f"{result.path}:{finding.line}: {finding.severity}: {finding.message} "
                               f"[{finding.check}]"))
        if dismissed:
            typer.echo("dismissed by qa-ignore (still listed so they stay visible):")
            for result, finding in dismissed:
                typer.echo(visible(f"{result.path}:{finding.line}: dismissed {finding.severity}: "
                                   f"{finding.message} [{finding.check}]"))
        typer.echo(f"{summary['errors']} errors, {summary['warnings']} warnings, "
                   f"{summary['dismissed']} dismissed in {summary['catalogs']} catalogs")
    if errors_found:
        raise typer.Exit(QA_ERRORS)


@app.command()
def status(
    project: ProjectOption = Path("."),
    locales: LocalesOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Show each article's state per locale; write outputs/status.html and the review pages."""
    import json

    from .jobs import refresh_status
    from .review.status import live_text, status_json

    with user_errors():
        _check_format(format, ("table", "json"))
        store = _store(project, locales)
        config = store.config
        with store.locked():
            rows, _ = refresh_status(store, store.articles())
    if format == "json":
        typer.echo(json.dumps(status_json(rows, config.relative(config.status_page_path)), ensure_ascii=False,
                              indent=2))
        return
    table = Table(title="lingopress status")
    for column in ("article", "locale", "approved", "fuzzy", "untranslated", "QA errors", "QA warnings",
                   "publishable", "live"):
        table.add_column(column, justify="right" if column not in ("article", "locale", "publishable", "live")
                         else "left")
    for row in rows:
        table.add_row(text(row.slug), text(row.locale), text(f"{row.approved}/{row.entries}"), text(row.fuzzy),
                      text(row.untranslated), text(row.qa_errors, "red" if row.qa_errors else ""),
                      text(row.qa_warnings),
                      text("yes", "green") if row.publishable else
                      text("no", "red") + text(f" ({row.problem})" if row.problem else ""),
                      text(live_text(row), "red" if row.live == "withdrawn" else ""))
    stdout.print(table)
    say(f"status page: {config.relative(config.status_page_path)}; review pages under "
        f"{config.relative(config.outputs_dir / 'review')}/")


def _check_format(value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise LingopressError(f"--format: unknown format {value!r}", hint=f"use one of: {', '.join(allowed)}")


@models_app.command("list")
def models_list(project: ProjectOption = Path(".")) -> None:
    """Show installed Argos models."""
    from .models import installed_models

    with user_errors():
        config = _config(project, None, None)
        table = Table()
        for column in ("pair", "package", "version"):
            table.add_column(column, no_wrap=True)
        table.add_column("path", overflow="fold")
        for model in installed_models(config.argos):
            table.add_row(*map(text, (f"{model.from_code}→{model.to_code}", model.name, model.version, model.path)))
        stdout.print(table)


@models_app.command("install")
def models_install(
    path: Annotated[Optional[Path], typer.Argument(
        help="A .argosmodel file, or a directory of them, to install (offline).")] = None,
    to: Annotated[Optional[str], typer.Option(
        "--to", help="Fetch source→TO from the Argos index (online); through the pivot language "
                     "when the index has no direct package.")] = None,
    project: ProjectOption = Path("."),
) -> None:
    """Install models from a file, a directory of files, or the Argos package index (--to)."""
    from .models import install_from_index, install_path

    with user_errors():
        config = _config(project, None, None)
        if (path is None) == (to is None):
            raise LingopressError("give either a .argosmodel FILE (or a directory of them) or --to LOCALE",
                                  hint="e.g. lingopress models install translate-fr_en.argosmodel")
        if path is not None:
            models = install_path(config.argos, path)
        else:
            models = install_from_index(config.argos, config.source_locale, to)
        for model in models:
            say(f"installed {model.label} ({model.from_code}→{model.to_code}) in {model.path}")


@models_app.command("remove")
def models_remove(
    pair: Annotated[str, typer.Argument(help="The language pair to remove, e.g. fr_en or fr-de.")],
    project: ProjectOption = Path("."),
) -> None:
    """Remove every installed version of a model."""
    from .models import remove_models

    with user_errors():
        config = _config(project, None, None)
        for model in remove_models(config.argos, pair):
            say(f"removed {model.label} ({model.path})")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
