"""Review pages: source and translation side by side, entry by entry, with QA inline.

Reviewers read the article in context before approving. Inline Markdown is rendered
the way publishing renders it (render.render_inline), and the templates autoescape
everything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from babel import Locale

from ..publishing.render import render_template
from .model import ArticleStatus, LocaleSummary, Review


def render_review(review: Review, *, source_locale: str, status_href: str) -> str:
    source, target = Locale.parse(source_locale), Locale.parse(review.locale)
    return render_template(
        "review.html.j2", review=review, status=review.status, title=review.article.title,
        source_lang=source_locale.replace("_", "-"), source_dir=source.text_direction,
        lang=review.locale.replace("_", "-"), dir=target.text_direction,
        language_name=target.english_name, status_href=status_href,
        catalog=review.status.catalog)


def render_status_page(rows: Sequence[ArticleStatus], summaries: Sequence[LocaleSummary], *,
                       links: Mapping[tuple[str, str], str], source_locale: str) -> str:
    """The status page; `links` maps (slug, locale) to the review page's href from it."""
    return render_template(
        "status.html.j2", rows=rows, summaries=summaries, links=links,
        source_lang=source_locale.replace("_", "-"))
