"""Benchmark: how many known-faulty medical translations the QA gate catches, and how
many correct ones it raises a false alarm on.

Runs every labelled case of ``tests/data/qa_cases/<locale>.yaml`` (see the README there)
through the real QA (``lingopress.qa.check_entry``, the project's ``glossary.csv``) as a
paragraph entry, and prints per locale and fault class the faulty cases, how many got an
error ("blocked") and how many got any finding; per check what it caught and its false
alarms; with ``--verbose`` the missed faulty cases and the false alarms. The last lines are

    warned_recall=W
    blocked_recall=X false_error_rate=Y false_warning_rate=Z

X: faulty cases that must block (negation, limit, time-unit, number-words, omission) with
≥ 1 error; W: negation-added and addition cases (warnings by design) with ≥ 1 finding;
Y / Z: correct cases with ≥ 1 error / warning.

    .venv/bin/python benchmarks/qa_recall.py [--locales en,de] [--cases DIR] [--verbose]

Exit 0 whatever the figures; 2 (one line naming the file and case) when a case file is
malformed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # test support (tiny Argos packages, QA cases): not shipped

from support.qa_cases import (  # noqa: E402
    CORRECT, ERROR_FAULTS, FAULTS, WARNING_FAULTS, Outcome, load_cases, per_check, run_cases, summarize)
from lingopress.errors import LingopressError  # noqa: E402
from lingopress.store.files import read_glossary  # noqa: E402

USER_ERROR = 2


def _table(rows: Sequence[Sequence[object]]) -> list[str]:
    """Plain aligned columns: text to the left, counts to the right."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    numeric = [all(isinstance(row[i], int) for row in rows[1:]) for i in range(len(rows[0]))]
    return ["  ".join(str(cell).rjust(w) if num else str(cell).ljust(w)
                      for cell, w, num in zip(row, widths, numeric)).rstrip() for row in rows]


def class_table(outcomes: Sequence[Outcome]) -> list[str]:
    rows: list[Sequence[object]] = [("locale", "fault", "cases", "blocked", "flagged")]
    locales = list(dict.fromkeys(o.case.locale for o in outcomes))
    for locale in locales:
        for fault in FAULTS:
            group = [o for o in outcomes if o.case.locale == locale and o.case.fault == fault]
            if group:
                rows.append((locale, fault, len(group), sum(bool(o.errors) for o in group),
                             sum(bool(o.findings) for o in group)))
    return _table(rows)


def check_table(outcomes: Sequence[Outcome]) -> list[str]:
    rows: list[Sequence[object]] = [("check", "caught", "false_errors", "false_warnings")]
    rows += [(name, s.caught, s.false_errors, s.false_warnings) for name, s in per_check(outcomes).items()]
    return _table(rows)


def details(outcomes: Sequence[Outcome]) -> list[str]:
    lines = ["", "missed faulty cases (id, fault: what is wrong; findings that did not count):"]
    for o in outcomes:
        if o.case.fault != CORRECT and not o.caught:
            got = "; ".join(f"{f.severity} [{f.check}]" for f in o.findings) or "no finding"
            lines.append(f"  {o.case.id}  {o.case.fault}: {o.case.note}  ({got})")
    lines += ["", "false alarms on correct cases (id, severity [check]: message):"]
    for o in outcomes:
        if o.case.fault == CORRECT:
            lines += [f"  {o.case.id}  {f.severity} [{f.check}]: {f.message}" for f in o.findings]
    return lines


def report(outcomes: Sequence[Outcome], cases_dir: Path, *, verbose: bool) -> list[str]:
    locales = ", ".join(dict.fromkeys(o.case.locale for o in outcomes))
    summary = summarize(outcomes)
    lines = [f"QA recall on {len(outcomes)} labelled cases from {cases_dir} ({locales})", "",
             "per locale and fault class: cases, blocked (>= 1 error), flagged (>= 1 finding)",
             *class_table(outcomes), "",
             "per check: faulty cases caught (an error; any finding for "
             f"{' and '.join(WARNING_FAULTS)}), correct cases with an error / a warning",
             *check_table(outcomes)]
    if verbose:
        lines += details(outcomes)
    lines += ["", f"blocked: {', '.join(ERROR_FAULTS)} must get an error; "
              f"warned: {', '.join(WARNING_FAULTS)} are caught by a warning or an error",
              f"warned_recall={summary.warned_recall:.3f}",
              f"blocked_recall={summary.blocked_recall:.3f} false_error_rate={summary.false_error_rate:.3f} "
              f"false_warning_rate={summary.false_warning_rate:.3f}"]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locales", help="comma-separated locales (default: every <locale>.yaml in --cases)")
    parser.add_argument("--cases", type=Path, default=REPO / "tests" / "data" / "qa_cases",
                        help="folder of <locale>.yaml case files (default: tests/data/qa_cases)")
    parser.add_argument("--verbose", action="store_true", help="list missed faulty cases and false alarms")
    args = parser.parse_args(argv)
    locales = [code.strip() for code in args.locales.split(",") if code.strip()] if args.locales else None
    try:
        cases = load_cases(args.cases, locales)
        glossary = read_glossary(REPO / "glossary.csv")
    except LingopressError as err:
        print(f"error: {err}", file=sys.stderr)
        return USER_ERROR
    outcomes = run_cases(cases, glossary)
    print("\n".join(report(outcomes, args.cases, verbose=args.verbose)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
