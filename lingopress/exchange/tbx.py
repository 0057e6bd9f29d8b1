"""TBX (TBX-Basic, the martif dialect translate-toolkit reads) ↔ the project's glossary.csv.

A term entry's French langSet is the CSV's `fr` cell, each other langSet a locale column,
`<descrip type="Translation needed">no</descrip>` (translate-toolkit's reading of
do-not-translate) the `do_not_translate` column and the entry's notes the `note` column.
An import fills what the glossary lacks and reports, never overwrites, a cell that says
something else, unless asked to (`overwrite`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from translate.misc.xml_helpers import getXMLlang
from translate.storage.tbx import tbxfile, tbxunit

from ..catalogs.glossary import DNT_COLUMN, NOTE_COLUMN, Glossary, is_yes, parse_glossary
from ..errors import GlossaryError
from .common import language_tag, match_locale, parse_locale, parse_store, same_language

KIND = "TBX-Basic (martif)"
TRANSLATION_NEEDED = "Translation needed"


def export_tbx(glossary: Glossary, source_locale: str) -> bytes:
    store = tbxfile(sourcelanguage=language_tag(source_locale))
    for paragraph in store.document.getroot().iter(store.namespaced("p")):
        paragraph.text = "lingopress glossary"
    for term in glossary.terms:
        unit = store.addsourceunit(term.source)
        for locale, text in term.targets:
            unit.set_target_terms([text], lang=language_tag(locale))
        first_language = unit.getlanguageNodes()[0]
        if term.do_not_translate:
            # No setter in translate-toolkit; the element its `istranslatable` reads.
            descrip = etree.Element(unit.namespaced("descrip"), type=TRANSLATION_NEEDED)
            descrip.text = "no"
            first_language.addprevious(descrip)
        if term.note:
            unit.addnote(term.note)
            # TBX puts concept-level notes before the langSets; translate-toolkit appends them.
            first_language.addprevious(list(unit.xmlelement.iterchildren(unit.namespaced("note")))[-1])
    return bytes(store)


@dataclass(frozen=True)
class TbxEntry:
    source: str
    targets: tuple[tuple[str, str], ...]  # (language code as written, term)
    do_not_translate: bool | None  # None: the entry does not say
    note: str
    line: int


def read_tbx(data: bytes, path: Path | str, source_locale: str) -> list[TbxEntry]:
    """Term entries with a French term; a file without any is an error."""
    store = parse_store(tbxfile.parsestring, data, path, kind=KIND, error=GlossaryError, root="martif")
    entries = []
    for unit in store.units:
        terms = [(code, _preferred(unit, code)) for code in _languages(unit)]
        source = next((text for code, text in terms if same_language(code, source_locale) and text), None)
        if source is None:
            continue
        targets = tuple((code, text) for code, text in terms if text and not same_language(code, source_locale))
        entries.append(TbxEntry(source, targets, _do_not_translate(unit),
                                "; ".join(line.strip() for line in unit.getnotes().splitlines() if line.strip()),
                                unit.xmlelement.sourceline or 0))
    if not entries:
        raise GlossaryError(f"no term entry has a {source_locale!r} term", path=path,
                            hint=f"the glossary's terms are {source_locale} terms; check the langSets' xml:lang")
    return entries


def _languages(unit: tbxunit) -> list[str]:
    return [getXMLlang(node) or "" for node in unit.getlanguageNodes()]


def _preferred(unit: tbxunit, code: str) -> str:
    terms = [term for term in unit.get_target_terms(code) if term.text.strip()]
    preferred = next((term for term in terms if not term.deprecated), terms[0] if terms else None)
    return preferred.text.strip() if preferred is not None else ""


def _do_not_translate(unit: tbxunit) -> bool | None:
    said = any(node.get("type") == TRANSLATION_NEEDED for node in unit.xmlelement.iter(unit.namespaced("descrip")))
    return (not unit.istranslatable()) if said else None


@dataclass(frozen=True)
class Conflict:
    term: str
    column: str
    ours: str
    theirs: str


@dataclass
class TbxMerge:
    """What importing a TBX does to glossary.csv: the text to save (None: unchanged) and why."""

    text: str | None = None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # "term (column)"
    conflicts: list[Conflict] = field(default_factory=list)  # differing cells left as they are
    overwritten: list[Conflict] = field(default_factory=list)  # differing cells replaced (overwrite)
    skipped_languages: list[str] = field(default_factory=list)


def merge_tbx(csv_data: bytes | None, csv_path: Path, entries: Sequence[TbxEntry], *, source_locale: str,
              locales: Sequence[str], overwrite: bool = False) -> TbxMerge:
    """glossary.csv with the TBX's terms merged in, row by row, so that untouched rows
    keep their cells; the result is validated as the glossary is on every run."""
    if csv_data is None:
        rows = [[source_locale, *locales, DNT_COLUMN, NOTE_COLUMN]]
    else:
        parse_glossary(csv_data, csv_path, source_locale)  # a broken glossary is reported as it is on a run
        rows = [row for row in csv.reader(csv_data.decode("utf-8-sig").splitlines()) if any(c.strip() for c in row)]
    header = rows[0]
    result = TbxMerge()
    columns = _columns(rows, entries, source_locale, locales, result)
    source_index = header.index(source_locale)
    by_term = {row[source_index].strip().casefold(): row for row in rows[1:] if len(row) > source_index}
    for entry in entries:
        row = by_term.get(entry.source.casefold())
        cells = _cells(entry, header, columns)
        if row is None:
            row = [""] * len(header)
            row[source_index] = entry.source
            for index, value in cells.items():
                row[index] = value
            rows.append(row)
            by_term[entry.source.casefold()] = row
            result.added.append(entry.source)
            continue
        row.extend([""] * (len(header) - len(row)))
        for index, value in cells.items():
            _merge_cell(row, index, value, header[index], entry.source, result, overwrite)
    if result.added or result.changed or result.overwritten:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        result.text = out.getvalue()
        parse_glossary(result.text.encode("utf-8"), csv_path, source_locale)
    return result


def _columns(rows: list[list[str]], entries: Sequence[TbxEntry], source_locale: str, locales: Sequence[str],
             result: TbxMerge) -> dict[str, int]:
    """Language code as written in the TBX → CSV column; a configured locale without a
    column gets one, before do_not_translate and note (inserted in every row)."""
    header = rows[0]
    for name in (DNT_COLUMN, NOTE_COLUMN):
        if name not in header:
            header.append(name)

    def locale_columns() -> dict[str, int]:
        return {name.strip(): index for index, name in enumerate(header)
                if name.strip() not in (source_locale, DNT_COLUMN, NOTE_COLUMN) and parse_locale(name)}

    chosen: dict[str, str] = {}
    for code in sorted({code for entry in entries for code, _ in entry.targets}):
        column = match_locale(code, locale_columns()) or match_locale(code, locales)
        if column is None:
            result.skipped_languages.append(code)
            continue
        if column not in locale_columns():
            position = min(header.index(DNT_COLUMN), header.index(NOTE_COLUMN))
            for row in rows:
                # A short row (trailing cells left out) has nothing to shift.
                row[position:position] = [column] if row is header else [""] * (len(row) >= position)
        chosen[code] = column
    names = locale_columns()
    return {code: names[column] for code, column in chosen.items()}


def _cells(entry: TbxEntry, header: list[str], columns: dict[str, int]) -> dict[int, str]:
    cells = {columns[code]: text for code, text in entry.targets if code in columns}
    if entry.do_not_translate is not None:
        cells[header.index(DNT_COLUMN)] = "yes" if entry.do_not_translate else ""
    if entry.note:
        cells[header.index(NOTE_COLUMN)] = entry.note
    return cells


def _merge_cell(row: list[str], index: int, theirs: str, column: str, term: str, result: TbxMerge,
                overwrite: bool) -> None:
    ours = row[index].strip()
    if column == DNT_COLUMN:
        same = is_yes(ours) == (theirs == "yes")
    else:
        same = ours == theirs
    if same:
        return
    if not ours:
        row[index] = theirs
        result.changed.append(f"{term} ({column})")
        return
    conflict = Conflict(term, column, ours, theirs)
    if overwrite:
        row[index] = theirs
        result.overwritten.append(conflict)
    else:
        result.conflicts.append(conflict)
