"""Draft: bring each locale's catalogs up to date with the templates and fill gaps with MT.

Machine output is always written fuzzy with a provenance note in the entry itself,
so nothing machine-made is ever taken for approved work.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from typing import Protocol

import polib

from .catalog import has_translation, merge_catalog, read_catalog, set_provenance, write_catalog
from .config import Config
from .errors import CatalogError
from .ingest import Article, build_template
from .memory import TranslationMemory, apply_memory
from .models import InstalledModel, require_model
from .runstate import file_digest, fingerprint, glossary_digest, is_current, load_records, save_records

log = logging.getLogger(__name__)
DRAFT_STAGE = "draft"

# Abbreviations after which a period does not end a French sentence.
_ABBREVIATIONS = ("p. ex.", "ex.", "Dr.", "Pr.", "M.", "Mme.", "Mlle.", "MM.", "etc.", "cf.",
                  "env.", "fig.", "vol.", "chap.", "n°.", "St.", "av.", "apr.", "J.-C.")
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"»”)]*\s+(?=[«\"“(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])")


class Engine(Protocol):
    """A machine-translation engine: source texts in, drafts out, same order."""

    provenance: str

    def translate(self, texts: Sequence[str]) -> list[str]: ...


@dataclass(frozen=True)
class CatalogReport:
    """What one (article, locale) update did."""

    slug: str
    locale: str
    path: str
    entries: int
    memory_exact: int
    memory_close: int
    drafted: int
    written: bool
    untranslated: int = 0  # entries still without any translation (engine none, empty drafts)


@dataclass
class DraftReport:
    locale: str
    drafted: int = 0
    entries: int = 0
    memory_exact: int = 0
    memory_close: int = 0
    catalogs_written: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # slug → error

    def add(self, unit: CatalogReport) -> None:
        self.drafted += unit.drafted
        self.entries += unit.entries
        self.memory_exact += unit.memory_exact
        self.memory_close += unit.memory_close
        if unit.written:
            self.catalogs_written.append(unit.path)


def split_sentences(text: str) -> list[str]:
    """Split a unit into sentences; MT models are trained on single sentences."""
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        before = text[start:match.start()].rstrip()
        if before.endswith(_ABBREVIATIONS) or re.search(r"\b[A-Z]\.$", before):
            continue
        pieces.append(text[start:match.start()].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


class ArgosEngine:
    """An Argos package's CTranslate2 model and tokenizer, driven directly.

    argostranslate.translate() runs its own sentence splitter (which downloads a model
    when the package embeds none) and translates a unit at a time; batching all
    sentences of a catalog into translate_batch is much faster.
    """

    def __init__(self, model: InstalledModel, *, beam_size: int = 2, device: str = "cpu",
                 max_batch_tokens: int = 2048) -> None:
        import ctranslate2  # heavy; only when drafting

        self.model = model
        self.provenance = f"argos {model.label}"
        self.beam_size = beam_size
        self.max_batch_tokens = max_batch_tokens
        self.translator = ctranslate2.Translator(str(model.path / "model"), device=device)
        metadata = json.loads((model.path / "metadata.json").read_text(encoding="utf-8"))
        self.target_prefix: str = metadata.get("target_prefix", "") or ""
        self._encode, self._decode = _tokenizer(model)

    def translate(self, texts: Sequence[str]) -> list[str]:
        split = [split_sentences(text) for text in texts]
        sentences = [sentence for parts in split for sentence in parts]
        translated = iter(self._translate_sentences(sentences))
        return [" ".join(next(translated) for _ in parts) for parts in split]

    def _translate_sentences(self, sentences: list[str]) -> list[str]:
        tokenized = [self._encode(sentence) for sentence in sentences]
        order = sorted(range(len(tokenized)), key=lambda i: len(tokenized[i]))
        results: list[str] = [""] * len(tokenized)
        # Chunks of similar length so the decoding limit (a guard against a model
        # repeating itself) can follow the input length.
        chunk: list[int] = []
        budget = 0
        for index in order + [-1]:
            size = len(tokenized[index]) if index >= 0 else 0
            if chunk and (index < 0 or budget + size > self.max_batch_tokens):
                self._translate_chunk(chunk, tokenized, results)
                chunk, budget = [], 0
            if index >= 0:
                chunk.append(index)
                budget += size
        return results

    def _translate_chunk(self, chunk: list[int], tokenized: list[list[str]], results: list[str]) -> None:
        batch = [tokenized[i] for i in chunk]
        longest = max(len(tokens) for tokens in batch)
        prefix = [[self.target_prefix]] * len(batch) if self.target_prefix else None
        outputs = self.translator.translate_batch(
            batch, target_prefix=prefix, beam_size=self.beam_size, replace_unknowns=True,
            max_batch_size=self.max_batch_tokens, batch_type="tokens",
            max_decoding_length=2 * longest + 10)
        for index, output in zip(chunk, outputs):
            tokens = output.hypotheses[0]
            if self.target_prefix and tokens[:1] == [self.target_prefix]:
                tokens = tokens[1:]
            results[index] = self._decode(tokens).strip()


def _tokenizer(model: InstalledModel):
    sp_path = model.path / "sentencepiece.model"
    if sp_path.exists():
        import sentencepiece

        # Not argostranslate's SentencePieceTokenizer: its decode turns every "_" into a
        # space, which breaks URLs and identifiers.
        processor = sentencepiece.SentencePieceProcessor(model_file=str(sp_path))
        return (lambda text: processor.encode(text, out_type=str),
                lambda tokens: processor.decode_pieces(tokens))
    import argostranslate.package

    tokenizer = argostranslate.package.Package(model.path).tokenizer
    return tokenizer.encode, tokenizer.decode


def open_engine(config: Config, locale: str) -> Engine | None:
    """The engine configured for a locale; None when drafts stay empty (--engine none)."""
    if config.engine == "none":
        return None
    model = require_model(config.argos, config.source_locale, locale)
    return ArgosEngine(model, beam_size=config.argos.beam_size)


def check_engine(config: Config, locale: str) -> str:
    """Fail early (before any file is written) when a locale's engine cannot run."""
    if config.engine == "none":
        return "none"
    return f"argos {require_model(config.argos, config.source_locale, locale).label}"


def draft_catalog(po: polib.POFile, engine: Engine | None) -> int:
    """Fill untranslated entries with fuzzy machine drafts; return how many were drafted."""
    if engine is None:
        return 0
    todo = [entry for entry in po if not entry.obsolete and not has_translation(entry)]
    if not todo:
        return 0
    drafts = engine.translate([entry.msgid for entry in todo])
    drafted = 0
    for entry, draft in zip(todo, drafts, strict=True):
        if not draft.strip():
            continue
        entry.msgstr = draft
        if "fuzzy" not in entry.flags:
            entry.flags.append("fuzzy")
        set_provenance(entry, f"machine draft: {engine.provenance}")
        drafted += 1
    return drafted


def update_catalog(config: Config, locale: str, article: Article, engine: Engine | None,
                   memory: TranslationMemory) -> CatalogReport:
    """One work unit: merge an article's catalog for a locale with its template, fill the
    gaps from translation memory, then by machine, and write it if anything changed."""
    path = config.catalog_path(locale, article.slug)
    existing = read_catalog(path, locale=locale) if path.exists() else None
    catalog = merge_catalog(build_template(article, config, locale), existing, locale, project=article.slug)
    reused, suggested = apply_memory(catalog, memory)
    drafted = draft_catalog(catalog, engine)
    written = write_catalog(catalog, path)
    return CatalogReport(slug=article.slug, locale=locale, path=config.relative(path),
                         entries=sum(1 for entry in catalog if not entry.obsolete),
                         memory_exact=reused, memory_close=suggested, drafted=drafted,
                         written=written,
                         untranslated=sum(1 for entry in catalog
                                          if not entry.obsolete and not has_translation(entry)))


@dataclass(frozen=True)
class DraftPlan:
    """Which (article, locale) units of a locale need work, and the memory to do it with."""

    locale: str
    stale: tuple[str, ...]  # slugs to update
    unchanged: tuple[str, ...]  # slugs skipped: same inputs as after their last update
    memory: TranslationMemory | None  # None when nothing is stale
    memory_digest: str
    provenance: str


def draft_fingerprint(config: Config, locale: str, article: Article, provenance: str,
                      glossary: str) -> str:
    """Everything update_catalog reads for one unit, except the memory (see plan_drafts)."""
    return fingerprint("draft", config.source_locale, locale, article.slug, article.source_hash,
                       config.relative(article.path), glossary, provenance,
                       file_digest(config.catalog_path(locale, article.slug)))


def plan_drafts(config: Config, locale: str, articles: Sequence[Article]) -> DraftPlan:
    """Skip the units whose inputs are byte for byte those of their last update.

    Translation memory only fills entries without a translation, so a unit whose catalog
    was complete is skipped on its own fingerprint; an incomplete one also needs the
    memory to be the same as when it was last updated (a translator approving an entry in
    another article may fill it).
    """
    provenance = check_engine(config, locale)
    glossary = glossary_digest(config)
    records = load_records(config, DRAFT_STAGE, locale)
    stale: list[str] = []
    unchanged: list[str] = []
    waiting: list[str] = []  # same inputs, incomplete: depends on the memory
    for article in articles:
        if not is_current(records, article.slug,
                          draft_fingerprint(config, locale, article, provenance, glossary)):
            stale.append(article.slug)
        elif records[article.slug].get("complete"):
            unchanged.append(article.slug)
        else:
            waiting.append(article.slug)
    memory, digest = None, ""
    if stale or waiting:
        memory = build_memory(config, locale, articles)
        digest = memory.digest()
        for slug in waiting:
            (unchanged if records[slug].get("memory") == digest else stale).append(slug)
    if not stale:
        memory = None
    return DraftPlan(locale, tuple(stale), tuple(unchanged), memory, digest, provenance)


def draft_record(config: Config, plan: DraftPlan, article: Article, report: CatalogReport) -> dict:
    """What to remember of a unit just updated (its catalog as written now)."""
    return {"fingerprint": draft_fingerprint(config, plan.locale, article, plan.provenance,
                                             glossary_digest(config)),
            "complete": report.untranslated == 0, "memory": plan.memory_digest}


def save_draft_records(config: Config, locale: str, articles: Sequence[Article],
                       updated: dict[str, dict]) -> bool:
    """Merge the records of units updated now into the locale's state; forget removed articles."""
    records = load_records(config, DRAFT_STAGE, locale)
    records.update(updated)
    return save_records(config, DRAFT_STAGE, locale, records, keep=[a.slug for a in articles])


def build_memory(config: Config, locale: str, articles: Sequence[Article]) -> TranslationMemory:
    """Approved translations of every readable catalog of the locale.

    A broken catalog contributes nothing here; its own work unit reports it.
    """
    memory = TranslationMemory()
    for article in articles:
        path = config.catalog_path(locale, article.slug)
        if not path.exists():
            continue
        try:
            memory.add_catalog(read_catalog(path), config.relative(path))
        except CatalogError:
            continue
    return memory


def update_locale(config: Config, locale: str, articles: Sequence[Article],
                  engine: Engine | None) -> DraftReport:
    """Update every article's catalog of one locale; a broken catalog fails alone."""
    report = DraftReport(locale)
    memory = build_memory(config, locale, articles)
    for article in articles:
        try:
            unit = update_catalog(config, locale, article, engine, memory)
        except CatalogError as err:
            report.failures[article.slug] = str(err)
            continue
        report.add(unit)
    log.info("%s: %d entries, %d drafted, %d catalogs written", locale, report.entries,
             report.drafted, len(report.catalogs_written))
    return report


_ENGINES: dict[tuple[Config, str], Engine | None] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(config: Config, locale: str) -> Engine | None:
    """One engine (one model load) per process and locale, shared by its work units."""
    with _ENGINES_LOCK:
        key = (config, locale)
        if key not in _ENGINES:
            _ENGINES[key] = open_engine(config, locale)
        return _ENGINES[key]
