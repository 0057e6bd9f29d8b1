"""TBX ↔ glossary.csv (lingopress.exchange.tbx): export, import, conflicts, bad input."""

from __future__ import annotations

from pathlib import Path

from translate.storage.tbx import tbxfile

from conftest import REPO, make_project, run_cli
from lingopress.catalogs.glossary import parse_glossary
from lingopress.config import load_config
from lingopress.exchange.tbx import merge_tbx, read_tbx
from lingopress.jobs.exchange import tbx_export
from lingopress.store.project import ProjectStore

TERMBASE = REPO / "tests" / "data" / "exchange" / "termbase.tbx"
GLOSSARY = ("fr,en,ar,do_not_translate,note\n"
            "immunothérapie,immunotherapy,العلاج المناعي,,\n"
            "cytokine,,,,\n"
            "CAR-T,,,yes,keep the name 𝛼\n")


def project_with(tmp_path: Path, glossary: str = GLOSSARY, locales=("en", "ar", "de")) -> Path:
    project = make_project(tmp_path / "p", locales=locales, engine="none", sources={})
    (project / "glossary.csv").write_text(glossary, encoding="utf-8")
    return project


def test_export_reads_back_in_translate_toolkit(tmp_path: Path):
    project = project_with(tmp_path)
    data, terms = tbx_export(ProjectStore(load_config(project)))
    assert terms == 3
    store = tbxfile.parsestring(data)  # translate-toolkit's own reader
    by_source = {unit.get_source_terms()[0].text: unit for unit in store.units}
    assert set(by_source) == {"immunothérapie", "cytokine", "CAR-T"}
    immuno = by_source["immunothérapie"]
    assert [t.text for t in immuno.get_target_terms("ar")] == ["العلاج المناعي"]
    assert [t.text for t in immuno.get_target_terms("en")] == ["immunotherapy"]
    car_t = by_source["CAR-T"]
    assert not car_t.istranslatable() and immuno.istranslatable()
    assert car_t.getnotes() == "keep the name 𝛼"
    # A term entry's notes come before its langSets, as the TBX DTD orders them.
    assert [child.tag for child in car_t.xmlelement][:2] == ["descrip", "note"]


def test_round_trip_changes_nothing(tmp_path: Path):
    project = project_with(tmp_path)
    data, _ = tbx_export(ProjectStore(load_config(project)))
    (tmp_path / "g.tbx").write_bytes(data)
    done = run_cli("glossary", "import", str(tmp_path / "g.tbx"), cwd=project)
    assert done.returncode == 0, done.stderr
    assert "0 terms added, 0 cells filled, 0 overwritten, 0 conflicts; unchanged" in done.stdout
    assert (project / "glossary.csv").read_text(encoding="utf-8") == GLOSSARY


def test_import_of_a_hand_written_tbx_adds_terms_and_fills_empty_cells(tmp_path: Path):
    project = project_with(tmp_path)
    done = run_cli("glossary", "import", str(TERMBASE), cwd=project)
    assert done.returncode == 0, done.stderr
    assert "glossary.csv: 1 terms added, 4 cells filled, 0 overwritten, 0 conflicts" in done.stdout
    assert "skipped language 'ja'" in done.stdout
    # The glossary has no de column yet: de is a target locale, so the column is added, and
    # its cell for immunothérapie is filled; nothing the glossary said was replaced.
    text = (project / "glossary.csv").read_text(encoding="utf-8")
    assert text.splitlines() == [
        "fr,en,ar,de,do_not_translate,note",
        "immunothérapie,immunotherapy,العلاج المناعي,Immuntherapie (Klient),,",
        "cytokine,cytokine,السيتوكين 𝛼,,,approved by the client in 2025",
        "CAR-T,,,,yes,keep the name 𝛼",
        "Keytruda,,,,yes,brand name",
    ]
    assert parse_glossary(text.encode(), Path("glossary.csv")).terms[3].do_not_translate


def test_differing_terms_are_conflicts_until_overwrite(tmp_path: Path):
    project = project_with(tmp_path, GLOSSARY.replace("cytokine,,,,", "cytokine,cytokines,,,local note"))
    done = run_cli("glossary", "import", str(TERMBASE), cwd=project)
    assert done.returncode == 1
    assert ("conflict: cytokine (en): glossary has 'cytokines', termbase.tbx has 'cytokine'" in done.stderr)
    assert "conflict: cytokine (note): glossary has 'local note'" in done.stderr
    assert "run again with --overwrite" in done.stderr
    assert "cytokine,cytokines,السيتوكين 𝛼,,,local note" in (project / "glossary.csv").read_text(encoding="utf-8")

    done = run_cli("glossary", "import", "--overwrite", str(TERMBASE), cwd=project)
    assert done.returncode == 0, done.stderr
    assert "overwritten: cytokine (en): 'cytokines' → 'cytokine'" in done.stdout
    assert "cytokine,cytokine,السيتوكين 𝛼,,,approved by the client in 2025" in (
        project / "glossary.csv").read_text(encoding="utf-8")


def test_do_not_translate_that_differs_is_a_conflict():
    entries = read_tbx(TERMBASE.read_bytes(), TERMBASE, "fr")
    merged = merge_tbx("fr,en,do_not_translate,note\nKeytruda,,no,\n".encode(), Path("glossary.csv"), entries,
                       source_locale="fr", locales=("en",))
    assert [(c.term, c.column, c.ours, c.theirs) for c in merged.conflicts] == [
        ("Keytruda", "do_not_translate", "no", "yes")]
    assert merged.changed == ["Keytruda (note)"]


def test_a_tbx_written_by_translate_toolkit_imports_into_a_project_without_glossary(tmp_path: Path):
    project = make_project(tmp_path / "p", locales=("en", "ar"), engine="none", sources={})
    other = tbxfile(sourcelanguage="fr")
    unit = other.addsourceunit("anticorps monoclonal")
    unit.set_target_terms(["monoclonal antibody"], lang="en-GB")
    unit.set_target_terms(["جسم مضاد وحيد النسيلة"], lang="ar")
    (tmp_path / "tt.tbx").write_bytes(bytes(other))
    done = run_cli("glossary", "import", str(tmp_path / "tt.tbx"), cwd=project)
    assert done.returncode == 0, done.stderr
    assert (project / "glossary.csv").read_text(encoding="utf-8").splitlines() == [
        "fr,en,ar,do_not_translate,note", "anticorps monoclonal,monoclonal antibody,جسم مضاد وحيد النسيلة,,"]


def test_bad_tbx_is_one_line_and_exit_2(tmp_path: Path):
    project = project_with(tmp_path)
    broken = tmp_path / "broken.tbx"
    broken.write_text("<?xml version='1.0'?>\n<martif>\n<text><body>\n</martif>\n", encoding="utf-8")
    v3 = tmp_path / "v3.tbx"
    v3.write_text("<?xml version='1.0'?>\n<tbx xmlns='urn:iso:std:iso:30042:ed-2' type='TBX-Basic'/>\n",
                  encoding="utf-8")
    english = tmp_path / "english.tbx"
    english.write_text(TERMBASE.read_text(encoding="utf-8").replace('"fr-FR"', '"it"').replace('"FR"', '"it"')
                       .replace('"fr_FR"', '"it"'), encoding="utf-8")
    cases = {broken: "broken.tbx:4: not well-formed XML",
             v3: "v3.tbx:2: not a TBX-Basic (martif) file: its root element is <tbx>",
             english: "english.tbx: no term entry has a 'fr' term"}
    for path, message in cases.items():
        done = run_cli("glossary", "import", str(path), cwd=project)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert message in done.stderr, done.stderr
    assert (project / "glossary.csv").read_text(encoding="utf-8") == GLOSSARY
    (project / "glossary.csv").write_text(GLOSSARY + "cytokine,x,,,\n", encoding="utf-8")
    done = run_cli("glossary", "import", str(TERMBASE), cwd=project)
    assert done.returncode == 2 and "glossary.csv:5: duplicate term 'cytokine'" in done.stderr, done.stderr
