"""Benchmark: ingest time against the length of one paragraph (it must grow linearly).

Builds a project with the repository's glossary and one article whose body is a single
paragraph of the sample articles' French prose, at 92, 184, 368 and 736 KB, then a
4.8 MB one-line source (just under the 5 MB limit), and times the real ingest
(`ProjectStore.articles` + `jobs.write_templates`: parse, segment, glossary notes, .pot write).
Then the same for paragraphs of Markdown delimiters (`*a _b `), the input that made
markdown-it-py's own text joins quadratic. Prints seconds per size and the ratio per
doubling (linear: about 2). The last line is

    prose_ratio=R delimiters_ratio=D prose_4.8MB_s=S

    .venv/bin/python benchmarks/ingest_scale.py            # all sizes
    .venv/bin/python benchmarks/ingest_scale.py --quick    # no 736 KB row, no 4.8 MB source
"""

from __future__ import annotations

import argparse
import itertools
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from lingopress.config import load_config
from lingopress.ingest import MAX_SOURCE_BYTES
from lingopress.jobs import write_templates  # noqa: E402
from lingopress.store.project import ProjectStore  # noqa: E402

FRONT = '---\ntitle: "Essai"\nslug: essai\ndate: 2026-01-02\nsummary: "Un long paragraphe."\n---\n\n'


def sample_prose() -> str:
    """The sample articles' paragraphs, as one line of running French text."""
    lines = []
    for path in sorted((REPO / "sources").glob("*.md")):
        body = re.sub(r"(?s)^---\n.*?\n---\n", "", path.read_text(encoding="utf-8"))
        lines += [line for line in body.splitlines() if line and line[0].isalpha()]
    return " ".join(lines) + " "


def paragraph(unit: str, size: int) -> str:
    text = unit * (size // len(unit.encode("utf-8")) + 1)
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore").rstrip()


def time_ingest(project: Path, body: str) -> float:
    (project / "sources" / "essai.md").write_text(FRONT + body + "\n", encoding="utf-8")
    shutil.rmtree(project / "translations", ignore_errors=True)
    shutil.rmtree(project / ".lingopress", ignore_errors=True)
    store = ProjectStore(load_config(project))
    start = time.perf_counter()
    write_templates(store, store.articles())
    return time.perf_counter() - start


def series(project: Path, name: str, unit: str, sizes: list[int]) -> float:
    """Print one row per size; return the mean ratio per doubling."""
    seconds = []
    for size in sizes:
        seconds.append(time_ingest(project, paragraph(unit, size)))
        ratio = f"  ×{seconds[-1] / seconds[-2]:.2f}" if len(seconds) > 1 else ""
        print(f"{name:<11} {size // 1024:>5} KB  {seconds[-1]:7.2f} s{ratio}", flush=True)
    ratios = [b / a for a, b in itertools.pairwise(seconds)]
    return sum(ratios) / len(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 736 KB row and the 4.8 MB source")
    args = parser.parse_args()
    sizes = [92 * 1024, 184 * 1024, 368 * 1024] + ([] if args.quick else [736 * 1024])
    with tempfile.TemporaryDirectory(prefix="lingopress-ingest-") as tmp:
        project = Path(tmp)
        (project / "sources").mkdir()
        shutil.copy(REPO / "lingopress.toml", project)
        shutil.copy(REPO / "glossary.csv", project)
        prose = sample_prose()
        prose_ratio = series(project, "prose", prose, sizes)
        delimiters_ratio = series(project, "delimiters", "*a _b ", sizes)
        big = float("nan")
        if not args.quick:
            size = int(4.8 * 1024 * 1024)
            assert size + len(FRONT) < MAX_SOURCE_BYTES
            big = time_ingest(project, paragraph(prose, size))
            print(f"prose       4.8 MB source  {big:7.2f} s")
    print(f"prose_ratio={prose_ratio:.2f} delimiters_ratio={delimiters_ratio:.2f} prose_4.8MB_s={big:.1f}")


if __name__ == "__main__":
    main()
