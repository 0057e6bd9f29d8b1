"""Translation memory: reuse approved human translations across a locale's catalogs.

gettext compendium semantics: an approved translation of the identical unit is reused as
approved; a close one (≥ 75 % similar) is offered as a fuzzy draft instead of machine
output. Either way the entry says where the translation came from. Memories imported from
a TMX (`approved=False`) are never taken as approved: even an identical unit only becomes
a fuzzy suggestion ("100% match"), and the project's own approved translation wins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import polib
from rapidfuzz import fuzz
from rapidfuzz import process as fuzz_process

from .po import has_translation, is_approved, set_provenance

CLOSE_MATCH = 75.0  # percent similarity for a fuzzy suggestion


@dataclass(frozen=True)
class Memory:
    msgctxt: str | None
    msgid: str
    msgstr: str
    origin: str  # "translations/en/x.po:123"
    approved: bool = True  # False: imported from another tool (a TMX), a suggestion only


class TranslationMemory:
    """Approved entries of one locale, indexed for exact and close lookups."""

    def __init__(self, memories: Iterable[Memory] = ()) -> None:
        self._exact: dict[str, list[Memory]] = {}
        self._sources: list[str] = []
        self._memories: list[Memory] = []
        for memory in memories:
            self.add(memory)

    def __len__(self) -> int:
        return len(self._memories)

    def __iter__(self) -> Iterator[Memory]:
        for memories in self._exact.values():
            yield from memories

    @classmethod
    def combined(cls, *memories: TranslationMemory) -> TranslationMemory:
        """One memory of several, the first one's entries preferred for close matches."""
        return cls(memory for source in memories for memory in source)

    def digest(self) -> str:
        """sha256 of every memory in order (origins included: drafts cite them)."""
        digest = hashlib.sha256()
        for memory in self:
            # Only imported memories say so, so that digests of the project's own stay as they were.
            imported = () if memory.approved else ("imported",)
            digest.update(repr((memory.msgctxt, memory.msgid, memory.msgstr, memory.origin) + imported).encode())
        return digest.hexdigest()

    def add(self, memory: Memory) -> None:
        if memory.msgid not in self._exact:
            self._sources.append(memory.msgid)
            self._memories.append(memory)
        self._exact.setdefault(memory.msgid, []).append(memory)

    def add_catalog(self, catalog: polib.POFile, origin: str) -> None:
        for memory in approved_memories(catalog, origin):
            self.add(memory)

    def exact(self, msgctxt: str | None, msgid: str) -> Memory | None:
        """The identical unit, preferring an approved one, then the same kind of unit (heading, list item, …)."""
        found = self._exact.get(msgid)
        if not found:
            return None
        return min(found, key=lambda m: (not m.approved, m.msgctxt != msgctxt))

    def close(self, msgid: str) -> tuple[Memory, float] | None:
        if not self._sources:
            return None
        best = fuzz_process.extractOne(msgid, self._sources, scorer=fuzz.ratio,
                                       score_cutoff=CLOSE_MATCH)
        if best is None:
            return None
        _, score, index = best
        return self._memories[index], score


def approved_memories(catalog: polib.POFile, origin: str) -> list[Memory]:
    """What a catalog gives the memory: its approved singular entries, cited by line."""
    return [Memory(entry.msgctxt, entry.msgid, entry.msgstr, f"{origin}:{entry.linenum}")
            for entry in catalog if is_approved(entry) and not entry.msgid_plural]


def apply_memory(catalog: polib.POFile, memory: TranslationMemory) -> tuple[int, int]:
    """Fill untranslated entries from memory; return (exact reuses, fuzzy suggestions)."""
    exact = close = 0
    for entry in catalog:
        if entry.obsolete or has_translation(entry):
            continue
        found = memory.exact(entry.msgctxt, entry.msgid)
        if found is not None and not found.approved:
            _suggest(entry, found, 100.0)
            close += 1
            continue
        if found is not None:
            entry.msgstr = found.msgstr
            set_provenance(entry, f"translation memory: exact match from {found.origin}")
            exact += 1
            continue
        near = memory.close(entry.msgid)
        if near is not None:
            _suggest(entry, *near)
            close += 1
    return exact, close


def _suggest(entry: polib.POEntry, found: Memory, score: float) -> None:
    entry.msgstr = found.msgstr
    if "fuzzy" not in entry.flags:
        entry.flags.append("fuzzy")
    set_provenance(entry, f"translation memory: {score:.0f}% match from {found.origin}")
