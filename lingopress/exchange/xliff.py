"""XLIFF 1.2, one file per article and locale: out with every unit, back in by state.

A unit's id is a digest of its msgctxt and msgid, so it finds its PO entry again, and a
unit whose French source changed since the export finds none (a conflict, never applied).
Each unit also carries `lp:exported`, a digest of the entry's state and translation when
exported: an entry approved in the catalog since then differs from it and is not
overwritten without `force`.

States in (import):  final, signed-off → approved;  translated, needs-review-* → fuzzy;
new, needs-translation, needs-adaptation, needs-l10n, or an empty target → untouched.
Out (export): approved → final; fuzzy → needs-review-translation; untranslated: no target.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import polib
from translate.storage import xliff

from ..catalogs.po import has_translation, is_approved, set_provenance
from ..errors import CatalogError
from .common import language_tag, parse_store

NS_12 = "urn:oasis:names:tc:xliff:document:1.2"
NS_LINGOPRESS = "urn:x-lingopress:xliff"
EXPORTED = f"{{{NS_LINGOPRESS}}}exported"
KIND = "XLIFF 1.2"
APPROVED_STATES = ("final", "signed-off")
FUZZY_STATES = ("translated", "needs-review-translation", "needs-review-adaptation", "needs-review-l10n")
UNTOUCHED_STATES = ("new", "needs-translation", "needs-adaptation", "needs-l10n")


class _Unit12(xliff.xliffunit):
    namespace = NS_12


class _File12(xliff.xlifffile):
    """translate-toolkit's XLIFF store, writing version 1.2 (its own skeleton says 1.1)."""

    UnitClass = _Unit12
    namespace = NS_12
    XMLskeleton = (f"<?xml version='1.0' ?><xliff version='1.2' xmlns='{NS_12}' xmlns:lp='{NS_LINGOPRESS}'>"
                   "<file original='NoName' source-language='en' datatype='plaintext'><body></body></file></xliff>")


def unit_id(msgctxt: str | None, msgid: str) -> str:
    return "lp-" + hashlib.sha256(f"{msgctxt or ''}\x04{msgid}".encode()).hexdigest()[:24]


def entry_state(entry: polib.POEntry) -> str:
    return "approved" if is_approved(entry) else "fuzzy" if has_translation(entry) else "untranslated"


def exported_mark(entry: polib.POEntry) -> str:
    return hashlib.sha256(f"{entry_state(entry)}\0{entry.msgstr}".encode()).hexdigest()[:16]


def export_xliff(catalog: polib.POFile, *, original: str, source_locale: str, locale: str,
                 qa_notes: Mapping[int, Sequence[str]], now: datetime) -> bytes:
    """The XLIFF of one catalog; `qa_notes` are QA findings by the entry's line."""
    store = _File12(sourcelanguage=language_tag(source_locale))
    store.settargetlanguage(language_tag(locale))
    for entry in catalog:
        if entry.obsolete or entry.msgid_plural:
            continue
        unit = store.addsourceunit(entry.msgid, filename=original, createifmissing=True)
        unit.setid(unit_id(entry.msgctxt, entry.msgid))
        if entry.msgctxt:
            unit.xmlelement.set("resname", entry.msgctxt)
        if has_translation(entry):
            unit.settarget(entry.msgstr, lang=language_tag(locale))
            state = "final" if is_approved(entry) else "needs-review-translation"
            unit.set_state_n(unit.statemap[state])
        unit.xmlelement.set(EXPORTED, exported_mark(entry))
        unit.addnote(entry.comment, origin="developer")
        unit.addnote(entry.tcomment, origin="translator")
        unit.addnote("\n".join(qa_notes.get(entry.linenum, ())), origin="lingopress-qa")
        for path, line in entry.occurrences:
            unit.addlocation(f"{path}:{line}" if line else path)
    filenode = store.getfilenode(original)
    filenode.set("date", now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return bytes(store)


@dataclass(frozen=True)
class XliffUnit:
    id: str
    source: str
    target: str
    state: str | None  # "approved", "fuzzy", or None: leave the entry as it is
    state_name: str  # as the file says it (final, translated, …)
    exported: str | None
    line: int


@dataclass(frozen=True)
class XliffDocument:
    original: str  # the catalog it was exported from, e.g. translations/en/a.po
    language: str  # the <file>'s target-language, as written
    units: tuple[XliffUnit, ...]


def read_xliff(data: bytes, path: Path | str) -> list[XliffDocument]:
    """Every <file> of an XLIFF 1.x document, its units with the state mapped."""
    store = parse_store(xliff.xlifffile.parsestring, data, path, kind=KIND, error=CatalogError, root="xliff")
    documents: dict[tuple[str, str], list[XliffUnit]] = {}
    for unit in store.units:
        filenode = next(unit.xmlelement.iterancestors(unit.namespaced("file")), None)
        if filenode is None:
            continue
        key = (filenode.get("original") or "", filenode.get("target-language") or "")
        documents.setdefault(key, []).append(_read_unit(unit))
    if not documents:
        raise CatalogError("no trans-unit in the file", path=path,
                           hint="import the XLIFF files `lingopress xliff export` wrote, once translated")
    return [XliffDocument(original, language, tuple(units)) for (original, language), units in documents.items()]


def _read_unit(unit: xliff.xliffunit) -> XliffUnit:
    target_node = unit.getlanguageNode(lang=None, index=1)
    target = unit.target or ""
    name = (target_node.get("state") if target_node is not None else None) or ""
    if not target.strip() or name in UNTOUCHED_STATES:
        state = None
    elif name in APPROVED_STATES or (not name and unit.isapproved()):
        state = "approved"
    else:
        state = "fuzzy"
    return XliffUnit(unit.xmlelement.get("id") or "", unit.source or "", target, state,
                     name or ("approved" if unit.isapproved() else "no state"), unit.xmlelement.get(EXPORTED),
                     unit.xmlelement.sourceline or 0)


@dataclass(frozen=True)
class UnitConflict:
    line: int
    source: str
    why: str


@dataclass
class Applied:
    approved: int = 0
    fuzzy: int = 0
    unchanged: int = 0
    untouched: int = 0
    conflicts: list[UnitConflict] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.approved + self.fuzzy


def apply_xliff(catalog: polib.POFile, units: Sequence[XliffUnit], *, label: str, force: bool = False) -> Applied:
    """Apply translated units to `catalog` in place (see the module docstring for the rules)."""
    entries = {unit_id(e.msgctxt, e.msgid): e for e in catalog if not e.obsolete and not e.msgid_plural}
    result = Applied()
    for unit in units:
        if unit.state is None:
            result.untouched += 1
            continue
        entry = entries.get(unit.id)
        if entry is None or entry.msgid != unit.source:
            result.conflicts.append(UnitConflict(unit.line, unit.source, "its French source changed since the "
                                                 "export (or the unit is gone): export again and retranslate it"))
            continue
        approved = unit.state == "approved"
        if entry.msgstr == unit.target and is_approved(entry) == approved:
            result.unchanged += 1
            continue
        if is_approved(entry) and not force and unit.exported != exported_mark(entry):
            why = ("the file does not say what was exported" if unit.exported is None
                   else "it is approved in the catalog and changed since the export")
            result.conflicts.append(UnitConflict(unit.line, unit.source, f"{why}: --force replaces the "
                                                 "approved translation"))
            continue
        _apply(entry, unit, approved, label)
        if approved:
            result.approved += 1
        else:
            result.fuzzy += 1
    return result


def _apply(entry: polib.POEntry, unit: XliffUnit, approved: bool, label: str) -> None:
    entry.msgstr = unit.target
    if approved:
        entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
        # An approved entry no longer needs the older source it was drafted from.
        entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
    elif "fuzzy" not in entry.flags:
        entry.flags.append("fuzzy")
    set_provenance(entry, f"xliff import: {label} ({unit.state_name})")
