"""Per-language lexicons of the meaning checks, read from `lexicons/<language>.toml`.

The data files hold what a linguist edits (negation cues, limit qualifiers, counted nouns,
number words that no library generates); this module compiles them into regular
expressions once per language. Number words come from num2words (cardinals 0-100 and
ordinals 1-31 in every language it covers) and time-unit names from CLDR through Babel
(`duration-*` units in every plural form and width); the TOML files add only what those
two do not have (multiplicatives, Arabic duals in the accusative, German compounds).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from babel import Locale
from num2words import num2words

from ..catalogs.glossary import ARABIC_MARKS

MAX = "max"
MIN = "min"
TIME_UNITS = ("minute", "hour", "day", "week", "month", "year")
_ARABIC_DUAL = re.compile(r"(?<!\w)\w{3,}(?:ان|ين)(?!\w)")
_DEFAULT = "en"  # a target language without a lexicon file is read with English cues


@dataclass(frozen=True)
class LimitCue:
    direction: str  # MAX or MIN
    placement: str  # "before" a number, "after" one, "free", or "time" (before/after in time)
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class NumberWord:
    text: str
    value: Decimal
    start: int
    end: int
    soft: bool  # "un/une/a/ein": 1 only where it counts something, so never required


@dataclass(frozen=True)
class Lexicon:
    language: str
    negation_strong: re.Pattern
    negation_weak: re.Pattern
    negation_double: re.Pattern  # "only with": two negations' worth (« ne … pas … sans »)
    not_negation: re.Pattern
    limits: tuple[tuple[re.Pattern, str, str], ...]  # (pattern, direction, placement)
    limit_neutral: re.Pattern
    number_words: re.Pattern
    number_values: dict[str, Decimal]
    vague: re.Pattern  # « quinze jours »: a number that may stand for several values
    vague_values: dict[str, tuple[Decimal, ...]]
    counted: re.Pattern
    ambiguous_numbers: frozenset[str]
    time_units: tuple[tuple[str, re.Pattern], ...]
    conjunctions: re.Pattern

    def find_number_words(self, text: str) -> list[NumberWord]:
        found = []
        for match in self.number_words.finditer(text):
            word = match.group(0)
            key = _key_of(word, self.language, self.number_values)
            value = self.number_values.get(key)
            if value is None:
                continue
            counts = self.counted.match(text, _skip_space(text, match.end())) is not None
            soft = value == 1 or (key in self.ambiguous_numbers and not counts)
            found.append(NumberWord(word, value, match.start(), match.end(), soft))
        if self.language == "ar":
            # The dual (كبسولتان، حقنتين، هدفين) is "two" of any noun: a soft 2, since a
            # plural or an adjective can end the same way.
            found += [NumberWord(m.group(0), Decimal(2), m.start(), m.end(), True)
                      for m in _ARABIC_DUAL.finditer(text)
                      if not any(w.start <= m.start() < w.end for w in found)]
        return found


def normalize(text: str) -> str:
    """Text as the lexicons match it: NFC, Arabic marks removed, apostrophes kept."""
    return ARABIC_MARKS.sub("", unicodedata.normalize("NFC", text))


@lru_cache(maxsize=16)
def lexicon(language: str) -> Lexicon:
    data = _load(language)
    negation, limits, numbers, time = (data.get(k, {}) for k in ("negation", "limits", "numbers", "time"))
    cues = []
    for direction in (MAX, MIN):
        for placement in ("before", "after", "free", "time"):
            for pattern in limits.get(f"{direction}_{placement}", []):
                cues.append((_compile([pattern]), direction, placement))
    values = _number_words(language)
    values.update({_key(word): Decimal(value) for word, value in numbers.get("extra", {}).items()})
    units = []
    for unit in TIME_UNITS:
        units.append((unit, _compile(_cldr_unit_names(language, unit) + time.get(unit, []))))
    conjunctions = data.get("enumeration", {}).get("conjunctions", ["and", "or"])
    return Lexicon(
        language=language,
        negation_strong=_compile(negation.get("strong", [])),
        negation_weak=_compile(negation.get("weak", [])),
        negation_double=_compile(negation.get("double", [])),
        not_negation=_compile(negation.get("not_negation", [])),
        limits=tuple(cues),
        limit_neutral=_compile(limits.get("neutral", [])),
        number_words=_number_word_pattern(language, values),
        number_values=values,
        vague=_compile([re.escape(phrase) for phrase in numbers.get("vague", {})]),
        vague_values={_key(phrase): tuple(Decimal(v) for v in values_)
                      for phrase, values_ in numbers.get("vague", {}).items()},
        counted=_compile(numbers.get("counted", [])),
        ambiguous_numbers=frozenset(_key(word) for word in numbers.get("ambiguous", [])),
        time_units=tuple(units),
        conjunctions=_compile(conjunctions),
    )


def _number_word_pattern(language: str, values: dict[str, Decimal]) -> re.Pattern:
    """Words, and the number words of more than one word ("vingt et un", "twenty-one"):
    single words are looked up in `values`, which is much faster than an alternation of
    every number word."""
    several = sorted((re.escape(w).replace(r"\ ", r"[\s-]+") for w in values if " " in w), key=len, reverse=True)
    # Arabic writes conjunctions and prepositions joined to the word: لأربعة، بجرعتين.
    lead = r"(?:[وفبلك]|ال|بال|لل|وال)?" if language == "ar" else ""
    multi = rf"{lead}(?:{'|'.join(several)})(?!\w)|" if several else ""
    return re.compile(rf"(?<!\w)(?:{multi}\w+)", re.IGNORECASE)


def _key_of(match: str, language: str, values: dict[str, Decimal]) -> str:
    # The text is normalized already: a single word only needs its case folded.
    key = match.casefold() if match.isalpha() else _key(match)
    if key in values or language != "ar":
        return key
    for prefix in ("وال", "بال", "لل", "ال", "و", "ف", "ب", "ل", "ك"):
        if key.startswith(prefix) and key[len(prefix):] in values:
            return key[len(prefix):]
    return key


def _load(language: str) -> dict:
    files = resources.files("lingopress.qa") / "lexicons"
    path = files / f"{language}.toml"
    if not path.is_file():
        path = files / f"{_DEFAULT}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _compile(patterns: list[str]) -> re.Pattern:
    """One alternation of word-bounded patterns; a pattern that starts with a lookbehind
    or ends with a lookahead brings its own boundary there.

    The boundaries are factored out of the alternation, so that the regex engine tries
    the alternatives only where a word starts: one pass over a sentence costs about as
    much as a single pattern would, whatever the lexicon's size.
    """
    if not patterns:
        return re.compile(r"(?!x)x")
    plain, own_start, own_end, both = [], [], [], []
    for pattern in patterns:
        starts = pattern.startswith("(?<")
        ends = re.search(r"\(\?[=!][^()]*\)$", pattern) is not None
        (both if starts and ends else own_start if starts else own_end if ends else plain).append(pattern)
    tail = r"(?:(?<=['’])|(?!\w))"
    parts = []
    if plain:
        parts.append(r"(?<!\w)(?:" + "|".join(plain) + ")" + tail)
    if own_end:
        parts.append(r"(?<!\w)(?:" + "|".join(own_end) + ")")
    if own_start:
        parts.append("(?:" + "|".join(own_start) + ")" + tail)
    parts += both
    return re.compile("|".join(parts), re.IGNORECASE)


def _key(word: str) -> str:
    return re.sub(r"[\s-]+", " ", normalize(word).casefold()).strip()


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \u00a0\u202f-":
        index += 1
    return index


@lru_cache(maxsize=16)
def _number_words(language: str) -> dict[str, Decimal]:
    """Cardinals 0-100 and ordinals 1-31 as num2words writes them, with the variants
    running text uses (feminine forms, hyphens as spaces, Arabic case endings)."""
    words: dict[str, Decimal] = {}
    try:
        for number in range(0, 101):
            words[_key(num2words(number, lang=language))] = Decimal(number)
        for number in range(1, 32):
            words[_key(num2words(number, lang=language, to="ordinal"))] = Decimal(number)
    except NotImplementedError:
        return words
    variants: dict[str, Decimal] = {}
    for word, value in words.items():
        if language == "fr":
            variants[re.sub(r"\bun\b", "une", word)] = value
            variants[word.replace("ième", "ieme")] = value
            if word.endswith("premier"):
                variants[word + "e"] = variants[word[:-2] + "ère"] = value
            if word == "deuxième":
                variants["second"] = variants["seconde"] = value
        elif language == "es":
            variants[re.sub(r"uno$", "una", word)] = variants[re.sub(r"uno$", "ún", word)] = value
            if word.endswith("o") and value < 32:
                variants[word[:-1] + "a"] = value  # primera, segunda
        elif language == "de" and value < 32 and not word.endswith(("eins", "null")):
            for ending in ("n", "r", "s", "m"):
                variants[word + ending] = value  # zweiten, dritter
        elif language == "ar":
            joined = word.replace("و ", "و")
            variants[joined] = value
            for form in (word, joined):
                if form.endswith("ون"):
                    variants[form[:-2] + "ين"] = value
                variants[form.replace("اثنا", "اثني")] = value
                if value > 1 and not form.startswith("ال") and " " not in form:
                    variants["ال" + form] = value  # الثاني, الثالث
    words.update(variants)
    words.pop("", None)
    return words


@lru_cache(maxsize=64)
def _cldr_unit_names(language: str, unit: str) -> list[str]:
    """The names CLDR gives a duration unit in a language, every width and plural form,
    as patterns. Abbreviations (under three letters, or with a period) count only right
    after a number, where they cannot be ordinary words."""
    try:
        patterns = Locale.parse(language)._data["unit_patterns"][f"duration-{unit}"]
    except (KeyError, ValueError):
        return []
    names: set[str] = set()
    for width, forms in patterns.items():
        for form, pattern in forms.items():
            if form == "per":
                continue
            name = normalize(pattern.replace("{0}", "")).strip(" \u00a0\u202f")
            if not name:
                continue
            escaped = re.escape(name)
            if len(name.rstrip(".")) < 3 or "." in name:
                names.add(rf"(?<=\d)[\s\u00a0\u202f]?{escaped}" if not name.endswith(".") else
                          rf"(?<=\d)[\s\u00a0\u202f]?{escaped[:-2]}\.")
            else:
                names.add(escaped)
                if language == "ar" and name.endswith("ان"):
                    names.add(re.escape(name[:-2] + "ين"))  # the dual's accusative/genitive
    return sorted(names, key=len, reverse=True)
