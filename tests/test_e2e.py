"""End to end: the real Prefect flow on the sample articles, a translator's review, publishing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import make_project, msgfmt_check, run_cli
from lingopress.store.files import read_catalog
from lingopress.markup import parser

pytestmark = pytest.mark.e2e

SLUGS = ("immunomodulation", "immunotherapie")


def translator_approves(path: Path, locale: str) -> None:
    """Edit every draft and clear its fuzzy flag, then save as polib-based tools do."""
    catalog = read_catalog(path)
    for entry in catalog:
        if entry.obsolete:
            continue
        assert "fuzzy" in entry.flags and entry.msgstr
        entry.msgstr = f"[{locale}] {entry.msgid}"
        if entry.msgctxt == "paragraph" and "<b>" not in entry.msgstr:
            entry.msgstr += " <b>x</b> & <script>alert('owned')</script>"
            # QA holds raw HTML back; the reviewer dismisses it to test escaping.
            entry.tcomment = "qa-ignore: raw-html"
        entry.flags.remove("fuzzy")
    catalog.save(str(path))


def block_tags(html: str) -> list[str]:
    return re.findall(r"<(h[1-6]|p|ul|ol|li|table|th|td|blockquote|a|img)\b", html)


def test_pipeline_drafts_then_translator_approves_then_publish(tmp_path: Path, installed_models):
    project = make_project(tmp_path / "project", locales=("en", "ar"))
    result = run_cli("run", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    logs = result.stdout + result.stderr
    assert "Finished in state Completed()" in logs and "Traceback" not in logs
    assert "machine drafts (fuzzy); catalog updated" in logs
    for locale in ("en", "ar"):
        for slug in SLUGS:
            path = project / "translations" / locale / f"{slug}.po"
            assert msgfmt_check(path).returncode == 0
            catalog = read_catalog(path)
            assert all("fuzzy" in e.flags and e.msgstr for e in catalog)
            assert not (project / "outputs" / locale / f"{slug}.html").exists()
    assert (project / "outputs" / "en" / "index.html").exists()

    for locale in ("en", "ar"):
        translator_approves(project / "translations" / locale / "immunotherapie.po", locale)
    result = run_cli("publish", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr

    source_html = parser().render((project / "sources" / "immunotherapie.md").read_text(encoding="utf-8"))
    for locale, direction in (("en", "ltr"), ("ar", "rtl")):
        out = project / "outputs" / locale
        html = (out / "immunotherapie.html").read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>")
        assert f'<html lang="{locale}" dir="{direction}">' in html
        assert "<script>" not in html and "&lt;script&gt;alert('owned')&lt;/script&gt;" in html
        assert "&lt;b&gt;x&lt;/b&gt; &amp;" in html
        article = html.split("<article>")[1].split("</article>")[0]
        assert block_tags(article) == ["p", "a"] + block_tags(source_html)  # the byline links the original
        assert f"[{locale}] Immunothérapie" in html
        assert (out / "immunotherapie.md").read_text(encoding="utf-8").startswith("---\ntitle: '[")
        # Not every entry approved: not published.
        assert not (out / "immunomodulation.html").exists()
        assert 'href="immunotherapie.html"' in (out / "index.html").read_text(encoding="utf-8")
        for slug in SLUGS:
            assert msgfmt_check(project / "translations" / locale / f"{slug}.po").returncode == 0


def test_flow_runs_against_a_real_prefect_server(tmp_path: Path, prefect_server):
    project = make_project(tmp_path / "project", locales=("en",), engine="none")
    result = run_cli("run", cwd=project, env=prefect_server.env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Starting temporary server" not in result.stdout + result.stderr
    runs = prefect_server.post("/flow_runs/filter")
    # The CLI passes the options as given (no --engine: the project's file decides, and the
    # preflight task logs which engine drafts each locale).
    assert any(run["state_type"] == "COMPLETED" and run["parameters"].get("project_dir") == str(project.resolve())
               and run["parameters"].get("engine") is None for run in runs)
    assert (project / "translations" / "en" / "immunotherapie.po").exists()
