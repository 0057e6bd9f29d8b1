"""Pages: an article's live version rendered as HTML, Markdown and JSON, the locale
index pages and the root index. Pure: text in, text out (the store writes them).

Pages are a function of the published state alone, so an old approved version can be
rendered again (to gain a new hreflang alternate) without its catalog, which may since
have changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date

import mdformat.plugins
import yaml
from babel import Locale
from babel.dates import format_date
from markupsafe import Markup
from mdformat.renderer import MDRenderer

from ..ingest import ALWAYS_TRANSLATED, Article, publication_date
from ..markup import iter_units, parser
from ..site import SiteText
from .notices import chrome
from .notices import notice as stale_notice
from .notices import ui_text
from .publish import Key, translation_hash
from .render import Site, render_template
from .staleness import Staleness

FEED_NAME = "feed.xml"
SITEMAP_NAME = "sitemap.xml"


@dataclass(frozen=True)
class Alternate:
    locale: str
    lang: str  # BCP 47, for hreflang and lang attributes
    name: str  # the language's own name, from Babel
    href: str  # relative: works wherever outputs/ (or a pulled locale beside its siblings) is served
    url: str = ""  # absolute, when [publish] base_url gives the site's address: hreflang needs it
    dir: str = "ltr"


@dataclass(frozen=True)
class RenderedArticle:
    slug: str
    locale: str
    title: str
    summary: str
    published: date
    fallback: int
    html: str
    markdown: str
    json: str


def render_article(article: Article, locale: str, translations: dict[Key, str], *,
                   alternates: Sequence[Alternate] = (), source_locale: str = "fr",
                   original: bool = False, stale: Staleness | None = None, reviewed: date | None = None,
                   site: Site = Site(), disclaimer: SiteText | None = None) -> RenderedArticle:
    """Render `article` in `locale`; a unit without a translation keeps its French text.

    `reviewed` is when the translations went live (the chrome says "reviewed DATE");
    `disclaimer` is the site's footer text as this locale shows it (lingopress.site).

    A `stale` version gets a notice (notices.py) at the top of its body in every format;
    a withdrawn one is replaced by it, title, summary and the other front-matter fields
    included, so no stale text is left.
    """
    md = parser()
    env: dict = {}
    tokens = [token for token in md.parse(article.text, env) if token.type != "front_matter"]
    fallback = 0

    def translate(kind: str, text: str) -> str | None:
        nonlocal fallback
        if original:
            return text
        translated = translations.get((kind, text))
        fallback += translated is None
        return translated

    title = translate("title", str(article.meta["title"]).strip()) or str(article.meta["title"]).strip()
    summary = translate("summary", str(article.meta["summary"]).strip()) or str(article.meta["summary"]).strip()
    # The other translatable front-matter fields, as the source has them: text, or a list.
    fields = {name: _translated_field(article.meta[name], lambda text, name=name: translate(name, text) or text)
              for name in article.fields if name not in ALWAYS_TRANSLATED and article.field_texts(name)}
    for unit in iter_units(md, tokens, env):
        translated = translate(unit.kind, unit.text)
        if translated is not None:
            unit.replace(translated)

    body_html = md.renderer.render(tokens, md.options, {})
    body_md = MDRenderer().render(
        tokens, {"parser_extension": [mdformat.plugins.PARSER_EXTENSIONS["tables"]], "mdformat": {}}, {})
    info = Locale.parse(locale)
    published = publication_date(article)
    source = next((alt for alt in alternates if alt.locale == source_locale), None)
    notice = None
    if stale is not None:
        notice = stale_notice(locale, stale, source.href if source else f"../{source_locale}/{article.slug}.html")
        notice_html = render_template("notice.html.j2", site, notice=notice, source_lang=bcp47(source_locale))
        notice_md = render_template("notice.md.j2", site, notice=notice)
        if notice.withdrawn:
            title, summary, body_html, body_md = notice.title, notice.text, notice_html, notice_md
            fields = {}
        else:
            body_html, body_md = notice_html + body_html, notice_md + body_md
    withdrawn = notice is not None and notice.withdrawn
    context = {
        **page_context(site, locale, alternates, f"{article.slug}.html"),
        "title": title, "description": summary, "summary": summary, "fields": fields,
        "tags": _as_list(fields.get("tags", [])), "date_iso": published.isoformat(),
        "date_text": format_date(published, format="long", locale=locale),
        "reviewed_text": format_date(reviewed or published, format="long", locale=locale),
        "source": source, "source_lang": bcp47(source_locale), "x_default": source.url if source else "",
        "original": original, "fallback": fallback, "withdrawn": withdrawn,
        "fallback_notice": ui_text(locale, "fallback"), "disclaimer": disclaimer,
        "has_h1": "<h1" in body_html,
        "og": open_graph("article", title, summary, locale, alternates),
        "body": Markup(body_html),  # markdown-it escapes all text; raw HTML is off in parser()
    }
    html = render_template("article.html.j2", site, **context)
    front = {"title": title, "summary": summary, **fields, "slug": article.slug, "date": published,
             "lang": bcp47(locale), "dir": info.text_direction, "source_lang": bcp47(source_locale),
             "source_hash": article.source_hash}
    if stale is not None:
        front[stale.state] = stale.public()
    markdown = render_template(
        "article.md.j2", front_matter=yaml.safe_dump(front, allow_unicode=True, sort_keys=False), body=body_md)
    document = {
        "slug": article.slug, "lang": bcp47(locale), "dir": info.text_direction,
        "language_name": language_name(locale), "title": title, "summary": summary, **fields,
        "date": published.isoformat(), "date_text": context["date_text"],
        "html": body_html, "markdown": body_md,
        "alternates": [{"lang": alt.lang, "name": alt.name, "href": alt.url or alt.href} for alt in alternates],
        "source": {"lang": bcp47(source_locale), "hash": article.source_hash,
                   "href": (source.url or source.href) if source else None},
        "translation_hash": translation_hash(translations),
        "fallback_units": fallback,
        "outdated": stale.public() if stale is not None and not stale.withdrawn else None,
        "withdrawn": stale.public() if stale is not None and stale.withdrawn else None,
        "disclaimer": asdict(disclaimer) if disclaimer is not None else None,
    }
    return RenderedArticle(article.slug, locale, title, summary, published, fallback, html, markdown,
                           json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _translated_field(value: str | list, translate: Callable[[str], str]) -> str | list[str]:
    """A front-matter field with each of its texts translated (blank list items dropped, as ingest does)."""
    if isinstance(value, list):
        return [translate(item.strip()) for item in value if isinstance(item, str) and item.strip()]
    return translate(value.strip())


def _as_list(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def render_index(site: Site, locale: str, articles: Sequence[RenderedArticle],
                 locales: Sequence[str], *, disclaimer: SiteText | None = None) -> tuple[str, str]:
    """A locale's index page and its JSON twin: every article live in it, newest first."""
    entries = index_entries(locale, articles)
    info = Locale.parse(locale)
    alternates = [alternate(site.base_url, code, "index.html") for code in locales]
    ui = chrome(locale)
    description = ui.index_description
    html = render_template(
        "index.html.j2", site, **page_context(site, locale, alternates, "index.html"),
        title=f"{language_name(locale)} · {site.name}", description=description,
        og=open_graph("website", site.name, description, locale, alternates), articles=entries,
        disclaimer=disclaimer)
    document = {"lang": bcp47(locale), "dir": info.text_direction,
                "language_name": language_name(locale), "articles": entries,
                "disclaimer": asdict(disclaimer) if disclaimer is not None else None}
    return html, json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def index_entries(locale: str, articles: Sequence[RenderedArticle]) -> list[dict]:
    """The articles of a locale's index and feed, newest first."""
    ordered = sorted(articles, key=lambda a: (-a.published.toordinal(), a.slug))
    return [{"slug": a.slug, "title": a.title, "summary": a.summary,
             "date": a.published.isoformat(),
             "date_text": format_date(a.published, format="long", locale=locale),
             "href": f"{a.slug}.html", "markdown": f"{a.slug}.md", "json": f"{a.slug}.json"}
            for a in ordered]


def render_root_index(site: Site, source_locale: str, counts: dict[str, int]) -> str:
    """`outputs/index.html`: the published locales, each named in its own language, with
    how many articles readers can read in it."""
    locales = [{"lang": bcp47(code), "dir": Locale.parse(code).text_direction,
                "name": language_name(code), "href": f"{code}/index.html", "count": count}
               for code, count in counts.items()]
    return render_template(
        "root.html.j2", site, lang=bcp47(source_locale), dir=Locale.parse(source_locale).text_direction,
        title=site.name, description=" · ".join(locale["name"] for locale in locales),
        stylesheet=site.stylesheet_path(), home="index.html", alternates=(), ui=chrome(source_locale),
        canonical=f"{site.base_url}/index.html" if site.base_url else "", locales=locales)


def page_context(site: Site, locale: str, alternates: Sequence[Alternate], name: str) -> dict:
    """What the layout needs on a page of `outputs/<locale>/`: the stylesheet is the copy in
    the locale's own `assets/`, so that a locale pulled on its own is styled too."""
    return {"lang": bcp47(locale), "dir": Locale.parse(locale).text_direction,
            "language_name": language_name(locale), "ui": chrome(locale),
            "stylesheet": site.stylesheet_path(), "home": "../index.html", "alternates": alternates,
            "canonical": f"{site.base_url}/{locale}/{name}" if site.base_url else "",
            "feed": {"href": FEED_NAME, "title": chrome(locale).feed}}


def open_graph(kind: str, title: str, description: str, locale: str, alternates: Sequence[Alternate]) -> dict:
    # Open Graph spells locales with an underscore and a territory where there is one (en_US).
    return {"type": kind, "title": title, "description": description, "locale": locale,
            "alternates": [alt.locale for alt in alternates if alt.locale != locale]}


def locale_extras(site: Site) -> list[str]:
    """Files a locale's directory holds besides its pages (bundled with them): the theme,
    the feed, and the locale's sitemap when the site's address is known."""
    return sorted([site.stylesheet_path(), FEED_NAME, *([SITEMAP_NAME] if site.base_url else [])])


def bcp47(locale: str) -> str:
    return locale.replace("_", "-")


def language_name(locale: str) -> str:
    """The language's name in itself (Babel/CLDR), capitalised as a menu entry: "Français"."""
    name = Locale.parse(locale).display_name or locale
    return name[:1].upper() + name[1:]


def alternate(base_url: str, locale: str, name: str) -> Alternate:
    # Relative links work wherever outputs/ is served; hreflang wants absolute URLs, which
    # need to know the site: [publish] base_url gives it, and without it there is no hreflang.
    return Alternate(locale, bcp47(locale), language_name(locale), f"../{locale}/{name}",
                     f"{base_url}/{locale}/{name}" if base_url else "", Locale.parse(locale).text_direction)
