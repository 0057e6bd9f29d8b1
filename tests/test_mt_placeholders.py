"""Markup protection: placeholders in, original spans back, lost ones reported."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_project, msgfmt_check
from lingopress.store.files import read_catalog, write_catalog
from lingopress.config import load_config
from lingopress.draft import draft_catalog
from lingopress.mt import open_engine
from lingopress.mt.base import NOTE_WIDTH, finish
from lingopress.mt.placeholders import has_words, keep_markers_with_words, protect, restore
from lingopress.mt.sentences import split_sentences


@pytest.mark.parametrize("text, protected, spans", [
    ("Du **gras** et de l'*italique*.", "Du [1]gras[2] et de l'[3]italique[4].", ["**", "**", "*", "*"]),
    ("Voir [le site](https://x.org/a_b \"Titre\").", "Voir [1]le site[2].",
     ["[", '](https://x.org/a_b "Titre")']),
    ("Lancer `npm install` puis ``a ` b``.", "Lancer [1] puis [2].", ["`npm install`", "``a ` b``"]),
    ("Écrire à jean.dupont@chu-lyon.fr ou <https://has-sante.fr>.", "Écrire à [1] ou [2].",
     ["jean.dupont@chu-lyon.fr", "<https://has-sante.fr>"]),
    ("Lire https://www.has-sante.fr/jcms/c_1234/fr, puis www.inserm.fr.", "Lire [1], puis [2].",
     ["https://www.has-sante.fr/jcms/c_1234/fr", "www.inserm.fr"]),
    ("Il mesure 1,8 m², reçoit 5 mg/kg à 37,5 °C, 20 % des cas, 120 mmHg.",
     "Il mesure [1], reçoit [2] à [3], [4] des cas, [5].",
     ["1,8 m²", "5 mg/kg", "37,5 °C", "20 %", "120 mmHg"]),
    ("![Schéma du **thymus**](img/thymus.png)", "[1]Schéma du [2]thymus[3][4]",
     ["![", "**", "**", "](img/thymus.png)"]),
    ("Ligne\\\nsuivante &amp; \\*pas gras\\*.", "Ligne[1]suivante [2] [3]pas gras[4].",
     ["\\\n", "&amp;", "\\*", "\\*"]),
    # Text that already looks like a placeholder is protected too, so it cannot collide.
    ("Selon l'étude [2], en 2020.", "Selon l'étude [1], en 2020.", ["[2]"]),
    # Not markup: an intraword underscore, a lone star, years and bare numbers.
    ("Le gène snake_case et 5 * 3 en 2021, 12 patients.", "Le gène snake_case et 5 * 3 en 2021, 12 patients.", []),
])
def test_protect_replaces_what_mt_must_not_touch(text, protected, spans):
    result = protect(text)
    assert result.text == protected
    assert [span for span, _ in result.spans] == spans
    back = restore(result, result.text)
    assert back.text == text and back.lost == ()


markdownish = st.text(alphabet=st.sampled_from(list("ab é*_`[]()<>!\\&;#:/.@1,2 m%°C\n~\"'")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(markdownish)
def test_round_trip_is_exact_for_any_text(text):
    protected = protect(text)
    assert restore(protected, protected.text).text == text
    # Sentence splitting (as the engines do it) loses no placeholder and no character.
    joined = " ".join(keep_markers_with_words(protected, split_sentences(protected.text)))
    assert "".join(joined.split()) == "".join(protected.text.split())
    assert restore(protected, joined).lost == ()


def test_engine_spacing_around_markers_is_repaired():
    protected = protect("Du **gras**, un [lien](https://x.org) et `code`.")
    translated = "Some [1] bold [2], a [ 3 ] link [4 ] and [5]."
    assert restore(protected, translated).text == "Some **bold**, a [link](https://x.org) and `code`."


def test_lost_placeholders_are_reported_and_the_draft_kept():
    protected = protect("Voir **gras** et [lien](https://x.org/a) ou `x`.")
    restored = restore(protected, "See bold and [3]link[7].")
    assert restored.text == "See bold and [link[7]."  # [7] was never ours: left as text
    assert restored.lost == ("**", "**", "](https://x.org/a)", "`x`")
    draft = finish(protected, "See bold and [3]link[7].")
    assert draft.text == restored.text
    assert draft.notes == ('lost markup (see the source): "**", "**"',
                           'lost markup (see the source): "](https://x.org/a)", "`x`"')
    assert all(len(note) <= NOTE_WIDTH for note in draft.notes)


def test_notes_are_short_single_lines():
    draft = finish(protect("Un\\\ndeux"), "One two")
    assert draft.notes == ('lost markup (see the source): "\\\\\\n"',)
    long_url = "https://www.has-sante.fr/jcms/p_3000000/fr/un-tres-long-chemin-de-recommandation"
    draft = finish(protect(f"Lire {long_url} ici."), "Read here.")
    assert len(draft.notes) == 1 and len(draft.notes[0]) == NOTE_WIDTH
    assert draft.notes[0].startswith('lost markup (see the source): "https://www.') \
        and draft.notes[0].endswith("…")


def test_markers_follow_their_words_across_sentence_boundaries():
    protected = protect("Fin. **Gras.** Puis **encore**.")
    assert protected.text == "Fin. [1]Gras.[2] Puis [3]encore[4]."
    pieces = keep_markers_with_words(protected, split_sentences(protected.text))
    assert pieces == ["Fin.", "[1]Gras.[2]", "Puis [3]encore[4]."]


def test_units_without_words_are_not_sent_to_mt():
    assert not has_words(protect("`npm install`").text)
    assert not has_words(protect("https://x.org 5 mg").text)
    assert has_words(protect("Voir https://x.org").text)


class EchoEngine:
    """Gives back the protected text it receives, minus the placeholders it is told to drop."""

    provenance = "echo test 1"

    def __init__(self, drop: str = "") -> None:
        self.drop = drop

    def translate(self, texts):
        return [finish(protect(text), protect(text).text.replace(self.drop, "")) for text in texts]


def test_draft_catalog_writes_a_note_when_markup_is_lost(tmp_path: Path):
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    catalog.append(polib.POEntry(msgid="Voir [le site](https://x.org).", msgstr=""))
    catalog.append(polib.POEntry(msgid="Du **gras**.", msgstr=""))
    assert draft_catalog(catalog, EchoEngine(drop="[2]")) == 2
    link, bold = catalog
    assert link.msgstr == "Voir [le site."
    assert link.comment.splitlines() == [
        "machine draft: echo test 1",
        'machine draft: lost markup (see the source): "](https://x.org)"']
    assert bold.msgstr == "Du **gras." and "fuzzy" in bold.flags
    path = tmp_path / "x.po"
    write_catalog(catalog, path)
    assert msgfmt_check(path).returncode == 0
    # Short enough that polib does not wrap it: a merge keeps both lines.
    assert '#. machine draft: lost markup (see the source): "](https://x.org)"\n' \
        in path.read_text(encoding="utf-8")
    # The note is replaced, not piled up, when the entry is drafted again.
    link.msgstr = ""
    draft_catalog(catalog, EchoEngine())
    assert link.comment == "machine draft: echo test 1" and link.msgstr == "Voir [le site](https://x.org)."


def test_real_tiny_model_loses_placeholders_and_the_catalog_says_so(tmp_path: Path, installed_models):
    """The random-weight model outputs corpus words, never our placeholders: every draft of
    a unit with markup must carry the note, and the catalog stays valid."""
    source = ("---\ntitle: \"Essai\"\nslug: essai\ndate: 2026-01-01\nsummary: \"Un essai.\"\n---\n\n"
              "Le **système immunitaire** protège l'organisme, voir [le guide](https://x.org/guide_1).\n\n"
              "La dose est de 5 mg/kg par jour.\n\nUn paragraphe sans balisage.\n")
    project = make_project(tmp_path, locales=("en",), sources={"essai.md": source})
    config = load_config(project)
    from support.project import update_locale
    from support.project import load_articles

    report = update_locale(config, "en", load_articles(config), open_engine(config, "en"))
    assert report.drafted == report.entries == 5
    path = config.catalog_path("en", "essai")
    assert msgfmt_check(path).returncode == 0
    entries = {entry.msgid: entry for entry in read_catalog(path)}
    marked = entries["Le **système immunitaire** protège l'organisme, voir [le guide](https://x.org/guide_1)."]
    assert marked.msgstr and "fuzzy" in marked.flags
    restored = [span for span in ("**", "[", "](https://x.org/guide_1)") if span in marked.msgstr]
    note = "\n".join(line for line in marked.comment.splitlines() if "lost markup" in line)
    assert note or len(restored) == 3  # either all markup came back, or the note says what did not
    for span in ("**", "[", "](https://x.org/guide_1)"):
        assert span in marked.msgstr or f'"{span}"' in note
    # Notes survive the next run's merge (they keep the "machine draft:" prefix on every line).
    update_locale(config, "en", load_articles(config), open_engine(config, "en"))
    again = {entry.msgid: entry for entry in read_catalog(path)}[marked.msgid]
    assert again.comment == marked.comment
    plain = entries["Un paragraphe sans balisage."]
    assert plain.comment.splitlines()[-1] == "machine draft: argos translate-fr_en 1.9"
    assert "lost markup" not in plain.comment
