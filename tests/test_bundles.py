"""Bundles: contents, checksums, versions only on change, reproducible archives, crash safety."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import ISOLATED_ENV, REPO, make_project, run_cli
from lingopress import __version__
from lingopress.publishing.bundle_format import build_archive
from lingopress.publishing.render import Site
from support.project import bundles_dir
from lingopress.config import load_config
from support.project import build_bundles, load_articles, read_state, render_outputs, update_locale, update_published
from lingopress.errors import BusyError
from test_publish import SOURCE, approve_all

T1 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
T2 = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


def published_project(root: Path, locales: tuple[str, ...] = ("en", "ar"), prefix: str = "T"):
    """A project whose articles are approved and published in every locale."""
    other = SOURCE.replace("slug: essai", "slug: second").replace("2026-03-05", "2026-04-01")
    project = make_project(root, locales=locales, engine="none",
                           sources={"essai.md": SOURCE, "second.md": other})
    config = load_config(project)
    articles = load_articles(config)
    for locale in locales:
        update_locale(config, locale, articles, None)
        for article in articles:
            approve_all(config.catalog_path(locale, article.slug), lambda e: f"{prefix}-{locale} {e.msgid}")
    publish(config, articles)
    return config, articles


def publish(config, articles) -> None:
    for locale in (config.source_locale, *config.target_locales):
        update_published(config, locale, articles)
    render_outputs(config)


def tree(path: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below `path` with its bytes and mtime: to prove nothing was touched."""
    return {str(item.relative_to(path)): (item.read_bytes(), item.stat().st_mtime_ns)
            for item in sorted(path.rglob("*")) if item.is_file()}


def test_bundle_holds_the_locale_with_manifest_inside_and_beside(tmp_path: Path):
    config, articles = published_project(tmp_path)
    results = build_bundles(config, now=T1)
    assert {locale: (r.version, r.created, r.articles) for locale, r in results.items()} == {
        "fr": (1, True, 2), "ar": (1, True, 2), "en": (1, True, 2)}
    root = bundles_dir(config)
    archive = root / "en" / "lingopress-en-1.tar.gz"
    beside = (root / "en" / "lingopress-en-1.manifest.json").read_bytes()
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        inside = {name: tar.extractfile(name).read() for name in names}
    # The pages, and what makes a pulled locale a site of its own: its theme and its feed.
    assert names == sorted(names) == [Site().stylesheet_path(), "essai.html", "essai.json", "essai.md", "feed.xml",
                                      "index.html", "index.json", "manifest.json", "second.html", "second.json",
                                      "second.md"]
    assert inside[Site().stylesheet_path()] == (config.outputs_dir / Site().stylesheet_path()).read_bytes()
    assert inside["manifest.json"] == beside
    manifest = json.loads(beside)
    assert (manifest["locale"], manifest["version"], manifest["tool_version"], manifest["created"]) == (
        "en", 1, __version__, "2026-11-27T09:00:00Z")
    for name, item in manifest["files"].items():
        on_disk = (config.output_dir("en") / name).read_bytes()
        assert inside[name] == on_disk
        assert item == {"sha256": hashlib.sha256(on_disk).hexdigest(), "size": len(on_disk)}
    state = read_state(config, "en")
    essai = next(article for article in manifest["articles"] if article["slug"] == "essai")
    assert essai == {"slug": "essai", "title": "T-en Titre", "source_hash": articles[0].source_hash,
                     "translation_hash": state["essai"].translation_hash, "units": 12, "approved": 12,
                     "fallback_units": 0, "original": False,
                     "files": ["essai.html", "essai.md", "essai.json"]}
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    entry = index["locales"]["en"]
    assert entry["latest"] == 1 and len(entry["versions"]) == 1
    record = entry["versions"][0]
    assert record["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert record["size"] == archive.stat().st_size
    assert record["manifest_sha256"] == hashlib.sha256(beside).hexdigest()
    assert record["content_digest"] == manifest["content_digest"]
    assert sorted(index["locales"]) == ["ar", "en", "fr"]


def test_rerun_without_change_creates_nothing_and_a_change_makes_one_new_version(tmp_path: Path):
    config, articles = published_project(tmp_path)
    build_bundles(config, now=T1)
    root = bundles_dir(config)
    before = tree(root)
    # Rendering and bundling again a day later: same content, nothing written.
    publish(config, articles)
    results = build_bundles(config, now=T2)
    assert {locale: (r.version, r.created) for locale, r in results.items()} == {
        "fr": (1, False), "ar": (1, False), "en": (1, False)}
    assert tree(root) == before

    # A translator improves one English entry: English alone gets version 2.
    approve_all(config.catalog_path("en", "essai"),
                lambda e: "Better title" if e.msgctxt == "title" else e.msgstr)
    publish(config, articles)
    results = build_bundles(config, now=T2)
    assert {locale: (r.version, r.created) for locale, r in results.items()} == {
        "fr": (1, False), "ar": (1, False), "en": (2, True)}
    after = tree(root)
    assert {name: after[name] for name in before if name != "index.json"} == {
        name: data for name, data in before.items() if name != "index.json"}  # v1 is immutable
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    assert index["locales"]["en"]["latest"] == 2
    assert [v["version"] for v in index["locales"]["en"]["versions"]] == [1, 2]
    manifest = json.loads((root / "en" / "lingopress-en-2.manifest.json").read_text(encoding="utf-8"))
    assert manifest["articles"][0]["title"] == "Better title" and manifest["created"] == "2026-11-28T09:00:00Z"


def test_archives_are_reproducible(tmp_path: Path):
    files = {"b.html": "<p>b</p>\n".encode(), "a.json": b"{}\n", "é.md": "é\n".encode()}
    first = build_archive(files, b'{"m": 1}\n', mtime=1_790_000_000)
    second = build_archive(dict(reversed(list(files.items()))), b'{"m": 1}\n', mtime=1_790_000_000)
    assert first == second
    assert first[4:8] == b"\0\0\0\0"  # no timestamp in the gzip header
    with tarfile.open(fileobj=io.BytesIO(first), mode="r:gz") as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["a.json", "b.html", "manifest.json", "é.md"]
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode, m.type) for m in members} == {
        (1_790_000_000, 0, 0, "", "", 0o644, tarfile.REGTYPE)}
    assert gzip.decompress(first) != gzip.decompress(build_archive(files, b'{"m": 2}\n', mtime=1_790_000_000))


CRASH_BEFORE_INDEX = """
import os, sys
from datetime import datetime, timezone
from lingopress import jobs
from lingopress.config import load_config
from lingopress.store.project import ProjectStore

def crash(self, index):
    os._exit(17)  # the process dies before the index is written: no cleanup, no finally
ProjectStore.save_bundle_index = crash
jobs.build_bundles(ProjectStore(load_config(sys.argv[1])), now=datetime(2026, 11, 28, tzinfo=timezone.utc))
"""


def test_crash_before_the_index_update_never_lists_a_half_bundle(tmp_path: Path):
    config, articles = published_project(tmp_path / "project", locales=("en",))
    build_bundles(config, now=T1)
    root = bundles_dir(config)
    index_before = (root / "index.json").read_bytes()
    approve_all(config.catalog_path("en", "essai"), lambda e: f"second {e.msgid}")
    publish(config, articles)
    crashed = subprocess.run([sys.executable, "-c", CRASH_BEFORE_INDEX, str(config.project_dir)],
                             env={**ISOLATED_ENV, "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
                             capture_output=True, text=True)
    assert crashed.returncode == 17, crashed.stderr
    # The new archive may be complete on disk, but readers of the index never see it.
    assert (root / "en" / "lingopress-en-2.tar.gz").exists()
    assert (root / "index.json").read_bytes() == index_before
    (root / "en" / ".lingopress-en-3.tar.gz.x1y2.tmp").write_bytes(b"half an archive")  # a killed write

    results = build_bundles(config, now=T2)
    assert (results["en"].version, results["en"].created) == (3, True)  # 2 is skipped: immutable
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    assert [v["version"] for v in index["locales"]["en"]["versions"]] == [1, 3]
    assert not list((root / "en").glob(".*.tmp"))


def test_bundling_waits_for_the_project_lock_another_process_holds(tmp_path: Path):
    config, _ = published_project(tmp_path / "project", locales=("en",))
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock; "
         "lock = FileLock(sys.argv[1]); lock.acquire(); print('held', flush=True); time.sleep(60)",
         str(config.project_dir / ".lingopress.lock")], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"held"
        with pytest.raises(BusyError, match="another lingopress run is working on this project; waited 1 s"):
            build_bundles(load_config(config.project_dir, lock_timeout_s=1), now=T1)
        assert not bundles_dir(config).exists()
    finally:
        holder.kill()
        holder.wait()
    assert build_bundles(config, now=T1)  # released with its killed holder


def test_pipeline_bundles_after_publishing_and_a_rerun_changes_nothing(tmp_path: Path):
    config, _ = published_project(tmp_path / "project", locales=("en",))
    result = run_cli("publish", cwd=config.project_dir, env={"COLUMNS": "250"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "v1 (new)" in result.stdout and "Traceback" not in result.stdout + result.stderr
    root = bundles_dir(config)
    before = tree(root)
    assert sorted(name for name in before if name.endswith(".tar.gz")) == [
        "en/lingopress-en-1.tar.gz", "fr/lingopress-fr-1.tar.gz"]
    again = run_cli("publish", cwd=config.project_dir, env={"COLUMNS": "250"})
    assert again.returncode == 0, again.stdout + again.stderr
    assert "v1 (unchanged)" in again.stdout and "(new)" not in again.stdout
    assert tree(root) == before


def test_nothing_published_means_no_bundles(tmp_path: Path):
    project = make_project(tmp_path, locales=("en",), engine="none", sources={"essai.md": SOURCE})
    config = load_config(project)
    assert build_bundles(config) == {}
    assert not bundles_dir(config).exists()
    update_locale(config, "en", load_articles(config), None)
    update_published(config, "en", load_articles(config))
    render_outputs(config)
    assert build_bundles(config) == {}  # English has no approved article yet


@pytest.mark.parametrize("damage", ["missing page", "broken index"])
def test_bundle_errors_name_the_file_and_the_fix(tmp_path: Path, damage: str):
    config, _ = published_project(tmp_path, locales=("en",))
    if damage == "missing page":
        (config.output_dir("en") / "essai.md").unlink()
        match = r"outputs/en/essai.md: a published file is missing \(run `lingopress publish`"
    else:
        bundles_dir(config).mkdir(parents=True)
        (bundles_dir(config) / "index.json").write_text('{"format": 99}', encoding="utf-8")
        match = r"outputs/bundles/index.json: not a lingopress bundle index"
    from lingopress.errors import BundleError
    with pytest.raises(BundleError, match=match):
        build_bundles(config)
