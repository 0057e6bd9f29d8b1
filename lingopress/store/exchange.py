"""The store's part of exchanging files with CAT tools: imported memories under
`translations/memory/`, the glossary written back, and files read or written outside
the project (a TMX, TBX or XLIFF given on the command line)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from ..catalogs.memory import TranslationMemory
from ..errors import LingopressError
from ..exchange.tmx import ImportedTmx, read_tmx
from .atomic import atomic_write_bytes

if TYPE_CHECKING:
    from ..config import Config
    from .digests import DigestCache

MEMORY_DIR = "memory"


class ExchangeFiles:
    """Mixed into ProjectStore, whose `relative` and `_write_bytes` it uses."""

    config: Config
    digests: DigestCache

    @property
    def memory_dir(self) -> Path:
        return self.config.translations_dir / MEMORY_DIR

    def memory_paths(self) -> list[Path]:
        return sorted(self.memory_dir.glob("*.tmx")) if self.memory_dir.is_dir() else []

    def memory_digest(self) -> str:
        """What the imported memories hold, from the digests of their files (for skipping);
        "" when there are none, so that a project without any keeps its fingerprints."""
        paths = self.memory_paths()
        if not paths:
            return ""
        digest = hashlib.sha256()
        for path in paths:
            digest.update(f"{self.relative(path)}\0{self.digests.digest(path)}\0".encode())
        return digest.hexdigest()

    def _imported_tmx(self, path: Path) -> ImportedTmx:
        cache: dict[tuple[Path, str], ImportedTmx] = self.__dict__.setdefault("_tmx_cache", {})
        key = (path, self.digests.digest(path))
        if key not in cache:
            cache[key] = read_tmx(self.read_file(path), path, source_locale=self.config.source_locale,
                                  locales=self.config.target_locales, origin=self.relative(path))
        return cache[key]

    def imported_memory(self, locale: str) -> TranslationMemory:
        """The TMX memories imported for `locale` (suggestions only, never approved)."""
        return TranslationMemory(memory for path in self.memory_paths()
                                 for memory in self._imported_tmx(path).memories.get(locale, []))

    def save_memory(self, name: str, data: bytes) -> str:
        """Keep an imported memory; return "stored", "replaced" (another with its name) or "unchanged"."""
        path = self.memory_dir / name
        existed = path.exists()
        if not self._write_bytes(path, data):
            return "unchanged"
        return "replaced" if existed else "stored"

    def glossary_bytes(self) -> bytes | None:
        path = self.config.glossary_path
        return self.read_file(path) if path is not None and path.exists() else None

    def save_glossary_text(self, text: str) -> bool:
        written = self._write_bytes(self.config.glossary_path, text.encode("utf-8"))
        self.__dict__.pop("_glossary", None)  # ProjectStore reads it once per store
        return written

    @staticmethod
    def read_file(path: Path) -> bytes:
        """A file given by the user (or an imported memory)."""
        try:
            return path.read_bytes()
        except OSError as err:
            raise LingopressError(f"cannot read: {err.strerror or err}", path=path,
                                  hint="check the path and that it is a readable file") from err

    @staticmethod
    def write_file(path: Path, data: bytes) -> None:
        """An exported file, atomically (a CAT tool never sees half of it)."""
        try:
            atomic_write_bytes(path, data)
        except LingopressError:
            raise
        except OSError as err:
            raise LingopressError(f"cannot write: {err.strerror or err}", path=path,
                                  hint="check that the directory can hold this file") from err
