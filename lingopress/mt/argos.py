"""Argos packages driven directly: their CTranslate2 model and SentencePiece tokenizer.

argostranslate.translate() splits sentences with a model it downloads (or spaCy),
tokenizes and translates one unit at a time in batches of 32 tokens. Here every
sentence a locale needs is tokenized in one call, deduplicated, sorted by length and
decoded in large `translate_batch` calls (`batch_type="tokens"`), with one model load
per process (the translators are cached).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from ..config import ArgosSettings
from ..models import InstalledModel
from .base import Draft, SentenceTranslator, finish
from .placeholders import has_words, keep_markers_with_words, protect
from .progress import Advance, track
from .sentences import split_sentences

log = logging.getLogger(__name__)

# A guard against a model that repeats itself: decoding stops after this many tokens
# beyond twice the longest source sentence of the batch.
DECODING_MARGIN = 32


@dataclass(frozen=True)
class Runtime:
    """Resolved CTranslate2 settings (no "auto" left)."""

    device: str
    compute_type: str
    threads: int
    beam_size: int
    max_batch_tokens: int


def resolve_runtime(settings: ArgosSettings) -> Runtime:
    import ctranslate2

    device = settings.device
    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    compute_type = settings.compute_type
    if compute_type == "auto":
        supported = ctranslate2.get_supported_compute_types(device)
        preferred = ("int8_float16", "int8") if device == "cuda" else ("int8",)
        compute_type = next((kind for kind in preferred if kind in supported), "default")
    threads = settings.threads or _usable_cores()
    return Runtime(device, compute_type, threads, settings.beam_size, settings.max_batch_tokens)


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ArgosTranslator:
    """One Argos package: sentences in (source language), sentences out (target language)."""

    def __init__(self, model: InstalledModel, runtime: Runtime) -> None:
        import ctranslate2

        self.model = model
        self.runtime = runtime
        self.translator = ctranslate2.Translator(
            str(model.path / "model"), device=runtime.device, compute_type=runtime.compute_type,
            intra_threads=runtime.threads if runtime.device == "cpu" else 0, inter_threads=1)
        metadata = json.loads((model.path / "metadata.json").read_text(encoding="utf-8"))
        self.target_prefix: str = metadata.get("target_prefix", "") or ""
        self.tokenizer = _Tokenizer(model)
        log.info("loaded %s on %s (%s, %d threads)", model.label, runtime.device,
                 runtime.compute_type, runtime.threads)

    @property
    def label(self) -> str:
        return self.model.label

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.model.from_code, self.model.to_code)

    def translate_sentences(self, sentences: Sequence[str], advance: Advance | None = None) -> list[str]:
        """Translate sentences, each on its own, in as few translate_batch calls as the
        batch size allows; `advance(n)` is called as batches finish."""
        unique = list(dict.fromkeys(sentences))
        tokens = self.tokenizer.encode(unique)
        order = sorted(range(len(unique)), key=lambda i: len(tokens[i]))
        results: list[str] = [""] * len(unique)
        budget = self.runtime.max_batch_tokens
        start = 0
        while start < len(order):
            # Sorted by length, a chunk has little padding, and its decoding limit can follow
            # its own longest sentence. CTranslate2 counts a batch's tokens with padding
            # (sentences × longest): filling each call to exactly that keeps it from
            # splitting the call into a full batch and a small leftover one.
            end = start + 1
            while end < len(order) and (end - start + 1) * len(tokens[order[end]]) <= budget:
                end += 1
            chunk = order[start:end]
            batch = [tokens[i] for i in chunk]
            outputs = self.translator.translate_batch(
                batch, target_prefix=[[self.target_prefix]] * len(batch) if self.target_prefix else None,
                beam_size=self.runtime.beam_size, replace_unknowns=True,
                max_batch_size=budget, batch_type="tokens",
                max_decoding_length=2 * len(batch[-1]) + DECODING_MARGIN)
            hypotheses = [self._strip_prefix(output.hypotheses[0]) for output in outputs]
            for index, text in zip(chunk, self.tokenizer.decode(hypotheses)):
                results[index] = text.strip()
            if advance is not None:
                advance(len(chunk))
            start = end
        by_sentence = dict(zip(unique, results))
        return [by_sentence[sentence] for sentence in sentences]

    def _strip_prefix(self, tokens: list[str]) -> list[str]:
        if self.target_prefix and tokens[:1] == [self.target_prefix]:
            return tokens[1:]
        return tokens


class _Tokenizer:
    """The package's tokenizer, on whole lists at a time."""

    def __init__(self, model: InstalledModel) -> None:
        sp_path = model.path / "sentencepiece.model"
        if sp_path.exists():
            import sentencepiece

            # Not argostranslate's SentencePieceTokenizer: its decode turns every "_" into
            # a space (breaking URLs and identifiers), and it works a sentence at a time.
            self._sp = sentencepiece.SentencePieceProcessor(model_file=str(sp_path))
            self._argos = None
        else:
            import argostranslate.package

            self._sp = None
            self._argos = argostranslate.package.Package(model.path).tokenizer

    def encode(self, texts: list[str]) -> list[list[str]]:
        if self._sp is not None:
            return self._sp.encode(texts, out_type=str)
        return [self._argos.encode(text) for text in texts]

    def decode(self, pieces: list[list[str]]) -> list[str]:
        if self._sp is not None:
            return self._sp.decode_pieces(pieces) if pieces else []
        return [self._argos.decode(tokens) for tokens in pieces]


_loaded: dict[tuple[InstalledModel, Runtime], ArgosTranslator] = {}
_loading = threading.Lock()


def load_translator(model: InstalledModel, runtime: Runtime) -> ArgosTranslator:
    """One load per package and settings in a process: later locales (Prefect drafts them
    in parallel threads, and pivots share their first leg) and later runs reuse it."""
    key = (model, runtime)
    with _loading:
        if key not in _loaded:
            _loaded[key] = ArgosTranslator(model, runtime)
        return _loaded[key]


def forget_translators() -> None:
    """Drop the loaded models (they are freed once no engine holds them)."""
    with _loading:
        _loaded.clear()


class ArgosEngine:
    """Units in, drafts out: protect markup, split sentences, translate them all in one
    go (directly or through a pivot), join, restore, note what was lost."""

    def __init__(self, translator: SentenceTranslator, *, source: str, target: str) -> None:
        self.translator = translator
        self.source, self.target = source, target
        self._steps = len(translator.codes) - 1
        # A direct model's label names its pair; a chain's note says which languages it went through.
        self.provenance = (f"argos {translator.label}" if self._steps == 1
                           else f"argos {'→'.join(translator.codes)} ({translator.label})")

    def translate(self, texts: Sequence[str]) -> list[Draft]:
        protected = [protect(text) for text in texts]
        split = [keep_markers_with_words(p, split_sentences(p.text, self.source)) for p in protected]
        todo = list(dict.fromkeys(s for sentences in split for s in sentences if has_words(s)))
        label = f"drafting {self.source}→{self.target}"
        with track(label, len(todo) * self._steps) as advance:
            translated = dict(zip(todo, self.translator.translate_sentences(todo, advance)))
        glue = "" if self.target.split("_")[0] in _NO_SPACE_LANGUAGES else " "
        return [finish(p, glue.join(translated.get(s, s) for s in sentences))
                for p, sentences in zip(protected, split)]


# Written without spaces between sentences.
_NO_SPACE_LANGUAGES = frozenset({"ja", "zh", "th", "lo", "km", "my"})
