"""Fuzzing `pull` with hostile bundles served over HTTP on 127.0.0.1.

Property: whatever the server sends (random, truncated or traversing archive members,
links, bad JSON, wrong checksums, huge declared sizes), pull either installs exactly what
the manifest lists or raises the project's PullError with a one-line message, and on
failure DIR and everything beside it is byte-for-byte unchanged.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lingopress.publishing.bundle_format import FORMAT, build_manifest, content_digest, encode_json
from lingopress.errors import PullError
from lingopress.publishing.pull import MARKER_NAME, Limits, pull
from test_bundles import T1
from test_pull import serve

LIMITS = Limits(deadline_s=20, max_download=4 << 20, max_unpacked=1 << 20, max_files=50)
SAFE_NAME = st.from_regex(r"[a-z]{1,8}(/[a-z]{1,6})?\.(html|md|json)", fullmatch=True)
HOSTILE_NAME = st.sampled_from(["../evil.html", "../../evil.html", "/tmp/evil.html", "a/../../evil.html", "",
                                ".", "a//b.html", "a\\..\\evil.html", "x\x00y.html", "line\nbreak.html",
                                "manifest.json", MARKER_NAME, "dir/", "é/ü.html", "n" * 300])
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)
HUGE = st.sampled_from([-1, 2**31, 2**40, 2**63, 10**30])


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tar(members: list[tuple[str, bytes | str]], *, gz: bool = True) -> bytes:
    """Members are (name, data) files, or (name, "symlink:target" | "hardlink:target" | "dir" | "fifo")."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if gz else "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if isinstance(data, bytes):
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                continue
            kind, _, target = data.partition(":")
            info.type = {"symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE, "dir": tarfile.DIRTYPE,
                         "fifo": tarfile.FIFOTYPE}[kind]
            info.linkname = target
            tar.addfile(info)
    return buffer.getvalue()


@st.composite
def bundles(draw) -> dict[str, bytes]:
    """Files of a served bundles directory for `en` version 2: index, manifest, archive."""
    names = draw(st.lists(SAFE_NAME, min_size=1, max_size=5, unique=True))
    if draw(st.integers(0, 4)) == 0:  # one hostile name now and then: most examples get further
        names.append(draw(HOSTILE_NAME.filter(lambda name: name not in names)))
    files = {name: draw(st.binary(max_size=64)) for name in names}
    listing = {name: {"sha256": _sha(data), "size": len(data)} for name, data in files.items()}
    manifest = build_manifest("en", 2, T1, listing, [{"slug": "a", "title": "A"}])
    flaw = draw(st.sampled_from(["none", "none", "sha", "size", "drop", "add", "format", "locale", "json",
                                 "garbage", "deep", "name"]))
    if flaw == "sha" and listing:
        next(iter(manifest["files"].values()))["sha256"] = "0" * 64
    elif flaw == "size":
        next(iter(manifest["files"].values()))["size"] = draw(HUGE)
    elif flaw == "drop":
        manifest["files"].pop(next(iter(manifest["files"])))
    elif flaw == "add":
        manifest["files"][draw(SAFE_NAME | HOSTILE_NAME)] = {"sha256": "0" * 64, "size": draw(st.integers(0, 2**40))}
    elif flaw == "format":
        manifest["format"] = draw(JSON)
    elif flaw == "locale":
        manifest["locale"] = draw(st.sampled_from(["fr", "../en", None]))
    elif flaw == "name":
        manifest["files"] = {draw(HOSTILE_NAME): item for item in manifest["files"].values()}
    if flaw in ("sha", "size", "drop", "add", "name"):  # an attacker keeps the digest consistent
        manifest["content_digest"] = content_digest("en", manifest["articles"], manifest["files"])
    manifest_bytes = {"json": encode_json({"random": draw(JSON)}), "garbage": draw(st.binary(max_size=64)),
                      "deep": b"[" * 3000 + b"]" * 3000}.get(flaw, encode_json(manifest))

    members: list[tuple[str, bytes | str]] = [*files.items(), ("manifest.json", manifest_bytes)]
    extra = draw(st.sampled_from(["none", "none", "symlink", "hardlink", "dir", "fifo", "duplicate", "unlisted"]))
    if extra in ("symlink", "hardlink"):
        members.insert(draw(st.integers(0, len(members))), (draw(SAFE_NAME | HOSTILE_NAME), f"{extra}:/etc/passwd"))
    elif extra in ("dir", "fifo"):
        members.append((draw(SAFE_NAME | HOSTILE_NAME), extra))
    elif extra == "duplicate":
        members.append((members[0][0], b"<script>evil()</script>"))
    elif extra == "unlisted":
        members.append((draw(SAFE_NAME | HOSTILE_NAME), b"<script>evil()</script>"))
    archive = _tar(members)
    damage = draw(st.sampled_from(["none", "none", "truncate", "flip", "random", "plain-tar", "gzip-garbage"]))
    if damage == "truncate":
        archive = archive[:draw(st.integers(0, len(archive) - 1))]
    elif damage == "flip":
        spot = draw(st.integers(0, len(archive) - 1))
        archive = archive[:spot] + bytes([archive[spot] ^ 0xFF]) + archive[spot + 1:]
    elif damage == "random":
        archive = draw(st.binary(max_size=256))
    elif damage == "plain-tar":
        archive = _tar(members, gz=False)
    elif damage == "gzip-garbage":
        import gzip
        archive = gzip.compress(draw(st.binary(max_size=2048)))

    record = {"version": 2, "archive": "en/lingopress-en-2.tar.gz", "sha256": _sha(archive), "size": len(archive),
              "manifest": "en/lingopress-en-2.manifest.json", "manifest_sha256": _sha(manifest_bytes),
              "manifest_size": len(manifest_bytes), "content_digest": manifest["content_digest"]}
    lie = draw(st.sampled_from(["none"] * 10 + ["sha256", "size", "manifest_sha256", "manifest_size",
                                "content_digest", "missing", "type"]))
    if lie in ("sha256", "manifest_sha256", "content_digest"):
        record[lie] = draw(st.sampled_from(["0" * 64, "", "zz"]))
    elif lie in ("size", "manifest_size"):
        record[lie] = draw(HUGE | st.integers(0, 4096))
    elif lie == "missing":
        record.pop(draw(st.sampled_from(sorted(record))))
    elif lie == "type":
        record[draw(st.sampled_from(sorted(record)))] = draw(JSON)
    index = {"format": FORMAT, "locales": {"en": {"latest": 2, "versions": [record]}}}
    index_bytes = draw(st.sampled_from(["ok"] * 12 + ["json", "truncated", "deep"]))
    encoded = json.dumps(index).encode()
    index_bytes = {"ok": encoded, "json": json.dumps(draw(JSON)).encode(),
                   "truncated": encoded[:draw(st.integers(0, len(encoded) - 1))],
                   "deep": b'{"format": 1, "locales": ' + b"[" * 3000}[index_bytes]
    return {"index.json": index_bytes, "en/lingopress-en-2.manifest.json": manifest_bytes,
            "en/lingopress-en-2.tar.gz": archive}


def _state(parent: Path) -> dict[str, bytes | None]:
    """Every path under `parent` with its bytes (None for a directory): 'unchanged' means equal."""
    return {str(path.relative_to(parent)): None if path.is_dir() else path.read_bytes()
            for path in sorted(parent.rglob("*"))}


@pytest.fixture(scope="module")
def site_template(tmp_path_factory) -> Path:
    """A parent folder with `en/` installed by pull (version 1) and a user's own things beside it."""
    root = tmp_path_factory.mktemp("fuzz")
    files = {"essai.html": b"<p>v1</p>", "essai.md": b"v1"}
    listing = {name: {"sha256": _sha(data), "size": len(data)} for name, data in files.items()}
    manifest = encode_json(build_manifest("en", 1, T1, listing, []))
    archive = _tar([*files.items(), ("manifest.json", manifest)])
    served = root / "served" / "en"
    served.mkdir(parents=True)
    (served / "lingopress-en-1.tar.gz").write_bytes(archive)
    (served / "lingopress-en-1.manifest.json").write_bytes(manifest)
    record = {"version": 1, "sha256": _sha(archive), "size": len(archive), "manifest_sha256": _sha(manifest),
              "manifest_size": len(manifest), "content_digest": json.loads(manifest)["content_digest"]}
    (served.parent / "index.json").write_text(json.dumps(
        {"format": FORMAT, "locales": {"en": {"latest": 1, "versions": [record]}}}), encoding="utf-8")
    parent = root / "parent"
    pull(str(served.parent), "en", parent / "en")
    (parent / ".en.old").mkdir()
    (parent / ".en.old" / "keep.txt").write_bytes(b"the user's backup")
    (parent / "notes.txt").write_bytes(b"the user's notes")
    return parent


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz-served")
    with serve(root) as url:
        yield root, url


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(served=bundles())
def test_pull_of_a_hostile_bundle_installs_it_whole_or_fails_cleanly(site_template, server, served):
    root, url = server
    where = Path(tempfile.mkdtemp(dir=root))
    for name, data in served.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_bytes(data)
    with tempfile.TemporaryDirectory() as scratch:
        parent = Path(shutil.copytree(site_template, Path(scratch) / "parent"))
        before = _state(parent)
        try:
            result = pull(f"{url}{where.name}/", "en", parent / "en", limits=LIMITS)
        except PullError as err:
            event(f"refused: {err.message.split(':')[0][:40]}")  # --hypothesis-show-statistics shows the mix
            assert "\n" not in str(err) and str(err).strip()
            assert _state(parent) == before
        else:
            event("installed")
            manifest = json.loads((parent / "en" / "manifest.json").read_bytes())
            assert result.version == 2 and _sha(served["en/lingopress-en-2.tar.gz"]) == json.loads(
                served["index.json"])["locales"]["en"]["versions"][0]["sha256"]
            for name, item in manifest["files"].items():
                assert _sha((parent / "en" / name).read_bytes()) == item["sha256"]
            assert {k: v for k, v in _state(parent).items() if not k.startswith("en")} == {
                k: v for k, v in before.items() if not k.startswith("en")}
            assert not (parent.parent / "evil.html").exists()
    shutil.rmtree(where)
