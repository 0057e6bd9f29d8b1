"""The pipeline on a real `dask scheduler` whose `dask worker`s cannot see the project (issue 14):
workers in their own mount namespace with an empty tmpfs over the folder holding the projects,
as on another machine that has lingopress and the models but no shared file system."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ISOLATED_ENV, REPO, make_project, run_cli
from support.dask_cluster import Cluster, isolated_cluster, unshare_refusal
from test_dask import contents

pytestmark = pytest.mark.e2e

_REFUSAL = unshare_refusal()
MISSING_MODEL = re.compile(r"(?i)\bmodel\b.*\bfr ?(→|->|-|_) ?(en|ar)\b")
needs_unshare = pytest.mark.skipif(_REFUSAL is not None, reason=f"workers cannot be isolated: {_REFUSAL}")


def worker_env(**overrides: str) -> dict[str, str]:
    """What the CLI's subprocess gets (run_cli), with the repo importable: lingopress and flows."""
    return {**os.environ, **ISOLATED_ENV, "PYTHONPATH": str(REPO), **overrides}


def no_orphans(cluster: Cluster) -> None:
    # Every process of the cluster has the scheduler file in its command line.
    left = subprocess.run(["pgrep", "-f", str(cluster.scheduler_file)], capture_output=True, text=True).stdout
    assert not left.strip(), f"cluster processes left running: {left}"


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    """The folder the workers cannot see; the tests make their projects in it."""
    return tmp_path / "projects"


def start_cluster(tmp_path: Path, hidden: Path, env: dict[str, str]) -> Iterator[Cluster]:
    hidden.mkdir(parents=True, exist_ok=True)
    with isolated_cluster(tmp_path / "cluster", hidden=hidden, env=env) as cluster:
        yield cluster
    no_orphans(cluster)


@pytest.fixture
def cluster(tmp_path: Path, projects: Path, installed_models) -> Iterator[Cluster]:
    yield from start_cluster(tmp_path, projects, worker_env())


@pytest.fixture
def cluster_without_models(tmp_path: Path, projects: Path, installed_models) -> Iterator[Cluster]:
    # The CLI's process has the models (its checks before the run pass); only the workers lack them.
    empty = tmp_path / "no-models"
    empty.mkdir()
    yield from start_cluster(tmp_path, projects, worker_env(ARGOS_PACKAGES_DIR=str(empty)))


def assert_hidden_from_workers(cluster: Cluster, project: Path) -> None:
    from distributed import Client

    assert project.exists()
    with Client(scheduler_file=str(cluster.scheduler_file)) as client:
        seen = client.run(os.path.exists, str(project))
    assert len(seen) == 2 and not any(seen.values()), seen


@needs_unshare
def test_workers_that_cannot_see_the_project_give_the_threads_outputs(projects: Path, cluster: Cluster):
    from distributed import Client

    threads = make_project(projects / "threads", locales=("en", "ar"))
    dask = make_project(projects / "dask", locales=("en", "ar"))
    assert_hidden_from_workers(cluster, dask)
    result = run_cli("run", cwd=threads)
    assert result.returncode == 0, result.stdout + result.stderr
    with Client(scheduler_file=str(cluster.scheduler_file)) as client:
        client.get_task_stream(start=0, stop=0)  # installs the scheduler's recorder before the run
        result = run_cli("run", "--task-runner", "dask", "--dask-address", cluster.address, cwd=dask)
        stream = client.get_task_stream()
    logs = result.stdout + result.stderr
    assert result.returncode == 0, logs
    # The drafting ran on the isolated workers (not on a LocalCluster the run made itself).
    ran = {(task["key"], task["worker"]) for task in stream}
    assert any("draft" in str(key) for key, _ in ran), f"no drafting task ran on the workers: {ran}"
    assert "LocalCluster" not in logs
    expected, got = contents(threads), contents(dask)
    assert len(expected) > 20, sorted(expected)
    for locale in ("en", "ar"):
        assert any(name.startswith(f"translations/{locale}/") and name.endswith(".po") for name in expected)
        assert any(name.startswith(f"outputs/{locale}/") for name in expected), sorted(expected)
    missing, extra = sorted(expected.keys() - got.keys()), sorted(got.keys() - expected.keys())
    assert not missing and not extra, f"missing after the dask run: {missing}; extra: {extra}\n{logs}"
    assert got == expected


@needs_unshare
def test_a_worker_without_the_models_fails_the_run_loudly(projects: Path, cluster_without_models: Cluster):
    project = make_project(projects / "project", locales=("en", "ar"))
    assert_hidden_from_workers(cluster_without_models, project)
    result = run_cli("run", "--task-runner", "dask", "--dask-address", cluster_without_models.address, cwd=project)
    assert result.returncode in (1, 2), result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    # One line names what is missing: a model for one of the run's pairs.
    named = [line for line in result.stderr.splitlines() if MISSING_MODEL.search(line)]
    assert named, result.stderr
    # No catalog claims drafts from a machine that had no model.
    drafted = [po for po in (project / "translations").rglob("*.po") if "machine draft:" in po.read_text(encoding="utf-8")]
    assert not drafted, drafted
