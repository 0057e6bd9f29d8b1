"""Numbers with their units and ranges, compared by value across locales."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import phonenumbers
from translate.filters import decoration

from .base import _SPACES, Context, Inline, NumberFormat, contains_source
from .lexicon import TIME_UNITS, Lexicon, lexicon, normalize

_NUMBER = re.compile(rf"\d+(?:[.,'’٫٬{_SPACES}]\d+)*")
_MINUS = "-−‐‑"
# Units as written after a number, in any of the target languages, and what they mean.
_UNITS: dict[str, tuple[str, ...]] = {
    "mg/m²": ("mg/m²", "mg/m2", "ملغ/م²", "ملغ/م2", "مغ/م²", "مغ/م2"),
    "mg/kg": ("mg/kg", "ملغ/كغ", "مغ/كغ"),
    "mg": ("mg", "ملغم", "ملغ", "مغ", "مليغرام", "ملليغرام", "ميليغرام", "ملغرام", "مليغرامات", "ملليغرامات"),
    "µg": ("µg", "μg", "mcg", "ميكروغرام", "ميكروغرامات", "مكغ"),
    "kg": ("kg", "كغ", "كلغ", "كغم", "كيلوغرام", "كيلوغرامات", "كيلوغراما"),
    "g": ("g", "غرام", "غرامات", "غراما", "غ"),
    "ml": ("ml", "mL", "مل", "ملل", "مليلتر", "ملليلتر", "مليلترات"),
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
_RANGE = re.compile(r"[\s\u00a0]*(?:à|a|au|al|to|-|–|—|‑|bis|y|et|and|und|ou|or|o|oder|و|إلى|الى|أو)"
                    r"[\s\u00a0]*")



@dataclass(frozen=True)
class NumberToken:
    text: str
    value: Decimal | None  # None: not a valid number in the locale
    unit: str | None
    start: int
    end: int
    alternative: Decimal | None = None  # a malformed number read the source's way
    soft: bool = False  # a word that may or may not count (« un », "a", "ein"): never required

    @property
    def key(self) -> tuple[Decimal | None, str | None]:
        return (self.value if self.value is not None else self.alternative, self.unit)

    @property
    def label(self) -> str:
        """As written, with the unit it shares with the other end of a range ("60 (%)")."""
        if self.unit is not None and self.text[-1:].isdigit():
            return f"{self.text} ({self.unit})"
        return self.text



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
    src_text, vague = without_vague(src_text, lexicon(ctx.source_language))
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
    if not contains_source(source, target):  # a copied source keeps its number words
        src += word_numbers(src_text, lexicon(ctx.source_language))
        tgt += word_numbers(tgt_text, lexicon(ctx.language))
    missing = Counter(t.key for t in src if not t.soft) - Counter(t.key for t in tgt if not t.soft)
    extra = Counter(t.key for t in tgt if not t.soft) - Counter(t.key for t in src if not t.soft)
    # « un comprimé » / "a tablet" / "قرص": a count of one is often not written at all, so a
    # soft word stands in for a missing 1 and a lone missing 1 is not an error.
    _absorb(missing, Counter(t.value for t in tgt if t.soft))
    _absorb(extra, Counter(t.value for t in src if t.soft) + vague)
    for one, other in equal_durations(src_text, tgt_text, ctx):
        # "every week" for « tous les 7 jours »: the same duration in other units.
        for unmatched_keys, token in ((missing, one.number), (extra, other.number)):
            if token is not None and not token.soft and unmatched_keys[token.key] > 0:
                unmatched_keys[token.key] -= 1
    missing, extra = +missing, +extra
    if not extra and set(missing) <= {(Decimal(1), None)}:
        missing = Counter()
    unmatched = list(dict.fromkeys(t.label for t in tgt if t.key in extra and not t.soft))
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


# Minutes in each time unit, so that durations written in other units compare: « 7 jours »
# is "a week", « 30 minutes » "half an hour", « 12 mois » "a year". A month is a twelfth of
# a year: four weeks are not a month.
_MINUTES = {"minute": Decimal(1), "hour": Decimal(60), "day": Decimal(1440), "week": Decimal(10080),
            "month": Decimal(43800), "year": Decimal(525600)}


@dataclass(frozen=True)
class Duration:
    minutes: Decimal
    unit: str
    number: NumberToken | None  # None: a unit named alone ("a week", « par jour »)


def durations(text: str, numbers: list[NumberToken], lex: Lexicon) -> list[Duration]:
    """Each time unit of `text` with the number just before it ("two weeks", « 7 jours »)."""
    normalized = normalize(text)
    found = []
    for unit, pattern in lex.time_units:
        for match in pattern.finditer(normalized):
            # up to 4 characters between: "half an hour", « 7 jours », "3-day"
            # (the Arabic dual is one word for both: أسبوعين is two weeks)
            before = [t for t in numbers if t.value is not None and t.start <= match.start()
                      and match.start() - 4 <= t.end <= match.end()]
            number = max(before, key=lambda t: t.end, default=None)
            value = number.value if number is not None else Decimal(1)
            found.append(Duration(value * _MINUTES[unit], unit, number))
    return found


def _durations_of(text: str, fmt: NumberFormat, lex: Lexicon, **reading) -> list[Duration]:
    # Units are matched on normalized text (Arabic marks removed), so numbers are read there too.
    text = normalize(text)
    return durations(text, extract_numbers(text, fmt, **reading) + word_numbers(text, lex), lex)


def equal_durations(src_text: str, tgt_text: str, ctx: Context,
                    accept: Callable[[Duration, Duration], bool] = lambda one, other: True
                    ) -> Iterator[tuple[Duration, Duration]]:
    """Source and target durations that say the same time in different units ("every week"
    for « tous les 7 jours »), each target duration used once; `accept` is asked as the
    pairs are made."""
    source = _durations_of(src_text, ctx.source_format, lexicon(ctx.source_language), lenient=True)
    target = _durations_of(tgt_text, ctx.target_format, lexicon(ctx.language), fallback=ctx.source_format)
    used: set[int] = set()
    for one in source:
        other = next((i for i, d in enumerate(target) if i not in used and d.unit != one.unit
                      and d.minutes == one.minutes and accept(one, d)), None)
        if other is not None:
            used.add(other)
            yield one, target[other]


def without_vague(text: str, lex: Lexicon) -> tuple[str, Counter]:
    """The text with « quinze jours »-like phrases blanked, and the values they may stand for."""
    values: Counter = Counter()
    normalized = normalize(text)
    if len(normalized) != len(text):
        return text, values
    for match in lex.vague.finditer(normalized):
        for value in lex.vague_values.get(re.sub(r"\s+", " ", match.group(0).casefold()), ()):
            values[value] += 1
        text = text[:match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    return text, values


def _absorb(unmatched: Counter, soft: Counter) -> None:
    for key in list(unmatched):
        value, unit = key
        while unit is None and unmatched[key] > 0 and soft[value] > 0:
            unmatched[key] -= 1
            soft[value] -= 1
    unmatched += Counter()  # drop the zero counts


def word_numbers(text: str, lex: Lexicon) -> list[NumberToken]:
    """Numbers written in words (« deux », "twice", „dreimal“, مرتين), as number tokens."""
    return list(_word_numbers(text, lex.language))


@lru_cache(maxsize=8192)
def _word_numbers(text: str, language: str) -> tuple[NumberToken, ...]:
    return tuple(NumberToken(word.text, word.value, None, word.start, word.end, soft=word.soft)
                 for word in lexicon(language).find_number_words(normalize(text)))


def time_units(text: str, lex: Lexicon) -> Counter:
    """How often each time unit (minute … year, as a noun, an adverb or an abbreviation) is named."""
    return Counter(dict(_time_units(text, lex.language)))


@lru_cache(maxsize=8192)
def _time_units(text: str, language: str) -> tuple[tuple[str, int], ...]:
    text = normalize(text)
    return tuple((unit, count) for unit, pattern in lexicon(language).time_units
                 if (count := len(pattern.findall(text))))


def check_time_units(source: Inline, target: Inline, ctx: Context) -> list[str]:
    if contains_source(source, target):
        return []
    src_text = without_vague(source.text, lexicon(ctx.source_language))[0]
    src = time_units(src_text, lexicon(ctx.source_language))
    if not src:
        return []  # a unit only added is not reported (see below)
    tgt = time_units(target.text, lexicon(ctx.language))
    lost, gained = src - tgt, tgt - src
    if lost and gained:
        for one, same in equal_durations(src_text, target.text, ctx,
                                         lambda one, other: lost[one.unit] > 0 and gained[other.unit] > 0):
            lost[one.unit] -= 1
            gained[same.unit] -= 1
        lost, gained = +lost, +gained
    messages = []
    for unit in (u for u in TIME_UNITS if u in lost):
        # A unit that is only dropped is usually implied ("children under 12" for « moins de
        # 12 ans »); one that another unit replaced changes the schedule.
        if gained:
            instead = ", ".join(_UNIT_NAMES[u] for u in TIME_UNITS if u in gained)
            messages.append(f"time unit changed: {_UNIT_NAMES[unit]} in the source, {instead} in the translation")
    return messages


_UNIT_NAMES = {"minute": "minutes", "hour": "hours", "day": "days", "week": "weeks", "month": "months", "year": "years"}


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

