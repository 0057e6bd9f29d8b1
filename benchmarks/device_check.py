"""lingopress's Argos drafting path on CUDA and on the CPU: same model, same sentences.

Run on a machine with an NVIDIA GPU, from the repository root:

    PYTHONPATH=$PWD python benchmarks/device_check.py        # UNITS=N to change the 4000 units

It builds an offline test package (2+2 layers, d_model 256, 4k SentencePiece pieces, 24
output tokens per sentence), installs it three times and drafts the same distinct units
with device="cuda" (compute "auto" = int8_float16, and float16) and device="cpu". Without
a GPU it runs the CPU row only. CTranslate2 4.8 wheels are built against CUDA 12: they
need libcublas.so.12 (pip install nvidia-cublas-cu12, or the CUDA 12 toolkit).
"""
import os, sys, time, tempfile, resource
from pathlib import Path
import ctranslate2
print("ctranslate2", ctranslate2.__version__, "cuda devices:", ctranslate2.get_cuda_device_count(), flush=True)
if ctranslate2.get_cuda_device_count():
    print("cuda compute types:", sorted(ctranslate2.get_supported_compute_types("cuda")), flush=True)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # test support: not shipped
from lingopress.config import ArgosSettings, Config
from support.tiny_argos import build_argos_package
from lingopress.models import install_path
from lingopress.mt import open_engine
from lingopress.mt.sentences import split_sentences
corpus = [p.read_text(encoding="utf-8") for p in sorted(Path("sources").glob("*.md"))]
tmp = Path(tempfile.mkdtemp())
t = time.time()
pkg = build_argos_package(tmp, corpus=corpus, num_layers=2, d_model=256, num_heads=4, ffn_dim=1024,
                          vocab_size=4000, output_tokens=24)
print(f"built package in {time.time()-t:.1f}s", flush=True)
units = [line.strip() for text in corpus for line in text.split("\n\n") if len(line.strip()) > 20 and not line.startswith("---")]
import random
def vary(text, i):
    words = text.split()
    random.Random(i).shuffle(words)  # distinct sentences, so the engine's dedup cannot skip work
    return " ".join(words)
texts = [vary(units[i % len(units)], i) for i in range(int(os.environ.get("UNITS", "4000")))]
n_sent = sum(len(split_sentences(x)) for x in texts)
results = {}
COMBOS = [("cuda", "auto"), ("cuda", "float16"), ("cpu", "auto")] if ctranslate2.get_cuda_device_count() else [("cpu", "auto")]
for device, compute in COMBOS:
    settings = ArgosSettings(packages_dir=tmp / f"pk-{device}-{compute}", download=False, device=device,
                             compute_type=compute, threads=16 if device == "cpu" else 0, max_batch_tokens=8192)
    install_path(settings, pkg)
    config = Config(project_dir=Path.cwd(), target_locales=("en",), argos=settings)
    engine = open_engine(config, "en")
    engine.translate(texts[:50])  # warm-up
    t = time.time()
    drafts = engine.translate(texts)
    dt = time.time() - t
    results[(device, compute)] = drafts
    print(f"{device:4s} {compute:8s}: {len(texts)} units, {n_sent} sentences in {dt:.2f}s = {n_sent/dt:.0f} sentences/s;"
          f" provenance={engine.provenance!r}; sample={drafts[0].text[:60]!r}", flush=True)
if ("cuda", "auto") in results:
    same = sum(a.text == b.text for a, b in zip(results[("cuda", "auto")], results[("cpu", "auto")]))
    print(f"cuda(auto) vs cpu(auto) identical drafts: {same}/{len(texts)}")
print("peak RSS MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
