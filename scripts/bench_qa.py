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
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from lingopress.catalog import read_catalog, write_catalog
    from lingopress.config import load_config
    from lingopress.draft import update_locale
    from lingopress.glossary import load_glossary
    from lingopress.ingest import load_articles
    from lingopress.qa import check_catalog
    from lingopress.status import review_project, write_review_pages

    with tempfile.TemporaryDirectory(prefix="lingopress-bench-") as tmp:
        project = Path(tmp)
        shutil.copytree(REPO / "sources", project / "sources")
        shutil.copy(REPO / "glossary.csv", project / "glossary.csv")
        (project / "lingopress.toml").write_text(
            'source_locale = "fr"\ntarget_locales = ["en", "es", "de", "ar"]\nengine = "none"\n', encoding="utf-8")
        config = load_config(project)
        articles = load_articles(config)
        glossary = load_glossary(config)
        catalogs = []
        for locale in config.target_locales:
            update_locale(config, locale, articles, None)
            for article in articles:
                path = config.catalog_path(locale, article.slug)
                catalog = read_catalog(path)
                for entry in catalog:
                    entry.msgstr = entry.msgid  # realistic lengths; every check runs
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
            start = time.perf_counter()
            write_review_pages(config, review_project(config, articles, glossary))
            status_times.append(time.perf_counter() - start)

    check = statistics.median(check_times)
    status = statistics.median(status_times)
    print(f"catalogs: {len(catalogs)} ({len(articles)} articles x {len(config.target_locales)} locales), "
          f"entries: {entries}, source characters: {chars}, findings: {found}")
    print(f"check_catalog: median {check:.3f} s over {args.rounds} rounds = "
          f"{entries / check:.0f} entries/s, {1000 * check / entries:.2f} ms/entry")
    print(f"status (QA + status page + {len(catalogs)} review pages): median {status:.3f} s; "
          f"ratio status/check = {status / check:.2f}")


if __name__ == "__main__":
    main()
