"""Catalogs are written as GNU gettext writes them: real `msgcat` output is the judge."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, make_project, msgfmt_check
from lingopress.catalogs.po import new_catalog
from lingopress.config import load_config
from lingopress.store.files import read_catalog, write_catalog
from support.project import load_articles, update_locale

pytestmark = pytest.mark.skipif(shutil.which("msgcat") is None, reason="needs GNU gettext's msgcat")

LONG_FR = ("L'immunothérapie stimule le système immunitaire pour qu'il reconnaisse et détruise les "
           "cellules cancéreuses, ce qui peut provoquer des effets indésirables.")
LONG_AR = ("العلاج المناعي يحفز جهاز المناعة على التعرف على الخلايا السرطانية وتدميرها، مما قد يسبب "
           "آثارًا جانبية غير مرغوب فيها في بعض الحالات.")


def msgcat(path: Path) -> bytes:
    result = subprocess.run(["msgcat", str(path)], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def assert_as_msgcat_writes(path: Path) -> None:
    written, expected = path.read_text(encoding="utf-8"), msgcat(path).decode("utf-8")
    diff = "".join(difflib.unified_diff(written.splitlines(True), expected.splitlines(True), "lingopress", "msgcat"))
    assert written == expected, diff


def rich_catalog() -> polib.POFile:
    """Everything GNU wraps or places in its own way, in one Arabic catalog."""
    po = new_catalog("ar", project="immunotherapie")
    po.metadata["Last-Translator"] = "Ana <ana@example.org>"
    po.append(polib.POEntry(
        msgctxt="paragraph", msgid=LONG_FR, msgstr=LONG_AR,
        occurrences=[("sources/immunotherapie.md", str(n)) for n in range(1, 14)],
        comment="glossary: immunothérapie → العلاج المناعي (a glossary note far longer than the seventy-nine "
                "columns GNU never wraps comments at)\nmachine draft: argos fr→ar 1.9",
        tcomment="qa-ignore: length, a translator comment also longer than seventy-nine columns, kept as is"))
    po.append(polib.POEntry(msgid="Ligne un\nLigne deux\nLigne trois, plus longue que les autres et que la "
                                  "largeur de soixante-dix-neuf colonnes",
                            msgstr="السطر الأول\nالسطر الثاني\nالسطر الثالث"))
    po.append(polib.POEntry(msgid="Court", msgstr="قصير", flags=["fuzzy"], previous_msgctxt="heading",
                            previous_msgid="Un ancien texte source très long qui dépasse lui aussi la limite "
                                           "des soixante-dix-neuf colonnes"))
    po.append(polib.POEntry(msgid="%d fichier", msgid_plural="%d fichiers, trop longs pour tenir sur une ligne "
                                                             "de soixante-dix-neuf colonnes",
                            msgstr_plural={i: "%d " + "ملف " * (4 * i + 1) for i in range(6)}))
    po.append(polib.POEntry(msgid="tab\tici \"guillemets\" et barre \\ oblique", msgstr="تبويب\t\"\\"))
    po.append(polib.POEntry(msgid="a" * 72, msgstr="ب" * 71))  # unbreakable: stays on the keyword's line
    po.append(polib.POEntry(msgid="Lien https://example.org/un/tres/long/chemin/qui/ne/tient/pas/sur/une/"
                                  "ligne/du/tout.html fin", msgstr="", flags=["no-wrap"]))
    po.append(polib.POEntry(msgid="Voir https://example.org/un/tres/long/chemin/qui/ne/tient/pas/sur/une/"
                                  "ligne/du/tout.html fin", msgstr=""))
    po.append(polib.POEntry(msgid="中文字符测试" * 8, msgstr="日本語" * 16))
    po.append(polib.POEntry(msgid="Obsolète, et assez long pour que GNU le coupe sur deux lignes au moins",
                            msgstr="قديم", obsolete=True, tcomment="kept for a revert"))
    return po


def test_a_rich_catalog_is_written_byte_for_byte_as_msgcat_writes_it(tmp_path: Path):
    path = tmp_path / "ar.po"
    assert write_catalog(rich_catalog(), path)
    assert msgfmt_check(path).returncode == 0, msgfmt_check(path).stderr
    assert path.read_bytes().count(b"\n") > 60
    assert_as_msgcat_writes(path)


TOKENS = ["mot", "immunothérapie", "œdème", " ", " ", "  ", "\n", ".", ",", "-", "/", "«", "»", '"', "\\",
          "\t", "%d", "{name}", "العلاج", "المناعي", "中文", "日本語", "https://example.org/a/b-c/d.html",
          "x" * 30, "0,5 mg"]
text = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


def one_line(comment: str) -> str:
    # GNU's reader joins a line ending in a backslash with the next, even in a comment.
    return re.sub(r"[\s\\]+$", "", comment.replace("\n", " ")).strip()


@st.composite
def catalogs(draw) -> polib.POFile:
    po = new_catalog("fr_CA", project="fuzz")
    for index in range(draw(st.integers(1, 6))):
        obsolete = draw(st.booleans())
        entry = polib.POEntry(
            msgctxt=draw(st.none() | text), msgid=f"{index}{draw(text)}",
            msgstr=draw(text) or ("x" if obsolete else ""), obsolete=obsolete,
            comment="" if obsolete else one_line(draw(text)), tcomment=one_line(draw(text)),
            flags=draw(st.sampled_from([[], ["fuzzy"], ["no-wrap"], ["fuzzy", "no-wrap"]])))
        if not entry.msgstr and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")  # GNU drops it: no translation to doubt
        if not obsolete:
            entry.occurrences = [(f"sources/article-{n}.md", str(n + 1)) for n in range(draw(st.integers(0, 12)))]
            if "fuzzy" in entry.flags:
                entry.previous_msgid = draw(text) or None
        po.append(entry)
    return po


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(po=catalogs())
def test_any_catalog_is_written_as_msgcat_writes_it_and_reads_back_the_same(tmp_path: Path, po: polib.POFile):
    path = tmp_path / "fuzz.po"
    path.unlink(missing_ok=True)
    assert write_catalog(po, path)
    written = path.read_bytes()
    assert_as_msgcat_writes(path)
    again = read_catalog(path)
    assert [(e.msgctxt, e.msgid, e.msgstr, e.comment, e.tcomment, e.flags, e.occurrences, e.previous_msgid)
            for e in again] == \
           [(e.msgctxt, e.msgid, e.msgstr, e.comment, e.tcomment, e.flags, e.occurrences, e.previous_msgid)
            for e in sorted(po, key=lambda e: e.obsolete)]  # GNU puts obsolete entries last
    assert not write_catalog(again, path)
    assert path.read_bytes() == written


FRONT = '---\ntitle: "{slug}"\nslug: {slug}\ndate: 2026-01-01\nsummary: "Résumé {slug}."\n---\n\n'


def rerun(project: Path) -> list[str]:
    config = load_config(project)
    written = []
    for locale in config.target_locales:
        written += update_locale(config, locale, load_articles(config), None).catalogs_written
    return written


def approved_project(root: Path) -> tuple[Path, list[Path]]:
    """The sample articles and glossary drafted (engine none), then two catalogs approved by hand."""
    project = make_project(root, locales=("en", "ar"), engine="none")
    shutil.copy(REPO / "glossary.csv", project / "glossary.csv")
    config = load_config(project)
    for locale in config.target_locales:
        update_locale(config, locale, load_articles(config), None)
    approved = [config.catalog_path("en", "immunotherapie"), config.catalog_path("ar", "immunomodulation")]
    for path in approved:
        catalog = polib.pofile(str(path))
        for entry in catalog:
            entry.msgstr = f"Approved: {entry.msgid}"
        catalog.metadata["PO-Revision-Date"] = "2026-02-03 04:05+0000"
        catalog.save(str(path))
    rerun(project)  # translation memory carries the approved entries to the other catalogs
    return project, approved


def test_catalogs_resaved_by_msgcat_are_left_alone_by_a_run_with_nothing_to_do(tmp_path: Path):
    project, approved = approved_project(tmp_path)
    for path in approved:
        path.write_bytes(msgcat(path))
    saved = {path: path.read_bytes() for path in project.rglob("*.po")}
    assert rerun(project) == []
    assert {path: path.read_bytes() for path in project.rglob("*.po")} == saved
    # A real change is written in GNU's layout, and PO-Revision-Date stays the translator's.
    source = project / "sources" / "immunotherapie.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nUn paragraphe ajouté.\n", encoding="utf-8")
    assert rerun(project) == ["translations/en/immunotherapie.po", "translations/ar/immunotherapie.po"]
    path = project / "translations" / "en" / "immunotherapie.po"
    assert_as_msgcat_writes(path)
    assert read_catalog(path).metadata["PO-Revision-Date"] == "2026-02-03 04:05+0000"


SAVED_AS = {
    "bom": lambda data: b"\xef\xbb\xbf" + data,
    "crlf": lambda data: data.replace(b"\n", b"\r\n"),
    "bom-crlf": lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"),
    "cr": lambda data: data.replace(b"\n", b"\r"),
    "gb18030": lambda data: data.decode("utf-8").replace("charset=UTF-8", "charset=GB18030").encode("gb18030"),
    "polib-wrapped": lambda data: polib.pofile(data.decode("utf-8"), wrapwidth=120).__unicode__().encode(),
}


@pytest.mark.parametrize("saved_as", SAVED_AS)
def test_catalogs_saved_in_any_encoding_or_line_ending_are_left_alone(tmp_path: Path, saved_as: str):
    project, approved = approved_project(tmp_path)
    for path in project.rglob("*.po"):
        path.write_bytes(SAVED_AS[saved_as](path.read_bytes()))
    saved = {path: path.read_bytes() for path in project.rglob("*.po")}
    assert rerun(project) == []
    assert {path: path.read_bytes() for path in project.rglob("*.po")} == saved


def test_without_libunistring_the_layout_is_close_valid_and_stable(tmp_path: Path, monkeypatch):
    from lingopress.catalogs import poformat

    path = tmp_path / "ar.po"
    monkeypatch.setattr(poformat, "_LINEBREAKS", None)
    catalog = rich_catalog()
    assert write_catalog(catalog, path)
    assert msgfmt_check(path).returncode == 0
    too_long = [line for line in path.read_text(encoding="utf-8").splitlines()
                if len(line) > poformat.PAGE_WIDTH and not line.startswith("#")]
    # Only what cannot be broken: one long word, and the entry marked no-wrap.
    assert all(" " not in line.split('"')[1] or line.startswith('msgid "Lien') for line in too_long)
    again = read_catalog(path)
    assert [(e.msgid, e.msgstr, e.msgstr_plural) for e in again] == \
           [(e.msgid, e.msgstr, e.msgstr_plural) for e in catalog]
    assert not write_catalog(again, path)


def test_the_module_example_runs():
    import doctest

    from lingopress.catalogs import poformat

    assert doctest.testmod(poformat).failed == 0
