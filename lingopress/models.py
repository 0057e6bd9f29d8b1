"""Argos Translate packages: find, list, validate, install (file, directory, index), remove.

lingopress reads and writes the package directory itself: listing does not stop at one
broken folder, and an archive is checked member by member and extracted by this module
(never by zipfile.extractall, as argostranslate does), into a staging folder that is
renamed into place only when complete.

argostranslate configures itself from environment variables when first imported and
creates folders under $HOME, so it is imported here only, late, for its default package
folder and its index download.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import stat
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from babel import Locale
from packaging.version import InvalidVersion, Version

from .config import ArgosSettings
from .errors import ModelError

log = logging.getLogger(__name__)

INDEX_TIMEOUT_S = 20
# Used with fullmatch only: `$` would also match before a final "\n" (e.g. "en\n").
_CODE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?")
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]{0,31}")
_TOP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,127}")
_TOKENIZERS = ("sentencepiece.model", "bpe.model")


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


@dataclass(frozen=True)
class ArchiveLimits:
    """What a package archive may hold. Argos's largest packages are a few hundred MB."""

    max_members: int = 10_000
    max_total_bytes: int = 4 * 1024**3
    max_metadata_bytes: int = 1024**2
    # Compression ratio above which a big member is taken for a zip bomb (weights barely compress).
    max_ratio: int = 200
    ratio_applies_from_bytes: int = 1024**2


DEFAULT_LIMITS = ArchiveLimits()


@dataclass(frozen=True)
class ArchiveInfo:
    top: str
    metadata: dict
    members: tuple[zipfile.ZipInfo, ...]


def language_of(locale: str) -> str:
    """Argos packages are per language (pt), locales may name a region (pt_BR)."""
    return Locale.parse(locale).language


_default_packages_dir: Path | None = None


def argos_package_module(settings: ArgosSettings):
    """Import argostranslate.package with the configured package directory in force."""
    import argostranslate.package as package
    import argostranslate.settings as argos_settings

    # argostranslate keeps its directory in module globals; set them on every call so one
    # project's setting never leaks into the next call with another setting.
    target = packages_dir(settings)
    argos_settings.package_data_dir = target
    argos_settings.package_dirs = [target]
    return package


def packages_dir(settings: ArgosSettings) -> Path:
    """Where packages live: [argos] packages_dir, else argostranslate's own default."""
    global _default_packages_dir
    if settings.packages_dir is not None:
        target = settings.packages_dir
    else:
        if _default_packages_dir is None:
            import argostranslate.settings as argos_settings

            _default_packages_dir = Path(argos_settings.package_data_dir)
        target = _default_packages_dir
    target.mkdir(parents=True, exist_ok=True)
    return target


def installed_models(settings: ArgosSettings) -> list[InstalledModel]:
    """Every translate package in the package folder; a broken folder is skipped with a warning."""
    models = []
    for path in sorted(packages_dir(settings).iterdir()):
        if not path.is_dir() or path.name.startswith("."):
            continue
        try:
            metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            log.warning("skipping %s: no readable metadata.json (%s)", path, err)
            continue
        if not isinstance(metadata, dict) or metadata.get("type", "translate") != "translate":
            continue
        source, target = metadata.get("from_code"), metadata.get("to_code")
        if isinstance(source, str) and isinstance(target, str) and source and target:
            models.append(InstalledModel(source, target, str(metadata.get("package_version", "")), path))
    return sorted(models, key=lambda m: (m.from_code, m.to_code, _version_key(m.version)))


def _version_key(version: str) -> tuple:
    try:
        return (1, Version(version), version)
    except InvalidVersion:
        return (0, Version("0"), version)


def find_model(settings: ArgosSettings, source: str, target: str) -> InstalledModel | None:
    """The newest installed package for a language pair."""
    src, dst = language_of(source), language_of(target)
    matches = [m for m in installed_models(settings) if (m.from_code, m.to_code) == (src, dst)]
    return matches[-1] if matches else None


def find_route(settings: ArgosSettings, source: str, target: str) -> tuple[InstalledModel, ...] | None:
    """The installed packages that translate source→target: one direct package, or two
    through the pivot language (fr→en→de) when there is no direct one."""
    direct = find_model(settings, source, target)
    if direct is not None:
        return (direct,)
    pivot = settings.pivot
    if pivot and pivot not in (language_of(source), language_of(target)):
        first, second = find_model(settings, source, pivot), find_model(settings, pivot, target)
        if first is not None and second is not None:
            return (first, second)
    return None


def missing_model_error(settings: ArgosSettings, source: str, target: str, reason: str = "") -> ModelError:
    src, dst = language_of(source), language_of(target)
    why = f" ({reason})" if reason else ""
    pivot = settings.pivot
    through = (f", or {src}→{pivot} and {pivot}→{dst} to translate through {pivot}"
               if pivot and pivot not in (src, dst) else "")
    return ModelError(
        f"no Argos model installed for {src}→{dst}{why}",
        hint=f"install one with `lingopress models install translate-{src}_{dst}.argosmodel`{through}; "
             f"online, `lingopress models install --to {dst}`; or run with --engine none")


def require_route(settings: ArgosSettings, source: str, target: str) -> tuple[InstalledModel, ...]:
    """The installed route for a pair; fetched from the Argos index when allowed."""
    route = find_route(settings, source, target)
    if route is not None:
        return route
    if not settings.download:
        raise missing_model_error(settings, source, target, "downloads are off in lingopress.toml")
    try:
        install_from_index(settings, source, target)
    except ModelError as err:
        raise missing_model_error(settings, source, target, err.message) from err
    route = find_route(settings, source, target)
    if route is None:  # pragma: no cover - install_from_index installs a route or raises
        raise missing_model_error(settings, source, target)
    return route


def validate_archive(archive: Path, limits: ArchiveLimits = DEFAULT_LIMITS) -> ArchiveInfo:
    """Check that an archive is an Argos package that can be extracted safely.

    Refused: anything that is not a zip; absolute paths, drive letters, backslashes,
    `..`, control characters; symlinks and other special files; duplicate or encrypted
    members; more than one top folder; too many members, too many bytes, or a
    compression ratio only a zip bomb has; a missing or unreadable metadata.json, or one
    without sane language codes and version; a package without model/model.bin or
    tokenizer.
    """
    def refuse(message: str, hint: str | None = None) -> ModelError:
        return ModelError(message, path=archive, hint=hint)

    if not archive.is_file():
        raise refuse("no such file", "give the path of a .argosmodel file")
    if not zipfile.is_zipfile(archive):
        raise refuse("not an Argos package (not a zip archive)", "download the .argosmodel again")
    untrusted = "only install packages from a source you trust"
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            if len(members) > limits.max_members:
                raise refuse(f"archive has {len(members)} members, over the limit of {limits.max_members}",
                             untrusted)
            seen: set[str] = set()
            total = 0
            for info in members:
                _check_member(info, archive, untrusted)
                name = info.filename.rstrip("/")
                if name in seen:
                    raise refuse(f"duplicate member in archive: {info.filename!r}", untrusted)
                seen.add(name)
                total += info.file_size
                if (info.file_size >= limits.ratio_applies_from_bytes
                        and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
                    raise refuse(f"member {info.filename!r} expands {info.file_size // max(info.compress_size, 1)}"
                                 f" times: refused as a zip bomb", untrusted)
            if total > limits.max_total_bytes:
                raise refuse(f"archive expands to {total} bytes, over the limit of {limits.max_total_bytes}",
                             untrusted)
            tops = {PurePosixPath(info.filename).parts[0] for info in members}
            if len(tops) != 1:
                raise refuse("archive must hold exactly one package directory")
            top = tops.pop()
            if not _TOP_NAME.fullmatch(top):
                raise refuse(f"unusual package directory name {top!r}", untrusted)
            try:
                meta_info = zipped.getinfo(f"{top}/metadata.json")
            except KeyError as err:
                raise refuse("archive has no metadata.json") from err
            if meta_info.file_size > limits.max_metadata_bytes:
                raise refuse(f"metadata.json is {meta_info.file_size} bytes, over the limit of "
                             f"{limits.max_metadata_bytes}", untrusted)
            try:
                metadata = json.loads(zipped.read(meta_info).decode("utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                raise refuse(f"metadata.json is not valid JSON: {err}") from err
    except zipfile.BadZipFile as err:
        raise refuse(f"damaged zip archive: {err}", "download the .argosmodel again") from err
    _check_metadata(metadata, archive)
    names = {info.filename for info in members}
    if f"{top}/model/model.bin" not in names:
        raise refuse("archive has no model/model.bin (not a CTranslate2 translation package)")
    if not any(f"{top}/{tokenizer}" in names for tokenizer in _TOKENIZERS):
        raise refuse(f"archive has no tokenizer ({' or '.join(_TOKENIZERS)})")
    return ArchiveInfo(top, metadata, tuple(members))


def _check_member(info: zipfile.ZipInfo, archive: Path, hint: str) -> None:
    name = info.filename
    parts = PurePosixPath(name).parts
    if (not name or name.startswith("/") or "\\" in name or ".." in parts
            or (parts and ":" in parts[0]) or any(ord(ch) < 32 or ch == "\x7f" for ch in name)):
        raise ModelError(f"unsafe path in archive: {name!r}", path=archive, hint=hint)
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise ModelError(f"symbolic link in archive: {name!r}", path=archive, hint=hint)
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise ModelError(f"special file in archive: {name!r}", path=archive, hint=hint)
    if info.flag_bits & 0x1:
        raise ModelError(f"encrypted member in archive: {name!r}", path=archive, hint=hint)


def _check_metadata(metadata: object, archive: Path) -> None:
    if not isinstance(metadata, dict):
        raise ModelError("metadata.json is not a JSON object", path=archive)
    source, target = metadata.get("from_code"), metadata.get("to_code")
    if not source or not target:
        raise ModelError("metadata.json lacks from_code/to_code", path=archive)
    for key, code in (("from_code", source), ("to_code", target)):
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise ModelError(f"metadata.json: {key} {code!r} is not a language code", path=archive)
    if source == target:
        raise ModelError(f"metadata.json: from_code and to_code are both {source!r}", path=archive)
    if metadata.get("type", "translate") != "translate":
        raise ModelError(f"metadata.json: type {metadata.get('type')!r} is not a translation package",
                         path=archive, hint="lingopress installs translate packages only")
    for key in ("package_version", "argos_version"):
        value = metadata.get(key)
        if value is not None and not (isinstance(value, str) and _VERSION.fullmatch(value)):
            raise ModelError(f"metadata.json: {key} {value!r} is not a version", path=archive)


def install_file(settings: ArgosSettings, archive: Path,
                 limits: ArchiveLimits = DEFAULT_LIMITS) -> InstalledModel:
    """Install an `.argosmodel` file after checking it is a sane package archive."""
    info = validate_archive(archive, limits)
    target_dir = packages_dir(settings)
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=target_dir))
    try:
        _extract(archive, info, staging, target_dir)
        final = target_dir / info.top
        if final.exists():
            retired = Path(tempfile.mkdtemp(prefix=".remove-", dir=target_dir))
            final.rename(retired / info.top)
            (staging / info.top).rename(final)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            (staging / info.top).rename(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    model = find_model(settings, info.metadata["from_code"], info.metadata["to_code"])
    if model is None:  # pragma: no cover - the folder was just written
        raise ModelError("package installed but not found afterwards", path=archive)
    log.info("installed %s in %s", model.label, model.path)
    return model


def _extract(archive: Path, info: ArchiveInfo, staging: Path, target_dir: Path) -> None:
    """Write each member ourselves: regular files and folders only, always under staging."""
    root = staging.resolve()
    with zipfile.ZipFile(archive) as zipped:
        for member in info.members:
            destination = (staging / member.filename).resolve()
            if not destination.is_relative_to(root):  # validated already; belt and braces
                raise ModelError(f"unsafe path in archive: {member.filename!r}", path=archive)
            if member.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zipped.open(member) as source, open(destination, "wb") as out:
                    shutil.copyfileobj(source, out, 1024 * 1024)
            except (zipfile.BadZipFile, OSError) as err:
                raise ModelError(f"cannot extract {member.filename!r}: {err}", path=archive,
                                 hint=f"download the .argosmodel again; is {target_dir} writable?") from err


def install_path(settings: ArgosSettings, path: Path,
                 limits: ArchiveLimits = DEFAULT_LIMITS) -> list[InstalledModel]:
    """Install a `.argosmodel` file, or every one in a directory (all checked first)."""
    if path.is_dir():
        archives = sorted(path.glob("*.argosmodel"))
        if not archives:
            raise ModelError("no .argosmodel files in this directory", path=path,
                             hint="give a directory holding Argos packages, or one file")
        for archive in archives:  # a bad file stops the whole install before anything changes
            validate_archive(archive, limits)
        return [install_file(settings, archive, limits) for archive in archives]
    return [install_file(settings, path, limits)]


def remove_models(settings: ArgosSettings, pair: str) -> list[InstalledModel]:
    """Remove every installed version of a pair given as fr_en, fr-en, fr→en or translate-fr_en."""
    match = re.fullmatch(r"(?:translate-)?([a-z]{2,3})\s*(?:_|-|→|->)\s*([a-z]{2,3})", pair.strip())
    if match is None:
        raise ModelError(f"not a language pair: {pair!r}", hint="e.g. lingopress models remove fr_en")
    src, dst = match.groups()
    doomed = [m for m in installed_models(settings) if (m.from_code, m.to_code) == (src, dst)]
    if not doomed:
        raise ModelError(f"no installed model for {src}→{dst}", hint="see `lingopress models list`")
    for model in doomed:
        shutil.rmtree(model.path)
        log.info("removed %s from %s", model.label, model.path)
    return doomed


def install_from_index(settings: ArgosSettings, source: str, target: str) -> list[InstalledModel]:
    """Download and install source→target from the Argos index: the direct package, or
    the two packages through the pivot language when the index has no direct one."""
    package = argos_package_module(settings)
    import argostranslate.settings as argos_settings

    src, dst = language_of(source), language_of(target)
    try:
        with urllib.request.urlopen(argos_settings.remote_package_index,
                                    timeout=INDEX_TIMEOUT_S) as response:
            index = json.loads(response.read())
    except (urllib.error.URLError, OSError, json.JSONDecodeError) as err:
        raise ModelError(f"the Argos package index is unreachable: {getattr(err, 'reason', err)}") from err

    def entry(a: str, b: str) -> dict | None:
        return next((m for m in index if isinstance(m, dict) and m.get("from_code") == a
                     and m.get("to_code") == b and m.get("type", "translate") == "translate"), None)

    wanted = [entry(src, dst)]
    pivot = settings.pivot
    if wanted[0] is None and pivot and pivot not in (src, dst):
        wanted = [entry(src, pivot), entry(pivot, dst)]
    if None in wanted:
        raise ModelError(f"the Argos index has no {src}→{dst} package")
    installed = []
    for metadata in wanted:
        pair = f"{metadata['from_code']}_{metadata['to_code']}"
        have = find_model(settings, metadata["from_code"], metadata["to_code"])
        if have is not None:
            installed.append(have)
            continue
        try:
            archive = package.AvailablePackage(metadata).download()
        except Exception as err:  # argostranslate raises bare Exception
            raise ModelError(f"download of translate-{pair} failed: {err}") from err
        installed.append(install_file(settings, Path(archive)))
    return installed
