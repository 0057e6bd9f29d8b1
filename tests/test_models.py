from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import make_project, run_cli
from lingopress.config import ArgosSettings
from lingopress.errors import ModelError
from lingopress.models import (ArchiveLimits, find_model, install_file, install_path, remove_models,
                               validate_archive)
from lingopress.models import installed_models as list_models

SETTINGS = ArgosSettings(packages_dir=None, download=False)


def test_installed_test_models_are_listed(installed_models):
    listed = {(m.from_code, m.to_code): m for m in list_models(SETTINGS)}
    assert {("fr", "en"), ("fr", "ar")} <= set(listed)
    assert listed[("fr", "en")].label == "translate-fr_en 1.9"
    assert (listed[("fr", "en")].path / "model" / "model.bin").is_file()
    assert find_model(SETTINGS, "fr", "en_GB").to_code == "en"


def test_install_into_a_configured_directory(tmp_path: Path, model_files):
    settings = ArgosSettings(packages_dir=tmp_path / "packages", download=False)
    model = install_file(settings, model_files["en"])
    assert model.path.parent == tmp_path / "packages"
    assert [(m.from_code, m.to_code) for m in list_models(settings)] == [("fr", "en")]


def zip_with(tmp_path: Path, members: dict[str, bytes], name: str = "bad.argosmodel") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return path


@pytest.mark.parametrize("members, message", [
    ({"pkg/metadata.json": b"{}", "../evil.txt": b"x"}, "unsafe path"),
    ({"pkg/metadata.json": b"{}", "/etc/evil": b"x"}, "unsafe path"),
    ({"pkg/model/x": b"x"}, "no metadata.json"),
    ({"pkg/metadata.json": b"{not json"}, "not valid JSON"),
    ({"pkg/metadata.json": b'{"from_code": "fr"}'}, "lacks from_code/to_code"),
    ({"a/metadata.json": b"{}", "b/metadata.json": b"{}"}, "exactly one package directory"),
])
def test_unsafe_or_broken_archives_are_refused(tmp_path: Path, members, message):
    with pytest.raises(ModelError, match=message):
        validate_archive(zip_with(tmp_path, members))


def test_not_a_zip(tmp_path: Path):
    path = tmp_path / "x.argosmodel"
    path.write_text("hello")
    with pytest.raises(ModelError, match="not a zip archive"):
        validate_archive(path)


# --- archives that must never be installed ---------------------------------------------

GOOD_META = json.dumps({"from_code": "fr", "to_code": "en", "package_version": "1.9", "type": "translate"})


def package_zip(tmp_path: Path, extra: dict[str, bytes] | None = None, *, meta: str = GOOD_META,
                name: str = "bad.argosmodel") -> Path:
    """A structurally complete package (metadata, model, tokenizer) plus `extra` members."""
    members = {"pkg/metadata.json": meta.encode(), "pkg/model/model.bin": b"weights",
               "pkg/sentencepiece.model": b"sp", **(extra or {})}
    return zip_with(tmp_path, members, name=name)


def test_a_complete_package_passes(tmp_path: Path):
    info = validate_archive(package_zip(tmp_path))
    assert info.top == "pkg" and info.metadata["to_code"] == "en"


def symlink_zip(tmp_path: Path) -> Path:
    path = package_zip(tmp_path)
    with zipfile.ZipFile(path, "a") as zipped:
        link = zipfile.ZipInfo("pkg/model/escape")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(link, "/etc/passwd")
    return path


def fifo_zip(tmp_path: Path) -> Path:
    path = package_zip(tmp_path)
    with zipfile.ZipFile(path, "a") as zipped:
        fifo = zipfile.ZipInfo("pkg/pipe")
        fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
        zipped.writestr(fifo, b"")
    return path


@pytest.mark.parametrize("make, message", [
    (lambda p: package_zip(p, {"pkg/../../outside.txt": b"x"}), "unsafe path"),
    (lambda p: package_zip(p, {"pkg/model/../../../etc/cron.d/x": b"x"}), "unsafe path"),
    (lambda p: package_zip(p, {"/tmp/evil": b"x"}), "unsafe path"),
    (lambda p: package_zip(p, {"C:/evil": b"x"}), "unsafe path"),
    (lambda p: package_zip(p, {"pkg\\..\\..\\evil": b"x"}), "unsafe path"),
    (lambda p: package_zip(p, {"pkg/a\nb": b"x"}), "unsafe path"),
    (symlink_zip, "symbolic link in archive: 'pkg/model/escape'"),
    (fifo_zip, "special file in archive"),
    (lambda p: package_zip(p, meta='{"from_code": "fr", "to_code": "../../x"}'), "is not a language code"),
    (lambda p: package_zip(p, meta='{"from_code": "fr", "to_code": "fr"}'), "are both 'fr'"),
    (lambda p: package_zip(p, meta='{"from_code": "fr", "to_code": "en", "type": "sbd"}'),
     "not a translation package"),
    (lambda p: package_zip(p, meta='{"from_code": "fr", "to_code": "en", "package_version": "1/../2"}'),
     "is not a version"),
    (lambda p: package_zip(p, meta='["fr", "en"]'), "not a JSON object"),
    (lambda p: zip_with(p, {"pkg/metadata.json": GOOD_META.encode(), "pkg/sentencepiece.model": b"sp"}),
     "no model/model.bin"),
    (lambda p: zip_with(p, {"pkg/metadata.json": GOOD_META.encode(), "pkg/model/model.bin": b"w"}),
     "no tokenizer"),
    (lambda p: zip_with(p, {".hidden/metadata.json": GOOD_META.encode()}), "unusual package directory"),
])
def test_malicious_archives_are_refused(tmp_path: Path, make, message):
    archive = make(tmp_path)
    settings = ArgosSettings(packages_dir=tmp_path / "packages", download=False)
    with pytest.raises(ModelError, match=re.escape(message)):
        install_file(settings, archive)
    # Nothing was written: no package, no staging folder, nothing outside.
    assert list((tmp_path / "packages").iterdir()) == [] if (tmp_path / "packages").exists() else True
    assert not (tmp_path / "outside.txt").exists()


def test_size_limits_stop_zip_bombs_and_floods(tmp_path: Path):
    bomb = package_zip(tmp_path, {"pkg/model/zeros.bin": b"\0" * 4_000_000})
    with pytest.raises(ModelError, match="refused as a zip bomb"):
        validate_archive(bomb)
    small = ArchiveLimits(max_members=5, max_total_bytes=1000)
    with pytest.raises(ModelError, match="over the limit of 5"):
        validate_archive(package_zip(tmp_path, {f"pkg/f{i}": b"x" for i in range(5)}, name="many.argosmodel"),
                         small)
    with pytest.raises(ModelError, match=r"expands to \d+ bytes, over the limit of 1000"):
        validate_archive(package_zip(tmp_path, {"pkg/big": b"x" * 2000}, name="big.argosmodel"), small)
    with pytest.raises(ModelError, match="metadata.json is .* over the limit"):
        validate_archive(package_zip(tmp_path, meta=GOOD_META + " " * 2000, name="meta.argosmodel"),
                         ArchiveLimits(max_metadata_bytes=1000))


def test_duplicate_members_are_refused(tmp_path: Path):
    path = package_zip(tmp_path)
    with zipfile.ZipFile(path, "a") as zipped, pytest.warns(UserWarning, match="Duplicate name"):
        zipped.writestr("pkg/model/model.bin", b"other weights")
    with pytest.raises(ModelError, match="duplicate member"):
        validate_archive(path)


# --- installing, listing, removing ------------------------------------------------------

def test_install_extracts_itself_and_replaces_a_reinstalled_package(tmp_path: Path, model_files):
    settings = ArgosSettings(packages_dir=tmp_path / "packages", download=False)
    first = install_file(settings, model_files["en"])
    (first.path / "stale-file").write_text("from the old copy")
    again = install_file(settings, model_files["en"])
    assert again.path == first.path and not (again.path / "stale-file").exists()
    assert sorted(p.name for p in (tmp_path / "packages").iterdir()) == ["translate-fr_en-1_9"]
    with zipfile.ZipFile(model_files["en"]) as zipped:
        for info in zipped.infolist():
            if not info.is_dir():
                assert (tmp_path / "packages" / info.filename).read_bytes() == zipped.read(info)


def test_install_a_directory_checks_every_file_first(tmp_path: Path, model_files):
    folder = tmp_path / "downloads"
    folder.mkdir()
    for path in model_files.values():
        shutil.copy(path, folder / path.name)
    settings = ArgosSettings(packages_dir=tmp_path / "packages", download=False)
    (folder / "zz-broken.argosmodel").write_text("not a zip")
    with pytest.raises(ModelError, match="zz-broken.argosmodel: not an Argos package"):
        install_path(settings, folder)
    assert list_models(settings) == []  # the good files were not installed either
    (folder / "zz-broken.argosmodel").unlink()
    installed = install_path(settings, folder)
    assert sorted((m.from_code, m.to_code) for m in installed) == [("fr", "ar"), ("fr", "en")]
    with pytest.raises(ModelError, match="no .argosmodel files"):
        install_path(settings, tmp_path / "packages")


def test_newest_version_wins_and_broken_folders_are_skipped(tmp_path: Path, model_files):
    from support.tiny_argos import build_argos_package

    settings = ArgosSettings(packages_dir=tmp_path / "packages", download=False)
    install_file(settings, model_files["en"])
    newer = build_argos_package(tmp_path / "dist", corpus=["Un texte. Deux textes."], package_version="1.10")
    install_file(settings, newer)
    (tmp_path / "packages" / "not-a-package").mkdir()
    assert find_model(settings, "fr", "en").version == "1.10"  # 1.10 > 1.9, as versions
    assert [m.version for m in list_models(settings)] == ["1.9", "1.10"]


def test_remove_every_version_of_a_pair(tmp_path: Path, model_files):
    settings = ArgosSettings(packages_dir=tmp_path / "packages", download=False)
    install_file(settings, model_files["en"])
    install_file(settings, model_files["ar"])
    removed = remove_models(settings, "fr→en")
    assert [m.label for m in removed] == ["translate-fr_en 1.9"] and not removed[0].path.exists()
    assert [(m.from_code, m.to_code) for m in list_models(settings)] == [("fr", "ar")]
    with pytest.raises(ModelError, match="no installed model for fr→en"):
        remove_models(settings, "fr_en")
    with pytest.raises(ModelError, match="not a language pair"):
        remove_models(settings, "../../etc")


def test_argostranslate_reads_what_lingopress_installed(tmp_path: Path, model_files):
    from support.tiny_argos import isolated_argos_env

    env = isolated_argos_env(tmp_path / "argos")
    install_file(ArgosSettings(packages_dir=Path(env["ARGOS_PACKAGES_DIR"]), download=False), model_files["en"])
    script = ("import argostranslate.package as p; "
              "print([(x.from_code, x.to_code, x.package_version) for x in p.get_installed_packages()])")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[('fr', 'en', '1.9')]"


def test_models_cli_install_directory_list_remove(tmp_path: Path, model_files):
    project = make_project(tmp_path / "p")
    toml = project / "lingopress.toml"
    toml.write_text(toml.read_text() + 'packages_dir = "models"\n', encoding="utf-8")
    folder = tmp_path / "downloads"
    folder.mkdir()
    for path in model_files.values():
        shutil.copy(path, folder / path.name)
    result = run_cli("models", "install", str(folder), cwd=project)
    assert result.returncode == 0, result.stderr
    assert "installed translate-fr_ar 1.9 (fr→ar)" in result.stdout
    assert "installed translate-fr_en 1.9 (fr→en)" in result.stdout
    result = run_cli("models", "remove", "fr_ar", cwd=project)
    assert result.returncode == 0 and "removed translate-fr_ar 1.9" in result.stdout
    listing = run_cli("models", "list", cwd=project, env={"COLUMNS": "250"})
    assert "translate-fr_en" in listing.stdout and "translate-fr_ar" not in listing.stdout
    bad = run_cli("models", "install", str(symlink_zip(tmp_path)), cwd=project)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "symbolic link in archive" in bad.stderr
