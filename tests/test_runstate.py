"""Skipping unchanged (article, locale) units by content hash, through the real pipeline flow:
a no-change re-run touches nothing, and any edit (a translator's PO, the source, the
glossary, the translation memory) brings back exactly the units it affects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import make_project, msgfmt_check
from lingopress.catalogs.po import is_approved
from lingopress.errors import CatalogError, ModelError, is_transient
from lingopress.summary import RunSummary
from lingopress.store.files import read_catalog

pytestmark = pytest.mark.e2e

SHARED = "Le traitement est adapté à chaque patient selon son état de santé général."
SOURCES = {
    "alpha.md": "---\ntitle: Alpha\nslug: alpha\ndate: 2026-01-05\nsummary: Un an.\n---\n\n# Alpha\n\n"
                + SHARED + "\n\nLe suivi dure un an.\n",
    "beta.md": "---\ntitle: Bêta\nslug: beta\ndate: 2026-01-06\nsummary: Faible.\n---\n\n# Bêta\n\n"
               + SHARED + "\n\nLa dose est faible.\n",
}


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def run(project: Path) -> RunSummary:
    from flows.pipeline import pipeline

    return pipeline(project_dir=str(project))


def updated(summary: RunSummary, locale: str) -> list[str]:
    return sorted(unit.slug for unit in summary[locale].drafts)


def mtimes(project: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in (project / "translations").rglob("*.po*")}


def approve(path: Path, msgid: str, msgstr: str) -> None:
    catalog = read_catalog(path)
    entry = next(e for e in catalog if e.msgid == msgid)
    entry.msgstr = msgstr
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    catalog.save(str(path))


def test_a_no_change_rerun_skips_every_unit_and_writes_nothing(tmp_path, installed_models, harness):
    project = make_project(tmp_path / "project", locales=("en", "ar"))
    first = run(project)
    assert updated(first, "en") == ["immunomodulation", "immunotherapie"] and first["en"].skipped == ()
    before = mtimes(project)
    outputs_before = {p: p.stat().st_mtime_ns for p in (project / "outputs").rglob("*") if p.is_file()}
    again = run(project)
    for locale in ("en", "ar"):
        assert updated(again, locale) == []
        assert sorted(again[locale].skipped) == ["immunomodulation", "immunotherapie"]
    assert mtimes(project) == before
    assert {p: p.stat().st_mtime_ns for p in (project / "outputs").rglob("*") if p.is_file()} == outputs_before

    # A page deleted (or edited) by hand is made again, though its inputs did not change.
    review = project / "outputs/review/ar/immunotherapie.html"
    page = project / "outputs/fr/immunotherapie.html"
    expected = {path: path.read_bytes() for path in (review, page)}
    review.unlink()
    page.write_text("scribbled", encoding="utf-8")
    run(project)
    assert {path: path.read_bytes() for path in (review, page)} == expected

    # Run state lost: everything is done once more, with the same result.
    shutil.rmtree(project / ".lingopress")
    third = run(project)
    assert updated(third, "en") == ["immunomodulation", "immunotherapie"]
    assert not any(unit.written for unit in third["en"].drafts)


def test_edits_bring_back_exactly_the_units_they_affect(tmp_path, installed_models, harness):
    project = make_project(tmp_path / "project", locales=("en",), sources=SOURCES)
    run(project)
    # A translator edits alpha's catalog: alpha is merged again (the edit kept), beta skipped.
    approve(project / "translations/en/alpha.po", "Le suivi dure un an.", "Follow-up lasts one year.")
    summary = run(project)
    assert updated(summary, "en") == ["alpha"] and summary["en"].skipped == ("beta",)
    entry = next(e for e in read_catalog(project / "translations/en/alpha.po") if e.msgid == "Le suivi dure un an.")
    assert is_approved(entry) and entry.msgstr == "Follow-up lasts one year."
    # The source of beta changes: beta only, and its new unit gets a draft.
    source = project / "sources/beta.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nUne nouvelle phrase.\n", encoding="utf-8")
    summary = run(project)
    assert updated(summary, "en") == ["beta"] and summary["en"].drafts[0].drafted == 1
    # The glossary changes what every template says: every unit.
    (project / "glossary.csv").write_text("fr,en\ntraitement,treatment\n", encoding="utf-8")
    summary = run(project)
    assert updated(summary, "en") == ["alpha", "beta"]
    for slug in ("alpha", "beta"):
        assert msgfmt_check(project / f"translations/en/{slug}.po").returncode == 0


def test_an_approval_elsewhere_reaches_incomplete_catalogs_through_memory(tmp_path, harness):
    # With no engine, catalogs stay incomplete: translation memory can still fill them.
    project = make_project(tmp_path / "project", locales=("en",), engine="none", sources=SOURCES)
    run(project)
    assert updated(run(project), "en") == []
    approve(project / "translations/en/alpha.po", SHARED, "The treatment is adapted to each patient.")
    summary = run(project)
    assert updated(summary, "en") == ["alpha", "beta"]
    beta = {e.msgid: e for e in read_catalog(project / "translations/en/beta.po")}
    assert beta[SHARED].msgstr == "The treatment is adapted to each patient." and is_approved(beta[SHARED])
    assert [unit.memory_exact for unit in summary["en"].drafts] == [0, 1]


def test_the_run_publishes_what_changed_as_an_artifact(tmp_path, installed_models, harness):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.pipeline import CHANGES_ARTIFACT_KEY

    project = make_project(tmp_path / "project", locales=("en",), sources=SOURCES)
    run(project)
    approve(project / "translations/en/alpha.po", "Le suivi dure un an.", "Follow-up lasts one year.")
    run(project)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[CHANGES_ARTIFACT_KEY])))
    # Newest last: the second run merged alpha again (the translator's file stays as saved),
    # skipped beta; one approved entry.
    first, second = sorted(artifacts, key=lambda a: a.created)[-2:]
    assert first.type == "markdown"
    assert "| en | 2 | 0 | 0 | 10 | 0 | 0 | 0 | 2 | - |" in first.data, first.data
    assert "| fr | 0 | 0 | 0 | 0 | 0 | - | 2 | 0 | v1 (new) |" in first.data
    assert "2 (article, locale) catalogs updated; new bundles: fr." in first.data
    assert "| en | 0 | 1 | 1 | 0 | 0 | 1 | 0 | 2 | - |" in second.data, second.data
    assert "| fr | 0 | 0 | 0 | 0 | 0 | - | 2 | 0 | v1 (unchanged) |" in second.data
    assert "new bundles: none." in second.data


def test_only_network_trouble_is_retried():
    import urllib.error

    def wrapped(cause: BaseException) -> ModelError:
        try:
            try:
                raise cause
            except Exception as err:
                raise ModelError("the Argos package index is unreachable") from err
        except ModelError as err:
            return err

    assert is_transient(wrapped(urllib.error.URLError("timed out")))
    assert is_transient(wrapped(urllib.error.HTTPError("http://x", 503, "busy", {}, None)))
    assert is_transient(wrapped(ConnectionResetError()))
    assert not is_transient(wrapped(urllib.error.HTTPError("http://x", 404, "gone", {}, None)))
    assert not is_transient(ModelError("no Argos model installed for fr→xx (downloads are off)"))
    assert not is_transient(CatalogError("broken", path="x.po", line=3))
    assert not is_transient(wrapped(FileNotFoundError("x")))


def test_a_model_download_that_fails_once_is_retried_and_a_user_error_is_not(tmp_path, model_files, harness,
                                                                            monkeypatch):
    """A real HTTP Argos index on 127.0.0.1: its first answer is 503, then it serves the index
    and the fr→en package; it has no fr→de package at all (a user error, not retried)."""
    import functools
    import http.server
    import json
    import threading

    import argostranslate.settings

    from flows.pipeline import pipeline

    archive = model_files["en"]
    requests: list[str] = []
    busy_once: list[bool] = []

    class Index(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            requests.append(self.path)
            if self.path == "/index.json" and not busy_once:
                busy_once.append(True)
                self.send_error(503, "busy")
                return
            if self.path == "/index.json":
                body = json.dumps([{"from_code": "fr", "to_code": "en", "package_version": "1.9",
                                    "argos_version": "1.9", "type": "translate", "from_name": "French",
                                    "to_name": "English", "code": "translate-fr_en",
                                    "links": [f"http://127.0.0.1:{self.server.server_port}/fr_en.argosmodel"]}])
                data = body.encode()
            elif self.path == "/fr_en.argosmodel":
                data = archive.read_bytes()
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Index)
    threading.Thread(target=functools.partial(server.serve_forever, poll_interval=0.1), daemon=True).start()
    monkeypatch.setattr(argostranslate.settings, "remote_package_index",
                        f"http://127.0.0.1:{server.server_port}/index.json")
    monkeypatch.setattr(argostranslate.settings, "downloads_dir", tmp_path / "downloads")
    (tmp_path / "downloads").mkdir()
    try:
        project = make_project(tmp_path / "project", locales=("en",), sources=SOURCES)
        toml = project / "lingopress.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("download = false",
                                                                 'download = true\npackages_dir = "models"'),
                        encoding="utf-8")
        summary = run(project)
        assert requests == ["/index.json", "/index.json", "/fr_en.argosmodel"]
        assert updated(summary, "en") == ["alpha", "beta"] and summary["en"].drafts[0].drafted > 0
        assert "machine draft: argos translate-fr_en 1.9" in (project / "translations/en/alpha.po").read_text(
            encoding="utf-8")

        requests.clear()
        state = pipeline(project_dir=str(project), locales=["de"], return_state=True)
        assert state.is_failed() and "the Argos index has no fr→de package" in state.message
        assert requests == ["/index.json"]  # asked once: retrying cannot make the package appear
    finally:
        server.shutdown()
