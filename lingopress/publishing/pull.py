"""Pull: fetch a locale bundle, verify everything, and install it into a directory atomically.

The chain of trust starts at the bundle index: it gives the archive's and the beside
manifest's sha256 and size. The manifest gives every file's sha256 and size; the archive
must hold exactly those files and an identical `manifest.json`, and nothing else (no
links, no directories, no absolute or `..` names). Extraction uses Python's `tarfile`
"data" filter on top of those checks, and every extracted file is hashed as it lands.

Nothing a server sends is trusted to be small or quick: the whole pull has a deadline,
downloads and the unpacked tree have size caps and the bundle a file-count cap, checked
against what the index and manifest declare before anything large is fetched, and again
while bytes arrive. Hashes are computed over chunks, never over a file held in memory.

DIR is replaced in one step, and only when pull filled it (see `pull_dest`). The bundle
is extracted into pull's private work directory beside DIR (same file system), then
swapped with DIR by `renameat2(RENAME_EXCHANGE)`, so a web server reading DIR sees the
old tree or the new one, never a mix and never nothing. Every failure happens before the
swap: DIR is untouched, the work directory is removed.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ByteSize, TypeAdapter, ValidationError

from filelock import Timeout

from .bundle_format import FORMAT, INDEX_NAME, MANIFEST_NAME, archive_path, content_digest, manifest_path, sha256_hex
from ..errors import ConfigError, PullError
from .pull_dest import (MARKER_NAME, WORK_PREFIX, check_name, exchange, file_sha256, inspect, leftovers,
                        marker_bytes, swap, swap_by_renames)
from .pull_net import Deadline, Origin, human
from ..store.atomic import file_lock

__all__ = ["Limits", "MARKER_NAME", "PullResult", "exchange", "limits_from_options", "pull", "swap_by_renames"]

log = logging.getLogger(__name__)

# fullmatch only: `$` would also match before a final "\n" (a locale is a path part).
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:_[A-Za-z0-9]+)*")
_TAMPERED = "the bundle was damaged or tampered with; do not use it"
# Tar framing around the declared file sizes: a header block per member, a pax header
# (with its data) where a name is not ASCII, the end blocks and record padding.
_BLOCK, _MEMBER_SLACK, _END_SLACK = 512, 4 * 512, 20 * 512


@dataclass(frozen=True)
class Limits:
    """How long and how much a pull may take; each has a command-line option to raise it."""

    deadline_s: float = 1800  # --deadline: the whole pull, all downloads together
    max_download: int = 1 << 30  # --max-download: bytes received (index, manifest, archive)
    max_unpacked: int = 4 << 30  # --max-unpacked: bytes of the installed files
    max_files: int = 100_000  # --max-files: files in the bundle


def limits_from_options(deadline: float | None, max_download: str | None, max_unpacked: str | None,
                        max_files: int | None) -> Limits:
    """Limits from the CLI options (sizes like 500MB or 2GiB); None keeps the default."""
    default = Limits()
    if deadline is not None and not deadline > 0:
        raise ConfigError(f"--deadline: {deadline:g} is not a positive number of seconds", hint="e.g. --deadline 3600")
    if max_files is not None and max_files < 1:
        raise ConfigError(f"--max-files: {max_files} is not a positive count", hint="e.g. --max-files 200000")
    return Limits(deadline_s=default.deadline_s if deadline is None else deadline,
                  max_download=_size("--max-download", max_download, default.max_download),
                  max_unpacked=_size("--max-unpacked", max_unpacked, default.max_unpacked),
                  max_files=default.max_files if max_files is None else max_files)


def _size(option: str, text: str | None, default: int) -> int:
    if text is None:
        return default
    try:  # pydantic's ByteSize reads 500MB, 2GiB, 10k and plain bytes
        size = TypeAdapter(ByteSize).validate_python(text.strip())
    except ValidationError as err:
        raise ConfigError(f"{option}: {text!r} is not a size", hint=f"e.g. {option} 2GiB or {option} 500MB") from err
    if size < 1:
        raise ConfigError(f"{option}: {text!r} is not a positive size", hint=f"e.g. {option} 2GiB")
    return int(size)


@dataclass(frozen=True)
class PullResult:
    locale: str
    version: int
    dest: Path
    changed: bool  # False: DIR already held this version
    articles: int
    files: int
    url: str  # where the archive came from


def pull(source: str, locale: str, dest: Path, *, version: int | None = None, timeout: float = 60,
         limits: Limits = Limits()) -> PullResult:
    """Install `locale`'s bundle (latest, or `version`) from `source` into `dest`."""
    if not _LOCALE.fullmatch(locale):
        raise PullError(f"--locale: {locale!r} is not a locale code", hint="e.g. --locale en or pt_BR")
    dest = Path(os.path.abspath(dest))
    if not dest.name or dest == Path(os.path.abspath(".")):
        raise PullError("--dest must name a directory to fill, not the current or root directory",
                        path=dest, hint="e.g. --dest site/en")
    inspect(dest, locale)  # refuse a DIR that is not pull's before creating anything beside it
    with Deadline(limits.deadline_s) as deadline:
        origin = Origin.open(source, timeout, deadline, limits.max_download)
        entry = _select(origin, locale, version)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            # Within the deadline: the pull holding the lock may be stalled on its own server.
            with file_lock(dest.parent / f".{dest.name}.pull.lock", deadline.remaining()):
                return _install(origin, entry, locale, dest, limits)
        except Timeout as err:
            raise PullError(f"another pull into this directory held its lock past the --deadline of "
                            f"{limits.deadline_s:g} s", path=dest,
                            hint="let it finish, then pull again") from err
        except OSError as err:  # the local file system: permissions, a full disk
            raise PullError(f"cannot install: {err.strerror or err}", path=err.filename or dest,
                            hint="check the permissions and free space where DIR lives") from err


def _install(origin: Origin, entry: dict, locale: str, dest: Path, limits: Limits) -> PullResult:
    version = entry["version"]
    url = origin.url(archive_path(locale, version))
    for path in leftovers(dest):
        log.warning("%s was left by an interrupted pull; remove it when no pull is running", path)
    installed = inspect(dest, locale)  # again: DIR may have changed before we held the lock
    if installed is not None and installed.current and (
            (installed.manifest.get("locale"), installed.manifest.get("version"),
             installed.manifest.get("content_digest")) == (locale, version, entry["content_digest"])):
        log.info("%s already holds %s version %d", dest, locale, version)
        return PullResult(locale, version, dest, False, len(installed.manifest.get("articles", [])),
                          len(installed.manifest["files"]), url)

    origin.reserve(entry["manifest_size"] + entry["size"], url)
    manifest_at = manifest_path(locale, version)
    manifest_bytes = origin.fetch(manifest_at, size=entry["manifest_size"], sha256=entry["manifest_sha256"],
                                  what="manifest")
    manifest = _check_manifest(manifest_bytes, origin.url(manifest_at), locale, version,
                               entry["content_digest"])
    _check_caps(manifest, len(manifest_bytes), limits, origin.url(manifest_at))
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.{WORK_PREFIX}", dir=dest.parent))
    try:
        archive, tree = work / "archive.tar.gz", work / "tree"
        with open(archive, "wb") as handle:
            origin.download(archive_path(locale, version), handle, size=entry["size"], sha256=entry["sha256"])
        tree.mkdir()  # not private like `work`: DIR is to be served
        _extract(archive, tree, manifest, manifest_bytes, url)
        files = [*manifest["files"], MANIFEST_NAME]
        (tree / MARKER_NAME).write_bytes(marker_bytes(locale, version, entry["content_digest"], files, url))
        swap(tree, dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the new tree on failure, the old one after a swap
    log.info("installed %s version %d into %s", locale, version, dest)
    return PullResult(locale, version, dest, True, len(manifest["articles"]), len(manifest["files"]), url)


def _select(origin: Origin, locale: str, version: int | None) -> dict:
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
        for own in (MANIFEST_NAME, MARKER_NAME):
            if own in files:
                problems.append(f"it lists {own} as a file")
        for name, item in files.items():
            check_name(name, where)
            if not (isinstance(item.get("sha256"), str) and type(item.get("size")) is int and item["size"] >= 0):
                problems.append(f"no sha256/size for {name}")
        if not isinstance(articles, list):
            problems.append("its articles are not a list")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as err:
        raise PullError(f"manifest is not valid: {err}", path=where, hint=_TAMPERED) from err
    if problems:
        raise PullError(f"manifest does not match the index: {'; '.join(problems[:5])}", path=where,
                        hint=_TAMPERED)
    return manifest


def _check_caps(manifest: dict, manifest_size: int, limits: Limits, where: str) -> None:
    """Refuse a bundle too large for the limits from what its manifest declares, before downloading it."""
    count = len(manifest["files"]) + 1
    if count > limits.max_files:
        raise PullError(f"the bundle holds {count} files, more than --max-files {limits.max_files}",
                        path=where, hint="if you trust this source, raise it with --max-files N")
    unpacked = manifest_size + sum(item["size"] for item in manifest["files"].values())
    if unpacked > limits.max_unpacked:
        raise PullError(f"the bundle unpacks to {human(unpacked)}, more than --max-unpacked "
                        f"{human(limits.max_unpacked)}", path=where,
                        hint="if you trust this source, raise it with --max-unpacked SIZE (e.g. 8GiB)")


class _Capped:
    """A reader that refuses to give more than `limit` bytes.

    The decompressed tar stream may hold more than its members: a pax or GNU long-name
    header is read whole into memory by tarfile, and gzip can expand a small download a
    thousandfold. Capping the stream at the declared sizes plus framing bounds both.
    """

    def __init__(self, stream: gzip.GzipFile, limit: int, where: str) -> None:
        self.stream, self.limit, self.where, self.read_so_far = stream, limit, where, 0

    def read(self, size: int = -1) -> bytes:
        wanted = self.limit + 1 - self.read_so_far
        data = self.stream.read(wanted if size < 0 else min(size, wanted))
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            raise PullError("archive unpacks to more than its manifest declares", path=self.where, hint=_TAMPERED)
        return data


def _extract(archive: Path, tree: Path, manifest: dict, manifest_bytes: bytes, where: str) -> None:
    """Check each member against the manifest as it streams by, extract it with the data filter, hash it."""
    expected = {**manifest["files"], MANIFEST_NAME: {"size": len(manifest_bytes), "sha256": sha256_hex(manifest_bytes)}}
    allowance = sum(-(-item["size"] // _BLOCK) * _BLOCK + _MEMBER_SLACK for item in expected.values()) + _END_SLACK
    seen: set[str] = set()
    try:
        with open(archive, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as unpacked, \
                tarfile.open(fileobj=_Capped(unpacked, allowance, where), mode="r|") as tar:
            for member in tar:
                _check_member(member, expected, seen, where)
                tar.extract(member, tree, filter="data")
                if file_sha256(tree / member.name) != expected[member.name]["sha256"]:
                    raise PullError(f"{member.name}: sha256 does not match the manifest", path=where, hint=_TAMPERED)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
        raise PullError(f"archive cannot be read: {err}", path=where, hint=_TAMPERED) from err
    if missing := sorted(set(expected) - seen):
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise PullError(f"archive lacks {shown}", path=where, hint="the bundle is incomplete; do not use it")


def _check_member(member: tarfile.TarInfo, expected: dict, seen: set[str], where: str) -> None:
    check_name(member.name, where)
    if not member.isfile():
        kind = "link" if member.issym() or member.islnk() else "non-file entry"
        raise PullError(f"archive holds a {kind} {member.name!r}", path=where,
                        hint="bundles hold regular files only; do not use this one")
    if member.name in seen:
        raise PullError(f"archive holds {member.name!r} twice", path=where,
                        hint="the bundle was tampered with; do not use it")
    seen.add(member.name)
    if member.name not in expected:
        raise PullError(f"archive holds {member.name!r}, which the manifest does not list", path=where,
                        hint="the bundle was tampered with; do not use it")
    if member.size != expected[member.name]["size"]:
        raise PullError(f"{member.name} is {member.size} bytes, the manifest says {expected[member.name]['size']}",
                        path=where, hint="the bundle was tampered with; do not use it")
