"""The check table, the single registry of QA checks, and running it over entries and catalogs.

Each `Check` names its severity, the library that implements it and the function that runs
it; the review pages, `lingopress check`, the README table and the publish gate all read
this table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polib

from ..catalogs.po import has_translation, is_approved
from ..catalogs.glossary import Glossary
from . import alignment, markup, meaning, numbers, terms
from .base import ERROR, IGNORE_ALL, IGNORE_PREFIX, WARNING, Context, Finding, Inline, analyse

CheckFunction = Callable[[Inline, Inline, Context], list[str]]


@dataclass(frozen=True)
class Check:
    name: str
    severity: str
    library: str
    description: str
    run: CheckFunction | None = None  # None: a check about the entry itself (qa-ignore)


CHECKS: dict[str, Check] = {check.name: check for check in (
    Check("numbers", ERROR, "lingopress (Babel number symbols, num2words)",
          "every number of the source, in digits or in words (« deux fois », \"twice\"), with its unit "
          "and ranges, is in the translation, written the target locale's way", numbers.check_numbers),
    Check("urls", ERROR, "translate-toolkit (URL finder)", "URLs are unchanged", markup.check_urls),
    Check("emails", ERROR, "translate-toolkit (e-mail finder)", "e-mail addresses are unchanged",
          markup.check_emails),
    Check("phones", ERROR, "phonenumbers (libphonenumber)", "phone numbers are unchanged",
          markup.check_phones),
    Check("markup", ERROR, "markdown-it-py",
          "inline Markdown is balanced: the same bold, italics, links and images, "
          "with link and image targets unchanged", markup.check_markup),
    Check("code", ERROR, "markdown-it-py", "code spans are unchanged", markup.check_code),
    Check("artifacts", ERROR, "lingopress",
          "no leftover machine-translation artifacts (⁇, <unk>, ▁, Apertium's *unknown)",
          markup.check_artifacts),
    Check("raw-html", ERROR, "translate-toolkit (xmltags)",
          "no raw HTML in the translation that is not in the source", markup.check_raw_html),
    Check("negation", ERROR, "lingopress (lexicons/*.toml)",
          "a negation of the source (« ne … pas », « sans », « contre-indiqué ») is in the translation, "
          "sentence by sentence", meaning.check_negation),
    Check("limits", ERROR, "lingopress (lexicons/*.toml)",
          "a limit (« moins de », « au moins », « dose maximale », ≤) is not turned the other way",
          meaning.check_limits),
    Check("time-units", ERROR, "lingopress (CLDR units via Babel, lexicons/*.toml)",
          "hours, days, weeks, months and years of the source are the translation's", numbers.check_time_units),
    Check("omission", ERROR, "lingopress (Gale-Church alignment, sentencex)",
          "every sentence and every member of an enumeration of the source is in the translation",
          alignment.check_omission),
    Check("control-chars", ERROR, "lingopress (unicodedata)",
          "no control characters, and not only invisible characters", markup.check_control_chars),
    Check("negation-added", WARNING, "lingopress (lexicons/*.toml)",
          "no negation in the translation that the source does not have", meaning.check_added_negation),
    Check("addition", WARNING, "lingopress (Gale-Church alignment, sentencex)",
          "no sentence in the translation that the source does not have", alignment.check_addition),
    Check("brackets", WARNING, "translate-toolkit (brackets)",
          "the same number of (), [] and {} as the source", markup.check_brackets),
    Check("glossary", WARNING, "lingopress (glossary.csv)",
          "glossary terms in the source are translated with the glossary's term", terms.check_glossary),
    Check("unchanged", WARNING, "translate-toolkit (unchanged)",
          "the translation is not a copy of the source, unless the glossary says so", terms.check_unchanged),
    Check("length", WARNING, "lingopress",
          "the translation's length is between 0.5 and 2 times the source's", markup.check_length),
    Check("doublewords", WARNING, "translate-toolkit (doublewords)", "no word typed twice in a row",
          markup.check_doublewords),
    Check("qa-ignore", WARNING, "lingopress", "qa-ignore comments name existing checks"),
)}


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
        for check in CHECKS.values():
            for message in check.run(source, target, ctx) if check.run else ():
                findings.append(Finding(check.name, check.severity, message, line,
                                        dismissed=IGNORE_ALL in ignored or check.name in ignored))
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
