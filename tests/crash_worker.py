"""Run the draft stage on a project, as a separate process the crash test can kill -9."""

from __future__ import annotations

import sys
from pathlib import Path

from lingopress.config import load_config
from lingopress.draft import engine_for, update_locale
from lingopress.ingest import load_articles, write_templates
from lingopress.store.atomic import exclusive_run


def main(project: str) -> None:
    config = load_config(Path(project))
    with exclusive_run(config.project_dir, 60, config.translations_dir):
        articles = load_articles(config)
        write_templates(config, articles)
        print("ready", flush=True)
        for locale in config.target_locales:
            report = update_locale(config, locale, articles, engine_for(config, locale))
            if report.failures:
                raise SystemExit(f"failures: {report.failures}")


if __name__ == "__main__":
    main(sys.argv[1])
