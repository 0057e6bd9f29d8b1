"""Content-hash skipping: the one wrapper the flow puts around a stage.

A stage runs over units (an article, in one locale). Each unit's fingerprint hashes
everything the stage reads for it: the article's source, the digests of the files it
reads and writes (the catalog a translator edits, the page it renders), the glossary,
the engine's provenance, lingopress's version. When the fingerprint equals the one
recorded after the unit's last successful pass, doing it again would produce the same
files, so it is skipped and its recorded payload (a report row, an index entry) stands
in for its result. Nothing is skipped on a guess: any change of any input byte gives a
new fingerprint. File digests come from the store, which knows what it wrote
(lingopress.store.digests), so proving that nothing changed reads almost nothing.

Stages know nothing of this: `skipping` calls the stage with the units to do and
records what it returns (`plan` and `commit` are its two halves).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from . import __version__

# Bump when what a stage produces from the same inputs changes in a way the version misses.
FORMAT = 2


def fingerprint(*parts: str) -> str:
    digest = hashlib.sha256(f"lingopress {__version__} state {FORMAT}".encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


class Records(Protocol):
    """Where the records live (the store): slug → {"fingerprint": …, **payload}."""

    def records(self, stage: str, locale: str) -> dict[str, dict]: ...

    def save_records(self, stage: str, locale: str, records: Mapping[str, dict]) -> bool: ...


@dataclass
class Skipped:
    """What `skipping` did: the payload of every unit, fresh or recorded."""

    done: list[str] = field(default_factory=list)  # units the stage ran for
    skipped: list[str] = field(default_factory=list)  # units unchanged since their last pass
    failed: list[str] = field(default_factory=list)  # units the stage returned no payload for
    payloads: dict[str, dict] = field(default_factory=dict)


@dataclass
class Plan:
    """The first half of `skipping`: which units to run, and the records of the others."""

    stage: str
    locale: str
    units: list[str]
    todo: list[str]
    kept: dict[str, dict]


def plan(records: Records, stage: str, locale: str, units: Iterable[str], fingerprint_of: Callable[[str], str],
         *, reusable: Callable[[dict], bool] = lambda record: True) -> Plan:
    """Split `units` into those to run and those whose record stands (fingerprint unchanged)."""
    recorded = records.records(stage, locale)
    units = list(units)
    todo, kept = [], {}
    for unit in units:
        record = recorded.get(unit)
        if isinstance(record, dict) and record.get("fingerprint") == fingerprint_of(unit) and reusable(record):
            kept[unit] = record
        else:
            todo.append(unit)
    return Plan(stage, locale, units, todo, kept)


def commit(records: Records, planned: Plan, fresh: Mapping[str, dict | None],
           fingerprint_of: Callable[[str], str]) -> Skipped:
    """The second half: record the units the stage did (`fresh`: a payload per unit, None
    for a unit that failed) with their fingerprint taken again, since a stage's own output
    (a catalog, a page) is among its inputs; units no longer planned lose their records."""
    result = Skipped(skipped=list(planned.kept))
    updated = dict(planned.kept)
    for unit in planned.todo:
        payload = fresh.get(unit)
        if payload is None:
            result.failed.append(unit)
            continue
        result.done.append(unit)
        updated[unit] = {**payload, "fingerprint": fingerprint_of(unit)}
    result.payloads = {unit: {k: v for k, v in record.items() if k != "fingerprint"}
                       for unit, record in updated.items()}
    records.save_records(planned.stage, planned.locale, updated)
    return result


def skipping(records: Records, stage: str, locale: str, units: Iterable[str],
             fingerprint_of: Callable[[str], str], run: Callable[[list[str]], Mapping[str, dict | None]],
             *, reusable: Callable[[dict], bool] = lambda record: True) -> Skipped:
    """Run `run(units to do)` for the units whose fingerprint changed, and record them.

    `run` returns a payload per unit it did (None for a unit that failed: it keeps no
    record, so it is tried again next run). `reusable` may refuse a record whose
    fingerprint matches (draft: a catalog with gaps whose translation memory changed).
    A job that fans out over several locales at once calls `plan` and `commit` itself.
    """
    planned = plan(records, stage, locale, units, fingerprint_of, reusable=reusable)
    fresh = run(planned.todo) if planned.todo else {}
    return commit(records, planned, fresh, fingerprint_of)
