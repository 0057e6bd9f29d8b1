"""The temporary Prefect server of a run without PREFECT_API_URL, owned by that run.

Prefect starts one by itself (SubprocessASGIServer) on first use of the API, and stops it
from an atexit hook: a run killed with -9, or by the OOM killer, never gets there and
leaves a ~220 MB uvicorn process re-parented to init, forever. Here the run starts the
same server up front, from its main thread, with a parent-death signal: the kernel kills
the server when the run dies, however it dies. A run against a real server
(PREFECT_API_URL set) starts nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import prefect
from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class OwnedServer(SubprocessASGIServer):
    """Prefect's temporary server (its port search, health wait and stop), started so that
    it dies with the process that started it."""

    # The parent keeps one instance per port in a class-level dict; a separate one keeps
    # Prefect's own lazily started instance and ours apart.
    _instances: dict[int | None, SubprocessASGIServer] = {}

    def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
        # Prefect's Popen takes no preexec_fn, so its command is repeated here (as in
        # prefect 3.9's SubprocessASGIServer._run_uvicorn_command).
        server_env = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        return subprocess.Popen(
            args=[sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent),
                  "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
                  "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
            env={**os.environ, **server_env, **get_current_settings().to_environment_variables(exclude_unset=True)},
            preexec_fn=_die_with_parent(os.getpid()),
        )


def _die_with_parent(parent: int):
    """A preexec_fn asking the kernel for SIGKILL when the parent dies (Linux prctl)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)  # loaded before fork

    def preexec() -> None:
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return  # not Linux-like: the server is still stopped at a normal exit
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def needs_temporary_server() -> bool:
    return not PREFECT_API_URL.value() and sys.platform.startswith("linux")


@contextmanager
def temporary_server() -> Iterator[str | None]:
    """Run the body against a temporary server this process owns; yields its API URL, or
    None when PREFECT_API_URL names a server (or the platform has no prctl)."""
    if not needs_temporary_server():
        yield None
        return
    server = OwnedServer()
    server.start()
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            try:
                yield server.api_url
            finally:
                # Prefect sends run logs and events in the background; they must reach the
                # server before it stops (Prefect's own stop runs after these drains, at exit).
                APILogWorker.drain_all(timeout=30)
                EventsWorker.drain_all(timeout=30)
    finally:
        server.stop()
