"""The review job: each article's row per locale, the status page and the review pages."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import asdict

from ..ingest import Article, build_template
from ..review.model import ArticleStatus, Review
from ..review.pages import render_review, render_status_page
from ..review.status import live_row, review_article, summarize
from ..site import SITE_SLUG, with_site
from ..skip import fingerprint, skipping
from ..store.project import ProjectStore
from .base import site_of

log = logging.getLogger(__name__)


# --- review ------------------------------------------------------------------------

def refresh_status(store: ProjectStore, articles: Sequence[Article]) -> tuple[list[ArticleStatus], list[str]]:
    """Each article's row per target locale, `outputs/status.html` and the review pages;
    return the rows and the pages written. A unit whose inputs are byte for byte those of
    the last run keeps its recorded row and page (QA is what costs here). The site texts
    (lingopress.site) get their row and page too, after the articles."""
    config = store.config
    articles = with_site(list(articles), site_of(config))
    by_slug = {article.slug: article for article in articles}
    glossary_digest = store.glossary_digest()
    # The site's approved texts live beside the articles' state; its row reads them the same way.
    states = {locale: {**store.published_state(locale), **_site_live(store, locale)}
              for locale in config.target_locales}
    written: list[str] = []
    rows: dict[tuple[str, str], ArticleStatus] = {}
    status_page = config.status_page_path
    for locale in config.target_locales:
        def fingerprint_of(slug: str, locale=locale) -> str:
            article = by_slug[slug]
            return fingerprint("status", config.source_locale, locale, slug, article.source_hash, repr(article.fields),
                               store.relative(article.path), glossary_digest,
                               store.digest(store.catalog_path(locale, slug)),
                               store.digest(config.review_path(locale, slug)), repr(store.site))

        def review(todo: list[str], locale=locale) -> dict[str, dict]:
            payloads = {}
            for slug in todo:
                done = _review(store, by_slug[slug], locale)
                page = config.review_path(locale, slug)
                href = os.path.relpath(status_page, page.parent).replace(os.sep, "/")
                root = os.path.relpath(config.outputs_dir, page.parent).replace(os.sep, "/") + "/"
                if store.write_page(page, render_review(done, source_locale=config.source_locale, status_href=href,
                                                        root=root, site=store.site)):
                    written.append(store.relative(page))
                payloads[slug] = {"row": _row_json(done.status)}
            return payloads

        done = skipping(store, "status", locale, list(by_slug), fingerprint_of, review)
        for slug, payload in done.payloads.items():
            rows[(slug, locale)] = live_row(ArticleStatus(**payload["row"]), states)
    ordered = [rows[(article.slug, locale)] for article in articles for locale in config.target_locales]
    links = {(row.slug, row.locale): os.path.relpath(config.review_path(row.locale, row.slug),
                                                     status_page.parent).replace(os.sep, "/") for row in ordered}
    page = render_status_page(ordered, summarize(ordered), links=links, source_locale=config.source_locale,
                              site=store.site)
    theme = store.site.stylesheet()[1]
    # The status and review pages share the published pages' theme, at outputs/assets/.
    written += store.write_pages({status_page: page, config.outputs_dir / store.site.stylesheet_path(): theme})
    log.info("review pages: %d written", len(written))
    return ordered, written


def _site_live(store: ProjectStore, locale: str) -> dict:
    snapshot = store.site_state(locale)
    return {SITE_SLUG: snapshot} if snapshot is not None else {}


def _review(store: ProjectStore, article: Article, locale: str) -> Review:
    config = store.config
    glossary = store.glossary()
    template = build_template(article, glossary, locale, store.relative(article.path))
    return review_article(article, locale, store.catalog_or_problem(locale, article.slug), template, glossary,
                          source_locale=config.source_locale,
                          catalog_path=store.relative(store.catalog_path(locale, article.slug)),
                          review_path=store.relative(config.review_path(locale, article.slug)))


def _row_json(row: ArticleStatus) -> dict:
    return asdict(row)
