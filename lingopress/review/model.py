"""What status computes and the status and review pages show: one row per article and
locale, each entry as a reviewer sees it, per-locale totals.

Its own module so that `status` (which computes these) and `pages` (which renders them)
both import it and neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ingest import Article
from ..qa import Finding

APPROVED, FUZZY, UNTRANSLATED = "approved", "fuzzy", "untranslated"


@dataclass(frozen=True)
class ArticleStatus:
    slug: str
    locale: str
    title: str
    entries: int
    approved: int
    fuzzy: int
    untranslated: int
    qa_errors: int
    qa_warnings: int
    qa_dismissed: int
    publishable: bool
    catalog: str  # relative to the project
    review: str  # the review page, relative to the project
    problem: str = ""  # e.g. a catalog that cannot be read: the row then counts nothing as done
    # What readers get as of the last publish: "current", "outdated", "withdrawn" or "" (nothing
    # live), and for the stale ones why: "outdated since 2026-03-09", "withdrawn (safety change: …)".
    live: str = ""
    live_note: str = ""


@dataclass(frozen=True)
class ReviewEntry:
    """One unit of an article in one locale, as a reviewer sees it."""

    kind: str
    source: str
    translation: str
    state: str
    line: int | None  # the entry's line in the PO file; None when the catalog lacks it
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Review:
    article: Article
    locale: str
    status: ArticleStatus
    entries: tuple[ReviewEntry, ...]


@dataclass(frozen=True)
class LocaleSummary:
    locale: str
    language: str
    articles: int
    publishable: int
    entries: int
    approved: int
    fuzzy: int
    untranslated: int
    qa_errors: int

    def percent(self, what: str) -> float:
        return round(100 * getattr(self, what) / self.entries, 1) if self.entries else 0.0
