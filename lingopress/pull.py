"""Pull: fetch a locale bundle, verify everything, and install it into a directory atomically.

The chain of trust starts at the bundle index: it gives the archive's and the beside
manifest's sha256 and size. The manifest gives every file's sha256 and size; the archive
must hold exactly those files and an identical `manifest.json`, and nothing else (no
links, no directories, no absolute or `..` names). Extraction uses Python's `tarfile`
"data" filter on top of those checks, and the extracted files are hashed once more.

DIR is replaced in one step. The bundle is extracted into a hidden sibling directory
(same file system), then swapped with DIR by `renameat2(RENAME_EXCHANGE)`, so a web
server reading DIR sees the old tree or the new one, never a mix and never nothing.
Where the kernel or file system lacks that call, two renames are used instead (DIR is
missing for an instant); an interrupted pair is repaired by the next pull. Every
failure happens before the swap: DIR is untouched, the sibling is removed.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import http.client
import io
import json
import logging
import os
import re
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .bundles import (FORMAT, INDEX_NAME, MANIFEST_NAME, archive_name, content_digest, exclusive_lock,
                      manifest_name, read_index, sha256_hex)
from .errors import BundleError, PullError

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # an index or manifest larger than this is not ours
_CHUNK = 1 << 16
# fullmatch only: `$` would also match before a final "\n" (a locale is a path part).
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:_[A-Za-z0-9]+)*")


@dataclass(frozen=True)
class PullResult:
    locale: str
    version: int
    dest: Path
    changed: bool  # False: DIR already held this version
    articles: int
    files: int
    url: str  # where the archive came from


def pull(source: str, locale: str, dest: Path, *, version: int | None = None,
         timeout: float = 60) -> PullResult:
    """Install `locale`'s bundle (latest, or `version`) from `source` into `dest`."""
    if not _LOCALE.fullmatch(locale):
        raise PullError(f"--locale: {locale!r} is not a locale code", hint="e.g. --locale en or pt_BR")
    dest = Path(os.path.abspath(dest))
    if not dest.name or dest == Path(os.path.abspath(".")):
        raise PullError("--dest must name a directory to fill, not the current or root directory",
                        path=dest, hint="e.g. --dest site/en")
    origin = _Origin.open(source, timeout)
    entry = _select(origin, locale, version)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(dest.parent / f".{dest.name}.pull.lock"):
            return _install(origin, entry, locale, dest)
    except OSError as err:  # the local file system: permissions, a full disk
        raise PullError(f"cannot install: {err.strerror or err}", path=err.filename or dest,
                        hint="check the permissions and free space where DIR lives") from err


def _install(origin: _Origin, entry: dict, locale: str, dest: Path) -> PullResult:
    version = entry["version"]
    url = origin.url(entry_path(locale, version))
    _recover(dest)
    installed = _installed_manifest(dest)
    if installed is not None and (installed.get("locale"), installed.get("version"),
                                  installed.get("content_digest")) == (locale, version, entry["content_digest"]):
        log.info("%s already holds %s version %d", dest, locale, version)
        return PullResult(locale, version, dest, False, len(installed.get("articles", [])),
                          len(installed["files"]), url)

    manifest_path = f"{locale}/{manifest_name(locale, version)}"
    manifest_bytes = origin.fetch(manifest_path, size=entry["manifest_size"], limit=MAX_DOCUMENT_BYTES,
                                  sha256=entry["manifest_sha256"], what="manifest")
    manifest = _check_manifest(manifest_bytes, origin.url(manifest_path), locale, version,
                               entry["content_digest"])
    tree = Path(tempfile.mkdtemp(prefix=f".{dest.name}.pull-", dir=dest.parent))
    archive = tree.with_name(tree.name + ".tar.gz")
    try:
        with open(archive, "wb") as handle:
            origin.download(entry_path(locale, version), handle, size=entry["size"], sha256=entry["sha256"])
        _extract(archive, tree, manifest, manifest_bytes, url)
        os.chmod(tree, 0o777 & ~_umask())  # mkdtemp makes it private; DIR is to be served
        _swap(tree, dest)
    finally:
        archive.unlink(missing_ok=True)
        shutil.rmtree(tree, ignore_errors=True)  # the new tree on failure, the old one after a swap
    log.info("installed %s version %d into %s", locale, version, dest)
    return PullResult(locale, version, dest, True, len(manifest["articles"]), len(manifest["files"]), url)


def entry_path(locale: str, version: int) -> str:
    return f"{locale}/{archive_name(locale, version)}"


# --- where bundles come from ---------------------------------------------------------------

class _Origin:
    """A bundles directory, local or served over HTTP(S); paths below it are ours, not the index's."""

    def __init__(self, base: str, timeout: float, index: dict) -> None:
        self.base, self.timeout, self.index = base, timeout, index

    @classmethod
    def open(cls, source: str, timeout: float) -> _Origin:
        """Find the bundle index at SOURCE or at SOURCE/bundles (SOURCE being outputs/)."""
        remote = urllib.parse.urlsplit(source).scheme in ("http", "https")
        if not remote and not Path(source).is_dir():
            raise PullError("no such directory, and not an http(s) URL", path=source,
                            hint="give the URL or directory where outputs/bundles is served")
        base = source if source.endswith("/") or not remote else source + "/"
        tried = []
        for prefix in ("", "bundles/"):
            origin = cls(urllib.parse.urljoin(base, prefix) if remote else str(Path(source) / prefix),
                         timeout, {})
            data = origin.fetch(INDEX_NAME, size=None, limit=MAX_DOCUMENT_BYTES, sha256=None,
                                what="bundle index", missing_ok=True)
            tried.append(origin.url(INDEX_NAME))
            if data is None:
                continue
            try:
                origin.index = read_index(data, origin.url(INDEX_NAME))
            except BundleError as err:
                if prefix:
                    raise PullError(err.message, path=err.path, hint=err.hint) from err
                continue  # SOURCE/index.json is something else; try SOURCE/bundles/
            return origin
        raise PullError(f"no bundle index at {' or '.join(tried)}",
                        hint="give the URL or directory of outputs/bundles (or outputs/) of a "
                             "lingopress project that has published")

    def url(self, relative: str) -> str:
        if urllib.parse.urlsplit(self.base).scheme:
            return urllib.parse.urljoin(self.base, relative)
        return str(Path(self.base) / relative)

    def _open(self, relative: str, missing_ok: bool) -> BinaryIO | None:
        where = self.url(relative)
        try:
            if urllib.parse.urlsplit(where).scheme:
                return urllib.request.urlopen(where, timeout=self.timeout)
            return open(where, "rb")
        except urllib.error.HTTPError as err:
            if missing_ok and err.code == 404:
                return None
            raise PullError(f"download failed: HTTP {err.code} {err.reason}", path=where,
                            hint="check the URL and that the bundles are still served") from err
        except FileNotFoundError as err:
            if missing_ok:
                return None
            raise PullError("file is missing", path=where, hint="the bundle directory is incomplete; "
                            "publish again or pick another --version") from err
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", None) or err
            raise PullError(f"download failed: {reason}", path=where,
                            hint="check the URL and the network, then pull again") from err

    def download(self, relative: str, target: BinaryIO, *, size: int | None, sha256: str | None,
                 limit: int | None = None, what: str = "archive", missing_ok: bool = False) -> bool:
        """Copy a file to `target`, checking its size and sha256 against what the index says.

        Returns False when the file is missing and `missing_ok`.
        """
        where = self.url(relative)
        stream = self._open(relative, missing_ok)
        if stream is None:
            return False
        limit = size if size is not None else limit
        digest, received = hashlib.sha256(), 0
        with stream:
            try:
                while chunk := stream.read(_CHUNK):
                    received += len(chunk)
                    if limit is not None and received > limit:
                        raise PullError(f"{what} is larger than the {limit} bytes expected", path=where,
                                        hint="the file was changed after it was published; do not use it")
                    digest.update(chunk)
                    target.write(chunk)
            except (OSError, http.client.HTTPException) as err:
                raise PullError(f"{what} download broke off after {received} bytes: {err!r}", path=where,
                                hint="pull again") from err
        if size is not None and received != size:
            raise PullError(f"{what} is truncated: {received} of {size} bytes", path=where,
                            hint="the download broke off or the file was cut; pull again")
        if sha256 is not None and digest.hexdigest() != sha256:
            raise PullError(f"{what} sha256 {digest.hexdigest()[:16]}… does not match the index "
                            f"({sha256[:16]}…)", path=where,
                            hint="the file was damaged or tampered with; do not use it")
        return True

    def fetch(self, relative: str, *, size: int | None, limit: int, sha256: str | None, what: str,
              missing_ok: bool = False) -> bytes | None:
        """A small document, in memory; None when missing and `missing_ok`."""
        buffer = io.BytesIO()
        if not self.download(relative, buffer, size=size, sha256=sha256, limit=limit, what=what,
                             missing_ok=missing_ok):
            return None
        return buffer.getvalue()


def _select(origin: _Origin, locale: str, version: int | None) -> dict:
    locales = origin.index["locales"]
    if locale not in locales:
        raise PullError(f"no bundle for locale {locale!r}", path=origin.url(INDEX_NAME),
                        hint=f"available: {', '.join(sorted(locales)) or 'none'}")
    entry = locales[locale]
    wanted = entry["latest"] if version is None else version
    for item in entry["versions"]:
        if item.get("version") == wanted:
            return item
    raise PullError(f"{locale} has no version {wanted}", path=origin.url(INDEX_NAME),
                    hint="published versions: " + ", ".join(str(item.get("version")) for item in entry["versions"]))


# --- verification ----------------------------------------------------------------------------

def _check_manifest(data: bytes, where: str, locale: str, version: int, digest: str) -> dict:
    try:
        manifest = json.loads(data.decode("utf-8"))
        files, articles = manifest["files"], manifest["articles"]
        problems = []
        if manifest.get("format") != FORMAT:
            problems.append(f"format {manifest.get('format')!r}")
        if (manifest.get("locale"), manifest.get("version")) != (locale, version):
            problems.append(f"it is {manifest.get('locale')} version {manifest.get('version')}")
        if manifest.get("content_digest") != digest or content_digest(locale, articles, files) != digest:
            problems.append("its content digest does not match the index")
        if MANIFEST_NAME in files:
            problems.append(f"it lists {MANIFEST_NAME} as a file")
        for name, item in files.items():
            _check_name(name, where)
            if not (isinstance(item.get("sha256"), str) and isinstance(item.get("size"), int)):
                problems.append(f"no sha256/size for {name}")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise PullError(f"manifest is not valid: {err}", path=where,
                        hint="the bundle was damaged or tampered with; do not use it") from err
    if problems:
        raise PullError(f"manifest does not match the index: {'; '.join(problems)}", path=where,
                        hint="the bundle was damaged or tampered with; do not use it")
    return manifest


def _check_name(name: str, where: str) -> None:
    path = PurePosixPath(name)
    # Control characters too: a newline in a file name breaks every tool that lists files by line.
    if (not name or path.is_absolute() or "\\" in name or any(part in ("", ".", "..") for part in name.split("/"))
            or any(ord(ch) < 32 or ch == "\x7f" for ch in name)):
        raise PullError(f"unsafe file name {name!r} in the bundle", path=where,
                        hint="the bundle was tampered with; do not use it")


def _extract(archive: Path, tree: Path, manifest: dict, manifest_bytes: bytes, where: str) -> None:
    """Check every member against the manifest, then extract with the data filter."""
    expected = {**manifest["files"], MANIFEST_NAME: {"size": len(manifest_bytes), "sha256": sha256_hex(manifest_bytes)}}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            seen: set[str] = set()
            for member in members:
                _check_name(member.name, where)
                if not member.isfile():
                    kind = "link" if member.issym() or member.islnk() else "non-file entry"
                    raise PullError(f"archive holds a {kind} {member.name!r}", path=where,
                                    hint="bundles hold regular files only; do not use this one")
                if member.name in seen:
                    raise PullError(f"archive holds {member.name!r} twice", path=where,
                                    hint="the bundle was tampered with; do not use it")
                seen.add(member.name)
                if member.name not in expected:
                    raise PullError(f"archive holds {member.name!r}, which the manifest does not list",
                                    path=where, hint="the bundle was tampered with; do not use it")
                if member.size != expected[member.name]["size"]:
                    raise PullError(f"{member.name} is {member.size} bytes, the manifest says "
                                    f"{expected[member.name]['size']}", path=where,
                                    hint="the bundle was tampered with; do not use it")
            if missing := sorted(set(expected) - seen):
                raise PullError(f"archive lacks {', '.join(missing)}", path=where,
                                hint="the bundle is incomplete; do not use it")
            tar.extractall(tree, members=members, filter="data")
    except (tarfile.TarError, EOFError, OSError) as err:
        raise PullError(f"archive cannot be read: {err}", path=where,
                        hint="the bundle was damaged or tampered with; do not use it") from err
    for name, item in expected.items():
        if sha256_hex((tree / name).read_bytes()) != item["sha256"]:
            raise PullError(f"{name}: sha256 does not match the manifest", path=where,
                            hint="the bundle was damaged or tampered with; do not use it")


def _installed_manifest(dest: Path) -> dict | None:
    """The manifest of the bundle in DIR when DIR holds it intact; None for an empty or new DIR."""
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise PullError("destination is not a directory", path=dest,
                        hint="give a new directory, or one an earlier pull filled")
    if not dest.exists() or not any(dest.iterdir()):
        return None
    try:
        manifest = json.loads((dest / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise PullError("destination is not empty and holds no lingopress bundle (no manifest.json); "
                        "refusing to replace it", path=dest,
                        hint="give a new or empty directory, or one an earlier pull filled") from err
    except (OSError, UnicodeDecodeError, ValueError):
        return None  # damaged: reinstall
    try:
        for name, item in manifest["files"].items():
            _check_name(name, str(dest))
            if sha256_hex((dest / name).read_bytes()) != item["sha256"]:
                log.info("%s: %s was changed since it was pulled; installing again", dest, name)
                return None
    except (OSError, KeyError, TypeError, AttributeError, PullError):
        return None
    return manifest


# --- the swap --------------------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _swap(tree: Path, dest: Path) -> None:
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
    """The fallback: DIR → hidden `.old` sibling, tree → DIR, `.old` → tree. `_recover` repairs a crash."""
    old = dest.with_name(f".{dest.name}.old")
    os.rename(dest, old)
    try:
        os.rename(tree, dest)
    except OSError:
        os.rename(old, dest)
        raise
    os.rename(old, tree)


def _recover(dest: Path) -> None:
    """Undo what an interrupted pull left: a DIR moved aside, stale temporary siblings."""
    old = dest.with_name(f".{dest.name}.old")
    if old.exists():
        if dest.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, dest)
            log.info("restored %s after an interrupted pull", dest)
    for stale in dest.parent.glob(f".{dest.name}.pull-*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def _umask() -> int:
    # Python can only read the umask by setting it; put it straight back.
    mask = os.umask(0)
    os.umask(mask)
    return mask
