"""Benchmark: how fast QA checks catalogs, and what `lingopress status` costs on the samples.

Builds a throw-away copy of the sample project (the two articles, the glossary, four
locales), fills every entry with a translation of source length, then times
`check_catalog` per entry and a whole `status` pass (QA + status page + review pages).

    .venv/bin/python scripts/bench_qa.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from lingopress import jobs
    from lingopress.config import load_config
    from lingopress.qa import check_catalog
    from lingopress.store.files import read_catalog, write_catalog
    from lingopress.store.project import ProjectStore

    with tempfile.TemporaryDirectory(prefix="lingopress-bench-") as tmp:
        project = Path(tmp)
        shutil.copytree(REPO / "sources", project / "sources")
        shutil.copy(REPO / "glossary.csv", project / "glossary.csv")
        (project / "lingopress.toml").write_text(
            'source_locale = "fr"\ntarget_locales = ["en", "es", "de", "ar"]\nengine = "none"\n', encoding="utf-8")
        config = load_config(project)
        store = ProjectStore(config)
        articles = store.articles()
        glossary = store.glossary()
        catalogs = []
        for locale in config.target_locales:
            jobs.draft_locale(store, locale, articles, provenance="none", stage=jobs.draft_with(None))
            for article in articles:
                path = config.catalog_path(locale, article.slug)
                catalog = read_catalog(path)
                for entry in catalog:
                    # Realistic lengths, numbers and markup; the case swapped so that the text is
                    # not the source copied (a copy makes the meaning checks stand aside).
                    entry.msgstr = entry.msgid.swapcase()
                write_catalog(catalog, path)
                catalogs.append((locale, read_catalog(path)))
        entries = sum(len(catalog) for _, catalog in catalogs)
        chars = sum(len(entry.msgid) for _, catalog in catalogs for entry in catalog)

        check_times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            found = sum(len(check_catalog(catalog, locale, glossary)) for locale, catalog in catalogs)
            check_times.append(time.perf_counter() - start)
        status_times = []
        for _ in range(args.rounds):
            # Every row and page computed again: the run records would skip them all.
            shutil.rmtree(project / ".lingopress", ignore_errors=True)
            start = time.perf_counter()
            jobs.refresh_status(ProjectStore(config), articles)
            status_times.append(time.perf_counter() - start)

    check = statistics.median(check_times)
    status = statistics.median(status_times)
    print(f"catalogs: {len(catalogs)} ({len(articles)} articles x {len(config.target_locales)} locales), "
          f"entries: {entries}, source characters: {chars}, findings: {found}")
    print(f"check_catalog: median {check:.3f} s over {args.rounds} rounds = "
          f"{entries / check:.0f} entries/s, {1000 * check / entries:.2f} ms/entry")
    print(f"status (QA + status page + {len(catalogs)} review pages): median {status:.3f} s; "
          f"ratio status/check = {status / check:.2f}")
    corpus = _corpus_throughput(args.rounds)
    print(f"labelled corpus (real translations, every check): {corpus:.0f} entries/s")


def _corpus_throughput(rounds: int) -> float:
    """Entries per second over the labelled medical corpus: real translations in four
    languages, so every meaning check reads real text."""
    sys.path.insert(0, str(REPO / "tests"))
    import polib

    from lingopress.catalogs.glossary import read_glossary
    from lingopress.qa import Context, check_entry
    from support.qa_cases import load_cases

    cases = load_cases(REPO / "tests" / "data" / "qa_cases")
    glossary = read_glossary(REPO / "glossary.csv")
    contexts = {locale: Context(locale, glossary) for locale in {case.locale for case in cases}}
    entries = [(polib.POEntry(msgctxt="paragraph", msgid=c.source, msgstr=c.target), contexts[c.locale])
               for c in cases]
    times = []
    for _ in range(rounds):
        from lingopress.qa import meaning, numbers, sentences
        for cached in (meaning._negation_counts, meaning._limit_cues, numbers._word_numbers,
                       numbers._time_units, sentences.split):
            cached.cache_clear()  # each round reads the text afresh
        start = time.perf_counter()
        for entry, ctx in entries:
            check_entry(entry, ctx)
        times.append(time.perf_counter() - start)
    return len(entries) / statistics.median(times)


if __name__ == "__main__":
    main()
