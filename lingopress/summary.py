"""What one pipeline run did, as typed data: the flow builds a `RunSummary`, the CLI prints
it and `changes` turns it into the run's Markdown artifact.

Printed two ways: a table for a wide terminal, and plain lines for a log or a narrow
terminal, where a table's cells would wrap over several lines each. In the plain layout
every locale is one line under one header, then what was published and held back,
wrapped at the width with the locale in front so `grep` finds it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from .publishing.bundles import BundleResult
from .draft import CatalogReport
from .publishing.publish import PublishReport

# Below this many columns the table's cells wrap: the plain layout reads better.
TABLE_MIN_WIDTH = 100
TABLE_COLUMNS = ("locale", "catalogs", "memory", "machine drafts", "published", "held back", "bundle")
PLAIN_COLUMNS = ("locale", "updated", "skipped", "memory", "drafts", "published", "held back", "bundle")
PLAIN_LEGEND = ("updated: catalogs changed/all; skipped: inputs unchanged since the last run; "
                "memory: exact+close matches")


@dataclass(frozen=True)
class LocaleRun:
    """One locale's part of a run; a stage that did not run (or failed) leaves its part empty."""

    locale: str
    drafts: tuple[CatalogReport, ...] = ()  # one per catalog the run updated
    skipped: tuple[str, ...] = ()  # slugs whose inputs had not changed since their last update
    publish: PublishReport | None = None
    bundle: BundleResult | None = None

    @property
    def drafted(self) -> bool:
        return bool(self.drafts or self.skipped)

    @property
    def catalogs_written(self) -> int:
        return sum(report.written for report in self.drafts)

    @property
    def memory_exact(self) -> int:
        return sum(report.memory_exact for report in self.drafts)

    @property
    def memory_close(self) -> int:
        return sum(report.memory_close for report in self.drafts)

    @property
    def machine_drafts(self) -> int:
        return sum(report.drafted for report in self.drafts)

    @property
    def published(self) -> list[str]:
        return self.publish.published if self.publish else []

    @property
    def held_back(self) -> dict[str, str]:
        return self.publish.held_back if self.publish else {}


@dataclass(frozen=True)
class RunSummary:
    locales: dict[str, LocaleRun] = field(default_factory=dict)  # in the order the run took them
    failures: tuple[str, ...] = ()  # one line per failed work unit

    def __getitem__(self, locale: str) -> LocaleRun:
        return self.locales[locale]


def bundle_text(bundle: BundleResult | None) -> str | None:
    """"v3 (new)" or "v3 (unchanged)"; None without a bundle."""
    if bundle is None:
        return None
    return f"v{bundle.version} ({'new' if bundle.created else 'unchanged'})"


def table_cells(run: LocaleRun) -> tuple[str, ...]:
    """One row of the terminal table, under TABLE_COLUMNS."""
    if not run.drafted:
        catalogs = memory = drafts = "-"
    else:
        catalogs = f"{run.catalogs_written}/{len(run.drafts) + len(run.skipped)} updated" + (
            f" ({len(run.skipped)} unchanged, skipped)" if run.skipped else "")
        memory = f"{run.memory_exact} exact, {run.memory_close} close" if run.drafts else "-"
        drafts = str(run.machine_drafts) if run.drafts else "-"
    held = "\n".join(f"{slug}: {why}" for slug, why in run.held_back.items())
    return (run.locale, catalogs, memory, drafts, ", ".join(run.published) or "-", held or "-",
            bundle_text(run.bundle) or "-")


def plain_lines(summary: RunSummary, width: int) -> list[str]:
    """The summary as lines of at most `width` columns (but for a word longer than that):
    a header and one line per locale, then the published and held-back articles."""
    rows = [PLAIN_COLUMNS] + [_plain_cells(run) for run in summary.locales.values()]
    widths = [max(len(row[column]) for row in rows) for column in range(len(PLAIN_COLUMNS))]
    lines = ["  ".join(cell.ljust(size) for cell, size in zip(row, widths)).rstrip() for row in rows]
    lines += _wrapped(PLAIN_LEGEND, width)
    for run in summary.locales.values():
        if run.published:
            lines += _wrapped(f"{run.locale} published: {', '.join(run.published)}", width)
        for slug, why in run.held_back.items():
            lines += _wrapped(f"{run.locale} held back: {slug}: {why}", width)
    return lines


def _plain_cells(run: LocaleRun) -> tuple[str, ...]:
    drafted = run.drafted
    return (run.locale,
            f"{run.catalogs_written}/{len(run.drafts) + len(run.skipped)}" if drafted else "-",
            str(len(run.skipped)) if drafted else "-",
            f"{run.memory_exact}+{run.memory_close}" if run.drafts else "-",
            str(run.machine_drafts) if run.drafts else "-",
            str(len(run.published)) if run.publish else "-",
            str(len(run.held_back)) if run.publish else "-",
            bundle_text(run.bundle) or "-")


def _wrapped(text: str, width: int) -> list[str]:
    # Hyphens stay whole: slugs and messages are data, and a break inside one hides it from grep.
    return textwrap.wrap(text, width, subsequent_indent="    ", break_on_hyphens=False,
                         break_long_words=False)
