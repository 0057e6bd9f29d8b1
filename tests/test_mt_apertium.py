"""Apertium, the second engine: the real `apertium` command with Debian's fr-es data.

scripts/setup.sh installs apertium and apertium-fr-es, so CI runs these; they skip only
where apertium itself is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import make_project, msgfmt_check
from lingopress.store.files import read_catalog
from support.project import load_articles, update_locale
from lingopress.config import load_config
from lingopress.errors import ModelError
from lingopress.mt import check_engine, open_engine
from lingopress.mt.apertium import ApertiumEngine, ApertiumTranslator, available_pairs

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None,
    reason="apertium is not installed (Debian: apt-get install apertium apertium-fr-es; "
           "scripts/setup.sh does it)")


@pytest.fixture(scope="module")
def fr_es() -> ApertiumTranslator:
    if "fr-es" not in available_pairs():
        pytest.fail("apertium is installed but has no fr-es pair: apt-get install apertium-fr-es")
    return ApertiumTranslator("fr-es")


def test_translates_units_in_one_call_and_reports_unknown_words(fr_es):
    outputs = fr_es.translate_units(["Le chat noir mange.", "La maison blanche.", "Un xyzzyq arrive."])
    assert [o.text for o in outputs[:2]] == ["El gato negro come.", "La casa blanca."]
    assert outputs[2].unknown == ("xyzzyq",) and "*" not in outputs[2].text
    assert "xyzzyq" in outputs[2].text


def test_engine_protects_markup_and_notes_unknown_words(fr_es):
    engine = ApertiumEngine(fr_es)
    assert engine.provenance.startswith("apertium fr-es")
    drafts = engine.translate(["Le chat **noir** mange, voir [le site](https://x.org/a_b).",
                               "Le xyzzyq et le blorfux à 5 mg/kg.", "`npm install`"])
    assert drafts[0].text == "El gato **negro** come, ver [el website](https://x.org/a_b)."
    assert drafts[0].notes == ()
    assert "5 mg/kg" in drafts[1].text and "*" not in drafts[1].text
    assert drafts[1].notes == ("unknown to apertium: xyzzyq, blorfux",)
    assert drafts[2].text == "`npm install`"


def test_engine_per_locale_from_lingopress_toml(tmp_path: Path, installed_models):
    project = make_project(tmp_path, locales=("en", "es"))
    toml = project / "lingopress.toml"
    toml.write_text(toml.read_text() + '\n[engines]\nes = "apertium"\n', encoding="utf-8")
    config = load_config(project)
    assert config.engine_for("es") == "apertium" and config.engine_for("en") == "argos"
    assert check_engine(config, "es") == "apertium fr-es"
    assert open_engine(config, "en").provenance == "argos translate-fr_en 1.9"
    engine = open_engine(config, "es")
    articles = load_articles(config)
    report = update_locale(config, "es", articles, engine)
    assert report.drafted == report.entries > 100
    path = config.catalog_path("es", "immunotherapie")
    assert msgfmt_check(path).returncode == 0
    catalog = read_catalog(path)
    assert all(entry.msgstr and "fuzzy" in entry.flags for entry in catalog)
    assert all(entry.comment.splitlines()[-1].startswith("machine draft: ")
               for entry in catalog)
    title = catalog.find("Immunothérapie", by="msgid")
    assert title.msgstr == "Immunothérapie"  # Apertium does not know the word: kept, and said so
    assert "machine draft: unknown to apertium: Immunothérapie" in title.comment
    assert not any("*" in entry.msgstr for entry in catalog)
    definition = catalog.find("Définition", by="msgid")
    assert definition.msgstr == "Definición"


def test_missing_pair_is_one_clear_error(tmp_path: Path):
    project = make_project(tmp_path, locales=("de",))
    toml = project / "lingopress.toml"
    toml.write_text(toml.read_text() + '\n[engines]\nde = "apertium"\n', encoding="utf-8")
    config = load_config(project)
    with pytest.raises(ModelError) as err:
        check_engine(config, "de")
    assert "apertium has no fr→de pair (installed: " in str(err.value)
    assert "apertium-fr-de" in str(err.value)


def test_lingopress_draft_uses_each_locales_engine(tmp_path: Path, installed_models):
    """The real command and Prefect flow: en by Argos, es by Apertium, as lingopress.toml says."""
    from conftest import run_cli

    source = ("---\ntitle: \"Essai\"\nslug: essai\ndate: 2026-01-01\nsummary: \"Un essai.\"\n---\n\n"
              "Le chat **noir** mange.\n")
    project = make_project(tmp_path, locales=("en", "es"), sources={"essai.md": source})
    toml = project / "lingopress.toml"
    toml.write_text(toml.read_text() + '\n[engines]\nes = "apertium"\n', encoding="utf-8")
    result = run_cli("draft", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    es = read_catalog(project / "translations" / "es" / "essai.po")
    assert es.find("Le chat **noir** mange.").msgstr == "El gato **negro** come."
    assert "machine draft: apertium fr-es" in es.find("Le chat **noir** mange.").comment
    en = (project / "translations" / "en" / "essai.po").read_text(encoding="utf-8")
    assert "#. machine draft: argos translate-fr_en 1.9" in en
    # --engine on the command line still overrides every locale.
    (project / "translations" / "es" / "essai.po").unlink()
    result = run_cli("draft", "--engine", "none", "--locales", "es", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    es = read_catalog(project / "translations" / "es" / "essai.po")
    assert es.find("Le chat **noir** mange.").msgstr == ""
