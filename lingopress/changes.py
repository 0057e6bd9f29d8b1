"""What one pipeline run changed, per locale: the run's summary as a Markdown table."""

from __future__ import annotations

from collections.abc import Sequence

from .review.model import ArticleStatus
from .summary import RunSummary, bundle_text


def change_counts(summary: RunSummary, status_rows: Sequence[ArticleStatus] = ()) -> dict[str, dict]:
    """locale → counts of what the run did."""
    approved: dict[str, int] = {}
    for row in status_rows:
        approved[row.locale] = approved.get(row.locale, 0) + row.approved
    counts = {}
    for locale, run in summary.locales.items():
        counts[locale] = {
            "units_updated": run.catalogs_written,
            "units_unchanged": len(run.drafts) - run.catalogs_written,
            "units_skipped": len(run.skipped),
            "entries_drafted": run.machine_drafts,
            "entries_from_memory": run.memory_exact + run.memory_close,
            "entries_approved": approved.get(locale),
            "articles_published": len(run.published),
            "articles_held_back": len(run.held_back),
            "bundle": bundle_text(run.bundle),
        }
    return counts


def changes_markdown(summary: RunSummary, status_rows: Sequence[ArticleStatus] = ()) -> str:
    """The table published as the `lingopress-changes` Prefect artifact."""
    failures = summary.failures
    counts = change_counts(summary, status_rows)
    lines = ["# lingopress run: what changed", "",
             "| locale | catalogs updated | merged, unchanged | skipped (same inputs) | machine drafts | "
             "from memory | approved entries | published | held back | bundle |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for locale, row in counts.items():
        cells = [row["units_updated"], row["units_unchanged"], row["units_skipped"], row["entries_drafted"], row["entries_from_memory"],
                 row["entries_approved"], row["articles_published"], row["articles_held_back"], row["bundle"]]
        lines.append(f"| {locale} | " + " | ".join("-" if cell is None else str(cell) for cell in cells) + " |")
    total_updated = sum(row["units_updated"] for row in counts.values())
    new_bundles = [locale for locale, row in counts.items() if row["bundle"] and row["bundle"].endswith("(new)")]
    lines += ["", f"{total_updated} (article, locale) catalogs updated; new bundles: "
                  f"{', '.join(new_bundles) or 'none'}."]
    if failures:
        lines += ["", f"**{len(failures)} work unit(s) failed:**", ""] + [f"- {failure}" for failure in failures]
    return "\n".join(lines) + "\n"
