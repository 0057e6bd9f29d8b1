"""Guards around markdown-it-py: no source text may vanish, and parsing stays linear.

markdown-it drops text in two places without a word: past `maxNesting` block levels it
skips the rest of the container (list items from depth 10, blockquotes from depth 20),
and a table row's cells beyond the header's column count are cut off (GFM). Instead of
patching each known case, `unaccounted_line` checks the result: every non-blank source
line must lie in a block that keeps its text (paragraph, heading, code, table row, rule,
front matter) or be a link reference definition or bare list/quote markers.

markdown-it-py 3.0 also joins adjacent text tokens by repeated string concatenation,
quadratic in the length of a paragraph full of `*`, `_` or backslash escapes (fixed
upstream in markdown-it-py 4, executablebooks/markdown-it-py#389, which mdformat 0.7,
used by publish, does not accept yet). `install` swaps in linear versions of the two rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_block.table import escapedSplit, getLine
from markdown_it.rules_core.state_core import StateCore
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token

# The CommonMark preset's limit; a list level takes two of them (list + item), a quote one.
MAX_NESTING = 20
_REFERENCE_LINES = "lingopress.reference_lines"
_CUT_CELLS = "lingopress.cut_cells"
# Block tokens whose map covers lines whose text they keep in full.
# Table rows are whole lines too, but may lose cells: `_record_cut_cells` sees to those.
_KEEPING = {"paragraph_open", "heading_open", "fence", "code_block", "hr", "html_block",
            "table_open", "front_matter"}
# What is left of a line once its blockquote and list markers are gone, when nothing is.
_MARKERS_ONLY = re.compile(r"(?:[ \t]*(?:>|[-+*](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$)))*[ \t]*")
# markdown-it's own line split (normalize.py): CR LF, lone CR and LF; not str.splitlines.
_NEWLINE = re.compile(r"\r\n?|\n")


def install(md: MarkdownIt) -> MarkdownIt:
    """Make `md` linear in paragraph length and let it record what `unaccounted_line` needs."""
    md.options["maxNesting"] = MAX_NESTING
    md.inline.ruler2.at("fragments_join", _fragments_join)
    md.core.ruler.at("text_join", _text_join)
    _wrap_block_rule(md, "reference", _record_reference)
    _wrap_block_rule(md, "table", _record_cut_cells)
    return md


def unaccounted_line(text: str, tokens: list[Token], env: dict) -> tuple[int, str] | None:
    """The first 1-based line whose text the parse lost, with why; None when none was."""
    covered = set(env.get(_REFERENCE_LINES, ()))
    deepest = 0
    for token in tokens:
        if token.nesting == 1:
            deepest = max(deepest, token.level + 1)
        if token.type in _KEEPING and token.map:
            covered.update(range(*token.map))
    cut = env.get(_CUT_CELLS)
    if cut:
        return cut[0] + 1, "table row has more cells than its header row; the extra cells would be lost"
    for number, line in enumerate(_NEWLINE.split(text)):
        if number not in covered and not _MARKERS_ONLY.fullmatch(line):
            if deepest >= MAX_NESTING:
                return number + 1, (f"text nested deeper than {MAX_NESTING} levels (a list level counts 2, "
                                    "a blockquote 1) would be lost")
            return number + 1, "the Markdown parser skipped this text; it would be lost"
    return None


def _wrap_block_rule(md: MarkdownIt, name: str, after: Callable[[StateBlock, int], None]) -> None:
    ruler = md.block.ruler
    rule = ruler.__rules__[ruler.__find__(name)]
    original = rule.fn

    def wrapped(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        found = original(state, start, end, silent)
        if found and not silent:
            after(state, start)
        return found

    ruler.at(name, wrapped, {"alt": list(rule.alt)})


def _record_reference(state: StateBlock, start: int) -> None:
    state.env.setdefault(_REFERENCE_LINES, []).extend(range(start, state.line))


def _record_cut_cells(state: StateBlock, start: int) -> None:
    """Mirror the table rule's cell split (same helpers) to see which rows lose cells."""
    columns = len(_cells(getLine(state, start)))
    for line in range(start + 2, state.line):
        if any(cell.strip() for cell in _cells(getLine(state, line))[columns:]):
            state.env.setdefault(_CUT_CELLS, []).append(line)


def _cells(line: str) -> list[str]:
    cells = escapedSplit(line.strip())
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


def _fragments_join(state: StateInline) -> None:
    """markdown-it's rule (recompute levels, merge adjacent text), joining each run once."""
    level = 0
    joined: list[Token] = []
    run: list[Token] = []
    for token in state.tokens:
        if token.nesting < 0:
            level -= 1
        token.level = level
        if token.nesting > 0:
            level += 1
        if token.type == "text":
            run.append(token)
            continue
        _flush(run, joined, keep=-1)
        joined.append(token)
    _flush(run, joined, keep=-1)
    state.tokens[:] = joined


def _text_join(state: StateCore) -> None:
    """markdown-it's rule (escapes become text, adjacent text merges), joining each run once."""
    for inline in state.tokens:
        if inline.type != "inline":
            continue
        joined: list[Token] = []
        run: list[Token] = []
        for child in inline.children or []:
            if child.type == "text_special":
                child.type = "text"
            if child.type == "text":
                run.append(child)
                continue
            _flush(run, joined, keep=0)
            joined.append(child)
        _flush(run, joined, keep=0)
        inline.children = joined


def _flush(run: list[Token], joined: list[Token], *, keep: int) -> None:
    """Merge a run of text tokens into the one markdown-it keeps (first or last)."""
    if not run:
        return
    token = run[keep]
    if len(run) > 1:
        token.content = "".join(part.content for part in run)
    joined.append(token)
    run.clear()

