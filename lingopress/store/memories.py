"""What each catalog gives its locale's translation memory, kept by the catalog's sha256.

A catalog's approved entries depend on its bytes alone, so a run that finds a catalog
with the digest it had last time takes its memories from here instead of parsing it:
after one article of 500 changed, drafting parses one catalog per locale, not 500. The
drafting job reports what a catalog it just wrote gives (it parsed that text anyway), so
even the run after a cold run parses nothing. Kept as JSON in
`.lingopress/state/memory-<locale>.json` (data, never code: the cache may be as untrusted
as the project), saved when the run lets go of the project.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from ..catalogs.memory import Memory

FORMAT = 1


def read_cache_table(path: Path, key: str) -> dict:
    """A state cache's table (format 1 JSON), or {} when it is missing, damaged or of another format."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    table = data.get(key) if isinstance(data, dict) and data.get("format") == FORMAT else None
    return table if isinstance(table, dict) else {}


class MemoryCache:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self._tables: dict[str, dict[str, dict]] = {}
        self._changed: set[str] = set()

    def _path(self, locale: str) -> Path:
        return self.state_dir / f"memory-{locale}.json"

    def _table(self, locale: str) -> dict[str, dict]:
        if locale not in self._tables:
            self._tables[locale] = read_cache_table(self._path(locale), "catalogs")
        return self._tables[locale]

    def known(self, locale: str, origin: str, digest: str) -> list[Memory] | None:
        """The catalog's memories when it was seen with this digest; None when not (or damaged)."""
        record = self._table(locale).get(origin)
        if not isinstance(record, dict) or record.get("sha256") != digest:
            return None
        return _memories_from_json(record.get("memories"))

    def record(self, locale: str, origin: str, digest: str, memories: Sequence[Memory]) -> None:
        record = {"sha256": digest, "memories": [[m.msgctxt, m.msgid, m.msgstr, m.origin] for m in memories]}
        table = self._table(locale)
        if table.get(origin) != record:
            table[origin] = record
            self._changed.add(locale)

    def keep_only(self, locale: str, origins: set[str]) -> None:
        """Forget catalogs no longer asked for (an article removed)."""
        table = self._table(locale)
        for origin in [origin for origin in table if origin not in origins]:
            del table[origin]
            self._changed.add(locale)

    def save(self, write: Callable[[Path, str], None]) -> None:
        for locale in sorted(self._changed):
            text = json.dumps({"format": FORMAT, "catalogs": self._tables[locale]}, ensure_ascii=False)
            write(self._path(locale), text + "\n")
        self._changed.clear()


def _memories_from_json(rows: object) -> list[Memory] | None:
    if not isinstance(rows, list):
        return None
    memories = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 4 and all(isinstance(v, str) for v in row[1:])
                and (row[0] is None or isinstance(row[0], str))):
            return None
        memories.append(Memory(*row))
    return memories
