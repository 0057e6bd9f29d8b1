"""Content digests of project files, known without reading them again.

A re-run must prove that nothing changed, and hashing every catalog, page and source to
prove it costs more than the rest of a no-change run. Like git's index, the store keeps
each file's sha256 with the `stat` it had when hashed (size, mtime and ctime in ns,
inode) and trusts the digest while the stat is the same. Files the store writes itself
are recorded from the bytes it wrote, so they are never read back.

A file changed within the clock's granularity of being hashed could keep its stat
("racy git"): a digest taken less than RACY_S after the file's mtime is not trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT = 1
RACY_S = 2.0
MISSING, UNREADABLE = "missing", "unreadable"


def _stat_key(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


class DigestCache:
    """sha256 of files under `root`, cached by stat in `cache_file`."""

    def __init__(self, root: Path, cache_file: Path) -> None:
        self.root = root
        self.cache_file = cache_file
        self._known: dict[str, list] = self._load()
        self._seen: dict[str, list] = {}

    def _load(self) -> dict[str, list]:
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            log.warning("%s: unreadable digest cache (%s); hashing files again", self.cache_file, err)
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
            return {}
        return data["files"]

    def _key(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def digest(self, path: Path) -> str:
        """The file's sha256; 'missing' when it does not exist, 'unreadable' when it cannot
        be read (a directory, no permission): the stage that reads it reports why."""
        key = self._key(path)
        try:
            stat = path.stat()
        except FileNotFoundError:
            return MISSING
        except OSError:
            return UNREADABLE
        record = self._seen.get(key) or self._known.get(key)
        # A record is [*stat key, when it was hashed (ns), sha256].
        if (isinstance(record, list) and len(record) > 2 and record[:-2] == _stat_key(stat)
                and record[-2] - stat.st_mtime_ns > RACY_S * 1e9):
            self._seen[key] = record
            return record[-1]
        try:
            data = path.read_bytes()
        except OSError:
            return UNREADABLE
        return self._record(key, path, data, stat)

    def wrote(self, path: Path, data: bytes) -> str:
        """Record a file the store just wrote with exactly `data`; return its digest."""
        try:
            stat = path.stat()
        except OSError:
            return UNREADABLE
        return self._record(self._key(path), path, data, stat)

    def forget(self, path: Path) -> None:
        key = self._key(path)
        self._seen.pop(key, None)
        self._known.pop(key, None)

    def _record(self, key: str, path: Path, data: bytes, stat: os.stat_result) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self._seen[key] = [*_stat_key(stat), time.time_ns(), digest]
        return digest

    def save(self, write) -> None:
        """Persist the digests through `write(path, text)` (a record of a file since
        removed is harmless: its stat no longer matches)."""
        merged = {**self._known, **self._seen}
        text = json.dumps({"format": FORMAT, "files": dict(sorted(merged.items()))}, separators=(",", ":"))
        write(self.cache_file, text + "\n")
