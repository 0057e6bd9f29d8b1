"""The labelled QA corpus (``tests/data/qa_cases/<locale>.yaml``): load it, validate it,
and measure how much of it the real QA gate catches.

Each case is a French source, a translation and the one fault it carries (``none`` for a
correct translation). Faults that make a translation dangerous must be *blocked* (an
error); an added negation or an added claim is a warning by design, so for those a
warning counts as caught. ``benchmarks/qa_recall.py`` prints what ``measure`` returns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import polib
import yaml

from lingopress.errors import LingopressError
from lingopress.catalogs.glossary import Glossary
from lingopress.qa import CHECKS, ERROR, WARNING, Context, check_entry

CORRECT = "none"
ERROR_FAULTS = ("negation", "limit", "time-unit", "number-words", "omission")
WARNING_FAULTS = ("negation-added", "addition")
FAULTS = (CORRECT, *ERROR_FAULTS, *WARNING_FAULTS)
FIELDS = ("id", "source", "target", "fault", "note")
_HINT = "see tests/data/qa_cases/README.md for the format"


class Finding(Protocol):
    """What this module reads of a QA finding (only lingopress.qa's public names are
    imported: its internals are being reorganised)."""

    check: str
    severity: str
    message: str


@dataclass(frozen=True)
class Case:
    id: str
    locale: str
    source: str
    target: str
    fault: str
    note: str
    path: Path
    line: int


@dataclass(frozen=True)
class Outcome:
    """What the QA gate said about one case."""

    case: Case
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == WARNING)

    @property
    def counted(self) -> tuple[Finding, ...]:
        """The findings that count as catching this case's fault (errors only for the
        faults that must block; any finding for the ones that are warnings by design)."""
        return self.findings if self.case.fault in WARNING_FAULTS else self.errors

    @property
    def caught(self) -> bool:
        return self.case.fault != CORRECT and bool(self.counted)


def _case_error(path: Path, line: int | None, what: str, message: str) -> LingopressError:
    return LingopressError(f"{what}: {message}", path=path, line=line, hint=_HINT)


def _parse(path: Path) -> list[tuple[int, object]]:
    """The file's top-level list, each item with its line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise LingopressError(f"cannot read case file: {err}", path=path, hint=_HINT) from err
    # Composing first keeps each item's line, so errors can point at the case.
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise LingopressError(f"not valid YAML: {getattr(err, 'problem', None) or err}", path=path,
                              line=mark.line + 1 if mark else None, hint=_HINT) from err
    finally:
        loader.dispose()
    if not isinstance(data, list):
        raise LingopressError("a case file must be a YAML list of cases", path=path, hint=_HINT)
    return [(item.start_mark.line + 1, value) for item, value in zip(node.value, data)]


def _validate(path: Path, locale: str, line: int, index: int, item: object) -> Case:
    what = f"case #{index}"
    if not isinstance(item, dict):
        raise _case_error(path, line, what, "a case must be a mapping with " + ", ".join(FIELDS))
    if isinstance(item.get("id"), str) and item["id"].strip():
        what = f"case {item['id']}"
    for name in FIELDS:
        if name not in item:
            raise _case_error(path, line, what, f"missing field {name!r}")
        if not isinstance(item[name], str) or not item[name].strip():
            raise _case_error(path, line, what, f"field {name!r} must be a non-empty string")
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        raise _case_error(path, line, what, f"unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
    if item["fault"] not in FAULTS:
        raise _case_error(path, line, what, f"unknown fault class {item['fault']!r} "
                          f"(use one of: {', '.join(FAULTS)})")
    if not item["id"].startswith(f"{locale}-"):
        raise _case_error(path, line, what, f"id must start with {locale}- (the file's locale)")
    return Case(item["id"], locale, item["source"], item["target"], item["fault"], item["note"], path, line)


def read_case_file(path: Path) -> list[Case]:
    """The validated cases of one ``<locale>.yaml`` file."""
    locale = path.stem
    return [_validate(path, locale, line, index, item)
            for index, (line, item) in enumerate(_parse(path), 1)]


def load_cases(directory: Path, locales: Sequence[str] | None = None) -> list[Case]:
    """Every case of ``directory`` (one ``<locale>.yaml`` per locale), or of the given
    locales; ids must be unique across the files."""
    available = {path.stem: path for path in sorted(directory.glob("*.yaml"))}
    if not available:
        raise LingopressError("no <locale>.yaml case files", path=directory, hint=_HINT)
    wanted = list(locales) if locales else list(available)
    missing = [code for code in wanted if code not in available]
    if missing:
        raise LingopressError(f"no case file for locale {missing[0]}", path=directory,
                              hint=f"locales with cases: {', '.join(available)}")
    cases: list[Case] = []
    seen: dict[str, Case] = {}
    for code in wanted:
        for case in read_case_file(available[code]):
            if case.id in seen:
                first = seen[case.id]
                raise _case_error(case.path, case.line, f"case {case.id}",
                                  f"duplicate id (first at {first.path.name}:{first.line})")
            seen[case.id] = case
            cases.append(case)
    return cases


def run_cases(cases: Iterable[Case], glossary: Glossary) -> list[Outcome]:
    """Each case through the real QA gate, as a paragraph entry of a catalog."""
    contexts: dict[str, Context] = {}
    outcomes = []
    for case in cases:
        ctx = contexts.get(case.locale) or contexts.setdefault(case.locale, Context(case.locale, glossary))
        entry = polib.POEntry(msgctxt="paragraph", msgid=case.source, msgstr=case.target)
        findings = tuple(f for f in check_entry(entry, ctx) if not getattr(f, "dismissed", False))
        outcomes.append(Outcome(case, findings))
    return outcomes


@dataclass(frozen=True)
class Summary:
    blocked_recall: float      # error-class faults with ≥ 1 error
    warned_recall: float       # warning-class faults with ≥ 1 finding
    false_error_rate: float    # correct cases with ≥ 1 error
    false_warning_rate: float  # correct cases with ≥ 1 warning


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def summarize(outcomes: Sequence[Outcome]) -> Summary:
    must_block = [o for o in outcomes if o.case.fault in ERROR_FAULTS]
    must_warn = [o for o in outcomes if o.case.fault in WARNING_FAULTS]
    correct = [o for o in outcomes if o.case.fault == CORRECT]
    return Summary(
        blocked_recall=_share(sum(o.caught for o in must_block), len(must_block)),
        warned_recall=_share(sum(o.caught for o in must_warn), len(must_warn)),
        false_error_rate=_share(sum(bool(o.errors) for o in correct), len(correct)),
        false_warning_rate=_share(sum(bool(o.warnings) for o in correct), len(correct)),
    )


@dataclass(frozen=True)
class CheckScore:
    caught: int          # faulty cases this check caught (an error; any finding for warning-class faults)
    false_errors: int    # correct cases it raised an error on
    false_warnings: int  # correct cases it raised a warning on


def per_check(outcomes: Sequence[Outcome]) -> dict[str, CheckScore]:
    caught: Counter[str] = Counter()
    false_errors: Counter[str] = Counter()
    false_warnings: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.case.fault == CORRECT:
            false_errors.update({f.check for f in outcome.errors})
            false_warnings.update({f.check for f in outcome.warnings})
        else:
            caught.update({f.check for f in outcome.counted})
    # Every known check is listed, so one that catches nothing shows as a row of zeros.
    names = list(CHECKS) + sorted((set(caught) | set(false_errors) | set(false_warnings)) - set(CHECKS))
    return {name: CheckScore(caught[name], false_errors[name], false_warnings[name]) for name in names}
