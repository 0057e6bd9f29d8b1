from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import polib

from conftest import make_project
from lingopress.catalog import read_catalog, write_catalog
from lingopress.config import load_config
from lingopress.draft import update_locale
from lingopress.ingest import load_articles
from lingopress.markup import parser
from lingopress.publish import publish_locale

SOURCE = """---
title: "Titre"
slug: essai
date: 2026-03-05
summary: "Résumé."
---

# Titre

Texte avec [lien](https://example.org/x_y) et `code`.

- un
- deux

| A | B |
|---|---|
| 1 | 2 |

> Citation.

![Image](img.png)
"""


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: dict[str, list[dict]] = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.setdefault(tag, []).append(dict(attrs))


def structure(html: str) -> list[str]:
    parsed = Tags()
    parsed.feed(html)
    return [t for t in parsed.tags if t in {"h1", "h2", "p", "ul", "li", "table", "th", "td", "blockquote", "a", "img", "code"}]


def approve_all(path: Path, translate) -> None:
    """What a translator does in Poedit: write the translation, clear the fuzzy flag, save."""
    catalog = read_catalog(path)
    for entry in catalog:
        if entry.obsolete:
            continue
        entry.msgstr = translate(entry)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save(str(path))


def setup(tmp_path: Path, locale: str):
    project = make_project(tmp_path, locales=(locale,), engine="none", sources={"essai.md": SOURCE})
    config = load_config(project)
    articles = load_articles(config)
    update_locale(config, locale, articles, None)
    return config, articles


def test_fully_approved_article_is_published_with_same_structure(tmp_path: Path):
    config, articles = setup(tmp_path, "ar")
    approve_all(config.catalog_path("ar", "essai"),
                lambda e: "<script>alert(1)</script> [رابط](https://example.org/x_y)"
                if e.msgctxt == "paragraph" else f"ع {e.msgid}")
    # This hostile translation fails QA (raw HTML, dropped code span, a stray number);
    # a reviewer dismisses that so escaping is what is tested here.
    catalog = read_catalog(config.catalog_path("ar", "essai"))
    next(e for e in catalog if e.msgctxt == "paragraph").tcomment = "qa-ignore: all"
    write_catalog(catalog, config.catalog_path("ar", "essai"))
    report = publish_locale(config, "ar", articles)
    assert report.published == ["essai"] and not report.held_back
    html = (config.output_dir("ar") / "essai.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org/x_y">رابط</a>' in html
    source_html = parser().render(SOURCE)
    assert structure(html.split("<article>")[1].split("</article>")[0]) == ["p"] + [t for t in structure(source_html) if t != "code"]
    assert 'alt="ع Image"' in html and "<th>ع A</th>" in html and "<title>ع Titre</title>" in html
    markdown = (config.output_dir("ar") / "essai.md").read_text(encoding="utf-8")
    assert markdown.startswith("---\ntitle: ع Titre\n") and "| ع A | ع B |" in markdown
    document = json.loads((config.output_dir("ar") / "essai.json").read_text(encoding="utf-8"))
    assert document["dir"] == "rtl" and document["title"] == "ع Titre"
    index = (config.output_dir("ar") / "index.html").read_text(encoding="utf-8")
    assert 'href="essai.html"' in index and "ع Titre" in index and 'dir="rtl"' in index


def test_article_with_a_fuzzy_or_empty_entry_is_not_published(tmp_path: Path):
    config, articles = setup(tmp_path, "en")
    path = config.catalog_path("en", "essai")
    approve_all(path, lambda e: f"EN {e.msgid}")
    catalog = read_catalog(path)
    catalog.find("deux", msgctxt="list item").flags.append("fuzzy")
    write_catalog(catalog, path)
    report = publish_locale(config, "en", articles)
    assert report.published == [] and report.held_back == {"essai": "1 units not approved"}
    assert not (config.output_dir("en") / "essai.html").exists()
    assert "essai" not in (config.output_dir("en") / "index.html").read_text(encoding="utf-8")


def test_english_page_is_ltr_and_dated_for_the_locale(tmp_path: Path):
    config, articles = setup(tmp_path, "en")
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid}")
    publish_locale(config, "en", articles)
    html = (config.output_dir("en") / "essai.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in html and "March 5, 2026" in html
    assert '<meta name="description" content="EN Résumé.">' in html
    # Publishing again with nothing changed rewrites nothing.
    assert publish_locale(config, "en", articles).files_written == []


def test_untranslated_catalog_written_by_polib_elsewhere_is_held_back(tmp_path: Path):
    config, articles = setup(tmp_path, "de")
    catalog = polib.pofile(str(config.catalog_path("de", "essai")))
    assert all(entry.msgstr == "" for entry in catalog)
    assert publish_locale(config, "de", articles).held_back["essai"].endswith("units not approved")
