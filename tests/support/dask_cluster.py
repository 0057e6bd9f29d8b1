"""A real Dask cluster for tests: a `dask scheduler` and `dask worker` processes whose view of
the file system hides one folder, as on another machine that has lingopress and the models
but not the project.

Each worker runs in its own mount namespace (`unshare --mount`, Linux, needs root or user
namespaces) with an empty tmpfs mounted over the hidden folder. Every process is started in
its own session and stopped as a group, so a failing test leaves no process behind.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 120  # a shared 2-core machine under load imports distributed slowly
STOP_TIMEOUT_S = 5  # a graceful stop is a courtesy here; the SIGKILL after it is the guarantee


def unshare_refusal() -> str | None:
    """Why this machine cannot give a process a private mount namespace; None when it can."""
    try:
        probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                               capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return "`unshare` (util-linux) is not installed"
    if probe.returncode != 0:
        return f"`unshare --mount` is not permitted here: {probe.stderr.strip() or probe.returncode}"
    return None


@dataclass(frozen=True)
class Cluster:
    address: str  # tcp://127.0.0.1:PORT
    scheduler_file: Path  # in every cluster process's command line: `pgrep -f` finds them all


def _start(argv: list[str], *, env: Mapping[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen(argv, env=dict(env), cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM every process's group at once, SIGKILL what lingers: a worker that logged "End
    worker" can still hang for a while in Prefect's exit hooks, flushing to an API gone by then."""
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for process in processes:  # the stragglers, and whatever a leader left behind in its group
        _signal_group(process, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def _wait_for_file(path: Path, process: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if path.exists():
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                pass  # written but not complete yet
        if process.poll() is not None:
            raise RuntimeError(f"dask scheduler exited {process.returncode}:\n{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"dask scheduler did not start in {START_TIMEOUT_S} s:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


@contextmanager
def isolated_cluster(workdir: Path, *, hidden: Path, env: Mapping[str, str], workers: int = 2) -> Iterator[Cluster]:
    """A scheduler on 127.0.0.1 (a free port, no dashboard) and `workers` one-thread workers
    that see `hidden` as an empty folder; everything is stopped on exit, however it exits."""
    from distributed import Client

    workdir.mkdir(parents=True, exist_ok=True)
    scheduler_file = workdir / "scheduler.json"
    with ExitStack() as stack:
        log = workdir / "scheduler.log"
        scheduler = _start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                            "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                           env=env, cwd=workdir, log=log)
        processes = [scheduler]
        stack.callback(_stop, processes)
        address = _wait_for_file(scheduler_file, scheduler, log)["address"]
        for index in range(workers):
            local = workdir / f"worker-{index}"  # outside `hidden`: its scratch space stays visible
            local.mkdir(exist_ok=True)
            worker = [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(scheduler_file),
                      "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                      "--name", f"hidden-{index}", "--local-directory", str(local),
                      # A worker whose scheduler is gone exits by itself rather than lingering.
                      "--death-timeout", "60"]
            # The cwd is outside `hidden` too: a cwd inside it would still reach the real folder
            # underneath the tmpfs.
            script = f"mount -t tmpfs tmpfs {shlex.quote(str(hidden))} && exec {shlex.join(worker)}"
            processes.append(_start(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                                    env=env, cwd=local, log=workdir / f"worker-{index}.log"))
        with Client(scheduler_file=str(scheduler_file), timeout=START_TIMEOUT_S) as client:
            try:
                client.wait_for_workers(workers, timeout=START_TIMEOUT_S)
            except TimeoutError as err:
                logs = "\n".join(path.read_text(errors="replace") for path in sorted(workdir.glob("worker-*.log")))
                raise RuntimeError(f"{workers} dask workers did not connect:\n{logs}") from err
        yield Cluster(address, scheduler_file)
