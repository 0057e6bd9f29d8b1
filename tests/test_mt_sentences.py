"""French-aware sentence splitting (sentencex plus a French layer)."""

from __future__ import annotations

import pytest

from lingopress.mt.sentences import split_sentences


@pytest.mark.parametrize("text, expected", [
    ("Une phrase. Une autre !", ["Une phrase.", "Une autre !"]),
    ("Pas de fin", ["Pas de fin"]),
    ("C'est fini ! Vraiment ? Oui.", ["C'est fini !", "Vraiment ?", "Oui."]),
    # Titles with and without a period.
    ("Le Dr. Martin arrive. Il part.", ["Le Dr. Martin arrive.", "Il part."]),
    ("Le Dr Martin arrive. Il part.", ["Le Dr Martin arrive.", "Il part."]),
    ("Le Pr. Dupont et M. Durand. Ils arrivent.", ["Le Pr. Dupont et M. Durand.", "Ils arrivent."]),
    ("William B. Coley a commencé. Puis.", ["William B. Coley a commencé.", "Puis."]),
    # "p. ex." never ends a sentence, even before a capital; "etc." does before a capital.
    ("Des cellules, p. ex. Les lymphocytes.", ["Des cellules, p. ex. Les lymphocytes."]),
    ("Les cellules T (p. ex. CD8) attaquent. Elles tuent.",
     ["Les cellules T (p. ex. CD8) attaquent.", "Elles tuent."]),
    ("Des virus, des bactéries, etc. Ensuite, on les classe.",
     ["Des virus, des bactéries, etc.", "Ensuite, on les classe."]),
    ("Les virus, etc. sont partout.", ["Les virus, etc. sont partout."]),
    # Numbers with units and decimal commas.
    ("Taille 1,8 m². Poids 70 kg.", ["Taille 1,8 m².", "Poids 70 kg."]),
    ("La surface est de 1,8 m² environ. Elle varie.", ["La surface est de 1,8 m² environ.", "Elle varie."]),
    # Ellipses: a boundary before a capital, not before a lower-case word.
    ("Il attend… Puis il part.", ["Il attend…", "Puis il part."]),
    ("Il attend... Puis il part.", ["Il attend...", "Puis il part."]),
    ("Il hésite… puis part.", ["Il hésite… puis part."]),
    # Guillemets.
    ("Vraiment ? « Oui. » Puis…", ["Vraiment ?", "« Oui. »", "Puis…"]),
    ("Il a dit « Non. Jamais. » et il est parti.", ["Il a dit « Non. Jamais. » et il est parti."]),
    ("Bien que qualifiée de « toxines de Coley », cette approche a jeté les bases. Puis.",
     ["Bien que qualifiée de « toxines de Coley », cette approche a jeté les bases.", "Puis."]),
    # Single capitals that end a sentence are not initials.
    ("C'est la vitamine D. Elle aide.", ["C'est la vitamine D.", "Elle aide."]),
    ("Les lymphocytes T et B. Ils aident.", ["Les lymphocytes T et B.", "Ils aident."]),
    ("En 50 av. J.-C. Rome régnait.", ["En 50 av. J.-C. Rome régnait."]),
])
def test_french_sentences(text: str, expected: list[str]):
    assert split_sentences(text) == expected


def test_sentences_keep_the_text_verbatim():
    text = "Un  double  espace, p. ex. ici. Et   un autre « guillemet »… Fin !"
    pieces = split_sentences(text)
    assert pieces == ["Un  double  espace, p. ex. ici.", "Et   un autre « guillemet »…", "Fin !"]
    position = 0
    for piece in pieces:  # each piece is an exact substring, in order
        position = text.index(piece, position) + len(piece)
