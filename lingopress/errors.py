"""The few exception types lingopress raises for problems a user can fix."""

from __future__ import annotations

import errno
from pathlib import Path


class LingopressError(Exception):
    """A problem the user can fix; its message names the place and the fix."""

    def __init__(self, message: str, *, path: Path | str | None = None,
                 line: int | None = None, hint: str | None = None) -> None:
        self.message = message
        # A URL is a place too, but Path() would fold its "//".
        self.path = Path(path) if path is not None and "://" not in str(path) else path
        self.line = line
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{display_path(self.path)}:{self.line}: " if self.line else f"{display_path(self.path)}: "
        fix = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{fix}"


class ConfigError(LingopressError):
    """lingopress.toml or a command-line option is wrong."""


class SourceError(LingopressError):
    """A source article cannot be read or parsed."""


class CatalogError(LingopressError):
    """A PO/POT file is broken or cannot be written."""


class BusyError(LingopressError):
    """Another run holds the project's lock."""


class ModelError(LingopressError):
    """A translation model is missing or cannot be installed."""


class PublishError(LingopressError):
    """Published state or outputs cannot be read or written."""


class BundleError(LingopressError):
    """A locale bundle cannot be built."""


class PullError(LingopressError):
    """A bundle cannot be fetched, verified or installed."""


class GlossaryError(LingopressError):
    """The glossary file cannot be read or has a bad row."""


class DiskError(LingopressError):
    """A file cannot be written: the disk is full, read-only, or not ours to write."""


# The OSError classes a user fixes outside lingopress (space, mounts, permissions), in
# one place: anything else is a bug and keeps its traceback.
_DISK_PROBLEMS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("no space left on the device", "free some space, then run again"),
    errno.EDQUOT: ("disk quota exceeded", "free some space or raise the quota, then run again"),
    errno.EFBIG: ("file too large for the file system or the file size limit (ulimit -f)",
                  "raise the limit or write to another file system, then run again"),
    errno.EROFS: ("read-only file system", "remount it read-write or use another directory, then run again"),
    errno.EACCES: ("permission denied", "give the user running lingopress access to it, then run again"),
    errno.EPERM: ("operation not permitted", "give the user running lingopress access to it, then run again"),
}
_SAFE = "; files written before are whole"


def disk_error(err: OSError, path: Path | str | None = None) -> DiskError | None:
    """The user-facing DiskError for a full, read-only or forbidden disk; None for other OSErrors."""
    problem = _DISK_PROBLEMS.get(err.errno) if isinstance(err, OSError) else None
    if problem is None:
        return None
    where = path if path is not None else err.filename
    return DiskError(problem[0], path=where, hint=problem[1] + _SAFE)


def display_path(path: Path | str) -> str:
    """Show paths relative to the working directory when they are below it."""
    if isinstance(path, str):
        return path
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def is_transient(err: BaseException | None) -> bool:
    """Network trouble that may pass when tried again: a timeout, a refused or reset
    connection, an HTTP 5xx or 429 (e.g. while a model downloads). Anywhere in the chain
    of causes, because lingopress wraps it in a ModelError with the fix for the user.
    Everything else, user errors in particular, fails at once: retrying cannot fix them."""
    import urllib.error

    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, urllib.error.HTTPError):
            return err.code >= 500 or err.code == 429
        if isinstance(err, (urllib.error.URLError, TimeoutError, ConnectionError)):
            return True
        err = err.__cause__ or err.__context__
    return False
