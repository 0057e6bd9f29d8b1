"""Run the draft stage on a project, as a separate process the crash test can kill -9."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/: support.project

from lingopress.config import load_config  # noqa: E402
from lingopress.draft import engine_for  # noqa: E402
from lingopress.store.project import ProjectStore  # noqa: E402
from support.project import load_articles, update_locale, write_templates  # noqa: E402


def main(project: str) -> None:
    config = load_config(Path(project))
    with ProjectStore(config).locked():
        articles = load_articles(config)
        write_templates(config, articles)
        print("ready", flush=True)
        for locale in config.target_locales:
            report = update_locale(config, locale, articles, engine_for(config, locale))
            if report.failures:
                raise SystemExit(f"failures: {report.failures}")


if __name__ == "__main__":
    main(sys.argv[1])
