"""Content hashes of each work unit's inputs, so a re-run skips what did not change.

A unit is one (stage, locale, article). Its fingerprint hashes everything the stage reads
for it: the article's source, the bytes of the files it reads (the catalog a translator
edits, the template), the glossary, the engine's provenance, lingopress's version. When
the fingerprint equals the one recorded after the last successful pass, doing the unit
again would produce the same files, so it is skipped. Nothing is skipped on a guess:
any change of any input byte gives a new fingerprint.

The records live in `.lingopress/state/<stage>-<locale>.json` (not versioned; deleting
the folder only makes the next run do everything once). One file per stage and locale
so that tasks running in parallel never write the same file.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

from .. import __version__
from ..config import Config
from .atomic import write_text_if_changed

log = logging.getLogger(__name__)

STATE_DIR = Path(".lingopress") / "state"
# Bump when what a stage produces from the same inputs changes in a way the version misses.
FORMAT = 1


def state_file(config: Config, stage: str, locale: str) -> Path:
    return config.project_dir / STATE_DIR / f"{stage}-{locale}.json"


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes; 'missing' when it does not exist, 'unreadable' when it
    cannot be read (a directory, no permission): the stage that reads it reports why."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"


def glossary_digest(config: Config) -> str:
    return file_digest(config.glossary_path) if config.glossary_path is not None else "none"


def fingerprint(*parts: str) -> str:
    digest = hashlib.sha256(f"lingopress {__version__} state {FORMAT}".encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def load_records(config: Config, stage: str, locale: str) -> dict[str, dict]:
    """slug → {"fingerprint": ..., **payload} as saved after the last pass; {} when none or unreadable."""
    path = state_file(config, stage, locale)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        # A cache: a damaged one costs one full pass, never a wrong skip.
        log.warning("%s: unreadable run state (%s); doing every unit once", path, err)
        return {}
    units = data.get("units") if isinstance(data, dict) else None
    return units if isinstance(units, dict) else {}


def save_records(config: Config, stage: str, locale: str, records: Mapping[str, dict],
                 keep: Iterable[str] | None = None) -> bool:
    """Store the records (slug → record with a 'fingerprint'); drop slugs not in `keep`."""
    if keep is not None:
        wanted = set(keep)
        records = {slug: record for slug, record in records.items() if slug in wanted}
    text = json.dumps({"units": dict(sorted(records.items()))}, ensure_ascii=False, indent=1) + "\n"
    return write_text_if_changed(state_file(config, stage, locale), text)


def is_current(records: Mapping[str, dict], slug: str, digest: str) -> bool:
    record = records.get(slug)
    return isinstance(record, dict) and record.get("fingerprint") == digest
