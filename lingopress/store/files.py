"""Reading and writing one file of a kind the project holds: sources, catalogs, glossary.

The parsing itself is pure (`ingest.decode_source`, `catalogs.po.parse_catalog`,
`catalogs.glossary.parse_glossary`); these functions add the file system and turn its
errors into messages that name the file and the fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import polib

from ..catalogs.glossary import Glossary, parse_glossary
from ..catalogs.po import catalog_text, parse_catalog
from ..errors import CatalogError, GlossaryError, SourceError
from ..ingest import decode_source
from .atomic import write_text_if_changed

_CATALOG_OS_HINTS = {IsADirectoryError: "a catalog must be a file: move the directory away",
                     PermissionError: "give the user running lingopress access to it (chmod u+rw)"}


def read_source(path: Path) -> str:
    """An article's text, rejecting what cannot be an article."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SourceError(f"cannot read source: {err.strerror}", path=path) from err
    return decode_source(data, path)


def catalog_bytes(path: Path) -> bytes | None:
    """The bytes of a catalog; None when there is none yet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise CatalogError(f"cannot read catalog: {err.strerror or err}", path=path,
                           hint=_CATALOG_OS_HINTS.get(type(err), "check that it is a readable file")) from err


def read_catalog(path: Path, *, locale: str | None = None) -> polib.POFile:
    """Parse a PO/POT file; a broken or unreadable one is `file:line: what is wrong`."""
    data = catalog_bytes(path)
    if data is None:
        raise CatalogError("cannot read catalog: No such file or directory", path=path,
                           hint="check the path")
    return parse_catalog(data, path, locale=locale)


def previous_catalog(path: Path) -> polib.POFile | None:
    """The catalog as saved now; None when there is none or it is broken (then it is replaced)."""
    try:
        data = catalog_bytes(path)
        return parse_catalog(data, path) if data is not None else None
    except CatalogError:
        return None


@contextmanager
def catalog_writing(path: Path) -> Iterator[None]:
    """Turn an OSError while writing catalog `path` into a CatalogError naming it and the fix."""
    try:
        yield
    except OSError as err:  # a directory in the way, a read-only folder, a full disk
        raise CatalogError(f"cannot write catalog: {err.strerror or err}", path=path,
                           hint=_CATALOG_OS_HINTS.get(type(err), "check the path and free space")) from err


def write_text(path: Path, text: str) -> bool:
    """Write a catalog's text atomically if it differs; errors name the file and the fix."""
    with catalog_writing(path):
        return write_text_if_changed(path, text)


def write_catalog(po: polib.POFile, path: Path, *, now: datetime | None = None) -> bool:
    """Write `po` atomically in GNU gettext's layout when its content changed; return whether written."""
    text = catalog_text(po, previous_catalog(path), now=now)
    return text is not None and write_text(path, text)


def read_glossary(path: Path, source_locale: str = "fr") -> Glossary:
    """Read and validate a glossary CSV; any problem is `file:line: what (fix)`."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise GlossaryError(f"cannot read glossary: {err.strerror}", path=path,
                            hint="create it or fix [paths] glossary in lingopress.toml") from err
    return parse_glossary(data, path, source_locale)
