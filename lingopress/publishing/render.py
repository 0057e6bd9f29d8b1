"""The one Jinja environment: published pages, the status page and the review pages.

One set of options for every template, so a template renders the same wherever it is
used: autoescape for HTML (`*.html`, `*.html.j2`); the Markdown template gets text that
is already safe for its format (mdformat escapes '<' as '\\<', YAML is dumped by PyYAML).
Blocks trim their own line so templates can put `{% for %}` on a line of its own.

A publisher's `[publish] templates` directory shadows the built-in templates file by
file (a ChoiceLoader: theirs first, then ours). The store reads that directory and hands
its files here as data (`Site.templates`), so rendering stays pure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import ChoiceLoader, DictLoader, Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..markup import parser

STYLESHEET = "theme.css"
ASSETS_DIR = "assets"


@dataclass(frozen=True)
class Site:
    """What every page of a site shares: its name, its address, the publisher's templates."""

    name: str = "lingopress"
    base_url: str = ""  # "https://example.org/health", no trailing slash; "" when unknown
    templates: tuple[tuple[str, str], ...] = ()  # (file name, text) shadowing the built-in ones

    def stylesheet(self) -> tuple[str, str]:
        """The theme's file name (content-hashed, so a browser never keeps an old one) and text."""
        text = theme_text(self.templates)
        return f"theme-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}.css", text

    def stylesheet_path(self) -> str:
        """The stylesheet below a directory that holds the assets: `assets/theme-<hash>.css`."""
        return f"{ASSETS_DIR}/{self.stylesheet()[0]}"


@lru_cache(maxsize=8)
def environment(templates: tuple[tuple[str, str], ...] = ()) -> Environment:
    package = PackageLoader("lingopress", "templates")
    env = Environment(loader=ChoiceLoader([DictLoader(dict(templates)), package]) if templates else package,
                      autoescape=select_autoescape(["html", "html.j2"]),
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["inline"] = render_inline
    return env


@lru_cache(maxsize=8)
def theme_text(templates: tuple[tuple[str, str], ...] = ()) -> str:
    """The stylesheet's text as the loader finds it (a publisher's `theme.css` wins); it is
    copied, not rendered, so CSS braces never meet Jinja."""
    env = environment(templates)
    source, _, _ = env.loader.get_source(env, STYLESHEET)
    return source


def render_template(name: str, /, site: Site | None = None, **context: object) -> str:
    """Template `name` (the site's own, else lingopress/templates) rendered with `context`."""
    site = site or Site()
    return environment(site.templates).get_template(name).render(site=site, **context)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return parser()


def render_inline(text: str) -> Markup:
    """Inline Markdown to HTML, the way publishing renders it: markdown-it escapes text and
    drops unsafe link targets (raw HTML is off), so a translation holding `<script>` shows as text."""
    return Markup(_markdown().renderInline(text))
