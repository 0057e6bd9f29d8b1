"""Translation memory and the rule that nothing is sent to the engine twice."""

from __future__ import annotations

from pathlib import Path

from conftest import make_project
from lingopress.store.files import read_catalog, write_catalog
from support.project import load_articles, update_locale
from lingopress.config import load_config
from lingopress.draft import open_engine

FRONT = '---\ntitle: "{title}"\nslug: {slug}\ndate: 2026-01-01\nsummary: "Résumé {slug}."\n---\n\n'
SHARED = "Les lymphocytes T reconnaissent les cellules infectées par un virus."
CLOSE = "Les lymphocytes T reconnaissent les cellules infectées par les virus."


class CountingEngine:
    """The real Argos engine, counting what is sent to it."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.provenance = engine.provenance
        self.texts: list[str] = []

    def translate(self, texts):
        self.texts.extend(texts)
        return self.engine.translate(texts)


def approve(path: Path, msgid: str, msgstr: str) -> None:
    catalog = read_catalog(path)
    entry = catalog.find(msgid)
    entry.msgstr = msgstr
    entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
    write_catalog(catalog, path)


def test_memory_reuses_exact_and_suggests_close_matches(tmp_path: Path, installed_models):
    project = make_project(tmp_path, locales=("en",), sources={
        "a.md": FRONT.format(title="A", slug="a") + f"# Titre A\n\n{SHARED}\n",
    })
    config = load_config(project)
    engine = CountingEngine(open_engine(config, "en"))
    update_locale(config, "en", load_articles(config), engine)
    assert len(engine.texts) == 4  # title, summary, heading, paragraph
    approve(config.catalog_path("en", "a"), SHARED, "T cells recognise cells infected by a virus.")

    (project / "sources" / "b.md").write_text(
        FRONT.format(title="B", slug="b") + f"# Titre B\n\n{SHARED}\n\n- {CLOSE}\n", encoding="utf-8")
    engine.texts.clear()
    report = update_locale(config, "en", load_articles(config), engine)
    assert (report.memory_exact, report.memory_close) == (1, 1)
    # Only what neither a catalog nor the memory could fill went to the engine.
    assert sorted(engine.texts) == ["B", "Résumé b.", "Titre B"]

    catalog = read_catalog(config.catalog_path("en", "b"))
    exact = catalog.find(SHARED)
    assert exact.msgstr == "T cells recognise cells infected by a virus." and "fuzzy" not in exact.flags
    a_lines = config.catalog_path("en", "a").read_text(encoding="utf-8").splitlines()
    line = next(n for n, row in enumerate(a_lines, 1) if row.startswith(f'msgid "{SHARED[:20]}'))
    while a_lines[line - 2].startswith(("#", "msgctxt")):  # an entry starts at its first comment
        line -= 1
    assert f"translation memory: exact match from translations/en/a.po:{line}" in exact.comment
    close = catalog.find(CLOSE, msgctxt="list item")
    assert close.msgstr == exact.msgstr and "fuzzy" in close.flags
    # Indel similarity of the two sentences (68 and 69 characters): 96 %.
    assert f"translation memory: 96% match from translations/en/a.po:{line}" in close.comment
    assert "machine draft" not in close.comment

    # A third run sends nothing at all: every entry already has a draft or a translation.
    engine.texts.clear()
    report = update_locale(config, "en", load_articles(config), engine)
    assert engine.texts == [] and report.drafted == 0 and report.catalogs_written == []


def test_unapproved_drafts_are_not_memory(tmp_path: Path, installed_models):
    project = make_project(tmp_path, locales=("en",), sources={
        "a.md": FRONT.format(title="A", slug="a") + f"{SHARED}\n"})
    config = load_config(project)
    engine = CountingEngine(open_engine(config, "en"))
    update_locale(config, "en", load_articles(config), engine)
    (project / "sources" / "b.md").write_text(FRONT.format(title="B", slug="b") + f"{SHARED}\n",
                                              encoding="utf-8")
    report = update_locale(config, "en", load_articles(config), engine)
    assert report.memory_exact == report.memory_close == 0
    assert SHARED in engine.texts[-3:]
