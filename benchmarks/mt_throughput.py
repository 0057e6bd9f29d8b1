#!/usr/bin/env python
"""Machine-drafting throughput: lingopress against raw CTranslate2 and argostranslate.

Builds offline an Argos-shaped package (random weights, real SentencePiece tokenizer,
real CTranslate2 Transformer, an embedded blank spaCy pipeline) and a corpus of units
made from sources/*.md, repeated with variations so that every sentence is distinct.
Then, on the same model, sentences, beam size and threads, each in a fresh process:

  (a) lingopress: draft_catalogs() on a catalog of the units (protect, split,
      tokenize, batched translate_batch, detokenize, restore, notes);
  (b) raw ctranslate2.Translator.translate_batch on the same sentences, pre-tokenized,
      one call with batch_type="tokens" (the best case for CTranslate2 itself);
  (c) argostranslate.translate.translate() called per unit (its own spaCy sentence
      splitting, tokenization and batches).

Model loading and a one-sentence warm-up are outside the timings. The last line is
`ratio_vs_ctranslate2=X ratio_vs_argos=Y` (sentences/s of (a) over (b), and over (c)).

    python benchmarks/mt_throughput.py --quick              # 1,500 sentences, under 3 minutes on 2 cores
    python benchmarks/mt_throughput.py                      # >= 5,000 sentences, all paths on all of them
    python benchmarks/mt_throughput.py --quick --device cuda
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# Sentence openers that vary the corpus: every (opener, sentence) pair is a new sentence.
OPENERS = [
    "", "Par ailleurs, ", "En outre, ", "Selon les médecins, ", "Dans la plupart des cas, ",
    "Chez l'adulte, ", "Chez l'enfant, ", "En pratique, ", "Le plus souvent, ", "Depuis dix ans, ",
    "D'après plusieurs études, ", "En France, ", "Pour de nombreux patients, ", "À l'hôpital, ",
    "Dans les essais cliniques, ", "Selon les chercheurs, ", "En général, ", "Au quotidien, ",
    "Dans ce contexte, ", "Pour le médecin traitant, ", "Chez les personnes âgées, ",
    "En médecine moderne, ", "Dans certains cas, ", "Aujourd'hui, ",
]


def build_units(min_sentences: int) -> list[str]:
    """Units (paragraph-sized msgids) from sources/, varied until there are enough distinct sentences."""
    from lingopress.config import load_config
    from lingopress.ingest import load_articles
    from lingopress.mt.placeholders import has_words, protect
    from lingopress.mt.sentences import split_sentences

    config = load_config(REPO)
    base = [segment.text for article in load_articles(config) for segment in article.segments]
    units: list[str] = []
    seen: set[str] = set()
    distinct: set[str] = set()
    for first, second in itertools.product(OPENERS, OPENERS):
        if second and not first:
            continue
        opener = first + (second[:1].lower() + second[1:] if second else "")
        if second == first and first:
            continue
        for number, unit in enumerate(base):
            varied = []
            for sentence in split_sentences(unit):
                if opener and sentence[:1].isupper() and len(sentence.split()) > 3:
                    sentence = opener + sentence[0].lower() + sentence[1:]
                varied.append(sentence)
            text = " ".join(varied)
            # Some inline Markdown, as real articles have: it goes through placeholders.
            if number % 7 == 3 and len(varied[0].split()) > 4:
                words = text.split(" ")
                words[2] = f"**{words[2]}**"
                text = " ".join(words)
            if text in seen:
                continue
            seen.add(text)
            units.append(text)
            distinct.update(s for s in split_sentences(protect(text).text) if has_words(s))
            if len(distinct) >= min_sentences:
                return units
    return units


def training_text(units: list[str], pieces: int) -> list[str]:
    """The units, plus lines of made-up words, so SentencePiece can fill a realistic
    vocabulary (the sources alone have too few distinct words for 8k pieces)."""
    import random

    rng = random.Random(3)
    syllables = [c + v for c in "bcdfglmnprstvz" for v in ("a", "e", "i", "o", "u", "é", "ou", "an", "on")]
    words = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(pieces * 3)}
    words = sorted(words)
    rng.shuffle(words)
    lines = [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
    return units + lines


def build_model(dest: Path, units: list[str], args) -> Path:
    from lingopress.devtools.tiny_argos import build_argos_package

    return build_argos_package(
        dest, from_code="fr", to_code="en", corpus=training_text(units, args.vocab), vocab_size=args.vocab, num_layers=args.layers,
        d_model=args.d_model, num_heads=4, ffn_dim=4 * args.d_model, output_tokens=args.output_tokens,
        seed=7, spacy_sbd=True)


# --- the three paths, each run in its own process -------------------------------------

def child(mode: str, work: Path) -> None:
    spec = json.loads((work / "spec.json").read_text(encoding="utf-8"))
    units: list[str] = json.loads((work / "units.json").read_text(encoding="utf-8"))
    if mode == "argos":
        units = units[: spec["argos_units"]]
    result = {"mode": mode}
    started = time.perf_counter()
    if mode == "lingopress":
        result.update(_run_lingopress(spec, units, work))
    elif mode == "ctranslate2":
        result.update(_run_ctranslate2(spec, work))
    else:
        result.update(_run_argos(spec, units))
    result["wall_s"] = time.perf_counter() - started
    result["peak_rss_mb"] = _peak_rss_mb()
    print("RESULT " + json.dumps(result))


def _peak_rss_mb() -> float:
    # VmHWM, not getrusage: Linux keeps ru_maxrss across exec, so a child started by a
    # big parent would report the parent's peak.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _settings(spec: dict):
    from lingopress.config import ArgosSettings

    return ArgosSettings(packages_dir=Path(spec["packages_dir"]), download=False, beam_size=spec["beam"],
                         device=spec["device"], compute_type=spec["compute_type"], threads=spec["threads"],
                         max_batch_tokens=spec["batch_tokens"], pivot="")


def _run_lingopress(spec: dict, units: list[str], work: Path) -> dict:
    import polib

    from lingopress.draft import draft_catalogs
    from lingopress.models import find_model
    from lingopress.mt.argos import ArgosEngine, load_translator, resolve_runtime
    from lingopress.mt.placeholders import has_words, keep_markers_with_words, protect
    from lingopress.mt.sentences import split_sentences

    settings = _settings(spec)
    translator = load_translator(find_model(settings, "fr", "en"), resolve_runtime(settings))
    engine = ArgosEngine(translator, source="fr", target="en")
    engine.translate(["Une phrase pour chauffer."])
    decoded = _count_decoded(translator)
    catalog = polib.POFile()
    for index, unit in enumerate(units):
        catalog.append(polib.POEntry(msgctxt=f"u{index}", msgid=unit, msgstr=""))
    start = time.perf_counter()
    drafted = draft_catalogs([catalog], engine)
    elapsed = time.perf_counter() - start
    # The distinct sentences that went to the model (lingopress translates each once).
    sentences = list(dict.fromkeys(s for unit in units for p in [protect(unit)]
                                   for s in keep_markers_with_words(p, split_sentences(p.text))
                                   if has_words(s)))
    (work / "sentences.json").write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    notes = sum(1 for entry in catalog if "lost markup" in entry.comment)
    return {"sentences": len(sentences), "units": len(units), "seconds": elapsed, "drafted": drafted,
            "decoded_tokens": decoded["tokens"], "batches": decoded["calls"], "lost_markup_notes": notes,
            "runtime": repr(translator.runtime)}


def _count_decoded(translator) -> dict:
    """Count what translate_batch decodes, without changing what it does."""
    counts = {"tokens": 0, "calls": 0}
    real = translator.translator

    class Counting:
        def translate_batch(self, *args, **kwargs):
            results = real.translate_batch(*args, **kwargs)
            counts["calls"] += 1
            counts["tokens"] += sum(len(r.hypotheses[0]) for r in results)
            return results

    translator.translator = Counting()
    return counts


def _run_ctranslate2(spec: dict, work: Path) -> dict:
    import ctranslate2
    import sentencepiece

    sentences = json.loads((work / "sentences.json").read_text(encoding="utf-8"))
    package = Path(spec["package_path"])
    sp = sentencepiece.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    tokens = sp.encode(sentences, out_type=str)
    translator = ctranslate2.Translator(str(package / "model"), device=spec["device"],
                                        compute_type=spec["compute_type_resolved"],
                                        intra_threads=spec["threads"], inter_threads=1)
    options = dict(beam_size=spec["beam"], replace_unknowns=True, max_batch_size=spec["batch_tokens"],
                   batch_type="tokens")
    translator.translate_batch([tokens[0]], **options)
    start = time.perf_counter()
    results = translator.translate_batch(tokens, **options)
    elapsed = time.perf_counter() - start
    return {"sentences": len(sentences), "seconds": elapsed,
            "decoded_tokens": sum(len(r.hypotheses[0]) for r in results)}


def _run_argos(spec: dict, units: list[str]) -> dict:
    import argostranslate.translate

    translate = argostranslate.translate.translate
    translate("Une phrase pour chauffer.", "fr", "en")
    translation = argostranslate.translate.get_translation_from_codes("fr", "en")
    translation = getattr(translation, "underlying", translation)  # CachedTranslation wraps it
    start = time.perf_counter()
    for unit in units:
        translate(unit, "fr", "en")
    elapsed = time.perf_counter() - start
    # Argos's own sentence count for these units (outside the timing).
    sentences = sum(len(translation.sentencizer.split_sentences(unit)) for unit in units)
    return {"sentences": sentences, "units": len(units), "seconds": elapsed}


# --- the parent ------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,500 sentences, 2 rounds, argostranslate on 200 units (under 3 minutes)")
    parser.add_argument("--sentences", type=int, default=0,
                        help="at least this many distinct sentences (default 5000, --quick 1500)")
    parser.add_argument("--rounds", type=int, default=0, help="rounds of (a) and (b) (default 3, --quick 2)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda", "auto"))
    parser.add_argument("--compute-type", default="auto")
    parser.add_argument("--threads", type=int, default=2, help="intra_threads, the same for all three")
    parser.add_argument("--beam", type=int, default=2)
    parser.add_argument("--batch-tokens", type=int, default=4096)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--d-model", type=int, default=256)
    parser.add_argument("--vocab", type=int, default=8000)
    parser.add_argument("--output-tokens", type=int, default=24,
                        help="tokens every sentence decodes to (about a sentence's length)")
    parser.add_argument("--argos-units", type=int, default=0, help="units for (c); default all, --quick 200")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "WORKDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return

    from lingopress.config import ArgosSettings
    from lingopress.devtools.tiny_argos import isolated_argos_env
    from lingopress.mt.argos import resolve_runtime

    with tempfile.TemporaryDirectory(prefix="mt-bench-") as tmp:
        work = Path(tmp)
        env = isolated_argos_env(work / "argos")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        env["ARGOS_DEVICE_TYPE"] = "cuda" if args.device == "cuda" else "cpu"

        started = time.perf_counter()
        args.sentences = args.sentences or (1500 if args.quick else 5000)
        args.rounds = args.rounds or (2 if args.quick else 3)
        units = build_units(args.sentences)
        archive = build_model(work / "dist", units, args)
        built_s = time.perf_counter() - started

        settings = ArgosSettings(packages_dir=Path(env["ARGOS_PACKAGES_DIR"]), download=False,
                                 device=args.device, compute_type=args.compute_type, threads=args.threads)
        from lingopress.models import install_file

        model = install_file(settings, archive)
        runtime = resolve_runtime(settings)
        env["ARGOS_DEVICE_TYPE"] = runtime.device
        env.update(ARGOS_BEAM_SIZE=str(args.beam), ARGOS_INTRA_THREADS=str(args.threads),
                   ARGOS_INTER_THREADS="1", ARGOS_COMPUTE_TYPE=runtime.compute_type)
        argos_units = args.argos_units or (200 if args.quick else len(units))
        spec = {"packages_dir": env["ARGOS_PACKAGES_DIR"], "package_path": str(model.path),
                "device": runtime.device, "compute_type": args.compute_type,
                "compute_type_resolved": runtime.compute_type, "threads": args.threads, "beam": args.beam,
                "batch_tokens": args.batch_tokens, "argos_units": argos_units}
        (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        (work / "units.json").write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
        vocab = len(json.loads((model.path / "model" / "shared_vocabulary.json").read_text(encoding="utf-8")))
        print(f"model: {args.layers}+{args.layers} layers, d_model {args.d_model}, vocabulary {vocab} "
              f"pieces, every sentence decodes to {args.output_tokens} tokens; built in {built_s:.1f} s")
        print(f"settings: device {runtime.device}, compute type {runtime.compute_type}, "
              f"{args.threads} threads (all paths), beam {args.beam}, batches of {args.batch_tokens} tokens")

        # (a) and (b) alternate for several rounds and keep their best time, so a burst of
        # load from elsewhere on the machine does not decide the ratio.
        results: dict[str, dict] = {}
        schedule = ["lingopress", "ctranslate2"] * args.rounds + ["argos"]
        for mode in schedule:
            proc = subprocess.run([sys.executable, __file__, "--child", mode, str(work)], env=env,
                                  capture_output=True, text=True)
            lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
            if proc.returncode != 0 or not lines:
                sys.exit(f"{mode} run failed:\n{proc.stderr[-3000:]}")
            result = json.loads(lines[-1][len("RESULT "):])
            print(f"  {mode}: {result['sentences']} sentences in {result['seconds']:.2f} s", flush=True)
            best = results.get(mode)
            if best is None or result["seconds"] < best["seconds"]:
                result["peak_rss_mb"] = max(result["peak_rss_mb"], best["peak_rss_mb"] if best else 0)
                results[mode] = result
            elif best is not None:
                best["peak_rss_mb"] = max(best["peak_rss_mb"], result["peak_rss_mb"])
        print(f"corpus: {len(units)} units, {results['lingopress']['sentences']} distinct sentences "
              f"(sources/ repeated with variations); best of {args.rounds} rounds for (a) and (b)")

        rates = {mode: r["sentences"] / r["seconds"] for mode, r in results.items()}
        names = {"lingopress": "(a) lingopress draft_catalogs      ",
                 "ctranslate2": "(b) ctranslate2 translate_batch    ",
                 "argos": "(c) argostranslate.translate/unit  "}
        for mode, r in results.items():
            extra = f", {r['units']} units" if "units" in r else ""
            print(f"{names[mode]}: {r['sentences']:6d} sentences{extra} in {r['seconds']:7.2f} s = "
                  f"{rates[mode]:8.1f} sentences/s, peak RSS {r['peak_rss_mb']:.0f} MB")
        a, b = results["lingopress"], results["ctranslate2"]
        print(f"decoded tokens: lingopress {a['decoded_tokens']} in {a['batches']} translate_batch calls, "
              f"raw ctranslate2 {b['decoded_tokens']} (same work: {a['decoded_tokens'] == b['decoded_tokens']})")
        print(f"lingopress drafts with lost-markup notes: {a['lost_markup_notes']} "
              f"(random weights drop placeholders)")
        print(f"ratio_vs_ctranslate2={rates['lingopress'] / rates['ctranslate2']:.2f} "
              f"ratio_vs_argos={rates['lingopress'] / rates['argos']:.2f}")


if __name__ == "__main__":
    main()
