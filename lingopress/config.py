"""Project configuration: the one place that knows where things live."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError

from .errors import ConfigError
from .ingest import ALWAYS_TRANSLATED, DEFAULT_FIELDS, REQUIRED_FIELDS

CONFIG_NAME = "lingopress.toml"
ENGINES = ("argos", "apertium", "none")
DEVICES = ("auto", "cpu", "cuda")
# [publish] stale: what readers get when the French behind a live translation changed
# (lingopress.publishing.staleness). The first is the default.
STALE_MODES = ("withdraw-on-safety-change", "banner", "withdraw")
# Keys lingopress writes itself beside the translated fields in a page's front matter and
# JSON (publishing.pages): a translatable field of that name would be overwritten there.
_OUTPUT_KEYS = ("slug", "date", "lang", "dir", "source_lang", "source_hash", "language_name", "date_text",
                "html", "markdown", "alternates", "source", "translation_hash", "fallback_units",
                "outdated", "withdrawn")


@dataclass(frozen=True)
class ArgosSettings:
    packages_dir: Path | None = None
    download: bool = True
    beam_size: int = 2
    # "auto": cuda when CTranslate2 sees a GPU, else cpu.
    device: str = "auto"
    # "auto": int8 where the device supports it (int8_float16 on a GPU), else the model's type.
    compute_type: str = "auto"
    # CPU threads for one translation (0: every core this process may use).
    threads: int = 0
    # Tokens per translate_batch call: bigger batches keep the cores (or the GPU) busy.
    max_batch_tokens: int = 4096
    # Language to go through when there is no direct package ("" to never pivot).
    pivot: str = "en"


@dataclass(frozen=True)
class ApertiumSettings:
    # Directory of Apertium language data (apertium -d); None: the system-wide pairs.
    data_dir: Path | None = None


@dataclass(frozen=True)
class IngestSettings:
    # Front-matter fields whose text is translated (ingest.DEFAULT_FIELDS): title and
    # summary always; a field may hold text or a list of texts, each item its own unit.
    translatable_fields: tuple[str, ...] = DEFAULT_FIELDS


@dataclass(frozen=True)
class PublishSettings:
    # Share of an article's units that must be approved before it is published. Below 1.0
    # the missing units show the French original; off by default because this is medical
    # content, where a mixed-language page is a choice someone has to make on purpose.
    fallback_threshold: float = 1.0
    # Prefix for hreflang/alternate links ("https://example.org/health"); empty: relative links.
    base_url: str = ""
    # A live translation whose French changed: withdrawn when the change touches safety
    # (a dose, a limit, a negation) and shown with an "outdated" notice otherwise; "banner"
    # never withdraws, "withdraw" withdraws on any change. See lingopress.publishing.staleness.
    stale: str = STALE_MODES[0]
    # French footer text of every page ("" for none), translated through the site catalog
    # (translations/<locale>/_site.po) like any other unit; French until approved.
    disclaimer: str = ""
    disclaimer_line: int = 0  # where it is in lingopress.toml, for PO references
    # The site's name in every page's header, its feeds and Open Graph data.
    site_name: str = "lingopress"
    # A directory whose files shadow the built-in templates of lingopress/templates (and
    # its theme.css); None: the built-in ones.
    templates: Path | None = None


@dataclass(frozen=True)
class Config:
    project_dir: Path
    source_locale: str = "fr"
    target_locales: tuple[str, ...] = ("en",)
    engine: str = "argos"
    sources_dir: Path = Path("sources")
    translations_dir: Path = Path("translations")
    outputs_dir: Path = Path("outputs")
    # None: no glossary configured; a path that does not exist means an empty glossary
    # unless it was named in lingopress.toml (then it must exist).
    glossary_path: Path | None = None
    argos: ArgosSettings = field(default_factory=ArgosSettings)
    lock_timeout_s: float = 600.0
    publish: PublishSettings = field(default_factory=PublishSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    apertium: ApertiumSettings = field(default_factory=ApertiumSettings)
    # Per-locale engines from [engines], as (locale, engine) pairs; `engine` applies to the
    # other locales. A tuple, not a dict, so that a Config stays hashable (engine caches).
    locale_engines: tuple[tuple[str, str], ...] = ()

    def engine_for(self, locale: str) -> str:
        return dict(self.locale_engines).get(locale, self.engine)

    @property
    def config_path(self) -> Path:
        return self.project_dir / CONFIG_NAME

    @property
    def templates_dir(self) -> Path:
        return self.translations_dir / "templates"

    def template_path(self, slug: str) -> Path:
        return self.templates_dir / f"{slug}.pot"

    def catalog_path(self, locale: str, slug: str) -> Path:
        return self.translations_dir / locale / f"{slug}.po"

    def output_dir(self, locale: str) -> Path:
        return self.outputs_dir / locale

    @property
    def status_page_path(self) -> Path:
        return self.outputs_dir / "status.html"

    def review_path(self, locale: str, slug: str) -> Path:
        return self.outputs_dir / "review" / locale / f"{slug}.html"

    def relative(self, path: Path) -> str:
        """A path as written in PO references: relative to the project, with '/'."""
        try:
            return path.resolve().relative_to(self.project_dir.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def load_config(project_dir: Path | str = ".", *, locales: list[str] | None = None,
                engine: str | None = None, lock_timeout_s: float | None = None) -> Config:
    """Read `lingopress.toml` from project_dir; command-line values override it."""
    project = Path(project_dir).resolve()
    path = project / CONFIG_NAME
    if not project.is_dir():
        raise ConfigError("project directory does not exist", path=project,
                          hint="pass --project DIR pointing at a lingopress project")
    if not path.is_file():
        raise ConfigError(f"no {CONFIG_NAME} here", path=project,
                          hint=f"run lingopress in the project root or pass --project DIR; "
                               f"a project needs {CONFIG_NAME}")
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None)
        raise ConfigError(f"invalid TOML: {getattr(err, 'msg', err)}", path=path, line=line,
                          hint="fix the syntax") from err

    def where(key: str) -> int | None:
        return _line_of(text, key)

    source_locale = _check_locale(str(raw.get("source_locale", "fr")), path, where("source_locale"))
    targets_raw = locales if locales is not None else raw.get("target_locales", ["en"])
    if not isinstance(targets_raw, list) or not targets_raw:
        raise ConfigError("target_locales must be a non-empty list of locale codes",
                          path=path, line=where("target_locales"),
                          hint='e.g. target_locales = ["en", "de"]')
    origin = "--locales" if locales is not None else None
    targets: list[str] = []
    for code in targets_raw:
        code = _check_locale(str(code).strip(), None if origin else path,
                             None if origin else where(str(code)), origin=origin)
        if code == source_locale:
            raise ConfigError(f"target locale {code!r} is the source locale",
                              path=None if origin else path,
                              line=None if origin else where("target_locales"),
                              hint="remove it from the target locales")
        if code not in targets:
            targets.append(code)

    engine_name = engine if engine is not None else str(raw.get("engine", "argos"))
    if engine_name not in ENGINES:
        raise ConfigError(f"unknown engine {engine_name!r}",
                          path=None if engine is not None else path,
                          line=None if engine is not None else where("engine"),
                          hint=f"use one of: {', '.join(ENGINES)}")

    locale_engines: dict[str, str] = {}
    if engine is None:  # --engine applies to every locale
        table = raw.get("engines", {})
        if not isinstance(table, dict):
            raise ConfigError("[engines] must be a table of locale = engine", path=path,
                              line=where("engines"), hint='e.g. [engines] then es = "apertium"')
        for code, name in table.items():
            line = where(f"{code} =") or where(code)
            if name not in ENGINES:
                raise ConfigError(f"unknown engine {name!r} for locale {code!r}", path=path, line=line,
                                  hint=f"use one of: {', '.join(ENGINES)}")
            locale_engines[_check_locale(str(code), path, line)] = name

    paths = raw.get("paths", {})
    glossary = project / paths.get("glossary", "glossary.csv")
    if "glossary" in paths and not glossary.is_file():
        raise ConfigError(f"glossary file {paths['glossary']!r} does not exist", path=path,
                          line=where("glossary"), hint="create it or remove the setting")
    argos_raw = raw.get("argos", {})
    packages_dir = str(argos_raw.get("packages_dir", "") or "")

    def setting(key: str, default, valid, hint: str):
        value = argos_raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, type(default)) or not valid(value):
            raise ConfigError(f"argos.{key}: invalid value {value!r}", path=path, line=where(key),
                              hint=hint)
        return value

    beam = setting("beam_size", 2, lambda v: v >= 1, "a positive integer, e.g. beam_size = 2")
    device = setting("device", "auto", lambda v: v in DEVICES, f"one of: {', '.join(DEVICES)}")
    compute_type = setting("compute_type", "auto", lambda v: bool(v.strip()),
                           'e.g. "auto", "int8", "int8_float16", "float32"')
    threads = setting("threads", 0, lambda v: v >= 0, "0 (every core) or a positive number")
    batch_tokens = setting("max_batch_tokens", 4096, lambda v: v >= 64, "at least 64, e.g. 4096")
    pivot = setting("pivot", "en", lambda v: v == "" or v.isalpha(), 'a language code such as "en", or ""')
    apertium_raw = raw.get("apertium", {})
    apertium_dir = str(apertium_raw.get("data_dir", "") or "") if isinstance(apertium_raw, dict) else ""
    timeout = lock_timeout_s if lock_timeout_s is not None else raw.get("lock_timeout_s", 600)
    if not isinstance(timeout, (int, float)) or timeout < 0:
        raise ConfigError("lock_timeout_s must be a number of seconds ≥ 0", path=path,
                          line=where("lock_timeout_s"), hint="e.g. lock_timeout_s = 600")
    publish_raw = raw.get("publish", {})
    threshold = publish_raw.get("fallback_threshold", 1.0)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise ConfigError("publish.fallback_threshold must be a number in (0, 1]", path=path,
                          line=where("fallback_threshold"),
                          hint="1.0 publishes fully approved articles only; e.g. 0.9 fills up to 10% with French")
    stale = publish_raw.get("stale", STALE_MODES[0])
    if stale not in STALE_MODES:
        raise ConfigError(f"publish.stale: unknown value {stale!r}", path=path,
                          line=where("stale =") or where("stale"),
                          hint=f"use one of: {', '.join(repr(mode) for mode in STALE_MODES)}")
    disclaimer = publish_raw.get("disclaimer", "")
    if not isinstance(disclaimer, str):
        raise ConfigError("publish.disclaimer must be text", path=path, line=where("disclaimer"),
                          hint='e.g. disclaimer = "Ces informations ne remplacent pas l\'avis d\'un médecin."')
    site_name = publish_raw.get("site_name", "lingopress")
    if not isinstance(site_name, str) or not site_name.strip():
        raise ConfigError(f"publish.site_name: invalid value {site_name!r}", path=path,
                          line=where("site_name"), hint='a non-empty name, e.g. site_name = "Santé Info"')
    templates = publish_raw.get("templates", "")
    if not isinstance(templates, str):
        raise ConfigError(f"publish.templates: invalid value {templates!r}", path=path,
                          line=where("templates ="), hint='a directory, e.g. templates = "theme"')
    if templates and not (project / templates).is_dir():
        raise ConfigError(f"publish.templates: {templates!r} is not a directory", path=path,
                          line=where("templates ="),
                          hint="create it and put the templates to override in it, or remove the setting")
    return Config(
        project_dir=project,
        lock_timeout_s=float(timeout),
        source_locale=source_locale,
        target_locales=tuple(targets),
        engine=engine_name,
        sources_dir=project / paths.get("sources", "sources"),
        translations_dir=project / paths.get("translations", "translations"),
        outputs_dir=project / paths.get("outputs", "outputs"),
        glossary_path=glossary,
        argos=ArgosSettings(
            packages_dir=(project / packages_dir) if packages_dir else None,
            download=bool(argos_raw.get("download", True)),
            beam_size=beam,
            device=device,
            compute_type=compute_type,
            threads=threads,
            max_batch_tokens=batch_tokens,
            pivot=pivot,
        ),
        publish=PublishSettings(fallback_threshold=float(threshold),
                                base_url=str(publish_raw.get("base_url", "") or "").rstrip("/"),
                                stale=stale, disclaimer=" ".join(disclaimer.split()),
                                disclaimer_line=where("disclaimer") or 0 if disclaimer.strip() else 0,
                                site_name=site_name.strip(),
                                templates=(project / templates) if templates else None),
        ingest=IngestSettings(_translatable_fields(raw.get("ingest", {}), path, where)),
        apertium=ApertiumSettings(data_dir=(project / apertium_dir) if apertium_dir else None),
        locale_engines=tuple(sorted(locale_engines.items())),
    )


def _translatable_fields(table: object, path: Path, where) -> tuple[str, ...]:
    """[ingest] translatable_fields: front-matter field names, title and summary among them."""
    value = table.get("translatable_fields", list(DEFAULT_FIELDS)) if isinstance(table, dict) else None
    line = where("translatable_fields") or where("ingest")
    if not isinstance(value, list) or not all(isinstance(name, str) and name.strip() for name in value):
        raise ConfigError("ingest.translatable_fields must be a list of front-matter field names", path=path,
                          line=line, hint=f"e.g. translatable_fields = {list(DEFAULT_FIELDS)}")
    fields = tuple(dict.fromkeys(name.strip() for name in value))
    missing = [name for name in ALWAYS_TRANSLATED if name not in fields]
    not_text = [name for name in fields if name in (*REQUIRED_FIELDS, *_OUTPUT_KEYS) and name not in ALWAYS_TRANSLATED]
    if missing or not_text:
        raise ConfigError(f"ingest.translatable_fields: {', '.join(missing)} must be translated" if missing
                          else f"ingest.translatable_fields: {', '.join(not_text)} is reserved by lingopress",
                          path=path, line=line, hint=f"e.g. translatable_fields = {list(DEFAULT_FIELDS)}")
    return fields


def _check_locale(code: str, path: Path | None, line: int | None, *, origin: str | None = None) -> str:
    """Normalise a locale code with Babel (pt-BR → pt_BR), rejecting unknown ones."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as err:
        prefix = f"{origin}: " if origin else ""
        raise ConfigError(f"{prefix}unknown locale code {code!r}", path=path, line=line,
                          hint="use a CLDR code such as en, de, es, ar, pt_BR") from err
    return str(locale)


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line and not line.lstrip().startswith("#"):
            return number
    return None
