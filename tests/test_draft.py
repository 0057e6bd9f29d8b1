from __future__ import annotations

from pathlib import Path

import polib
import pytest

from conftest import make_project, msgfmt_check
from lingopress.store.files import read_catalog, write_catalog
from support.project import load_articles, update_locale
from lingopress.config import load_config
from lingopress.draft import draft_catalog
from lingopress.mt import open_engine
from lingopress.mt.argos import ArgosEngine
from lingopress.errors import ModelError


# Sentence splitting is tested in test_mt_sentences.py.


class CountingEngine:
    provenance = "counting test-engine 1"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def translate(self, texts):
        self.calls.append(list(texts))
        return [f"draft of {text}" for text in texts]


def test_drafts_are_fuzzy_with_provenance_and_never_touch_translations():
    catalog = polib.POFile()
    catalog.append(polib.POEntry(msgid="Un", msgstr=""))
    catalog.append(polib.POEntry(msgid="Deux", msgstr="Two (human)"))
    catalog.append(polib.POEntry(msgid="Trois", msgstr="Three?", flags=["fuzzy"]))
    engine = CountingEngine()
    assert draft_catalog(catalog, engine) == 1
    assert engine.calls == [["Un"]]
    un = catalog.find("Un")
    assert un.msgstr == "draft of Un" and un.flags == ["fuzzy"]
    assert un.comment == "machine draft: counting test-engine 1"
    assert catalog.find("Deux").msgstr == "Two (human)" and catalog.find("Deux").flags == []
    assert catalog.find("Trois").msgstr == "Three?"
    assert draft_catalog(catalog, engine) == 0 and len(engine.calls) == 1
    assert draft_catalog(catalog, None) == 0


def test_real_argos_model_drafts_sample_catalogs(tmp_path: Path, installed_models):
    project = make_project(tmp_path, locales=("en", "ar"))
    config = load_config(project)
    articles = load_articles(config)
    for locale in ("en", "ar"):
        engine = open_engine(config, locale)
        assert isinstance(engine, ArgosEngine)
        report = update_locale(config, locale, articles, engine)
        assert report.drafted == report.entries > 100
        for article in articles:
            path = config.catalog_path(locale, article.slug)
            check = msgfmt_check(path)
            assert check.returncode == 0, check.stderr
            catalog = read_catalog(path)
            assert catalog.metadata["Language"] == locale
            for entry in catalog:
                assert entry.msgstr.strip() and entry.flags == ["fuzzy"]
                assert f"machine draft: argos translate-fr_{locale} 1.9" in entry.comment
    # A translator approves one entry; a new run keeps it byte for byte and drafts nothing.
    path = config.catalog_path("en", articles[0].slug)
    catalog = read_catalog(path)
    catalog[0].msgstr, catalog[0].flags = "Approved by a human", []
    write_catalog(catalog, path)
    before = path.read_bytes()
    report = update_locale(config, "en", articles, open_engine(config, "en"))
    assert report.drafted == 0 and report.catalogs_written == []
    assert path.read_bytes() == before


def test_engine_none_leaves_msgstr_empty(tmp_path: Path):
    config = load_config(make_project(tmp_path, engine="none"))
    assert open_engine(config, "en") is None
    report = update_locale(config, "en", load_articles(config), None)
    assert report.drafted == 0 and report.entries > 100
    assert all(entry.msgstr == "" for entry in read_catalog(config.catalog_path("en", "immunotherapie")))


def test_missing_model_names_the_pair_and_the_fix(tmp_path: Path, installed_models):
    config = load_config(make_project(tmp_path, locales=("de",)))
    with pytest.raises(ModelError) as err:
        open_engine(config, "de")
    message = str(err.value)
    assert "no Argos model installed for fr→de" in message
    assert "lingopress models install translate-fr_de.argosmodel" in message and "--engine none" in message
