"""The real `lingopress` command: user errors are one line, exit 2, and write nothing."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import make_project, run_cli


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_missing_model_fails_before_anything_is_written(tmp_path: Path):
    project = make_project(tmp_path, locales=("de",))
    result = run_cli("run", cwd=project)
    assert_one_line_error(result, "no Argos model installed for fr→de",
                          "lingopress models install translate-fr_de.argosmodel", "--engine none")
    assert not (project / "translations").exists() and not (project / "outputs").exists()


def test_unknown_locale_and_missing_project(tmp_path: Path):
    project = make_project(tmp_path)
    assert_one_line_error(run_cli("draft", "--locales", "en,xx", "--engine", "none", cwd=project),
                          "--locales: unknown locale code 'xx'")
    assert_one_line_error(run_cli("run", "--project", str(tmp_path / "nowhere"), cwd=tmp_path),
                          "project directory does not exist")


def test_bad_front_matter_names_file_and_line(tmp_path: Path):
    project = make_project(tmp_path, engine="none", sources={
        "a.md": '---\ntitle: "A"\nslug: a\ndate: 2026-01-01\nsummary: "S"\n---\n\nTexte.\n',
        "b.md": "---\ntitle: [oops\n---\n\nTexte.\n"})
    result = run_cli("run", cwd=project)
    assert_one_line_error(result, "sources/b.md:2: invalid YAML front matter")
    assert not (project / "translations").exists()


def test_missing_source_dir(tmp_path: Path):
    project = make_project(tmp_path, engine="none")
    for path in (project / "sources").iterdir():
        path.unlink()
    (project / "sources").rmdir()
    assert_one_line_error(run_cli("publish", cwd=project), "sources: source directory does not exist")


def test_models_install_and_list(tmp_path: Path, model_files):
    project = make_project(tmp_path)
    (project / "lingopress.toml").write_text(
        (project / "lingopress.toml").read_text() + 'packages_dir = "models"\n')
    result = run_cli("models", "install", str(model_files["en"]), cwd=project)
    assert result.returncode == 0, result.stderr
    assert "installed translate-fr_en 1.9 (fr→en)" in result.stdout
    listing = run_cli("models", "list", cwd=project, env={"COLUMNS": "250"})
    assert "translate-fr_en" in listing.stdout and str(project / "models") in listing.stdout
    assert_one_line_error(run_cli("models", "install", str(tmp_path / "missing.argosmodel"), cwd=project),
                          "missing.argosmodel: no such file")


def test_models_come_from_the_argos_index_over_http(tmp_path: Path, model_files):
    """The online path for real users, against a real HTTP server on 127.0.0.1."""
    import functools
    import http.server
    import json
    import shutil
    import threading

    served = tmp_path / "index"
    served.mkdir()
    shutil.copy(model_files["ar"], served / "translate-fr_ar.argosmodel")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_port}/"
    (served / "index.json").write_text(json.dumps([{
        "package_version": "1.9", "argos_version": "1.9", "from_code": "fr", "from_name": "French",
        "to_code": "ar", "to_name": "Arabic", "type": "translate",
        "links": [base + "translate-fr_ar.argosmodel"]}]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        project = make_project(tmp_path / "p", locales=("ar",))
        config = project / "lingopress.toml"
        config.write_text(config.read_text().replace("download = false", "download = true")
                          + 'packages_dir = "models"\n')
        env = {"ARGOS_PACKAGE_INDEX": base}
        # Not in the index: the pair and the fix are named.
        assert_one_line_error(run_cli("models", "install", "--to", "de", cwd=project, env=env),
                              "the Argos index has no fr→de package")
        # `run` fetches the missing fr→ar package on demand, then drafts with it.
        result = run_cli("draft", cwd=project, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert (project / "models").is_dir()
        assert "machine draft: argos translate-fr_ar 1.9" in \
            (project / "translations" / "ar" / "immunotherapie.po").read_text(encoding="utf-8")
    finally:
        server.shutdown()


def test_run_summary_reads_in_an_80_column_log(tmp_path: Path):
    """Not a terminal and 80 columns: one line per locale under one header, nothing wider."""
    project = make_project(tmp_path / "project", locales=("en", "pt_BR"), engine="none")
    result = run_cli("run", cwd=project, env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 80, result.stdout
    assert lines[0].split() == ["locale", "updated", "skipped", "memory", "drafts", "published", "held",
                                "back", "bundle"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:] if re.match(r"\S+ {2,}\S", line)}
    # Both articles drafted (empty, engine none) and held back; the French original published.
    assert rows == {"fr": ["-", "-", "-", "-", "2", "0", "v1", "(new)"],
                    "en": ["2/2", "0", "0+0", "0", "0", "2", "-"],
                    "pt_BR": ["2/2", "0", "0+0", "0", "0", "2", "-"]}, result.stdout
    for locale in ("en", "pt_BR"):
        for slug in ("immunomodulation", "immunotherapie"):
            assert any(re.fullmatch(rf"{locale} held back: {slug}: \d+ units not approved", line)
                       for line in lines), result.stdout
