"""Stale translations: the French behind a live page changes; readers see a notice or a withdrawal.

Real projects in tmp_path, the catalog merge and the publish steps the flow calls
(update_locale, update_published, render_outputs, build_bundles), real bundles.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import make_project, msgfmt_check, run_cli
from support.project import bundles_dir
from lingopress.config import STALE_MODES, load_config
from support.project import build_bundles, load_articles, read_state, render_outputs, update_locale, update_published
from lingopress.errors import ConfigError
from lingopress.publishing.notices import KEYS, notice, notice_texts
from lingopress.publishing.publish import PublishReport
from lingopress.publishing.staleness import OUTDATED, WITHDRAWN, Staleness, changed_units, judge
from lingopress.review.status import status_markdown
from test_publish import approve_all

DOSE = """---
title: "Paracétamol"
slug: dose
date: 2026-03-05
summary: "Posologie de l'adulte."
---

# Paracétamol

Prendre 75 mg par jour.

Boire de l'eau pendant le traitement.
"""
WORDING = ("Boire de l'eau pendant le traitement.", "Buvez de l'eau pendant tout le traitement.")
DOSE_CHANGE = ("Prendre 75 mg par jour.", "Prendre 50 mg par jour.")
MARCH_5, MARCH_9, MARCH_12 = date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 12)


def translated(locale: str):
    return lambda entry: f"[{locale}] {entry.msgid}"


def project(root: Path, locales: tuple[str, ...] = ("en",), stale: str | None = None,
            sources: dict[str, str] | None = None):
    """Every article approved and published in every locale on March 5."""
    make_project(root, locales=locales, engine="none", sources=sources or {"dose.md": DOSE})
    if stale is not None:
        with open(root / "lingopress.toml", "a", encoding="utf-8") as handle:
            handle.write(f'\n[publish]\nstale = "{stale}"\n')
    config = load_config(root)
    articles = load_articles(config)
    for locale in locales:
        update_locale(config, locale, articles, None)
        for article in articles:
            approve_all(config.catalog_path(locale, article.slug), translated(locale))
    assert publish(config, MARCH_5)[locales[0]].published == sorted(a.slug for a in articles)
    return config


def publish(config, today: date) -> dict[str, PublishReport]:
    """A run without drafting engine: merge the catalogs with the sources, publish, render."""
    articles = load_articles(config)
    for locale in config.target_locales:
        update_locale(config, locale, articles, None)
    reports = {locale: update_published(config, locale, articles, today=today)
               for locale in (config.source_locale, *config.target_locales)}
    render_outputs(config)
    return reports


def edit(config, change: tuple[str, str], slug: str = "dose") -> None:
    path = config.sources_dir / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(*change), encoding="utf-8")


def read(config, locale: str, name: str) -> str:
    return (config.output_dir(locale) / name).read_text(encoding="utf-8")


def page_json(config, locale: str, slug: str = "dose") -> dict:
    return json.loads(read(config, locale, f"{slug}.json"))


def front_matter(config, locale: str, slug: str = "dose") -> dict:
    return yaml.safe_load(read(config, locale, f"{slug}.md").split("---\n")[1])


def test_harmless_wording_change_keeps_the_translation_live_with_an_outdated_notice(tmp_path: Path):
    config = project(tmp_path)
    edit(config, WORDING)
    report = publish(config, MARCH_9)["en"]
    assert report.kept_live == ["dose"] and report.stale == {"dose": "outdated since 2026-03-09"}
    assert report.held_back == {"dose": "1 units not approved; the last approved version stays live, "
                                        "outdated since 2026-03-09"}
    html = read(config, "en", "dose.html")
    assert ('<p class="lingopress-notice lingopress-outdated" role="status" lang="en" dir="ltr">'
            "The French original was updated on March 9, 2026; this translation follows the version of "
            'March 5, 2026. <a href="../fr/dose.html" hreflang="fr" class="original">Read the current '
            "French original</a></p>") in html
    # The approved text stays, the new French does not leak in; the French original has it.
    assert "[en] Boire de l'eau pendant le traitement." in html and "Buvez" not in html
    assert "Buvez de l'eau" in read(config, "fr", "dose.html")
    document = page_json(config, "en")
    assert document["outdated"] == {"source_updated": "2026-03-09", "translated_from": "2026-03-05"}
    assert document["withdrawn"] is None and document["title"] == "[en] Paracétamol"
    assert document["html"].startswith('<p class="lingopress-notice lingopress-outdated" role="status"')
    assert front_matter(config, "en")["outdated"] == document["outdated"]
    assert "> The French original was updated on March 9, 2026" in read(config, "en", "dose.md")
    assert 'href="dose.html"' in read(config, "en", "index.html")

    # A later run dates the change by the run that first saw it, and changes nothing.
    assert publish(config, MARCH_12)["en"].stale == {"dose": "outdated since 2026-03-09"}
    assert page_json(config, "en") == document

    # Re-approved: published normally, the notice gone; the new version is dated March 9.
    approve_all(config.catalog_path("en", "dose"), translated("en"))
    report = publish(config, MARCH_12)["en"]
    assert report.published == ["dose"] and report.stale == {} and not report.kept_live
    assert "lingopress-notice" not in read(config, "en", "dose.html")
    assert "[en] Buvez de l'eau pendant tout le traitement." in read(config, "en", "dose.html")
    assert (page_json(config, "en")["outdated"], page_json(config, "en")["withdrawn"]) == (None, None)
    assert "outdated" not in front_matter(config, "en")
    assert read_state(config, "en")["dose"].source_date == "2026-03-09"
    edit(config, ("Paracétamol\n\nPrendre", "Paracétamol (adulte)\n\nPrendre"))
    publish(config, date(2026, 4, 1))
    assert page_json(config, "en")["outdated"] == {"source_updated": "2026-04-01",
                                                   "translated_from": "2026-03-09"}


WITHDRAWN_TEXT = {
    "en": ("Translation temporarily withdrawn", "was changed on March 9, 2026 in a way that matters for your "
           "health", "Read the current French original", "ltr"),
    "es": ("Traducción retirada temporalmente", "se modificó el 9 de marzo de 2026 en un aspecto importante",
           "Leer el original actual en francés", "ltr"),
    "de": ("Übersetzung vorübergehend zurückgezogen", "wurde am 9. März 2026 in einem für Ihre Gesundheit",
           "Aktuelles französisches Original lesen", "ltr"),
    "ar": ("سُحبت هذه الترجمة مؤقتًا", "في 9 مارس 2026 في نقطة تهمّ صحتك", "اقرأ النص الفرنسي الأصلي الحالي", "rtl"),
}


def bundle_members(config, locale: str, version: int) -> dict[str, bytes]:
    path = bundles_dir(config) / locale / f"lingopress-{locale}-{version}.tar.gz"
    with tarfile.open(fileobj=io.BytesIO(path.read_bytes()), mode="r:gz") as tar:
        return {member.name: tar.extractfile(member).read() for member in tar.getmembers()}


def test_dose_change_withdraws_the_page_in_every_locale_until_reapproved(tmp_path: Path):
    locales = ("en", "es", "de", "ar")
    config = project(tmp_path, locales)
    build_bundles(config)
    edit(config, DOSE_CHANGE)
    reports = publish(config, MARCH_9)
    for locale in locales:
        why = "withdrawn (safety change: number 75 mg removed or changed; number 50 mg added)"
        assert reports[locale].stale == {"dose": why}, locale
        assert reports[locale].held_back == {"dose": f"1 units not approved; {why} until re-approved"}
        title, text, link, direction = WITHDRAWN_TEXT[locale]
        html = read(config, locale, "dose.html")
        # No stale text in any format: the old dose, the old title and summary are gone.
        for name in ("dose.html", "dose.md", "dose.json"):
            assert "75" not in read(config, locale, name) and f"[{locale}]" not in read(config, locale, name)
        assert f'<html lang="{locale}" dir="{direction}">' in html and f"<title>{title}</title>" in html
        assert (f'<div class="lingopress-notice lingopress-withdrawn" role="status" lang="{locale}" '
                f'dir="{direction}">\n<h1>{title}</h1>') in html
        assert text in html and f'<a href="../fr/dose.html" hreflang="fr" class="original">{link}</a>' in html
        assert '<meta name="robots" content="noindex">' in html
        document = page_json(config, locale)
        assert document["withdrawn"] == {"reason": "safety-change", "source_updated": "2026-03-09",
                                         "translated_from": "2026-03-05"}
        assert document["outdated"] is None and document["title"] == title
        assert front_matter(config, locale)["withdrawn"] == document["withdrawn"]
        assert f"# {title}" in read(config, locale, "dose.md")
        # The locale's index no longer lists it, and no other page offers it as an alternate.
        assert "dose" not in read(config, locale, "index.html")
        assert json.loads(read(config, locale, "index.json"))["articles"] == []
        assert f'hreflang="{locale}"' not in read(config, "fr", "dose.html")
    assert "Prendre 50 mg par jour." in read(config, "fr", "dose.html")
    assert '<a href="en/index.html" hreflang="en">English</a> <span class="count">(0)</span>' in (
        config.outputs_dir / "index.html").read_text(encoding="utf-8")

    # Bundles follow: a new version whose page is the notice, its manifest says why.
    results = build_bundles(config)
    assert {locale: (result.version, result.created) for locale, result in results.items() if locale != "fr"} == {
        locale: (2, True) for locale in locales}
    members = bundle_members(config, "en", 2)
    assert members["dose.html"] == read(config, "en", "dose.html").encode("utf-8")
    assert not any(b"75 mg" in data for data in members.values())
    manifest = json.loads(members["manifest.json"])
    assert manifest["articles"][0]["withdrawn"]["reason"] == "safety-change"
    assert manifest["articles"][0]["title"] == "Translation temporarily withdrawn"

    # Re-approval of the new French: published normally again, everywhere.
    for locale in locales:
        catalog_path = config.catalog_path(locale, "dose")
        assert msgfmt_check(catalog_path).returncode == 0
        approve_all(catalog_path, translated(locale))
    reports = publish(config, MARCH_12)
    for locale in locales:
        assert reports[locale].published == ["dose"] and reports[locale].stale == {}
        html = read(config, locale, "dose.html")
        assert f"[{locale}] Prendre 50 mg par jour." in html and "lingopress-notice" not in html
        assert page_json(config, locale)["withdrawn"] is None
        assert 'href="dose.html"' in read(config, locale, "index.html")
        assert f'hreflang="{locale}"' in read(config, "fr", "dose.html")
    assert results["en"].version + 1 == build_bundles(config)["en"].version
    assert "withdrawn" not in json.loads(bundle_members(config, "en", 3)["manifest.json"])["articles"][0]


@pytest.mark.parametrize(("mode", "change", "state", "why"), [
    ("withdraw-on-safety-change", WORDING, OUTDATED, "outdated since 2026-03-09"),
    ("withdraw-on-safety-change", DOSE_CHANGE, WITHDRAWN,
     "withdrawn (safety change: number 75 mg removed or changed; number 50 mg added)"),
    ("banner", WORDING, OUTDATED, "outdated since 2026-03-09"),
    ("banner", DOSE_CHANGE, OUTDATED, "outdated since 2026-03-09 (safety change not withdrawn: "
                                      "number 75 mg removed or changed; number 50 mg added)"),
    ("withdraw", WORDING, WITHDRAWN, "withdrawn (source changed on 2026-03-09)"),
    ("withdraw", DOSE_CHANGE, WITHDRAWN,
     "withdrawn (safety change: number 75 mg removed or changed; number 50 mg added)"),
])
def test_each_stale_mode(tmp_path: Path, mode: str, change: tuple[str, str], state: str, why: str):
    config = project(tmp_path, stale=None if mode == STALE_MODES[0] else mode)
    assert config.publish.stale == mode
    edit(config, change)
    assert publish(config, MARCH_9)["en"].stale == {"dose": why}
    assert read_state(config, "en")["dose"].stale.state == state
    document = page_json(config, "en")
    assert (document["withdrawn"] is not None, document["outdated"] is not None) == (
        state == WITHDRAWN, state == OUTDATED)
    html = read(config, "en", "dose.html")
    assert ("[en] Prendre 75 mg par jour." in html) == (state == OUTDATED)
    if mode == "withdraw" and change == WORDING:
        assert document["withdrawn"]["reason"] == "source-change"
        assert "was changed on March 9, 2026. This translation is withdrawn until a translator has updated it." in html


def test_stale_setting_is_checked(tmp_path: Path):
    make_project(tmp_path, locales=("en",), engine="none", sources={"dose.md": DOSE})
    toml = tmp_path / "lingopress.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[publish]\nstale = "sometimes"\n', encoding="utf-8")
    line = toml.read_text(encoding="utf-8").splitlines().index('stale = "sometimes"') + 1
    with pytest.raises(ConfigError, match=rf"lingopress.toml:{line}: publish.stale: unknown value 'sometimes' "
                                          r"\(use one of: 'withdraw-on-safety-change', 'banner', 'withdraw'\)"):
        load_config(tmp_path)
    result = run_cli("status", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "lingopress.toml" in result.stderr and "publish.stale" in result.stderr


def test_status_shows_withdrawn_and_outdated(tmp_path: Path):
    other = DOSE.replace("slug: dose", "slug: eau")
    config = project(tmp_path, ("en", "de"), sources={"dose.md": DOSE, "eau.md": other})
    edit(config, DOSE_CHANGE, "dose")
    edit(config, WORDING, "eau")
    publish(config, MARCH_9)
    approve_all(config.catalog_path("de", "eau"), translated("de"))  # German is current again
    publish(config, MARCH_9)
    result = run_cli("status", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {(row["slug"], row["locale"]): (row["live"], row["live_note"])
            for row in json.loads(result.stdout)["articles"]}
    withdrawn = "withdrawn (safety change: number 75 mg removed or changed; number 50 mg added)"
    assert rows == {("dose", "en"): ("withdrawn", withdrawn), ("dose", "de"): ("withdrawn", withdrawn),
                    ("eau", "en"): ("outdated", "outdated since 2026-03-09"), ("eau", "de"): ("current", "")}
    table = run_cli("status", cwd=tmp_path, env={"COLUMNS": "250"})
    assert table.returncode == 0, table.stderr
    assert re.search(r"dose\s+│\s+en\s+│.*│\s+withdrawn \(safety change: number 75 mg removed or changed",
                     table.stdout), table.stdout
    assert re.search(r"eau\s+│\s+en\s+│.*│\s+outdated since 2026-03-09", table.stdout), table.stdout
    page = (config.outputs_dir / "status.html").read_text(encoding="utf-8")
    assert f'<td class="live withdrawn">{withdrawn}</td>' in page
    assert '<td class="live outdated">outdated since 2026-03-09</td>' in page
    assert '<td class="live current">current</td>' in page
    from support.project import refresh_status
    markdown = status_markdown(refresh_status(config, load_articles(config)))
    assert f"| no | {withdrawn} |" in markdown and "| no | outdated since 2026-03-09 |" in markdown


def test_a_state_written_before_staleness_existed_is_read_as_current(tmp_path: Path):
    config = project(tmp_path)
    path = config.outputs_dir / ".state" / "en.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    for item in state["articles"].values():
        del item["source_date"], item["stale"]
    path.write_text(json.dumps(state), encoding="utf-8")
    assert read_state(config, "en")["dose"].stale is None
    edit(config, WORDING)
    publish(config, MARCH_9)
    # Without a recorded date, the live version follows its French's publication date.
    assert page_json(config, "en")["outdated"] == {"source_updated": "2026-03-09", "translated_from": "2026-03-05"}


# --- how units are paired and judged ----------------------------------------------------------

P = "paragraph"


def test_moved_units_are_unchanged_and_edits_pair_with_their_closest_old_unit():
    old = [(P, "Prendre 75 mg par jour."), (P, "Boire de l'eau."), (P, "Se reposer.")]
    new = [(P, "Se reposer."), (P, "Boire beaucoup d'eau."), (P, "Prendre 50 mg par jour.")]
    assert sorted(changed_units(old, new)) == [("Boire de l'eau.", "Boire beaucoup d'eau."),
                                              ("Prendre 75 mg par jour.", "Prendre 50 mg par jour.")]
    assert changed_units(old, list(reversed(old))) == []
    assert judge("withdraw", old, list(reversed(old))) is None


def test_removed_and_added_units_are_judged_against_empty_text():
    base = [(P, "Se reposer.")]
    # Removing plain prose is harmless; removing a dose, or adding one, is not.
    assert judge(STALE_MODES[0], base + [(P, "Bien dormir.")], base).withdraw is False
    # (the dose, its limit and its time unit: safety_changes reads all of them)
    removed = judge(STALE_MODES[0], base + [(P, "Pas plus de 3 g par jour.")], base).changes
    assert removed[0] == "number 3 g removed or changed" and "time unit day removed or changed" in removed
    added = judge(STALE_MODES[0], base, base + [(P, "Pas plus de 3 g par jour.")]).changes
    assert added[0] == "number 3 g added" and all(change.endswith(" added") for change in added)
    # A rewrite past msgmerge's similarity threshold is a removal and an addition.
    rewrite = changed_units([(P, "Prendre 75 mg par jour.")], [(P, "Une dose quotidienne suffit, sans plus.")])
    assert rewrite == [("Prendre 75 mg par jour.", ""), ("", "Une dose quotidienne suffit, sans plus.")]


def test_notices_exist_for_en_es_de_ar_and_fall_back_to_english():
    texts = notice_texts()
    placeholders = {"outdated": {"source_updated", "translated_from"}, "withdrawn_safety": {"source_updated"},
                    "withdrawn_change": {"source_updated"}, "original_link": set(), "withdrawn_title": set()}
    for language in ("en", "es", "de", "ar"):
        assert set(texts[language]) == set(KEYS), language
        for key, names in placeholders.items():
            assert set(re.findall(r"\{(\w+)\}", texts[language][key])) == names, (language, key)
    stale = Staleness(OUTDATED, "hash", "2026-03-09", "2026-03-05")
    portuguese = notice("pt_BR", stale, "../fr/dose.html")
    assert (portuguese.lang, portuguese.dir) == ("en", "ltr")
    assert portuguese.text.startswith("The French original was updated on March 9, 2026")
    assert notice("de_AT", stale, "x").lang == "de"
    arabic = notice("ar", Staleness(WITHDRAWN, "hash", "2026-03-09", "2026-03-05", ("x",)), "x")
    assert arabic.dir == "rtl" and arabic.title == "سُحبت هذه الترجمة مؤقتًا"


@pytest.mark.e2e
def test_pipeline_flow_withdraws_a_changed_dose_then_republishes_it(tmp_path: Path):
    """The real Prefect flow (temporary server): the run that sees the dose change withdraws
    the page and bundles the notice; the run after the re-approval publishes it again."""
    from datetime import datetime, timezone

    from prefect.testing.utilities import prefect_test_harness

    from flows.pipeline import pipeline

    config = project(tmp_path, ("en",))
    edit(config, DOSE_CHANGE)
    today = datetime.now(timezone.utc).date().isoformat()
    with prefect_test_harness(server_startup_timeout=120):
        summary = pipeline(project_dir=str(tmp_path), engine="none")
        assert summary["en"].publish.stale == {
            "dose": "withdrawn (safety change: number 75 mg removed or changed; number 50 mg added)"}
        assert page_json(config, "en")["withdrawn"] == {"reason": "safety-change", "source_updated": today,
                                                        "translated_from": "2026-03-05"}
        version = summary["en"].bundle.version
        members = bundle_members(config, "en", version)
        assert b"lingopress-withdrawn" in members["dose.html"] and b"75 mg" not in members["dose.html"]

        approve_all(config.catalog_path("en", "dose"), translated("en"))
        summary = pipeline(project_dir=str(tmp_path), engine="none")
    assert summary["en"].publish.published == ["dose"] and summary["en"].publish.stale == {}
    assert summary["en"].bundle.version == version + 1
    assert b"[en] Prendre 50 mg par jour." in bundle_members(config, "en", version + 1)["dose.html"]
