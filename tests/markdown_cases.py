"""Generated Markdown articles and an independent oracle of their visible text.

Every piece of text carries a marker word (`w17`) so the check survives escapes,
entities and hostile characters around it: a marker that markdown-it renders as
visible text must reach some unit of the article's template.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

MARKER = re.compile(r"w\d+")


def oracle_parser() -> MarkdownIt:
    """Stock markdown-it, nesting limit above anything generated (not so high that Python recursion runs out)."""
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": 150}).enable("table")
    front_matter_plugin(md)
    return md


class _Visible(HTMLParser):
    """Text and image alt text outside <pre> (code blocks are published verbatim, not translated)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.code: list[str] = []
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._pre += tag == "pre"
        if tag == "img" and not self._pre:
            self.parts.extend(value or "" for name, value in attrs if name == "alt")

    def handle_endtag(self, tag: str) -> None:
        self._pre -= tag == "pre"

    def handle_data(self, data: str) -> None:
        (self.code if self._pre else self.parts).append(data)


def visible_markers(body: str, md: MarkdownIt | None = None) -> set[str]:
    """Marker words a reader sees in the body rendered by `md` (the oracle parser by default)."""
    extractor = _Visible()
    extractor.feed((md or oracle_parser()).render(body))
    return set(MARKER.findall(" ".join(extractor.parts)))


def code_markers(body: str) -> set[str]:
    """Marker words that end up in code blocks: published verbatim, never translation units.

    The generator cannot always tell: "- - ---" followed by an indented line makes code.
    """
    extractor = _Visible()
    extractor.feed(oracle_parser().render(body))
    return set(MARKER.findall(" ".join(extractor.code)))


class Markers:
    """Hands out fresh marker words within one article, and knows which a reader sees."""

    def __init__(self) -> None:
        self.count = 0
        self.hidden: set[str] = set()

    def __call__(self, *, visible: bool = True) -> str:
        self.count += 1
        if not visible:
            self.hidden.add(f"w{self.count}")
        return f"w{self.count}"

    def visible(self) -> set[str]:
        return {f"w{n}" for n in range(1, self.count + 1)} - self.hidden


# Odd but legal characters: bidi overrides and isolates, zero-width, combining marks,
# controls (no NUL: read_source refuses those), a lone CR, NBSP, RTL script, emoji, BOM.
HOSTILE_CHARS = ["\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200d", "\u0301", "\x01", "\x1b",
                 "\x7f", "\x0b", "\x0c", "\r", "\u00a0", "\u2028", "\ufeff", "ال", "🩺", "\\", "&amp;",
                 "&#0;", "*", "_", "`", "[", "]", "<", ">", "|", "#", "!", "~"]


@st.composite
def inline_text(draw, markers: Markers, hostile: bool = False) -> str:
    """A run of words with emphasis, links, images, code spans and HTML-ish text."""
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        word = markers()
        style = draw(st.sampled_from(["plain", "em", "strong", "link", "image", "code", "html", "autolink"]))
        pieces.append({"plain": word, "em": f"*{word}*", "strong": f"**{word}**",
                       "link": f"[{word}](https://ex.org/{word} \"t\")", "image": f"![{word}](i/{word}.png)",
                       "code": f"`{word}`", "html": f"<b>{word}</b>", "autolink": f"<https://ex.org/{word}>"}[style])
        if hostile and draw(st.booleans()):
            pieces.append("".join(draw(st.lists(st.sampled_from(HOSTILE_CHARS), min_size=1, max_size=4))))
    return " ".join(pieces)


@st.composite
def blocks(draw, markers: Markers, depth: int = 0, hostile: bool = False) -> str:
    """One block, possibly holding nested blocks: deep enough to cross markdown-it's limit."""
    kinds = ["paragraph", "heading", "code", "table", "hr"] + (["list", "ordered", "quote", "deep"] if depth < 24 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "deep":  # a straight descent: reaches markdown-it's limit far more often than recursion
        text = draw(inline_text(markers, hostile))
        for wrapper in draw(st.lists(st.sampled_from(["> ", "- ", "1. "]), min_size=1, max_size=30)):
            text = wrapper + text.replace("\n", "\n" + " " * len(wrapper))
        return text
    if kind == "paragraph":
        return draw(inline_text(markers, hostile))
    if kind == "heading":
        return "#" * draw(st.integers(1, 6)) + " " + draw(inline_text(markers, hostile))
    if kind == "code":
        return f"```\n{markers(visible=False)} code\n```"
    if kind == "hr":
        return "---"
    if kind == "table":
        columns = draw(st.integers(1, 3))
        rows = [[markers() for _ in range(columns)] for _ in range(draw(st.integers(1, 3)))]
        if draw(st.booleans()):  # a body row with a cell too many: markdown-it drops it
            rows[-1].append(markers())
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * columns]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows[1:]])
    inner = "\n\n".join(draw(st.lists(blocks(markers, depth + (1 if kind == "quote" else 2), hostile),
                                      min_size=1, max_size=2)))
    if kind == "quote":
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
    marker = "- " if kind == "list" else "1. "
    pad = " " * len(marker)
    lines = inner.split("\n")
    return "\n".join([marker + lines[0]] + [pad + line if line else "" for line in lines[1:]])


@st.composite
def articles(draw, hostile: bool = False) -> tuple[str, str, set[str]]:
    """(whole file text, its body, the body's markers a reader sees) of a generated article."""
    markers = Markers()
    title, summary = markers(), markers()
    front = f'---\ntitle: "{title} titre"\nslug: essai\ndate: 2026-01-02\nsummary: "{summary} resume"\n---\n'
    body = "\n\n".join(draw(st.lists(blocks(markers, 0, hostile), min_size=1, max_size=4))) + "\n"
    if draw(st.booleans()):
        body = f"[{markers(visible=False)}]: https://ex.org/ref\n\n" + body
    return front + "\n" + body, body, markers.visible() - {title, summary}
