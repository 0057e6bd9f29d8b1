"""What one pipeline run changed, per locale: the run's summary as a Markdown table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def change_counts(summary: Mapping[str, dict], status_rows: Sequence[Mapping] = ()) -> dict[str, dict]:
    """locale → counts of what the run did; `summary` is the pipeline's per-locale summary."""
    approved: dict[str, int] = {}
    for row in status_rows:
        approved[row["locale"]] = approved.get(row["locale"], 0) + int(row["approved"])
    counts = {}
    for locale, stages in summary.items():
        drafts = stages.get("draft") or []
        publish = stages.get("publish") or {}
        bundle = stages.get("bundle") or {}
        counts[locale] = {
            "units_updated": sum(1 for unit in drafts if unit["written"]),
            "units_unchanged": sum(1 for unit in drafts if not unit["written"]),
            "units_skipped": len(stages.get("skipped") or ()),
            "entries_drafted": sum(unit["drafted"] for unit in drafts),
            "entries_from_memory": sum(unit["memory_exact"] + unit["memory_close"] for unit in drafts),
            "entries_approved": approved.get(locale),
            "articles_published": len(publish.get("published", ())),
            "articles_held_back": len(publish.get("held_back", {})),
            "bundle": (f"v{bundle['version']} ({'new' if bundle['created'] else 'unchanged'})"
                       if bundle else None),
        }
    return counts


def changes_markdown(summary: Mapping[str, dict], status_rows: Sequence[Mapping] = (),
                     failures: Sequence[str] = ()) -> str:
    """The table published as the `lingopress-changes` Prefect artifact."""
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
