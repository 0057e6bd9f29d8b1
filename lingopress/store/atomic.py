"""The one place that writes files: atomically, and only when content changed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import BusyError, disk_error


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a full, read-only or forbidden disk while writing `path` into a DiskError naming it."""
    try:
        yield
    except OSError as err:
        mapped = disk_error(err, path)
        if mapped is None:
            raise
        raise mapped from err


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same directory, fsync, then os.replace.

    A reader (or a crash) sees either the old file or the new one, never half of it.
    """
    with writing(path):
        _atomic_write_bytes(path, data)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp_name, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


TEMP_SUFFIX = ".tmp"


def remove_stale_temp_files(*directories: Path) -> list[Path]:
    """Delete temp files a killed run left behind; call only while holding the project lock."""
    removed = []
    for directory in directories:
        if directory.is_dir():
            for path in directory.rglob(f".*{TEMP_SUFFIX}"):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def write_text_if_changed(path: Path, text: str) -> bool:
    """Atomically write UTF-8 text unless the file already holds exactly it; return whether written."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write_bytes(path, data)
    return True


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not supported on every platform.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


LOCK_NAME = ".lingopress.lock"


def file_lock(path: Path, timeout_s: float, *, reentrant: bool = False) -> FileLock:
    """An OS file lock on `path`, waiting up to timeout_s; a killed holder releases it.

    `reentrant`: one holder per process, so the threads of the run that took it go
    through; otherwise each lock object excludes every other, in this process too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(path, timeout=timeout_s, is_singleton=reentrant, thread_local=not reentrant)


@contextmanager
def project_lock(project_dir: Path, timeout_s: float) -> Iterator[None]:
    """One run at a time per project: wait up to timeout_s for another run to finish.

    The lock is an OS file lock, so a killed run releases it with its process. Nested use
    in one process (the CLI, then the flow it starts) is re-entrant.
    """
    lock = file_lock(project_dir / LOCK_NAME, timeout_s, reentrant=True)
    try:
        lock.acquire()
    except Timeout as err:
        raise BusyError(f"another lingopress run is working on this project; waited {timeout_s:g} s "
                        f"for it", path=project_dir / LOCK_NAME,
                        hint="let it finish, or wait longer with --lock-timeout SECONDS") from err
    try:
        yield
    finally:
        lock.release()


@contextmanager
def exclusive_run(project_dir: Path, timeout_s: float, *work_dirs: Path) -> Iterator[None]:
    """The project lock, plus removal of what an interrupted earlier run left behind."""
    with project_lock(project_dir, timeout_s):
        remove_stale_temp_files(*work_dirs)
        yield
