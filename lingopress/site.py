"""Site texts: what every page shows that is in no article (the footer disclaimer).

They are translated like an article's units, through a catalog of their own: the site
article `_site` (a slug no source can take, `_` being outside the slug alphabet), built
from `[publish]` in lingopress.toml, gets `translations/templates/_site.pot` and
`translations/<locale>/_site.po`, drafted, reviewed and QA-gated by the same jobs as the
articles. Its approved version per locale is kept beside the published state; until its
current French is approved, a page shows the French, marked `lang="fr"`. Pure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from babel import Locale

from .config import PublishSettings
from .ingest import Article, Segment

SITE_SLUG = "_site"
TITLE = "Textes communs du site"  # its row on the status page, which shows titles in French
DISCLAIMER = "disclaimer"  # the unit's msgctxt


@dataclass(frozen=True)
class SiteText:
    """A site text as a page shows it, in the language it is in."""

    text: str
    lang: str  # BCP 47
    dir: str


def site_article(settings: PublishSettings, config_path: Path) -> Article | None:
    """The site's texts as an article of units; None when the project configures none."""
    if not settings.disclaimer:
        return None
    segment = Segment(DISCLAIMER, settings.disclaimer, settings.disclaimer_line or 1,
                      "footer disclaimer on every page ([publish] disclaimer in lingopress.toml)")
    text = settings.disclaimer + "\n"
    return Article(slug=SITE_SLUG, path=config_path, meta={"slug": SITE_SLUG, "title": TITLE},
                   segments=(segment,), source_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                   text=text, slug_line=segment.line, fields=())


def with_site(articles: list[Article], site: Article | None) -> list[Article]:
    """The articles and the site article: the units drafting, templates and review go through."""
    return [*articles, site] if site is not None else list(articles)


def disclaimer(site: Article | None, locale: str, translations: dict[tuple[str, str], str],
               source_locale: str) -> SiteText | None:
    """The disclaimer a reader of `locale` sees: its approved translation, else the French."""
    if site is None:
        return None
    french = site.segments[0].text
    translated = translations.get((DISCLAIMER, french)) if locale != source_locale else None
    shown = source_locale if translated is None else locale
    return SiteText(translated or french, shown.replace("_", "-"), Locale.parse(shown).text_direction)
