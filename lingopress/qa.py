"""QA checks: every translated entry in, findings out.

In medical content a transposed digit is a patient-safety incident, so the checks that
protect meaning (numbers with their units, links, code, markup, MT debris) are errors:
an error holds back the article in that locale until it is fixed or dismissed. The
others are warnings, reported to reviewers.

Where a well-kept library does the job it is used: translate-toolkit (the engine of
`pofilter`) for URL and e-mail extraction, brackets, doubled words, unchanged
translations and added XML/HTML tags; Google's libphonenumber (`phonenumbers`) for phone
numbers; markdown-it-py for inline Markdown; Babel for each locale's number symbols.
What none of them does is hand-written here: numbers compared by value with their units
and ranges across locales (pofilter's `numbers` compares digit runs, so it accepts
`1,8` for 1.8 in English and cannot tell 75 mg from 75 µg), glossary usage, MT
artifacts and length ratios. `CHECKS` lists every check, its severity and what
implements it.

A reviewer dismisses a false positive on one entry with a translator comment line
`# qa-ignore: numbers, urls` (or `# qa-ignore: all`) in the PO file; dismissed findings
are still returned, with `dismissed=True`, so they stay visible.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import phonenumbers
import polib
from babel import Locale
from babel.numbers import format_decimal
from markdown_it import MarkdownIt
from translate.filters import decoration
from translate.filters.checks import CheckerConfig, FilterFailure, StandardChecker
from translate.filters.checks.tags import tag_re

from .catalog import has_translation, is_approved
from .glossary import Glossary, uses_term

ERROR = "error"
WARNING = "warning"
IGNORE_PREFIX = "qa-ignore:"
IGNORE_ALL = "all"


@dataclass(frozen=True)
class Finding:
    check: str
    severity: str
    message: str
    line: int  # the entry's first line in the PO file (polib's linenum)
    dismissed: bool = False


@dataclass(frozen=True)
class Check:
    name: str
    severity: str
    library: str
    description: str


CHECKS: dict[str, Check] = {check.name: check for check in (
    Check("numbers", ERROR, "lingopress (Babel number symbols)",
          "every number of the source, with its unit and ranges, is in the translation, "
          "written the target locale's way"),
    Check("urls", ERROR, "translate-toolkit (URL finder)", "URLs are unchanged"),
    Check("emails", ERROR, "translate-toolkit (e-mail finder)", "e-mail addresses are unchanged"),
    Check("phones", ERROR, "phonenumbers (libphonenumber)", "phone numbers are unchanged"),
    Check("markup", ERROR, "markdown-it-py",
          "inline Markdown is balanced: the same bold, italics, links and images, "
          "with link and image targets unchanged"),
    Check("code", ERROR, "markdown-it-py", "code spans are unchanged"),
    Check("artifacts", ERROR, "lingopress",
          "no leftover machine-translation artifacts (⁇, <unk>, ▁, Apertium's *unknown)"),
    Check("raw-html", ERROR, "translate-toolkit (xmltags)",
          "no raw HTML in the translation that is not in the source"),
    Check("brackets", WARNING, "translate-toolkit (brackets)",
          "the same number of (), [] and {} as the source"),
    Check("glossary", WARNING, "lingopress (glossary.csv)",
          "glossary terms in the source are translated with the glossary's term"),
    Check("unchanged", WARNING, "translate-toolkit (unchanged)",
          "the translation is not a copy of the source, unless the glossary says so"),
    Check("length", WARNING, "lingopress",
          "the translation's length is between 0.5 and 2 times the source's"),
    Check("doublewords", WARNING, "translate-toolkit (doublewords)", "no word typed twice in a row"),
    Check("qa-ignore", WARNING, "lingopress", "qa-ignore comments name existing checks"),
)}

# Length ratios outside these bounds are outliers (fr→en/es/de/ar prose lies well inside).
# translate-toolkit's short/long checks only fire at 10×, which misses a truncated MT draft.
LENGTH_BOUNDS = (0.5, 2.0)
MIN_LENGTH_CHARS = 20
_ARTIFACTS = {"⁇": "⁇", "<unk>": "<unk>", "▁": "▁ (SentencePiece marker)"}
_APERTIUM_UNKNOWN = re.compile(r"(?<![\w*\\])\*(?=\w)")
_BIDI = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_SPACES = "\u0020\u00a0\u202f\u2009\u2007"
_NUMBER = re.compile(rf"\d+(?:[.,'’٫٬{_SPACES}]\d+)*")
_MINUS = "-−‐‑"
# Units as written after a number, in any of the target languages, and what they mean.
_UNITS: dict[str, tuple[str, ...]] = {
    "mg/m²": ("mg/m²", "mg/m2", "ملغ/م²", "ملغ/م2", "مغ/م²", "مغ/م2"),
    "mg/kg": ("mg/kg", "ملغ/كغ", "مغ/كغ"),
    "mg": ("mg", "ملغم", "ملغ", "مغ"),
    "µg": ("µg", "μg", "mcg", "ميكروغرام", "مكغ"),
    "kg": ("kg", "كغ", "كلغ"),
    "g": ("g", "غرام", "غ"),
    "ml": ("ml", "mL", "مل"),
    "l": ("l", "L", "لتر"),
    "°C": ("°C", "° C", "ºC", "°م", "درجة مئوية", "درجات مئوية", "degrés Celsius", "degré Celsius",
           "degrees Celsius", "grados centígrados", "grados Celsius", "Grad Celsius"),
    "%": ("%", "٪", "pour cent", "pourcent", "percent", "per cent", "por ciento", "Prozent",
          "بالمئة", "في المئة", "بالمائة", "في المائة"),
    "m²": ("m²", "m2", "م²", "م2"),
    "IU": ("UI", "IU", "IE", "وحدة دولية"),
}
_UNIT_OF = {alias: unit for unit, aliases in _UNITS.items() for alias in aliases}
_UNIT = re.compile("[" + _SPACES + "]*(" + "|".join(
    re.escape(alias) for alias in sorted(_UNIT_OF, key=len, reverse=True)) + r")(?![\w'’²])")
# Units written before the number (carboplatin doses: "AUC 5", "AUC = 5").
_PREFIX_UNIT = re.compile(r"\bAUC[\s\u00a0]*(?:=|:|de|of|von|من)?[\s\u00a0]*$")
# Words and signs joining the two ends of a range ("60 à 80 %", "60–80%", "بين 60 و80").
_RANGE = re.compile(r"[\s\u00a0]*(?:à|a|au|to|-|–|—|‑|bis|y|et|and|und|ou|or|o|oder|و|إلى|الى|أو)"
                    r"[\s\u00a0]*")


@dataclass
class Inline:
    """What a reader sees of a Markdown unit, and its inline structure."""

    raw: str
    text: str = ""
    code: Counter = field(default_factory=Counter)
    structure: Counter = field(default_factory=Counter)
    targets: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class NumberToken:
    text: str
    value: Decimal | None  # None: not a valid number in the locale
    unit: str | None
    start: int
    end: int
    alternative: Decimal | None = None  # a malformed number read the source's way

    @property
    def key(self) -> tuple[Decimal | None, str | None]:
        return (self.value if self.value is not None else self.alternative, self.unit)

    @property
    def label(self) -> str:
        """As written, with the unit it shares with the other end of a range ("60 (%)")."""
        if self.unit is not None and self.text[-1:].isdigit():
            return f"{self.text} ({self.unit})"
        return self.text


@dataclass(frozen=True)
class NumberFormat:
    locale: str
    decimals: frozenset[str]
    groups: frozenset[str]
    example: str


class Context:
    """Everything the checks need for one locale, built once per catalog."""

    def __init__(self, locale: str, glossary: Glossary | None = None, source_locale: str = "fr") -> None:
        self.locale = locale
        self.language = locale.split("_")[0]
        self.glossary = glossary or Glossary()
        self.source_format = number_format(source_locale)
        self.target_format = number_format(locale)
        dnt = [term.source for term in self.glossary.terms if term.do_not_translate]
        self.ttk = StandardChecker(CheckerConfig(targetlanguage=self.language, notranslatewords=dnt))

    def run_ttk(self, name: str, source: str, target: str) -> str | None:
        """One translate-toolkit check; its failure message, or None when it passes."""
        self.ttk.results_cache = {}
        try:
            passed = getattr(self.ttk, name)(source, target)
        except FilterFailure as failure:
            return str(failure)
        return None if passed else name


@lru_cache(maxsize=64)
def number_format(locale: str) -> NumberFormat:
    """Decimal and group symbols a locale writes numbers with, from Babel (CLDR).

    The Latin digits' symbols and those of the locale's native numbering system are both
    accepted (Arabic: `38.5` and `٣٨٫٥`); space-like group separators always are.
    """
    info = Locale.parse(locale)
    systems = {"latn", info.default_numbering_system, *dict(info.other_numbering_systems).values()}
    decimals, groups = set(), set(_SPACES)
    for system in systems:
        symbols = info.number_symbols.get(system) or {}
        if symbols.get("decimal"):
            decimals.add(_BIDI.sub("", symbols["decimal"]))
        if symbols.get("group"):
            groups.add(_BIDI.sub("", symbols["group"]))
    groups -= decimals
    example = _BIDI.sub("", format_decimal(Decimal("1234.5"), locale=locale, numbering_system="latn"))
    return NumberFormat(locale, frozenset(decimals), frozenset(groups), example)


def analyse(text: str) -> Inline:
    """Parse inline Markdown: visible text (code spans blanked), code, structure, targets."""
    inline = Inline(raw=text)
    parts: list[str] = []
    for token in _walk(_markdown().parseInline(_BIDI.sub("", text))[0].children or []):
        kind = token.type
        if kind == "text":
            parts.append(token.content)
        elif kind == "code_inline":
            inline.code[token.content] += 1
            parts.append(" ")
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "hardbreak":
            inline.structure["line break"] += 1
            parts.append("\n")
        elif kind in ("strong_open", "em_open"):
            inline.structure["bold" if kind == "strong_open" else "italics"] += 1
        elif kind == "link_open":
            inline.structure["link"] += 1
            inline.targets[f"link {token.attrGet('href')}"] += 1
        elif kind == "image":
            inline.structure["image"] += 1
            inline.targets[f"image {token.attrGet('src')}"] += 1
    inline.text = "".join(parts)
    return inline


def _walk(tokens) -> Iterator:
    for token in tokens:
        yield token
        if token.type == "image" and token.children:
            yield from _walk(token.children)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # The same dialect as ingest (markup.parser), inline only: raw HTML is text.
    return MarkdownIt("commonmark", {"html": False})


# --- numbers -----------------------------------------------------------------------------

def extract_numbers(text: str, fmt: NumberFormat, *, fallback: NumberFormat | None = None,
                    lenient: bool = False, romans: dict[str, Decimal] | None = None) -> list[NumberToken]:
    """Numbers in running text, read the way `fmt`'s locale writes them, with their units.

    A number that is not valid in the locale (`1,8` in English) gets value None, and
    `alternative` is its value read with `fallback` (the source locale's way). With
    `lenient` (source text), such a number is read with '.' as decimal point instead, and
    French Roman-numeral ordinals count as numbers ("XIXe siècle" is 19); `romans` are
    such numerals to find as they are in a translation ("siglo XIX").
    """
    tokens: list[NumberToken] = []
    for match in _ROMAN_ORDINAL.finditer(text) if lenient else ():
        tokens.append(NumberToken(match.group(0), _roman(match.group(1)), None, match.start(), match.end()))
    for numeral, value in (romans or {}).items():
        for match in re.finditer(rf"(?<!\w){numeral}(?:e|er|ème|ᵉ)?(?!\w)", text):
            tokens.append(NumberToken(numeral, value, None, match.start(), match.end()))
    consumed = 0  # digits inside a unit already read ("mg/m2") are not numbers
    for match in _NUMBER.finditer(text):
        if match.start() < consumed:
            continue
        for start, end in _split_space_groups(text, match.start(), match.end()):
            raw = text[start:end]
            value = _parse(raw, fmt)
            alternative = None
            if value is None and lenient:
                value = next((v for v in (_parse(raw, f) for f in _LENIENT) if v is not None), None)
                value = value if value is not None else _digits_only(raw)
            elif value is None and fallback is not None:
                alternative = next((v for v in (_parse(raw, f) for f in (fallback, *_LENIENT))
                                    if v is not None), None)
            if _negative(text, start):
                start -= 1
                value = -value if value is not None else None
                alternative = -alternative if alternative is not None else None
            unit = None
            after = _UNIT.match(text, end)
            if after:
                unit = _UNIT_OF[after.group(1)]
                end = consumed = after.end()
            elif _PREFIX_UNIT.search(text[max(0, start - 12):start]):
                unit = "AUC"
            tokens.append(NumberToken(text[start:end].strip(_SPACES), value, unit, start, end, alternative))
    tokens.sort(key=lambda token: token.start)
    # A unit written once for a range belongs to both ends: "60 à 80 %" is 60 % and 80 %.
    for index in range(len(tokens) - 1):
        left, right = tokens[index], tokens[index + 1]
        if (left.unit is None) != (right.unit is None) and _RANGE.fullmatch(text[left.end:right.start]):
            unit = left.unit or right.unit
            tokens[index] = _with_unit(left, unit)
            tokens[index + 1] = _with_unit(right, unit)
    return tokens


def _with_unit(token: NumberToken, unit: str) -> NumberToken:
    return NumberToken(token.text, token.value, unit, token.start, token.end, token.alternative)


# Source text is read leniently: French written with '.' groups (1.000) or a decimal point.
_LENIENT = (NumberFormat("", frozenset(","), frozenset("."), "1.234,5"),
            NumberFormat("", frozenset("."), frozenset(",'’"), "1,234.5"))


_ROMAN_ORDINAL = re.compile(r"(?<!\w)([IVXLC]{2,}|[IVX])(?:e|er|ème|ᵉ)(?!\w)")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman(numeral: str) -> Decimal:
    values = [_ROMAN_VALUES[ch] for ch in numeral]
    return Decimal(sum(-v if i + 1 < len(values) and v < values[i + 1] else v
                       for i, v in enumerate(values)))


def _negative(text: str, start: int) -> bool:
    """A minus sign before a number, not a hyphen inside a name (PD-1) or a range (60-80)."""
    if start == 0 or text[start - 1] not in _MINUS:
        return False
    if start >= 2 and text[start - 2] not in _SPACES + "([=:\n":
        return False
    before = text[:start - 1].rstrip()
    return not before or not (before[-1].isdigit() or before[-1] in "%²")


def _split_space_groups(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Space-separated digit groups form one number only as thousands groups ("10 000");
    otherwise ("2023 100", "1 2") each part is a number of its own."""
    pieces = [(m.start() + start, m.end() + start)
              for m in re.finditer(rf"[^{_SPACES}]+", text[start:end])]
    current_start, current_end = pieces[0]
    eligible = re.fullmatch(r"\d{1,3}", text[current_start:current_end]) is not None
    for piece_start, piece_end in pieces[1:]:
        piece = text[piece_start:piece_end]
        if eligible and re.match(r"\d{3}(?!\d)", piece):
            current_end = piece_end
            eligible = re.fullmatch(r"\d{3}", piece) is not None
            continue
        yield current_start, current_end
        current_start, current_end = piece_start, piece_end
        eligible = re.fullmatch(r"\d{1,3}", piece) is not None
    yield current_start, current_end


def _parse(raw: str, fmt: NumberFormat) -> Decimal | None:
    """The value of a number written with `fmt`'s symbols, or None if it is not valid there."""
    raw = "".join(ch for ch in raw if ch not in _SPACES)
    chunks = re.split(r"(\D)", raw)
    digits, seps = chunks[0::2], chunks[1::2]
    integer, fraction = [digits[0]], ""
    for index, sep in enumerate(seps):
        following = digits[index + 1]
        last = index == len(seps) - 1
        if sep in fmt.groups and len(following) == 3 and len(digits[0]) <= 3 and not fraction:
            integer.append(following)
        elif sep in fmt.decimals and last:
            fraction = following
        else:
            return None
    try:
        return Decimal(_ascii("".join(integer)) + ("." + _ascii(fraction) if fraction else ""))
    except InvalidOperation:
        return None


def _digits_only(raw: str) -> Decimal | None:
    try:
        return Decimal(_ascii("".join(ch for ch in raw if ch.isdigit())))
    except InvalidOperation:
        return None


def _ascii(digits: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in digits)


def check_numbers(source: Inline, target: Inline, ctx: Context) -> list[str]:
    src_text, tgt_text = _without_identifiers(source.text), _without_identifiers(target.text)
    src = extract_numbers(src_text, ctx.source_format, lenient=True)
    romans = {t.text.rstrip("eèmrᵉ"): t.value for t in src if _ROMAN_ORDINAL.fullmatch(t.text)}
    tgt = extract_numbers(tgt_text, ctx.target_format, fallback=ctx.source_format, romans=romans)
    messages = []
    for token in tgt:
        if token.value is None:
            fmt = ctx.target_format
            messages.append(f"number {token.text} is not written the {fmt.locale} way "
                            f"(decimal separator {_symbols(fmt.decimals)}, digit groups "
                            f"{_symbols(fmt.groups - set(_SPACES))} or a space, e.g. {fmt.example})")
    missing = Counter(t.key for t in src) - Counter(t.key for t in tgt)
    extra = Counter(t.key for t in tgt) - Counter(t.key for t in src)
    unmatched = list(dict.fromkeys(t.label for t in tgt if t.key in extra))
    reported: set = set()
    for token in src:
        if token.key not in missing or token.key in reported:
            continue
        reported.add(token.key)
        other_unit = [t.label for t in tgt if t.key in extra and t.key[0] == token.value]
        if other_unit:
            messages.append(f"number {token.label} has another unit in the translation: {other_unit[0]}")
        else:
            found = f" (found {', '.join(unmatched)})" if unmatched else ""
            messages.append(f"number {token.label} missing in translation{found}")
    if not missing:
        messages += [f"number {label} in the translation is not in the source" for label in unmatched]
    return messages


def _symbols(chars: Iterable[str]) -> str:
    return " or ".join(f"'{ch}'" for ch in sorted(chars)) or "none"


def _without_identifiers(text: str) -> str:
    """Blank out URLs, e-mail addresses and phone numbers: they have checks of their own,
    and their digits are not quantities."""
    for found in decoration.geturls(text) + decoration.getemails(text):
        text = text.replace(found, " " * len(found))
    for match in phonenumbers.PhoneNumberMatcher(text, "FR"):
        text = text[:match.start] + " " * (match.end - match.start) + text[match.end:]
    return text


# --- the other checks --------------------------------------------------------------------

def _found(kind: str, source: Counter, target: Counter) -> list[str]:
    missing, extra = source - target, target - source
    found = ", ".join(extra)
    messages = [f"{kind} {item} missing in translation" + (f" (found {found})" if found else "")
                for item in missing]
    if not missing:
        messages += [f"{kind} {item} in the translation is not in the source" for item in extra]
    return messages


def _clean(items: Iterable[str]) -> Counter:
    # translate-toolkit's finders include sentence punctuation that follows an address.
    return Counter(item.rstrip(".,;:!?)") for item in items)


def check_urls(source: Inline, target: Inline, ctx: Context) -> list[str]:
    return _found("URL", _clean(decoration.geturls(source.text)), _clean(decoration.geturls(target.text)))


def check_emails(source: Inline, target: Inline, ctx: Context) -> list[str]:
    return _found("e-mail address", _clean(decoration.getemails(source.text)),
                  _clean(decoration.getemails(target.text)))


def _phones(text: str) -> dict[str, list[str]]:
    """Phone numbers by their E.164 form (so `01 45…` and `+33 1 45…` are the same), as written."""
    found: dict[str, list[str]] = {}
    for match in phonenumbers.PhoneNumberMatcher(text, "FR"):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        found.setdefault(e164, []).append(match.raw_string)
    return found


def check_phones(source: Inline, target: Inline, ctx: Context) -> list[str]:
    src, tgt = _phones(source.text), _phones(target.text)
    src_count = Counter({number: len(written) for number, written in src.items()})
    tgt_count = Counter({number: len(written) for number, written in tgt.items()})
    missing, extra = src_count - tgt_count, tgt_count - src_count
    found = ", ".join(tgt[number][0] for number in extra)
    messages = [f"phone number {src[number][0]} missing or changed in translation"
                + (f" (found {found})" if found else "") for number in missing]
    if not missing:
        messages += [f"phone number {tgt[number][0]} in the translation is not in the source" for number in extra]
    return messages


def check_markup(source: Inline, target: Inline, ctx: Context) -> list[str]:
    messages = []
    for kind in sorted(set(source.structure) | set(target.structure)):
        if source.structure[kind] != target.structure[kind]:
            messages.append(f"{kind}: {source.structure[kind]} in the source, "
                            f"{target.structure[kind]} in the translation")
    missing, extra = source.targets - target.targets, target.targets - source.targets
    for item in missing:
        kind, _, where = item.partition(" ")
        changed = [e.partition(" ")[2] for e in extra if e.startswith(kind + " ")]
        messages.append(f"{kind} target {where} changed" + (f" to {changed[0]}" if changed else " or missing"))
    if not missing:
        messages += [f"{item.partition(' ')[0]} target {item.partition(' ')[2]} is not in the source"
                     for item in extra]
    return messages


def check_code(source: Inline, target: Inline, ctx: Context) -> list[str]:
    return _found("code span", Counter({f"`{k}`": v for k, v in source.code.items()}),
                  Counter({f"`{k}`": v for k, v in target.code.items()}))


def check_artifacts(source: Inline, target: Inline, ctx: Context) -> list[str]:
    messages = [f"machine-translation artifact {label} left in the translation"
                for marker, label in _ARTIFACTS.items()
                if target.raw.count(marker) > source.raw.count(marker)]
    if len(_APERTIUM_UNKNOWN.findall(target.text)) > len(_APERTIUM_UNKNOWN.findall(source.text)):
        words = [m.group(0) for m in re.finditer(r"(?<![\w*\\])\*\w+", target.text)]
        messages.append(f"Apertium unknown-word mark left in the translation ({', '.join(words)})")
    return messages


def check_raw_html(source: Inline, target: Inline, ctx: Context) -> list[str]:
    failure = ctx.run_ttk("xmltags", source.text, target.text)
    if failure is None:
        return []
    extra = Counter(tag_re.findall(target.text)) - Counter(tag_re.findall(source.text))
    tags = ", ".join(extra) or failure
    return [f"raw HTML in the translation that is not in the source: {tags}"]


def check_brackets(source: Inline, target: Inline, ctx: Context) -> list[str]:
    failure = ctx.run_ttk("brackets", source.text, target.text)
    return [f"brackets differ from the source: {failure}"] if failure else []


def check_doublewords(source: Inline, target: Inline, ctx: Context) -> list[str]:
    failure = ctx.run_ttk("doublewords", source.text, target.text)
    return [failure] if failure else []


def check_unchanged(source: Inline, target: Inline, ctx: Context) -> list[str]:
    if _glossary_allows_copy(source.text, ctx):
        return []
    failure = ctx.run_ttk("unchanged", source.text, target.text)
    return ["translation is identical to the source (translate it, or dismiss with "
            "# qa-ignore: unchanged)"] if failure else []


def _glossary_allows_copy(text: str, ctx: Context) -> bool:
    """The whole source is a glossary term whose translation in this locale is the same word."""
    bare = text.strip().strip(".:!?").casefold()
    return any(term.source.casefold() == bare and (term.target(ctx.locale) or "").casefold() == bare
               for term in ctx.glossary.terms)


def check_length(source: Inline, target: Inline, ctx: Context) -> list[str]:
    src, tgt = len(source.text.strip()), len(target.text.strip())
    if src < MIN_LENGTH_CHARS or not tgt:
        return []
    ratio = tgt / src
    low, high = LENGTH_BOUNDS
    if low <= ratio <= high:
        return []
    return [f"translation is {ratio:.1f}× the length of the source (expected {low}–{high}×)"]


def check_glossary(source: Inline, target: Inline, ctx: Context) -> list[str]:
    messages = []
    for term in ctx.glossary.terms_in(source.text):
        wanted = term.target(ctx.locale)
        if wanted is None:
            continue
        if term.do_not_translate and wanted == term.source:
            # Kept as it is means exactly that (case aside): CART is not CAR-T.
            if re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", target.text, re.IGNORECASE):
                continue
            messages.append(f"glossary: keep {term.source!r} as it is (do not translate)")
        elif not uses_term(target.text, wanted, ctx.locale):
            messages.append(f"glossary: {term.source!r} should be translated as {wanted!r}")
    return messages


_IMPLEMENTATIONS = {
    "numbers": check_numbers, "urls": check_urls, "emails": check_emails, "phones": check_phones,
    "markup": check_markup, "code": check_code, "artifacts": check_artifacts,
    "raw-html": check_raw_html, "brackets": check_brackets, "glossary": check_glossary,
    "unchanged": check_unchanged, "length": check_length, "doublewords": check_doublewords,
}


# --- entries and catalogs ----------------------------------------------------------------

def dismissals(entry: polib.POEntry) -> tuple[set[str], int]:
    """Checks dismissed by `qa-ignore:` translator-comment lines, and that comment's line.

    A long list may have been wrapped onto the next comment line by a tool; a line ending
    with ',' continues.
    """
    names: set[str] = set()
    lines = (entry.tcomment or "").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if line.lower().startswith(IGNORE_PREFIX):
            listed = line[len(IGNORE_PREFIX):]
            while listed.rstrip().endswith(",") and index + 1 < len(lines):
                index += 1
                listed += lines[index]
            names |= {name.strip().lower() for name in listed.split(",") if name.strip()}
        index += 1
    return names, entry.linenum


def check_entry(entry: polib.POEntry, ctx: Context) -> list[Finding]:
    """All findings for one entry; those dismissed by `qa-ignore` are marked dismissed."""
    if entry.obsolete or not has_translation(entry):
        return []
    ignored, line = dismissals(entry)
    findings = []
    for name in sorted(ignored - set(CHECKS) - {IGNORE_ALL}):
        findings.append(Finding("qa-ignore", WARNING, f"qa-ignore names unknown check {name!r} "
                                f"(known: {', '.join(n for n in CHECKS if n != 'qa-ignore')}, all)", line))
    for source_text, target_text in _pairs(entry):
        if not target_text.strip():
            continue
        source, target = analyse(source_text), analyse(target_text)
        for name, implementation in _IMPLEMENTATIONS.items():
            for message in implementation(source, target, ctx):
                findings.append(Finding(name, CHECKS[name].severity, message, line,
                                        dismissed=IGNORE_ALL in ignored or name in ignored))
    return findings


def _pairs(entry: polib.POEntry) -> list[tuple[str, str]]:
    if not entry.msgid_plural:
        return [(entry.msgid, entry.msgstr)]
    return [(entry.msgid if index == 0 else entry.msgid_plural, text)
            for index, text in sorted(entry.msgstr_plural.items())]


def check_catalog(catalog: polib.POFile, locale: str, glossary: Glossary | None = None, *,
                  source_locale: str = "fr") -> list[Finding]:
    """Findings for every translated entry of a catalog, in file order."""
    ctx = Context(locale, glossary, source_locale)
    return [finding for entry in catalog for finding in check_entry(entry, ctx)]


def entry_findings(catalog: polib.POFile, locale: str, glossary: Glossary | None = None, *,
                   source_locale: str = "fr") -> list[tuple[polib.POEntry, list[Finding]]]:
    """Each live entry of a catalog with its findings (for review pages and status)."""
    ctx = Context(locale, glossary, source_locale)
    return [(entry, check_entry(entry, ctx)) for entry in catalog if not entry.obsolete]


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR and not f.dismissed]


def blocking_findings(catalog: polib.POFile, locale: str, glossary: Glossary | None = None, *,
                      source_locale: str = "fr") -> list[Finding]:
    """Errors that hold an article back: not dismissed, in entries that would be published."""
    ctx = Context(locale, glossary, source_locale)
    return blocking(finding for entry in catalog if is_approved(entry)
                    for finding in check_entry(entry, ctx))


def hold_reason(errors: list[Finding]) -> str:
    first = errors[0]
    return (f"{len(errors)} QA error{'s' * (len(errors) != 1)} "
            f"(line {first.line}: {first.message} [{first.check}])")
