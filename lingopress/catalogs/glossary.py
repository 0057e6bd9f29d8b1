"""Glossary: the project's terminology, found in French sources and looked for in translations.

The glossary is a CSV file (`glossary.csv` in the project root, or `[paths] glossary`):
one row per French term, one column per target locale, plus `do_not_translate` and
`note`::

    fr,en,es,de,ar,do_not_translate,note
    immunothérapie,immunotherapy,inmunoterapia,Immuntherapie,العلاج المناعي,,
    CAR-T,,,,,yes,name of the therapy

Matching is hand-written (no terminology library matches inflected multi-word terms
in running text): it is case-insensitive and tolerant in the ways French text needs,
so that one glossary row finds its term however the sentence inflects it.

- Elision needs nothing special: the apostrophe of `l'immunothérapie` (or `l’…`) is a
  word boundary, so the term is found after it.
- Plurals and agreement: each word may take `s`/`x`, and words in `-al`/`-aux` take
  either form (`anticorps monoclonal` finds `anticorps monoclonaux`); hyphens are
  optional (`auto-immune`, `autoimmune`).
- Function words inside a term are interchangeable: `de` stands for de/du/des/de la/d'
  (`inhibiteur de point de contrôle immunitaire` finds `inhibiteurs des points de
  contrôle immunitaires`).
- A shorter term inside a longer match is not reported separately.

In translations (for the QA check "glossary term used"), a term's words may end
differently (`antibody`/`antibodies`, `anticuerpo`/`anticuerpos`), German terms may
start a compound (`Krebsimmuntherapie`), and Arabic words may carry the article and
the usual clitic prefixes (و، ف، ب، ل، ك، ال).
"""

from __future__ import annotations

import csv
import re
from functools import cached_property
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError

from ..errors import GlossaryError

DNT_COLUMN = "do_not_translate"
NOTE_COLUMN = "note"
COMMENT_PREFIX = "glossary:"
_TRUE = {"1", "yes", "y", "true", "x", "oui"}
_FALSE = {"", "0", "no", "n", "false", "non"}
_APOSTROPHE = "['’]"
# French function words that vary inside a term with number and gender.
_FUNCTION_WORDS = {
    "de": rf"(?:de\s+la|de\s+l{_APOSTROPHE}|des|du|de|d{_APOSTROPHE})",
    "du": rf"(?:de\s+la|de\s+l{_APOSTROPHE}|des|du|de|d{_APOSTROPHE})",
    "des": rf"(?:de\s+la|de\s+l{_APOSTROPHE}|des|du|de|d{_APOSTROPHE})",
    "le": rf"(?:les|le|la|l{_APOSTROPHE})",
    "la": rf"(?:les|le|la|l{_APOSTROPHE})",
    "les": rf"(?:les|le|la|l{_APOSTROPHE})",
    "à": rf"(?:à\s+la|à\s+l{_APOSTROPHE}|aux|au|à)",
    "au": rf"(?:à\s+la|à\s+l{_APOSTROPHE}|aux|au|à)",
    "aux": rf"(?:à\s+la|à\s+l{_APOSTROPHE}|aux|au|à)",
}
_ARABIC_PREFIX = "(?:[وف]?[بلك]?ال|[وف]?لل|[وفبلك]{1,2})?"


@dataclass(frozen=True)
class Term:
    source: str
    targets: tuple[tuple[str, str], ...]  # (locale, term), only non-empty ones
    do_not_translate: bool = False
    note: str = ""
    line: int = 0
    pattern: re.Pattern = field(compare=False, repr=False, default=None)

    @cached_property
    def hint(self) -> str:
        """Letters every match of the term contains (the start of its longest word piece):
        a text without them cannot hold the term, so its regex need not run."""
        pieces = [p for p in re.split(r"[\s\-‑'’]+", self.source) if p]
        return max(pieces, key=len)[:3].casefold() if pieces else ""

    def target(self, locale: str) -> str | None:
        """The term to use in `locale`: its column (or its language's), the French term
        itself when it must not be translated, None when the glossary has none."""
        targets = dict(self.targets)
        found = targets.get(locale) or targets.get(locale.split("_")[0])
        if found:
            return found
        return self.source if self.do_not_translate else None


@dataclass(frozen=True)
class TermMatch:
    term: Term
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()
    path: Path | None = None

    def __bool__(self) -> bool:
        return bool(self.terms)

    def find(self, text: str) -> list[TermMatch]:
        """Terms occurring in a source text, in text order; a term inside a longer match is dropped."""
        folded = text.casefold()
        matches = [TermMatch(term, m.start(), m.end(), m.group(0))
                   for term in self.terms if term.hint in folded for m in term.pattern.finditer(text)]
        matches.sort(key=lambda m: (m.start, -(m.end - m.start)))
        # Sorted by start, every kept match starts at or before this one, so it lies inside
        # one of them exactly when it ends by the furthest kept end: one pass, not a scan of
        # all kept matches per match (quadratic on a long paragraph full of terms).
        kept: list[TermMatch] = []
        furthest = -1
        for match in matches:
            if match.end <= furthest:
                continue
            kept.append(match)
            furthest = match.end
        return kept

    def terms_in(self, text: str) -> list[Term]:
        """Distinct terms found in a text, in order of first occurrence."""
        seen: dict[str, Term] = {}
        for match in self.find(text):
            seen.setdefault(match.term.source, match.term)
        return list(seen.values())

    def comment_lines(self, text: str, locales: str | tuple[str, ...]) -> list[str]:
        """Extracted-comment lines for translators, e.g. `glossary: immunothérapie → immunotherapy`.

        With one locale (a catalog) the line names that locale's term; with several
        (the template, shared by all locales) it lists each locale's term.
        """
        lines = []
        for term in self.terms_in(text):
            extra = "; ".join(part for part in ("do not translate" if term.do_not_translate else "",
                                                 term.note) if part)
            suffix = f" ({extra})" if extra else ""
            if isinstance(locales, str):
                target = term.target(locales)
                if target is None:
                    continue
                lines.append(f"{COMMENT_PREFIX} {term.source} → {target}{suffix}")
            else:
                pairs = [f"{code}: {term.target(code)}" for code in locales if term.target(code)]
                if pairs:
                    lines.append(f"{COMMENT_PREFIX} {term.source} → {', '.join(pairs)}{suffix}")
        return lines


def is_yes(cell: str) -> bool:
    """Whether a do_not_translate cell says yes (yes, 1, x, oui, …)."""
    return cell.strip().lower() in _TRUE


def parse_glossary(data: bytes, path: Path, source_locale: str = "fr") -> Glossary:
    """Validate the bytes of a glossary CSV; any problem is `file:line: what (fix)`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise GlossaryError("glossary is not valid UTF-8", path=path,
                            hint="save the CSV as UTF-8") from err
    rows = csv.reader(text.splitlines())
    try:
        header = [name.strip() for name in next(rows)]
    except StopIteration:
        raise GlossaryError("glossary is empty", path=path, line=1,
                            hint=f"start with a header such as {source_locale},en,{DNT_COLUMN},{NOTE_COLUMN}") from None
    except csv.Error as err:
        raise GlossaryError(f"invalid CSV: {err}", path=path, line=1) from err
    if source_locale not in header:
        raise GlossaryError(f"the header has no {source_locale!r} column for the source term", path=path,
                            line=1, hint=f"name the first column {source_locale!r}")
    locales: dict[int, str] = {}
    for index, name in enumerate(header):
        if name in (source_locale, DNT_COLUMN, NOTE_COLUMN):
            continue
        try:
            locales[index] = str(Locale.parse(name.replace("-", "_")))
        except (UnknownLocaleError, ValueError, TypeError):
            raise GlossaryError(f"unknown column {name!r}", path=path, line=1,
                                hint=f"columns are {source_locale}, locale codes (en, de, …), "
                                     f"{DNT_COLUMN} and {NOTE_COLUMN}") from None
    terms: list[Term] = []
    seen: dict[str, int] = {}
    try:
        for number, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise GlossaryError(f"{len(row)} fields but the header has {len(header)}", path=path,
                                    line=number, hint="quote fields that contain a comma")
            cells = {header[i]: cell.strip() for i, cell in enumerate(row)}
            source = cells.get(source_locale, "")
            if not source:
                raise GlossaryError(f"empty {source_locale!r} term", path=path, line=number,
                                    hint="fill in the French term or delete the row")
            key = source.casefold()
            if key in seen:
                raise GlossaryError(f"duplicate term {source!r}, also on line {seen[key]}", path=path,
                                    line=number, hint="keep one row per term")
            seen[key] = number
            flag = cells.get(DNT_COLUMN, "").lower()
            if flag not in _TRUE | _FALSE:
                raise GlossaryError(f"{DNT_COLUMN} must be yes or empty, not {flag!r}", path=path,
                                    line=number, hint="write yes (or 1) for terms kept as they are")
            targets = tuple((locales[i], row[i].strip()) for i in sorted(locales)
                            if i < len(row) and row[i].strip())
            terms.append(Term(source, targets, flag in _TRUE, cells.get(NOTE_COLUMN, ""), number,
                              source_pattern(source)))
    except csv.Error as err:
        raise GlossaryError(f"invalid CSV: {err}", path=path, line=rows.line_num,
                            hint="check the quotes") from err
    return Glossary(tuple(terms), path)


def source_pattern(term: str) -> re.Pattern:
    """A regex finding a French term in running text (see the module docstring)."""
    words = term.split()
    parts = []
    for index, word in enumerate(words):
        low = word.lower()
        if 0 < index < len(words) - 1 and low in _FUNCTION_WORDS:
            parts.append(_FUNCTION_WORDS[low])
        elif re.fullmatch(rf"[dl]{_APOSTROPHE}\w.*", low):
            parts.append(rf"(?:[dl]{_APOSTROPHE}|de\s+la\s+|de\s+|la\s+|le\s+)" + _french_word(word[2:]))
        else:
            parts.append(_french_word(word))
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _french_word(word: str) -> str:
    pieces = [re.escape(piece) for piece in re.split(r"[-‑]", word)]
    last = word.split("-")[-1]
    if len(last) <= 1 or last.isupper():
        inflected = pieces[-1]
    elif last.lower().endswith(("al", "aux")):
        stem = re.escape(last[: -2 if last.lower().endswith("al") else -3])
        inflected = stem + "(?:al|aux|ale|ales)"
    elif last.lower().endswith(("au", "eu")):
        inflected = pieces[-1] + "x?"
    elif last.lower().endswith(("s", "x", "z")):
        inflected = pieces[-1]
    else:
        inflected = pieces[-1] + "s?"
    return r"[-‑]?".join(pieces[:-1] + [inflected])


def target_pattern(term: str, locale: str) -> re.Pattern:
    """A regex finding a glossary term in a translation into `locale`."""
    language = locale.split("_")[0]
    parts = []
    for word in term.split():
        pieces = [re.escape(piece) for piece in re.split(r"[-‑]", word)]
        last = re.split(r"[-‑]", word)[-1]
        if language == "ar":
            body = re.escape(last[2:] if last.startswith("ال") and len(last) > 3 else last)
            if body.endswith("ة"):
                body = body[:-1]
            pieces[-1] = _ARABIC_PREFIX + body + r"\w{0,3}"
        elif len(last) >= 5 and last.isalpha():
            pieces[-1] = re.escape(last[:-2]) + r"\w{0,4}"
        elif last.isalpha() and not last.isupper():
            pieces[-1] = pieces[-1] + r"(?:s|es)?"
        parts.append(r"[-‑\s]?".join(pieces))
    body = r"[-‑\s]+".join(parts)
    # German writes terms as parts of compounds (Krebsimmuntherapie, Chemotherapiezyklus).
    # (For German the term may stand anywhere in a word, so no boundary is asked for.)
    lead, tail = ("", "") if language == "de" else (r"(?<!\w)", r"(?!\w)")
    return re.compile(lead + body + tail, re.IGNORECASE)


def uses_term(translation: str, term: str, locale: str) -> bool:
    if target_pattern(term, locale).search(translation) is not None:
        return True
    return locale.split("_")[0] == "ar" and _arabic_skeletons_in(term, translation)


# Arabic inflects inside the word (broken plurals: الأثر → الآثار, العامل → العوامل), which
# no suffix pattern covers. Words are compared by their consonant skeleton: proclitics and
# the article removed, then long vowels, hamza carriers and ta marbuta dropped.
ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, superscript alef, tatweel
_ARABIC_PROCLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_ARABIC_WEAK = str.maketrans("", "", "اأإآءؤئويىة")


def _arabic_skeleton(word: str) -> str:
    for prefix in _ARABIC_PROCLITICS:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix):]
            break
    return word.translate(_ARABIC_WEAK)


def _arabic_skeletons_in(term: str, translation: str) -> bool:
    wanted = [_arabic_skeleton(w) for w in ARABIC_MARKS.sub("", term).split()]
    words = [_arabic_skeleton(w) for w in re.findall(r"\w+", ARABIC_MARKS.sub("", translation))]
    if not wanted or not all(wanted):
        return False
    return any(words[i:i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))
