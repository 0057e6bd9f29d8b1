"""Review pages: source and translation side by side, entry by entry, with QA inline.

Reviewers read the article in context before approving. Inline Markdown is rendered
the way publishing renders it (render.render_inline), and the templates autoescape
everything else.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from babel import Locale

from ..config import Config
from ..publishing.render import render_template
from .model import ArticleStatus, LocaleSummary, Review, review_path, status_page_path


def render_review(config: Config, review: Review) -> str:
    page = review_path(config, review.locale, review.article.slug)
    source, target = Locale.parse(config.source_locale), Locale.parse(review.locale)
    return render_template(
        "review.html.j2", review=review, status=review.status, title=review.article.title,
        source_lang=config.source_locale.replace("_", "-"), source_dir=source.text_direction,
        lang=review.locale.replace("_", "-"), dir=target.text_direction,
        language_name=target.english_name,
        status_href=_href(page, status_page_path(config)),
        catalog=review.status.catalog)


def render_status_page(config: Config, rows: Sequence[ArticleStatus], summaries: Sequence[LocaleSummary]) -> str:
    page = status_page_path(config)
    links = {(row.slug, row.locale): _href(page, review_path(config, row.locale, row.slug)) for row in rows}
    return render_template(
        "status.html.j2", rows=rows, summaries=summaries, links=links,
        source_lang=config.source_locale.replace("_", "-"))


def _href(page, target) -> str:
    return os.path.relpath(target, page.parent).replace(os.sep, "/")
