"""Publish: decide which approved version of each article is live per locale, then render it.

Publishing has two steps, so that every page can link to every language it exists in:

1. `update_published(config, locale, articles)` decides, per article, what is live in one
   locale and records it in the locale's published state, `outputs/.state/<locale>.json`:
   the French source text and the approved translations the live version was made from.
   An article is published only when every unit is approved (or, when the operator lowered
   `[publish] fallback_threshold`, enough of them) and the gate (QA) lets it through.
   Otherwise its last approved version stays live: a source change that makes an article
   incomplete never turns its page into a partial one. Such a kept-live version is judged
   against the current French (lingopress.publishing.staleness): shown with an "outdated" notice, or
   withdrawn behind a notice when the change touches safety, per `[publish] stale`.
2. `render_outputs(config)` renders every locale's state to HTML, Markdown and JSON, the
   locale index pages and the root index. Pages are a function of the states alone, so an
   old approved version can be rendered again (to gain a new hreflang alternate) without
   its catalog, which may since have changed.

The French original is published too, as the source locale (`outputs/fr/`), from the
current sources and always approved: every translation's hreflang alternates and its
"original" link point at a real page.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path

import mdformat.plugins
import polib
import yaml
from babel import Locale
from babel.dates import format_date
from markupsafe import Markup
from mdformat.renderer import MDRenderer

from ..catalogs.po import is_approved, read_catalog
from ..config import Config
from ..errors import CatalogError, PublishError
from ..ingest import Article, is_valid_slug, parse_article
from ..markup import iter_units, parser
from .notices import notice as stale_notice
from .render import render_template
from ..store.records import file_digest, fingerprint, is_current, load_records, save_records
from .staleness import Staleness, assess, consequence, judge, version_date
from ..store.atomic import write_text_if_changed

log = logging.getLogger(__name__)

STATE_FORMAT = 1
ARTICLE_SUFFIXES = (".html", ".md", ".json")
INDEX_FILES = ("index.html", "index.json")

Key = tuple[str, str]  # (msgctxt, msgid): the unit's kind and French text
# Why `article` must not be published from `catalog` in this locale, or None to let it through.
Gate = Callable[[Article, polib.POFile], "str | None"]


def qa_gate(config: Config, locale: str) -> Gate:
    """The publishing gate used when the caller gives none: QA (lingopress.qa).

    An article with a QA error in an approved entry is not published; its last approved
    version stays live. It runs only for articles whose units are all approved.
    """
    from ..catalogs.glossary import load_glossary
    from ..qa import blocking_findings, hold_reason

    glossary = load_glossary(config)

    def gate(article: Article, catalog: polib.POFile) -> str | None:
        errors = blocking_findings(catalog, locale, glossary, source_locale=config.source_locale)
        return hold_reason(errors) if errors else None
    return gate


@dataclass(frozen=True)
class Snapshot:
    """One live version of an article in a locale: the source and the translations it was made from."""

    slug: str
    source: str  # the French Markdown file as it was when this version was approved
    source_hash: str
    translations: tuple[tuple[str, str, str], ...]  # (msgctxt, msgid, msgstr), sorted
    units: int
    approved: int
    original: bool = False  # the source locale itself: every unit is its own translation
    source_date: str = ""  # ISO date that French version was first seen (staleness.version_date)
    stale: Staleness | None = None  # the French changed since: outdated or withdrawn

    @property
    def withdrawn(self) -> bool:
        return self.stale is not None and self.stale.withdrawn

    @property
    def fallback(self) -> int:
        """Units shown in French because they had no approved translation."""
        return self.units - self.approved

    @property
    def translation_hash(self) -> str:
        return translation_hash(self.mapping())

    def mapping(self) -> dict[Key, str]:
        return {(context, source): text for context, source, text in self.translations}

    def to_json(self) -> dict:
        return {"source": self.source, "source_hash": self.source_hash,
                "translations": [list(entry) for entry in self.translations],
                "units": self.units, "approved": self.approved, "original": self.original,
                "source_date": self.source_date, "stale": self.stale.to_json() if self.stale else None}


@dataclass
class PublishReport:
    locale: str
    published: list[str] = field(default_factory=list)  # live in their current approved version
    held_back: dict[str, str] = field(default_factory=dict)  # slug → why the current one is not
    kept_live: list[str] = field(default_factory=list)  # held back, an older approved version stays
    fallback: dict[str, int] = field(default_factory=dict)  # slug → units shown in French
    withdrawn: list[str] = field(default_factory=list)  # source removed: pages removed
    stale: dict[str, str] = field(default_factory=dict)  # slug → outdated or withdrawn, and why
    files_written: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Alternate:
    locale: str
    lang: str  # BCP 47, for hreflang and lang attributes
    name: str  # the language's own name, from Babel
    href: str


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


def approved_translations(catalog: polib.POFile) -> dict[Key, str]:
    return {(entry.msgctxt, entry.msgid): entry.msgstr for entry in catalog if is_approved(entry)}


def translation_hash(translations: dict[Key, str]) -> str:
    """sha256 of the translations a version was made from, independent of their order."""
    rows = sorted([context, source, text] for (context, source), text in translations.items())
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


def unit_keys(article: Article) -> list[Key]:
    """The article's distinct units in document order, as its catalog keys them."""
    return list(dict.fromkeys((segment.kind, segment.text) for segment in article.segments))


# --- step 1: what is live ----------------------------------------------------------------

def update_published(config: Config, locale: str, articles: Sequence[Article], *,
                     gate: Gate | None = None, today: date | None = None) -> PublishReport:
    """Decide what is live in `locale` and record it in the locale's published state.

    `today` dates the source changes this run is the first to see (default: today, UTC)."""
    gate = gate or qa_gate(config, locale)
    today = today or datetime.now(timezone.utc).date()
    report = PublishReport(locale)
    previous = read_state(config, locale)
    live: dict[str, Snapshot] = {}
    for article in articles:
        _check_slug(article)
        if locale == config.source_locale:
            live[article.slug] = original_snapshot(article)
            report.published.append(article.slug)
            continue
        snapshot, why = _approved_snapshot(config, locale, article, gate)
        if snapshot is not None:
            live[article.slug] = replace(snapshot, source_date=version_date(
                previous.get(article.slug), article.source_hash, today))
            report.published.append(article.slug)
            if snapshot.fallback:
                report.fallback[article.slug] = snapshot.fallback
        elif article.slug in previous:
            kept = live[article.slug] = _judged(config, locale, previous[article.slug], article, today)
            report.kept_live.append(article.slug)
            if kept.stale is not None:
                report.stale[article.slug] = kept.stale.describe()
            report.held_back[article.slug] = f"{why}; {consequence(kept.stale)}"
        else:
            report.held_back[article.slug] = why
    # An article whose source is gone was withdrawn on purpose: its pages go too.
    report.withdrawn = sorted(set(previous) - {article.slug for article in articles})
    if write_state(config, locale, live):
        report.files_written.append(config.relative(state_path(config, locale)))
    for slug in report.withdrawn:
        for name in article_files(slug):
            config.output_dir(locale).joinpath(name).unlink(missing_ok=True)
    log.info("%s: live %s; held back %s; kept live %s; stale %s; withdrawn %s", locale,
             report.published or "none", report.held_back or "none", report.kept_live or "none",
             report.stale or "none", report.withdrawn or "none")
    return report


def _judged(config: Config, locale: str, live: Snapshot, article: Article, today: date) -> Snapshot:
    """The live version `live`, kept while `article` is not approved, with its staleness."""
    if live.source_hash == article.source_hash:
        # Held back by QA or a broken catalog, or the French was reverted: the live version is current.
        return replace(live, stale=None)
    old = parse_article(state_path(config, locale), live.source)
    verdict = judge(config.publish.stale, unit_keys(old), unit_keys(article), config.source_locale)
    if verdict is None:  # only the front matter's date or the layout changed
        return replace(live, stale=None)
    stale = assess(verdict, source_hash=article.source_hash, previous=live.stale, today=today,
                   translated_from=live.source_date or publication_date(old).isoformat())
    return replace(live, stale=stale)


def original_snapshot(article: Article) -> Snapshot:
    units = len(unit_keys(article))
    return Snapshot(article.slug, article.text, article.source_hash, (), units, units, original=True)


def _approved_snapshot(config: Config, locale: str, article: Article,
                       gate: Gate) -> tuple[Snapshot | None, str]:
    path = config.catalog_path(locale, article.slug)
    if not path.exists():
        return None, "no catalog yet"
    try:
        catalog = read_catalog(path, locale=locale)
    except CatalogError as err:  # one broken catalog holds back its article, not the locale
        return None, f"broken catalog: {err}"
    approved = approved_translations(catalog)
    keys = unit_keys(article)
    found = {key: approved[key] for key in keys if key in approved}
    missing = len(keys) - len(found)
    if missing and len(found) < config.publish.fallback_threshold * len(keys):
        return None, f"{missing} units not approved"
    why = gate(article, catalog)
    if why:
        return None, why
    translations = tuple(sorted((context, source, text) for (context, source), text in found.items()))
    return Snapshot(article.slug, article.text, article.source_hash, translations, len(keys),
                    len(found)), ""


def _check_slug(article: Article) -> None:
    if not is_valid_slug(article.slug):  # ingest refuses these; an Article made elsewhere may not
        raise PublishError(f"invalid slug {article.slug!r}", path=article.path, line=article.slug_line,
                           hint="use lowercase letters, digits and hyphens")
    if f"{article.slug}.html" in INDEX_FILES:
        raise PublishError(f"slug {article.slug!r} is reserved for the locale index page",
                           path=article.path, line=article.slug_line,
                           hint="give the article another slug")


def state_path(config: Config, locale: str) -> Path:
    return config.outputs_dir / ".state" / f"{locale}.json"


def published_locales(config: Config) -> list[str]:
    """Every locale with a published state: the source locale first, then by code."""
    codes = sorted(path.stem for path in (config.outputs_dir / ".state").glob("*.json"))
    return sorted(codes, key=lambda code: (code != config.source_locale, code))


def read_state(config: Config, locale: str) -> dict[str, Snapshot]:
    """The live versions of a locale's articles, by slug ({} before the first publish)."""
    path = state_path(config, locale)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PublishError(f"cannot read the published state: {err}", path=path,
                           hint="restore it from a backup, or delete it: articles that are not "
                                "fully approved now then stop being published") from err
    try:
        if raw["format"] != STATE_FORMAT or raw["locale"] != locale:
            raise ValueError(f"format {raw['format']!r}, locale {raw['locale']!r}")
        # source_date and stale came later: a state without them is read as current.
        return {slug: Snapshot(slug, item["source"], item["source_hash"],
                               tuple(tuple(entry) for entry in item["translations"]),
                               item["units"], item["approved"], item["original"],
                               item.get("source_date", ""), Staleness.from_json(item.get("stale")))
                for slug, item in raw["articles"].items()}
    except (KeyError, TypeError, ValueError) as err:
        raise PublishError(f"published state is not lingopress state format {STATE_FORMAT} "
                           f"for {locale}: {err}", path=path,
                           hint="restore it from a backup, or delete it to start over") from err


def write_state(config: Config, locale: str, live: dict[str, Snapshot]) -> bool:
    document = {"format": STATE_FORMAT, "locale": locale,
                "articles": {slug: live[slug].to_json() for slug in sorted(live)}}
    return write_text_if_changed(state_path(config, locale),
                                 json.dumps(document, ensure_ascii=False, indent=1) + "\n")


# --- step 2: rendering -------------------------------------------------------------------

def article_files(slug: str) -> list[str]:
    return [f"{slug}{suffix}" for suffix in ARTICLE_SUFFIXES]


def locale_files(snapshots: dict[str, Snapshot]) -> list[str]:
    """Every file of a locale's published output, relative to `outputs/<locale>/`, sorted."""
    return sorted([*INDEX_FILES, *(name for slug in snapshots for name in article_files(slug))])


RENDER_STAGE = "render"


def _render_digest(config: Config, locale: str, snapshot: Snapshot, languages: list[str]) -> str:
    """What an article's pages in a locale are made from, and the pages as they are now."""
    out = config.output_dir(locale)
    return fingerprint(RENDER_STAGE, locale, snapshot.slug, repr(snapshot.to_json()), repr(languages),
                       repr(config.publish), config.source_locale,
                       *(file_digest(out / f"{snapshot.slug}{suffix}") for suffix in ARTICLE_SUFFIXES))


def render_outputs(config: Config) -> list[str]:
    """Render every published locale and the root index; return the files that changed."""
    states = {locale: read_state(config, locale) for locale in published_locales(config)}
    where: dict[str, list[str]] = {}
    for locale, snapshots in states.items():
        for slug, snapshot in snapshots.items():
            if not snapshot.withdrawn:  # a notice is no alternate for the article
                where.setdefault(slug, []).append(locale)
    written: list[str] = []

    def write(path: Path, text: str) -> None:
        if write_text_if_changed(path, text):
            written.append(config.relative(path))

    for locale, snapshots in states.items():
        out = config.output_dir(locale)
        entries = []
        records = load_records(config, RENDER_STAGE, locale)
        updated: dict[str, dict] = {}
        for slug, snapshot in sorted(snapshots.items()):
            languages = where.get(slug, [])
            # An article whose snapshot, languages and files are as the last render left
            # them is not rendered again (the pages of N articles on every run add up).
            if is_current(records, slug, _render_digest(config, locale, snapshot, languages)):
                entries.append(RenderedArticle(**{**records[slug]["index"], "html": "", "markdown": "",
                                                  "json": "", "locale": locale, "slug": slug,
                                                  "published": date.fromisoformat(records[slug]["index"]["published"])}))
                updated[slug] = records[slug]
                continue
            article = parse_article(state_path(config, locale), snapshot.source)
            rendered = render_article(
                article, locale, snapshot.mapping(),
                alternates=[_alternate(config, code, f"{slug}.html") for code in languages],
                source_locale=config.source_locale, original=snapshot.original, stale=snapshot.stale)
            if rendered.fallback != snapshot.fallback:
                raise PublishError(f"{slug}: {rendered.fallback} units lack a translation, the "
                                   f"state says {snapshot.fallback}", path=state_path(config, locale),
                                   hint="delete the file and publish again")
            for suffix, text in zip(ARTICLE_SUFFIXES, (rendered.html, rendered.markdown, rendered.json)):
                write(out / f"{slug}{suffix}", text)
            entries.append(rendered)
            updated[slug] = {
                "fingerprint": _render_digest(config, locale, snapshot, languages),
                "index": {"title": rendered.title, "summary": rendered.summary,
                          "published": rendered.published.isoformat(), "fallback": rendered.fallback}}
        save_records(config, RENDER_STAGE, locale, updated)
        # The index lists the articles readers can read: a withdrawn one is a notice.
        readable = [entry for entry in entries if not snapshots[entry.slug].withdrawn]
        index_html, index_json = render_index(config, locale, readable, list(states))
        write(out / "index.html", index_html)
        write(out / "index.json", index_json)
    if states:
        write(config.outputs_dir / "index.html", render_root_index(config, states))
    log.info("rendered %d locales, %d files changed", len(states), len(written))
    return written


def publish_locale(config: Config, locale: str, articles: Sequence[Article], *,
                   gate: Gate | None = None, today: date | None = None) -> PublishReport:
    """Both steps for one locale (and the French original): decide, then render everything."""
    if locale != config.source_locale:
        update_published(config, config.source_locale, articles)
    report = update_published(config, locale, articles, gate=gate, today=today)
    report.files_written.extend(render_outputs(config))
    return report


def render_article(article: Article, locale: str, translations: dict[Key, str], *,
                   alternates: Sequence[Alternate] = (), source_locale: str = "fr",
                   original: bool = False, stale: Staleness | None = None) -> RenderedArticle:
    """Render `article` in `locale`; a unit without a translation keeps its French text.

    A `stale` version gets a notice (notices.py) at the top of its body in every format;
    a withdrawn one is replaced by it, title and summary included, so no stale text is left.
    """
    md = parser()
    tokens = [token for token in md.parse(article.text) if token.type != "front_matter"]
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
    for unit in iter_units(md, tokens):
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
        notice_html = render_template("notice.html.j2", notice=notice, source_lang=bcp47(source_locale))
        notice_md = render_template("notice.md.j2", notice=notice)
        if notice.withdrawn:
            title, summary, body_html, body_md = notice.title, notice.text, notice_html, notice_md
        else:
            body_html, body_md = notice_html + body_html, notice_md + body_md
    context = {
        "lang": bcp47(locale), "dir": info.text_direction, "language_name": language_name(locale),
        "title": title, "summary": summary, "date_iso": published.isoformat(),
        "date_text": format_date(published, format="long", locale=locale),
        "alternates": alternates, "source": source, "source_lang": bcp47(source_locale),
        "original": original, "fallback": fallback, "withdrawn": notice is not None and notice.withdrawn,
        "body": Markup(body_html),  # markdown-it escapes all text; raw HTML is off in parser()
    }
    html = render_template("article.html.j2", **context)
    front = {"title": title, "summary": summary, "slug": article.slug, "date": published,
             "lang": bcp47(locale), "dir": info.text_direction, "source_lang": bcp47(source_locale),
             "source_hash": article.source_hash}
    if stale is not None:
        front[stale.state] = stale.public()
    markdown = render_template(
        "article.md.j2", front_matter=yaml.safe_dump(front, allow_unicode=True, sort_keys=False), body=body_md)
    document = {
        "slug": article.slug, "lang": bcp47(locale), "dir": info.text_direction,
        "language_name": language_name(locale), "title": title, "summary": summary,
        "date": published.isoformat(), "date_text": context["date_text"],
        "html": body_html, "markdown": body_md,
        "alternates": [{"lang": alt.lang, "name": alt.name, "href": alt.href} for alt in alternates],
        "source": {"lang": bcp47(source_locale), "hash": article.source_hash,
                   "href": source.href if source else None},
        "translation_hash": translation_hash(translations),
        "fallback_units": fallback,
        "outdated": stale.public() if stale is not None and not stale.withdrawn else None,
        "withdrawn": stale.public() if stale is not None and stale.withdrawn else None,
    }
    return RenderedArticle(article.slug, locale, title, summary, published, fallback, html, markdown,
                           json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def render_index(config: Config, locale: str, articles: Sequence[RenderedArticle],
                 locales: Sequence[str]) -> tuple[str, str]:
    """A locale's index page and its JSON twin: every article live in it, newest first."""
    ordered = sorted(articles, key=lambda a: (-a.published.toordinal(), a.slug))
    entries = [{"slug": a.slug, "title": a.title, "summary": a.summary,
                "date": a.published.isoformat(),
                "date_text": format_date(a.published, format="long", locale=locale),
                "href": f"{a.slug}.html", "markdown": f"{a.slug}.md", "json": f"{a.slug}.json"}
               for a in ordered]
    info = Locale.parse(locale)
    html = render_template(
        "index.html.j2", lang=bcp47(locale), dir=info.text_direction, language_name=language_name(locale),
        articles=entries, alternates=[_alternate(config, code, "index.html") for code in locales])
    document = {"lang": bcp47(locale), "dir": info.text_direction,
                "language_name": language_name(locale), "articles": entries}
    return html, json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render_root_index(config: Config, states: dict[str, dict[str, Snapshot]]) -> str:
    """`outputs/index.html`: the published locales, each named in its own language."""
    locales = [{"lang": bcp47(code), "dir": Locale.parse(code).text_direction,
                "name": language_name(code), "href": f"{code}/index.html",
                "count": sum(not snapshot.withdrawn for snapshot in snapshots.values())}
               for code, snapshots in states.items()]
    return render_template("root.html.j2", lang=bcp47(config.source_locale), locales=locales)


def publication_date(article: Article) -> date:
    value = article.meta["date"]
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as err:
        raise PublishError(f"front matter date {value!r} is not a date", path=article.path,
                           hint="write it as YYYY-MM-DD, e.g. date: 2026-11-27") from err


def bcp47(locale: str) -> str:
    return locale.replace("_", "-")


def language_name(locale: str) -> str:
    """The language's name in itself (Babel/CLDR), capitalised as a menu entry: "Français"."""
    name = Locale.parse(locale).display_name or locale
    return name[:1].upper() + name[1:]


def _alternate(config: Config, locale: str, name: str) -> Alternate:
    # Relative links work wherever outputs/ is served; hreflang wants absolute URLs, which
    # need to know the site: [publish] base_url gives it.
    base = config.publish.base_url
    href = f"{base}/{locale}/{name}" if base else f"../{locale}/{name}"
    return Alternate(locale, bcp47(locale), language_name(locale), href)
