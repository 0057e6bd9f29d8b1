"""A small project with drafted catalogs, and translating its entries as a translator would."""

from __future__ import annotations

from pathlib import Path

from conftest import make_project
from lingopress.config import Config, load_config
from lingopress.store.files import read_catalog, write_catalog
from support.project import load_articles, update_locale

FRONT = '---\ntitle: "{title}"\nslug: {slug}\ndate: 2026-01-01\nsummary: "Résumé {slug}."\n---\n\n'
SHARED = "Les lymphocytes T reconnaissent les cellules infectées par un virus."
ALPHA = "Le facteur 𝛼 augmente la réponse immunitaire 💉."


def drafted_project(root: Path, *, locales: tuple[str, ...] = ("en", "ar"), body: str | None = None) -> Config:
    """Article `a` (title, summary, heading, two paragraphs), its catalogs drafted without an engine."""
    body = body if body is not None else f"# Titre A\n\n{SHARED}\n\n{ALPHA}\n"
    project = make_project(root, locales=locales, engine="none",
                           sources={"a.md": FRONT.format(title="A", slug="a") + body})
    config = load_config(project)
    draft(config)
    return config


def draft(config: Config) -> dict:
    articles = load_articles(config)
    return {locale: update_locale(config, locale, articles, None) for locale in config.target_locales}


def translate(config: Config, locale: str, msgid: str, msgstr: str, *, approved: bool = True) -> None:
    """What a translator does in Poedit: fill the entry and approve it (or leave it fuzzy)."""
    path = config.catalog_path(locale, "a")
    catalog = read_catalog(path)
    entry = next(entry for entry in catalog if entry.msgid == msgid)
    entry.msgstr = msgstr
    entry.flags = [flag for flag in entry.flags if flag != "fuzzy"] + ([] if approved else ["fuzzy"])
    write_catalog(catalog, path)


def entry(config: Config, locale: str, msgid: str):
    return next(entry for entry in read_catalog(config.catalog_path(locale, "a")) if entry.msgid == msgid)
