"""Operations: a real `prefect server start`, the pipeline served on a cron schedule
(`lingopress serve`) and deployed from prefect.yaml to a process work pool with a worker.
Each test triggers a run through Prefect, waits for it to complete and checks the files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest

from conftest import ISOLATED_ENV, REPO, make_project, msgfmt_check, run_cli, stop_process_group

pytestmark = pytest.mark.e2e


def prefect_cli(*args: str, server, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, **ISOLATED_ENV, **server.env, "PWD": str(cwd)}
    return subprocess.run([sys.executable, "-m", "prefect", "--no-prompt", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def wait_for_deployment(server, name: str, process: subprocess.Popen | None = None, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return server.get(f"/deployments/name/{name}")
        except urllib.error.HTTPError as err:
            if err.code != 404:
                raise
        assert process is None or process.poll() is None, "the serving process exited"
        assert time.monotonic() < deadline, f"deployment {name} never appeared"
        time.sleep(1)


def wait_for_run(server, run_id: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = server.get(f"/flow_runs/{run_id}")
        if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        assert time.monotonic() < deadline, f"flow run stuck in {run['state_type']}"
        time.sleep(1)


def run_id_from(output: str) -> str:
    found = re.findall(r"UUID: ([0-9a-f-]{36})", output)
    assert found, output
    return found[0]


def check_outputs(project: Path) -> None:
    for slug in ("immunomodulation", "immunotherapie"):
        path = project / "translations" / "en" / f"{slug}.po"
        assert msgfmt_check(path).returncode == 0, path
    assert "immunotherapie.html" in (project / "outputs" / "fr" / "index.html").read_text(encoding="utf-8")
    assert (project / "outputs" / "status.html").exists()


def test_serve_on_a_cron_schedule_then_a_triggered_run_completes(tmp_path: Path, prefect_server):
    project = make_project(tmp_path / "project", locales=("en",), engine="none")
    env = {**os.environ, **ISOLATED_ENV, **prefect_server.env}
    log = open(tmp_path / "serve.log", "wb")
    serve = subprocess.Popen([sys.executable, "-m", "lingopress.cli", "serve", "--project", str(project),
                              "--cron", "30 5 * * 1-5", "--timezone", "Europe/Paris", "--name", "e2e"],
                             cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deployment = wait_for_deployment(prefect_server, "lingopress-pipeline/e2e", serve)
        schedule = deployment["schedules"][0]["schedule"]
        assert (schedule["cron"], schedule["timezone"]) == ("30 5 * * 1-5", "Europe/Paris")
        assert deployment["parameters"] == {"project_dir": str(project), "locales": ["en"], "engine": "none"}

        started = prefect_cli("deployment", "run", "lingopress-pipeline/e2e", server=prefect_server, cwd=tmp_path)
        assert started.returncode == 0, started.stdout + started.stderr
        run = wait_for_run(prefect_server, run_id_from(started.stdout))
        assert run["state_type"] == "COMPLETED", (tmp_path / "serve.log").read_text(errors="replace")
    finally:
        stop_process_group(serve)
        log.close()
    check_outputs(project)
    artifacts = prefect_server.post("/artifacts/filter", {"artifacts": {"key": {"any_": ["lingopress-changes"]}}})
    assert any(a["flow_run_id"] == run["id"] and "| en | 2 | 0 |" in a["data"] for a in artifacts)


def test_prefect_yaml_deploys_to_a_process_pool_and_a_worker_runs_it(tmp_path: Path, prefect_server):
    # An operator's checkout: the code and prefect.yaml next to the project it serves.
    checkout = make_project(tmp_path / "checkout", locales=("en",), engine="none")
    shutil.copytree(REPO / "flows", checkout / "flows", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "prefect.yaml", checkout / "prefect.yaml")

    created = prefect_cli("work-pool", "create", "lingopress", "--type", "process", server=prefect_server, cwd=checkout)
    assert created.returncode == 0, created.stdout + created.stderr
    deployed = prefect_cli("deploy", "--all", server=prefect_server, cwd=checkout)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    daily = wait_for_deployment(prefect_server, "lingopress-pipeline/daily")
    assert daily["schedules"][0]["schedule"]["cron"] == "0 6 * * *"
    assert daily["work_pool_name"] == "lingopress"
    assert wait_for_deployment(prefect_server, "lingopress-publish/publish-hourly")

    # The deployment drafts four locales with Argos; this run overrides that for speed.
    started = prefect_cli("deployment", "run", "lingopress-pipeline/daily", "--params",
                          json.dumps({"locales": ["en"], "engine": "none"}), server=prefect_server, cwd=checkout)
    assert started.returncode == 0, started.stdout + started.stderr
    run_id = run_id_from(started.stdout)
    worker = prefect_cli("worker", "start", "--pool", "lingopress", "--run-once", server=prefect_server,
                         cwd=checkout, timeout=300)
    run = wait_for_run(prefect_server, run_id, timeout=60)
    assert run["state_type"] == "COMPLETED", worker.stdout + worker.stderr
    check_outputs(checkout)


def test_serve_rejects_a_bad_cron_expression(tmp_path: Path):
    project = make_project(tmp_path / "project", locales=("en",), engine="none")
    result = run_cli("serve", "--cron", "every morning", cwd=project)
    assert result.returncode == 2
    assert "--cron 'every morning'" in result.stderr and "Invalid cron string" in result.stderr
    assert "Traceback" not in result.stderr
