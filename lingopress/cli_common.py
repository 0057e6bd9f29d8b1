"""What every command shares: the common options, and a user error as one line and exit code 2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import LingopressError, disk_error
from .terminal import error_line

USER_ERROR = 2
RUN_FAILED = 1  # some work units failed; the others went through

ProjectOption = Annotated[Path, typer.Option("--project", "-p", help="Project directory (holds lingopress.toml).")]
LocalesOption = Annotated[Optional[str], typer.Option("--locales", "-l", help="Comma-separated target locales, e.g. en,de.")]


def codes(locales: str | None) -> list[str] | None:
    return [code.strip() for code in locales.split(",") if code.strip()] if locales else None


@contextmanager
def user_errors() -> Iterator[None]:
    """A user error is one line on stderr and exit code 2; everything else is a bug."""
    try:
        yield
    except LingopressError as err:
        error_line(err)
        raise typer.Exit(USER_ERROR) from None
    except OSError as err:
        # A full or read-only disk met outside storage.writing (Prefect's files, a pull's
        # staging directory, a model install): still the user's to fix.
        mapped = disk_error(err)
        if mapped is None:
            raise
        error_line(mapped)
        raise typer.Exit(USER_ERROR) from None
