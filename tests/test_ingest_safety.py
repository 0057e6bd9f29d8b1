"""No source text vanishes, names are safe, ingest stays linear: regressions and properties."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import make_project, run_cli
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markdown_cases import MARKER, articles, code_markers, visible_markers
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from lingopress.errors import ModelError, PublishError, PullError, SourceError
from lingopress.catalogs.glossary import Glossary, Term, source_pattern
from lingopress.ingest import Article, parse_article
from lingopress.markup import normalize_inline, parser
from lingopress.models import _check_metadata
from lingopress.publishing.publish import check_slug as _check_slug
from lingopress.publishing.pull import pull
from lingopress.publishing.pull_dest import check_name

FRONT = '---\ntitle: "Titre"\nslug: essai\ndate: 2026-01-02\nsummary: "Résumé."\n---\n\n'
SOURCE = Path("sources/essai.md")


def unit_texts(text: str) -> list[str]:
    return [segment.text for segment in parse_article(SOURCE, text).segments]


def nested_list(depth: int) -> str:
    return "".join("  " * level + f"- niveau{level}\n" for level in range(depth))


# --- 1. text beyond markdown-it's nesting limit ------------------------------------------------

def test_lists_nested_nine_deep_keep_every_item():
    assert unit_texts(FRONT + nested_list(9))[2:] == [f"niveau{level}" for level in range(9)]


def test_a_tenth_list_level_is_refused_at_its_line():
    with pytest.raises(SourceError) as caught:
        parse_article(SOURCE, FRONT + nested_list(10))
    assert caught.value.line == 8 + 9  # front matter and blank line, then the tenth item
    assert "nested deeper than 20 levels" in str(caught.value)


def test_blockquotes_nineteen_deep_pass_and_twenty_are_refused():
    assert unit_texts(FRONT + ">" * 19 + " profond\n")[2:] == ["profond"]
    with pytest.raises(SourceError) as caught:
        parse_article(SOURCE, FRONT + "Avant.\n\n" + ">" * 20 + " perdu\n")
    assert caught.value.line == 10


def test_table_cells_beyond_the_header_are_refused():
    table = "| a | b |\n|---|---|\n| c | d |\n| e | f | perdu |\n"
    with pytest.raises(SourceError) as caught:
        parse_article(SOURCE, FRONT + table)
    assert caught.value.line == 11 and "more cells than its header" in str(caught.value)
    # An empty trailing cell loses nothing.
    assert unit_texts(FRONT + "| a | b |\n|---|---|\n| c | d |  |\n")[-2:] == ["c", "d"]


def test_reference_definitions_and_bare_markers_are_not_lost_text():
    text = FRONT + "[ref]: https://example.org \"titre\"\n\nVoir [ref].\n\n-\n1.\n>\n"
    # The definition's title is a link title a reader sees, so it is a unit too.
    assert unit_texts(text)[2:] == ["Voir [ref].", "titre"]


def test_cli_ingest_refuses_deep_nesting_with_one_line_and_exit_2(tmp_path: Path):
    project = make_project(tmp_path / "p", sources={"essai.md": FRONT + nested_list(12)})
    result = run_cli("ingest", "--project", str(project), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "essai.md:17:" in lines[0] and "nested deeper" in lines[0]
    assert not (project / "translations").exists()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles())
def test_every_visible_word_reaches_a_unit_or_the_article_is_refused(case):
    text, body, expected = case
    expected -= code_markers(body)
    stock = MarkdownIt("commonmark", {"html": False}).enable("table")  # the limit, without the guard
    front_matter_plugin(stock)
    try:
        units = parse_article(SOURCE, text).segments
    except SourceError:
        event("refused")
        stock_extractor_sees = visible_markers(body, stock)
        assert expected - stock_extractor_sees, "refused although markdown-it kept every word"
        return
    event("extracted")
    found = set(MARKER.findall(" ".join(unit.text for unit in units)))
    assert {"w1", "w2"} <= found  # title and summary
    assert expected <= found, f"lost: {sorted(expected - found)}"
    assert visible_markers(body) <= found


# --- 2. names that become paths ----------------------------------------------------------------

@pytest.mark.parametrize("slug", ['"evil\\n"', '"essai\\n"', '"a/b"', '"Essai"', '"-x"', "42"])
def test_slugs_must_match_in_full(slug: str):
    text = FRONT.replace("slug: essai", f"slug: {slug}")
    with pytest.raises(SourceError) as caught:
        parse_article(SOURCE, text)
    assert caught.value.line == 3 and "invalid slug" in str(caught.value)


def test_publish_refuses_an_article_with_an_unsafe_slug():
    article = Article(slug="evil\n", path=SOURCE, meta={}, segments=(), source_hash="0", slug_line=3)
    with pytest.raises(PublishError):
        _check_slug(article)


def test_pull_refuses_a_locale_with_a_trailing_newline(tmp_path: Path):
    with pytest.raises(PullError, match="not a locale code"):
        pull(str(tmp_path), "en\n", tmp_path / "site")


@pytest.mark.parametrize("name", ["en.html\n", "a\nb.html", "x\r.json", "ok\x7f"])
def test_bundle_file_names_with_control_characters_are_refused(name: str):
    with pytest.raises(PullError, match="unsafe file name"):
        check_name(name, "manifest.json")


@pytest.mark.parametrize("metadata", [
    {"from_code": "fr\n", "to_code": "en"},
    {"from_code": "fr", "to_code": "en", "package_version": "1.9\n"},
])
def test_model_codes_and_versions_must_match_in_full(tmp_path: Path, metadata: dict):
    with pytest.raises(ModelError):
        _check_metadata(metadata, tmp_path / "m.argosmodel")


# --- 3. required front-matter fields -------------------------------------------------------------

@pytest.mark.parametrize("field, value, line", [
    ("title", '"   "', 2), ("summary", '"\\t"', 5), ("title", "''", 2), ("summary", "", 5)])
def test_blank_required_fields_are_refused_at_their_line(field: str, value: str, line: int):
    text = FRONT.replace(f'{field}: "Titre"' if field == "title" else f'{field}: "Résumé."', f"{field}: {value}")
    with pytest.raises(SourceError) as caught:
        parse_article(SOURCE, text)
    assert caught.value.line == line and field in str(caught.value)


@pytest.mark.parametrize("line", ["date: 2026-13-45", "date: 2026-02-30", "slug: " + "9" * 5000])
def test_values_yaml_cannot_build_are_source_errors(line: str):
    key = line.split(":")[0]
    text = "\n".join(line if row.startswith(key + ":") else row for row in FRONT.split("\n"))
    with pytest.raises(SourceError, match="front matter"):
        parse_article(SOURCE, text)


# --- 4. linear in paragraph length ---------------------------------------------------------------

@pytest.mark.parametrize("piece", ["*a ", "_a ", "\\* ", "*a _b "])
def test_long_paragraphs_of_delimiters_parse_in_linear_time(piece: str):
    # markdown-it-py 3.0's own text joins took ~15 s for 100 KB of "*a "; linear is well under 1 s.
    text = FRONT + piece * (150_000 // len(piece)) + "x\n"
    start = time.perf_counter()
    parse_article(SOURCE, text)
    assert time.perf_counter() - start < 6


def test_linear_text_joins_give_markdown_its_own_tokens():
    stock = MarkdownIt("commonmark", {"html": False}).enable("table")
    front_matter_plugin(stock)
    sample = FRONT + "a *b* _c_ \\* \\_ **d** ***e*** `f` ![g *h*](i) [j](k) l\\\nm ~n~ *o _p* q_ &amp; \\<r\n"
    ours = parser()
    assert ours.render(sample) == stock.render(sample)
    mine, theirs = ours.parse(sample)[-2], stock.parse(sample)[-2]
    assert [(t.type, t.content, t.level) for t in mine.children] == \
           [(t.type, t.content, t.level) for t in theirs.children]


def test_glossary_overlap_filter_is_linear():
    terms = tuple(Term(source=word, targets=(("en", word),), pattern=source_pattern(word))
                  for word in ("cellule", "cellule immunitaire", "immunitaire"))
    glossary = Glossary(terms=terms)
    text = "La cellule immunitaire. " * 20_000
    start = time.perf_counter()
    found = glossary.find(text)
    assert time.perf_counter() - start < 5
    assert len(found) == 20_000 and all(match.term.source == "cellule immunitaire" for match in found)


def _regex_normalize_inline(content: str) -> str:
    """The regex version normalize_inline replaced (quadratic on runs of spaces), as the reference."""
    content = re.sub(r"(?: {2,}|\\)\n", "\\\n", content)
    return "\\\n".join(re.sub(r"[ \t]*\n[ \t]*", " ", part).strip() for part in content.split("\\\n"))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([" ", "  ", "\t", "\n", "\\", "a", "b ", "\u00a0", "\\\n"]), max_size=40).map("".join))
def test_normalize_inline_keeps_the_regex_versions_results(content: str):
    assert normalize_inline(content) == _regex_normalize_inline(content)


@pytest.mark.parametrize("blank", [" ", "\t"])
def test_long_runs_of_blanks_inside_a_paragraph_are_linear(blank: str):
    start = time.perf_counter()
    assert normalize_inline("a" + blank * 1_000_000 + "b\nc") == "a" + blank * 1_000_000 + "b c"
    assert time.perf_counter() - start < 2  # the regexes took 5 s for 20,000 spaces
