"""Drafting progress: a bar on a terminal, periodic log lines (which Prefect collects)."""

from __future__ import annotations

import io
import logging
import time

from rich.console import Console

from lingopress.mt.progress import track


def test_log_lines_report_done_total_and_rate(caplog, monkeypatch):
    monkeypatch.delenv("LINGOPRESS_PROGRESS", raising=False)
    caplog.set_level(logging.INFO, logger="lingopress.mt.progress")
    console = Console(file=io.StringIO(), force_terminal=False)
    with track("drafting fr→en", 30, console=console, log_every_s=0.0) as advance:
        for _ in range(3):
            time.sleep(0.01)
            advance(10)
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("drafting fr→en: 10/30 sentences drafted (") and lines[0].endswith("/s)")
    assert lines[-1].startswith("drafting fr→en: 30/30 sentences drafted (")
    assert console.file.getvalue() == ""  # not a terminal: no bar


def test_bar_on_a_terminal(monkeypatch):
    monkeypatch.delenv("LINGOPRESS_PROGRESS", raising=False)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with track("drafting fr→de", 40, console=console) as advance:
        advance(15)
        advance(25)
    screen = out.getvalue()
    assert "drafting fr→de" in screen and "40/40" in screen and "sentences" in screen


def test_bar_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("LINGOPRESS_PROGRESS", "off")
    out = io.StringIO()
    with track("drafting fr→en", 5, console=Console(file=out, force_terminal=True)) as advance:
        advance(5)
    assert out.getvalue() == ""


def test_progress_reaches_the_prefect_run_logs(tmp_path, installed_models):
    """A real `lingopress draft` (a Prefect flow): the drafting lines are in its logs."""
    from conftest import make_project, run_cli

    source = ("---\ntitle: \"Essai\"\nslug: essai\ndate: 2026-01-01\nsummary: \"Un essai.\"\n---\n\n"
              "Une phrase. Une autre phrase.\n\nUn paragraphe.\n")
    project = make_project(tmp_path, locales=("en",), sources={"essai.md": source})
    result = run_cli("draft", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    logs = result.stdout + result.stderr
    assert "drafting fr→en: 5/5 sentences drafted (" in logs
    assert "Finished in state Completed()" in logs
