"""The labelled QA corpus (tests/data/qa_cases) is well formed, and the recall benchmark
reads it, refuses broken case files and prints its figures. Structure only: the recall
thresholds belong with the checks they measure."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO
from support.qa_cases import (CORRECT, ERROR_FAULTS, FAULTS, WARNING_FAULTS, Case, Outcome,
                                          load_cases, per_check, summarize)
from lingopress.errors import LingopressError

CASES_DIR = REPO / "tests" / "data" / "qa_cases"
LOCALES = ("en", "es", "de", "ar")
BENCHMARK = REPO / "benchmarks" / "qa_recall.py"
LAST_LINE = re.compile(r"^blocked_recall=\d\.\d{3} false_error_rate=\d\.\d{3} false_warning_rate=\d\.\d{3}$")

CASES = load_cases(CASES_DIR)


def test_every_locale_has_a_case_file_and_ids_are_unique() -> None:
    assert sorted({case.locale for case in CASES}) == sorted(LOCALES)
    ids = Counter(case.id for case in CASES)
    assert [i for i, n in ids.items() if n > 1] == []
    assert all(re.fullmatch(rf"{case.locale}-[a-z]+-\d{{2}}", case.id) for case in CASES)


@pytest.mark.parametrize("locale", LOCALES)
def test_each_locale_has_enough_cases_of_every_class(locale: str) -> None:
    counts = Counter(case.fault for case in CASES if case.locale == locale)
    assert sum(counts.values()) >= 65
    assert set(counts) == set(FAULTS)
    assert {fault: counts[fault] for fault in ERROR_FAULTS if counts[fault] < 6} == {}
    assert {fault: counts[fault] for fault in WARNING_FAULTS if counts[fault] < 3} == {}
    assert 0.4 <= counts[CORRECT] / sum(counts.values()) <= 0.6


def test_cases_are_real_translations() -> None:
    # A translation equal to its source, or a source used twice in one locale, is a slip
    # of the pen, not a case.
    assert [case.id for case in CASES if case.source.strip() == case.target.strip()] == []
    per_locale = Counter((case.locale, case.source) for case in CASES)
    assert [key for key, n in per_locale.items() if n > 1] == []


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
- id: en-ok-01
  source: "Prendre deux comprimés par jour."
  target: "Take two tablets a day."
  fault: none
  note: "correct"
"""


@pytest.mark.parametrize(("text", "expected"), [
    (GOOD.replace("fault: none", "fault: negaton"), r"en\.yaml:1: case en-ok-01: unknown fault class 'negaton'"),
    (GOOD.replace('  note: "correct"\n', ""), r"en\.yaml:1: case en-ok-01: missing field 'note'"),
    (GOOD.replace("fault: none", "fault: none\n  faults: none"), r"case en-ok-01: unknown field 'faults'"),
    (GOOD.replace('target: "Take two tablets a day."', 'target: ""'), r"case en-ok-01: field 'target' must be"),
    (GOOD.replace("id: en-ok-01", "id: de-ok-01"), r"case de-ok-01: id must start with en-"),
    (GOOD + GOOD.replace("- id", "- ident"), r"en\.yaml:6: case #2: missing field 'id'"),
    (GOOD + "- just a string\n", r"en\.yaml:6: case #2: a case must be a mapping"),
    (GOOD.replace('"correct"', '"correct'), r"en\.yaml:\d+: not valid YAML"),
    ("id: en-ok-01\n", r"en\.yaml: a case file must be a YAML list"),
])
def test_a_malformed_case_file_is_one_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    _write(tmp_path / "en.yaml", text)
    with pytest.raises(LingopressError) as err:
        load_cases(tmp_path)
    assert re.search(expected, str(err.value)), str(err.value)
    assert "README.md" in str(err.value)


def test_a_duplicate_id_across_files_names_both_places(tmp_path: Path) -> None:
    _write(tmp_path / "en.yaml", GOOD)
    _write(tmp_path / "es.yaml", GOOD.replace("id: en-ok-01", "id: es-ok-01") + GOOD.replace("id: en-ok-01", "id: es-ok-01")
           .replace("Take two tablets a day.", "Tome dos comprimidos al día."))
    with pytest.raises(LingopressError, match=r"es\.yaml:6: case es-ok-01: duplicate id \(first at es\.yaml:1\)"):
        load_cases(tmp_path)


def test_an_unknown_locale_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "en.yaml", GOOD)
    with pytest.raises(LingopressError, match="no case file for locale fr"):
        load_cases(tmp_path, ["fr"])
    assert [case.id for case in load_cases(tmp_path, ["en"])] == ["en-ok-01"]


@dataclass(frozen=True)
class _Finding:
    check: str
    severity: str
    message: str = "finding"


def _outcome(fault: str, *findings: _Finding) -> Outcome:
    case = Case(f"en-{fault}-01", "en", "source", "target", fault, "note", Path("en.yaml"), 1)
    return Outcome(case, findings)


def test_summary_counts_errors_for_dangerous_faults_and_any_finding_for_warned_ones() -> None:
    outcomes = [
        _outcome("negation", _Finding("negation", "error")),        # blocked
        _outcome("limit", _Finding("length", "warning")),           # a warning does not block
        _outcome("negation-added", _Finding("negation", "warning")),  # warned: caught
        _outcome("addition"),                                        # missed
        _outcome(CORRECT, _Finding("numbers", "error")),             # false error
        _outcome(CORRECT, _Finding("glossary", "warning")),          # false warning
        _outcome(CORRECT), _outcome(CORRECT),
    ]
    summary = summarize(outcomes)
    assert (summary.blocked_recall, summary.warned_recall) == (0.5, 0.5)
    assert (summary.false_error_rate, summary.false_warning_rate) == (0.25, 0.25)
    scores = per_check(outcomes)
    assert (scores["negation"].caught, scores["length"].caught) == (2, 0)
    assert (scores["numbers"].false_errors, scores["glossary"].false_warnings) == (1, 1)


def _benchmark(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCHMARK), *args], capture_output=True, text=True,
                          timeout=300, cwd=REPO)


def test_benchmark_prints_its_figures_for_the_real_corpus() -> None:
    run = _benchmark("--locales", "en", "--verbose")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert re.fullmatch(r"warned_recall=\d\.\d{3}", lines[-2])
    assert "missed faulty cases" in run.stdout and "false alarms on correct cases" in run.stdout
    table = {tuple(line.split()[:3]) for line in lines if line.startswith("en ")}
    expected = Counter(case.fault for case in CASES if case.locale == "en")
    assert table == {("en", fault, str(n)) for fault, n in expected.items()}


def test_benchmark_measures_cases_kept_elsewhere_and_refuses_broken_ones(tmp_path: Path) -> None:
    _write(tmp_path / "en.yaml", GOOD)
    run = _benchmark("--cases", str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1].startswith("blocked_recall=nan false_error_rate=")
    _write(tmp_path / "en.yaml", GOOD.replace("fault: none", "fault: typo"))
    run = _benchmark("--cases", str(tmp_path))
    assert run.returncode == 2
    assert run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1
    assert "en.yaml:1: case en-ok-01: unknown fault class 'typo'" in run.stderr
