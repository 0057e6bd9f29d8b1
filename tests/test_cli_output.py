"""Text from files and servers reaches the terminal verbatim: never as rich markup, emoji or escapes.

Every test goes through the real `lingopress` command in a subprocess; the hostile strings
are the ones that made rich raise MarkupError (`[/i]`), render an emoji (`:x:`) or that a
terminal would obey (ESC).
"""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import polib

from conftest import make_project, msgfmt_check, run_cli

HOSTILE = "[/i]-[bold]-:x:"
WIDE = {"COLUMNS": "400"}


def hostile_article(slug: str = f"art{HOSTILE}") -> dict[str, str]:
    return {"a.md": f'---\ntitle: "Titre {HOSTILE}"\nslug: "{slug}"\ndate: 2026-01-01\n'
                    f'summary: "Résumé"\n---\n\nPrenez 2 comprimés de `dose` par jour.\n'}


def assert_no_interpretation(output: str) -> None:
    assert "Traceback" not in output and "MarkupError" not in output, output
    assert "\N{CROSS MARK}" not in output, output  # what rich makes of :x:
    assert "\x1b]" not in output, output


def test_hostile_slug_is_one_error_line_with_the_slug_verbatim(tmp_path: Path):
    slug = f"art{HOSTILE}"
    project = make_project(tmp_path, locales=("en",), engine="none", sources=hostile_article(slug))
    for command in ("run", "status", "ingest"):
        result = run_cli(command, cwd=project, env=WIDE)
        assert_no_interpretation(result.stdout + result.stderr)
        assert result.returncode == 2, (command, result.stdout + result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: sources/a.md:3: invalid slug"), lines
        assert repr(slug) in lines[0], lines[0]


def test_hostile_translation_in_check_status_and_run(tmp_path: Path):
    project = make_project(tmp_path, locales=("en",), engine="none", sources=hostile_article("a"))
    assert run_cli("draft", cwd=project, env=WIDE).returncode == 0
    catalog = project / "translations" / "en" / "a.po"
    po = polib.pofile(str(catalog))
    for entry in po:
        # A changed code span: a QA error whose message quotes the translation. ESC ] 0 ;
        # retitles a terminal window; BEL ends it.
        entry.msgstr = (f"Take 2 tablets of `\x1b]0;pwned\x07{HOSTILE}` a day" if "comprimés" in entry.msgid
                        else entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save(str(catalog))
    assert msgfmt_check(catalog).returncode == 0

    check = run_cli("check", cwd=project, env=WIDE)
    assert_no_interpretation(check.stdout + check.stderr)
    assert check.returncode == 1, check.stdout + check.stderr
    assert f"`\\x1b]0;pwned\\x07{HOSTILE}`" in check.stdout, check.stdout

    run = run_cli("run", cwd=project, env=WIDE)
    assert_no_interpretation(run.stdout + run.stderr)
    assert run.returncode == 0, run.stdout + run.stderr
    # Held back for the QA error, in the summary table and in Prefect's log lines.
    assert "a: " in run.stdout and HOSTILE in run.stdout, run.stdout
    assert "en/a not published" in run.stderr and HOSTILE in run.stderr, run.stderr

    # Even with Prefect's log markup switched on, data in log lines stays data.
    marked = run_cli("publish", cwd=project, env={**WIDE, "PREFECT_LOGGING_MARKUP": "true"})
    assert_no_interpretation(marked.stdout + marked.stderr)
    assert "Logging error" not in marked.stderr, marked.stderr
    assert marked.returncode == 0, marked.stderr
    assert "en/a not published" in marked.stderr and HOSTILE in marked.stderr, marked.stderr

    status = run_cli("status", cwd=project, env=WIDE)
    assert_no_interpretation(status.stdout + status.stderr)
    assert status.returncode == 0, status.stderr


def test_malformed_po_line_is_one_error_line_with_the_line_verbatim(tmp_path: Path):
    project = make_project(tmp_path, locales=("en",), engine="none", sources=hostile_article("a"))
    assert run_cli("draft", cwd=project, env=WIDE).returncode == 0
    catalog = project / "translations" / "en" / "a.po"
    catalog.write_text(catalog.read_text(encoding="utf-8") + f'\nmsgid "x"\nmsgstr "y" {HOSTILE}\n',
                       encoding="utf-8")
    for command in ("check", "run"):
        result = run_cli(command, cwd=project, env=WIDE)
        assert_no_interpretation(result.stdout + result.stderr)
        assert result.returncode in (1, 2), (command, result.stdout + result.stderr)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert errors, (command, result.stderr)
        assert any("a.po" in line and HOSTILE in line for line in errors), (command, errors)
    # status lists the broken catalog as the article's problem, in its table.
    status = run_cli("status", cwd=project, env=WIDE)
    assert_no_interpretation(status.stdout + status.stderr)
    assert status.returncode == 0 and HOSTILE in status.stdout, status.stdout + status.stderr


class ReasonHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(403, f"Not {HOSTILE} Allowed \x1b[2J")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_http_reason_phrase_in_a_pull_error(tmp_path: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ReasonHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run_cli("pull", f"http://127.0.0.1:{server.server_port}/bundles", "--locale", "en",
                         "--dest", str(tmp_path / "site"), cwd=tmp_path)
    finally:
        server.shutdown()
    assert_no_interpretation(result.stdout + result.stderr)
    assert "\x1b[2J" not in result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert f"HTTP 403 Not {HOSTILE} Allowed \\x1b[2J" in lines[0], lines[0]


def test_model_paths_in_models_install_and_list(tmp_path: Path, model_files):
    project = make_project(tmp_path, locales=("en",))
    packages = f"models{HOSTILE}"
    (project / "lingopress.toml").write_text(
        (project / "lingopress.toml").read_text() + f'packages_dir = "{packages}"\n')
    install = run_cli("models", "install", str(model_files["en"]), cwd=project, env=WIDE)
    assert_no_interpretation(install.stdout + install.stderr)
    assert install.returncode == 0, install.stderr
    assert packages in install.stdout
    listing = run_cli("models", "list", cwd=project, env=WIDE)
    assert_no_interpretation(listing.stdout + listing.stderr)
    assert listing.returncode == 0, listing.stderr
    assert str(project / packages) in listing.stdout


