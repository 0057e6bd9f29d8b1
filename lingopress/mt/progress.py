"""Progress of a drafting run: a bar on a terminal, periodic log lines everywhere.

The log lines go through `logging`, so under Prefect (which collects the `lingopress`
logger, see cli._prepare_prefect) they appear in the flow run's logs. The bar is drawn
only when stderr is a terminal; drafts of several locales (Prefect runs them in threads)
share one display, one row per locale.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

LOG_EVERY_S = 10.0
# LINGOPRESS_PROGRESS=off hides the bar (log lines stay); =on draws it even without a terminal.
ENV = "LINGOPRESS_PROGRESS"

Advance = Callable[[int], None]

_lock = threading.Lock()
_display = None  # the shared rich Progress while at least one bar is shown
_bars = 0


@contextmanager
def track(label: str, total: int, *, unit: str = "sentences", console=None,
          log_every_s: float = LOG_EVERY_S) -> Iterator[Advance]:
    """Yield `advance(n)`; report `done/total` and the rate until the block ends."""
    started = time.monotonic()
    state = {"done": 0, "logged_at": started}
    bar = _open_bar(label, total, unit, console)

    def report(now: float) -> None:
        rate = state["done"] / max(now - started, 1e-9)
        log.info("%s: %d/%d %s drafted (%.1f/s)", label, state["done"], total, unit, rate)
        state["logged_at"] = now

    def advance(count: int) -> None:
        state["done"] += count
        if bar is not None:
            bar[0].update(bar[1], advance=count)
        now = time.monotonic()
        if now - state["logged_at"] >= log_every_s and state["done"] < total:
            report(now)

    try:
        yield advance
    finally:
        if bar is not None:
            _close_bar(*bar)
        if total:
            report(time.monotonic())


def _wants_bar(console) -> bool:
    setting = os.environ.get(ENV, "").lower()
    if setting in ("off", "0", "no", "false"):
        return False
    return setting in ("on", "1", "yes", "true") or console.is_terminal


def _open_bar(label: str, total: int, unit: str, console):
    global _display, _bars
    if total <= 0:
        return None
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn,
                               TextColumn, TimeRemainingColumn)
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:.1f}/s" if task.speed else "")

    console = console or Console(stderr=True)
    if not _wants_bar(console):
        return None
    with _lock:
        if _display is None:
            _display = Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[unit]}", markup=False), RateColumn(), TimeRemainingColumn(),
                                console=console)
            _display.start()
        _bars += 1
        task = _display.add_task(label, total=total, unit=unit)
        return _display, task


def _close_bar(display, task) -> None:
    global _display, _bars
    with _lock:
        display.refresh()
        _bars -= 1
        if _bars == 0:
            display.stop()
            _display = None
