"""Bundles: one immutable, checksummed archive per locale and content version.

The format (index, manifests, archives, checksums) is `bundle_format`'s; this module
decides when a locale gets a new version and writes it into `outputs/bundles/`.

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

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .bundle_format import (INDEX_NAME, archive_name, build_archive, build_manifest, content_digest, encode_json,
                            file_listing, index_record, manifest_name, new_index, read_index)
from ..config import Config
from ..errors import BundleError
from .publish import article_files, locale_files, published_locales, read_state
from ..store.atomic import atomic_write_bytes, project_lock, remove_stale_temp_files, write_text_if_changed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BundleResult:
    locale: str
    version: int
    created: bool  # False: content unchanged, the latest version stands
    archive: str  # relative to the bundles directory
    articles: int


def bundles_dir(config: Config) -> Path:
    return config.outputs_dir / "bundles"


def build_bundles(config: Config, *, now: datetime | None = None) -> dict[str, BundleResult]:
    """Bundle every published locale whose content changed since its latest version."""
    root = bundles_dir(config)
    locales = published_locales(config)
    if not locales and not root.exists():
        return {}
    created = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    results: dict[str, BundleResult] = {}
    # The project's lock serialises writers (two would pick the same version number); it is
    # re-entrant, so the run that already holds it goes straight through.
    with project_lock(config.project_dir, config.lock_timeout_s):
        index_path = root / INDEX_NAME
        index = read_index(index_path.read_bytes(), str(index_path)) if index_path.exists() else new_index()
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
    record = index_record(manifest, archive, manifest_bytes)
    entry = index["locales"].setdefault(locale, {"latest": 0, "versions": []})
    entry["versions"].append(record)
    entry["latest"] = version
    log.info("%s: bundle version %d (%d articles, %d files, %d bytes)", locale, version, len(articles),
             len(files), len(archive))
    return BundleResult(locale, version, True, record["archive"], len(articles))
