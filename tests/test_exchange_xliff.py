"""XLIFF 1.2 out and back in (lingopress.exchange.xliff): ids, notes, the state mapping, conflicts, --force."""

from __future__ import annotations

from pathlib import Path

import pytest
from translate.storage import xliff

from conftest import msgfmt_check, run_cli
from lingopress.catalogs.po import is_approved
from lingopress.config import load_config
from lingopress.exchange.xliff import EXPORTED, unit_id
from lingopress.store.files import read_catalog
from support.exchange import ALPHA, SHARED, draft, drafted_project, entry, translate

ARABIC = "العامل 𝛼 يزيد الاستجابة المناعية 💉."


def export(config, locale: str, dest: Path) -> Path:
    done = run_cli("xliff", "export", "--locale", locale, "--dest", str(dest), cwd=config.project_dir)
    assert done.returncode == 0, done.stderr
    return dest / f"a.{locale}.xlf"


def edit(path: Path, changes: dict[str, tuple[str | None, str | None]], *, drop_marks: bool = False) -> None:
    """What a CAT tool does, through translate-toolkit's XLIFF store: source → (target, state)."""
    store = xliff.xlifffile.parsestring(path.read_bytes())
    for unit in store.units:
        if unit.source in changes:
            target, state = changes[unit.source]
            unit.settarget(target)
            node = unit.getlanguageNode(lang=None, index=1)
            if node is not None and state is not None:
                node.set("state", state)
            unit.xmlelement.attrib.pop("approved", None)
        if drop_marks:
            unit.xmlelement.attrib.pop(EXPORTED, None)
    path.write_bytes(bytes(store))


def test_export_reads_back_in_translate_toolkit(tmp_path: Path):
    config = drafted_project(tmp_path / "p")
    translate(config, "ar", ALPHA, ARABIC)
    translate(config, "ar", SHARED, "مسودة", approved=False)
    path = export(config, "ar", tmp_path / "out")

    store = xliff.xlifffile.parsestring(path.read_bytes())
    root = store.document.getroot()
    assert (root.get("version"), root.nsmap[None]) == ("1.2", "urn:oasis:names:tc:xliff:document:1.2")
    assert (store.getsourcelanguage(), store.gettargetlanguage()) == ("fr", "ar")
    assert store.getfilenames() == ["translations/ar/a.po"]
    units = {unit.source: unit for unit in store.units}
    assert set(units) == {"A", "Résumé a.", "Titre A", SHARED, ALPHA}
    alpha, shared, title = units[ALPHA], units[SHARED], units["Titre A"]
    assert alpha.target == ARABIC and alpha.getlanguageNode(lang=None, index=1).get("state") == "final"
    assert shared.target == "مسودة" and shared.getlanguageNode(lang=None, index=1).get("state") == \
        "needs-review-translation"
    assert title.target is None
    # The id finds the PO entry again; notes carry the extracted comments and QA hints.
    assert alpha.getid() == f"translations/ar/a.po\x04{unit_id('paragraph', ALPHA)}"
    assert "paragraph" in alpha.getnotes("developer")
    assert "QA warning" in shared.getnotes("lingopress-qa") or "QA error" in shared.getnotes("lingopress-qa")
    assert alpha.getlocations() == ["sources/a.md:12"]


def test_the_state_mapping(tmp_path: Path):
    config = drafted_project(tmp_path / "p", locales=("en",),
                             body="# Un\n\nDeux.\n\nTrois.\n\nQuatre.\n\nCinq.\n\nSix.\n\nSept.\n\nHuit.\n")
    path = export(config, "en", tmp_path / "out")
    edit(path, {"Un": ("One", "final"), "Deux.": ("Two.", "signed-off"), "Trois.": ("Three.", "translated"),
                "Quatre.": ("Four.", "needs-review-translation"), "Cinq.": ("Five.", "needs-review-l10n"),
                "Six.": ("Six.", "new"), "Sept.": ("", "translated"), "Huit.": ("Eight.", "needs-translation")})
    done = run_cli("xliff", "import", str(path), cwd=config.project_dir)
    assert done.returncode == 0, done.stderr
    assert "translations/en/a.po ← a.en.xlf: 2 approved, 3 fuzzy, 0 unchanged, 5 untouched, 0 conflicts" \
        in done.stdout
    states = {msgid: (entry(config, "en", msgid).msgstr, is_approved(entry(config, "en", msgid)))
              for msgid in ("Un", "Deux.", "Trois.", "Quatre.", "Cinq.", "Six.", "Sept.", "Huit.")}
    assert states == {"Un": ("One", True), "Deux.": ("Two.", True), "Trois.": ("Three.", False),
                      "Quatre.": ("Four.", False), "Cinq.": ("Five.", False), "Six.": ("", False),
                      "Sept.": ("", False), "Huit.": ("", False)}
    assert "fuzzy" in entry(config, "en", "Trois.").flags
    assert "xliff import: a.en.xlf (final)" in entry(config, "en", "Un").comment
    assert msgfmt_check(config.catalog_path("en", "a")).returncode == 0
    # The same file again changes nothing.
    again = run_cli("xliff", "import", str(path), cwd=config.project_dir)
    assert "5 unchanged" in again.stdout and "catalog unchanged" in again.stdout


def test_arabic_and_non_bmp_come_back_whole(tmp_path: Path):
    config = drafted_project(tmp_path / "p")
    path = export(config, "ar", tmp_path / "out")
    edit(path, {ALPHA: (ARABIC, "final"), "Titre A": ("العنوان 😀", "translated")})
    assert run_cli("xliff", "import", str(path), cwd=config.project_dir).returncode == 0
    assert entry(config, "ar", ALPHA).msgstr == ARABIC and is_approved(entry(config, "ar", ALPHA))
    assert entry(config, "ar", "Titre A").msgstr == "العنوان 😀"
    assert msgfmt_check(config.catalog_path("ar", "a")).returncode == 0


def test_a_changed_french_source_is_a_conflict_not_applied(tmp_path: Path):
    config = drafted_project(tmp_path / "p", locales=("en",))
    path = export(config, "en", tmp_path / "out")
    source = config.sources_dir / "a.md"
    source.write_text(source.read_text(encoding="utf-8").replace("un virus", "des virus"), encoding="utf-8")
    draft(config)
    edit(path, {SHARED: ("T cells recognise cells infected by a virus.", "final"), ALPHA: ("Factor 𝛼.", "final")})
    done = run_cli("xliff", "import", str(path), cwd=config.project_dir)
    assert done.returncode == 1
    assert "1 approved, 0 fuzzy, 0 unchanged, 3 untouched, 1 conflicts" in done.stdout
    assert "a.en.xlf:" in done.stderr and "its French source changed since the export" in done.stderr
    assert entry(config, "en", SHARED.replace("un virus", "des virus")).msgstr == ""
    assert entry(config, "en", ALPHA).msgstr == "Factor 𝛼."


@pytest.mark.parametrize("drop_marks", [False, True])
def test_an_entry_approved_since_the_export_needs_force(tmp_path: Path, drop_marks: bool):
    config = drafted_project(tmp_path / "p", locales=("en",))
    translate(config, "en", ALPHA, "Draft 𝛼.", approved=False)
    path = export(config, "en", tmp_path / "out")
    translate(config, "en", ALPHA, "Reviewed in Poedit 𝛼.")  # approved after the export
    edit(path, {ALPHA: ("From the agency 𝛼.", "final")}, drop_marks=drop_marks)

    done = run_cli("xliff", "import", str(path), cwd=config.project_dir)
    assert done.returncode == 1
    why = "the file does not say what was exported" if drop_marks else "approved in the catalog and changed since"
    assert why in done.stderr and "--force replaces the approved translation" in done.stderr
    assert entry(config, "en", ALPHA).msgstr == "Reviewed in Poedit 𝛼."

    done = run_cli("xliff", "import", "--force", str(path), cwd=config.project_dir)
    assert done.returncode == 0, done.stderr
    assert entry(config, "en", ALPHA).msgstr == "From the agency 𝛼." and is_approved(entry(config, "en", ALPHA))


def test_an_approved_entry_unchanged_since_the_export_takes_the_new_translation(tmp_path: Path):
    config = drafted_project(tmp_path / "p", locales=("en",))
    translate(config, "en", ALPHA, "Factor 𝛼.")
    path = export(config, "en", tmp_path / "out")
    edit(path, {ALPHA: ("Factor 𝛼 raises the immune response 💉.", "needs-review-translation")})
    assert run_cli("xliff", "import", str(path), cwd=config.project_dir).returncode == 0
    changed = entry(config, "en", ALPHA)
    assert changed.msgstr == "Factor 𝛼 raises the immune response 💉." and "fuzzy" in changed.flags


def test_bad_xliff_is_one_line_and_exit_2_before_any_write(tmp_path: Path):
    config = drafted_project(tmp_path / "p")
    good = export(config, "ar", tmp_path / "out")
    edit(good, {ALPHA: (ARABIC, "final")})
    before = config.catalog_path("ar", "a").read_bytes()
    broken = tmp_path / "broken.xlf"
    broken.write_text("<?xml version='1.0'?>\n<xliff version='1.2'>\n<file>\n</xliff>\n", encoding="utf-8")
    v2 = tmp_path / "v2.xlf"
    v2.write_text("<?xml version='1.0'?>\n<xliff xmlns='urn:oasis:names:tc:xliff:document:2.0' version='2.0' "
                  "srcLang='fr'/>\n", encoding="utf-8")
    german = tmp_path / "german.xlf"
    german.write_bytes(good.read_bytes().replace(b'target-language="ar"', b'target-language="de-DE"'))
    cases = {broken: "broken.xlf:4: not well-formed XML", v2: "v2.xlf: cannot read it as XLIFF 1.2: This file "
             "appears to be XLIFF 2.x", german: "german.xlf: target-language 'de-DE' of <file original="
             "'translations/ar/a.po'> is not one of the project's target locales (en, ar)"}
    for path, message in cases.items():
        done = run_cli("xliff", "import", str(good), str(path), cwd=config.project_dir)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert message in done.stderr, done.stderr
        assert config.catalog_path("ar", "a").read_bytes() == before


def test_export_locale_must_be_a_target_locale(tmp_path: Path):
    config = drafted_project(tmp_path / "p", locales=("en",))
    done = run_cli("xliff", "export", "--locale", "de", "--dest", str(tmp_path / "out"), cwd=config.project_dir)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --locale 'de' is not a target locale of the project (use one of en)"
    # Spelled as a CAT tool would, it still means the project's en.
    export(config, "EN-gb", tmp_path / "out")
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["a.en.xlf"]


def test_the_site_texts_go_out_and_come_back_like_an_article(tmp_path: Path):
    config = drafted_project(tmp_path / "p", locales=("en",))
    with (config.project_dir / "lingopress.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[publish]\ndisclaimer = "Ces informations ne remplacent pas l\'avis d\'un médecin."\n')
    config = load_config(config.project_dir)
    draft(config)
    export(config, "en", tmp_path / "out")
    path = tmp_path / "out" / "_site.en.xlf"
    edit(path, {"Ces informations ne remplacent pas l'avis d'un médecin.": ("This does not replace a doctor.", "final")})
    done = run_cli("xliff", "import", str(path), cwd=config.project_dir)
    assert done.returncode == 0, done.stderr
    site = next(e for e in read_catalog(config.catalog_path("en", "_site")) if e.msgctxt == "disclaimer")
    assert site.msgstr == "This does not replace a doctor." and is_approved(site)
