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
