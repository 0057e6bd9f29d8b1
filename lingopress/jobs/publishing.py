"""Jobs of the publishing side: what is live per locale, the pages, the bundles."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import polib

from ..catalogs.glossary import Glossary
from ..config import PublishSettings
from ..errors import LingopressError, PublishError
from ..ingest import Article, parse_article
from ..publishing.bundles import BundleResult, bundle_articles, bundle_locale
from ..publishing.feeds import FeedEntry, SitemapPage, render_feed, render_sitemap
from ..publishing.pages import (
    FEED_NAME,
    SITEMAP_NAME,
    RenderedArticle,
    alternate,
    bcp47,
    language_name,
    locale_extras,
    render_article,
    render_index,
    render_root_index,
)
from ..publishing.render import ASSETS_DIR, Site
from ..publishing.publish import (
    Decision,
    Gate,
    PublishReport,
    Snapshot,
    article_files,
    decide,
    decide_site,
    locale_files,
    qa_gate,
)
from ..site import SITE_SLUG, SiteText
from ..site import disclaimer as site_disclaimer
from ..skip import fingerprint, skipping
from ..store.project import ProjectStore
from .base import Run, in_process, site_of

log = logging.getLogger(__name__)


# --- publish -----------------------------------------------------------------------

@dataclass(frozen=True)
class PublishJob:
    """One locale's publishing decisions to make, as data."""

    locale: str
    units: tuple[tuple[Article, polib.POFile | str | None, Snapshot | None], ...]  # article, catalog, live now
    source_locale: str
    settings: PublishSettings
    glossary: Glossary
    today: date
    state_path: str
    gate: Gate | None = None  # None: QA (publish.qa_gate)


def decide_all(job: PublishJob) -> list[Decision]:
    """The publish stage for one locale: a decision per article (QA gate included)."""
    gate = job.gate or qa_gate(job.glossary, job.locale, job.source_locale)
    return [decide(job.locale, article, catalog, live, source_locale=job.source_locale, settings=job.settings,
                   gate=gate, today=job.today, state_path=job.state_path)
            for article, catalog, live in job.units]


def publish_locale(store: ProjectStore, locale: str, articles: Sequence[Article], *,
                   today: date | None = None, gate: Gate | None = None,
                   stage: Callable[[PublishJob], list[Decision]] = decide_all, run: Run = in_process) -> PublishReport:
    """Decide what is live in `locale` and record it in the locale's published state.

    An article whose source is gone was withdrawn on purpose: its pages go too. `today`
    dates the source changes this run is the first to see (default: today, UTC).
    """
    config = store.config
    today = today or datetime.now(timezone.utc).date()
    path = store.state_path(locale)
    previous = store.published_state(locale)
    by_slug = {article.slug: article for article in articles}
    glossary_digest = store.glossary_digest()
    original = locale == config.source_locale
    report = PublishReport(locale)
    decisions: dict[str, Decision] = {}

    def fingerprint_of(slug: str) -> str:
        live = previous.get(slug)
        catalog = "original" if original else store.digest(store.catalog_path(locale, slug))
        return fingerprint("publish", locale, slug, by_slug[slug].source_hash, catalog, glossary_digest,
                           repr(config.publish), repr(by_slug[slug].fields), config.source_locale,
                           live.digest if live else "none")

    def publish(todo: list[str]) -> dict[str, dict]:
        units = tuple((by_slug[slug], None if original else store.catalog_or_problem(locale, slug),
                       previous.get(slug)) for slug in todo)
        job = PublishJob(locale, units, config.source_locale, config.publish, store.glossary(), today,
                         store.relative(path), gate)
        [done] = run(stage, [job])
        if isinstance(done, LingopressError):
            raise done
        for decision in done:
            decisions[decision.slug] = decision
            previous.pop(decision.slug, None)
            if decision.live is not None:
                previous[decision.slug] = decision.live  # the fingerprint after the run sees it
        return {decision.slug: decision.to_json() for decision in done}

    # The QA gate is covered by the fingerprint (glossary, lingopress's version); a gate
    # given by the caller is not, so nothing is skipped then.
    outcome = skipping(store, "publish", locale, list(by_slug), fingerprint_of, publish,
                       reusable=lambda record: gate is None)
    live: dict[str, Snapshot] = {}
    for slug in by_slug:
        decision = decisions.get(slug) or Decision(slug, previous.get(slug), **outcome.payloads[slug])
        report.add(decision)
        if decision.live is not None:
            live[slug] = decision.live
    report.withdrawn = sorted(set(previous) - set(by_slug))
    if store.save_published_state(locale, live):
        report.files_written.append(store.relative(path))
    if not original:
        _publish_site(store, locale, gate or qa_gate(store.glossary(), locale, config.source_locale), report)
    for slug in report.withdrawn:
        for name in article_files(slug):
            store.remove(config.output_dir(locale) / name)
    log.info("%s: live %s; held back %s; kept live %s; stale %s; withdrawn %s", locale,
             report.published or "none", report.held_back or "none", report.kept_live or "none",
             report.stale or "none", report.withdrawn or "none")
    return report


def _publish_site(store: ProjectStore, locale: str, gate: Gate, report: PublishReport) -> None:
    """Record the site texts' approved version in `locale` (the French shows until there is one)."""
    site = site_of(store.config)
    if site is None and store.site_state(locale) is None:
        return
    live, why = decide_site(site, store.catalog_or_problem(locale, SITE_SLUG), gate) if site else (None, "")
    report.site = "live" if live is not None else why
    if store.save_site_state(locale, live):
        report.files_written.append(store.relative(store.site_state_path(locale)))
    if site is not None:
        log.info("%s: site texts %s", locale, "live" if live is not None else f"in French ({why})")


# --- render ------------------------------------------------------------------------

def render_outputs(store: ProjectStore) -> list[str]:
    """Render every published locale's pages, its index, feed and sitemap, the theme, the
    root index and the site's sitemap; return the files that changed. Pages are a function
    of the published states (and the site's settings and templates) alone."""
    config = store.config
    site = store.site
    states = store.published_states()
    where: dict[str, list[str]] = {}
    for locale, snapshots in states.items():
        for slug, snapshot in snapshots.items():
            if not snapshot.withdrawn:  # a notice is no alternate for the article
                where.setdefault(slug, []).append(locale)
    written: list[str] = []
    theme_name, theme = site.stylesheet()
    # Everything of the site a page depends on besides its own state (templates included).
    site_key = fingerprint("site", repr(site))
    sitemap: list[SitemapPage] = []
    site_article = site_of(config)
    for locale, snapshots in states.items():
        out = config.output_dir(locale)
        live_site = store.site_state(locale) if locale != config.source_locale else None
        footer = site_disclaimer(site_article, locale, live_site.mapping() if live_site else {}, config.source_locale)

        def fingerprint_of(slug: str, snapshots=snapshots, out=out, locale=locale, footer=footer) -> str:
            return fingerprint("render", locale, slug, snapshots[slug].digest,
                               repr(where.get(slug, [])), repr(config.publish), config.source_locale, site_key,
                               repr(footer),
                               *(store.digest(out / name) for name in article_files(slug)))

        def render(todo: list[str], snapshots=snapshots, out=out, locale=locale, footer=footer) -> dict[str, dict]:
            payloads = {}
            for slug in todo:
                snapshot = snapshots[slug]
                rendered = render_snapshot(snapshot, locale, where.get(slug, []), site, config.source_locale,
                                           store.state_path(locale), footer)
                written.extend(store.write_pages(dict(zip(
                    (out / name for name in article_files(slug)),
                    (rendered.html, rendered.markdown, rendered.json)))))
                payloads[slug] = {"title": rendered.title, "summary": rendered.summary,
                                  "published": rendered.published.isoformat(), "fallback": rendered.fallback}
            return payloads

        done = skipping(store, "render", locale, sorted(snapshots), fingerprint_of, render)
        # The index lists the articles readers can read: a withdrawn one is a notice.
        entries = [RenderedArticle(slug, locale, row["title"], row["summary"], date.fromisoformat(row["published"]),
                                   row["fallback"], "", "", "")
                   for slug, row in sorted(done.payloads.items()) if not snapshots[slug].withdrawn]
        index_html, index_json = render_index(site, locale, entries, list(states), disclaimer=footer)
        feed = render_feed(site, locale, bcp47(locale), f"{site.name} · {language_name(locale)}",
                           [FeedEntry(entry.slug, entry.title, entry.summary, entry.published,
                                      reviewed_date(snapshots[entry.slug], entry.published)) for entry in entries])
        pages = {out / "index.html": index_html, out / "index.json": index_json, out / FEED_NAME: feed,
                 out / site.stylesheet_path(): theme}
        if site.base_url:
            mine = locale_sitemap(site, locale, list(states), entries, snapshots, where)
            sitemap.extend(mine)
            pages[out / SITEMAP_NAME] = render_sitemap(mine)
        else:
            store.remove(out / SITEMAP_NAME)  # a sitemap needs absolute URLs: none without base_url
        written.extend(store.write_pages(pages))
        written.extend(store.remove_old_assets(out / ASSETS_DIR, keep=theme_name))
    if states:
        counts = {code: sum(not snapshot.withdrawn for snapshot in snapshots.values())
                  for code, snapshots in states.items()}
        root = {config.outputs_dir / "index.html": render_root_index(site, config.source_locale, counts),
                config.outputs_dir / site.stylesheet_path(): theme}
        if site.base_url:
            root[config.outputs_dir / SITEMAP_NAME] = render_sitemap(
                [SitemapPage(f"{site.base_url}/index.html"), *sitemap])
        else:
            store.remove(config.outputs_dir / SITEMAP_NAME)
        written.extend(store.write_pages(root))
        written.extend(store.remove_old_assets(config.outputs_dir / ASSETS_DIR, keep=theme_name))
    log.info("rendered %d locales, %d files changed", len(states), len(written))
    return written


def reviewed_date(snapshot: Snapshot, published: date) -> date:
    """When a live version's translations were approved; the article's date where unknown."""
    return date.fromisoformat(snapshot.reviewed) if snapshot.reviewed else published


def locale_sitemap(site: Site, locale: str, locales: list[str], entries: list[RenderedArticle],
                   snapshots: dict[str, Snapshot], where: dict[str, list[str]]) -> list[SitemapPage]:
    """The sitemap entries of a locale's pages: its index and each readable article, each
    with the languages it exists in."""
    def url(code: str, name: str) -> str:
        return f"{site.base_url}/{code}/{name}"

    index = SitemapPage(url(locale, "index.html"), tuple((bcp47(code), url(code, "index.html")) for code in locales))
    return [index, *(SitemapPage(url(locale, f"{entry.slug}.html"),
                                 tuple((bcp47(code), url(code, f"{entry.slug}.html")) for code in where[entry.slug]),
                                 reviewed_date(snapshots[entry.slug], entry.published))
                     for entry in entries)]


def render_snapshot(snapshot: Snapshot, locale: str, languages: list[str], site: Site, source_locale: str,
                    state_path: Path, disclaimer: SiteText | None = None) -> RenderedArticle:
    article = parse_article(state_path, snapshot.source, fields=snapshot.fields)
    rendered = render_article(
        article, locale, snapshot.mapping(),
        alternates=[alternate(site.base_url, code, f"{snapshot.slug}.html") for code in languages],
        source_locale=source_locale, original=snapshot.original, stale=snapshot.stale,
        reviewed=date.fromisoformat(snapshot.reviewed) if snapshot.reviewed else None, site=site,
        disclaimer=disclaimer)
    if rendered.fallback != snapshot.fallback:
        raise PublishError(f"{snapshot.slug}: {rendered.fallback} units lack a translation, the "
                           f"state says {snapshot.fallback}", path=state_path,
                           hint="delete the file and publish again")
    return rendered


# --- bundles -----------------------------------------------------------------------

def build_bundles(store: ProjectStore, *, now: datetime | None = None) -> dict[str, BundleResult]:
    """Bundle every published locale whose content changed since its latest version.

    Written for crash safety: the archive, then its manifest, and `index.json` last, so a
    reader of the index only ever sees complete versions. The caller holds the project
    lock (two writers would pick the same version number); it is re-entrant, so the run
    that already holds it goes straight through.
    """
    states = store.published_states()
    if not states and not store.has_bundles():
        return {}
    created = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    with store.locked():
        index = store.bundle_index()
        results: dict[str, BundleResult] = {}
        for locale, snapshots in states.items():
            if snapshots or locale in index["locales"]:  # else nothing was ever published in it
                results[locale] = _bundle(store, locale, snapshots, index, created)
        # Last: only now do readers of the index see the new versions.
        store.save_bundle_index(index)
    return results


def _bundle(store: ProjectStore, locale: str, snapshots: dict[str, Snapshot], index: dict,
            created: datetime) -> BundleResult:
    """One locale's bundle, skipped when its files and latest version are as last time."""
    out = store.config.output_dir(locale)
    directory = store.bundles_dir / locale
    names = sorted([*locale_files(snapshots), *locale_extras(store.site)])
    made: dict[str, BundleResult] = {}

    def fingerprint_of(_: str) -> str:
        entry = index["locales"].get(locale)
        latest = next((item for item in entry["versions"] if item["version"] == entry["latest"]), None) if entry else None
        digests = store.file_sizes_and_digests([out / name for name in names])
        return fingerprint("bundle", locale, json.dumps(latest, sort_keys=True),
                           *(f"{name}:{digests.get(out / name)}" for name in names))

    def bundle(_: list[str]) -> dict[str, dict]:
        files = {}
        for name in names:
            files[name] = store.published_file(out / name)
        titles = {slug: json.loads(files[f"{slug}.json"])["title"] for slug in snapshots}
        store.remove_temp_files(directory)  # an interrupted run's temporary files (we hold the lock)
        existing = store.bundle_names(locale)
        entry = index["locales"].get(locale)
        result, new = bundle_locale(locale, files, bundle_articles(snapshots, titles), entry, existing, created)
        if new is not None:
            for name, data in ((new.archive_name, new.archive), (new.manifest_name, new.manifest)):
                store.write_new(directory / name, data)
            item = index["locales"].setdefault(locale, {"latest": 0, "versions": []})
            item["versions"].append(new.record)
            item["latest"] = result.version
            log.info("%s: bundle version %d (%d articles, %d files, %d bytes)", locale, result.version,
                     result.articles, len(files), len(new.archive))
        made[locale] = result
        return {locale: {"version": result.version, "archive": result.archive, "articles": result.articles}}

    done = skipping(store, "bundle", locale, [locale], fingerprint_of, bundle)
    if locale in made:
        return made[locale]
    row = done.payloads[locale]
    return BundleResult(locale, row["version"], False, row["archive"], row["articles"])
