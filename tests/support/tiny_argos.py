"""Build a tiny but real Argos Translate package offline, for tests.

The package is a genuine ``.argosmodel`` zip: a SentencePiece model trained on
the given corpus and a CTranslate2 Transformer with random (seeded) weights.
Its translations are meaningless, but every layer of the real stack runs:
``argostranslate.package.install_from_path`` installs it, ``ctranslate2.Translator``
loads ``<package>/model`` and ``translate_batch`` decodes.

Short outputs by construction: the decoder's position encodings carry one
"stop" channel (the last model dimension) set to ``-_STOP_GAIN`` for the first
``output_tokens`` positions and ``+_STOP_GAIN`` after, and the output projection
row of ``</s>`` reads that channel with a large weight.  Every input therefore
decodes to exactly ``output_tokens`` tokens followed by ``</s>`` (fewer if the
caller's ``max_decoding_length`` is smaller), with greedy or beam search.  The
projection bias also rules out ``<unk>``, ``<s>`` and whitespace-only pieces and
favours whole-word pieces (``▁xxx``), so the detokenized output is a short,
non-empty run of words from the corpus vocabulary.  Sharp encoder attention
makes the words depend on the source (different sentences nearly always give
different outputs), and tying the output rows to the negated input embeddings
keeps a word from following itself.

This module writes files only: it never imports ``argostranslate``, which
configures itself from the environment and creates folders at import time.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

__all__ = ["build_argos_package", "isolated_argos_env", "package_name"]

logger = logging.getLogger(__name__)

# Fallback English names when babel is not importable or does not know a code.
_LANGUAGE_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "ja": "Japanese",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "uk": "Ukrainian",
    "zh": "Chinese",
}

# Pieces that CTranslate2/OpenNMT treat specially; SentencePiece gives them ids 0-2.
_UNK, _BOS, _EOS = "<unk>", "<s>", "</s>"

# The stop channel's value in the decoder position encodings, and the weight
# with which the </s> logit reads it after the final layer norm.
_STOP_GAIN = 20.0
_STOP_WEIGHT = 6.0

# Gains on the decoder's encoder attention (queries, values); see _build_spec.
_CROSS_QUERY_GAIN = 8.0
_CROSS_VALUE_GAIN = 3.0

# A fixed timestamp for zip members, so the archive does not depend on the clock.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def package_name(from_code: str, to_code: str, package_version: str) -> str:
    """Return the Argos-style package name, e.g. ``translate-fr_en-1_9``."""
    return f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"


def build_argos_package(
    dest_dir: Path,
    *,
    from_code: str = "fr",
    to_code: str = "en",
    corpus: Iterable[str],
    vocab_size: int = 500,
    num_layers: int = 1,
    d_model: int = 64,
    num_heads: int = 2,
    ffn_dim: int = 128,
    seed: int = 0,
    package_version: str = "1.9",
    argos_version: str = "1.9",
    output_tokens: int = 4,
    max_positions: int = 1024,
    spacy_sbd: bool = False,
) -> Path:
    """Build a real, installable ``translate-<from>_<to>-<version>.argosmodel`` in dest_dir and return its path.

    ``corpus`` is any iterable of text (lines or whole documents); it trains the
    SentencePiece model shared by source and target.  ``vocab_size`` is an upper
    bound (``hard_vocab_limit=False``) raised if needed to cover every character
    of the corpus.  ``output_tokens`` is the exact number of tokens every input
    decodes to before ``</s>``; ``max_positions`` is the longest source or target
    sequence the model accepts (CTranslate2 truncates sources at 1024 by default).
    ``spacy_sbd`` adds a blank spaCy pipeline under ``spacy/`` (imports spaCy,
    a few seconds) so that ``argostranslate.translate`` itself can split
    sentences offline when ``ARGOS_CHUNK_TYPE=SPACY``; see :func:`isolated_argos_env`.
    The version's dots become underscores in the file name, as in Argos's own
    packages (``1.9`` -> ``translate-fr_en-1_9.argosmodel``).  Same arguments,
    same SentencePiece model and same weights.
    """
    if d_model % num_heads:
        raise ValueError(f"d_model ({d_model}) must be a multiple of num_heads ({num_heads})")
    if d_model < 4 or d_model % 2:
        raise ValueError(f"d_model ({d_model}) must be even and at least 4")
    if not 1 <= output_tokens < max_positions:
        raise ValueError(
            f"output_tokens ({output_tokens}) must be between 1 and max_positions - 1 ({max_positions - 1})"
        )

    lines = _corpus_lines(corpus)
    if not lines:
        raise ValueError("corpus has no non-blank text to train SentencePiece on")

    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    name = package_name(from_code, to_code, package_version)
    archive_path = dest_dir / f"{name}.argosmodel"

    sp_bytes = _train_sentencepiece(lines, vocab_size)
    pieces = _pieces(sp_bytes)

    metadata = {
        "package_version": package_version,
        "argos_version": argos_version,
        "from_code": from_code,
        "from_name": _language_name(from_code),
        "to_code": to_code,
        "to_name": _language_name(to_code),
        "type": "translate",
        "code": f"translate-{from_code}_{to_code}",
        "links": [],
        "description": "Tiny random-weight test package built by tests/support/tiny_argos.py; "
        "its translations are meaningless.",
    }

    with tempfile.TemporaryDirectory(prefix="tiny-argos-") as tmp:
        model_dir = Path(tmp) / "model"
        spec = _build_spec(
            pieces,
            num_layers=num_layers,
            d_model=d_model,
            num_heads=num_heads,
            ffn_dim=ffn_dim,
            seed=seed,
            output_tokens=output_tokens,
            max_positions=max_positions,
        )
        _save_spec(spec, model_dir)

        files: dict[str, bytes] = {
            "metadata.json": (json.dumps(metadata, indent=4, ensure_ascii=False) + "\n").encode("utf-8"),
            "README.md": _readme(
                metadata, len(pieces), num_layers, d_model, num_heads, ffn_dim, seed, output_tokens
            ).encode("utf-8"),
            "sentencepiece.model": sp_bytes,
        }
        for path in sorted(model_dir.iterdir()):
            files[f"model/{path.name}"] = path.read_bytes()
        if spacy_sbd:
            files.update(_spacy_sbd_files(from_code, Path(tmp) / "spacy"))

        _write_zip(archive_path, name, files)

    logger.info("built %s (%d pieces, %d bytes)", archive_path, len(pieces), archive_path.stat().st_size)
    return archive_path


def _corpus_lines(corpus: Iterable[str]) -> list[str]:
    lines: list[str] = []
    for text in corpus:
        lines.extend(line.strip() for line in str(text).splitlines() if line.strip())
    return lines


def _train_sentencepiece(lines: list[str], vocab_size: int) -> bytes:
    import sentencepiece as spm

    # SentencePiece refuses a vocabulary smaller than the character set it must cover.
    n_chars = len({ch for line in lines for ch in line if not ch.isspace()})
    effective = max(vocab_size, n_chars + 8)
    if effective != vocab_size:
        logger.info("raising vocab_size from %d to %d to cover %d characters", vocab_size, effective, n_chars)

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=effective,
        hard_vocab_limit=False,  # small corpora cannot fill the full vocabulary
        model_type="unigram",
        character_coverage=1.0,
        num_threads=1,  # deterministic and fast enough for a few thousand lines
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
    )
    return model.getvalue()


def _pieces(sp_bytes: bytes) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    # The CTranslate2 vocabulary is the SentencePiece pieces in id order; the model
    # config names <unk>, <s> and </s>, which must therefore be these exact pieces.
    if pieces[:3] != [_UNK, _BOS, _EOS]:
        raise RuntimeError(f"unexpected SentencePiece special pieces: {pieces[:3]}")
    return pieces


def _sinusoids(length: int, depth: int) -> np.ndarray:
    """OpenNMT-py's sinusoidal position table: sin on even dims, cos on odd dims."""
    position = np.arange(length, dtype=np.float64)[:, None]
    div = np.exp(np.arange(0, depth, 2, dtype=np.float64) * -(math.log(10000.0) / depth))
    table = np.zeros((length, depth), dtype=np.float64)
    table[:, 0::2] = np.sin(position * div)
    table[:, 1::2] = np.cos(position * div)
    return table.astype(np.float32)


def _build_spec(
    pieces: list[str],
    *,
    num_layers: int,
    d_model: int,
    num_heads: int,
    ffn_dim: int,
    seed: int,
    output_tokens: int,
    max_positions: int,
):
    from ctranslate2.specs import transformer_spec

    spec = transformer_spec.TransformerSpec.from_config(num_layers, num_heads)
    rng = np.random.default_rng(seed)
    vocab = len(pieces)
    stop = d_model - 1  # the stop channel (see the module docstring)

    # LeCun-style scales (std 1/sqrt(fan_in); embeddings d^-1/2, which CTranslate2
    # multiplies by sqrt(d)) keep activations near unit size, so the source really
    # moves the output: with a flat 0.02 every input decoded to the same words.
    def normal(std: float, *shape: int) -> np.ndarray:
        return (std * rng.standard_normal(shape)).astype(np.float32)

    def fill_linear(linear, out_dim: int, in_dim: int, *, writes_residual: bool = False) -> None:
        linear.weight = normal(in_dim**-0.5, out_dim, in_dim)
        linear.bias = normal(0.1, out_dim)
        if writes_residual:
            # Decoder sublayers never write into the stop channel, so it holds
            # exactly the value the position encodings put there.
            linear.weight[stop, :] = 0.0
            linear.bias[stop] = 0.0

    def fill_norm(norm) -> None:
        norm.gamma = np.ones(d_model, dtype=np.float32)
        norm.beta = np.zeros(d_model, dtype=np.float32)

    # Shapes are [out, in]. Fused projections: self-attention linear_0 is QKV
    # (3d x d); encoder-attention linear_0 is Q and linear_1 is KV (2d x d).
    def fill_attention(att, *, self_attention: bool, decoder: bool) -> None:
        fill_norm(att.layer_norm)
        shapes = [(3 * d_model, d_model)] if self_attention else [(d_model, d_model), (2 * d_model, d_model)]
        for linear, shape in zip(att.linear[:-1], shapes):
            fill_linear(linear, *shape)
        fill_linear(att.linear[-1], d_model, d_model, writes_residual=decoder)

    def fill_ffn(ffn, *, decoder: bool) -> None:
        fill_norm(ffn.layer_norm)
        fill_linear(ffn.linear_0, ffn_dim, d_model)
        fill_linear(ffn.linear_1, d_model, ffn_dim, writes_residual=decoder)

    # Encoder.
    encoder = spec.encoder
    encoder.embeddings[0].weight = normal(d_model**-0.5, vocab, d_model)
    encoder.position_encodings.encodings = _sinusoids(max_positions, d_model)
    for layer in encoder.layer:
        fill_attention(layer.self_attention, self_attention=True, decoder=False)
        fill_ffn(layer.ffn, decoder=False)
    fill_norm(encoder.layer_norm)

    # Decoder.
    decoder = spec.decoder
    decoder.embeddings.weight = normal(d_model**-0.5, vocab, d_model)
    decoder.embeddings.weight[:, stop] = 0.0
    for layer in decoder.layer:
        fill_attention(layer.self_attention, self_attention=True, decoder=True)
        fill_attention(layer.attention, self_attention=False, decoder=True)
        fill_ffn(layer.ffn, decoder=True)
        # Sharp encoder attention (each step looks at a few source tokens, not
        # their average) with a strong value path: the words depend on the source.
        query, key_value = layer.attention.linear[0], layer.attention.linear[1]
        query.weight *= _CROSS_QUERY_GAIN
        query.bias *= _CROSS_QUERY_GAIN
        key_value.weight[d_model:] *= _CROSS_VALUE_GAIN
    fill_norm(decoder.layer_norm)
    # Output rows are the negated input embeddings: the previous token, present
    # in the residual stream, votes against itself, so no word repeats at once.
    decoder.projection.weight = -decoder.embeddings.weight
    decoder.projection.bias = np.zeros(vocab, dtype=np.float32)

    # Decoder step t is fed the token at position t (position 0 is <s>) and
    # predicts output token t, so positions 0..output_tokens-1 forbid </s> and
    # position output_tokens demands it.  The </s> row reads only that channel;
    # with the defaults </s> trails the best word by 30 logits before that
    # position and leads it by 20 at it (still 7 with 6 layers of d_model 32).
    positions = _sinusoids(max_positions, d_model)
    positions[:, stop] = _STOP_GAIN
    positions[:output_tokens, stop] = -_STOP_GAIN
    decoder.position_encodings.encodings = positions
    projection = decoder.projection
    projection.weight[:, stop] = 0.0
    projection.weight[2, :] = 0.0
    projection.weight[2, stop] = _STOP_WEIGHT

    bias = projection.bias
    for i, piece in enumerate(pieces):
        word = piece.lstrip("\u2581")
        if i < 2 or not word:  # <unk>, <s>, and the bare "▁" piece
            bias[i] = -30.0
        elif i > 2 and piece.startswith("\u2581") and any(ch.isalnum() for ch in word):
            bias[i] = 2.0  # whole words: the output reads as words, never blank

    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    return spec


def _save_spec(spec, model_dir: Path) -> None:
    """Validate and save through CTranslate2's own converter path (validate, optimize, save)."""
    from ctranslate2.converters.converter import Converter

    class _SpecConverter(Converter):
        def _load(self):
            return spec

    # Keep weights in float32; "auto" compute types can still quantize at load time.
    _SpecConverter().convert(os.fspath(model_dir), quantization=None, force=True)


def _spacy_sbd_files(lang: str, dest: Path) -> dict[str, bytes]:
    """A blank spaCy pipeline: argostranslate adds its rule-based "sentencizer" to it."""
    import spacy

    try:
        nlp = spacy.blank(lang)
    except ImportError:  # spaCy has no language class for this code
        nlp = spacy.blank("xx")
    nlp.to_disk(dest)
    return {
        f"spacy/{path.relative_to(dest).as_posix()}": path.read_bytes()
        for path in sorted(dest.rglob("*"))
        if path.is_file()
    }


def isolated_argos_env(root: Path, *, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for a process that will import argostranslate, confined to root.

    argostranslate reads its settings once, at import time, from HOME (or
    SNAP_USER_DATA when SNAP is set), XDG_DATA_HOME, XDG_CONFIG_HOME (whose
    argos-translate/settings.json can hold any ARGOS_* key), XDG_CACHE_HOME and
    ARGOS_* variables, and creates folders under them; set these before the
    import, i.e. in a fresh process.  The result copies ``base`` (default:
    ``os.environ``) without any ARGOS_*, SNAP or SNAP_USER_DATA variable, points
    every folder under root, and selects spaCy sentence splitting
    (``ARGOS_CHUNK_TYPE=SPACY``), which works offline with packages built with
    ``spacy_sbd=True``.  It also creates the folder whose presence stops
    ``argostranslate.sbd`` from trying to download spaCy's ``xx_sent_ud_sm``
    at import time.
    """
    root = Path(root)
    env = {
        key: value
        for key, value in (os.environ if base is None else base).items()
        if not key.startswith("ARGOS_") and key not in {"SNAP", "SNAP_USER_DATA"}
    }
    env.update(
        HOME=str(root / "home"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_CACHE_HOME=str(root / "cache"),
        ARGOS_PACKAGES_DIR=str(root / "packages"),
        ARGOS_DEVICE_TYPE="cpu",
        ARGOS_CHUNK_TYPE="SPACY",
    )
    (root / "home").mkdir(parents=True, exist_ok=True)
    (root / "cache" / "argos-translate" / "spacy" / "senter" / "model").mkdir(parents=True, exist_ok=True)
    return env


def _language_name(code: str) -> str:
    try:
        from babel import Locale, UnknownLocaleError

        try:
            return Locale.parse(code).english_name or _LANGUAGE_NAMES.get(code, code)
        except (UnknownLocaleError, ValueError):
            pass
    except ImportError:
        pass
    return _LANGUAGE_NAMES.get(code, code)


def _readme(
    metadata: dict,
    vocab: int,
    num_layers: int,
    d_model: int,
    num_heads: int,
    ffn_dim: int,
    seed: int,
    output_tokens: int,
) -> str:
    return (
        f"# {metadata['from_name']} -> {metadata['to_name']} (tiny test model)\n\n"
        "Built offline by `tests/support/tiny_argos.py` for tests. The CTranslate2\n"
        "Transformer has random weights: its output is not a translation.\n\n"
        f"- SentencePiece vocabulary: {vocab} pieces, shared by source and target\n"
        f"- Transformer: {num_layers} layer(s), d_model {d_model}, {num_heads} heads, FFN {ffn_dim}\n"
        f"- Seed: {seed}\n"
        f"- Every input decodes to {output_tokens} tokens, then `</s>`\n"
    )


def _write_zip(archive_path: Path, top: str, files: dict[str, bytes]) -> None:
    """Write the archive atomically: one top-level folder, fixed timestamps, sorted members."""
    fd, tmp_name = tempfile.mkstemp(dir=archive_path.parent, prefix=f".{archive_path.name}.", suffix=".tmp")
    os.close(fd)
    tmp_path = Path(tmp_name)
    try:
        folders = {f"{top}/"} | {f"{top}/{rel.rsplit('/', 1)[0]}/" for rel in files if "/" in rel}
        with zipfile.ZipFile(tmp_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for folder in sorted(folders):
                info = zipfile.ZipInfo(folder, date_time=_ZIP_DATE)
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
            for rel in sorted(files):
                info = zipfile.ZipInfo(f"{top}/{rel}", date_time=_ZIP_DATE)
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, files[rel])
        os.replace(tmp_path, archive_path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
