"""Benchmark: how the pipeline scales with the number of articles.

Builds synthetic corpora from `sources/` (distinct slugs; paragraphs reordered, sentences
shuffled, numbers changed, so translation memory cannot dedupe them away) at N articles
× 4 locales, and runs the real Prefect pipeline flow with a small real Argos model
(built by `tests/support/tiny_argos.py`, installed into a throw-away package dir).

Prints, per N: wall time of the cold run per segment (segment = one unit of one
article in one locale), the no-change re-run and the re-run after one article changed,
as fractions of the cold run; what a cold run ships to the task runner (the data Dask
workers receive); then the peak RSS, and at the middle N the Prefect overhead (the
pipeline flow against calling the same jobs directly, both cold on fresh copies). The
last line is

    per_segment_growth=G peak_rss_mb=M prefect_overhead=P rerun_fraction=R one_change_fraction=C

Targets: G ≤ 1.2 (largest N against smallest), M < 1500, P ≤ 1.3, and at the largest N
R ≤ 0.02 and C ≤ 0.03.

    .venv/bin/python benchmarks/scale.py            # N = 50, 200, 500
    .venv/bin/python benchmarks/scale.py --quick    # N = 20, 50, 100 (a few minutes)
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCALES = ("en", "es", "de", "ar")
_SANDBOX = Path(tempfile.mkdtemp(prefix="lingopress-scale-"))

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # test support (tiny Argos packages, QA cases): not shipped
from support.tiny_argos import isolated_argos_env  # noqa: E402  (no argostranslate import)

# argostranslate and Prefect read these when imported: set them first.
os.environ.update(isolated_argos_env(_SANDBOX / "argos"))
os.environ.update(PREFECT_HOME=str(_SANDBOX / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                  PREFECT_LOGGING_LEVEL="WARNING")
os.environ.pop("PREFECT_API_URL", None)  # the run's own temporary server, not someone's real one


def synthetic_article(text: str, index: int) -> str:
    """A distinct variant of a sample article: new slug and title, shuffled text."""
    rng = random.Random(index)
    front, body = re.match(r"(?s)^(---\n.*?\n---\n)(.*)$", text).groups()
    slug = re.search(r"^slug: (.+)$", front, re.M).group(1).strip()
    front = re.sub(r"^slug: .+$", f"slug: {slug}-{index:04d}", front, flags=re.M)
    front = re.sub(r'^title: "(.+)"$', rf'title: "\1 ({index})"', front, flags=re.M)
    blocks = body.split("\n\n")
    out = []
    for block in blocks:
        if block.startswith(("#", "|", "-", "*", ">", "1.")) or not block.strip():
            out.append(block)
            continue
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ö])", block.strip())
        rng.shuffle(sentences)
        if rng.random() < 0.2:
            continue  # drop a paragraph now and then
        paragraph = " ".join(sentences)
        # Numbers differ from article to article.
        paragraph = re.sub(r"\d+", lambda m: str(int(m.group()) + index), paragraph)
        out.append(paragraph + f" Cas n° {index}-{rng.randint(1, 999)}.")
    return front + "\n\n".join(out)


def make_project(root: Path, articles: int) -> Path:
    samples = [path.read_text(encoding="utf-8") for path in sorted((REPO / "sources").glob("*.md"))]
    (root / "sources").mkdir(parents=True)
    for index in range(articles):
        text = synthetic_article(samples[index % len(samples)], index)
        slug = re.search(r"^slug: (.+)$", text, re.M).group(1).strip()
        (root / "sources" / f"{slug}.md").write_text(text, encoding="utf-8")
    shutil.copy(REPO / "glossary.csv", root / "glossary.csv")
    quoted = ", ".join(f'"{code}"' for code in LOCALES)
    (root / "lingopress.toml").write_text(
        f'source_locale = "fr"\ntarget_locales = [{quoted}]\nengine = "argos"\n\n'
        "[argos]\ndownload = false\nbeam_size = 1\n", encoding="utf-8")
    return root


def install_models() -> None:
    from lingopress.config import ArgosSettings
    from support.tiny_argos import build_argos_package
    from lingopress.models import install_file

    corpus = [path.read_text(encoding="utf-8") for path in sorted((REPO / "sources").glob("*.md"))]
    settings = ArgosSettings(packages_dir=None, download=False)
    for seed, locale in enumerate(LOCALES):
        # output_tokens: drafts of a realistic length, so decoding costs something.
        archive = build_argos_package(_SANDBOX / "models", from_code="fr", to_code=locale,
                                      corpus=corpus, seed=seed, output_tokens=24)
        install_file(settings, archive)


def forget_engines() -> None:
    """Both sides of a comparison load their models themselves."""
    from lingopress import draft

    draft._ENGINES.clear()


def run_flow(project: Path) -> float:
    from flows.pipeline import pipeline

    start = time.perf_counter()
    state = pipeline(project_dir=str(project), return_state=True)
    elapsed = time.perf_counter() - start
    if not state.is_completed():
        raise SystemExit(f"pipeline run failed: {state.message}")
    return elapsed


def run_direct(project: Path) -> float:
    """The jobs the flow runs, as plain function calls in one thread (no Prefect)."""
    from lingopress import jobs
    from lingopress.config import load_config
    from lingopress.draft import engine_for
    from lingopress.store.project import ProjectStore

    start = time.perf_counter()
    store = ProjectStore(load_config(project))
    config = store.config
    with store.locked():
        checked = jobs.preflight(store, engines=True)
        articles = checked.articles
        jobs.write_templates(store, articles)
        for locale in config.target_locales:
            jobs.draft_locale(store, locale, articles, provenance=checked.provenance[locale],
                              stage=jobs.draft_with(engine_for(config, locale)))
        for locale in (config.source_locale, *config.target_locales):
            jobs.publish_locale(store, locale, articles)
        jobs.render_outputs(store)
        jobs.build_bundles(store)
        jobs.refresh_status(store, articles)
    return time.perf_counter() - start


def change_one_article(project: Path) -> str:
    """Edit one sentence of one article, as an author would; return its slug."""
    path = sorted((project / "sources").glob("*.md"))[len(list((project / "sources").glob("*.md"))) // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n\nUne phrase ajoutée par l'auteur.\n", encoding="utf-8")
    return path.stem


def travelling_data(project: Path) -> tuple[int, int, float]:
    """What a cold run sends to the task runner: (draft tasks, bytes pickled, seconds to pickle),
    the way Dask ships a task's arguments to a worker (cloudpickle)."""
    import cloudpickle

    from lingopress import jobs
    from lingopress.config import load_config
    from lingopress.store.project import ProjectStore

    store = ProjectStore(load_config(project))
    sizes: list[int] = []
    elapsed = 0.0

    def measuring(stage, inputs):
        nonlocal elapsed
        start = time.perf_counter()
        sizes.extend(len(cloudpickle.dumps(item)) for item in inputs)
        elapsed += time.perf_counter() - start
        return jobs.in_process(stage, inputs)

    with store.locked():
        articles = jobs.preflight(store, engines=False).articles
        for locale in store.config.target_locales:
            jobs.draft_locale(store, locale, articles, provenance="none", stage=jobs.draft_with(None), run=measuring)
    return len(sizes), sum(sizes), elapsed


def segments(project: Path) -> int:
    """Units × locales, counted without the store (whose parse cache would warm the cold run)."""
    from lingopress.ingest import parse_article
    from lingopress.store.files import read_source

    paths = sorted((project / "sources").glob("*.md"))
    return sum(len(parse_article(path, read_source(path)).segments) for path in paths) * len(LOCALES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 20, 50, 100: a few minutes")
    parser.add_argument("--sizes", help="comma-separated article counts (overrides --quick)")
    args = parser.parse_args()
    sizes = ([int(n) for n in args.sizes.split(",")] if args.sizes
             else [20, 50, 100] if args.quick else [50, 200, 500])
    overhead_n = sizes[len(sizes) // 2]

    print(f"building and installing tiny models fr→{','.join(LOCALES)} in {_SANDBOX}", flush=True)
    install_models()
    per_segment: dict[int, float] = {}
    rerun: dict[int, float] = {}
    one_change: dict[int, float] = {}
    for n in sizes:
        project = make_project(_SANDBOX / f"flow-{n}", n)
        count = segments(project)
        forget_engines()
        cold = run_flow(project)
        again = run_flow(project)
        slug = change_one_article(project)
        changed = run_flow(project)
        per_segment[n] = cold / count
        rerun[n] = again / cold
        one_change[n] = changed / cold
        print(f"N={n:4d}: {count:6d} segments; cold {cold:7.1f} s = {1000 * per_segment[n]:.2f} ms/segment; "
              f"no-change re-run {again:6.2f} s = {rerun[n]:.3f} of cold; one article changed ({slug}) "
              f"{changed:6.2f} s = {one_change[n]:.3f} of cold", flush=True)

    tasks, shipped, pickling = travelling_data(make_project(_SANDBOX / f"travel-{sizes[-1]}", sizes[-1]))
    print(f"N={sizes[-1]}: a cold run sends {tasks} draft tasks to the task runner, {shipped / 1e6:.1f} MB "
          f"pickled in all ({shipped / max(tasks, 1) / 1e3:.1f} kB per task: template, catalog bytes, "
          f"translation memory), {pickling:.2f} s to pickle", flush=True)

    direct_project = make_project(_SANDBOX / f"direct-{overhead_n}", overhead_n)
    flow_project = make_project(_SANDBOX / f"overhead-{overhead_n}", overhead_n)
    forget_engines()
    direct = run_direct(direct_project)
    forget_engines()
    flowed = run_flow(flow_project)
    overhead = flowed / direct
    print(f"N={overhead_n}: pipeline flow {flowed:.1f} s, stage functions called directly {direct:.1f} s: "
          f"prefect overhead {overhead:.2f}", flush=True)

    # ru_maxrss is KiB on Linux. The flow process; the temporary Prefect server is a child.
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: pipeline process {peak_self:.0f} MB (largest finished child process "
          f"{peak_children:.0f} MB)", flush=True)
    growth = per_segment[sizes[-1]] / per_segment[sizes[0]]
    print(f"per_segment_growth={growth:.2f} peak_rss_mb={peak_self:.0f} prefect_overhead={overhead:.2f} "
          f"rerun_fraction={rerun[sizes[-1]]:.3f} one_change_fraction={one_change[sizes[-1]]:.3f}")
    shutil.rmtree(_SANDBOX, ignore_errors=True)


if __name__ == "__main__":
    main()
