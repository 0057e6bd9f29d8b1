"""Where each article stands in each locale: counts, QA results, publishable or not.

The same rows feed the terminal table (`lingopress status`), its JSON, the HTML status
page `outputs/status.html` and the Prefect markdown artifact of each pipeline run. A row
counts the article's units as the template has them now, so a catalog that lags behind
its source shows the new units as untranslated, exactly as publishing sees them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace

import polib
from babel import Locale

from ..catalogs.glossary import Glossary
from ..catalogs.po import has_translation, is_approved
from ..ingest import Article
from ..publishing.publish import Snapshot
from ..qa import ERROR, WARNING, Context, check_entry
from ..site import SITE_SLUG
from .model import APPROVED, FUZZY, UNTRANSLATED, ArticleStatus, LocaleSummary, Review, ReviewEntry



def review_article(article: Article, locale: str, catalog: polib.POFile | str | None, template: polib.POFile,
                   glossary: Glossary, *, source_locale: str, catalog_path: str, review_path: str) -> Review:
    """Count and check one article in one locale against its current template.

    `catalog` is the parsed catalog, None when there is none yet, or why it cannot be read
    (one broken catalog must not hide where every other article stands); the paths are
    what the row shows, relative to the project.
    """
    problem = catalog if isinstance(catalog, str) else ""
    if not isinstance(catalog, polib.POFile):
        catalog = polib.POFile()
    live = {(entry.msgctxt, entry.msgid): entry for entry in catalog if not entry.obsolete}
    ctx = Context(locale, glossary, source_locale)
    entries = []
    for unit in template:
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
        catalog=catalog_path, review=review_path, problem=problem)
    return Review(article, locale, status, tuple(entries))


def live_row(row: ArticleStatus, states: dict[str, dict[str, Snapshot]]) -> ArticleStatus:
    """`row` with what is live of its article in its locale (from the published state, which
    the row's cache fingerprint does not cover: this is applied to cached rows too)."""
    snapshot = states.get(row.locale, {}).get(row.slug)
    if snapshot is None:
        return replace(row, live="", live_note="")
    if snapshot.stale is None:
        return replace(row, live="current", live_note="")
    return replace(row, live=snapshot.stale.state, live_note=snapshot.stale.describe())


def summarize(rows: Sequence[ArticleStatus]) -> list[LocaleSummary]:
    locales = list(dict.fromkeys(row.locale for row in rows))
    summaries = []
    for locale in locales:
        mine = [row for row in rows if row.locale == locale]
        # The site texts' units count as work; their row is no article a reader can open.
        articles = [row for row in mine if row.slug != SITE_SLUG]
        summaries.append(LocaleSummary(
            locale=locale, language=Locale.parse(locale).english_name, articles=len(articles),
            publishable=sum(row.publishable for row in articles),
            entries=sum(row.entries for row in mine), approved=sum(row.approved for row in mine),
            fuzzy=sum(row.fuzzy for row in mine), untranslated=sum(row.untranslated for row in mine),
            qa_errors=sum(row.qa_errors for row in mine)))
    return summaries


def status_json(rows: Sequence[ArticleStatus], status_page: str) -> dict:
    return {
        "articles": [asdict(row) for row in rows],
        "locales": {summary.locale: {key: value for key, value in asdict(summary).items() if key != "locale"}
                    for summary in summarize(rows)},
        "status_page": status_page,
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
