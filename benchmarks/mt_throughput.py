#!/usr/bin/env python
"""Machine-drafting throughput: lingopress against raw CTranslate2 and argostranslate.

Builds offline an Argos-shaped package (random weights, real SentencePiece tokenizer,
real CTranslate2 Transformer, an embedded blank spaCy pipeline) and a corpus of units
made from sources/*.md, repeated with variations. Then, on the same model, sentences,
beam size and threads, each path in its own process:

  (a) lingopress: draft_catalogs() on a catalog of the units (protect, split,
      tokenize, batched translate_batch, detokenize, restore, notes);
  (b) raw ctranslate2.Translator.translate_batch on the same sentences, pre-tokenized,
      one call per slice with batch_type="tokens" (the best case for CTranslate2);
  (c) argostranslate.translate.translate() called per unit (its own spaCy sentence
      splitting, tokenization and batches).

(a) and (b) alternate slice by slice (see `Baton`), so that load from elsewhere on a
shared machine hits both alike; each keeps its best time per slice over the rounds.
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
sys.path.insert(0, str(REPO / "tests"))  # test support (tiny Argos packages, QA cases): not shipped

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
    from lingopress.mt.placeholders import has_words, protect
    from lingopress.store.project import ProjectStore
    from lingopress.mt.sentences import split_sentences

    config = load_config(REPO)
    base = [segment.text for article in ProjectStore(config).articles() for segment in article.segments]
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
    from support.tiny_argos import build_argos_package

    return build_argos_package(
        dest, from_code="fr", to_code="en", corpus=training_text(units, args.vocab), vocab_size=args.vocab, num_layers=args.layers,
        d_model=args.d_model, num_heads=4, ffn_dim=4 * args.d_model, output_tokens=args.output_tokens,
        seed=7, spacy_sbd=True)


# --- the three paths, each in its own process --------------------------------------------
#
# This machine may be shared, and a burst of load from elsewhere lasts seconds. (a) and (b)
# therefore run side by side as two live processes that pass a baton: the corpus is cut
# into slices, each slice is timed in (a) then (b) (or (b) then (a), alternately), and
# each path keeps its best time per slice over the rounds. Both paths see every burst.

def slices_of(units: list[str], count: int) -> list[dict]:
    """Cut the units into slices; a slice's sentences are the distinct sentences lingopress
    sends to the model for its units (what a draft_catalogs call on them decodes)."""
    from lingopress.mt.placeholders import has_words, keep_markers_with_words, protect
    from lingopress.mt.sentences import split_sentences

    size = -(-len(units) // count)
    slices = []
    for start in range(0, len(units), size):
        chunk = units[start:start + size]
        sentences = list(dict.fromkeys(s for unit in chunk for p in [protect(unit)]
                                       for s in keep_markers_with_words(p, split_sentences(p.text))
                                       if has_words(s)))
        slices.append({"units": chunk, "sentences": sentences})
    return slices


def child(mode: str, work: Path) -> None:
    spec = json.loads((work / "spec.json").read_text(encoding="utf-8"))
    if mode == "argos":
        units = json.loads((work / "units.json").read_text(encoding="utf-8"))[: spec["argos_units"]]
        result = _run_argos(units)
        result["peak_rss_mb"] = _peak_rss_mb()
        print("RESULT " + json.dumps(result), flush=True)
        return
    slices = json.loads((work / "slices.json").read_text(encoding="utf-8"))
    run_slice, totals = (_lingopress if mode == "lingopress" else _ctranslate2)(spec, slices)
    print("READY", flush=True)
    for line in sys.stdin:  # "run I" from the parent, one slice at a time
        if not line.startswith("run "):
            break
        index = int(line.split()[1])
        start = time.perf_counter()
        run_slice(index)
        print(f"DONE {time.perf_counter() - start:.6f}", flush=True)
    totals["peak_rss_mb"] = _peak_rss_mb()
    print("RESULT " + json.dumps(totals), flush=True)


def _peak_rss_mb() -> float:
    # VmHWM, not getrusage: Linux keeps ru_maxrss across exec, so a child started by a
    # big parent would report the parent's peak.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _lingopress(spec: dict, slices: list[dict]):
    """(a): draft_catalogs on a catalog of the slice's units, the drafting path itself."""
    import polib

    from lingopress.config import ArgosSettings
    from lingopress.draft import draft_catalogs
    from lingopress.models import find_model
    from lingopress.mt.argos import ArgosEngine, load_translator, resolve_runtime

    settings = ArgosSettings(packages_dir=Path(spec["packages_dir"]), download=False, beam_size=spec["beam"],
                             device=spec["device"], compute_type=spec["compute_type"], threads=spec["threads"],
                             max_batch_tokens=spec["batch_tokens"], pivot="")
    translator = load_translator(find_model(settings, "fr", "en"), resolve_runtime(settings))
    engine = ArgosEngine(translator, source="fr", target="en")
    engine.translate(["Une phrase pour chauffer."])
    totals = _count_decoded(translator)
    totals.update(notes=0, drafted=0)

    def run_slice(index: int) -> None:
        catalog = polib.POFile()
        for number, unit in enumerate(slices[index]["units"]):
            catalog.append(polib.POEntry(msgctxt=f"u{number}", msgid=unit, msgstr=""))
        totals["drafted"] += draft_catalogs([catalog], engine)
        totals["notes"] += sum(1 for entry in catalog if "lost markup" in entry.comment)

    return run_slice, totals


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


def _ctranslate2(spec: dict, slices: list[dict]):
    """(b): one translate_batch call on the slice's pre-tokenized sentences."""
    import ctranslate2
    import sentencepiece

    package = Path(spec["package_path"])
    sp = sentencepiece.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    tokens = [sp.encode(piece["sentences"], out_type=str) for piece in slices]  # outside the timing
    translator = ctranslate2.Translator(str(package / "model"), device=spec["device"],
                                        compute_type=spec["compute_type_resolved"],
                                        intra_threads=spec["threads"], inter_threads=1)
    options = dict(beam_size=spec["beam"], replace_unknowns=True, max_batch_size=spec["batch_tokens"],
                   batch_type="tokens")
    translator.translate_batch([tokens[0][0]], **options)
    totals = {"tokens": 0, "calls": 0}

    def run_slice(index: int) -> None:
        results = translator.translate_batch(tokens[index], **options)
        totals["calls"] += 1
        totals["tokens"] += sum(len(r.hypotheses[0]) for r in results)

    return run_slice, totals


def _run_argos(units: list[str]) -> dict:
    """(c): argostranslate.translate per unit, its own sentence splitting included."""
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


class Baton:
    """A child process that times one slice when told to."""

    def __init__(self, mode: str, work: Path, env: dict) -> None:
        self.mode = mode
        self.proc = subprocess.Popen([sys.executable, __file__, "--child", mode, str(work)], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._expect("READY")

    def run(self, index: int) -> float:
        self.proc.stdin.write(f"run {index}\n")
        self.proc.stdin.flush()
        return float(self._expect("DONE").split()[1])

    def finish(self) -> dict:
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        result = json.loads(self._expect("RESULT")[len("RESULT "):])
        self.proc.wait(timeout=60)
        return result

    def _expect(self, word: str) -> str:
        for line in self.proc.stdout:
            if line.startswith(word):
                return line.strip()
        self.proc.wait(timeout=60)
        sys.exit(f"the {self.mode} process stopped (exit {self.proc.returncode}); see its errors above")


# --- the parent ------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,500 sentences, 2 rounds, argostranslate on 200 units (under 3 minutes)")
    parser.add_argument("--sentences", type=int, default=0,
                        help="at least this many distinct sentences (default 5000, --quick 1500)")
    parser.add_argument("--rounds", type=int, default=0, help="rounds over the slices (default 3, --quick 2)")
    parser.add_argument("--slices", type=int, default=10, help="slices (a) and (b) alternate on")
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
    from support.tiny_argos import isolated_argos_env
    from lingopress.models import install_file
    from lingopress.mt.argos import resolve_runtime

    args.sentences = args.sentences or (1500 if args.quick else 5000)
    args.rounds = args.rounds or (2 if args.quick else 3)
    with tempfile.TemporaryDirectory(prefix="mt-bench-") as tmp:
        work = Path(tmp)
        env = isolated_argos_env(work / "argos")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))

        started = time.perf_counter()
        units = build_units(args.sentences)
        archive = build_model(work / "dist", units, args)
        built_s = time.perf_counter() - started
        settings = ArgosSettings(packages_dir=Path(env["ARGOS_PACKAGES_DIR"]), download=False,
                                 device=args.device, compute_type=args.compute_type, threads=args.threads)
        model = install_file(settings, archive)
        runtime = resolve_runtime(settings)
        env.update(ARGOS_DEVICE_TYPE=runtime.device, ARGOS_BEAM_SIZE=str(args.beam),
                   ARGOS_INTRA_THREADS=str(args.threads), ARGOS_INTER_THREADS="1",
                   ARGOS_COMPUTE_TYPE=runtime.compute_type)
        argos_units = args.argos_units or (200 if args.quick else len(units))
        spec = {"packages_dir": env["ARGOS_PACKAGES_DIR"], "package_path": str(model.path),
                "device": runtime.device, "compute_type": args.compute_type,
                "compute_type_resolved": runtime.compute_type, "threads": args.threads, "beam": args.beam,
                "batch_tokens": args.batch_tokens, "argos_units": argos_units}
        slices = slices_of(units, args.slices)
        for name, data in (("spec", spec), ("units", units), ("slices", slices)):
            (work / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        sentences = sum(len(piece["sentences"]) for piece in slices)
        vocab = len(json.loads((model.path / "model" / "shared_vocabulary.json").read_text(encoding="utf-8")))
        print(f"model: {args.layers}+{args.layers} layers, d_model {args.d_model}, vocabulary {vocab} "
              f"pieces, every sentence decodes to {args.output_tokens} tokens; built in {built_s:.1f} s")
        print(f"settings: device {runtime.device}, compute type {runtime.compute_type}, "
              f"{args.threads} threads (all paths), beam {args.beam}, batches of {args.batch_tokens} tokens")
        print(f"corpus: {len(units)} units, {sentences} sentences to decode (distinct per slice) from "
              f"sources/ repeated with variations; {len(slices)} slices x {args.rounds} rounds", flush=True)

        workers = {mode: Baton(mode, work, env) for mode in ("lingopress", "ctranslate2")}
        best: dict[str, list[float]] = {mode: [float("inf")] * len(slices) for mode in workers}
        for round_number in range(args.rounds):
            for index in range(len(slices)):
                order = list(workers) if (index + round_number) % 2 == 0 else list(workers)[::-1]
                for mode in order:
                    best[mode][index] = min(best[mode][index], workers[mode].run(index))
            print(f"  round {round_number + 1}: lingopress {sum(best['lingopress']):.2f} s, "
                  f"ctranslate2 {sum(best['ctranslate2']):.2f} s (best per slice so far)", flush=True)
        results = {mode: worker.finish() for mode, worker in workers.items()}
        for mode in workers:
            results[mode].update(sentences=sentences, seconds=sum(best[mode]))
        results["lingopress"]["units"] = len(units)
        # Every round decoded the same sentences: per-round counts are the totals / rounds.
        for mode in workers:
            results[mode]["tokens"] //= args.rounds
            results[mode]["calls"] //= args.rounds

        proc = subprocess.run([sys.executable, __file__, "--child", "argos", str(work)], env=env,
                              capture_output=True, text=True)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            sys.exit(f"argos run failed:\n{proc.stderr[-3000:]}")
        results["argos"] = json.loads(lines[-1][len("RESULT "):])

        rates = {mode: r["sentences"] / r["seconds"] for mode, r in results.items()}
        names = {"lingopress": "(a) lingopress draft_catalogs      ",
                 "ctranslate2": "(b) ctranslate2 translate_batch    ",
                 "argos": "(c) argostranslate.translate/unit  "}
        for mode, r in results.items():
            extra = f", {r['units']} units" if "units" in r else ""
            print(f"{names[mode]}: {r['sentences']:6d} sentences{extra} in {r['seconds']:7.2f} s = "
                  f"{rates[mode]:8.1f} sentences/s, peak RSS {r['peak_rss_mb']:.0f} MB")
        a, b = results["lingopress"], results["ctranslate2"]
        print(f"decoded tokens per round: lingopress {a['tokens']} in {a['calls']} translate_batch calls, "
              f"raw ctranslate2 {b['tokens']} in {b['calls']} calls (same work: {a['tokens'] == b['tokens']})")
        print(f"lingopress drafts with lost-markup notes per round: {a['notes'] // args.rounds} "
              f"(random weights drop placeholders)")
        print(f"ratio_vs_ctranslate2={rates['lingopress'] / rates['ctranslate2']:.2f} "
              f"ratio_vs_argos={rates['lingopress'] / rates['argos']:.2f}")


if __name__ == "__main__":
    main()
