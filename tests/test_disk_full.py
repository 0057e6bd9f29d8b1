"""A full, read-only or forbidden disk is one `error:` line naming the path, exit 2, no half file.

The always-running tests hit the limit unprivileged with RLIMIT_FSIZE (SIGXFSZ ignored, so
the write fails with EFBIG exactly where a full disk fails with ENOSPC). As root, a small
tmpfs gives a real ENOSPC and a read-only one a real EROFS; those tests skip elsewhere.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ISOLATED_ENV, make_project, run_cli



def article(slug: str, paragraphs: int = 1) -> str:
    body = "\n\n".join(f"Paragraphe {n} : prenez 2 comprimés par jour." for n in range(paragraphs))
    return f'---\ntitle: "Titre"\nslug: {slug}\ndate: 2026-01-01\nsummary: "Résumé"\n---\n\n{body}\n'


def run_limited(*args: str, cwd: Path, max_file_bytes: int, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real CLI with no file allowed to grow beyond max_file_bytes."""
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    return subprocess.run([sys.executable, "-m", "lingopress.cli", *args], cwd=cwd,
                          env={**os.environ, **ISOLATED_ENV, **(env or {})}, preexec_fn=limit,
                          capture_output=True, text=True, timeout=600)


def assert_one_disk_error(result: subprocess.CompletedProcess, *fragments: str) -> str:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 2, output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


def temp_files(root: Path) -> list[Path]:
    return [path for path in root.rglob(".*.tmp")]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_file_size_limit_during_ingest_is_one_line_and_the_old_template_stays(tmp_path: Path):
    project = make_project(tmp_path, engine="none", sources={"a.md": article("a"), "b.md": article("b")})
    assert run_cli("ingest", cwd=project).returncode == 0
    templates = project / "translations" / "templates"
    before = snapshot(templates)
    (project / "sources" / "b.md").write_text(article("b", paragraphs=3000), encoding="utf-8")
    result = run_limited("ingest", cwd=project, max_file_bytes=64 * 1024)
    line = assert_one_disk_error(result, "translations/templates/b.pot", "file too large", "ulimit -f")
    assert "files written before are whole" in line
    assert snapshot(templates) == before
    assert not temp_files(project)


def test_file_size_limit_inside_a_flow_run_is_one_line_no_traceback(tmp_path: Path, prefect_server):
    """Through Prefect's task and flow engines (a real server, outside the limit)."""
    project = make_project(tmp_path / "project", locales=("en",), engine="none",
                           sources={"a.md": article("a"), "b.md": article("b", paragraphs=3000)})
    result = run_limited("run", cwd=project, max_file_bytes=64 * 1024, env=prefect_server.env)
    assert_one_disk_error(result, "translations/templates/b.pot", "file too large")
    assert not (project / "translations" / "templates" / "b.pot").exists()
    assert not temp_files(project)


@pytest.fixture
def mount_tmpfs(tmp_path: Path):
    """mount(target, options): a tmpfs there, unmounted afterwards; skips unless root may mount."""
    mounted: list[Path] = []

    def mount(target: Path, options: str) -> None:
        target.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        mounted.append(target)

    yield mount
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], check=False)


def test_a_really_full_disk_under_outputs(tmp_path: Path, mount_tmpfs):
    project = make_project(tmp_path / "project", locales=("en",), engine="none",
                           sources={"a.md": article("a", paragraphs=2000)})
    mount_tmpfs(project / "outputs", "size=64k")
    result = run_cli("run", cwd=project)
    assert_one_disk_error(result, "outputs/", "no space left on the device")
    assert not temp_files(project)


def test_a_read_only_outputs_directory(tmp_path: Path, mount_tmpfs):
    project = make_project(tmp_path / "project", locales=("en",), engine="none",
                           sources={"a.md": article("a")})
    mount_tmpfs(project / "outputs", "ro,size=64k")
    result = run_cli("publish", cwd=project)
    assert_one_disk_error(result, "outputs", "read-only file system")
