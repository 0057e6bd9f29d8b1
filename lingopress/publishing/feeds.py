"""Feeds and sitemaps: an Atom feed per locale, sitemaps with every page's languages.

Pure: data in, XML text out (the render job writes them through the store). The Atom
feed is feedgen's, the sitemap lxml's: serialisers, so no text is ever escaped by hand.
Sitemap URLs and hreflang alternates must be absolute, so sitemaps exist only when
`[publish] base_url` gives the site's address; a feed without it links relatively
(RFC 4287 resolves them against the feed's own URL).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from feedgen.feed import FeedGenerator
from lxml import etree

from .render import Site

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
# A feed needs an `updated` time even with no entry yet; the epoch says "never".
_NEVER = date(1970, 1, 1)


@dataclass(frozen=True)
class FeedEntry:
    slug: str
    title: str
    summary: str
    published: date  # the article's own date
    updated: date  # when its live translation was approved (its publication date for the original)


@dataclass(frozen=True)
class SitemapPage:
    url: str  # absolute
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, absolute URL), the page's own included
    lastmod: date | None = None


def render_feed(site: Site, locale: str, lang: str, title: str, entries: Sequence[FeedEntry]) -> str:
    """The Atom feed of a locale's articles, newest first (`outputs/<locale>/feed.xml`)."""
    base = f"{site.base_url}/{locale}/" if site.base_url else ""
    feed = FeedGenerator()
    # Without an address the ids are URNs: stable and unique, as Atom asks, though not links.
    feed.id(base + "feed.xml" if base else f"urn:lingopress:{site.name}:{locale}")
    feed.title(title)
    feed.language(lang)
    feed.author({"name": site.name})
    feed.link(href=base + "index.html", rel="alternate", type="text/html", hreflang=lang)
    if base:
        feed.link(href=base + "feed.xml", rel="self", type="application/atom+xml")
    feed.generator("lingopress")  # no version: a tool upgrade alone must not change the feed
    ordered = sorted(entries, key=lambda entry: (-entry.updated.toordinal(), -entry.published.toordinal(),
                                                 entry.slug))
    feed.updated(_utc(max((entry.updated for entry in entries), default=_NEVER)))
    for entry in ordered:
        item = feed.add_entry(order="append")
        item.id(base + f"{entry.slug}.html" if base else f"urn:lingopress:{site.name}:{locale}:{entry.slug}")
        item.title(entry.title)
        item.link(href=base + f"{entry.slug}.html", rel="alternate", type="text/html", hreflang=lang)
        item.summary(entry.summary)
        item.published(_utc(entry.published))
        item.updated(_utc(entry.updated))
    return feed.atom_str(pretty=True, encoding="UTF-8").decode("utf-8")


def render_sitemap(pages: Sequence[SitemapPage]) -> str:
    """A sitemap (sitemaps.org 0.9) whose entries list their languages as `xhtml:link` alternates."""
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS})
    for page in sorted(pages, key=lambda page: page.url):
        url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = page.url
        if page.lastmod is not None:
            etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = page.lastmod.isoformat()
        for hreflang, href in page.alternates:
            etree.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=hreflang, href=href)
    return etree.tostring(urlset, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)
