from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from lingopress.config import ArgosSettings
from lingopress.errors import ModelError
from lingopress.models import find_model, install_file, validate_archive
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


def zip_with(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "bad.argosmodel"
    with zipfile.ZipFile(path, "w") as zipped:
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
