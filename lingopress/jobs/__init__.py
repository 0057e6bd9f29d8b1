"""Jobs: each stage wired to the store, the way the flows and the CLI run it.

A job loads its inputs through the store, wraps the stage in the content-hash skip
(lingopress.skip), hands the work to `run` and saves the results through the store. `run`
maps the pure stage over its inputs: the flow passes one that submits Prefect tasks (to
threads or to Dask workers, which get data and return data), the CLI and the tests pass
`in_process`. Either way the same code reads, skips and writes, in the process that holds
the project lock.
"""

from .base import Run, in_process
from .drafting import (CatalogFindings, LocaleDrafts, Preflight, check_catalogs, draft_locale, draft_locales,
                       draft_with, preflight, write_templates)
from .publishing import PublishJob, build_bundles, decide_all, publish_locale, render_outputs
from .review import refresh_status

__all__ = ["CatalogFindings", "LocaleDrafts", "Preflight", "PublishJob", "Run", "build_bundles", "check_catalogs",
           "decide_all", "draft_locale", "draft_locales", "draft_with", "in_process", "preflight",
           "publish_locale", "refresh_status", "render_outputs", "write_templates"]
