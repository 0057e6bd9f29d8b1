"""`lingopress pull` against a real HTTP server on 127.0.0.1: verify everything, swap atomically."""

from __future__ import annotations

import errno
import functools
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import lingopress.publishing.pull_dest

from conftest import REPO, run_cli
from lingopress.publishing.bundle_format import content_digest, encode_json
from support.project import build_bundles
from lingopress.errors import PullError
from lingopress.publishing.pull import MARKER_NAME, Limits, pull, swap_by_renames
from lingopress.store.atomic import file_lock
from test_bundles import T1, T2, publish, published_project, tree
from test_publish import approve_all


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # keep test output readable
        pass


class CuttingHandler(QuietHandler):
    """Announces the whole archive, sends half of it, and hangs up: a download that breaks off."""

    def do_GET(self) -> None:
        if not self.path.endswith(".tar.gz"):
            return super().do_GET()
        data = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True


@contextmanager
def serve(directory: Path, handler=QuietHandler) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """outputs/ of a project with English published twice: versions 1 and 2."""
    config, articles = published_project(tmp_path_factory.mktemp("published") / "project", locales=("en",))
    build_bundles(config, now=T1)
    approve_all(config.catalog_path("en", "essai"), lambda e: f"second {e.msgid}")
    publish(config, articles)
    build_bundles(config, now=T2)
    return config.outputs_dir


@pytest.fixture
def outputs(published, tmp_path) -> Path:
    """A private copy of the served outputs/, free to tamper with."""
    return Path(shutil.copytree(published, tmp_path / "served"))


@pytest.fixture
def installed(outputs, tmp_path) -> Path:
    """A site directory that already holds English version 1."""
    site = tmp_path / "site" / "en"
    pull(str(outputs), "en", site, version=1)
    return site


def snapshot(site: Path) -> tuple:
    """DIR's inode and every file in and beside it: 'untouched' means all of it is equal."""
    return site.stat().st_ino, tree(site), sorted(path.name for path in site.parent.iterdir())


def assert_refused(outputs: Path, site: Path, match: str, handler=QuietHandler) -> None:
    """Pulling from `outputs` fails with `match`; the site directory and its siblings are untouched."""
    before = snapshot(site)
    with serve(outputs, handler) as url, pytest.raises(PullError, match=match):
        pull(url, "en", site)
    assert snapshot(site) == before


def index_of(outputs: Path) -> dict:
    return json.loads((outputs / "bundles" / "index.json").read_text(encoding="utf-8"))


def republish(outputs: Path, version: int, members: dict[str, bytes], manifest: dict | None = None,
              links: list[tarfile.TarInfo] = ()) -> None:
    """What someone who controls the server can do: replace a version's archive (and manifest)
    and rewrite the index so that every checksum in it matches."""
    directory = outputs / "bundles" / "en"
    if manifest is not None:
        manifest["content_digest"] = content_digest("en", manifest["articles"], manifest["files"])
    manifest_bytes = encode_json(manifest) if manifest is not None else (
        directory / f"lingopress-en-{version}.manifest.json").read_bytes()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in links:
            tar.addfile(info)
    data = archive.getvalue()
    (directory / f"lingopress-en-{version}.tar.gz").write_bytes(data)
    (directory / f"lingopress-en-{version}.manifest.json").write_bytes(manifest_bytes)
    index = index_of(outputs)
    record = next(v for v in index["locales"]["en"]["versions"] if v["version"] == version)
    record.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                  manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(), manifest_size=len(manifest_bytes),
                  content_digest=json.loads(manifest_bytes)["content_digest"])
    (outputs / "bundles" / "index.json").write_text(json.dumps(index), encoding="utf-8")


def members_of(outputs: Path, version: int) -> dict[str, bytes]:
    with tarfile.open(outputs / "bundles" / "en" / f"lingopress-en-{version}.tar.gz", "r:gz") as tar:
        return {member.name: tar.extractfile(member).read() for member in tar.getmembers()}


def test_pull_installs_then_is_current_then_updates(outputs, tmp_path: Path):
    site = tmp_path / "site" / "en"
    with serve(outputs) as url:
        first = run_cli("pull", url, "--locale", "en", "--dest", str(site), cwd=tmp_path, env={"COLUMNS": "300"})
        assert first.returncode == 0, first.stderr
        assert first.stdout.strip() == (f"installed en version 2 (2 articles, 10 files, all sha256 verified) "
                                        f"from {url}bundles/en/lingopress-en-2.tar.gz into {site}")
        expected = {path.relative_to(outputs / "en").as_posix(): path.read_bytes()
                    for path in (outputs / "en").rglob("*") if path.is_file()}
        assert {name: data for name, (data, _) in tree(site).items() if name not in ("manifest.json", MARKER_NAME)} == expected
        assert "second Titre" in (site / "essai.html").read_text(encoding="utf-8")
        before = snapshot(site)

        again = run_cli("pull", url, "--locale", "en", "--dest", str(site), cwd=tmp_path, env={"COLUMNS": "300"})
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == f"{site} already holds en version 2, verified; nothing to do"
        assert snapshot(site) == before

        # Pinning an older version swaps the whole directory, then the latest comes back.
        assert pull(url, "en", site, version=1).changed
        assert "T-en Titre" in (site / "essai.html").read_text(encoding="utf-8")
        assert pull(url + "bundles", "en", site).version == 2  # the bundles URL itself works too
        assert "second Titre" in (site / "essai.html").read_text(encoding="utf-8")
    assert sorted(path.name for path in site.parent.iterdir()) == [".en.pull.lock", "en"]


def test_pull_from_a_directory_and_repair_of_a_changed_file(outputs, tmp_path: Path):
    site = tmp_path / "site"
    assert pull(str(outputs / "bundles"), "fr", site).version == 1
    (site / "essai.html").write_text("defaced", encoding="utf-8")
    result = pull(str(outputs), "fr", site)  # not current any more: installed again
    assert result.changed and (site / "essai.html").read_bytes() == (outputs / "fr" / "essai.html").read_bytes()


def test_tampered_archive_is_refused_and_dir_untouched(outputs, installed):
    archive = outputs / "bundles" / "en" / "lingopress-en-2.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    before = snapshot(installed)
    with serve(outputs) as url:
        result = run_cli("pull", url, "--locale", "en", "--dest", str(installed), cwd=installed.parent)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "lingopress-en-2.tar.gz: archive sha256" in lines[0] and "does not match the index" in lines[0]
    assert snapshot(installed) == before


def test_tampered_manifest_beside_is_refused(outputs, installed):
    path = outputs / "bundles" / "en" / "lingopress-en-2.manifest.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"approved": 12', '"approved": 11'), encoding="utf-8")
    assert_refused(outputs, installed, "manifest sha256 .* does not match the index")


def test_tampered_manifest_inside_the_archive_is_refused_even_with_a_matching_index(outputs, installed):
    members = members_of(outputs, 2)
    inner = json.loads(members["manifest.json"])
    inner["files"]["essai.html"]["sha256"] = "0" * 64
    members["manifest.json"] = encode_json(inner)
    republish(outputs, 2, members)
    assert_refused(outputs, installed, "manifest.json: sha256 does not match the manifest")


def test_file_changed_inside_the_archive_is_refused(outputs, installed):
    members = members_of(outputs, 2)
    members["essai.html"] = members["essai.html"].replace(b"second Titre", b"second Tirte")  # same size
    republish(outputs, 2, members)
    assert_refused(outputs, installed, "essai.html: sha256 does not match the manifest")


def test_truncated_downloads_are_refused(outputs, installed):
    assert_refused(outputs, installed, "archive download broke off|truncated", CuttingHandler)
    archive = outputs / "bundles" / "en" / "lingopress-en-2.tar.gz"
    archive.write_bytes(archive.read_bytes()[:-100])  # a file cut short on the server
    assert_refused(outputs, installed, r"archive is truncated: \d+ of \d+ bytes")


def _link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize("attack", ["dotdot", "absolute", "symlink", "hardlink", "directory", "duplicate", "extra"])
def test_malicious_archive_entries_are_refused(outputs, installed, tmp_path: Path, attack: str):
    members = members_of(outputs, 2)
    manifest = json.loads(members.pop("manifest.json"))
    links: list[tarfile.TarInfo] = []
    evil = b"<script>alert(1)</script>"
    name = {"dotdot": "../../evil.html", "absolute": str(tmp_path / "evil.html")}.get(attack)
    if name:
        members[name] = evil
        if attack == "dotdot":  # listed in the manifest too: only the name check can stop it
            manifest["files"][name] = {"sha256": hashlib.sha256(evil).hexdigest(), "size": len(evil)}
        expected = "unsafe file name"
    elif attack in ("symlink", "hardlink"):
        kind = tarfile.SYMTYPE if attack == "symlink" else tarfile.LNKTYPE
        links.append(_link("passwd.html", "/etc/passwd", kind))
        expected = "archive holds a link 'passwd.html'"
    elif attack == "directory":
        info = tarfile.TarInfo("assets")
        info.type = tarfile.DIRTYPE
        links.append(info)
        expected = "archive holds a non-file entry 'assets'"
    elif attack == "duplicate":
        expected = "archive holds 'essai.html' twice"
    else:
        members["extra.html"] = evil
        expected = "archive holds 'extra.html', which the manifest does not list"
    members["manifest.json"] = encode_json({**manifest, "content_digest": content_digest(
        "en", manifest["articles"], manifest["files"])})
    republish(outputs, 2, members, manifest=manifest, links=links)
    if attack == "duplicate":  # a second essai.html after the real one would overwrite it
        archive = outputs / "bundles" / "en" / "lingopress-en-2.tar.gz"
        extra = io.BytesIO()
        with tarfile.open(archive, "r:gz") as source, tarfile.open(fileobj=extra, mode="w:gz") as tar:
            for member in source.getmembers():
                tar.addfile(member, source.extractfile(member))
            info = tarfile.TarInfo("essai.html")
            info.size = len(members["essai.html"])
            tar.addfile(info, io.BytesIO(members["essai.html"]))
        archive.write_bytes(extra.getvalue())
        index = index_of(outputs)
        index["locales"]["en"]["versions"][1].update(sha256=hashlib.sha256(extra.getvalue()).hexdigest(),
                                                     size=len(extra.getvalue()))
        (outputs / "bundles" / "index.json").write_text(json.dumps(index), encoding="utf-8")
    assert_refused(outputs, installed, re.escape(expected))
    assert not (tmp_path / "evil.html").exists() and not (installed.parent.parent / "evil.html").exists()


def test_index_paths_cannot_point_elsewhere(outputs, tmp_path: Path):
    # The index's own paths are never followed; names are derived from locale and version.
    index = index_of(outputs)
    index["locales"]["en"]["versions"][1]["archive"] = "../../../../etc/passwd"
    (outputs / "bundles" / "index.json").write_text(json.dumps(index), encoding="utf-8")
    assert pull(str(outputs), "en", tmp_path / "site").version == 2


def test_bad_sources_and_destinations_are_clear_errors(outputs, installed, tmp_path: Path):
    with serve(outputs) as url:
        with pytest.raises(PullError, match=r"no bundle for locale 'de' \(available: en, fr\)"):
            pull(url, "de", tmp_path / "x")
        with pytest.raises(PullError, match=r"en has no version 7 \(published versions: 1, 2\)"):
            pull(url, "en", tmp_path / "x", version=7)
        with pytest.raises(PullError, match="no bundle index at .*/index.json or .*/bundles/index.json"):
            pull(url + "en/", "en", tmp_path / "x")
        foreign = tmp_path / "foreign"
        foreign.mkdir()
        (foreign / "notes.txt").write_text("mine", encoding="utf-8")
        with pytest.raises(PullError, match="not filled by lingopress pull .*refusing to replace it"):
            pull(url, "en", foreign)
        assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"
        with pytest.raises(PullError, match="not a locale code"):
            pull(url, "../en", tmp_path / "x")
        with pytest.raises(PullError, match="--dest must name a directory to fill"):
            pull(url, "en", "/")
        dead = url
    before = snapshot(installed)
    with pytest.raises(PullError, match="download failed: .*Connection refused"):
        pull(dead, "en", installed)
    assert snapshot(installed) == before
    with pytest.raises(PullError, match="no such directory, and not an http"):
        pull(str(tmp_path / "nowhere"), "en", installed)
    assert not (tmp_path / "x").exists()


def test_rename_fallback_swaps_and_an_interrupted_swap_is_repaired(outputs, installed, tmp_path: Path):
    new = tmp_path / "site" / "new"
    new.mkdir()
    (new / "page.html").write_text("new", encoding="utf-8")
    old_files = tree(installed)
    swap_by_renames(new, installed)
    assert tree(installed) == {"page.html": (b"new", (installed / "page.html").stat().st_mtime_ns)}
    assert tree(new) == old_files

    # A pull killed between its two renames leaves DIR moved aside inside its own work
    # directory: the next pull installs DIR afresh, says what was left, and removes nothing.
    shutil.rmtree(installed)
    work = installed.with_name(".en.pull-k1ll3d00")
    (work / "tree").mkdir(parents=True)
    os.rename(new, work / "tree.old")
    result = pull(str(outputs), "en", installed, version=1)
    assert result.changed and {name: data for name, (data, _) in tree(installed).items()} == {
        name: data for name, (data, _) in old_files.items()}
    assert (work / "tree.old" / "manifest.json").exists()


# --- what pull may replace, and what it must leave alone --------------------------------------

WEB_APP_MANIFEST = b'{"name": "Health", "start_url": "/", "icons": [{"src": "img/icon.png"}]}'


@pytest.mark.parametrize("manifest", [WEB_APP_MANIFEST, b'{"files": {}, "articles": []}', b"{not json",
                                      None], ids=["web-app", "other-json", "invalid-json", "none"])
def test_a_web_root_with_its_own_files_is_never_replaced(outputs, tmp_path: Path, manifest: bytes | None):
    site = tmp_path / "www"
    (site / "img").mkdir(parents=True)
    (site / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    (site / "img" / "icon.png").write_bytes(b"\x89PNG")
    if manifest is not None:
        (site / "manifest.json").write_bytes(manifest)
    before = snapshot(site)
    with serve(outputs) as url:
        result = run_cli("pull", url, "--locale", "en", "--dest", str(site), cwd=tmp_path, env={"COLUMNS": "300"})
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "refusing to replace it" in lines[0]
    assert snapshot(site) == before


def test_pull_marks_what_it_installed_and_refuses_files_added_by_hand(outputs, installed):
    marker = json.loads((installed / MARKER_NAME).read_text(encoding="utf-8"))
    assert (marker["locale"], marker["version"]) == ("en", 1)
    (installed / "notes.html").write_text("<h1>mine</h1>", encoding="utf-8")
    (installed / "img").mkdir()
    assert_refused(outputs, installed, r"holds files pull did not install: img/, notes\.html")
    with pytest.raises(PullError, match=r"holds the en bundle; refusing to replace it with --locale fr"):
        pull(str(outputs), "fr", installed)


def test_a_directory_filled_by_an_older_pull_is_adopted_only_when_it_holds_exactly_the_bundle(outputs, installed):
    (installed / MARKER_NAME).unlink()  # what pull before the marker left behind
    legacy = snapshot(installed)
    (installed / "notes.html").write_text("<h1>mine</h1>", encoding="utf-8")
    assert_refused(outputs, installed, "no .lingopress-pull.json marker.*refusing to replace it")
    (installed / "notes.html").unlink()
    assert snapshot(installed) == legacy
    result = pull(str(outputs), "en", installed)
    assert result.changed and result.version == 2
    assert json.loads((installed / MARKER_NAME).read_text(encoding="utf-8"))["version"] == 2


@pytest.mark.parametrize("fallback", [False, True], ids=["exchange", "renames"])
def test_paths_beside_dest_that_pull_did_not_create_are_never_touched(outputs, installed, monkeypatch,
                                                                     fallback: bool):
    mine = {".en.old": b"my backup", ".en.pull-notes": b"my notes", ".en.pull-1.tar.gz": b"my archive"}
    for name, data in mine.items():
        (installed.parent / name).mkdir()
        (installed.parent / name / "keep.txt").write_bytes(data)
    if fallback:  # a file system without renameat2: the two-rename path must not use .en.old either
        def no_exchange(a, b):
            raise OSError(errno.ENOSYS, "renameat2 is not available")
        monkeypatch.setattr(lingopress.publishing.pull_dest, "exchange", no_exchange)
    assert pull(str(outputs), "en", installed).changed
    assert "second Titre" in (installed / "essai.html").read_text(encoding="utf-8")
    for name, data in mine.items():
        assert (installed.parent / name / "keep.txt").read_bytes() == data
    assert sorted(path.name for path in installed.parent.iterdir()) == sorted([*mine, ".en.pull.lock", "en"])


# --- limits ------------------------------------------------------------------------------------

class DripHandler(QuietHandler):
    """Sends the archive one byte at a time, each just within any per-read timeout; gives up
    by itself after a few seconds or when the client hangs up."""

    def do_GET(self) -> None:
        if not self.path.endswith(".tar.gz"):
            return super().do_GET()
        data = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            for byte in data[:40]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.25)
        except OSError:
            pass  # the client gave up, as it should
        self.close_connection = True


def test_a_slow_drip_server_is_cut_off_by_the_overall_deadline(outputs, installed):
    before = snapshot(installed)
    started = time.monotonic()
    with serve(outputs, DripHandler) as url:
        result = run_cli("pull", url, "--locale", "en", "--dest", str(installed), "--deadline", "2",
                         cwd=installed.parent, env={"COLUMNS": "300"})
    assert result.returncode == 2 and time.monotonic() - started < 8
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "lingopress-en-2.tar.gz: gave up after the --deadline of 2 s" in lines[0]
    assert snapshot(installed) == before


@pytest.mark.parametrize("limits, expected", [
    (dict(max_unpacked=1000), r"unpacks to .* more than --max-unpacked 1000B .*--max-unpacked SIZE"),
    (dict(max_files=3), r"holds 11 files, more than --max-files 3 .*--max-files N"),
    (dict(max_download=2000), r"needs .* more than --max-download 2.0KiB .*--max-download SIZE"),
])
def test_caps_refuse_a_consistent_but_too_large_bundle(outputs, installed, limits: dict, expected: str):
    before = snapshot(installed)
    with serve(outputs) as url, pytest.raises(PullError, match=expected):
        pull(url, "en", installed, limits=Limits(**limits))
    assert snapshot(installed) == before


def test_caps_are_cli_options(outputs, installed):
    result = run_cli("pull", str(outputs), "--locale", "en", "--dest", str(installed), "--max-unpacked", "1KiB",
                     cwd=installed.parent, env={"COLUMNS": "300"})
    assert result.returncode == 2 and "more than --max-unpacked 1.0KiB" in result.stderr
    result = run_cli("pull", str(outputs), "--locale", "en", "--dest", str(installed), "--max-download", "lots",
                     cwd=installed.parent, env={"COLUMNS": "300"})
    assert result.returncode == 2 and result.stderr.strip() == (
        "error: --max-download: 'lots' is not a size (e.g. --max-download 2GiB or --max-download 500MB)")


def test_an_archive_that_unpacks_to_more_than_its_manifest_declares_is_refused(outputs, installed):
    # A pax header carries data that no member accounts for; tarfile would read it into memory.
    members = members_of(outputs, 2)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            if name == "essai.html":
                info.pax_headers = {"comment": "x" * 200_000}
            tar.addfile(info, io.BytesIO(data))
    (outputs / "bundles" / "en" / "lingopress-en-2.tar.gz").write_bytes(archive.getvalue())
    index = index_of(outputs)
    index["locales"]["en"]["versions"][1].update(sha256=hashlib.sha256(archive.getvalue()).hexdigest(),
                                                 size=len(archive.getvalue()))
    (outputs / "bundles" / "index.json").write_text(json.dumps(index), encoding="utf-8")
    assert_refused(outputs, installed, "archive unpacks to more than its manifest declares")


# Pull is for publishers, who have no project: it must not drag the pipeline in.
PIPELINE = ("lingopress.publishing.bundles", "lingopress.publishing.publish", "lingopress.catalogs.po", "lingopress.ingest",
            "lingopress.markup", "lingopress.store.records", "lingopress.review.status", "lingopress.qa", "lingopress.mt",
            "flows", "prefect")


def test_pull_imports_nothing_of_the_pipeline():
    loaded = subprocess.run(
        [sys.executable, "-c", "import lingopress.publishing.pull, sys; print('\\n'.join(sorted(sys.modules)))"],
        env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=True).stdout.split()
    assert "lingopress.publishing.pull" in loaded and "lingopress.publishing.bundle_format" in loaded
    assert [name for name in loaded if any(name == module or name.startswith(f"{module}.")
                                           for module in PIPELINE)] == []


def test_a_pull_waiting_for_another_pulls_lock_gives_up_at_the_deadline(outputs, installed):
    before = snapshot(installed)
    started = time.monotonic()
    with file_lock(installed.parent / f".{installed.name}.pull.lock", 5):  # another pull, still installing
        with pytest.raises(PullError, match=r"another pull into this directory held its lock past the --deadline"):
            pull(str(outputs), "en", installed, limits=Limits(deadline_s=1))
    assert 1 <= time.monotonic() - started < 5
    assert snapshot(installed) == before
    assert pull(str(outputs), "en", installed).version == 2  # released: the next pull goes through
