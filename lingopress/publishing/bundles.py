"""Bundles: one immutable, checksummed archive per locale and content version.

The format (index, manifests, archives, checksums) is `bundle_format`'s; this module
decides when a locale gets a new version and makes its bytes; `lingopress.jobs` writes
them into `outputs/bundles/` through the store.

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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .bundle_format import (archive_name, build_archive, build_manifest, content_digest, encode_json,
                            file_listing, index_record, manifest_name)
from .publish import Snapshot, article_files


@dataclass(frozen=True)
class BundleResult:
    locale: str
    version: int
    created: bool  # False: content unchanged, the latest version stands
    archive: str  # relative to the bundles directory
    articles: int


@dataclass(frozen=True)
class NewVersion:
    """A version to publish: its files, written in this order, then its index record."""

    archive_name: str  # relative to the locale's bundle directory
    archive: bytes
    manifest_name: str
    manifest: bytes
    record: dict


def bundle_articles(snapshots: dict[str, Snapshot], titles: dict[str, str]) -> list[dict]:
    """What the manifest says of each article (`titles`: each page's title as rendered)."""
    return [{"slug": slug, "title": titles[slug],
             "source_hash": snapshot.source_hash, "translation_hash": snapshot.translation_hash,
             "units": snapshot.units, "approved": snapshot.approved,
             "fallback_units": snapshot.fallback, "original": snapshot.original,
             "files": article_files(slug),
             # Only when set, so that a current article's record (and digest) is as before.
             **({snapshot.stale.state: snapshot.stale.public()} if snapshot.stale else {})}
            for slug, snapshot in sorted(snapshots.items())]


def bundle_locale(locale: str, files: dict[str, bytes], articles: list[dict], entry: dict | None,
                  existing: Iterable[str], created: datetime) -> tuple[BundleResult, NewVersion | None]:
    """The locale's bundle: the latest version when its content is unchanged, else a new one.

    `files` are the locale's published files by name, `entry` the index's record of the
    locale (None before its first bundle), `existing` the file names in its bundle
    directory (numbers an interrupted run left behind are skipped: published archives are
    immutable).
    """
    listing = file_listing(files)
    if entry is not None:
        latest = next(item for item in entry["versions"] if item["version"] == entry["latest"])
        if latest["content_digest"] == content_digest(locale, articles, listing):
            return BundleResult(locale, latest["version"], False, latest["archive"], len(articles)), None
    taken = [item["version"] for item in (entry or {}).get("versions", [])]
    taken += [int(match.group(1)) for name in existing
              if (match := re.fullmatch(rf"lingopress-{re.escape(locale)}-(\d+)\..+", name))]
    version = max(taken, default=0) + 1
    manifest = build_manifest(locale, version, created, listing, articles)
    manifest_bytes = encode_json(manifest)
    archive = build_archive(files, manifest_bytes, int(created.timestamp()))
    record = index_record(manifest, archive, manifest_bytes)
    return (BundleResult(locale, version, True, record["archive"], len(articles)),
            NewVersion(archive_name(locale, version), archive, manifest_name(locale, version),
                       manifest_bytes, record))
