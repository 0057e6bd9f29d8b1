"""`lingopress tm`, `glossary` and `xliff`: files for the CAT tools translators already use."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .cli_common import RUN_FAILED, LocalesOption, ProjectOption, codes, user_errors
from .config import load_config
from .terminal import say, visible

if TYPE_CHECKING:
    from .store.project import ProjectStore

tm_app = typer.Typer(no_args_is_help=True, help="Translation memory as TMX 1.4b, out and in.")
glossary_app = typer.Typer(no_args_is_help=True, help="The glossary as TBX, out and in.")
xliff_app = typer.Typer(no_args_is_help=True, help="Catalogs as XLIFF 1.2 files for CAT tools, out and in.")

Files = Annotated[list[Path], typer.Argument(help="One or more files.", show_default=False)]


def _store(project: Path, locales: str | None = None) -> ProjectStore:
    from .store.project import ProjectStore

    return ProjectStore(load_config(project, locales=codes(locales)))


def _now() -> datetime:
    return datetime.now(timezone.utc)


@tm_app.command("export")
def tm_export(file: Annotated[Path, typer.Argument(help="The TMX file to write.")],
              locales: LocalesOption = None, project: ProjectOption = Path(".")) -> None:
    """Write every approved unit (French source + each locale) as TMX 1.4b; drafts never leave."""
    from .jobs.exchange import tmx_export

    with user_errors():
        store = _store(project, locales)
        exported = tmx_export(store, store.config.target_locales, _now())
        store.write_file(file, exported.data)
    per_locale = ", ".join(f"{locale} {exported.translations[locale]}" for locale in store.config.target_locales)
    say(f"wrote {file}: {exported.units} units with approved translations ({per_locale})")


@tm_app.command("import")
def tm_import(files: Files, project: ProjectOption = Path(".")) -> None:
    """Keep TMX memories under translations/memory/: the next draft offers their matches as fuzzy suggestions."""
    from .jobs.exchange import tmx_import

    with user_errors():
        store = _store(project)
        imported = tmx_import(store, files)
    for stored_as, memory, state in imported:
        counts = ", ".join(f"{locale} {memory.count(locale)}" for locale in store.config.target_locales)
        say(f"{stored_as}: {state}; {memory.units} units read, usable translations: {counts}")
    say("the next `lingopress draft` offers matches from it as fuzzy suggestions, never as approved")


@glossary_app.command("export")
def glossary_export(file: Annotated[Path, typer.Argument(help="The TBX file to write.")],
                    project: ProjectOption = Path(".")) -> None:
    """Write glossary.csv as TBX (TBX-Basic), with do-not-translate and notes."""
    from .jobs.exchange import tbx_export

    with user_errors():
        store = _store(project)
        data, terms = tbx_export(store)
        store.write_file(file, data)
    say(f"wrote {file}: {terms} terms")


@glossary_app.command("import")
def glossary_import(file: Annotated[Path, typer.Argument(help="The TBX file to read.")],
                    overwrite: Annotated[bool, typer.Option(
                        "--overwrite", help="Replace glossary cells that say something else with the TBX's.")] = False,
                    project: ProjectOption = Path(".")) -> None:
    """Merge a TBX into glossary.csv: add new terms, fill empty cells, report differing ones."""
    from .jobs.exchange import tbx_import

    with user_errors():
        store = _store(project)
        merged = tbx_import(store, file, overwrite=overwrite)
    glossary = store.relative(store.config.glossary_path)
    say(f"{glossary}: {len(merged.added)} terms added, {len(merged.changed)} cells filled, "
        f"{len(merged.overwritten)} overwritten, {len(merged.conflicts)} conflicts"
        + ("" if merged.text is not None else "; unchanged"))
    for term in merged.added:
        say(f"added: {term}")
    for change in merged.changed:
        say(f"filled: {change}")
    for conflict in merged.overwritten:
        say(f"overwritten: {conflict.term} ({conflict.column}): {conflict.ours!r} → {conflict.theirs!r}")
    for code in merged.skipped_languages:
        say(f"skipped language {code!r}: not a target locale of the project nor a glossary column")
    for conflict in merged.conflicts:
        typer.echo(visible(f"conflict: {conflict.term} ({conflict.column}): glossary has {conflict.ours!r}, "
                           f"{file.name} has {conflict.theirs!r}"), err=True)
    if merged.conflicts:
        typer.echo("conflicting cells were left as they are; run again with --overwrite to take the TBX's",
                   err=True)
        raise typer.Exit(RUN_FAILED)


@xliff_app.command("export")
def xliff_export(locale: Annotated[str, typer.Option("--locale", help="The target locale, e.g. de.")],
                 dest: Annotated[Path, typer.Option("--dest", help="Directory to write the .xlf files into.")],
                 project: ProjectOption = Path(".")) -> None:
    """Write one XLIFF 1.2 file per article (DEST/<slug>.<locale>.xlf), notes and QA hints included."""
    from .jobs.exchange import xliff_export as export

    from .errors import ConfigError
    from .exchange.common import match_locale

    with user_errors():
        store = _store(project)
        chosen = match_locale(locale, store.config.target_locales)
        if chosen is None:
            raise ConfigError(f"--locale {locale!r} is not a target locale of the project",
                              hint=f"use one of {', '.join(store.config.target_locales)}")
        written, missing = export(store, chosen, dest, _now())
    for path, units in written:
        say(f"wrote {path}: {units} units")
    for slug in missing:
        say(f"no {locale} catalog for {slug} yet: run lingopress draft first")


@xliff_app.command("import")
def xliff_import(files: Files,
                 force: Annotated[bool, typer.Option(
                     "--force", help="Replace translations approved in the catalog since the export.")] = False,
                 project: ProjectOption = Path(".")) -> None:
    """Bring translated XLIFF back: final/signed-off → approved, translated/needs-review-* → fuzzy."""
    from .jobs.exchange import xliff_import as apply

    with user_errors():
        results = apply(_store(project), files, force=force)
    conflicts = 0
    for result in results:
        applied = result.applied
        say(f"{result.catalog} ← {result.path.name}: {applied.approved} approved, {applied.fuzzy} fuzzy, "
            f"{applied.unchanged} unchanged, {applied.untouched} untouched, {len(applied.conflicts)} conflicts"
            + ("" if result.written else "; catalog unchanged"))
        for conflict in applied.conflicts:
            conflicts += 1
            typer.echo(visible(f"{result.path}:{conflict.line}: conflict: {conflict.source[:60]!r}: {conflict.why}"),
                       err=True)
    if conflicts:
        raise typer.Exit(RUN_FAILED)
