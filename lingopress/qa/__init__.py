"""QA checks: every translated entry in, findings out.

In medical content a transposed digit is a patient-safety incident, so the checks that
protect meaning (numbers with their units, negations, limits, time units, omitted
sentences, links, code, markup, MT debris) are errors:
an error holds back the article in that locale until it is fixed or dismissed. The
others are warnings, reported to reviewers.

Where a well-kept library does the job it is used: translate-toolkit (the engine of
`pofilter`) for URL and e-mail extraction, brackets, doubled words, unchanged
translations and added XML/HTML tags; Google's libphonenumber (`phonenumbers`) for phone
numbers; markdown-it-py for inline Markdown; Babel for each locale's number symbols.
What none of them does is hand-written here: numbers compared by value with their units
and ranges across locales (pofilter's `numbers` compares digit runs, so it accepts
`1,8` for 1.8 in English and cannot tell 75 mg from 75 µg), glossary usage, MT
artifacts, length ratios, and the meaning checks (negation, limits, time units, number
words, omission), which read per-language lexicons. `CHECKS` (in `registry`) lists every check, its severity
and what implements it.

One module per family: `numbers` (numbers in digits and words, units, ranges, time units),
`meaning` (negation, limits), `alignment` (omitted and added sentences, enumerations),
`markup` (inline Markdown, code, links, contacts, MT debris, control characters), `terms`
(glossary); `base`, `lexicon` (the per-language data files in `lexicons/`) and `sentences`
hold what they share; `safety` says which edits of a source unit are safety changes.

A reviewer dismisses a false positive on one entry with a translator comment line
`# qa-ignore: numbers, urls` (or `# qa-ignore: all`) in the PO file; dismissed findings
are still returned, with `dismissed=True`, so they stay visible.
"""

from .base import ERROR, IGNORE_ALL, IGNORE_PREFIX, WARNING, Context, Finding, Inline, analyse
from .numbers import NumberToken, extract_numbers
from .registry import (CHECKS, Check, blocking, blocking_findings, check_catalog, check_entry, dismissals,
                       hold_reason)
from .safety import safety_changes

__all__ = ["CHECKS", "ERROR", "IGNORE_ALL", "IGNORE_PREFIX", "WARNING", "Check", "Context", "Finding",
           "Inline", "NumberToken", "analyse", "blocking", "blocking_findings", "check_catalog",
           "check_entry", "dismissals", "extract_numbers", "hold_reason", "safety_changes"]
