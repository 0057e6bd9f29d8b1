"""Nothing left untranslated: publish the sample articles with every unit approved as
marked text, then read each translated page as a browser does and fail on any text a
reader sees that carries no marker, unless lingopress translates it itself (page chrome).
"""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.dates import format_date

from conftest import make_project, msgfmt_check
from lingopress.config import load_config
from lingopress.mt.placeholders import protect, restore
from lingopress.publishing.notices import texts_for
from lingopress.publishing.pages import language_name
from lingopress.review.status import summarize
from lingopress.site import SITE_SLUG
from lingopress.store.files import read_catalog
from support.project import load_articles, publish_locale, refresh_status, update_locale, write_templates
from test_publish import approve_all

OPEN, CLOSE = "⟦", "⟧"
LOCALES = ("en", "ar")
DISCLAIMER = "Ces informations ne remplacent pas l'avis d'un médecin."
# Attributes whose value a reader sees or hears (tooltips, image text, screen readers).
TEXT_ATTRIBUTES = ("alt", "title", "aria-label")
# <meta> whose content is text shown to people (search results, link previews), by name or property.
TEXT_META = ("description", "keywords", "og:title", "og:description", "og:site_name",
             "twitter:title", "twitter:description")
_PLACEHOLDER = re.compile(r"(\[\d+\])")


def marked(msgid: str) -> str:
    """Every run of words of `msgid` between protected spans wrapped in markers: what MT
    would translate, so inline text (link text, image alt inside a paragraph) is marked
    too, while the Markdown, link targets and numbers come back byte for byte."""
    protected = protect(msgid)
    parts = []
    for part in _PLACEHOLDER.split(protected.text):
        core = part.strip()
        if core and not _PLACEHOLDER.fullmatch(part):
            start = part.index(core)
            part = f"{part[:start]}{OPEN}{core}{CLOSE}{part[start + len(core):]}"
        parts.append(part)
    restored = restore(protected, "".join(parts))
    assert not restored.lost, msgid
    return restored.text


class VisibleText(HTMLParser):
    """Text nodes (outside code and scripts) and reader-facing attribute values, in order."""

    _VERBATIM = ("code", "pre", "script", "style")

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []  # (where, text)
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in TEXT_ATTRIBUTES:
            if values.get(name):
                self.found.append((f"<{tag} {name}>", values[name]))
        if tag == "meta" and (values.get("name") or values.get("property")) in TEXT_META:
            self.found.append((f"<meta {values.get('name') or values.get('property')}>", values.get("content", "")))
        if tag not in ("meta", "link", "img", "br", "hr", "input"):
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self._stack:
            del self._stack[len(self._stack) - 1 - self._stack[::-1].index(tag):]

    def handle_data(self, data):
        if data.strip() and not any(tag in self._VERBATIM for tag in self._stack):
            self.found.append((f"<{self._stack[-1] if self._stack else 'document'}> text", data.strip()))


def chrome(config, locale: str, pages: list[Path]) -> re.Pattern:
    """What lingopress writes itself on a page of `locale`, from the data its templates get:
    the site's name (the publisher's brand), language names (Babel), dates as the page's JSON
    twin gives them and the day the translations were reviewed (today), the UI texts table
    with its `{date}` slots filled by those dates. A pattern of the pieces: a text node may
    join several ("English · lingopress", "Translated from French — reviewed …")."""
    dates = {format_date(date.today(), format="long", locale=locale)}
    for page in pages:
        document = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        dates |= {entry["date_text"] for entry in document.get("articles", [document])}
    date_slot = "(?:" + "|".join(re.escape(text) for text in sorted(dates, key=len, reverse=True)) + ")"
    pieces = {config.publish.site_name, *dates}
    pieces |= {language_name(code) for code in (config.source_locale, *config.target_locales)}
    patterns = [re.escape(piece) for piece in pieces]
    for text in texts_for(locale)[1].values():
        parts = re.split(r"\{\w+\}", text)
        patterns.append(date_slot.join(re.escape(part) for part in parts))
    return re.compile("|".join(sorted(patterns, key=len, reverse=True)))


def untranslated(page: Path, allowed: re.Pattern) -> list[str]:
    parser = VisibleText()
    parser.feed(page.read_text(encoding="utf-8"))
    return [f"{page.parent.name}/{page.name}: {where} {text!r}" for where, text in parser.found
            if OPEN not in text and CLOSE not in text
            and any(char.isalpha() for char in allowed.sub("", text))]  # digits, punctuation and emoji are no language


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The sample project with a disclaimer, every unit of en and ar approved as marked text."""
    project = make_project(tmp_path_factory.mktemp("untranslated") / "project", locales=LOCALES, engine="none")
    with (project / "lingopress.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'\n[publish]\ndisclaimer = "{DISCLAIMER}"\n')
    config = load_config(project)
    articles = load_articles(config)
    write_templates(config, articles)
    for locale in LOCALES:
        update_locale(config, locale, articles, None)
        for path in sorted((config.translations_dir / locale).glob("*.po")):
            approve_all(path, lambda entry: marked(entry.msgid))
            assert msgfmt_check(path).returncode == 0, path
        report = publish_locale(config, locale, articles)
        assert report.published == [a.slug for a in articles] and not report.held_back, report
        assert report.site == "live"
    return project


@pytest.mark.parametrize("locale", LOCALES)
def test_every_visible_string_of_a_translated_page_is_translated(published: Path, locale: str):
    config = load_config(published)
    pages = sorted(config.output_dir(locale).glob("*.html"))
    assert {page.stem for page in pages} == {"index", "immunomodulation", "immunotherapie"}
    allowed = chrome(config, locale, pages)
    left = [line for page in pages for line in untranslated(page, allowed)]
    assert left == [], "French left on translated pages:\n" + "\n".join(left)


def test_the_check_sees_titles_tags_and_the_disclaimer(published: Path):
    """The pages hold what the issue found left in French, so the test above proves something."""
    html = (load_config(published).output_dir("en") / "immunotherapie.html").read_text(encoding="utf-8")
    for french in ("Calendrier officiel", "Cycle de 21 jours", "système immunitaire", DISCLAIMER):
        assert f"{OPEN}{french}" in unescape(html)
    assert '<meta name="keywords" content="⟦immunothérapie⟧, ⟦cancer⟧, ⟦système immunitaire⟧">' in html
    french = (load_config(published).output_dir("fr") / "immunotherapie.html").read_text(encoding="utf-8")
    assert '<p class="disclaimer" lang="fr" dir="ltr">' in french and OPEN not in french


def test_the_site_catalog_is_french_until_approved_and_has_its_status_row(tmp_path: Path):
    project = make_project(tmp_path / "project", locales=("ar",), engine="none")
    with (project / "lingopress.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'\n[publish]\ndisclaimer = "{DISCLAIMER}"\n')
    config = load_config(project)
    articles = load_articles(config)
    assert "translations/templates/_site.pot" in write_templates(config, articles)
    update_locale(config, "ar", articles, None)
    site_po = config.catalog_path("ar", SITE_SLUG)
    entry = next(iter(read_catalog(site_po)))
    line = next(n for n, text in enumerate(config.config_path.read_text().splitlines(), 1) if "disclaimer" in text)
    assert (entry.msgctxt, entry.msgid) == ("disclaimer", DISCLAIMER)
    assert entry.occurrences == [("lingopress.toml", str(line))]
    for slug in ("immunomodulation", "immunotherapie"):
        approve_all(config.catalog_path("ar", slug), lambda e: marked(e.msgid))
    report = publish_locale(config, "ar", articles)
    assert report.site == "0 units approved" or report.site.endswith("not approved"), report.site
    index = (config.output_dir("ar") / "index.html").read_text(encoding="utf-8")
    assert '<p class="disclaimer" lang="fr" dir="ltr">' in index
    rows = {row.slug: row for row in refresh_status(config, articles)}
    assert rows[SITE_SLUG].title == "Textes communs du site" and rows[SITE_SLUG].untranslated == 1
    assert rows[SITE_SLUG].live == ""
    # Its unit counts as work to do; its row is no article.
    [summary] = summarize(list(rows.values()))
    assert (summary.articles, summary.entries) == (2, sum(row.entries for row in rows.values()))

    approve_all(site_po, lambda e: "هذه المعلومات لا تغني عن استشارة الطبيب.")
    assert publish_locale(config, "ar", articles).site == "live"
    page = (config.output_dir("ar") / "immunotherapie.html").read_text(encoding="utf-8")
    assert '<p class="disclaimer" lang="ar" dir="rtl">هذه المعلومات لا تغني عن استشارة الطبيب.</p>' in page
    index = json.loads((config.output_dir("ar") / "index.json").read_text(encoding="utf-8"))
    assert index["disclaimer"]["lang"] == "ar"
    rows = {row.slug: row for row in refresh_status(config, articles)}
    assert rows[SITE_SLUG].publishable and rows[SITE_SLUG].live == "current"
    # The French changes: its translation no longer matches, so the French shows again.
    toml = config.config_path.read_text(encoding="utf-8")
    config.config_path.write_text(toml.replace(DISCLAIMER, "Consultez un médecin."), encoding="utf-8")
    config = load_config(project)
    update_locale(config, "ar", articles, None)
    assert publish_locale(config, "ar", articles).site != "live"
    page = (config.output_dir("ar") / "immunotherapie.html").read_text(encoding="utf-8")
    assert '<p class="disclaimer" lang="fr" dir="ltr">Consultez un médecin.</p>' in page
