"""Markdown structure: one parser configuration and one walk over translatable units.

Ingest and publish both use `iter_units`, so the text extracted for translators
and the slots that receive translations can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from . import mdguard

# Block openers whose inline content is a unit, and what we tell translators it is.
_CONTAINERS = {"list_item_open": "list item", "blockquote_open": "blockquote"}
# Inline tokens that may carry a title, as (what translators are told it is, its target attribute).
_TITLED = {"link_open": ("link", "href"), "image": ("image", "src")}


def parser() -> MarkdownIt:
    """CommonMark + GFM tables + YAML front matter; raw HTML is never passed through.

    `mdguard` keeps it linear in paragraph length and lets ingest prove no text was lost.
    """
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    front_matter_plugin(md)
    return mdguard.install(md)


@dataclass
class UnitSlot:
    """A translatable piece of a parsed document, and the way to replace it."""

    kind: str
    text: str
    line: int  # 1-based line in the whole file
    detail: str
    replace: Callable[[str], None]


def normalize_inline(content: str) -> str:
    """One line per unit: soft line breaks become spaces (newlines hurt MT), hard breaks stay.

    A hard break is a line ending in two spaces or a backslash; it becomes `\\` + newline.
    Written line by line with rstrip/lstrip: the regexes this replaces, `(?: {2,}|\\)\\n`
    and `[ \\t]*\\n[ \\t]*`, rescan a run of spaces from each of its positions, quadratic
    in a paragraph holding a long run of spaces or tabs.
    """
    parts: list[str] = []
    lines: list[str] = []
    *body, last = content.split("\n")
    for line in body:
        spaces = line.rstrip(" ")
        if len(line) - len(spaces) >= 2 or line.endswith("\\"):
            lines.append(spaces if len(line) - len(spaces) >= 2 else line[:-1])
            parts.append(_join_soft(lines))
            lines = []
        else:
            lines.append(line)
    lines.append(last)
    parts.append(_join_soft(lines))
    return "\\\n".join(parts)


def _join_soft(lines: list[str]) -> str:
    """Lines joined by soft breaks: the blanks around each break become one space."""
    if len(lines) > 1:
        lines = [lines[0].rstrip(" \t")] + [line.strip(" \t") for line in lines[1:-1]] + [lines[-1].lstrip(" \t")]
    return " ".join(lines).strip()


def iter_units(md: MarkdownIt, tokens: list[Token], env: dict | None = None) -> Iterator[UnitSlot]:
    """Yield every translatable unit of a token stream in document order.

    `env` is the one `md.parse` filled: its link reference definitions, so that a unit's
    replacement still resolves `[texte][ref]` (re-parsed without them, it is plain text).
    """
    env = {} if env is None else env
    containers: list[str] = []
    for index, token in enumerate(tokens):
        if token.type in _CONTAINERS:
            containers.append(_CONTAINERS[token.type])
        elif token.type in ("list_item_close", "blockquote_close"):
            containers.pop()
        if token.type != "inline" or not token.content.strip():
            continue
        opener = tokens[index - 1] if index else None
        line = (token.map or (opener.map if opener else None) or [0])[0] + 1
        kind, detail = _kind_of(opener, containers)
        # Read from the source tokens before any slot is replaced: a replaced unit's
        # children are its translation's, whose titles may already differ.
        titles = _title_slots(token, line)
        images = _standalone_images(token)
        if images:
            for image in images:
                yield UnitSlot("image alt", normalize_inline(image.content), line,
                               f"alt text of image {image.attrGet('src')}",
                               _image_replacer(md, image, env))
        else:
            yield UnitSlot(kind, normalize_inline(token.content), line, detail,
                           _inline_replacer(md, token, env))
        yield from titles


def _title_slots(inline: Token, line: int) -> list[UnitSlot]:
    """A unit per link or image title (`[a](b "title")`): a reader sees it as a tooltip.

    The title also stays in its paragraph's msgid, where MT placeholders keep it verbatim;
    its own unit then overrides it on the rendered page, found again by its French text in
    the children as they are when it is applied (the paragraph's translation, by then).
    """
    slots = []
    for child in _walk(inline.children or []):
        title = " ".join((child.attrGet("title") or "").split()) if child.type in _TITLED else ""
        if title:
            what, target = _TITLED[child.type]
            slots.append(UnitSlot(f"{what} title", title, line, f"title of {what} {child.attrGet(target)}",
                                  _title_replacer(inline, child.type, title)))
    return slots


def _title_replacer(inline: Token, token_type: str, title: str) -> Callable[[str], None]:
    def replace(text: str) -> None:
        for child in _walk(inline.children or []):
            if child.type == token_type and " ".join((child.attrGet("title") or "").split()) == title:
                child.attrSet("title", text)
    return replace


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:  # an image's alt text is its children
            yield from _walk(token.children)


def _kind_of(opener: Token | None, containers: list[str]) -> tuple[str, str]:
    if opener is None:
        return "paragraph", "paragraph"
    if opener.type == "heading_open":
        return "heading", f"heading level {opener.tag[1:]}"
    if opener.type == "th_open":
        return "table header", "table header cell"
    if opener.type == "td_open":
        return "table cell", "table cell"
    if containers:
        return containers[-1], containers[-1]
    return "paragraph", "paragraph"


def _standalone_images(token: Token) -> list[Token]:
    """Images that make up a whole paragraph; their alt texts are the units then."""
    children = token.children or []
    images = [child for child in children if child.type == "image"]
    rest = [child for child in children
            if child.type not in ("image", "softbreak", "hardbreak")
            and not (child.type == "text" and not child.content.strip())]
    return images if images and not rest else []


def _inline_replacer(md: MarkdownIt, token: Token, env: dict) -> Callable[[str], None]:
    def replace(text: str) -> None:
        token.content = text
        token.children = (md.parseInline(text, env)[0].children or []) if text else []
    return replace


def _image_replacer(md: MarkdownIt, image: Token, env: dict) -> Callable[[str], None]:
    def replace(text: str) -> None:
        image.content = text
        image.children = md.parseInline(text, env)[0].children or []
    return replace
