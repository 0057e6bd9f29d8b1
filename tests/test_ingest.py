from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, make_project, msgfmt_check
from lingopress.store.files import read_catalog
from support.project import load_article, load_articles, write_templates
from lingopress.config import load_config
from lingopress.errors import SourceError
from lingopress.catalogs.glossary import Glossary
from lingopress.ingest import build_template, parse_article

FRONT = '---\ntitle: "Titre"\nslug: essai\ndate: 2026-01-02\nsummary: "Résumé : court."\n---\n'

BODY = """
# Le titre **fort**

Un paragraphe avec `code_span()` et un [lien](https://example.org/a_b?x=1&y=2) qui
continue sur une deuxième ligne.

## Liste

- premier *élément*
- second élément avec https://exemple.fr/long_url_sans_lien
  1. imbriqué

> Une citation.

| Colonne A | Colonne B |
|-----------|-----------|
| cellule 1 | cellule 2 |

![Schéma du système immunitaire](images/schema.png)
"""


def units(text: str) -> list[tuple[str, str, int]]:
    article = parse_article(Path("sources/essai.md"), text)
    return [(s.kind, s.text, s.line) for s in article.segments]


def test_every_block_kind_is_one_unit_with_its_line():
    assert units(FRONT + BODY) == [
        ("title", "Titre", 2),
        ("summary", "Résumé : court.", 5),
        ("heading", "Le titre **fort**", 8),
        ("paragraph", "Un paragraphe avec `code_span()` et un [lien](https://example.org/a_b?x=1&y=2) "
                      "qui continue sur une deuxième ligne.", 10),
        ("heading", "Liste", 13),
        ("list item", "premier *élément*", 15),
        ("list item", "second élément avec https://exemple.fr/long_url_sans_lien", 16),
        ("list item", "imbriqué", 17),
        ("blockquote", "Une citation.", 19),
        ("table header", "Colonne A", 21),
        ("table header", "Colonne B", 21),
        ("table cell", "cellule 1", 23),
        ("table cell", "cellule 2", 23),
        ("image alt", "Schéma du système immunitaire", 25),
    ]


def test_inline_image_stays_inside_its_paragraph():
    found = units(FRONT + "\nVoir ![la figure](f.png) ci-dessus.\n")
    assert found[-1] == ("paragraph", "Voir ![la figure](f.png) ci-dessus.", 8)


def test_link_and_image_titles_are_units_after_their_block():
    text = FRONT + ('\nVoir le [calendrier](https://example.org/cal "Calendrier officiel").\n\n'
                    '![Schéma du cycle](cycle.png "Cycle de 21 jours")\n')
    assert units(text)[2:] == [
        ("paragraph", 'Voir le [calendrier](https://example.org/cal "Calendrier officiel").', 8),
        ("link title", "Calendrier officiel", 8),
        ("image alt", "Schéma du cycle", 10),
        ("image title", "Cycle de 21 jours", 10),
    ]
    details = [s.detail for s in parse_article(Path("sources/essai.md"), text).segments]
    assert details[3:6:2] == ["title of link https://example.org/cal", "title of image cycle.png"]


def test_tags_and_configured_fields_are_units_named_by_their_field():
    text = FRONT.replace("---\n", "---\ntags: [immunité, '', cancer]\nnote: Lire avant.\n", 1)[:-4] + "---\n\nTexte.\n"
    assert units(text)[:3] == [("title", "Titre", 4), ("summary", "Résumé : court.", 7), ("tags", "immunité", 2)]
    assert ("tags", "cancer", 2) in units(text) and ("note", "Lire avant.", 3) not in units(text)
    article = parse_article(Path("sources/essai.md"), text, fields=("title", "summary", "note"))
    assert [(s.kind, s.text) for s in article.segments][2:4] == [("note", "Lire avant."), ("paragraph", "Texte.")]
    pot = build_template(article, Glossary(), ("en",), "sources/essai.md")
    assert pot.find("Lire avant.", msgctxt="note").comment == "front matter: note"
    with pytest.raises(SourceError, match=r"'tags' must be text or a list of texts") as err:
        parse_article(Path("sources/essai.md"), text.replace("[immunité, '', cancer]", "{a: 1}"))
    assert err.value.line == 2


def test_template_has_references_context_and_comments(tmp_path: Path):
    project = make_project(tmp_path, sources={"essai.md": FRONT + BODY})
    config = load_config(project)
    written = write_templates(config, load_articles(config))
    assert written == ["translations/templates/essai.pot"]
    pot = read_catalog(config.template_path("essai"))
    heading = pot.find("Liste", msgctxt="heading")
    assert heading.occurrences == [("sources/essai.md", "13")]
    assert heading.comment == "heading level 2"
    assert pot.find("cellule 1", msgctxt="table cell") is not None
    # The file may continue a long URL on the next line, as GNU gettext does; the unit holds it whole.
    msgids = " ".join(entry.msgid for entry in pot)
    assert "https://example.org/a_b?x=1&y=2" in msgids and "`code_span()`" in msgids
    assert msgfmt_check(config.template_path("essai")).returncode == 0
    # Unchanged sources: nothing rewritten, not even the header date.
    assert write_templates(config, load_articles(config)) == []


def test_identical_units_share_one_entry_with_both_references():
    article = parse_article(Path("sources/essai.md"), FRONT + "\n- Oui\n\nTexte.\n\n- Oui\n")
    pot = build_template(article, Glossary(), ("en",), "sources/essai.md")
    entry = pot.find("Oui", msgctxt="list item")
    assert [line for _, line in entry.occurrences] == ["8", "12"]


def test_sample_articles_are_segmented():
    articles = load_articles(load_config(REPO))
    assert [a.slug for a in articles] == ["immunomodulation", "immunotherapie"]
    for article in articles:
        kinds = {segment.kind for segment in article.segments}
        assert {"title", "summary", "heading", "paragraph"} <= kinds
        assert all(segment.text and "\n" not in segment.text for segment in article.segments)


@pytest.mark.parametrize("content, message, line", [
    (b"", "file is empty", None),
    (b"\x00\x01binary", "file is binary", None),
    (FRONT.encode() + "\nCaf\xe9\n".encode("latin-1"), "not valid UTF-8", 8),
    (b"# Pas de front matter\n", "no YAML front matter", 1),
    (b"---\ntitle: a: b\n---\n", "invalid YAML front matter", 2),
    (b"---\ntitle: T\nslug: x\ndate: 2026-01-01\n---\n", "front matter lacks 'summary'", 2),
    (FRONT.replace("slug: essai", "slug: ../etc").encode(), "invalid slug '../etc'", 3),
    (FRONT.replace("slug: essai", "slug: a/b").encode(), "invalid slug 'a/b'", 3),
    (FRONT.replace("2026-01-02", "demain").encode(), "invalid date 'demain'", 4),
])
def test_bad_sources_are_reported_with_file_and_line(tmp_path: Path, content: bytes, message: str, line):
    path = tmp_path / "bad.md"
    path.write_bytes(content)
    with pytest.raises(SourceError) as err:
        load_article(path)
    assert message in str(err.value)
    assert err.value.path == path and err.value.line == line


def test_oversized_source_is_refused(tmp_path: Path):
    path = tmp_path / "big.md"
    path.write_bytes(FRONT.encode() + b"a" * (5 * 1024 * 1024))
    with pytest.raises(SourceError, match="over the 5 MB limit"):
        load_article(path)


def test_duplicate_slugs_and_missing_dir(tmp_path: Path):
    project = make_project(tmp_path, sources={"a.md": FRONT + "\nA.\n", "b.md": FRONT + "\nB.\n"})
    config = load_config(project)
    with pytest.raises(SourceError, match=r"duplicate slug 'essai', also used by sources/a.md") as err:
        load_articles(config)
    assert err.value.line == 3
    assert not (project / "translations").exists()
    (project / "sources" / "a.md").unlink()
    (project / "sources" / "b.md").unlink()
    (project / "sources").rmdir()
    with pytest.raises(SourceError, match="source directory does not exist"):
        load_articles(config)
