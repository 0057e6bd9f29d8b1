"""The destination of `pull`: which directories it may replace, and the swap itself.

A directory is pull's only when pull itself filled it. Pull writes a marker file,
`.lingopress-pull.json`, into every tree it installs, naming the locale, the version and
every file it put there. A DIR is replaced only when it is missing, empty, or carries that
marker and holds nothing the marker does not list; anything else (a web root with its own
`index.html` and `manifest.json`, a file added to DIR by hand) is refused untouched.

A DIR filled by a pull from before the marker existed holds a lingopress bundle
`manifest.json` and no marker. It is adopted when it holds exactly that bundle (every
listed file unchanged, nothing else): replacing it loses nothing pull did not install.
Otherwise it is refused, with the hint to move it aside and pull again.

Pull works in one private directory beside DIR (`tempfile.mkdtemp`, `.DIR.pull-XXXXXXXX`)
and never deletes or reuses a path it did not create in the same run. An interrupted
pull can leave that directory behind; the next pull says so and leaves it for the user.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .bundle_format import MANIFEST_NAME, MAX_DOCUMENT_BYTES, is_bundle_manifest
from ..errors import PullError

log = logging.getLogger(__name__)

MARKER_NAME = ".lingopress-pull.json"
MARKER_FORMAT = 1
WORK_PREFIX = "pull-"  # .DIR.pull-XXXXXXXX, made by mkdtemp
WORK_NAMES = ("archive.tar.gz", "tree", "tree.old")  # what pull puts in it
_NOT_OURS = "give a new or empty directory, or move this one's content elsewhere and pull again"


@dataclass(frozen=True)
class Installed:
    """What pull installed in DIR earlier: the locale, the files, and the manifest if intact."""

    locale: str | None
    files: frozenset[str]  # every path pull put there, manifest.json and the marker included
    manifest: dict | None  # None when damaged: DIR is reinstalled
    current: bool  # every listed file is unchanged


def check_name(name: str, where: str) -> None:
    """A bundle file name must stay inside DIR: relative, no `..`, no empty parts, printable."""
    path = PurePosixPath(name)
    if (not name or path.is_absolute() or "\\" in name or not name.isprintable()
            or any(part in ("", ".", "..") for part in name.split("/"))):
        raise PullError(f"unsafe file name {name!r} in the bundle", path=where,
                        hint="the bundle was tampered with; do not use it")


def marker_bytes(locale: str, version: int, digest: str, files: list[str], source: str) -> bytes:
    marker = {"format": MARKER_FORMAT, "written_by": "lingopress pull", "locale": locale, "version": version,
              "content_digest": digest, "source": source, "files": sorted(files)}
    return (json.dumps(marker, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def inspect(dest: Path, locale: str) -> Installed | None:
    """What DIR holds: None when missing or empty; refuses a DIR pull may not replace."""
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise PullError("destination is not a directory", path=dest,
                        hint="give a new directory, or one an earlier pull filled")
    if not dest.exists() or not any(dest.iterdir()):
        return None
    marker = _read_json(dest / MARKER_NAME)
    if marker is not None:
        installed = _from_marker(dest, marker, locale)
    else:
        installed = _from_legacy(dest, locale)
    extra = _unlisted(dest, installed.files)
    if extra:
        shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
        raise PullError(f"destination holds files pull did not install: {shown}; refusing to replace it",
                        path=dest, hint="move them elsewhere (pull replaces DIR as a whole), then pull again")
    return installed


def _from_marker(dest: Path, marker: object, locale: str) -> Installed:
    try:
        assert isinstance(marker, dict) and marker.get("written_by") == "lingopress pull"
        files = frozenset(marker["files"])
        owner = marker["locale"]
        assert isinstance(owner, str) and all(isinstance(name, str) for name in files)
    except (AssertionError, KeyError, TypeError) as err:
        raise PullError(f"{MARKER_NAME} is damaged; refusing to replace the directory", path=dest,
                        hint="if an earlier pull filled it, move it aside and pull again") from err
    if owner != locale:
        raise _other_locale(dest, owner, locale)
    manifest = _read_json(dest / MANIFEST_NAME)
    manifest = manifest if is_bundle_manifest(manifest) else None
    return Installed(owner, files | {MARKER_NAME}, manifest, manifest is not None and _unchanged(dest, manifest))


def _from_legacy(dest: Path, locale: str) -> Installed:
    """DIR as an older pull (no marker) left it: adopted only when it holds exactly the bundle."""
    manifest = _read_json(dest / MANIFEST_NAME)
    if not is_bundle_manifest(manifest):
        raise PullError(f"destination is not empty and was not filled by lingopress pull (no {MARKER_NAME} "
                        "marker, no bundle manifest.json); refusing to replace it", path=dest, hint=_NOT_OURS)
    if manifest.get("locale") != locale:
        raise _other_locale(dest, manifest.get("locale"), locale)
    files = frozenset(manifest["files"]) | {MANIFEST_NAME}
    if _unlisted(dest, files) or not _unchanged(dest, manifest):
        raise PullError(f"destination holds a bundle with files changed or added since it was pulled, and no "
                        f"{MARKER_NAME} marker; refusing to replace it", path=dest, hint=_NOT_OURS)
    return Installed(manifest.get("locale"), files, manifest, True)


def _other_locale(dest: Path, owner: object, locale: str) -> PullError:
    return PullError(f"destination holds the {owner} bundle; refusing to replace it with --locale {locale}",
                     path=dest, hint=f"give each locale its own --dest, e.g. site/{locale}")


def _read_json(path: Path) -> object | None:
    """A small JSON document, or None when missing, too large or not JSON."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            return None
        return json.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None


def _unchanged(dest: Path, manifest: dict) -> bool:
    try:
        for name, item in manifest["files"].items():
            check_name(name, str(dest))
            if file_sha256(dest / name) != item.get("sha256"):
                log.info("%s: %s was changed since it was pulled", dest, name)
                return False
    except (OSError, PullError):
        return False
    return True


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _unlisted(dest: Path, files: frozenset[str]) -> list[str]:
    """Paths in DIR that are not in `files` nor a folder of one of them."""
    folders = {str(parent) for name in files for parent in PurePosixPath(name).parents}
    extra = []
    for root, dirs, names in os.walk(dest):
        relative = PurePosixPath(Path(root).relative_to(dest).as_posix())
        for name in sorted(names):
            if str(relative / name) not in files:
                extra.append(str(relative / name))
        for name in sorted(dirs):
            if str(relative / name) not in folders:
                extra.append(f"{relative / name}/")
                dirs.remove(name)  # not walked: it is reported whole
    return sorted(extra)


def leftovers(dest: Path) -> list[Path]:
    """Work directories an interrupted pull left beside DIR (reported, never removed)."""
    return sorted(path for path in dest.parent.glob(f".{dest.name}.{WORK_PREFIX}*")
                  if path.is_dir() and not path.is_symlink()
                  and any((path / name).exists() for name in WORK_NAMES))


# --- the swap --------------------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def swap(tree: Path, dest: Path) -> None:
    """Put `tree` in place of `dest`; afterwards `tree` holds the old content (if any)."""
    if not dest.exists():
        os.rename(tree, dest)
        return
    try:
        exchange(tree, dest)
    except OSError as err:
        if err.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        swap_by_renames(tree, dest)


def exchange(a: Path, b: Path) -> None:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE; Python has no binding)."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(b))


def swap_by_renames(tree: Path, dest: Path) -> None:
    """The fallback: DIR → `old` beside `tree` (in pull's own work directory), tree → DIR,
    `old` → tree. DIR is missing for an instant; a crash then leaves it in the work directory."""
    old = tree.with_name(tree.name + ".old")
    os.rename(dest, old)
    try:
        os.rename(tree, dest)
    except OSError:
        os.rename(old, dest)
        raise
    os.rename(old, tree)
