"""Benchmark: how the pipeline scales with the number of articles.

Builds synthetic corpora from `sources/` (distinct slugs; paragraphs reordered, sentences
shuffled, numbers changed, so translation memory cannot dedupe them away) at N articles
× 4 locales, and runs the real Prefect pipeline flow with a small real Argos model
(built by `tests/support/tiny_argos.py`, installed into a throw-away package dir).

Prints, per N: wall time of the cold run per segment (segment = one unit of one
article in one locale), the no-change re-run as a fraction of the cold run; then the
peak RSS, and at the middle N the Prefect overhead (the pipeline flow against calling
the same stage functions directly, both cold on fresh copies). The last line is

    per_segment_growth=G rerun_fraction=R peak_rss_mb=M prefect_overhead=P

Targets: G ≤ 1.2 (largest N against smallest), R ≤ 0.1 (at the largest N), M < 1500,
P ≤ 1.3.

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
    """The stages the flow runs, as plain function calls in one thread (no Prefect)."""
    from lingopress.publishing.bundles import build_bundles
    from lingopress.config import load_config
    from lingopress.draft import build_memory, engine_for, update_catalog
    from lingopress.ingest import load_articles, write_templates
    from lingopress.publishing.publish import render_outputs, update_published
    from lingopress.review.status import review_project, write_review_pages
    from lingopress.store.atomic import exclusive_run

    start = time.perf_counter()
    config = load_config(project)
    with exclusive_run(config.project_dir, config.lock_timeout_s, config.translations_dir, config.outputs_dir):
        articles = load_articles(config)
        write_templates(config, articles)
        for locale in config.target_locales:
            memory = build_memory(config, locale, articles)
            for article in articles:
                update_catalog(config, locale, article, engine_for(config, locale), memory)
        for locale in (config.source_locale, *config.target_locales):
            update_published(config, locale, articles)
        render_outputs(config)
        build_bundles(config)
        write_review_pages(config, review_project(config, articles))
    return time.perf_counter() - start


def segments(project: Path) -> int:
    from lingopress.config import load_config
    from lingopress.ingest import load_articles

    config = load_config(project)
    return sum(len(article.segments) for article in load_articles(config)) * len(config.target_locales)


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
    for n in sizes:
        project = make_project(_SANDBOX / f"flow-{n}", n)
        count = segments(project)
        forget_engines()
        cold = run_flow(project)
        again = run_flow(project)
        per_segment[n] = cold / count
        rerun[n] = again / cold
        print(f"N={n:4d}: {count:6d} segments; cold {cold:7.1f} s = {1000 * per_segment[n]:.2f} ms/segment; "
              f"no-change re-run {again:6.1f} s = {rerun[n]:.3f} of cold", flush=True)

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
    print(f"per_segment_growth={growth:.2f} rerun_fraction={rerun[sizes[-1]]:.3f} "
          f"peak_rss_mb={peak_self:.0f} prefect_overhead={overhead:.2f}")
    shutil.rmtree(_SANDBOX, ignore_errors=True)


if __name__ == "__main__":
    main()
