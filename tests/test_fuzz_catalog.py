"""Hostile catalogs: whatever bytes a .po file holds, lingopress reads it or names it, never crashes.

Properties, on PO files built from every header, charset, quoting, line-ending and BOM
variant, with random bytes spliced in and truncated anywhere:
- read_catalog returns a catalog or raises CatalogError naming the file; nothing else;
- a failed read leaves the file byte for byte as it was;
- a catalog that reads is written once at most: a second read and write writes nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polib
from hypothesis import given, settings
from hypothesis import strategies as st

from lingopress.store.files import read_catalog, write_catalog
from lingopress.errors import CatalogError

CHARSETS = ["UTF-8", "utf-8", "utf8", "ISO-8859-1", "ISO-8859-15", "CP1252", "KOI8-R", "SHIFT_JIS", "GB18030",
            "ASCII", "CHARSET", "rot13", "base64", "hex", "zlib", "UTF-7", "UTF-16", "UTF-32", "cp037",
            "ISO-2022-JP", "unicode_escape", "KLINGON", ""]
PLURALS = ["nplurals=2; plural=(n != 1);", "nplurals=2; plural=n!=1;", "nplurals=1; plural=0;",
           "nplurals=3; plural=(n > 1);", "nplurals=2; plural=(n != 1", "garbage"]
WORDS = ["mot", "é", "œdème", "العلاج", "中文", " ", "  ", "\\n", "\\t", '\\"', "\\\\", "%d", "{x}", "«", "»",
         "0,5 mg", "https://example.org/a/b.html", "#", "msgid", "\t"]
BROKEN = ['"', "\\", "\\q", "\x00", "\r"]  # an unescaped quote, a dangling or unknown escape, …
ESCAPED = st.lists(st.sampled_from(WORDS), max_size=12).map("".join)  # PO-escaped text
HOSTILE = st.lists(st.sampled_from(WORDS + BROKEN), max_size=12).map("".join)


@st.composite
def entry_lines(draw, text: st.SearchStrategy[str]) -> list[str]:
    lines = []
    if draw(st.booleans()):
        lines.append(f"# {draw(text)}")
    if draw(st.booleans()):
        lines.append(f"#. {draw(text)}")
    if draw(st.booleans()):
        lines.append("#: sources/a.md:" + str(draw(st.integers(0, 99))))
    if draw(st.booleans()):
        lines.append("#, " + draw(st.sampled_from(["fuzzy", "fuzzy, no-wrap", "c-format", ""])))
    if draw(st.booleans()):
        lines.append(f'#| msgid "{draw(text)}"')
    obsolete = "#~ " if draw(st.integers(0, 5)) == 0 else ""
    if draw(st.booleans()):
        lines.append(f'{obsolete}msgctxt "{draw(text)}"')
    lines.append(f'{obsolete}msgid "{draw(text)}"')
    if draw(st.booleans()):
        lines.append(f'{obsolete}"{draw(text)}"')  # a continuation line
    if draw(st.integers(0, 3)) == 0:
        lines.append(f'{obsolete}msgid_plural "{draw(text)}"')
        lines += [f'{obsolete}msgstr[{n}] "{draw(text)}"' for n in range(draw(st.integers(0, 3)))]
    else:
        lines.append(f'{obsolete}msgstr "{draw(text)}"')
    return lines


@st.composite
def po_files(draw) -> bytes:
    hostile = draw(st.integers(0, 2)) == 0
    text = HOSTILE if hostile else ESCAPED
    header = ['msgid ""', 'msgstr ""']
    charset = draw(st.sampled_from(CHARSETS))
    fields = {"Project-Id-Version": "fuzz", "Language": draw(st.sampled_from(["en", "ar", "", "xx"])),
              "Content-Type": f"text/plain; charset={charset}",
              "Plural-Forms": draw(st.sampled_from(PLURALS)), "PO-Revision-Date": "2026-01-01 00:00+0000"}
    for key in draw(st.permutations(list(fields))):
        if draw(st.integers(0, 5)):
            header.append(f'"{key}: {fields[key]}\\n"')
    lines = header * draw(st.integers(0, 1))
    for _ in range(draw(st.integers(0, 5))):
        lines += [""] + draw(entry_lines(text))
    content = "\n".join(lines) + "\n" * draw(st.integers(0, 1))
    encodings = ["utf-8", "latin-1", "utf-16", "gb18030"]
    if charset in CHARSETS[:9] and not hostile:
        encodings = [charset] * 3 + encodings  # mostly the declared one
    data = content.encode(draw(st.sampled_from(encodings)), errors="replace")
    data = data.replace(b"\n", draw(st.sampled_from([b"\n", b"\r\n", b"\r"])))
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if hostile and draw(st.booleans()):  # random bytes spliced in
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
    if hostile and draw(st.booleans()):  # truncated
        data = data[:draw(st.integers(0, len(data)))]
    return data


def read_or_name_the_file(path: Path, locale: str | None) -> polib.POFile | None:
    before = path.read_bytes()
    try:
        return read_catalog(path, locale=locale)
    except CatalogError as err:
        assert err.path == path, err
        assert str(err).startswith(f"{path}:"), err
        assert path.read_bytes() == before
        return None


@settings(max_examples=400, deadline=None)
@given(data=po_files(), locale=st.sampled_from([None, "en", "ar"]))
def test_any_bytes_read_as_a_catalog_or_fail_naming_the_file_and_a_catalog_writes_once(data: bytes,
                                                                                       locale: str | None):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.po"
        path.write_bytes(data)
        catalog = read_or_name_the_file(path, locale)
        if catalog is None:
            return
        write_catalog(catalog, path)  # a no-op, or GNU's layout in UTF-8 where it differs
        written = path.read_bytes()
        again = read_catalog(path)
        assert not write_catalog(again, path)
        assert path.read_bytes() == written
        assert not write_catalog(read_catalog(path), path)


@settings(max_examples=150, deadline=None)
@given(data=po_files())
def test_a_readable_catalog_written_elsewhere_reads_back_the_same_and_is_then_stable(data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        source, copy = Path(folder) / "source.po", Path(folder) / "copy.po"
        source.write_bytes(data)
        catalog = read_or_name_the_file(source, None)
        if catalog is None:
            return
        assert write_catalog(catalog, copy)
        written = copy.read_bytes()
        assert not write_catalog(read_catalog(copy), copy)
        assert copy.read_bytes() == written
