"""Property-based tests: catalogs round-trip any text, and no run ever loses approved work."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import polib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_project, msgfmt_check
from lingopress.catalogs.po import is_approved, new_catalog
from lingopress.config import load_config
from lingopress.store.files import read_catalog, write_catalog
from support.project import load_articles, update_locale

# Any Unicode text but surrogates and control characters other than tab and newline
# (GNU msgfmt rejects those in PO files).
unit_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n\"\\"),
    min_size=1, max_size=400,
).filter(lambda text: text.strip())


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(unit_text, min_size=1, max_size=8, unique=True),
       long_line=st.text(alphabet="abc déf/_:?=&", min_size=300, max_size=900))
def test_any_unit_text_round_trips_through_pot_and_po(texts: list[str], long_line: str):
    texts = texts + ["https://example.org/" + long_line.replace(" ", "_")]
    with tempfile.TemporaryDirectory() as tmp:
        for locale in (None, "ar"):
            po = new_catalog(locale, project="props")
            for index, text in enumerate(texts):
                po.append(polib.POEntry(msgctxt="paragraph", msgid=text,
                                        msgstr=text.upper() if locale else "",
                                        occurrences=[("sources/props.md", str(index + 1))]))
            path = Path(tmp) / ("props.pot" if locale is None else "props.po")
            write_catalog(po, path)
            check = msgfmt_check(path)
            assert check.returncode == 0, check.stderr
            back = read_catalog(path, locale=locale)
            assert [(e.msgid, e.msgstr) for e in back] == [(e.msgid, e.msgstr) for e in po]


SENTENCES = [
    "Le système immunitaire protège le corps contre les infections.",
    "Les lymphocytes T reconnaissent les cellules infectées.",
    "L'immunothérapie utilise les défenses naturelles de l'organisme.",
    "Les anticorps monoclonaux ciblent des protéines précises.",
    "Les effets secondaires sont en général modérés.",
    "Consultez votre médecin avant tout traitement.",
]

source_edit = st.one_of(
    st.tuples(st.just("reword"), st.integers(0, 20), st.sampled_from(["bien ", "très ", "souvent "])),
    st.tuples(st.just("replace"), st.integers(0, 20), st.sampled_from(SENTENCES)),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("insert"), st.integers(0, 20), st.sampled_from(SENTENCES)),
    st.tuples(st.just("revert")),
)
translator_edit = st.one_of(
    st.tuples(st.just("approve"), st.integers(0, 40)),
    st.tuples(st.just("retranslate"), st.integers(0, 40)),
    st.tuples(st.just("reopen"), st.integers(0, 40)),
)
step = st.one_of(source_edit, translator_edit, st.just(("run",)))


class Scenario:
    """A project with one article, its English catalog, and what translators approved."""

    def __init__(self, root: Path) -> None:
        self.paragraphs = list(SENTENCES[:4])
        self.original = list(self.paragraphs)
        self.project = make_project(root, locales=("en",), engine="none", sources={"a.md": self.text()})
        self.config = load_config(self.project)
        self.path = self.config.catalog_path("en", "a")
        self.kept: set[str] = set()  # approved translations that must never disappear
        self.counter = 0
        self.run()

    def text(self) -> str:
        body = "\n\n".join(self.paragraphs) if self.paragraphs else "Vide."
        return f'---\ntitle: "A"\nslug: a\ndate: 2026-01-01\nsummary: "S."\n---\n\n{body}\n'

    def edit_source(self, action: tuple) -> None:
        kind, *args = action
        if kind == "revert":
            self.paragraphs = list(self.original)
        elif kind == "insert":
            self.paragraphs.insert(args[0] % (len(self.paragraphs) + 1), args[1])
        elif self.paragraphs:
            index = args[0] % len(self.paragraphs)
            if kind == "reword":
                self.paragraphs[index] = self.paragraphs[index].replace(" ", f" {args[1]}", 1)
            elif kind == "replace":
                self.paragraphs[index] = args[1]
            else:
                del self.paragraphs[index]
        (self.project / "sources" / "a.md").write_text(self.text(), encoding="utf-8")

    def edit_translation(self, action: tuple) -> None:
        kind, index = action
        catalog = read_catalog(self.path)
        live = [entry for entry in catalog if not entry.obsolete]
        entry = live[index % len(live)]
        if kind in ("approve", "retranslate"):
            self.kept.discard(entry.msgstr)  # the translator replaces that text on purpose
            self.counter += 1
            entry.msgstr = f"EN {self.counter}: {entry.msgid[:20]}"
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            self.kept.add(entry.msgstr)
        elif kind == "reopen" and is_approved(entry):
            entry.flags.append("fuzzy")  # still kept: only the approval is withdrawn
        catalog.save(str(self.path))

    def run(self) -> None:
        before = read_catalog(self.path) if self.path.exists() else None
        report = update_locale(self.config, "en", load_articles(self.config), None)
        assert not report.failures
        after = read_catalog(self.path)
        translations = {entry.msgstr for entry in after}
        lost = self.kept - translations
        assert not lost, f"approved translations lost: {lost}"
        if before is not None:
            # An approved entry whose unit is unchanged stays approved, byte for byte.
            for entry in before:
                if is_approved(entry):
                    same = after.find(entry.msgid, msgctxt=entry.msgctxt)
                    if same is not None and not same.obsolete:
                        assert same.msgstr == entry.msgstr and is_approved(same)
        assert msgfmt_check(self.path).returncode == 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_random_edits_and_runs_never_lose_approved_translations(steps):
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Scenario(Path(tmp) / "project")
        for action in steps:
            if action[0] == "run":
                scenario.run()
            elif action[0] in ("approve", "retranslate", "reopen"):
                scenario.edit_translation(action)
            else:
                scenario.edit_source(action)
        scenario.run()
        assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(scenario.path)]).returncode == 0
