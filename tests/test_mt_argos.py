"""Argos on CTranslate2: batched decoding, one load per process, settings, pivots."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

from conftest import make_project, msgfmt_check, sample_texts
from lingopress.store.files import read_catalog
from support.project import load_articles, update_locale
from lingopress.config import ArgosSettings, load_config
from lingopress.draft import draft_catalogs
from lingopress.errors import ModelError
from lingopress.models import install_file
from lingopress.mt import check_engine, open_engine
from lingopress.mt.argos import ArgosEngine, forget_translators, resolve_runtime
from lingopress.mt.pivot import PivotTranslator


class CountingTranslator:
    """Stands in front of the real ctranslate2.Translator and counts what goes through it."""

    def __init__(self, real) -> None:
        self.real = real
        self.calls: list[int] = []  # sentences per call
        self.tokens: list[int] = []  # padded source tokens per call

    def translate_batch(self, batch, **options):
        self.calls.append(len(batch))
        self.tokens.append(len(batch) * max(len(tokens) for tokens in batch))  # padded, as CT2 counts
        self.options = options
        return self.real.translate_batch(batch, **options)


def article_catalogs(config) -> list[polib.POFile]:
    """One catalog per sample article, every unit untranslated."""
    catalogs = []
    for article in load_articles(config):
        catalog = polib.POFile()
        for index, segment in enumerate(article.segments):
            catalog.append(polib.POEntry(msgctxt=f"{article.slug} {index}", msgid=segment.text, msgstr=""))
        catalogs.append(catalog)
    return catalogs


def test_a_locale_is_decoded_in_a_few_large_batches(tmp_path: Path, installed_models, monkeypatch):
    config = load_config(make_project(tmp_path, locales=("en",)))
    engine = open_engine(config, "en")
    assert isinstance(engine, ArgosEngine)
    counter = CountingTranslator(engine.translator.translator)
    monkeypatch.setattr(engine.translator, "translator", counter)
    translate_calls = []
    real_translate = engine.translate
    monkeypatch.setattr(engine, "translate", lambda texts: translate_calls.append(len(texts)) or real_translate(texts))

    catalogs = article_catalogs(config)
    units = sum(len(catalog) for catalog in catalogs)
    assert draft_catalogs(catalogs, engine) == units > 100

    # Both articles' units in one engine call; their sentences in a handful of decoder calls.
    assert translate_calls == [units]
    assert sum(counter.calls) > units  # sentences, not units
    budget = config.argos.max_batch_tokens
    assert len(counter.calls) <= sum(counter.tokens) // budget + 2
    # Every call is one full batch as CTranslate2 counts it (with padding): filled to the
    # budget but for less than one more sentence, so it does not split the call again.
    assert all(budget - 200 < tokens <= budget for tokens in counter.tokens[:-1])
    assert counter.tokens[-1] <= budget
    assert counter.options["batch_type"] == "tokens"
    assert counter.options["max_batch_size"] == budget
    assert counter.options["beam_size"] == config.argos.beam_size == 1
    assert all(entry.msgstr and "fuzzy" in entry.flags for catalog in catalogs for entry in catalog)


def test_identical_sentences_are_decoded_once(installed_models, monkeypatch, tmp_path: Path):
    config = load_config(make_project(tmp_path, locales=("en",)))
    engine = open_engine(config, "en")
    counter = CountingTranslator(engine.translator.translator)
    monkeypatch.setattr(engine.translator, "translator", counter)
    drafts = engine.translate(["Le système immunitaire. Les cellules.", "Les cellules. Le système immunitaire.",
                               "`code seul`"])
    assert sum(counter.calls) == 2  # two distinct sentences; the code-only unit never reaches MT
    assert drafts[2].text == "`code seul`" and drafts[2].notes == ()
    x, y = engine.translator.translate_sentences(["Le système immunitaire.", "Les cellules."])
    assert (drafts[0].text, drafts[1].text) == (f"{x} {y}", f"{y} {x}")


def test_the_model_is_loaded_once_per_process(tmp_path: Path, installed_models, monkeypatch):
    import ctranslate2

    loads = []
    real = ctranslate2.Translator
    monkeypatch.setattr(ctranslate2, "Translator", lambda *a, **k: loads.append(a) or real(*a, **k))
    forget_translators()
    config = load_config(make_project(tmp_path, locales=("en",)))
    first, second = open_engine(config, "en"), open_engine(config, "en")
    assert first.translator is second.translator and len(loads) == 1


def test_runtime_settings_resolve_auto_and_reach_ctranslate2():
    import ctranslate2

    runtime = resolve_runtime(ArgosSettings(threads=0))
    gpu = ctranslate2.get_cuda_device_count() > 0
    assert runtime.device == ("cuda" if gpu else "cpu")
    if not gpu and "int8" in ctranslate2.get_supported_compute_types("cpu"):
        assert runtime.compute_type == "int8"
    assert runtime.threads >= 1
    fixed = resolve_runtime(ArgosSettings(device="cpu", compute_type="float32", threads=1, beam_size=3,
                                          max_batch_tokens=512))
    assert (fixed.device, fixed.compute_type, fixed.threads, fixed.beam_size, fixed.max_batch_tokens) == \
        ("cpu", "float32", 1, 3, 512)


def test_argos_settings_come_from_lingopress_toml(tmp_path: Path, installed_models):
    project = make_project(tmp_path, locales=("en",))
    toml = project / "lingopress.toml"
    toml.write_text(toml.read_text() + 'device = "cpu"\ncompute_type = "float32"\nthreads = 1\n'
                    "max_batch_tokens = 256\n", encoding="utf-8")
    config = load_config(project)
    engine = open_engine(config, "en")
    runtime = engine.translator.runtime
    assert (runtime.device, runtime.compute_type, runtime.threads, runtime.max_batch_tokens) == \
        ("cpu", "float32", 1, 256)
    assert engine.translator.translator.compute_type == "float32"
    assert all(d.text for d in engine.translate(["Une phrase.", "Une autre phrase, plus longue."]))


@pytest.fixture(scope="module")
def pivot_packages(tmp_path_factory) -> Path:
    """fr→en and en→de installed in their own folder: no direct fr→de."""
    from support.tiny_argos import build_argos_package

    root = tmp_path_factory.mktemp("pivot")
    english = ["The immune system protects the body against disease.",
               "Immunotherapy uses the immune system to fight cancer."] * 20
    settings = ArgosSettings(packages_dir=root / "packages", download=False)
    install_file(settings, build_argos_package(root / "dist", from_code="fr", to_code="en",
                                               corpus=sample_texts(), seed=3))
    install_file(settings, build_argos_package(root / "dist", from_code="en", to_code="de",
                                               corpus=english + sample_texts(), seed=4))
    return root / "packages"


def pivot_project(tmp_path: Path, packages: Path, *, pivot: str = "en") -> Path:
    project = make_project(tmp_path, locales=("de",))
    toml = project / "lingopress.toml"
    toml.write_text(toml.read_text() + f'packages_dir = "{packages}"\npivot = "{pivot}"\n', encoding="utf-8")
    return project


def test_pivot_through_english_when_no_direct_package(tmp_path: Path, pivot_packages: Path, monkeypatch):
    config = load_config(pivot_project(tmp_path, pivot_packages))
    assert check_engine(config, "de") == "argos fr→en→de (translate-fr_en 1.9 + translate-en_de 1.9)"
    engine = open_engine(config, "de")
    assert isinstance(engine.translator, PivotTranslator)
    first, second = engine.translator.legs
    assert (first.model.to_code, second.model.from_code, second.model.to_code) == ("en", "en", "de")
    counters = [CountingTranslator(leg.translator) for leg in engine.translator.legs]
    for leg, counter in zip(engine.translator.legs, counters):
        monkeypatch.setattr(leg, "translator", counter)

    articles = load_articles(config)
    report = update_locale(config, "de", articles, engine)
    assert report.drafted == report.entries > 100
    # The first leg saw every French sentence, the second every distinct English output.
    assert sum(counters[0].calls) >= sum(counters[1].calls) > report.entries // 2
    assert len(counters[1].calls) < 10
    path = config.catalog_path("de", articles[0].slug)
    assert msgfmt_check(path).returncode == 0
    text = path.read_text(encoding="utf-8")
    assert "#. machine draft: argos fr→en→de (translate-fr_en 1.9 + translate-en_de 1.9)" in text
    assert all(entry.msgstr for entry in read_catalog(path))


def test_pivot_can_be_turned_off(tmp_path: Path, pivot_packages: Path):
    config = load_config(pivot_project(tmp_path, pivot_packages, pivot=""))
    with pytest.raises(ModelError, match="no Argos model installed for fr→de"):
        check_engine(config, "de")


def test_missing_route_names_the_direct_and_the_pivot_packages(tmp_path: Path, pivot_packages: Path):
    project = pivot_project(tmp_path, pivot_packages)
    config = load_config(project, locales=["es"])
    with pytest.raises(ModelError) as err:
        open_engine(config, "es")
    message = str(err.value)
    assert "no Argos model installed for fr→es" in message
    assert "translate-fr_es.argosmodel" in message and "fr→en and en→es" in message
