from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import polib
import pytest

from conftest import msgfmt_check
from lingopress.catalogs.po import is_approved, merge_catalog, new_catalog
from lingopress.store.files import write_catalog
from lingopress.errors import CatalogError
from lingopress.store.files import read_catalog


@pytest.mark.parametrize("locale, nplurals", [("en", 2), ("de", 2), ("es", 3), ("ar", 6)])
def test_headers_come_from_babel_and_pass_msgfmt(tmp_path: Path, locale: str, nplurals: int):
    po = new_catalog(locale, project="essai")
    po.append(polib.POEntry(msgctxt="paragraph", msgid='Des "guillemets", \\ et\ttab 𝄞',
                            msgstr='Quotes "x" \\ y\tz 𝄞', occurrences=[("sources/essai.md", "9")]))
    assert po.metadata["Language"] == locale
    assert po.metadata["Plural-Forms"].startswith(f"nplurals={nplurals};")
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["X-Generator"].startswith("lingopress ")
    path = tmp_path / f"{locale}.po"
    assert write_catalog(po, path)
    check = msgfmt_check(path)
    assert check.returncode == 0, check.stderr
    assert read_catalog(path).find('Des "guillemets", \\ et\ttab 𝄞', msgctxt="paragraph").msgstr == \
        'Quotes "x" \\ y\tz 𝄞'


def template(*units: tuple[str, str]) -> polib.POFile:
    pot = new_catalog(None, project="essai")
    for index, (kind, text) in enumerate(units):
        pot.append(polib.POEntry(msgctxt=kind, msgid=text, comment=kind,
                                 occurrences=[("sources/essai.md", str(index + 1))]))
    return pot


def test_merge_keeps_translator_work_and_follows_source_order():
    old = new_catalog("en", project="essai")
    old.metadata["Last-Translator"] = "Ana <ana@example.org>"
    old.append(polib.POEntry(msgctxt="paragraph", msgid="Deux", msgstr="Two", tcomment="checked",
                             flags=["fuzzy"]))
    old.append(polib.POEntry(msgctxt="heading", msgid="Un", msgstr="One"))
    old.append(polib.POEntry(msgctxt="paragraph", msgid="Parti", msgstr="Gone"))
    old.append(polib.POEntry(msgctxt="paragraph", msgid="Vide", msgstr=""))
    merged = merge_catalog(template(("heading", "Un"), ("paragraph", "Deux"), ("paragraph", "Trois")),
                           old, "en", project="essai")
    assert [(e.msgid, e.msgstr, e.obsolete) for e in merged] == [
        ("Un", "One", False), ("Deux", "Two", False), ("Trois", "", False), ("Parti", "Gone", True)]
    deux = merged.find("Deux", msgctxt="paragraph")
    assert deux.tcomment == "checked" and deux.flags == ["fuzzy"] and deux.occurrences == [("sources/essai.md", "2")]
    assert merged.metadata["Last-Translator"] == "Ana <ana@example.org>"
    # A removed unit that comes back gets its translation back.
    revived = merge_catalog(template(("paragraph", "Parti")), merged, "en", project="essai")
    assert [(e.msgid, e.msgstr, e.obsolete) for e in revived if e.msgid == "Parti"] == [("Parti", "Gone", False)]


def test_approval_means_non_empty_and_not_fuzzy():
    assert is_approved(polib.POEntry(msgid="a", msgstr="b"))
    assert not is_approved(polib.POEntry(msgid="a", msgstr="b", flags=["fuzzy"]))
    assert not is_approved(polib.POEntry(msgid="a", msgstr="  "))
    assert not is_approved(polib.POEntry(msgid="a", msgstr="b", obsolete=True))


def test_write_is_skipped_when_only_dates_or_wrapping_would_change(tmp_path: Path):
    path = tmp_path / "en.po"
    po = new_catalog("en", project="essai")
    po.append(polib.POEntry(msgid="mot " * 40, msgstr="word " * 40))
    assert write_catalog(po, path, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    first = path.read_bytes()
    again = read_catalog(path)
    assert not write_catalog(again, path, now=datetime(2027, 1, 1, tzinfo=timezone.utc))
    # Another tool wrapped the lines differently: same content, file left as the human saved it.
    rewrapped = polib.pofile(first.decode(), wrapwidth=0)
    rewrapped.wrapwidth = 0
    path.write_text(rewrapped.__unicode__(), encoding="utf-8")
    saved = path.read_bytes()
    assert not write_catalog(read_catalog(path), path)
    assert path.read_bytes() == saved
    changed = read_catalog(path)
    changed[0].msgstr = "changed"
    assert write_catalog(changed, path, now=datetime(2027, 1, 1, tzinfo=timezone.utc))
    # PO-Revision-Date is the translator's (msgmerge leaves it too): a write never moves it.
    revision = read_catalog(path).metadata["PO-Revision-Date"]
    assert revision == polib.pofile(first.decode()).metadata["PO-Revision-Date"]
    assert not revision.startswith("2027")


@pytest.mark.parametrize("content, message, line", [
    (b'msgid "a"\nmsgstr "b"\nmsgid "c"\nmsgstr "d\n', "malformed line: msgstr \"d", 4),
    (b'msgid "a"\nmsgstr "b" junk\n', "malformed line", 2),
    (b'msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', "duplicate entry for msgid 'a', first at line 1", 4),
    (b'msgid "a"\nmsgstr "\xe9"\n', "byte 0xe9 is not valid utf-8", 2),
    (b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=KLINGON\\n"\n', "unknown charset 'KLINGON'", 3),
])
def test_broken_catalog_is_reported_with_line(tmp_path: Path, content: bytes, message: str, line: int):
    path = tmp_path / "broken.po"
    path.write_bytes(content)
    with pytest.raises(CatalogError) as err:
        read_catalog(path)
    assert message in str(err.value) and err.value.line == line


HEADER = 'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Content-Type: text/plain; charset={charset}\\n"\n' \
         '"Plural-Forms: {plural}\\n"\n\n'
EN_PLURAL = "nplurals=2; plural=(n != 1);"


def po_bytes(body: str, *, lang="en", charset="UTF-8", plural=EN_PLURAL, encoding="utf-8") -> bytes:
    return (HEADER.format(lang=lang, charset=charset, plural=plural) + body).encode(encoding)


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbf" + po_bytes('msgid "caf\u00e9"\nmsgstr "coffee \u00e9"\n'),
    po_bytes('msgid "caf\u00e9"\nmsgstr "coffee \u00e9"\n').replace(b"\n", b"\r\n"),
    po_bytes('msgid "caf\u00e9"\nmsgstr "coffee \u00e9"\n', charset="ISO-8859-1", encoding="latin-1"),
    po_bytes('msgid "caf\u00e9"\nmsgstr "coffee \u00e9"\n', plural="nplurals=2; plural=n!=1;"),
], ids=["bom", "crlf", "latin-1", "equivalent-plural-rule"])
def test_what_other_editors_write_is_read_correctly_and_left_alone(tmp_path: Path, data: bytes):
    path = tmp_path / "en.po"
    path.write_bytes(data)
    catalog = read_catalog(path, locale="en")
    assert catalog.find("caf\u00e9").msgstr == "coffee \u00e9"
    assert not write_catalog(catalog, path)
    assert path.read_bytes() == data
    catalog.find("caf\u00e9").msgstr = "changed \u00e9"
    assert write_catalog(catalog, path)
    assert msgfmt_check(path).returncode == 0
    assert "charset=UTF-8" in path.read_text(encoding="utf-8")


def test_wrong_plural_forms_is_reported_at_its_line(tmp_path: Path):
    path = tmp_path / "ar.po"
    path.write_bytes(po_bytes('msgid "a"\nmsgstr "b"\n', lang="ar"))
    with pytest.raises(CatalogError) as err:
        read_catalog(path, locale="ar")
    assert err.value.line == 5 and "does not match ar" in str(err.value) and "nplurals=6" in str(err.value)


# Codecs Python knows that are no text encoding for PO: not text at all (rot13 … zlib), not
# ASCII-compatible (UTF-7, UTF-16, EBCDIC cp037), escape-based (ISO-2022-JP, unicode-escape).
@pytest.mark.parametrize("charset, body", [
    ("rot13", "b"), ("base64", "b"), ("hex", "b"), ("zlib", "b"), ("bz2", "b"),
    ("UTF-7", "+2D0-"), ("UTF-7", "caf+AOk-"), ("UTF-16", "b"), ("cp037", "b"),
    ("ISO-2022-JP", "b"), ("unicode_escape", "\\\\u00e9"),
])
def test_charset_that_is_no_text_encoding_for_po_is_reported_at_its_line(tmp_path: Path, charset: str,
                                                                          body: str):
    path = tmp_path / "en.po"
    data = po_bytes(f'msgid "a"\nmsgstr "{body}"\n', charset=charset, encoding="ascii")
    path.write_bytes(data)
    with pytest.raises(CatalogError) as err:
        read_catalog(path, locale="en")
    assert err.value.path == path and err.value.line == 4
    assert f"charset {charset!r} in the Content-Type header cannot be used for a PO file" in str(err.value)
    assert "save the file as UTF-8" in str(err.value)
    assert path.read_bytes() == data


@pytest.mark.parametrize("charset", ["UTF-8", "utf8", "ISO-8859-15", "CP1256", "KOI8-R", "SHIFT_JIS", "GB18030",
                                     "EUC-JP", "BIG5", "ASCII"])
def test_charsets_gnu_gettext_uses_are_read(tmp_path: Path, charset: str):
    path = tmp_path / "en.po"
    path.write_bytes(po_bytes('msgid "a"\nmsgstr "b"\n', charset=charset, encoding="ascii"))
    assert read_catalog(path, locale="en").find("a").msgstr == "b"


@pytest.mark.parametrize("make", ["directory", "unreadable"])
def test_catalog_path_that_cannot_be_read_is_one_clear_error(tmp_path: Path, make: str):
    path = tmp_path / "en.po"
    if make == "directory":
        path.mkdir()
        expected = "cannot read catalog: Is a directory (a catalog must be a file"
    else:
        if os.geteuid() == 0:
            pytest.skip("root reads files whatever their mode")
        path.write_bytes(po_bytes('msgid "a"\nmsgstr "b"\n'))
        path.chmod(0)
        expected = "cannot read catalog: Permission denied (give the user running lingopress access"
    with pytest.raises(CatalogError) as err:
        read_catalog(path)
    assert str(err.value).startswith(f"{path}: {expected}")


def test_a_directory_where_a_catalog_is_written_is_one_clear_error(tmp_path: Path):
    path = tmp_path / "essai.pot"
    path.mkdir()
    with pytest.raises(CatalogError) as err:
        write_catalog(new_catalog(None, project="essai"), path)
    assert str(err.value).startswith(f"{path}: cannot write catalog: Is a directory")
    assert path.is_dir()
