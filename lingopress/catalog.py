"""Catalogs: PO/POT headers, reading with clear errors, merging templates, approval, writing.

Merge rules (the ones of GNU msgmerge that the walking skeleton needs):

>>> import polib
>>> template = polib.POFile(); template.append(polib.POEntry(msgctxt="heading", msgid="Bonjour"))
>>> old = polib.POFile()
>>> old.append(polib.POEntry(msgctxt="heading", msgid="Bonjour", msgstr="Hello", tcomment="checked"))
>>> old.append(polib.POEntry(msgctxt="paragraph", msgid="Adieu", msgstr="Goodbye"))
>>> merged = merge_catalog(template, old, "en", project="demo")
>>> [(e.msgid, e.msgstr, e.tcomment, e.obsolete) for e in merged]
[('Bonjour', 'Hello', 'checked', False), ('Adieu', 'Goodbye', '', True)]
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from pathlib import Path

import polib
from babel import Locale
from babel.messages.plurals import get_plural

from . import __version__
from .errors import CatalogError
from .storage import write_text_if_changed

GENERATOR = f"lingopress {__version__}"
WRAP_WIDTH = 78
# Extracted-comment lines lingopress adds after extraction and keeps across merges.
NOTE_PREFIXES = ("machine draft:",)
_DATE_KEYS = ("POT-Creation-Date", "PO-Revision-Date")
_LINE_IN_ERROR = re.compile(r"line (\d+)")
_PO_STRING = r'"(?:[^"\\]|\\.)*"'
_PO_LINE = re.compile(
    rf'^(?:#~\s*)?(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?{_PO_STRING}\s*$')


def plural_forms(locale: str) -> str:
    return get_plural(locale).plural_forms


def new_catalog(locale: str | None, *, project: str) -> polib.POFile:
    """An empty template (locale None) or catalog with the headers gettext tools expect."""
    po = polib.POFile(wrapwidth=WRAP_WIDTH)
    now = _format_date(datetime.now(timezone.utc))
    if locale is None:
        po.header = f"Translation template for the lingopress article {project!r}."
    else:
        name = Locale.parse(locale).english_name
        po.header = f"{name} translation of the lingopress article {project!r}."
    po.metadata = {
        "Project-Id-Version": f"lingopress {project}",
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": now,
        "PO-Revision-Date": now if locale else "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "" if locale else "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "" if locale else "LANGUAGE <LL@li.org>",
        "Language": locale or "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    if locale:
        po.metadata["Plural-Forms"] = plural_forms(locale)
    po.metadata["X-Generator"] = GENERATOR
    return po


def read_catalog(path: Path) -> polib.POFile:
    """Parse a PO/POT file; a broken one is reported as `file:line: what is wrong`."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CatalogError(f"cannot read catalog: {err.strerror}", path=path) from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise CatalogError("catalog is not valid UTF-8", path=path, line=line,
                           hint="save it as UTF-8 (Poedit: Catalog > Properties > charset UTF-8)") from err
    _check_lexically(text, path)
    try:
        po = polib.pofile(text, wrapwidth=WRAP_WIDTH, check_for_duplicates=True)
    except (OSError, ValueError) as err:
        match = _LINE_IN_ERROR.search(str(err))
        raise CatalogError(f"cannot parse catalog: {err}", path=path,
                           line=int(match.group(1)) if match else None,
                           hint="fix the entry (msgfmt -c shows the details) and run again") from err
    return po


def _check_lexically(text: str, path: Path) -> None:
    """Reject malformed lines that polib and Babel silently accept (an unclosed quote, junk
    after a string): they would otherwise be read as some other text and written back."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or (stripped.startswith("#") and not stripped.startswith("#~")):
            continue
        if stripped.startswith("#~") and not stripped[2:].strip():
            continue
        if not _PO_LINE.match(stripped):
            raise CatalogError(f"malformed line: {stripped[:60]}", path=path, line=number,
                               hint="each line must be a keyword and a quoted string, or a quoted "
                                    "continuation; check for an unclosed or unescaped quote")


def merge_catalog(template: polib.POFile, existing: polib.POFile | None, locale: str, *,
                  project: str) -> polib.POFile:
    """Bring a catalog up to date with its template; translator work is never dropped.

    Entries follow the template's order. Known units keep msgstr, flags and translator
    comments; references and extracted comments come from the template. Units gone from
    the template become obsolete (`#~`) when they carry a translation, and come back when
    the unit does.
    """
    merged = new_catalog(locale, project=project)
    if existing is not None:
        for key, value in existing.metadata.items():
            if key not in ("Language", "Plural-Forms", "Content-Type", "MIME-Version",
                           "Content-Transfer-Encoding", "Project-Id-Version", "POT-Creation-Date"):
                merged.metadata[key] = value
        merged.header = existing.header or merged.header
    merged.metadata["POT-Creation-Date"] = template.metadata.get(
        "POT-Creation-Date", merged.metadata["POT-Creation-Date"])

    live: dict[tuple[str | None, str], polib.POEntry] = {}
    obsolete: dict[tuple[str | None, str], polib.POEntry] = {}
    for entry in existing or []:
        (obsolete if entry.obsolete else live)[(entry.msgctxt, entry.msgid)] = entry

    for unit in template:
        key = (unit.msgctxt, unit.msgid)
        old = live.pop(key, None) or obsolete.pop(key, None)
        if old is None:
            merged.append(polib.POEntry(msgctxt=unit.msgctxt, msgid=unit.msgid, msgstr="",
                                        comment=unit.comment, occurrences=list(unit.occurrences)))
            continue
        entry = copy.deepcopy(old)
        entry.obsolete = False
        entry.occurrences = list(unit.occurrences)
        entry.comment = "\n".join([unit.comment] * bool(unit.comment) + _notes(old.comment))
        merged.append(entry)

    for old in list(live.values()) + list(obsolete.values()):
        if has_translation(old):
            entry = copy.deepcopy(old)
            entry.obsolete = True
            entry.occurrences = []
            merged.append(entry)
    return merged


def has_translation(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return any(text.strip() for text in entry.msgstr_plural.values())
    return bool(entry.msgstr.strip())


def is_approved(entry: polib.POEntry) -> bool:
    """Approved means translated by a person: non-empty, not fuzzy, not obsolete."""
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(t.strip() for t in entry.msgstr_plural.values())
    return bool(entry.msgstr.strip())


def add_note(entry: polib.POEntry, note: str) -> None:
    """Record provenance in the entry's extracted comments, replacing an older note of its kind."""
    prefix = note.split(":", 1)[0] + ":"
    lines = [line for line in entry.comment.splitlines() if not line.startswith(prefix)]
    entry.comment = "\n".join(lines + [note])


def render_catalog(po: polib.POFile) -> str:
    text = po.__unicode__()
    return text if text.endswith("\n") else text + "\n"


def write_catalog(po: polib.POFile, path: Path, *, now: datetime | None = None) -> bool:
    """Write atomically, only when content changed; header dates change only with content."""
    previous = None
    if path.exists():
        try:
            previous = read_catalog(path)
        except CatalogError:
            previous = None
    if previous is not None:
        for key in _DATE_KEYS:
            if key in previous.metadata and key in po.metadata:
                po.metadata[key] = previous.metadata[key]
        if render_catalog(po) == path.read_text(encoding="utf-8"):
            return False
        if _same_content(po, previous):
            # Only formatting differs (another tool's wrapping): leave the human's file alone.
            return False
    stamp = _format_date(now or datetime.now(timezone.utc))
    is_template = not po.metadata.get("Language")
    po.metadata["POT-Creation-Date" if is_template else "PO-Revision-Date"] = stamp
    return write_text_if_changed(path, render_catalog(po))


def _same_content(a: polib.POFile, b: polib.POFile) -> bool:
    return _fingerprint(a) == _fingerprint(b)


def _fingerprint(po: polib.POFile) -> list:
    return [po.header, sorted(po.metadata.items())] + [
        (e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, sorted(e.msgstr_plural.items()),
         sorted(e.flags), e.comment, e.tcomment, e.occurrences, e.obsolete, e.previous_msgid,
         e.previous_msgctxt)
        for e in po
    ]


def _notes(comment: str) -> list[str]:
    return [line for line in comment.splitlines() if line.startswith(NOTE_PREFIXES)]


def _format_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M%z")
