"""Glossary: the shipped file, matching French terms in running text, errors, catalog notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, make_project, msgfmt_check
from lingopress.store.files import read_catalog, read_glossary, write_catalog
from support.project import load_articles, update_locale, write_templates
from lingopress.config import load_config
from lingopress.errors import ConfigError, GlossaryError
from lingopress.catalogs.glossary import uses_term

SHIPPED = read_glossary(REPO / "glossary.csv")


def test_shipped_glossary_covers_the_sample_domain_in_four_locales():
    assert len(SHIPPED.terms) >= 30
    for term in SHIPPED.terms:
        if not term.do_not_translate:
            assert {code for code, _ in term.targets} == {"en", "es", "de", "ar"}, term.source
    text = ("L'immunothérapie, les anticorps monoclonaux, les inhibiteurs de point de contrôle "
            "immunitaire, les lymphocytes T, les thérapies CAR-T et le méthotrexate.")
    assert [term.source for term in SHIPPED.terms_in(text)] == [
        "immunothérapie", "anticorps monoclonal", "inhibiteur de point de contrôle immunitaire",
        "lymphocyte T", "CAR-T", "méthotrexate"]
    every_term = [term.source for term in SHIPPED.terms]
    for path in (REPO / "sources").glob("*.md"):
        assert SHIPPED.find(path.read_text(encoding="utf-8")), path
    assert len(set(every_term)) == len(every_term)


@pytest.mark.parametrize("text, term", [
    ("L'immunothérapie agit.", "immunothérapie"),
    ("l’immunothérapie agit.", "immunothérapie"),
    ("IMMUNOTHÉRAPIE", "immunothérapie"),
    ("Les immunothérapies ciblées.", "immunothérapie"),
    ("des anticorps monoclonaux", "anticorps monoclonal"),
    ("les inhibiteurs des points de contrôle immunitaires", "inhibiteur de point de contrôle immunitaire"),
    ("les inhibiteurs du point de contrôle immunitaire", "inhibiteur de point de contrôle immunitaire"),
    ("Les lymphocytes T sont prélevés.", "lymphocyte T"),
    ("les maladies auto-immunes", "maladie auto-immune"),
    ("les greffes d'organes", "greffe d'organe"),
])
def test_french_terms_are_found_through_elision_plurals_and_function_words(text, term):
    assert [m.term.source for m in SHIPPED.find(text)] == [term]


@pytest.mark.parametrize("text", ["Les vaccinations.", "Un immunothérapeute.", "La chimie.", "Le lymphocyte B."])
def test_words_that_only_start_like_a_term_do_not_match(text):
    assert SHIPPED.find(text) == []


@pytest.mark.parametrize("translation, term, locale, found", [
    ("Monoclonal antibodies are proteins.", "monoclonal antibody", "en", True),
    ("Die Krebsimmuntherapien wirken.", "Immuntherapie", "de", True),
    ("Los anticuerpos monoclonales.", "anticuerpo monoclonal", "es", True),
    ("وبالعلاج المناعي", "العلاج المناعي", "ar", True),
    ("Chemotherapy works.", "immunotherapy", "en", False),
    ("Die Chemotherapie.", "Immuntherapie", "de", False),
])
def test_target_terms_tolerate_inflection(translation, term, locale, found):
    assert uses_term(translation, term, locale) is found


def test_a_term_inside_a_longer_match_is_not_reported_twice(tmp_path: Path):
    path = tmp_path / "g.csv"
    path.write_text("fr,en\nanticorps,antibody\nanticorps monoclonal,monoclonal antibody\n", encoding="utf-8")
    glossary = read_glossary(path)
    assert [m.term.source for m in glossary.find("Des anticorps monoclonaux et des anticorps.")] == \
        ["anticorps monoclonal", "anticorps"]


@pytest.mark.parametrize("content, line, fragment", [
    ("", 1, "glossary is empty"),
    ("en,de\nx,y\n", 1, "the header has no 'fr' column"),
    ("fr,en,klingon\nx,y,z\n", 1, "unknown column 'klingon'"),
    ("fr,en\nvaccin,vaccine\n,empty\n", 3, "empty 'fr' term"),
    ("fr,en\nvaccin,vaccine\nVaccin,shot\n", 3, "duplicate term 'Vaccin', also on line 2"),
    ("fr,en,do_not_translate\nCAR-T,,peut-être\n", 2, "do_not_translate must be yes or empty"),
    ("fr,en\nvaccin,vaccine,extra\n", 2, "3 fields but the header has 2"),
])
def test_bad_glossary_rows_name_file_and_line(tmp_path: Path, content, line, fragment):
    path = tmp_path / "glossary.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        read_glossary(path)
    assert caught.value.line == line and fragment in caught.value.message


def test_configured_glossary_path_must_exist(tmp_path: Path):
    project = make_project(tmp_path, engine="none")
    config = project / "lingopress.toml"
    config.write_text(config.read_text() + '\n[paths]\nglossary = "terms/glossary.csv"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    assert "glossary file 'terms/glossary.csv' does not exist" in str(caught.value)
    (project / "terms").mkdir()
    (project / "terms" / "glossary.csv").write_text("fr,en\nvaccin,vaccine\n", encoding="utf-8")
    assert load_config(project).glossary_path == project / "terms" / "glossary.csv"


SOURCE = """---
title: "Immunothérapie"
slug: essai
date: 2026-03-05
summary: "Les vaccins et l'immunothérapie."
---

L'immunothérapie utilise les lymphocytes T.

Un paragraphe sans terme.
"""


def test_glossary_notes_are_refreshed_each_run_and_translator_comments_kept(tmp_path: Path):
    project = make_project(tmp_path, locales=("en", "de"), engine="none", sources={"essai.md": SOURCE})
    (project / "glossary.csv").write_text(
        "fr,en,de,do_not_translate,note\n"
        "immunothérapie,immunotherapy,Immuntherapie,,\n"
        "lymphocyte T,T lymphocyte,T-Lymphozyt,,\n"
        "vaccin,vaccine,Impfstoff,,\n", encoding="utf-8")
    config = load_config(project)
    articles = load_articles(config)
    write_templates(config, articles)
    pot = (project / "translations" / "templates" / "essai.pot").read_text(encoding="utf-8")
    assert "#. glossary: immunothérapie → en: immunotherapy, de: Immuntherapie" in pot
    update_locale(config, "en", articles, None)
    path = config.catalog_path("en", "essai")
    catalog = read_catalog(path)
    entry = catalog.find("L'immunothérapie utilise les lymphocytes T.", msgctxt="paragraph")
    assert entry.comment.splitlines() == ["paragraph", "glossary: immunothérapie → immunotherapy",
                                          "glossary: lymphocyte T → T lymphocyte"]
    assert catalog.find("Un paragraphe sans terme.").comment == "paragraph"
    # A translator translates and comments; the project then changes its glossary.
    entry.msgstr = "Immunotherapy uses T cells."
    entry.tcomment = "glossary: I prefer T cells here\nqa-ignore: glossary"
    write_catalog(catalog, path)
    (project / "glossary.csv").write_text(
        "fr,en,de,do_not_translate,note\n"
        "immunothérapie,immuno-oncology therapy,Immuntherapie,,house style\n"
        "vaccin,vaccine,Impfstoff,,\n", encoding="utf-8")
    update_locale(config, "en", articles, None)
    entry = read_catalog(path).find("L'immunothérapie utilise les lymphocytes T.", msgctxt="paragraph")
    assert entry.comment.splitlines() == ["paragraph",
                                          "glossary: immunothérapie → immuno-oncology therapy (house style)"]
    assert entry.tcomment == "glossary: I prefer T cells here\nqa-ignore: glossary"
    assert entry.msgstr == "Immunotherapy uses T cells."
    text = path.read_text(encoding="utf-8")
    assert "# glossary: I prefer T cells here\n# qa-ignore: glossary\n#. paragraph\n" in text
    assert msgfmt_check(path).returncode == 0
    # The German catalog gets the German terms.
    update_locale(config, "de", articles, None)
    german = read_catalog(config.catalog_path("de", "essai")).find("Les vaccins et l'immunothérapie.")
    assert german.comment.splitlines()[1:] == ["glossary: vaccin → Impfstoff",
                                               "glossary: immunothérapie → Immuntherapie (house style)"]
