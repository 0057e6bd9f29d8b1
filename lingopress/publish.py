"""Publish: render fully approved articles per locale to HTML, Markdown and JSON.

An article is published in a locale only when every unit has an approved translation
and QA finds no error in them (lingopress.qa). Otherwise nothing is written for it, so
whatever was published before stays live.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import mdformat.plugins
import yaml
from babel import Locale
from babel.dates import format_date
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from mdformat.renderer import MDRenderer

from .catalog import is_approved, read_catalog
from .config import Config
from .ingest import TRANSLATABLE_FIELDS, Article
from .markup import iter_units, parser
from .qa import blocking_findings, hold_reason
from .storage import write_text_if_changed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedArticle:
    slug: str
    locale: str
    title: str
    summary: str
    html: str
    markdown: str
    json: str


@dataclass
class PublishReport:
    locale: str
    published: list[str] = field(default_factory=list)
    held_back: dict[str, str] = field(default_factory=dict)  # slug → why
    files_written: list[str] = field(default_factory=list)


def approved_translations(catalog) -> dict[tuple[str | None, str], str]:
    return {(entry.msgctxt, entry.msgid): entry.msgstr for entry in catalog if is_approved(entry)}


def render_article(article: Article, locale: str,
                   translations: dict[tuple[str | None, str], str]) -> RenderedArticle | int:
    """Render the article in `locale`, or return how many units lack an approved translation."""
    md = parser()
    tokens = [token for token in md.parse(article.text) if token.type != "front_matter"]
    missing = 0
    fields: dict[str, str] = {}
    for name in TRANSLATABLE_FIELDS:
        source = str(article.meta[name]).strip()
        fields[name] = translations.get((name, source), "")
        missing += not fields[name]
    for unit in iter_units(md, tokens):
        translated = translations.get((unit.kind, unit.text))
        if translated is None:
            missing += 1
        else:
            unit.replace(translated)
    if missing:
        return missing

    body_html = md.renderer.render(tokens, md.options, {})
    body_md = MDRenderer().render(
        tokens, {"parser_extension": [mdformat.plugins.PARSER_EXTENSIONS["tables"]], "mdformat": {}}, {})
    info = Locale.parse(locale)
    published = article.meta["date"]
    context = {
        "lang": locale.replace("_", "-"),
        "dir": info.text_direction,
        "title": fields["title"],
        "summary": fields["summary"],
        "date_iso": published.isoformat(),
        "date_text": format_date(published, format="long", locale=locale),
        "language_name": info.display_name,
        "body": Markup(body_html),  # markdown-it escapes text; raw HTML is off in parser()
    }
    html = _templates().get_template("article.html.j2").render(**context)
    front = {"title": fields["title"], "summary": fields["summary"], "slug": article.slug,
             "date": published, "lang": locale, "source_lang": "fr"}
    markdown = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + body_md
    document = {"slug": article.slug, "lang": locale, "dir": info.text_direction,
                "title": fields["title"], "summary": fields["summary"],
                "date": published.isoformat(), "html": body_html, "source_hash": article.source_hash}
    return RenderedArticle(article.slug, locale, fields["title"], fields["summary"], html, markdown,
                           json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def publish_locale(config: Config, locale: str, articles: Sequence[Article]) -> PublishReport:
    """Publish every fully approved article of one locale and refresh its index page."""
    report = PublishReport(locale)
    out = config.output_dir(locale)
    for article in articles:
        path = config.catalog_path(locale, article.slug)
        if not path.exists():
            report.held_back[article.slug] = "no catalog yet"
            continue
        catalog = read_catalog(path)
        qa_errors = blocking_findings(catalog, locale, source_locale=config.source_locale)
        if qa_errors:
            report.held_back[article.slug] = hold_reason(qa_errors)
            continue
        rendered = render_article(article, locale, approved_translations(catalog))
        if isinstance(rendered, int):
            report.held_back[article.slug] = f"{rendered} units not approved"
            continue
        for suffix, text in ((".html", rendered.html), (".md", rendered.markdown), (".json", rendered.json)):
            target = out / f"{article.slug}{suffix}"
            if write_text_if_changed(target, text):
                report.files_written.append(config.relative(target))
        report.published.append(article.slug)
    index = out / "index.html"
    if write_text_if_changed(index, render_index(config, locale)):
        report.files_written.append(config.relative(index))
    log.info("%s: published %s; held back %s", locale, report.published or "none",
             report.held_back or "none")
    return report


def render_index(config: Config, locale: str) -> str:
    """The locale's index: every article published in it, now or by an earlier run."""
    entries = []
    for document_path in sorted(config.output_dir(locale).glob("*.json")):
        document = json.loads(document_path.read_text(encoding="utf-8"))
        entries.append({"href": f"{document['slug']}.html", "title": document["title"],
                        "summary": document["summary"],
                        "date_text": format_date(date.fromisoformat(document["date"]),
                                                 format="long", locale=locale)})
    info = Locale.parse(locale)
    return _templates().get_template("index.html.j2").render(
        lang=locale.replace("_", "-"), dir=info.text_direction, language_name=info.display_name,
        articles=entries)


_ENVIRONMENT: Environment | None = None


def _templates() -> Environment:
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = Environment(loader=PackageLoader("lingopress", "templates"),
                                   autoescape=select_autoescape(["html", "html.j2"]),
                                   keep_trailing_newline=True)
    return _ENVIRONMENT
