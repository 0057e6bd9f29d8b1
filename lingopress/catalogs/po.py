"""Catalogs: PO/POT headers, parsing with clear errors, merging templates, approval, layout.

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

import codecs
import copy
import gettext
import re
from datetime import datetime, timezone
from pathlib import Path

import polib
from babel import Locale
from babel.messages.plurals import get_plural
from rapidfuzz import fuzz
from rapidfuzz import process as fuzz_process

from .. import __version__
from ..errors import CatalogError
from .poformat import render_po

GENERATOR = f"lingopress {__version__}"
# Extracted-comment lines lingopress adds after extraction and keeps across merges.
PROVENANCE_PREFIXES = ("machine draft:", "translation memory:", "xliff import:")
NOTE_PREFIXES = PROVENANCE_PREFIXES
_DATE_KEYS = ("POT-Creation-Date", "PO-Revision-Date")
# Header fields lingopress owns; all others (Last-Translator, X-Generator, …) stay as saved.
_OWNED_HEADERS = ("Language", "Plural-Forms", "Content-Type", "MIME-Version",
                  "Content-Transfer-Encoding", "Project-Id-Version", "POT-Creation-Date")
# GNU gettext's FUZZY_THRESHOLD for msgmerge's similar-entry search.
FUZZY_THRESHOLD = 0.6
# The charsets GNU gettext accepts in a PO file (po-charset.c), as Python codec names.
# Every other codec Python knows is unusable here: not text at all (rot13, base64, zlib),
# not ASCII-compatible (UTF-7, UTF-16, EBCDIC), or stateful and escape-based (ISO-2022,
# HZ, unicode-escape), so `msgid "…"` would not mean what the bytes say.
_GNU_CHARSETS = ("ASCII", "ISO-8859-1", "ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5",
                 "ISO-8859-6", "ISO-8859-7", "ISO-8859-8", "ISO-8859-9", "ISO-8859-13", "ISO-8859-14",
                 "ISO-8859-15", "KOI8-R", "KOI8-U", "KOI8-T", "CP850", "CP866", "CP874", "CP932",
                 "CP949", "CP950", "CP1250", "CP1251", "CP1252", "CP1253", "CP1254", "CP1255", "CP1256",
                 "CP1257", "CP1258", "GB2312", "EUC-JP", "EUC-KR", "EUC-TW", "BIG5", "BIG5-HKSCS", "GBK",
                 "GB18030", "SHIFT_JIS", "JOHAB", "TIS-620", "VISCII", "GEORGIAN-PS", "UTF-8")


def _python_codecs(names: tuple[str, ...]) -> frozenset[str]:
    found = set()
    for name in names:
        try:
            codec = codecs.lookup(name)
        except LookupError:  # EUC-TW, VISCII, … have no Python codec: reported as unknown
            continue
        if codec._is_text_encoding:
            found.add(codec.name)
    return frozenset(found)


_PO_CHARSETS = _python_codecs(_GNU_CHARSETS)
_UTF8_HINT = 'save the file as UTF-8 with "Content-Type: text/plain; charset=UTF-8\\n" in its header'
_LINE_IN_ERROR = re.compile(r"line (\d+)")
_PO_STRING = r'"(?:[^"\\]|\\.)*"'
_PO_LINE = re.compile(
    rf'^(?:#~\|?\s*)?(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?{_PO_STRING}\s*$')


def plural_forms(locale: str) -> str:
    return get_plural(locale).plural_forms


def new_catalog(locale: str | None, *, project: str) -> polib.POFile:
    """An empty template (locale None) or catalog with the headers gettext tools expect."""
    po = polib.POFile()
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


def parse_catalog(data: bytes, path: Path | str, *, locale: str | None = None) -> polib.POFile:
    """Parse the bytes of a PO/POT file; a broken one is reported as `file:line: what is wrong`.

    `path` only names the file in messages. What other editors legitimately produce is read
    as they meant it: a UTF-8 byte-order mark, CRLF line endings, a declared non-UTF-8
    charset (the file is written back in UTF-8 only when a run changes its content). With
    `locale`, the Plural-Forms header must agree with the locale's plural rule.
    """
    data = data.removeprefix(b"\xef\xbb\xbf")
    charset = _declared_charset(data, path)
    try:
        text = data.decode(charset)
    except UnicodeDecodeError as err:
        line = _line_at(data, err.start)
        raise CatalogError(f"byte 0x{data[err.start]:02x} is not valid {charset}", path=path, line=line,
                           hint="save the file in the charset its header declares, preferably UTF-8 "
                                "(Poedit: Catalog > Properties > charset)") from err
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _check_lexically(text, path)
    try:
        po = polib.pofile(text, check_for_duplicates=True)
    except ValueError as err:
        raise _duplicate_error(text, path) from err
    except OSError as err:
        match = _LINE_IN_ERROR.search(str(err))
        raise CatalogError(f"cannot parse catalog: {err}", path=path,
                           line=int(match.group(1)) if match else None,
                           hint="fix the entry (msgfmt -c shows the details) and run again") from err
    po.encoding = "utf-8"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    if locale is not None:
        _check_plural_forms(po, text, path, locale)
    return po


def _declared_charset(data: bytes, path: Path) -> str:
    match = re.search(rb"charset=([A-Za-z0-9_.:-]+)", data[:4096])
    if match is None:
        return "utf-8"
    name = match.group(1).decode("ascii")
    if name == "CHARSET":  # xgettext's placeholder; GNU reads it as ASCII
        return "ascii"
    line = _line_at(data, match.start())
    try:
        codec = codecs.lookup(name)
    except LookupError as err:
        raise CatalogError(f"unknown charset {name!r} in the Content-Type header", path=path, line=line,
                           hint=_UTF8_HINT) from err
    if codec.name not in _PO_CHARSETS:
        raise CatalogError(f"charset {name!r} in the Content-Type header cannot be used for a PO file",
                           path=path, line=line, hint=_UTF8_HINT)
    return codec.name


def _line_at(data: bytes, offset: int) -> int:
    """The line number of a byte offset, counting CRLF, LF and lone CR line ends alike."""
    before = data[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def _duplicate_error(text: str, path: Path) -> CatalogError:
    lenient = polib.pofile(text)
    seen: dict[tuple[str | None, str, bool], int] = {}
    for entry in lenient:
        key = (entry.msgctxt, entry.msgid, entry.obsolete)
        if key in seen:
            context = f" (msgctxt {entry.msgctxt!r})" if entry.msgctxt else ""
            return CatalogError(f"duplicate entry for msgid {entry.msgid[:50]!r}{context}, first at line "
                                f"{seen[key]}", path=path, line=entry.linenum,
                                hint="merge the two entries into one (msguniq can help)")
        seen[key] = max(entry.linenum, 1)  # polib numbers a leading entry 0
    return CatalogError("duplicate entries", path=path, hint="run msguniq on the file")


def _check_plural_forms(po: polib.POFile, text: str, path: Path, locale: str) -> None:
    declared = po.metadata.get("Plural-Forms")
    if not declared:
        return  # lingopress adds it on the next write
    expected = plural_forms(locale)
    if _same_plural_rule(declared, expected):
        return
    line = next((n for n, row in enumerate(text.splitlines(), 1) if "Plural-Forms:" in row), None)
    raise CatalogError(f"Plural-Forms {declared!r} does not match {locale}", path=path, line=line,
                       hint=f"set it to {expected!r} (Poedit: Catalog > Properties > Plural forms)")


def _same_plural_rule(declared: str, expected: str) -> bool:
    def parse(header: str) -> tuple[int, object]:
        fields = dict(part.strip().split("=", 1) for part in header.strip().rstrip(";").split(";")
                      if "=" in part)
        return int(fields["nplurals"]), gettext.c2py(fields["plural"])
    try:
        (n_declared, rule_declared), (n_expected, rule_expected) = parse(declared), parse(expected)
    except (KeyError, ValueError, SyntaxError):
        return False
    return n_declared == n_expected and all(rule_declared(n) == rule_expected(n) for n in range(1000))


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
    """Bring a catalog up to date with its template the way GNU msgmerge does.

    - Entries follow the template's order.
    - A unit found by (msgctxt, msgid), live or obsolete, keeps msgstr, flags, translator
      comments and previous msgid; references and extracted comments come from the template.
    - A changed unit takes the most similar translated old entry (similarity ≥ 0.6, as
      msgmerge): its translation as a starting point, marked fuzzy, with the old source
      recorded as previous (`#| msgid`) so editors can show the difference.
    - Old entries with a translation that no unit used become obsolete (`#~`), so a revert
      finds them again; untranslated leftovers are dropped.
    """
    merged = new_catalog(locale, project=project)
    if existing is not None:
        for key, value in existing.metadata.items():
            if key not in _OWNED_HEADERS:
                merged.metadata[key] = value
        merged.header = existing.header or merged.header
    merged.metadata["POT-Creation-Date"] = template.metadata.get(
        "POT-Creation-Date", merged.metadata["POT-Creation-Date"])

    old_entries = [entry for entry in existing or [] if entry.msgid]
    exact: dict[tuple[str | None, str], polib.POEntry] = {}
    for entry in old_entries:
        key = (entry.msgctxt, entry.msgid)
        if key not in exact or (exact[key].obsolete and not entry.obsolete):
            exact[key] = entry
    candidates = [entry for entry in old_entries if has_translation(entry)]
    used: set[int] = set()

    for unit in template:
        old = exact.get((unit.msgctxt, unit.msgid))
        if old is not None:
            entry = copy.deepcopy(old)
            entry.obsolete = False
        else:
            old = _closest(unit, candidates)
            entry = _from_similar(unit, old) if old is not None else polib.POEntry(
                msgctxt=unit.msgctxt, msgid=unit.msgid, msgstr="")
        if old is not None:
            used.add(id(old))
        entry.occurrences = list(unit.occurrences)
        entry.comment = "\n".join([unit.comment] * bool(unit.comment) +
                                  (_notes(old.comment) if old is not None else []))
        merged.append(entry)

    for old in old_entries:
        if id(old) not in used and has_translation(old):
            entry = copy.deepcopy(old)
            entry.obsolete = True
            entry.occurrences = []
            merged.append(entry)
    return merged


def _closest(unit: polib.POEntry, candidates: list[polib.POEntry]) -> polib.POEntry | None:
    """msgmerge's fuzzy search: best similarity ≥ 0.6, a hair better for the same context."""
    if not candidates:
        return None
    scores = fuzz_process.extract(unit.msgid, [entry.msgid for entry in candidates],
                                  scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD * 100, limit=None)
    best, best_score = None, -1.0
    for _, score, index in sorted(scores, key=lambda found: found[2]):
        candidate = candidates[index]
        if candidate.msgctxt is None or candidate.msgctxt == unit.msgctxt:
            score += 0.001
        if score > best_score:
            best, best_score = candidate, score
    return best


def _from_similar(unit: polib.POEntry, old: polib.POEntry) -> polib.POEntry:
    entry = polib.POEntry(msgctxt=unit.msgctxt, msgid=unit.msgid, msgstr=old.msgstr,
                          tcomment=old.tcomment, flags=list(old.flags))
    if "fuzzy" in old.flags:
        # The translation still belongs to the older source it was made for.
        entry.previous_msgctxt, entry.previous_msgid = old.previous_msgctxt, old.previous_msgid
    else:
        entry.previous_msgctxt, entry.previous_msgid = old.msgctxt, old.msgid
        entry.flags.append("fuzzy")
    return entry


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


def set_provenance(entry: polib.POEntry, note: str) -> None:
    """Say where the msgstr came from, dropping what an earlier msgstr's origin said."""
    lines = [line for line in entry.comment.splitlines() if not line.startswith(PROVENANCE_PREFIXES)]
    entry.comment = "\n".join(lines + [note])


def catalog_text(po: polib.POFile, previous: polib.POFile | None, *,
                 now: datetime | None = None) -> str | None:
    """The text to save for `po` in GNU gettext's layout, or None when it says what
    `previous` (the catalog as saved now, None when there is none or it is broken) says.

    Content is compared parsed, so a file another tool formatted (its wrapping, BOM, CRLF,
    charset, header order) is left as it is when nothing else differs. PO-Revision-Date
    belongs to the translator and is never touched, as msgmerge leaves it; a template's
    POT-Creation-Date is stamped when its content changes, as xgettext does.
    """
    is_template = not po.metadata.get("Language")
    if previous is not None:
        own_creation = po.metadata.get("POT-Creation-Date")
        for key in _DATE_KEYS:
            if key in previous.metadata:
                po.metadata[key] = previous.metadata[key]
        if _same_content(po, previous):
            return None
        if own_creation is not None and not is_template:
            po.metadata["POT-Creation-Date"] = own_creation  # the template's, as msgmerge does
    if is_template:
        po.metadata["POT-Creation-Date"] = _format_date(now or datetime.now(timezone.utc))
    return render_po(po)


def _same_content(a: polib.POFile, b: polib.POFile) -> bool:
    return _fingerprint(a) == _fingerprint(b)


def _fingerprint(po: polib.POFile) -> list:
    return [_words(po.header), bool(po.metadata_is_fuzzy), sorted(po.metadata.items())] + [
        (e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, sorted((int(k), v) for k, v in e.msgstr_plural.items()),
         sorted(e.flags), _words(e.comment), _words(e.tcomment), e.occurrences, e.obsolete,
         e.previous_msgid, e.previous_msgctxt, e.previous_msgid_plural)
        for e in po
    ]


def _words(comment: str | None) -> str:
    # Tools built on polib or textwrap re-wrap long comments onto several lines (GNU
    # does not), even after a hyphen inside a word: the same text on other lines is
    # formatting, not a change.
    return "".join((comment or "").split())


def _notes(comment: str) -> list[str]:
    return [line for line in comment.splitlines() if line.startswith(NOTE_PREFIXES)]


def _format_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M%z")
