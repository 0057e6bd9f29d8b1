"""The temporary Prefect server of a `lingopress run` lives and dies with that run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from conftest import ISOLATED_ENV, make_project, run_cli

MARKER = "LINGOPRESS_TEST_RUN_ID"


def processes_of(run_id: str) -> dict[int, str]:
    """pid → command line of every live process whose environment carries this run's marker
    (the run and everything it started, even after they were re-parented to init)."""
    found = {}
    needle = f"{MARKER}={run_id}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":  # a zombie is already dead, waiting for its parent to reap it
                    found[int(entry.name)] = cmdline
        except OSError:  # gone meanwhile, or a kernel thread
            continue
    return found


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_kill_minus_nine_mid_flow_takes_the_temporary_server_with_it(tmp_path: Path):
    project = make_project(tmp_path / "project", locales=("en", "ar"), engine="none")
    run_id = uuid.uuid4().hex
    log_path = tmp_path / "run.log"
    env = {**os.environ, **ISOLATED_ENV, MARKER: run_id}
    env.pop("PREFECT_API_URL", None)
    with open(log_path, "wb") as log:
        run = subprocess.Popen([sys.executable, "-m", "lingopress.cli", "run"], cwd=project, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        servers = wait_until(lambda: {pid: cmd for pid, cmd in processes_of(run_id).items() if "uvicorn" in cmd},
                             180, "the temporary server to start")
        # Mid-flow: the flow run has begun talking to its server.
        wait_until(lambda: "Task run" in log_path.read_text(errors="replace") or run.poll() is not None,
                   180, "the first task run")
        assert run.poll() is None, "the run finished before it could be killed: " + log_path.read_text()
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=10)
        left = {}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            left = processes_of(run_id)
            if not left:
                break
            time.sleep(0.2)
        assert not left, f"still running after the run was killed (server was {servers}): {left}"
    finally:
        if run.poll() is None:
            run.kill()
        for pid in processes_of(run_id):  # what the run left behind, so the test suite does not leak it
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_a_finished_run_leaves_no_server_and_an_external_server_is_used_as_is(tmp_path: Path, prefect_server):
    project = make_project(tmp_path / "project", locales=("en",), engine="none")
    run_id = uuid.uuid4().hex
    result = run_cli("draft", cwd=project, env={MARKER: run_id})
    assert result.returncode == 0, result.stderr
    assert not processes_of(run_id)

    # With PREFECT_API_URL the run starts no server of its own and is recorded in that one.
    external = run_cli("draft", cwd=project, env={**prefect_server.env, MARKER: run_id})
    assert external.returncode == 0, external.stderr
    assert "Starting temporary server" not in external.stderr, external.stderr
    runs = prefect_server.post("/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}})
    assert [run["name"] for run in runs], runs
