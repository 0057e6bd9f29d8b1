"""The `lingopress` command: maps options to stage functions and flows, errors to exit codes."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from .config import Config, load_config
from .errors import LingopressError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Translate French Markdown articles through reviewed gettext catalogs.")
models_app = typer.Typer(no_args_is_help=True, help="List, install and remove Argos Translate models.")
app.add_typer(models_app, name="models")

console = Console()
errors = Console(stderr=True)

USER_ERROR = 2

ProjectOption = Annotated[Path, typer.Option("--project", "-p", help="Project directory (holds lingopress.toml).")]
LocalesOption = Annotated[Optional[str], typer.Option("--locales", "-l", help="Comma-separated target locales, e.g. en,de.")]
EngineOption = Annotated[Optional[str], typer.Option("--engine", "-e", help="Draft engine for every locale: argos, apertium or none.")]


@contextmanager
def user_errors() -> Iterator[None]:
    """A user error is one line on stderr and exit code 2; everything else is a bug."""
    try:
        yield
    except LingopressError as err:
        errors.print(f"[bold red]error:[/] {err}", highlight=False, soft_wrap=True)
        raise typer.Exit(USER_ERROR) from None


def _config(project: Path, locales: str | None, engine: str | None) -> Config:
    codes = [code for code in locales.split(",") if code.strip()] if locales else None
    return load_config(project, locales=codes, engine=engine)


def _prepare_prefect() -> None:
    # The temporary local server otherwise tries to send telemetry (no network here, and
    # no reason to), and lingopress's own log lines should reach Prefect's run logs.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "lingopress")
    # Prefect gives the extra loggers its handlers but not a level: without one they
    # inherit the root's WARNING, and drafting progress would never show.
    if logging.getLogger("lingopress").level == logging.NOTSET:
        logging.getLogger("lingopress").setLevel(logging.INFO)


def _run_flow(which: str, config: Config, *, check_engines: bool, engine: str | None = None) -> dict:
    from .draft import check_engine
    from .ingest import load_articles

    # Fail before Prefect starts and before any file is written.
    load_articles(config)
    if check_engines:
        for locale in config.target_locales:
            check_engine(config, locale)
    _prepare_prefect()
    from flows import pipeline as flows

    kwargs = {"project_dir": str(config.project_dir), "locales": list(config.target_locales)}
    # The flow's `engine` overrides every locale's; pass the file's global engine (shown in
    # the run's parameters) only when no [engines] table sets locales apart.
    if engine is None and not config.locale_engines:
        engine = config.engine
    if which == "run":
        return flows.pipeline(engine=engine, **kwargs)
    if which == "draft":
        return flows.draft_flow(engine=engine, **kwargs)
    return flows.publish_flow(**kwargs)


def _print_summary(summary: dict) -> None:
    table = Table(title="lingopress")
    for column in ("locale", "drafted", "catalogs written", "published", "held back"):
        table.add_column(column)
    for locale, stages in summary.items():
        draft = stages.get("draft", {})
        publish = stages.get("publish", {})
        table.add_row(locale, str(draft.get("drafted", "-")), str(len(draft.get("catalogs_written", [])))
                      if draft else "-", ", ".join(publish.get("published", [])) or "-",
                      ", ".join(f"{slug} ({why})" for slug, why in publish.get("held_back", {}).items()) or "-")
    console.print(table)


@app.command()
def run(project: ProjectOption = Path("."), locales: LocalesOption = None, engine: EngineOption = None) -> None:
    """Ingest sources, draft translations, publish approved articles (the whole pipeline)."""
    with user_errors():
        _print_summary(_run_flow("run", _config(project, locales, engine), check_engines=True, engine=engine))


@app.command()
def draft(project: ProjectOption = Path("."), locales: LocalesOption = None, engine: EngineOption = None) -> None:
    """Ingest sources and update/draft the catalogs, without publishing."""
    with user_errors():
        _print_summary(_run_flow("draft", _config(project, locales, engine), check_engines=True,
                                 engine=engine))


@app.command()
def publish(project: ProjectOption = Path("."), locales: LocalesOption = None) -> None:
    """Publish every fully approved article; catalogs are not touched."""
    with user_errors():
        _print_summary(_run_flow("publish", _config(project, locales, "none"), check_engines=False))


@app.command()
def ingest(project: ProjectOption = Path(".")) -> None:
    """Extract translatable units from sources/ into translations/templates/*.pot (no Prefect)."""
    from .ingest import load_articles, write_templates

    with user_errors():
        config = _config(project, None, None)
        articles = load_articles(config)
        written = write_templates(config, articles)
        console.print(f"{len(articles)} articles, {sum(len(a.segments) for a in articles)} units; "
                      f"templates updated: {', '.join(written) or 'none'}")


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
            table.add_row(f"{model.from_code}→{model.to_code}", model.name, model.version, str(model.path))
        console.print(table)


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
            console.print(f"installed {model.label} ({model.from_code}→{model.to_code}) in {model.path}")


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
            console.print(f"removed {model.label} ({model.path})")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
