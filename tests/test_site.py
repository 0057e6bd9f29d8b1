"""The site around the pages: the theme, publishers' templates, sitemaps, Atom feeds,
Open Graph, the "reviewed" date. Real projects in tmp_path, XML read by a real parser."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from conftest import run_cli
from lingopress.config import load_config
from lingopress.errors import ConfigError
from lingopress.publishing.render import Site
from support.project import read_state, refresh_status
from test_publish import approve_all, multi, publish_all, read

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
BASE = "https://health.example/info"


def published(tmp_path: Path, extra: str = "", locales: tuple[str, ...] = ("en", "ar")):
    config, articles = multi(tmp_path, locales, extra_config=extra)
    for locale in locales:
        approve_all(config.catalog_path(locale, "essai"), lambda e, loc=locale: f"{loc.upper()} {e.msgid}")
    publish_all(config, articles, today=date(2026, 3, 9))
    return config, articles


def theme_of(html: str) -> str:
    return re.search(r'<link rel="stylesheet" href="([^"]+)">', html).group(1)


def test_theme_is_one_self_contained_sheet_for_both_directions():
    name, css = Site().stylesheet()
    assert re.fullmatch(r"theme-[0-9a-f]{12}\.css", name)
    # Self-contained: no web font, no import, no remote anything.
    assert not re.search(r"@import|@font-face|url\(|https?://", css)
    # Right-to-left by logical properties alone: no physical side is ever named.
    assert not re.search(r"(margin|padding|border)-(left|right)|text-align:\s*(left|right)|float:|\b(left|right):", css)
    for needed in ("prefers-color-scheme: dark", "@media print", "max-inline-size", "blockquote", "table"):
        assert needed in css


def test_pages_share_the_theme_and_each_locale_carries_its_copy(tmp_path: Path):
    config, articles = published(tmp_path)
    refresh_status(config, articles)
    name = Site().stylesheet()[0]
    outputs = config.outputs_dir
    sheets = {path.relative_to(outputs).as_posix() for path in outputs.rglob("theme-*.css")}
    assert sheets == {f"assets/{name}", *(f"{locale}/assets/{name}" for locale in ("fr", "en", "ar"))}
    for page in ("en/essai.html", "ar/essai.html", "en/index.html", "index.html", "status.html", "review/ar/essai.html"):
        html = (outputs / page).read_text(encoding="utf-8")
        sheet = (outputs / page).parent / theme_of(html)
        assert sheet.name == name and sheet.is_file(), page
        assert html.count("<main>") == 1 and "<h1" in html, page
    # The review pages' text keeps its own language inside the English page.
    review = (outputs / "review/ar/essai.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in review and '<td class="translation" lang="ar" dir="rtl">' in review


def test_the_chrome_says_what_the_page_is_translated_from_and_when_it_was_reviewed(tmp_path: Path):
    config, articles = published(tmp_path, '\n[publish]\nsite_name = "Santé Info"\n')
    english, arabic = read(config, "en", "essai.html"), read(config, "ar", "essai.html")
    assert '<a class="site-name" href="../index.html">Santé Info</a>' in english
    assert ('<a href="../fr/essai.html" hreflang="fr" class="original">Translated from French</a>'
            " — reviewed March 9, 2026") in english
    assert "مترجم من الفرنسية</a> — روجعت الترجمة في 9 مارس 2026" in arabic
    assert '<nav class="languages" aria-label="اللغات">' in arabic
    # A locale without UI strings of its own gets English ones, marked as English.
    config, _ = published(tmp_path / "pt", locales=("pt",))
    portuguese = read(config, "pt", "essai.html")
    assert '<span class="translated" lang="en" dir="ltr">' in portuguese and "Translated from French" in portuguese
    assert '<nav class="languages" aria-label="Languages" lang="en">' in portuguese


def test_reviewed_date_is_when_the_translations_went_live_and_stays(tmp_path: Path):
    config, articles = published(tmp_path, locales=("en",))
    assert read_state(config, "en")["essai"].reviewed == "2026-03-09"
    publish_all(config, articles, today=date(2026, 3, 20))  # nothing changed
    assert read_state(config, "en")["essai"].reviewed == "2026-03-09"
    approve_all(config.catalog_path("en", "essai"), lambda e: f"Revised {e.msgid}")
    publish_all(config, articles, today=date(2026, 3, 21))
    assert read_state(config, "en")["essai"].reviewed == "2026-03-21"
    assert "reviewed March 21, 2026" in read(config, "en", "essai.html")


def test_open_graph_and_canonical(tmp_path: Path):
    config, _ = published(tmp_path, f'\n[publish]\nbase_url = "{BASE}/"\nsite_name = "Santé Info"\n')
    arabic = read(config, "ar", "essai.html")
    for tag in ('<meta property="og:type" content="article">', '<meta property="og:title" content="AR Titre">',
                '<meta property="og:description" content="AR Résumé.">', '<meta property="og:locale" content="ar">',
                '<meta property="og:locale:alternate" content="en">', '<meta property="og:site_name" content="Santé Info">',
                f'<link rel="canonical" href="{BASE}/ar/essai.html">',
                f'<link rel="alternate" hreflang="x-default" href="{BASE}/fr/essai.html">'):
        assert tag in arabic
    index = read(config, "en", "index.html")
    assert f'<link rel="canonical" href="{BASE}/en/index.html">' in index
    assert f'<link rel="alternate" hreflang="ar" href="{BASE}/ar/index.html">' in index
    assert '<meta name="description" content="Health articles in English">' in index


def test_sitemaps_list_every_published_page_with_its_languages(tmp_path: Path):
    config, _ = published(tmp_path, f'\n[publish]\nbase_url = "{BASE}"\n')
    site = etree.fromstring((config.outputs_dir / "sitemap.xml").read_bytes())
    urls = {url.findtext(f"{SITEMAP}loc"): url for url in site.iter(f"{SITEMAP}url")}
    pages = {f"{BASE}/index.html", *(f"{BASE}/{locale}/{name}" for locale in ("fr", "en", "ar")
                                     for name in ("index.html", "essai.html"))}
    assert set(urls) == pages
    essai = urls[f"{BASE}/en/essai.html"]
    alternates = {link.get("hreflang"): link.get("href") for link in essai.iter(f"{XHTML}link")}
    assert alternates == {locale: f"{BASE}/{locale}/essai.html" for locale in ("fr", "ar", "en")}
    assert essai.findtext(f"{SITEMAP}lastmod") == "2026-03-09"
    # Each locale's own sitemap (in its bundle) lists only its pages: sitemaps.org's rule.
    mine = etree.fromstring((config.output_dir("ar") / "sitemap.xml").read_bytes())
    assert {loc.text for loc in mine.iter(f"{SITEMAP}loc")} == {f"{BASE}/ar/index.html", f"{BASE}/ar/essai.html"}


def test_no_base_url_no_sitemap(tmp_path: Path):
    config, _ = published(tmp_path)
    assert not (config.outputs_dir / "sitemap.xml").exists() and not (config.output_dir("en") / "sitemap.xml").exists()


def test_atom_feed_per_locale(tmp_path: Path):
    config, _ = published(tmp_path, f'\n[publish]\nbase_url = "{BASE}"\nsite_name = "Santé Info"\n')
    feed = etree.fromstring((config.output_dir("ar") / "feed.xml").read_bytes())
    assert feed.tag == f"{ATOM}feed" and feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    assert feed.findtext(f"{ATOM}id") == f"{BASE}/ar/feed.xml"
    assert feed.findtext(f"{ATOM}title") == "Santé Info · العربية"
    assert feed.findtext(f"{ATOM}updated").startswith("2026-03-09T00:00:00")
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "AR Titre" and entry.findtext(f"{ATOM}summary") == "AR Résumé."
    assert entry.find(f"{ATOM}link").get("href") == f"{BASE}/ar/essai.html"
    assert entry.findtext(f"{ATOM}published").startswith("2026-03-05")
    html = read(config, "ar", "essai.html")
    assert '<link rel="alternate" type="application/atom+xml" title="موجز Atom" href="feed.xml">' in html


def test_publishers_templates_shadow_the_built_in_ones(tmp_path: Path):
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "article.html.j2").write_text(
        '{% extends "layout.html.j2" %}{% block main %}<p class="house">{{ site.name }}: {{ title }}</p>'
        "{{ body }}{% endblock %}", encoding="utf-8")
    (theme / "theme.css").write_text("body { color: #000; }\n", encoding="utf-8")
    config, articles = published(tmp_path / "project", '\n[publish]\ntemplates = "../theme"\nsite_name = "Maison"\n')
    english = read(config, "en", "essai.html")
    assert '<p class="house">Maison: EN Titre</p>' in english and "<main>" in english
    name = theme_of(english).removeprefix("assets/")
    assert name == Site(templates=(("theme.css", "body { color: #000; }\n"),)).stylesheet()[0]
    assert (config.output_dir("en") / "assets" / name).read_text(encoding="utf-8") == "body { color: #000; }\n"
    # The index is still the built-in one; an old theme file goes when the theme changes.
    assert '<ul class="articles">' in read(config, "en", "index.html")
    (theme / "theme.css").write_text("body { color: #111; }\n", encoding="utf-8")
    config = load_config(config.project_dir)
    publish_all(config, articles)
    assert [path.name for path in (config.output_dir("en") / "assets").iterdir()] != [name]
    assert len(list((config.output_dir("en") / "assets").iterdir())) == 1
    assert "#111" in read(config, "en", theme_of(read(config, "en", "essai.html")))


def test_templates_setting_must_name_a_directory(tmp_path: Path):
    with pytest.raises(ConfigError) as caught:
        multi(tmp_path, ("en",), extra_config='\n[publish]\ntemplates = "nowhere"\n')
    assert "publish.templates" in str(caught.value) and caught.value.line is not None
    result = run_cli("publish", cwd=tmp_path)
    assert result.returncode == 2 and "lingopress.toml:" in result.stderr + result.stdout
