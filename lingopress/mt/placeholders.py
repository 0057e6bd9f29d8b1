"""Keep what machine translation must not touch out of its reach, and put it back after.

A msgid is a unit of inline Markdown. Before MT, every span that must come back verbatim
(code spans, link targets, URLs, e-mail addresses, numbers with units, HTML-looking tags,
escapes, entities) and every markup delimiter (``**``, ``_``, ``[``, ``](…)``) becomes a
placeholder ``[1]``, ``[2]``, …; the words between delimiters stay translatable, so
``**gras**`` goes to MT as ``[1]gras[2]``. After MT the placeholders are replaced by the
original spans. A placeholder the engine dropped is reported, so the draft can carry a
note telling the translator what to copy from the source.

Why ``[N]``: bracketed numbers are everywhere in the parallel corpora NMT models learn
from (citation marks in encyclopedic text), so SentencePiece models copy them through,
and rule-based engines (Apertium) pass them as punctuation and numbers.

Hand-written rather than built on markdown-it's inline parser: restoring must give back
the msgid byte for byte, and markdown-it's tokens carry neither source offsets nor the
exact original spelling (escapes and entities are already decoded in them).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

OPEN, CLOSE, ATOM = "open", "close", "atom"

# Units of measure that follow a number in medical text; the number and its unit are
# protected together ("1,8 m²", "5 mg/kg", "37,5 °C", "120 mmHg", "20 %").
_UNIT = (r"(?:%|‰|°[CF]?|[kcmµμn]?g|mcg|[mcdµμ]?[lL]|[kcmµμn]?m[²³23]?|mmHg|mmol|µmol|mol|"
         r"UI|kcal|cal|k?Hz|m?Sv|Gy|mEq|[mµμ]?s|min|h|bpm|ppm|UA|IU|kDa|Da|mm³)")
_NUMBER = r"\d+(?:[\u00a0\u202f ]\d{3})*(?:[.,]\d+)?"
_SPANS = re.compile(
    r"(?P<code>(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`))"
    r"|(?P<autolink><(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s@<>]+@[^\s@<>]+)>)"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)"
    r"|(?P<closer>\]\((?:<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)|\]\[[^\]]*\])"
    r"|(?P<placeholder>\[\d+\])"
    r"|(?P<opener>!?\[)"
    r"|(?P<bracket>\])"
    r"|(?P<escape>\\[\n!-/:-@\[-`{-~])"
    r"|(?P<entity>&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    r"|(?P<url>(?:https?|ftp)://[^\s<>\"`]*[^\s<>\"`.,;:!?)\]'’»]|www\.[^\s<>\"`]*[^\s<>\"`.,;:!?)\]'’»])"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    rf"|(?P<measure>(?<![\w.,]){_NUMBER}(?:[\u00a0\u202f ]?{_UNIT}(?:/{_UNIT})*)(?![\w²³]))"
    r"|(?P<delimiter>\*+|_+|~~)"
    r"|(?P<newline>\n)"
)
# Every span above starts with one of these (or a digit): text without any needs no scan.
_MAY_HAVE_SPANS = re.compile(r"[`<\[\]\\&*_~@\n\d]|://|www\.")
# What an engine may make of "[3]": "[ 3 ]", "[3 ]".
_PLACEHOLDER_OUT = re.compile(r"\[\s*(\d+)\s*\]")
_TRAILING_PLACEHOLDER = re.compile(r"\s*(\[\d+\])$")
_LEADING_PLACEHOLDER = re.compile(r"(\[\d+\])")


@dataclass(frozen=True)
class Protected:
    """A text with its protected spans replaced by placeholders, and what they stand for."""

    text: str
    spans: tuple[tuple[str, str], ...]  # (original text, OPEN | CLOSE | ATOM); placeholder i+1

    def side(self, placeholder: str) -> str | None:
        match = _PLACEHOLDER_OUT.fullmatch(placeholder)
        number = int(match.group(1)) if match else 0
        return self.spans[number - 1][1] if 1 <= number <= len(self.spans) else None


@dataclass(frozen=True)
class Restored:
    text: str
    lost: tuple[str, ...]  # original spans whose placeholder did not come back


def protect(text: str) -> Protected:
    """Replace everything MT must not change by numbered placeholders."""
    if not _MAY_HAVE_SPANS.search(text):
        return Protected(text, ())
    spans: list[tuple[str, str]] = []
    out: list[str] = []
    position = 0
    for match in _SPANS.finditer(text):
        kind = match.lastgroup if match.lastgroup != "ticks" else "code"
        side = _side(kind, text, match.start(), match.end())
        if side is None:  # an intraword "_" or a lone "~~": ordinary text
            continue
        # Only a marker glued to its words gets spaces an engine put next to it removed.
        if side == OPEN and (match.end() == len(text) or text[match.end()].isspace()):
            side = ATOM
        elif side == CLOSE and (match.start() == 0 or text[match.start() - 1].isspace()):
            side = ATOM
        out.append(text[position:match.start()])
        spans.append((match.group(), side))
        out.append(f"[{len(spans)}]")
        position = match.end()
    out.append(text[position:])
    return Protected("".join(out), tuple(spans))


def restore(protected: Protected, translated: str) -> Restored:
    """Put the protected spans back into an engine's output; report the ones it lost."""
    seen: set[int] = set()
    out: list[str] = []
    position = 0
    for match in _PLACEHOLDER_OUT.finditer(translated):
        number = int(match.group(1))
        if not 1 <= number <= len(protected.spans):
            continue  # not ours (a number the engine made up): leave it as text
        original, side = protected.spans[number - 1]
        before = translated[position:match.start()]
        if side == CLOSE:
            before = before.rstrip()  # "gras **" is not Markdown emphasis; "gras**" is
            if not before and out:
                out[-1] = out[-1].rstrip()
        out.append(before)
        out.append(original)
        position = match.end()
        if side == OPEN:
            position = _skip_spaces(translated, position)
        seen.add(number)
    out.append(translated[position:])
    lost = tuple(span for number, (span, _) in enumerate(protected.spans, 1) if number not in seen)
    return Restored("".join(out), lost)


def keep_markers_with_words(protected: Protected, sentences: list[str]) -> list[str]:
    """Move opening markers that ended a sentence to the next one, closing markers that
    began a sentence to the previous one, so each sentence's markup stays balanced.

    A splitter sees "Fin. [1]Gras[2]" (i.e. "Fin. **Gras**") and keeps "[1]" with "Fin."
    as if it were a citation mark.
    """
    pieces = list(sentences)
    for i in range(len(pieces) - 1):
        while (match := _TRAILING_PLACEHOLDER.search(pieces[i])) and protected.side(match.group(1)) == OPEN:
            pieces[i] = pieces[i][:match.start()].rstrip()
            pieces[i + 1] = match.group(1) + pieces[i + 1]
        while (match := _LEADING_PLACEHOLDER.match(pieces[i + 1])) and protected.side(match.group(1)) == CLOSE:
            pieces[i + 1] = pieces[i + 1][match.end():].lstrip()
            pieces[i] = pieces[i] + match.group(1)
    return [piece for piece in pieces if piece]


def has_words(text: str) -> bool:
    """Whether a (protected) text has anything to translate besides placeholders."""
    return any(char.isalpha() for char in _PLACEHOLDER_OUT.sub("", text))


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t":
        position += 1
    return position


def _side(kind: str, text: str, start: int, end: int) -> str | None:
    if kind == "opener":
        return OPEN
    if kind in ("closer", "bracket"):
        return CLOSE
    if kind != "delimiter":
        return ATOM
    # CommonMark's flanking rules decide whether a run of * or _ can open or close emphasis.
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    left = not after.isspace() and (not _is_punct(after) or before.isspace() or _is_punct(before))
    right = not before.isspace() and (not _is_punct(before) or after.isspace() or _is_punct(after))
    if text[start] == "_":
        left, right = left and (not right or _is_punct(before)), right and (not left or _is_punct(after))
    if left and right:
        return ATOM
    if left:
        return OPEN
    if right:
        return CLOSE
    return None  # "5 * 3": not markup


def _is_punct(char: str) -> bool:
    return unicodedata.category(char).startswith(("P", "S"))
