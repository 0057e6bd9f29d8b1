from __future__ import annotations

import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
import yaml

from conftest import make_project
from lingopress.store.files import read_catalog, write_catalog
from support.project import load_articles, publish_locale, read_state, render_outputs, update_locale
from lingopress.config import load_config
from lingopress.errors import ConfigError, PublishError
from lingopress.markup import parser
from lingopress.publishing.publish import PublishReport, Snapshot, decode_state, encode_state
from lingopress.store.project import ProjectStore
from support.project import update_published

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


def approve_all(path: Path, translate, *, qa_ignore: str | None = None) -> None:
    """What a translator does in Poedit: write the translation, clear the fuzzy flag, save.

    With qa_ignore, the reviewer also dismisses those QA checks on every entry (hostile
    test translations must reach the renderer to test its escaping).
    """
    catalog = read_catalog(path)
    for entry in catalog:
        if entry.obsolete:
            continue
        entry.msgstr = translate(entry)
        if qa_ignore:
            entry.tcomment = f"qa-ignore: {qa_ignore}"
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save(str(path))


def setup(tmp_path: Path, locale: str, source: str = SOURCE):
    project = make_project(tmp_path, locales=(locale,), engine="none", sources={"essai.md": source})
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
    assert structure(html.split("<article>")[1].split("</article>")[0]) == ["p", "a"] + [t for t in structure(source_html) if t != "code"]
    assert 'alt="ع Image"' in html and "<th>ع A</th>" in html and "<title>ع Titre</title>" in html
    markdown = (config.output_dir("ar") / "essai.md").read_text(encoding="utf-8")
    assert markdown.startswith("---\ntitle: ع Titre\n") and "| ع A | ع B |" in markdown
    document = json.loads((config.output_dir("ar") / "essai.json").read_text(encoding="utf-8"))
    assert document["dir"] == "rtl" and document["title"] == "ع Titre"
    index = (config.output_dir("ar") / "index.html").read_text(encoding="utf-8")
    assert 'href="essai.html"' in index and "ع Titre" in index and 'dir="rtl"' in index


def published_in_english(tmp_path: Path, source: str):
    """`source` published in English with every entry approved as "EN " + the French; its page's tags."""
    config, articles = setup(tmp_path, "en", source)
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid}")
    assert publish_locale(config, "en", articles).published == ["essai"]
    parsed = Tags()
    parsed.feed((config.output_dir("en") / "essai.html").read_text(encoding="utf-8"))
    return config, parsed


def test_link_and_image_titles_are_translated_in_every_format(tmp_path: Path):
    source = SOURCE + '\nVoir [le calendrier](https://example.org/cal "Calendrier officiel").\n\n' \
                      '![Cycle](cycle.png "Cycle de 21 jours")\n\nSelon [la HAS][has].\n\n' \
                      '[has]: https://has-sante.fr "Haute Autorité de santé"\n'
    # The paragraph keeps its French title, as MT placeholders leave it: the title's own unit wins.
    config, parsed = published_in_english(tmp_path, source)
    titles = [attrs.get("title") for tag in ("a", "img") for attrs in parsed.attrs[tag] if attrs.get("title")]
    # A reference link stays a link once translated (its definition is outside every unit).
    assert titles == ["EN Calendrier officiel", "EN Haute Autorité de santé", "EN Cycle de 21 jours"]
    markdown = (config.output_dir("en") / "essai.md").read_text(encoding="utf-8")
    assert '"EN Calendrier officiel")' in markdown and '"EN Cycle de 21 jours")' in markdown


def test_tags_are_translated_in_html_markdown_and_json(tmp_path: Path):
    source = SOURCE.replace('summary: "Résumé."\n', 'summary: "Résumé."\ntags: ["immunité", "cancer"]\n')
    config, parsed = published_in_english(tmp_path, source)
    assert {"name": "keywords", "content": "EN immunité, EN cancer"} in parsed.attrs["meta"]
    front = yaml.safe_load((config.output_dir("en") / "essai.md").read_text(encoding="utf-8").split("---\n")[1])
    assert front["tags"] == ["EN immunité", "EN cancer"]
    assert json.loads((config.output_dir("en") / "essai.json").read_text(encoding="utf-8"))["tags"] == front["tags"]
    french = (config.output_dir("fr") / "essai.html").read_text(encoding="utf-8")
    assert '<meta name="keywords" content="immunité, cancer">' in french


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


# --- rich outputs, hreflang, policy ---------------------------------------------------------

def alternates(html: str) -> dict[str, str]:
    """The page's hreflang alternates in its head (only with a base_url: they must be absolute)."""
    parsed = Tags()
    parsed.feed(html)
    return {link["hreflang"]: link["href"] for link in parsed.attrs.get("link", [])
            if link.get("rel") == "alternate" and "hreflang" in link}


def switcher(html: str) -> dict[str, str]:
    """The language switcher's links (relative: they work wherever outputs/ is served)."""
    nav = html.split('<nav class="languages"')[1].split("</nav>")[0]
    parsed = Tags()
    parsed.feed(nav)
    return {link["hreflang"]: link["href"] for link in parsed.attrs.get("a", [])}


def multi(tmp_path: Path, locales: tuple[str, ...], source: str = SOURCE, extra_config: str = ""):
    project = make_project(tmp_path, locales=locales, engine="none", sources={"essai.md": source})
    if extra_config:
        with open(project / "lingopress.toml", "a", encoding="utf-8") as handle:
            handle.write(extra_config)
    config = load_config(project)
    articles = load_articles(config)
    for locale in locales:
        update_locale(config, locale, articles, None)
    return config, articles


def publish_all(config, articles, gate=None, today: date | None = None) -> dict[str, PublishReport]:
    reports = {locale: update_published(config, locale, articles, gate=gate, today=today)
               for locale in (config.source_locale, *config.target_locales)}
    render_outputs(config)
    return reports


def read(config, locale: str, name: str) -> str:
    return (config.output_dir(locale) / name).read_text(encoding="utf-8")


def test_hreflang_alternates_point_to_every_published_locale_and_the_original(tmp_path: Path):
    config, articles = multi(tmp_path, ("en", "ar", "de"))
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid}")
    approve_all(config.catalog_path("ar", "essai"), lambda e: f"ع {e.msgid}")
    reports = publish_all(config, articles)
    assert reports["de"].held_back == {"essai": "12 units not approved"}
    assert not (config.output_dir("de") / "essai.html").exists()
    expected = {"fr": "../fr/essai.html", "en": "../en/essai.html", "ar": "../ar/essai.html"}
    for locale in ("fr", "en", "ar"):
        # No base_url: no hreflang in the head (relative ones are invalid), links in the switcher.
        assert alternates(read(config, locale, "essai.html")) == {}, locale
        assert switcher(read(config, locale, "essai.html")) == expected, locale
        document = json.loads(read(config, locale, "essai.json"))
        assert [alt["lang"] for alt in document["alternates"]] == ["fr", "ar", "en"]
        assert document["source"] == {"lang": "fr", "hash": articles[0].source_hash, "href": "../fr/essai.html"}
    english = read(config, "en", "essai.html")
    # Language names come from Babel, each in its own language, with lang/hreflang set.
    assert '<a href="../ar/essai.html" hreflang="ar" lang="ar" dir="rtl">العربية</a>' in english
    assert '<a href="../en/essai.html" hreflang="en" lang="en" dir="ltr" aria-current="page">English</a>' in english
    assert english.index('<nav class="languages"') < english.index("<main>")  # at the top
    assert '<a href="../fr/essai.html" hreflang="fr" class="original">Translated from French</a>' in english
    assert '<a href="index.html" rel="index">English</a>' in english
    assert '<link rel="canonical"' not in english
    # The French original is a real page, rendered from the source.
    french = read(config, "fr", "essai.html")
    assert '<html lang="fr" dir="ltr">' in french and "<h1>Titre</h1>" in french and "5 mars 2026" in french

    # German gets approved later and is published on its own: the pages already live in the
    # other locales gain the German alternate, though their locales were not in this run.
    approve_all(config.catalog_path("de", "essai"), lambda e: f"DE {e.msgid}")
    report = publish_locale(config, "de", articles)
    assert report.published == ["essai"]
    assert "outputs/en/essai.html" in report.files_written
    for locale in ("fr", "en", "ar", "de"):
        assert switcher(read(config, locale, "essai.html"))["de"] == "../de/essai.html"
    assert "5. März 2026" in read(config, "de", "essai.html")


def test_base_url_makes_alternates_absolute(tmp_path: Path):
    config, articles = multi(tmp_path, ("en",), extra_config='\n[publish]\nbase_url = "https://health.example/"\n')
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid}")
    publish_all(config, articles)
    english = read(config, "en", "essai.html")
    assert alternates(english) == {
        "fr": "https://health.example/fr/essai.html", "en": "https://health.example/en/essai.html",
        "x-default": "https://health.example/fr/essai.html"}
    assert '<link rel="canonical" href="https://health.example/en/essai.html">' in english
    assert '<meta property="og:url" content="https://health.example/en/essai.html">' in english
    # The links readers follow stay relative, so a copy of the site works anywhere.
    assert switcher(english) == {"fr": "../fr/essai.html", "en": "../en/essai.html"}


def test_rtl_pages_and_indexes(tmp_path: Path):
    config, articles = multi(tmp_path, ("ar", "en"))
    approve_all(config.catalog_path("ar", "essai"), lambda e: f"ع {e.msgid}")
    publish_all(config, articles)
    for name in ("essai.html", "index.html"):
        assert '<html lang="ar" dir="rtl">' in read(config, "ar", name)
    assert "5 مارس 2026" in read(config, "ar", "essai.html")
    assert json.loads(read(config, "ar", "essai.json"))["dir"] == "rtl"
    assert json.loads(read(config, "ar", "index.json"))["dir"] == "rtl"
    front = yaml.safe_load(read(config, "ar", "essai.md").split("---\n")[1])
    assert front["dir"] == "rtl" and front["lang"] == "ar"
    # English has nothing approved: its index exists and is empty, left to right.
    english_index = read(config, "en", "index.html")
    assert '<html lang="en" dir="ltr">' in english_index and "essai" not in english_index
    root = (config.outputs_dir / "index.html").read_text(encoding="utf-8")
    count = '<span class="count">({})</span>'
    assert f'<li lang="ar" dir="rtl"><a href="ar/index.html" hreflang="ar">العربية</a> {count.format(1)}</li>' in root
    assert f'<li lang="fr" dir="ltr"><a href="fr/index.html" hreflang="fr">Français</a> {count.format(1)}</li>' in root
    assert f'<a href="en/index.html" hreflang="en">English</a> {count.format(0)}' in root


def test_markdown_output_has_translated_front_matter_and_the_same_structure(tmp_path: Path):
    config, articles = multi(tmp_path, ("es",))
    approve_all(config.catalog_path("es", "essai"), lambda e: f"ES {e.msgid}")
    publish_all(config, articles)
    text = read(config, "es", "essai.md")
    _, front_text, body = text.split("---\n", 2)
    front = yaml.safe_load(front_text)
    assert front == {"title": "ES Titre", "summary": "ES Résumé.", "slug": "essai",
                     "date": date(2026, 3, 5), "lang": "es", "dir": "ltr", "source_lang": "fr",
                     "source_hash": articles[0].source_hash}
    assert "# ES Titre" in body and "[lien](https://example.org/x_y)" in body
    assert structure(parser().render(body)) == structure(parser().render(SOURCE))


def test_json_output_for_headless_cms(tmp_path: Path):
    config, articles = multi(tmp_path, ("en",))
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid}")
    publish_all(config, articles)
    document = json.loads(read(config, "en", "essai.json"))
    assert {key: document[key] for key in ("slug", "lang", "dir", "language_name", "title", "summary",
                                           "date", "date_text", "fallback_units")} == {
        "slug": "essai", "lang": "en", "dir": "ltr", "language_name": "English", "title": "EN Titre",
        "summary": "EN Résumé.", "date": "2026-03-05", "date_text": "March 5, 2026", "fallback_units": 0}
    html = read(config, "en", "essai.html")
    assert document["html"] in html and document["html"].startswith("<h1>EN Titre</h1>")
    assert document["markdown"] in read(config, "en", "essai.md")
    state = read_state(config, "en")["essai"]
    assert document["translation_hash"] == state.translation_hash and state.approved == state.units == 12
    index = json.loads(read(config, "en", "index.json"))
    assert index["articles"] == [{"slug": "essai", "title": "EN Titre", "summary": "EN Résumé.",
                                  "date": "2026-03-05", "date_text": "March 5, 2026", "href": "essai.html",
                                  "markdown": "essai.md", "json": "essai.json"}]


def test_script_in_a_translation_is_shown_as_text_in_every_format(tmp_path: Path):
    config, articles = multi(tmp_path, ("en",))
    payload = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid} {payload}", qa_ignore="all")
    publish_all(config, articles)
    for name in ("essai.html", "index.html"):
        html = read(config, "en", name)
        assert "<script" not in html and "<img src=x" not in html
        assert "&lt;script&gt;document.title=" in html
    assert "<title>EN Titre &lt;script&gt;" in read(config, "en", "essai.html")
    assert 'content="EN Résumé. &lt;script&gt;' in read(config, "en", "essai.html")
    document = json.loads(read(config, "en", "essai.json"))
    assert "<script" not in document["html"] and document["title"] == f"EN Titre {payload}"
    body = read(config, "en", "essai.md").split("---\n", 2)[2]
    assert "\\<script>" in body and "<script" not in parser().render(body)
    root = (config.outputs_dir / "index.html").read_text(encoding="utf-8")
    assert "<script" not in root


def test_incomplete_update_keeps_the_last_approved_page(tmp_path: Path):
    config, articles = multi(tmp_path, ("en", "de"))
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid}")
    publish_all(config, articles, today=date(2026, 3, 5))
    live = {name: read(config, "en", name) for name in ("essai.html", "essai.md", "essai.json", "index.html")}

    # The source changes: a paragraph is edited and one is added. The catalog now has two
    # untranslated entries, so the English article is incomplete again.
    changed = SOURCE.replace("> Citation.", "> Citation modifiée.") + "\nNouveau paragraphe.\n"
    (config.sources_dir / "essai.md").write_text(changed, encoding="utf-8")
    articles = load_articles(config)
    for locale in ("en", "de"):
        update_locale(config, locale, articles, None)
    reports = publish_all(config, articles, today=date(2026, 3, 9))
    assert reports["en"].kept_live == ["essai"] and reports["en"].published == []
    assert reports["en"].held_back == {"essai": "2 units not approved; the last approved version stays live, "
                                                "outdated since 2026-03-09"}
    # The same approved text, under a notice that it follows an older French version
    # (tests/test_stale.py has the rest); the index is as it was.
    body = json.loads(live["essai.json"])["html"]
    assert body in read(config, "en", "essai.html") and body in json.loads(read(config, "en", "essai.json"))["html"]
    assert "this translation follows the version of March 5, 2026" in read(config, "en", "essai.html")
    assert read(config, "en", "index.html") == live["index.html"]
    assert "Nouveau paragraphe." in read(config, "fr", "essai.html")  # the original follows the source

    # Meanwhile German is approved: the old English version is rendered again, from its
    # snapshot, with the new alternate, and still none of the new French text.
    approve_all(config.catalog_path("de", "essai"), lambda e: f"DE {e.msgid}")
    publish_all(config, articles)
    english = read(config, "en", "essai.html")
    assert switcher(english)["de"] == "../de/essai.html"
    assert "EN Citation." in english and "Nouveau" not in english and "modifiée" not in english

    # The edited unit came back fuzzy with its old translation as a starting point (msgmerge);
    # once the translator revises and approves the new units, the new version replaces the old.
    catalog = read_catalog(config.catalog_path("en", "essai"))
    edited = catalog.find("Citation modifiée.", msgctxt="blockquote")
    assert edited.msgstr == "EN Citation." and "fuzzy" in edited.flags
    assert edited.previous_msgid == "Citation."
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid}")
    reports = publish_all(config, articles)
    assert reports["en"].published == ["essai"] and not reports["en"].kept_live
    english = read(config, "en", "essai.html")
    assert "EN Nouveau paragraphe." in english and "EN Citation modifiée." in english


def test_gate_holds_back_an_article_and_its_last_version_stays(tmp_path: Path):
    config, articles = multi(tmp_path, ("en",))
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid}")
    publish_all(config, articles)
    before = read(config, "en", "essai.html")
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN2 {e.msgid}")
    seen = []

    def qa(article, catalog):
        seen.append((article.slug, len(catalog)))
        return "QA: number 2 missing in translation"

    report = update_published(config, "en", articles, gate=qa)
    render_outputs(config)
    assert seen == [("essai", 12)]
    assert report.held_back == {"essai": "QA: number 2 missing in translation; the last approved version stays live"}
    assert read(config, "en", "essai.html") == before
    assert update_published(config, "en", articles, gate=lambda a, c: None).published == ["essai"]
    render_outputs(config)
    assert "EN2 Titre" in read(config, "en", "essai.html")


def test_broken_catalog_holds_back_its_article_and_the_last_version_stays(tmp_path: Path):
    config, articles = multi(tmp_path, ("en",))
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid}")
    publish_all(config, articles)
    before = read(config, "en", "essai.html")
    path = config.catalog_path("en", "essai")
    path.write_text(path.read_text(encoding="utf-8").replace('msgstr "EN Titre"', 'msgstr "EN Titre'),
                    encoding="utf-8")
    report = publish_all(config, articles)["en"]
    assert report.kept_live == ["essai"]
    assert report.held_back["essai"].startswith("broken catalog: ")
    assert "translations/en/essai.po:" in report.held_back["essai"]
    assert report.held_back["essai"].endswith("; the last approved version stays live")
    assert read(config, "en", "essai.html") == before


def test_fallback_to_french_is_off_by_default_and_configurable(tmp_path: Path):
    config, articles = multi(tmp_path, ("en",))
    approve_all(config.catalog_path("en", "essai"),
                lambda e: "" if e.msgid == "Citation." else f"EN {e.msgid}")
    assert config.publish.fallback_threshold == 1.0
    assert publish_all(config, articles)["en"].held_back == {"essai": "1 units not approved"}
    assert not (config.output_dir("en") / "essai.html").exists()

    toml = config.config_path.read_text(encoding="utf-8")
    config.config_path.write_text(toml + "\n[publish]\nfallback_threshold = 0.9\n", encoding="utf-8")
    config = load_config(config.project_dir)
    report = publish_all(config, articles)["en"]
    assert report.published == ["essai"] and report.fallback == {"essai": 1}
    html = read(config, "en", "essai.html")
    assert "<p>Citation.</p>" in html and "EN Texte" in html
    assert ('<p class="fallback" lang="en" dir="ltr">Some passages of this article are shown in the original '
            'French.</p>') in html
    assert json.loads(read(config, "en", "essai.json"))["fallback_units"] == 1
    assert read_state(config, "en")["essai"].fallback == 1


def test_fallback_threshold_is_checked(tmp_path: Path):
    project = make_project(tmp_path, locales=("en",), engine="none")
    toml = (project / "lingopress.toml").read_text(encoding="utf-8")
    for bad in ("0", "1.5", '"yes"'):
        (project / "lingopress.toml").write_text(toml + f"\n[publish]\nfallback_threshold = {bad}\n")
        with pytest.raises(ConfigError, match=r"lingopress.toml:\d+: publish.fallback_threshold"):
            load_config(project)


def test_removed_source_withdraws_its_pages(tmp_path: Path):
    config, articles = multi(tmp_path, ("en",))
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid}")
    publish_all(config, articles)
    other = SOURCE.replace("slug: essai", "slug: autre")
    (config.sources_dir / "essai.md").unlink()
    (config.sources_dir / "autre.md").write_text(other, encoding="utf-8")
    reports = publish_all(config, load_articles(config))
    assert reports["en"].withdrawn == ["essai"] and reports["fr"].withdrawn == ["essai"]
    assert sorted(path.name for path in config.output_dir("en").iterdir()) == ["assets", "feed.xml", "index.html",
                                                                               "index.json"]
    assert "essai" not in read(config, "en", "index.html")
    assert (config.output_dir("fr") / "autre.html").exists()


def test_slug_index_is_reserved_and_broken_state_is_reported(tmp_path: Path):
    config, articles = multi(tmp_path, ("en",), source=SOURCE.replace("slug: essai", "slug: index"))
    with pytest.raises(PublishError, match=r"sources/essai.md:3: slug 'index' is reserved"):
        update_published(config, "en", articles)
    config, articles = multi(tmp_path / "b", ("en",))
    publish_all(config, articles)
    ProjectStore(config).state_path("en").write_text("{not json", encoding="utf-8")
    with pytest.raises(PublishError, match=r"outputs/.state/en.json: cannot read the published state.*delete it"):
        update_published(config, "en", articles)


def test_without_dismissal_qa_holds_back_raw_html_in_a_translation(tmp_path: Path):
    config, articles = multi(tmp_path, ("en",))
    approve_all(config.catalog_path("en", "essai"), lambda e: f"EN {e.msgid} <script>x</script>")
    reports = publish_all(config, articles)
    assert reports["en"].published == [] and "QA error" in reports["en"].held_back["essai"]
    assert "[raw-html]" in reports["en"].held_back["essai"]


@pytest.mark.parametrize("bad, check", [
    ("Titre\x00caché", "control-chars"),         # a NUL would reach <title>, the index and the bundle
    ("\u200b\u200b\u2060", "control-chars"),      # only invisible characters: not a translation
    ("Titre \x1b[31mrouge", "control-chars"),     # a terminal escape sequence
])
def test_control_characters_and_invisible_only_translations_are_not_published(tmp_path: Path, bad, check):
    config, articles = setup(tmp_path, "en")
    approve_all(config.catalog_path("en", "essai"),
                lambda e: bad if e.msgctxt == "title" else e.msgid.replace("Titre", "Title"),
                qa_ignore="unchanged, glossary, length")
    report = publish_locale(config, "en", articles)
    assert report.published == [] and "essai" in report.held_back, report
    from lingopress.qa import check_catalog
    found = check_catalog(read_catalog(config.catalog_path("en", "essai")), "en")
    assert any(f.check == check and f.severity == "error" for f in found), found
    assert not (config.output_dir("en") / "essai.html").exists()
    index = config.output_dir("en") / "index.html"
    assert not index.exists() or "\x00" not in index.read_text(encoding="utf-8")


def test_a_state_from_before_translatable_fields_reads_as_title_and_summary():
    raw = json.loads(encode_state("en", {"essai": Snapshot("essai", SOURCE, "hash", (), 1, 1, fields=("title",))}))
    assert raw["articles"]["essai"]["fields"] == ["title"]
    del raw["articles"]["essai"]["fields"]
    assert decode_state(json.dumps(raw), "en", Path("en.json"))["essai"].fields == ("title", "summary")
