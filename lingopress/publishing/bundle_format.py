"""The locale bundle format, shared by its producer (`bundles`) and its client (`pull`).

```
index.json                                          every version per locale, the latest marked
<locale>/lingopress-<locale>-<version>.tar.gz        manifest.json + the locale's published files
<locale>/lingopress-<locale>-<version>.manifest.json the same manifest, beside it
```

The index records each version's archive and manifest with their sha256 and size, and
the content digest; the manifest lists every file with its sha256 and size. This module
names, encodes, decodes and validates those documents and nothing else: it imports no
pipeline module, so that `pull`, which needs no project, depends on it alone.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from datetime import datetime, timezone

from .. import __version__
from ..errors import BundleError

FORMAT = 1
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.json"
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # an index or manifest larger than this is not ours
# What pull relies on in each version record of the index.
_RECORD_FIELDS = {"version": int, "sha256": str, "size": int, "manifest_sha256": str,
                  "manifest_size": int, "content_digest": str}


def archive_name(locale: str, version: int) -> str:
    return f"lingopress-{locale}-{version}.tar.gz"


def manifest_name(locale: str, version: int) -> str:
    return f"lingopress-{locale}-{version}.manifest.json"


def archive_path(locale: str, version: int) -> str:
    """The archive's path below the bundles directory (where the index lives)."""
    return f"{locale}/{archive_name(locale, version)}"


def manifest_path(locale: str, version: int) -> str:
    return f"{locale}/{manifest_name(locale, version)}"


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


def is_bundle_manifest(manifest: object) -> bool:
    """Whether a decoded document has the shape of a lingopress bundle manifest."""
    return (isinstance(manifest, dict) and manifest.get("tool") == "lingopress"
            and manifest.get("format") == FORMAT and isinstance(manifest.get("files"), dict)
            and all(isinstance(item, dict) for item in manifest["files"].values()))


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


def new_index() -> dict:
    return {"format": FORMAT, "locales": {}}


def index_record(manifest: dict, archive: bytes, manifest_bytes: bytes) -> dict:
    """The index's record of one version: where its files are and what they must hash to."""
    locale, version = manifest["locale"], manifest["version"]
    return {"version": version, "archive": archive_path(locale, version),
            "sha256": sha256_hex(archive), "size": len(archive),
            "manifest": manifest_path(locale, version), "manifest_sha256": sha256_hex(manifest_bytes),
            "manifest_size": len(manifest_bytes),
            "content_digest": manifest["content_digest"], "created": manifest["created"],
            "articles": len(manifest["articles"])}


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
