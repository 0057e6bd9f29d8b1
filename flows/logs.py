"""Prefect's console log handler, showing log messages as text rather than rich markup.

Prefect's handler prints each formatted record through a rich console with emoji codes on
(and markup on with PREFECT_LOGGING_MARKUP): a slug or translation in a log line would
turn `:x:` into an emoji, `[/i]` into a logging error, an ESC byte into a terminal
command. Selected through Prefect's own override of its logging.yml
(PREFECT_LOGGING_HANDLERS_CONSOLE_CLASS, set by the CLI and prefect.yaml), so everything
else about Prefect's logging stays as configured.
"""

from __future__ import annotations

import logging

from prefect.logging.handlers import PrefectConsoleHandler

from lingopress.errors import LingopressError, disk_error
from lingopress.terminal import visible


class PlainConsoleHandler(PrefectConsoleHandler):
    """PrefectConsoleHandler with its highlighting, minus markup, emoji codes and controls."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.print(visible(self.format(record)), soft_wrap=True, markup=False, emoji=False)
        except RecursionError:  # as logging.StreamHandler.emit does
            raise
        except Exception:
            self.handleError(record)


class TracebackOnlyForBugs(logging.Filter):
    """Prefect logs every failed task and flow with its traceback. A user error (a
    LingopressError, a full or read-only disk) is fixed from its one-line message; its
    traceback (180+ lines through Prefect's engine) would bury that line. Also drops the
    bare 'NoneType: None' Prefect prints for a task that returned a Failed state."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            err = record.exc_info[1]
            if err is None or isinstance(err, LingopressError) or (
                    isinstance(err, OSError) and disk_error(err) is not None):
                record.exc_info = None
        return True
