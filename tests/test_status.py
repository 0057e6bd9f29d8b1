"""`lingopress check`, `lingopress status`, the review pages and the publish gate, on a fixture project."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import make_project, msgfmt_check, run_cli
from lingopress.store.files import read_catalog, write_catalog
from support.project import load_articles, publish_locale, update_locale
from lingopress.config import load_config

ESSAI = """---
title: "Posologie"
slug: essai
date: 2026-03-05
summary: "Dose de 75 mg."
---

# Posologie

Prendre 1,8 mg/m² deux fois par jour.

- Consulter au-delà de 38,5 °C.
"""

SUIVI = """---
title: "Suivi & <em>contrôle</em>"
slug: suivi
date: 2026-03-06
summary: "Un suivi régulier."
---

La réponse est observée chez 60 à 80 % des patients.

Un paragraphe.
"""

ENGLISH = {
    "Posologie": "Dosage",
    "Dose de 75 mg.": "A dose of 75 mg.",
    "Prendre 1,8 mg/m² deux fois par jour.": "Take 1.8 mg/m² twice a day.",
    "Consulter au-delà de 38,5 °C.": "See a doctor above 38.5 °C.",
    "Suivi & <em>contrôle</em>": "Follow-up & <em>monitoring</em>",
    "Un suivi régulier.": "Regular follow-up.",
    # A transposed digit: 80 % becomes 85 %.
    "La réponse est observée chez 60 à 80 % des patients.": "A response is seen in 60–85% of patients.",
    "Un paragraphe.": "<script>document.title='owned'</script><img src=x onerror=\"document.title='owned'\">",
}
GERMAN = {"Posologie": "Dosierung", "Dose de 75 mg.": "Eine Dosis von 75 mg."}


def translate(path: Path, table: dict[str, str], *, approve: bool) -> None:
    """A translator's pass: write translations; approve them or leave them as fuzzy drafts."""
    catalog = read_catalog(path)
    for entry in catalog:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if approve and "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            if not approve and "fuzzy" not in entry.flags:
                entry.flags.append("fuzzy")
    write_catalog(catalog, path)


def dismiss(path: Path, msgid: str, checks: str) -> None:
    catalog = read_catalog(path)
    catalog.find(msgid).tcomment = f"qa-ignore: {checks}"
    write_catalog(catalog, path)


@pytest.fixture
def fixture_project(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "project", locales=("en", "de"), engine="none",
                           sources={"essai.md": ESSAI, "suivi.md": SUIVI})
    config = load_config(project)
    articles = load_articles(config)
    for locale in ("en", "de"):
        update_locale(config, locale, articles, None)
    translate(config.catalog_path("en", "essai"), ENGLISH, approve=True)
    translate(config.catalog_path("en", "suivi"), ENGLISH, approve=True)
    translate(config.catalog_path("de", "essai"), GERMAN, approve=False)
    dismiss(config.catalog_path("en", "suivi"), "Un paragraphe.", "raw-html")
    return project


def entry_line(path: Path, msgid: str) -> int:
    return read_catalog(path).find(msgid).linenum


FINDING = re.compile(r"^translations/(en|de)/(essai|suivi)\.po:(\d+): (error|warning): (.+) \[([a-z-]+)\]$")


def test_check_prints_compiler_style_lines_and_fails_on_errors(fixture_project: Path):
    result = run_cli("check", cwd=fixture_project)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    line = entry_line(fixture_project / "translations/en/suivi.po",
                      "La réponse est observée chez 60 à 80 % des patients.")
    assert f"translations/en/suivi.po:{line}: error: number 80 % missing in translation (found 85%) [numbers]" in lines
    findings = [FINDING.match(text) for text in lines[:lines.index(next(t for t in lines if t.startswith("dismissed")))]]
    assert findings and all(findings), lines
    assert {m.group(6) for m in findings} == {"numbers"}
    # Dismissed checks stay listed, apart, with the reviewer's comment honoured.
    para = entry_line(fixture_project / "translations/en/suivi.po", "Un paragraphe.")
    assert lines[-3:] == [
        "dismissed by qa-ignore (still listed so they stay visible):",
        f"translations/en/suivi.po:{para}: dismissed error: raw HTML in the translation that is not in the "
        "source: <script>, </script>, <img src=x onerror=\"document.title='owned'\"> [raw-html]",
        "1 errors, 0 warnings, 1 dismissed in 4 catalogs",
    ]

    as_json = run_cli("check", "--format", "json", "--locales", "en", cwd=fixture_project)
    assert as_json.returncode == 1, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["summary"] == {"catalogs": 2, "errors": 1, "warnings": 0, "dismissed": 1}
    assert report["findings"] == [{
        "file": "translations/en/suivi.po", "line": line, "locale": "en", "slug": "suivi", "check": "numbers",
        "severity": "error", "message": "number 80 % missing in translation (found 85%)"}]
    assert [(d["check"], d["line"], d["severity"]) for d in report["dismissed"]] == [("raw-html", para, "error")]

    # The reviewer fixes the number: no error left, exit 0; German drafts alone are clean.
    translate(fixture_project / "translations/en/suivi.po",
              {"La réponse est observée chez 60 à 80 % des patients.": "A response is seen in 60–80% of patients."},
              approve=True)
    fixed = run_cli("check", cwd=fixture_project)
    assert fixed.returncode == 0, fixed.stdout
    assert fixed.stdout.splitlines()[-1] == "0 errors, 0 warnings, 1 dismissed in 4 catalogs"
    german = run_cli("check", "--locales", "de", cwd=fixture_project)
    assert german.returncode == 0 and german.stdout == "0 errors, 0 warnings, 0 dismissed in 2 catalogs\n"


def test_check_user_errors_exit_2(fixture_project: Path):
    bad_format = run_cli("check", "--format", "xml", cwd=fixture_project)
    assert bad_format.returncode == 2 and bad_format.stderr.startswith("error: --format: unknown format 'xml'")
    (fixture_project / "glossary.csv").write_text("fr,en\nvaccin,vaccine\nvaccin,shot\n", encoding="utf-8")
    broken = run_cli("check", cwd=fixture_project)
    assert broken.returncode == 2
    assert broken.stderr.strip() == ("error: glossary.csv:3: duplicate term 'vaccin', also on line 2 "
                                     "(keep one row per term)")


def test_publish_gate_holds_back_only_the_article_with_an_error(fixture_project: Path):
    config = load_config(fixture_project)
    articles = load_articles(config)
    report = publish_locale(config, "en", articles)
    line = entry_line(config.catalog_path("en", "suivi"), "La réponse est observée chez 60 à 80 % des patients.")
    assert report.published == ["essai"]
    assert report.held_back == {"suivi": f"1 QA error (line {line}: number 80 % missing in translation "
                                         "(found 85%) [numbers])"}
    assert (config.output_dir("en") / "essai.html").exists()
    assert not (config.output_dir("en") / "suivi.html").exists()
    # German: drafts only, nothing published, and the reason is approval, not QA.
    assert publish_locale(config, "de", articles).held_back == {"essai": "5 units not approved",
                                                                "suivi": "4 units not approved"}
    # A reviewer who judges the number right dismisses the check: the article goes out.
    dismiss(config.catalog_path("en", "suivi"), "La réponse est observée chez 60 à 80 % des patients.", "numbers")
    assert msgfmt_check(config.catalog_path("en", "suivi")).returncode == 0
    assert publish_locale(config, "en", articles).published == ["essai", "suivi"]


def test_status_json_matches_the_fixture_project(fixture_project: Path):
    result = run_cli("status", "--format", "json", cwd=fixture_project)
    assert result.returncode == 0, result.stderr
    rows = {
        ("essai", "en"): (5, 5, 0, 0, 0, 0, 0, True),
        ("essai", "de"): (5, 0, 3, 2, 0, 0, 0, False),
        ("suivi", "en"): (4, 4, 0, 0, 1, 0, 1, False),
        ("suivi", "de"): (4, 0, 0, 4, 0, 0, 0, False),
    }
    titles = {"essai": "Posologie", "suivi": "Suivi & <em>contrôle</em>"}
    assert json.loads(result.stdout) == {
        "articles": [
            {"slug": slug, "locale": locale, "title": titles[slug], "entries": counts[0], "approved": counts[1],
             "fuzzy": counts[2], "untranslated": counts[3], "qa_errors": counts[4], "qa_warnings": counts[5],
             "qa_dismissed": counts[6], "publishable": counts[7],
             "catalog": f"translations/{locale}/{slug}.po", "review": f"outputs/review/{locale}/{slug}.html",
             "problem": "", "live": "", "live_note": ""}
            for (slug, locale), counts in rows.items()],
        "locales": {
            "en": {"language": "English", "articles": 2, "publishable": 1, "entries": 9, "approved": 9,
                   "fuzzy": 0, "untranslated": 0, "qa_errors": 1},
            "de": {"language": "German", "articles": 2, "publishable": 0, "entries": 9, "approved": 0,
                   "fuzzy": 3, "untranslated": 6, "qa_errors": 0},
        },
        "status_page": "outputs/status.html",
    }
    # A broken catalog is shown on its row; the other rows stay as they are.
    (fixture_project / "translations/de/suivi.po").write_text('msgid "unclosed\n', encoding="utf-8")
    broken = json.loads(run_cli("status", "--format", "json", cwd=fixture_project).stdout)["articles"]
    assert broken[3]["problem"].startswith("broken catalog: translations/de/suivi.po:1: malformed line")
    assert (broken[3]["untranslated"], broken[3]["publishable"]) == (4, False)
    assert broken[:3] == json.loads(result.stdout)["articles"][:3]
    table = run_cli("status", cwd=fixture_project, env={"COLUMNS": "200"})
    assert table.returncode == 0
    assert re.search(r"essai\s+│\s+en\s+│\s+5/5\s+│\s+0\s+│\s+0\s+│\s+0\s+│\s+0\s+│\s+yes", table.stdout), table.stdout
    assert re.search(r"suivi\s+│\s+en\s+│\s+4/4\s+│.*│\s+1\s+│\s+0\s+│\s+no", table.stdout), table.stdout


def chromium_dom(page: Path, tmp_path: Path) -> str:
    """The page's DOM after a real headless Chromium loaded it and ran whatever scripts it has."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Chromium is needed (scripts/setup.sh installs it)"
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=2000",
         "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "<html" in result.stdout, result.stderr[-2000:]
    return result.stdout


def test_review_and_status_pages_show_hostile_text_as_text_in_chromium(fixture_project: Path, tmp_path: Path):
    assert run_cli("status", cwd=fixture_project).returncode == 0
    outputs = fixture_project / "outputs"
    review = chromium_dom(outputs / "review" / "en" / "suivi.html", tmp_path)
    assert "<title>Review: Suivi &amp; &lt;em&gt;contrôle&lt;/em&gt; (English)</title>" in review
    assert "owned" not in review.split("</title>")[0]
    assert "<script" not in review and "<img" not in review and "<em>" not in review
    assert "&lt;script&gt;document.title='owned'&lt;/script&gt;" in review
    # Side by side, coloured by state, QA inline, dismissed ones shown as such.
    rows = re.findall(r'<tr class="entry ([a-z ]+)(?: kind-[a-z-]+)?( has-errors)?">', review)
    assert len(rows) == 4 and all(state.startswith("approved") for state, _ in rows)
    assert sum(1 for _, errors in rows if errors) == 1
    assert "error: number 80 % missing in translation (found 85%)" in review
    assert 'class="dismissed">error (dismissed): raw HTML' in review
    assert '<td class="source" lang="fr" dir="ltr">La réponse est observée chez 60 à 80 % des patients.</td>' in review
    german = (outputs / "review" / "de" / "essai.html").read_text(encoding="utf-8")
    assert german.count('<tr class="entry fuzzy') == 3 and german.count('<tr class="entry untranslated') == 2

    status = chromium_dom(outputs / "status.html", tmp_path)
    assert "<em>" not in status and "Suivi &amp; &lt;em&gt;contrôle&lt;/em&gt;" in status
    assert '<a href="review/en/suivi.html">review</a>' in status
    assert re.search(r'<div class="approved" style="width: 100.0%"></div>', status)
    assert 'aria-label="0.0 % approved, 33.3 % fuzzy drafts"' in status
    # Pages link both ways and are not rewritten when nothing changed.
    assert 'href="../../status.html"' in review
    before = {path: path.stat().st_mtime_ns for path in outputs.rglob("*.html")}
    assert run_cli("status", "--format", "json", cwd=fixture_project).returncode == 0
    assert {path: path.stat().st_mtime_ns for path in outputs.rglob("*.html")} == before


@pytest.mark.e2e
def test_pipeline_run_publishes_the_status_table_as_a_prefect_artifact(fixture_project: Path):
    """The real flow, in-process against a temporary Prefect server; the artifact read back by the client."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.testing.utilities import prefect_test_harness

    from flows.pipeline import STATUS_ARTIFACT_KEY, pipeline

    with prefect_test_harness(server_startup_timeout=120):
        summary = pipeline(project_dir=str(fixture_project), engine="none")
        with get_client(sync_client=True) as client:
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[STATUS_ARTIFACT_KEY])))
    assert summary["en"].publish.published == ["essai"]
    assert list(summary["en"].publish.held_back) == ["suivi"]
    assert len(artifacts) == 1 and artifacts[0].type == "markdown"
    table = artifacts[0].data
    assert "| essai | en | 5/5 | 0 | 0 | 0 | 0 | yes | current |" in table
    assert "| suivi | en | 4/4 | 0 | 0 | 1 | 0 | no | - |" in table
    assert "| essai | de | 0/5 | 3 | 2 | 0 | 0 | no |" in table
    assert "| en (English) | 9/9 (100.0 %) | 1/2 |" in table
    # The reviewer's dismissal survived the run's merge of the catalogs.
    assert "# qa-ignore: raw-html\n" in (fixture_project / "translations/en/suivi.po").read_text(encoding="utf-8")
    # The same run refreshed the status page and the review pages.
    assert (fixture_project / "outputs" / "status.html").exists()
    assert (fixture_project / "outputs" / "review" / "de" / "suivi.html").exists()
