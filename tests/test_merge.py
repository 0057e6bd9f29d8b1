"""Catalog merging pinned against GNU msgmerge on the same inputs."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import polib
import pytest

from conftest import REPO
from lingopress.catalogs.po import merge_catalog
from lingopress.config import load_config
from lingopress.store.files import read_catalog, write_catalog
from support.project import load_article, load_articles, template_for


def msgmerge(old: Path, template: Path, out: Path) -> polib.POFile:
    subprocess.run(["msgmerge", "--quiet", "--previous", "--no-wrap", "-o", str(out), str(old), str(template)],
                   check=True)
    return polib.pofile(str(out))


def owned_by_msgmerge(po: polib.POFile) -> list[tuple]:
    """What msgmerge decides: order, identity, translation, fuzziness, previous source,
    translator comments, references, obsolescence (not extracted comments: lingopress keeps
    its provenance notes there on purpose)."""
    return [(e.obsolete, e.msgctxt, e.msgid, e.msgstr, "fuzzy" in e.flags, e.previous_msgctxt,
             e.previous_msgid, e.tcomment, [] if e.obsolete else e.occurrences) for e in po if e.msgid]


def edit_text(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    index = rng.randrange(len(words))
    words[index] = words[index][::-1] if len(words) > 3 else words[index] + " modifié"
    return " ".join(words)


def scenario(seed: int, tmp_path: Path) -> tuple[Path, Path]:
    """A translated catalog of a real article, then the article edited at random."""
    rng = random.Random(seed)
    config = load_config(REPO)
    article = next(a for a in load_articles(config) if a.slug == "immunomodulation")
    old = merge_catalog(template_for(config, article), None, "de", project=article.slug)
    for entry in old:
        roll = rng.random()
        if roll < 0.6:
            entry.msgstr = f"DE {entry.msgid[::-1]}"
            entry.tcomment = "geprüft" if roll < 0.1 else ""
        elif roll < 0.75:
            entry.msgstr = f"DE? {entry.msgid}"
            entry.flags.append("fuzzy")
    obsolete = polib.POEntry(msgctxt="paragraph", msgid="Un ancien paragraphe disparu depuis longtemps.",
                             msgstr="Ein alter Absatz.", obsolete=True)
    old.append(obsolete)
    old_path = tmp_path / "old.po"
    write_catalog(old, old_path)

    text = article.text
    units = [s for s in article.segments if s.kind in ("paragraph", "list item", "heading")]
    for unit in rng.sample(units, 12):
        roll = rng.random()
        if unit.text not in text:
            continue
        if roll < 0.5:
            text = text.replace(unit.text, edit_text(unit.text, rng), 1)
        elif roll < 0.7:
            text = text.replace(unit.text, "Un tout nouveau paragraphe sans rapport aucun.", 1)
        elif roll < 0.85:
            text = text.replace(unit.text, "Un ancien paragraphe disparu depuis longtemps.", 1)
        else:
            text = text.replace(unit.text, unit.text.upper(), 1)
    source = tmp_path / "sources" / "immunomodulation.md"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(text, encoding="utf-8")
    edited = load_article(source)
    template = template_for(config, edited)
    template_path = tmp_path / "new.pot"
    write_catalog(template, template_path)
    return old_path, template_path


@pytest.mark.parametrize("seed", range(6))
def test_merge_matches_gnu_msgmerge(tmp_path: Path, seed: int):
    old_path, template_path = scenario(seed, tmp_path)
    expected = msgmerge(old_path, template_path, tmp_path / "msgmerge.po")
    ours = merge_catalog(read_catalog(template_path), read_catalog(old_path), "de", project="immunomodulation")
    assert owned_by_msgmerge(ours) == owned_by_msgmerge(expected)
    assert any("fuzzy" in e.flags and e.previous_msgid for e in ours), "scenario exercised no fuzzy match"
    assert any(e.obsolete for e in ours)
