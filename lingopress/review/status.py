"""Where each article stands in each locale: counts, QA results, publishable or not.

The same rows feed the terminal table (`lingopress status`), its JSON, the HTML status
page `outputs/status.html` and the Prefect markdown artifact of each pipeline run. A row
counts the article's units as the template has them now, so a catalog that lags behind
its source shows the new units as untranslated, exactly as publishing sees them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import polib
from babel import Locale

from ..catalogs.po import has_translation, is_approved, read_catalog
from ..config import Config
from ..errors import CatalogError
from ..catalogs.glossary import Glossary, load_glossary
from ..ingest import Article, build_template
from .pages import render_review, render_status_page
from ..publishing.publish import Snapshot, read_state
from ..qa import ERROR, WARNING, Context, Finding, check_entry
from ..store.records import file_digest, fingerprint, glossary_digest, is_current, load_records, save_records
from .model import (APPROVED, FUZZY, UNTRANSLATED, ArticleStatus, LocaleSummary, Review, ReviewEntry,
                           review_path, status_page_path)
from ..store.atomic import write_text_if_changed

log = logging.getLogger(__name__)


def review_article(config: Config, article: Article, locale: str, glossary: Glossary) -> Review:
    """Count and check one article in one locale against its current template."""
    path = config.catalog_path(locale, article.slug)
    problem = ""
    try:
        catalog = read_catalog(path) if path.exists() else polib.POFile()
    except CatalogError as err:
        # One broken catalog must not hide where every other article stands.
        catalog, problem = polib.POFile(), f"broken catalog: {err}"
    live = {(entry.msgctxt, entry.msgid): entry for entry in catalog if not entry.obsolete}
    ctx = Context(locale, glossary, config.source_locale)
    entries = []
    for unit in build_template(article, config, locale, glossary):
        entry = live.get((unit.msgctxt, unit.msgid))
        if entry is None or not has_translation(entry):
            state = UNTRANSLATED
        else:
            state = APPROVED if is_approved(entry) else FUZZY
        findings = tuple(check_entry(entry, ctx)) if entry is not None else ()
        entries.append(ReviewEntry(unit.msgctxt or "", unit.msgid, entry.msgstr if entry else "", state,
                                   entry.linenum if entry else None, findings))
    counts = {state: sum(1 for e in entries if e.state == state) for state in (APPROVED, FUZZY, UNTRANSLATED)}
    found = [f for e in entries for f in e.findings]
    blocking = [f for e in entries if e.state == APPROVED for f in e.findings
                if f.severity == ERROR and not f.dismissed]
    status = ArticleStatus(
        slug=article.slug, locale=locale, title=article.title, entries=len(entries),
        approved=counts[APPROVED], fuzzy=counts[FUZZY], untranslated=counts[UNTRANSLATED],
        qa_errors=sum(1 for f in found if f.severity == ERROR and not f.dismissed),
        qa_warnings=sum(1 for f in found if f.severity == WARNING and not f.dismissed),
        qa_dismissed=sum(1 for f in found if f.dismissed),
        publishable=bool(entries) and counts[APPROVED] == len(entries) and not blocking,
        catalog=config.relative(path), review=config.relative(review_path(config, locale, article.slug)),
        problem=problem)
    return Review(article, locale, status, tuple(entries))


def review_project(config: Config, articles: Sequence[Article],
                   glossary: Glossary | None = None) -> list[Review]:
    glossary = load_glossary(config) if glossary is None else glossary
    states = published_states(config)
    return [_with_live(review_article(config, article, locale, glossary), states)
            for article in articles for locale in config.target_locales]


def published_states(config: Config) -> dict[str, dict[str, Snapshot]]:
    """Each target locale's published state: what readers get since the last publish."""
    return {locale: read_state(config, locale) for locale in config.target_locales}


def live_row(row: ArticleStatus, states: dict[str, dict[str, Snapshot]]) -> ArticleStatus:
    """`row` with what is live of its article in its locale (from the published state, which
    the row's cache fingerprint does not cover: this is applied to cached rows too)."""
    snapshot = states.get(row.locale, {}).get(row.slug)
    if snapshot is None:
        return replace(row, live="", live_note="")
    if snapshot.stale is None:
        return replace(row, live="current", live_note="")
    return replace(row, live=snapshot.stale.state, live_note=snapshot.stale.describe())


def _with_live(review: Review, states: dict[str, dict[str, Snapshot]]) -> Review:
    return replace(review, status=live_row(review.status, states))


def summarize(rows: Sequence[ArticleStatus]) -> list[LocaleSummary]:
    locales = list(dict.fromkeys(row.locale for row in rows))
    summaries = []
    for locale in locales:
        mine = [row for row in rows if row.locale == locale]
        summaries.append(LocaleSummary(
            locale=locale, language=Locale.parse(locale).english_name, articles=len(mine),
            publishable=sum(row.publishable for row in mine),
            entries=sum(row.entries for row in mine), approved=sum(row.approved for row in mine),
            fuzzy=sum(row.fuzzy for row in mine), untranslated=sum(row.untranslated for row in mine),
            qa_errors=sum(row.qa_errors for row in mine)))
    return summaries


def status_json(config: Config, rows: Sequence[ArticleStatus]) -> dict:
    return {
        "articles": [asdict(row) for row in rows],
        "locales": {summary.locale: {key: value for key, value in asdict(summary).items() if key != "locale"}
                    for summary in summarize(rows)},
        "status_page": config.relative(status_page_path(config)),
    }


def status_markdown(rows: Sequence[ArticleStatus]) -> str:
    """The status table as Markdown (the Prefect artifact)."""
    lines = ["# lingopress status", "",
             "| article | locale | approved | fuzzy | untranslated | QA errors | QA warnings | publishable | live |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for row in rows:
        lines.append(f"| {row.slug} | {row.locale} | {row.approved}/{row.entries} | {row.fuzzy} | "
                     f"{row.untranslated} | {row.qa_errors} | {row.qa_warnings} | "
                     f"{'yes' if row.publishable else 'no'} | {live_text(row)} |")
    lines += ["", "| locale | approved | publishable articles |", "| --- | ---: | ---: |"]
    for summary in summarize(rows):
        lines.append(f"| {summary.locale} ({summary.language}) | {summary.approved}/{summary.entries} "
                     f"({summary.percent('approved')} %) | {summary.publishable}/{summary.articles} |")
    return "\n".join(lines) + "\n"


def live_text(row: ArticleStatus) -> str:
    """The live column: "current", "outdated since …", "withdrawn (…)", or "-" when nothing is live."""
    return row.live_note or row.live or "-"


def write_review_pages(config: Config, reviews: Sequence[Review]) -> list[str]:
    """Write the status page and one review page per article and locale; return those written."""
    return _write_pages(config, [review.status for review in reviews], reviews)


def _write_pages(config: Config, rows: Sequence[ArticleStatus], reviews: Sequence[Review]) -> list[str]:
    written = []
    target = status_page_path(config)
    if write_text_if_changed(target, render_status_page(config, rows, summarize(rows))):
        written.append(config.relative(target))
    for review in reviews:
        target = review_path(config, review.locale, review.article.slug)
        if write_text_if_changed(target, render_review(config, review)):
            written.append(config.relative(target))
    log.info("review pages: %d written", len(written))
    return written


STATUS_STAGE = "status"


def status_fingerprint(config: Config, article: Article, locale: str, glossary: str) -> str:
    """Everything a row and its review page are made from, and the page as it is now."""
    return fingerprint(STATUS_STAGE, config.source_locale, locale, article.slug, article.source_hash,
                       config.relative(article.path), glossary,
                       file_digest(config.catalog_path(locale, article.slug)),
                       file_digest(review_path(config, locale, article.slug)))


def refresh_status(config: Config, articles: Sequence[Article]) -> tuple[list[ArticleStatus], list[str]]:
    """The rows of review_project and the pages of write_review_pages, for a pipeline run:
    a unit whose inputs are byte for byte those of the last run keeps its recorded row and
    its review page (QA is what costs here, and nothing it reads changed)."""
    glossary_hash = glossary_digest(config)
    glossary: Glossary | None = None
    rows: list[ArticleStatus] = []
    reviews: list[Review] = []
    records = {locale: load_records(config, STATUS_STAGE, locale) for locale in config.target_locales}
    states = published_states(config)
    updated: dict[str, dict[str, dict]] = {locale: {} for locale in config.target_locales}
    for article in articles:  # the order of review_project
        for locale in config.target_locales:
            if is_current(records[locale], article.slug, status_fingerprint(config, article, locale, glossary_hash)):
                rows.append(live_row(ArticleStatus(**records[locale][article.slug]["row"]), states))
                updated[locale][article.slug] = records[locale][article.slug]
                continue
            glossary = load_glossary(config) if glossary is None else glossary
            review = _with_live(review_article(config, article, locale, glossary), states)
            reviews.append(review)
            rows.append(review.status)
    written = _write_pages(config, rows, reviews)
    for review in reviews:  # recorded with the page as just written
        updated[review.locale][review.article.slug] = {
            "fingerprint": status_fingerprint(config, review.article, review.locale, glossary_hash),
            "row": asdict(review.status)}
    for locale, units in updated.items():
        save_records(config, STATUS_STAGE, locale, units)
    return rows, written


@dataclass(frozen=True)
class CatalogFindings:
    path: str  # as given to the user: relative to the working directory when below it
    locale: str
    slug: str
    findings: tuple[Finding, ...]


def check_project(config: Config, glossary: Glossary | None = None) -> list[CatalogFindings]:
    """QA findings of every catalog of the configured locales (drafts included)."""
    from ..errors import display_path
    from ..qa import check_catalog

    glossary = load_glossary(config) if glossary is None else glossary
    results = []
    for locale in config.target_locales:
        for path in sorted((config.translations_dir / locale).glob("*.po")):
            findings = check_catalog(read_catalog(path), locale, glossary, source_locale=config.source_locale)
            results.append(CatalogFindings(display_path(path), locale, path.stem,
                                           tuple(sorted(findings, key=lambda f: f.line))))
    return results
