"""Shared fixtures: an isolated environment, sample projects and real tiny Argos models.

argostranslate and Prefect read their settings from the environment when imported, so
the isolation below happens at import time of this file, before any test imports them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_SANDBOX = Path(tempfile.mkdtemp(prefix="lingopress-tests-"))
ISOLATED_ENV = {
    "ARGOS_PACKAGES_DIR": str(_SANDBOX / "argos-packages"),
    "XDG_DATA_HOME": str(_SANDBOX / "xdg-data"),
    "XDG_CONFIG_HOME": str(_SANDBOX / "xdg-config"),
    "XDG_CACHE_HOME": str(_SANDBOX / "xdg-cache"),
    "PREFECT_HOME": str(_SANDBOX / "prefect-home"),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The default 20 s is too short on a shared 2-core machine under load.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}
os.environ.update(ISOLATED_ENV)
os.environ.pop("PREFECT_API_URL", None)


def sample_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((REPO / "sources").glob("*.md"))]


@pytest.fixture(scope="session")
def model_files(tmp_path_factory) -> dict[str, Path]:
    """Real `.argosmodel` archives fr→en and fr→ar (random weights, real tokenizer)."""
    from support.tiny_argos import build_argos_package

    out = tmp_path_factory.mktemp("argosmodels")
    corpus = sample_texts()
    return {to: build_argos_package(out, from_code="fr", to_code=to, corpus=corpus, seed=index)
            for index, to in enumerate(("en", "ar"))}


@pytest.fixture(scope="session")
def installed_models(model_files) -> dict[str, Path]:
    """The test models installed into the isolated ARGOS_PACKAGES_DIR."""
    from lingopress.config import ArgosSettings
    from lingopress.models import install_file

    settings = ArgosSettings(packages_dir=None, download=False)
    return {to: install_file(settings, path).path for to, path in model_files.items()}


def make_project(root: Path, *, locales: tuple[str, ...] = ("en", "ar"), engine: str = "argos",
                 sources: dict[str, str] | None = None) -> Path:
    """A lingopress project in `root`: the repo's sample articles unless `sources` is given."""
    (root / "sources").mkdir(parents=True, exist_ok=True)
    if sources is None:
        for path in (REPO / "sources").glob("*.md"):
            shutil.copy(path, root / "sources" / path.name)
    else:
        for name, text in sources.items():
            (root / "sources" / name).write_text(text, encoding="utf-8")
    quoted = ", ".join(f'"{code}"' for code in locales)
    (root / "lingopress.toml").write_text(
        f'source_locale = "fr"\ntarget_locales = [{quoted}]\nengine = "{engine}"\n\n'
        "[argos]\ndownload = false\nbeam_size = 1\n", encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "project")


def run_cli(*args: str, cwd: Path, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `lingopress` command in a subprocess, in the isolated environment."""
    full_env = {**os.environ, **ISOLATED_ENV, **(env or {})}
    return subprocess.run([sys.executable, "-m", "lingopress.cli", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def msgfmt_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class PrefectServer:
    api: str  # http://127.0.0.1:PORT/api
    env: dict  # PREFECT_API_URL and PREFECT_HOME for clients of this server

    def post(self, path: str, body: dict | None = None) -> object:
        request = urllib.request.Request(f"{self.api}{path}", data=json.dumps(body or {}).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def get(self, path: str) -> object:
        with urllib.request.urlopen(f"{self.api}{path}", timeout=10) as response:
            return json.loads(response.read())


@pytest.fixture
def prefect_server(tmp_path):
    """A real `prefect server start` on 127.0.0.1 (SQLite in tmp, a free port); stopped after."""
    port = free_port()
    home = tmp_path / "prefect-server"
    env = {**os.environ, **ISOLATED_ENV, "PREFECT_HOME": str(home),
           "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port)}
    log = open(tmp_path / "prefect-server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "prefect server did not start"
            assert server.poll() is None, "prefect server exited: " + (tmp_path / "prefect-server.log").read_text()
            time.sleep(0.5)
        yield PrefectServer(api, {"PREFECT_API_URL": api, "PREFECT_HOME": str(home)})
    finally:
        stop_process_group(server)
        log.close()


def stop_process_group(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM the process's group (it was started with start_new_session), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, 15)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(timeout=timeout)
