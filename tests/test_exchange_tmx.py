"""TMX: approved units out, other tools' memories in as suggestions only (lingopress.exchange.tmx)."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

from translate.storage.tmx import tmxfile

from conftest import REPO, msgfmt_check, run_cli
from lingopress.catalogs.memory import Memory, TranslationMemory
from lingopress.jobs.exchange import tmx_export
from lingopress.store.project import ProjectStore
from support.exchange import ALPHA, SHARED, draft, drafted_project, entry, translate

AGENCY = REPO / "tests" / "data" / "exchange" / "agency.tmx"
ARABIC = "تتعرف الخلايا التائية على الخلايا المصابة بفيروس."
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def languages(unit) -> dict[str, str]:
    return {node.get("{http://www.w3.org/XML/1998/namespace}lang"): unit.getNodeText(node)
            for node in unit.getlanguageNodes()}


def test_export_holds_approved_units_only_and_reads_back_in_translate_toolkit(tmp_path: Path):
    config = drafted_project(tmp_path / "p")
    translate(config, "en", ALPHA, "Factor 𝛼 increases the immune response 💉.")
    translate(config, "ar", ALPHA, "العامل 𝛼 يزيد الاستجابة المناعية 💉.")
    translate(config, "en", SHARED, "T cells recognise infected cells.", approved=False)  # fuzzy: stays home
    translate(config, "ar", "Titre A", "العنوان أ")

    exported = tmx_export(ProjectStore(config), config.target_locales, NOW)
    assert (exported.units, dict(exported.translations)) == (2, {"en": 1, "ar": 2})

    store = tmxfile.parsestring(exported.data)  # translate-toolkit's own reader
    by_source = {unit.source: unit for unit in store.units}
    assert set(by_source) == {ALPHA, "Titre A"}
    assert languages(by_source[ALPHA]) == {"fr": ALPHA, "en": "Factor 𝛼 increases the immune response 💉.",
                                           "ar": "العامل 𝛼 يزيد الاستجابة المناعية 💉."}
    assert languages(by_source["Titre A"]) == {"fr": "Titre A", "ar": "العنوان أ"}
    alpha = by_source[ALPHA].xmlelement
    assert by_source[ALPHA].getcontext() == "paragraph"
    assert [(prop.get("type"), prop.text) for prop in alpha.iter("prop")] == [
        ("x-context", "paragraph"), ("x-article", "a")]
    assert alpha.get("creationdate").endswith("Z") and alpha.get("changedate").endswith("Z")
    root = store.document.getroot()
    assert root.get("version") == "1.4" and root.find("header").get("srclang") == "fr"
    assert root.find("header").get("creationdate") == "20261201T120000Z"
    assert "T cells recognise infected cells." not in exported.data.decode()


def test_import_of_a_hand_written_tmx_suggests_never_approves(tmp_path: Path):
    config = drafted_project(tmp_path / "p")
    draft(config)  # every unit recorded: nothing left to do on the same inputs
    assert all(drafts.reports == [] for drafts in draft(config).values())

    done = run_cli("tm", "import", str(AGENCY), cwd=config.project_dir)
    assert done.returncode == 0, done.stderr
    assert "translations/memory/agency.tmx: stored; 3 units read, usable translations: en 2, ar 1" in done.stdout
    assert (config.project_dir / "translations" / "memory" / "agency.tmx").read_bytes() == AGENCY.read_bytes()
    again = run_cli("tm", "import", str(AGENCY), cwd=config.project_dir)
    assert "translations/memory/agency.tmx: unchanged;" in again.stdout, again.stderr

    # The imported memory is part of the drafting fingerprint: the next run drafts again.
    runs = draft(config)
    assert [report.slug for report in runs["en"].reports] == ["a"]
    assert (runs["en"].memory_exact, runs["en"].memory_close, runs["ar"].memory_close) == (0, 2, 1)
    shared = entry(config, "en", SHARED)
    # Matched through Babel: FR-FR, fr_FR and FR are French, EN-GB and en-US English, ar-EG Arabic.
    assert shared.msgstr == "T cells recognise cells infected by a virus." and "fuzzy" in shared.flags
    assert "translation memory: 100% match from translations/memory/agency.tmx" in shared.comment
    assert entry(config, "en", ALPHA).msgstr == "Factor 𝛼 increases the immune response 💉."
    assert entry(config, "ar", SHARED).msgstr == ARABIC and "fuzzy" in entry(config, "ar", SHARED).flags
    for locale in config.target_locales:
        assert msgfmt_check(config.catalog_path(locale, "a")).returncode == 0
    assert all(drafts.reports == [] for drafts in draft(config).values())


def test_a_tmx_written_by_translate_toolkit_imports(tmp_path: Path):
    config = drafted_project(tmp_path / "p", locales=("en",), body=f"{SHARED}\n")
    other = tmxfile(sourcelanguage="fr-FR")
    other.addtranslation(SHARED.replace("un virus", "des virus"), "fr-FR", "T cells recognise virus-infected cells.",
                         "en-US")
    path = tmp_path / "tt.tmx"
    path.write_bytes(bytes(other))
    assert run_cli("tm", "import", str(path), cwd=config.project_dir).returncode == 0
    draft(config)
    close = entry(config, "en", SHARED)
    assert close.msgstr == "T cells recognise virus-infected cells." and "fuzzy" in close.flags
    assert "translation memory: 96% match from translations/memory/tt.tmx" in close.comment


def test_the_projects_approved_translation_wins_over_an_imported_one():
    own = TranslationMemory([Memory("paragraph", SHARED, "ours", "translations/en/b.po:9")])
    imported = TranslationMemory([Memory(None, SHARED, "theirs", "translations/memory/x.tmx", approved=False)])
    for memories in ((own, imported), (imported, own)):
        found = TranslationMemory.combined(*memories).exact("paragraph", SHARED)
        assert (found.msgstr, found.approved) == ("ours", True)
    assert imported.digest() != TranslationMemory([Memory(None, SHARED, "theirs", "translations/memory/x.tmx")]).digest()


def test_bad_tmx_is_one_line_naming_the_file_and_exit_2(tmp_path: Path):
    config = drafted_project(tmp_path / "p", locales=("en",), body=f"{SHARED}\n")
    broken = tmp_path / "broken.tmx"
    broken.write_text('<?xml version="1.0"?>\n<tmx version="1.4">\n<body><tu></body>\n</tmx>\n', encoding="utf-8")
    german = tmp_path / "german.tmx"
    german.write_text(AGENCY.read_text(encoding="utf-8").replace('xml:lang="EN-GB"', 'xml:lang="de"')
                      .replace('xml:lang="en-US"', 'xml:lang="de-AT"').replace('xml:lang="ar-EG"', 'xml:lang="de"'),
                      encoding="utf-8")
    xliff = tmp_path / "not.tmx"
    xliff.write_text('<?xml version="1.0"?>\n<xliff version="1.2"/>\n', encoding="utf-8")
    cases = {broken: "broken.tmx:3: not well-formed XML", german: "german.tmx: no translations into en",
             xliff: "not.tmx:2: not a TMX 1.4b file: its root element is <xliff>",
             tmp_path / "missing.tmx": "missing.tmx: cannot read: No such file or directory"}
    for path, message in cases.items():
        done = run_cli("tm", "import", str(path), cwd=config.project_dir)
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr, done.stderr
    assert not (config.project_dir / "translations" / "memory").exists()


def test_export_cli_writes_the_file_and_counts(tmp_path: Path):
    config = drafted_project(tmp_path / "p")
    translate(config, "ar", ALPHA, "العامل 𝛼 يزيد الاستجابة المناعية 💉.")
    out = tmp_path / "out" / "project.tmx"
    done = run_cli("tm", "export", str(out), "--locales", "ar", cwd=config.project_dir)
    assert done.returncode == 0, done.stderr
    assert "1 units with approved translations (ar 1)" in done.stdout
    # What lingopress exported, another project imports (a round trip through the file).
    other = drafted_project(tmp_path / "q", locales=("ar",))
    shutil.copy(out, tmp_path / "mine.tmx")
    assert run_cli("tm", "import", str(tmp_path / "mine.tmx"), cwd=other.project_dir).returncode == 0
    draft(other)
    assert entry(other, "ar", ALPHA).msgstr == "العامل 𝛼 يزيد الاستجابة المناعية 💉."
