"""Review pages: source and translation side by side, entry by entry, with QA inline.

Reviewers read the article in context before approving. Inline Markdown is rendered
the way publishing renders it (render.render_inline), and the templates autoescape
everything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from babel import Locale

from ..publishing.render import Site, render_template
from .model import ArticleStatus, LocaleSummary, Review


# The status and review pages are for the team, in English, under the site's theme.
TOOL_PAGE = {"lang": "en", "dir": "ltr", "alternates": ()}


def render_review(review: Review, *, source_locale: str, status_href: str, root: str = "../../",
                  site: Site | None = None) -> str:
    """A review page; `root` is the outputs directory relative to it (for the theme)."""
    site = site or Site()
    source, target = Locale.parse(source_locale), Locale.parse(review.locale)
    return render_template(
        "review.html.j2", site, **TOOL_PAGE, review=review, status=review.status, title=review.article.title,
        source_lang=source_locale.replace("_", "-"), source_dir=source.text_direction,
        target_lang=review.locale.replace("_", "-"), target_dir=target.text_direction,
        language_name=target.english_name, status_href=status_href,
        catalog=review.status.catalog, stylesheet=root + site.stylesheet_path(), home=root + "index.html")


def render_status_page(rows: Sequence[ArticleStatus], summaries: Sequence[LocaleSummary], *,
                       links: Mapping[tuple[str, str], str], source_locale: str, site: Site | None = None) -> str:
    """The status page (`outputs/status.html`); `links` maps (slug, locale) to the review page's href from it."""
    site = site or Site()
    return render_template(
        "status.html.j2", site, **TOOL_PAGE, title="Translation status", rows=rows, summaries=summaries,
        links=links, source_lang=source_locale.replace("_", "-"), stylesheet=site.stylesheet_path(),
        home="index.html")
