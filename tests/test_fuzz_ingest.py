"""Fuzz: hostile Markdown files give units or the project's error, and never lose text.

Hostile here: nesting past markdown-it's limit, control characters, bidi overrides,
zero-width and combining characters, huge tokens, NULs, CRLF and lone CR, a BOM,
broken or hostile front matter. Files go through `load_article`, bytes and all.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markdown_cases import (
    HOSTILE_CHARS,
    MARKER,
    _Visible,
    articles,
    code_markers,
    oracle_parser,
    visible_markers,
)

from lingopress.errors import LingopressError, SourceError
from support.project import load_article

FRONT = '---\ntitle: "Titre"\nslug: essai\ndate: 2026-01-02\nsummary: "Résumé."\n---\n'
FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
WORD = re.compile(r"[^\W_]+")  # "_" is Markdown emphasis, not part of a word

# Broken and hostile front matter: YAML errors, values PyYAML cannot build, deep nesting,
# aliases, wrong types, missing closing fence.
FRONT_MATTERS = [
    FRONT,
    FRONT.replace("date: 2026-01-02", "date: 2026-13-45"),
    FRONT.replace("date: 2026-01-02", "date: 2026-02-30 25:61:00"),
    FRONT.replace('title: "Titre"', "title: " + "[" * 2000 + "]" * 2000),
    FRONT.replace('title: "Titre"', "title: &a [x, x]\nalias: *a"),
    FRONT.replace('title: "Titre"', "title: !!python/object:os.system x"),
    FRONT.replace('title: "Titre"', "title: " + "9" * 5000),
    FRONT.replace('title: "Titre"', 'title: "\u202eertiT"'),
    FRONT.replace("slug: essai", 'slug: "essai\\n"'),
    FRONT.replace("slug: essai", "slug: [essai]"),
    FRONT.replace('summary: "Résumé."', "summary: {a: b}"),
    FRONT.replace('summary: "Résumé."', 'summary: "\\x01"'),
    FRONT[:-4],
    "---\n- a\n- b\n---\n",
    "---\n---\n",
    "---\n'\n---\n",
]


def load(tmp_dir: Path, data: bytes):
    path = tmp_dir / "essai.md"
    path.write_bytes(data)
    return load_article(path)


@pytest.fixture(scope="module")
def tmp_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@st.composite
def hostile_files(draw) -> tuple[bytes, set[str]]:
    """A generated article made hostile at the byte level, and the markers a reader sees."""
    text, _, expected = draw(articles(hostile=True))
    if draw(st.booleans()):  # a huge token: one 200 KB word, or a long run of delimiters
        # Runs of '*' and '[' kept short enough for the oracle (stock markdown-it) to stay fast.
        huge = draw(st.sampled_from(["x" * 200_000, "*" * 10_000, "[" * 3_000, "`" * 30_000, ">" * 5_000]))
        if draw(st.booleans()):  # inside a paragraph, after a word that must survive it
            text += "\n\nw999 " + huge + "\n"
            expected = expected | {"w999"}
        else:  # a line of its own: a fence, a 5,000-deep quote...
            text += "\n\n" + huge + "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = "\ufeff" + text
    data = text.encode("utf-8")
    if draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()):  # a NUL: not a text file
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" + data[at:]
    return data, expected


@FUZZ
@given(case=hostile_files())
def test_hostile_articles_give_units_or_a_source_error_and_lose_nothing(tmp_dir: Path, case):
    data, expected = case
    try:
        article = load(tmp_dir, data)
    except SourceError as err:
        event(f"refused: {err.message.split(':')[0][:40]}")
        assert "\n" not in str(err).strip()  # one line for the CLI
        return
    event("extracted")
    expected -= code_markers(article.text)
    found = set(MARKER.findall(" ".join(segment.text for segment in article.segments)))
    assert expected <= found, f"lost: {sorted(expected - found)}"
    assert visible_markers(article.text) <= found


def visible_words(text: str) -> set[str]:
    extractor = _Visible()
    extractor.feed(oracle_parser().render(text))
    return set(WORD.findall(" ".join(extractor.parts)))


# Markdown punctuation, hostile characters and a few letters; no '&' (an entity's text, e.g.
# "&#65;" read as "A", differs from its source, which the word comparison cannot follow).
_ALPHABET = [ch for ch in HOSTILE_CHARS if "&" not in ch] + list("ab1 -+.:()=\n\n\t") + ["    ", "| ", "\r\n"]


@FUZZ
@given(front=st.one_of(st.just(FRONT), st.sampled_from(FRONT_MATTERS)),
       body=st.lists(st.sampled_from(_ALPHABET), max_size=300).map("".join))
def test_random_markdown_gives_units_or_a_source_error(tmp_dir: Path, front: str, body: str):
    try:
        article = load(tmp_dir, (front + body).encode("utf-8"))
    except LingopressError as err:
        assert isinstance(err, SourceError), repr(err)
        event("refused")
        return
    event("extracted")
    units = " ".join(html.unescape(segment.text) for segment in article.segments)
    # Visible text of the body must be in the units, code blocks aside (published verbatim).
    body_text = article.text.split("\n---\n", 1)[1] if front.startswith("---\n") else article.text
    missing = visible_words(body_text) - set(WORD.findall(units))
    assert not missing, f"lost: {sorted(missing)}"
