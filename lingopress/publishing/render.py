"""The one Jinja environment: published pages, the status page and the review pages.

One set of options for every template, so a template renders the same wherever it is
used: autoescape for HTML (`*.html`, `*.html.j2`); the Markdown template gets text that
is already safe for its format (mdformat escapes '<' as '\\<', YAML is dumped by PyYAML).
Blocks trim their own line so templates can put `{% for %}` on a line of its own.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..markup import parser


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("lingopress", "templates"),
                      autoescape=select_autoescape(["html", "html.j2"]),
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["inline"] = render_inline
    return env


def render_template(name: str, /, **context: object) -> str:
    """Template `name` (in lingopress/templates) rendered with `context`."""
    return environment().get_template(name).render(**context)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return parser()


def render_inline(text: str) -> Markup:
    """Inline Markdown to HTML, the way publishing renders it: markdown-it escapes text and
    drops unsafe link targets (raw HTML is off), so a translation holding `<script>` shows as text."""
    return Markup(_markdown().renderInline(text))
