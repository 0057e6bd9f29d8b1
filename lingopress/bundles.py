"""Bundles: one immutable, checksummed archive per locale and content version.

```
outputs/bundles/index.json                                    every version per locale, the latest marked
outputs/bundles/<locale>/lingopress-<locale>-<version>.tar.gz  manifest.json + the locale's published files
outputs/bundles/<locale>/lingopress-<locale>-<version>.manifest.json   the same manifest, beside it
```

Versions are sequential per locale (1, 2, 3, …): easy to compare and to pin with
`lingopress pull --version`; the manifest's `created` says when. A new version is made
only when the locale's content changed, judged by a digest of the files and articles
that leaves out the creation time and the tool version; a run without change writes
nothing. Archives are reproducible: the same files, version and creation time give the
same bytes (sorted members, fixed owner and mode, gzip header without a timestamp).

Publishing is ordered for crash safety: the archive, then its manifest, each written to
a temporary file and renamed into place, and `index.json` last. A reader of the index
only ever sees complete versions; a crash leaves at most an archive the index does not
list, whose version number is then skipped.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import json
import logging
import re
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .config import Config
from .errors import BundleError
from .publish import article_files, locale_files, published_locales, read_state
from .storage import atomic_write_bytes, remove_stale_temp_files, write_text_if_changed

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.json"
# What pull relies on in each version record of the index.
_RECORD_FIELDS = {"version": int, "sha256": str, "size": int, "manifest_sha256": str,
                  "manifest_size": int, "content_digest": str}


@dataclass(frozen=True)
class BundleResult:
    locale: str
    version: int
    created: bool  # False: content unchanged, the latest version stands
    archive: str  # relative to the bundles directory
    articles: int


def bundles_dir(config: Config) -> Path:
    return config.outputs_dir / "bundles"


def archive_name(locale: str, version: int) -> str:
    return f"lingopress-{locale}-{version}.tar.gz"


def manifest_name(locale: str, version: int) -> str:
    return f"lingopress-{locale}-{version}.manifest.json"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_digest(locale: str, articles: list[dict], files: dict[str, dict]) -> str:
    """What decides whether a locale has a new version: its files and articles, not when."""
    body = json.dumps({"locale": locale, "articles": articles, "files": files},
                      ensure_ascii=False, sort_keys=True)
    return sha256_hex(body.encode("utf-8"))


def file_listing(files: dict[str, bytes]) -> dict[str, dict]:
    return {name: {"sha256": sha256_hex(data), "size": len(data)} for name, data in sorted(files.items())}


def build_manifest(locale: str, version: int, created: datetime, listing: dict[str, dict],
                   articles: list[dict]) -> dict:
    return {
        "format": FORMAT, "tool": "lingopress", "tool_version": __version__,
        "locale": locale, "version": version,
        "created": created.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "content_digest": content_digest(locale, articles, listing),
        "articles": articles, "files": listing,
    }


def encode_json(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def build_archive(files: dict[str, bytes], manifest: bytes, mtime: int) -> bytes:
    """A reproducible tar.gz of `files` plus `manifest.json`: same input, same bytes.

    Members carry `mtime` (the version's creation time) rather than 0, so that a web
    server serving the extracted files sends a meaningful Last-Modified and ETag.
    """
    buffer = io.BytesIO()
    members = {**files, MANIFEST_NAME: manifest}
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as packed:
        with tarfile.open(fileobj=packed, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name in sorted(members):
                data = members[name]
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = len(data), mtime, 0o644
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def read_index(data: bytes, origin: str) -> dict:
    """Parse `index.json`; anything that is not a lingopress bundle index is an error."""
    try:
        index = json.loads(data.decode("utf-8"))
        if index.get("format") != FORMAT or not isinstance(index.get("locales"), dict):
            raise ValueError(f"format {index.get('format')!r}")
        for locale, entry in index["locales"].items():
            if not isinstance(entry.get("latest"), int) or not isinstance(entry.get("versions"), list):
                raise ValueError(f"locale {locale!r} lacks latest/versions")
            for item in entry["versions"]:
                for key, kind in _RECORD_FIELDS.items():
                    if type(item.get(key)) is not kind:  # exactly: bool is an int to isinstance
                        raise ValueError(f"locale {locale!r}: a version lacks {key!r}")
                if item["size"] < 0 or item["manifest_size"] < 0:
                    raise ValueError(f"locale {locale!r}: version {item['version']} has a negative size")
            if entry["latest"] not in [item["version"] for item in entry["versions"]]:
                raise ValueError(f"locale {locale!r}: latest version {entry['latest']} is not listed")
    except (UnicodeDecodeError, ValueError, AttributeError, RecursionError) as err:  # deep nesting, too
        raise BundleError(f"not a lingopress bundle index (format {FORMAT}): {err}", path=origin,
                          hint="point at the outputs/bundles directory of a lingopress project") from err
    return index


def build_bundles(config: Config, *, now: datetime | None = None) -> dict[str, BundleResult]:
    """Bundle every published locale whose content changed since its latest version."""
    root = bundles_dir(config)
    locales = published_locales(config)
    if not locales and not root.exists():
        return {}
    created = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    results: dict[str, BundleResult] = {}
    with exclusive_lock(root / ".lock"):
        index_path = root / INDEX_NAME
        index = (read_index(index_path.read_bytes(), str(index_path)) if index_path.exists()
                 else {"format": FORMAT, "locales": {}})
        for locale in locales:
            result = _bundle_locale(config, locale, index, created)
            if result is not None:
                results[locale] = result
        # Last: only now do readers of the index see the new versions.
        write_text_if_changed(index_path, encode_json(index).decode("utf-8"))
    return results


def _bundle_locale(config: Config, locale: str, index: dict, created: datetime) -> BundleResult | None:
    snapshots = read_state(config, locale)
    entry = index["locales"].get(locale)
    if not snapshots and entry is None:
        return None  # nothing was ever published in this locale
    out = config.output_dir(locale)
    files: dict[str, bytes] = {}
    for name in locale_files(snapshots):
        try:
            files[name] = (out / name).read_bytes()
        except FileNotFoundError as err:
            raise BundleError("a published file is missing", path=out / name,
                              hint="run `lingopress publish` to render the outputs again") from err
    articles = [{"slug": slug, "title": json.loads(files[f"{slug}.json"])["title"],
                 "source_hash": snapshot.source_hash, "translation_hash": snapshot.translation_hash,
                 "units": snapshot.units, "approved": snapshot.approved,
                 "fallback_units": snapshot.fallback, "original": snapshot.original,
                 "files": article_files(slug),
                 # Only when set, so that a current article's record (and digest) is as before.
                 **({snapshot.stale.state: snapshot.stale.public()} if snapshot.stale else {})}
                for slug, snapshot in sorted(snapshots.items())]
    listing = file_listing(files)
    directory = bundles_dir(config) / locale
    if entry is not None:
        latest = next(item for item in entry["versions"] if item["version"] == entry["latest"])
        if latest["content_digest"] == content_digest(locale, articles, listing):
            log.info("%s: unchanged, bundle version %d stands", locale, latest["version"])
            return BundleResult(locale, latest["version"], False, latest["archive"], len(articles))
    # Skip numbers an interrupted run may have left behind: published archives are immutable.
    taken = [item["version"] for item in (entry or {}).get("versions", [])]
    taken += [int(match.group(1)) for path in directory.glob(f"lingopress-{locale}-*")
              if (match := re.fullmatch(rf"lingopress-{re.escape(locale)}-(\d+)\..+", path.name))]
    remove_stale_temp_files(directory)  # an interrupted run's temporary files (we hold the lock)
    version = max(taken, default=0) + 1
    manifest = build_manifest(locale, version, created, listing, articles)
    manifest_bytes = encode_json(manifest)
    archive = build_archive(files, manifest_bytes, int(created.timestamp()))
    archive_path, manifest_path = directory / archive_name(locale, version), directory / manifest_name(locale, version)
    for path, data in ((archive_path, archive), (manifest_path, manifest_bytes)):
        if path.exists():
            raise BundleError("bundle already exists; published bundles are never overwritten", path=path,
                              hint="remove it only if no index lists it")
        atomic_write_bytes(path, data)
    record = {"version": version, "archive": f"{locale}/{archive_path.name}",
              "sha256": sha256_hex(archive), "size": len(archive),
              "manifest": f"{locale}/{manifest_path.name}", "manifest_sha256": sha256_hex(manifest_bytes),
              "manifest_size": len(manifest_bytes),
              "content_digest": manifest["content_digest"], "created": manifest["created"],
              "articles": len(articles)}
    entry = index["locales"].setdefault(locale, {"latest": 0, "versions": []})
    entry["versions"].append(record)
    entry["latest"] = version
    log.info("%s: bundle version %d (%d articles, %d files, %d bytes)", locale, version, len(articles),
             len(files), len(archive))
    return BundleResult(locale, version, True, record["archive"], len(articles))


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Serialise writers (two runs would otherwise pick the same version number)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
