"""The pipeline on a real Dask LocalCluster (prefect-dask's DaskTaskRunner, worker
processes) produces the same catalogs and pages as the default thread pool."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import make_project, run_cli

pytestmark = pytest.mark.e2e


def contents(project: Path) -> dict[str, str]:
    """Every catalog, template and page (bundles aside), minus what holds the time of the run."""
    files = {}
    for folder in ("translations", "outputs"):
        for path in sorted((project / folder).rglob("*")):
            if not path.is_file() or path.suffix not in (".po", ".pot", ".html", ".md", ".json"):
                continue
            if "bundles" in path.parts:  # manifests record when they were made
                continue
            text = path.read_text(encoding="utf-8")
            text = re.sub(r'"(POT-Creation|PO-Revision)-Date: [^"]*"', "", text)
            files[path.relative_to(project).as_posix()] = text
    return files


def test_dask_local_cluster_gives_the_same_outputs_as_threads(tmp_path: Path, installed_models):
    threads = make_project(tmp_path / "threads", locales=("en", "ar"))
    dask = make_project(tmp_path / "dask", locales=("en", "ar"))
    result = run_cli("run", cwd=threads)
    assert result.returncode == 0, result.stdout + result.stderr
    result = run_cli("run", "--task-runner", "dask", cwd=dask)
    logs = result.stdout + result.stderr
    assert result.returncode == 0, logs
    # The task runs happened in Dask's worker processes, not in the CLI's process.
    assert re.search(r"Creating a new Dask cluster with `distributed\.deploy\.local\.LocalCluster`", logs), logs
    assert "machine drafts (fuzzy); catalog updated" in logs
    expected, got = contents(threads), contents(dask)
    assert len(expected) > 20 and any(name.startswith("translations/ar/") for name in expected)
    assert got == expected


def test_unknown_task_runner_is_one_clear_error(tmp_path: Path):
    project = make_project(tmp_path / "project", engine="none")
    result = run_cli("run", "--task-runner", "ray", cwd=project)
    assert result.returncode == 2
    assert "unknown task runner 'ray'" in result.stderr and "Traceback" not in result.stderr
