"""Argos Translate packages: find, list, install (file or index).

argostranslate configures itself from environment variables when first imported and
creates folders under $HOME, so it is imported here only, late, after the package
directory chosen in lingopress.toml has been put in its environment.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType

from babel import Locale

from .config import ArgosSettings
from .errors import ModelError

INDEX_TIMEOUT_S = 20


@dataclass(frozen=True)
class InstalledModel:
    from_code: str
    to_code: str
    version: str
    path: Path

    @property
    def name(self) -> str:
        """argospm's name for the package, as users see it in the Argos index."""
        return f"translate-{self.from_code}_{self.to_code}"

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}".strip()


def language_of(locale: str) -> str:
    """Argos packages are per language (pt), locales may name a region (pt_BR)."""
    return Locale.parse(locale).language


_default_packages_dir: Path | None = None


def argos_package_module(settings: ArgosSettings) -> ModuleType:
    """Import argostranslate.package with the configured package directory in force."""
    global _default_packages_dir
    import argostranslate.package as package
    import argostranslate.settings as argos_settings

    if _default_packages_dir is None:
        _default_packages_dir = Path(argos_settings.package_data_dir)
    # argostranslate keeps its directory in module globals; set them on every call so one
    # project's setting never leaks into the next call with another setting.
    target = settings.packages_dir or _default_packages_dir
    target.mkdir(parents=True, exist_ok=True)
    argos_settings.package_data_dir = target
    argos_settings.package_dirs = [target]
    return package


def installed_models(settings: ArgosSettings) -> list[InstalledModel]:
    package = argos_package_module(settings)
    models = []
    for pkg in package.get_installed_packages():
        if getattr(pkg, "type", "translate") != "translate" or not pkg.from_code or not pkg.to_code:
            continue
        models.append(InstalledModel(pkg.from_code, pkg.to_code, str(pkg.package_version),
                                     Path(pkg.package_path)))
    return sorted(models, key=lambda m: (m.from_code, m.to_code, m.version))


def find_model(settings: ArgosSettings, source: str, target: str) -> InstalledModel | None:
    src, dst = language_of(source), language_of(target)
    matches = [m for m in installed_models(settings) if (m.from_code, m.to_code) == (src, dst)]
    return matches[-1] if matches else None


def missing_model_error(source: str, target: str, reason: str = "") -> ModelError:
    src, dst = language_of(source), language_of(target)
    why = f" ({reason})" if reason else ""
    return ModelError(
        f"no Argos model installed for {src}→{dst}{why}",
        hint=f"install one with `lingopress models install translate-{src}_{dst}.argosmodel` "
             f"or, online, `lingopress models install --to {dst}`; or run with --engine none")


def require_model(settings: ArgosSettings, source: str, target: str) -> InstalledModel:
    """The installed model for a pair; fetched from the Argos index when allowed."""
    model = find_model(settings, source, target)
    if model is not None:
        return model
    if not settings.download:
        raise missing_model_error(source, target, "downloads are off in lingopress.toml")
    try:
        return install_from_index(settings, source, target)
    except ModelError as err:
        raise missing_model_error(source, target, err.message) from err


def install_file(settings: ArgosSettings, archive: Path) -> InstalledModel:
    """Install an `.argosmodel` file after checking it is a sane package archive."""
    metadata = validate_archive(archive)
    package = argos_package_module(settings)
    try:
        package.install_from_path(archive)
    except Exception as err:  # argostranslate raises bare Exception
        raise ModelError(f"installation failed: {err}", path=archive) from err
    model = find_model(settings, metadata["from_code"], metadata["to_code"])
    if model is None:
        raise ModelError("package installed but not found afterwards", path=archive,
                         hint="check ARGOS_PACKAGES_DIR / argos.packages_dir")
    return model


def validate_archive(archive: Path) -> dict:
    """Reject archives that are not Argos packages or would write outside the package dir."""
    if not archive.is_file():
        raise ModelError("no such file", path=archive, hint="give the path of a .argosmodel file")
    if not zipfile.is_zipfile(archive):
        raise ModelError("not an Argos package (not a zip archive)", path=archive,
                         hint="download the .argosmodel again")
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        for name in names:
            parts = PurePosixPath(name).parts
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise ModelError(f"unsafe path in archive: {name!r}", path=archive,
                                 hint="only install packages from a source you trust")
        tops = {PurePosixPath(name).parts[0] for name in names if name.strip("/")}
        if len(tops) != 1:
            raise ModelError("archive must hold exactly one package directory", path=archive)
        top = tops.pop()
        try:
            metadata = json.loads(zipped.read(f"{top}/metadata.json"))
        except KeyError as err:
            raise ModelError("archive has no metadata.json", path=archive) from err
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ModelError(f"metadata.json is not valid JSON: {err}", path=archive) from err
    if not isinstance(metadata, dict) or not metadata.get("from_code") or not metadata.get("to_code"):
        raise ModelError("metadata.json lacks from_code/to_code", path=archive)
    return metadata


def install_from_index(settings: ArgosSettings, source: str, target: str) -> InstalledModel:
    """Download and install the source→target package from the Argos package index."""
    package = argos_package_module(settings)
    import argostranslate.settings as argos_settings

    src, dst = language_of(source), language_of(target)
    try:
        with urllib.request.urlopen(argos_settings.remote_package_index,
                                    timeout=INDEX_TIMEOUT_S) as response:
            index = json.loads(response.read())
    except (urllib.error.URLError, OSError, json.JSONDecodeError) as err:
        raise ModelError(f"the Argos package index is unreachable: {getattr(err, 'reason', err)}") from err
    for metadata in index:
        if metadata.get("from_code") == src and metadata.get("to_code") == dst:
            available = package.AvailablePackage(metadata)
            try:
                archive = available.download()
            except Exception as err:  # argostranslate raises bare Exception
                raise ModelError(f"download of translate-{src}_{dst} failed: {err}") from err
            return install_file(settings, Path(archive))
    raise ModelError(f"the Argos index has no {src}→{dst} package")
