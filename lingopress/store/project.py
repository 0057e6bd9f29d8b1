"""The project store: every read and write of a project's files goes through here.

Sources, templates, catalogs, the glossary, translation memory (built from catalogs),
run records, the published state, pages and bundles. Writes are atomic (temp file,
fsync, rename) and only happen when content changed; the store records the digest of
what it wrote, so the next run proves a file unchanged from its `stat` alone
(lingopress.store.digests). Stages never see a path to open: the flows and the CLI
load data here, call the stages, and save their results here, in the process that
holds the project lock.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import polib
import yaml

from ..catalogs.glossary import Glossary
from ..catalogs.memory import Memory, TranslationMemory, approved_memories
from ..catalogs.po import catalog_text, parse_catalog
from ..config import Config
from ..errors import BundleError, CatalogError, DiskError, PublishError, SourceError
from ..ingest import Article, collect_articles, parse_article
from ..publishing.bundle_format import INDEX_NAME, encode_json, new_index, read_index
from ..publishing.publish import Snapshot, decode_state, encode_state
from ..site import SITE_SLUG
from ..publishing.render import Site
from .atomic import atomic_write_bytes, exclusive_run, remove_stale_temp_files, writing
from .digests import MISSING, DigestCache
from .exchange import MEMORY_DIR, ExchangeFiles
from .files import catalog_bytes, catalog_writing, read_glossary, read_source
from .memories import MemoryCache, read_cache_table

log = logging.getLogger(__name__)

STATE_DIR = Path(".lingopress") / "state"


class ProjectStore(ExchangeFiles):
    """One project's files, as data; use `locked()` around a run that writes."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = config.project_dir
        self.digests = DigestCache(self.root, self.root / STATE_DIR / "digests.json")
        self.memories = MemoryCache(self.root / STATE_DIR)
        self._states: dict[str, tuple[str, dict[str, Snapshot]]] = {}
        self._relative: dict[Path, str] = {}

    def relative(self, path: Path) -> str:
        # Resolving costs a few system calls; a run asks for the same few thousand paths again and again.
        known = self._relative.get(path)
        if known is None:
            known = self._relative[path] = self.config.relative(path)
        return known

    @contextmanager
    def locked(self) -> Iterator[ProjectStore]:
        """The project lock for a run (re-entrant in this process), minus what an
        interrupted run left behind; the digests learnt are kept when it ends."""
        config = self.config
        with exclusive_run(self.root, config.lock_timeout_s, config.translations_dir, config.outputs_dir):
            try:
                yield self
            finally:
                # The run's own bookkeeping is never versioned (as .pytest_cache does it).
                self._write_text(self.root / STATE_DIR.parent / ".gitignore", "# written by lingopress\n*\n")
                self.digests.save(self._save_cache)
                self.memories.save(self._save_cache)

    def digest(self, path: Path) -> str:
        return self.digests.digest(path)

    # --- writing --------------------------------------------------------------------

    def _write_bytes(self, path: Path, data: bytes) -> bool:
        """Write `data` atomically unless the file holds it already; return whether written."""
        digest = hashlib.sha256(data).hexdigest()
        if self.digests.digest(path) == digest:
            return False
        atomic_write_bytes(path, data)
        self.digests.wrote(path, data)
        return True

    def _write_text(self, path: Path, text: str) -> bool:
        return self._write_bytes(path, text.encode("utf-8"))

    def _save_cache(self, path: Path, text: str) -> None:
        """A cache only saves time: when the disk refuses it, the run goes on (and the disk
        error, if it persists, is reported by the first file that matters)."""
        try:
            self._write_text(path, text)
        except (DiskError, OSError) as err:
            log.warning("%s: cache not saved (%s); the next run works it out again", self.relative(path), err)

    def write_page(self, path: Path, text: str) -> bool:
        return self._write_text(path, text)

    def write_pages(self, pages: Mapping[Path, str]) -> list[str]:
        """Write each page that changed; return those written, relative to the project."""
        return [self.relative(path) for path, text in pages.items() if self._write_text(path, text)]

    def remove_old_assets(self, directory: Path, *, keep: str) -> list[str]:
        """Remove the theme files of `directory` but `keep` (content-hashed names: an old
        one is never reused); return those removed, relative to the project."""
        old = sorted(path for path in directory.glob("theme-*.css") if path.name != keep) if directory.is_dir() else []
        return [self.relative(path) for path in old if self.remove(path)]

    def remove(self, path: Path) -> bool:
        with writing(path):
            existed = path.exists()
            path.unlink(missing_ok=True)
        self.digests.forget(path)
        return existed

    # --- sources and templates ------------------------------------------------------

    def source_paths(self) -> list[Path]:
        sources = self.config.sources_dir
        if not sources.is_dir():
            raise SourceError("source directory does not exist", path=sources,
                              hint="create it and add French Markdown articles, or set [paths] sources "
                                   "in lingopress.toml")
        paths = sorted(sources.glob("*.md"))
        if not paths:
            raise SourceError("no articles (*.md) in the source directory", path=sources,
                              hint="add French Markdown articles with front matter")
        return paths

    def articles(self) -> list[Article]:
        """Every article of `sources/`, parsed, sorted by slug; slugs must be unique.

        Parsing is the costly part of reading 500 articles, and its result depends on the
        text alone: an article whose text hashes as when it was last parsed is rebuilt from
        what that parse found (JSON, never code: the cache may be as untrusted as the project).
        """
        cache_path = self.root / STATE_DIR / "articles.json"
        cached = read_cache_table(cache_path, "articles")
        articles, fresh = [], {}
        for path in self.source_paths():
            text = read_source(path)
            key = self.relative(path)
            known = cached.get(key)
            article = None
            fields = self.config.ingest.translatable_fields
            if (isinstance(known, dict) and known.get("fields") == list(fields)
                    and known.get("source_hash") == hashlib.sha256(text.encode("utf-8")).hexdigest()):
                try:
                    article = Article.from_json(path, text, known)
                except (KeyError, TypeError, ValueError, yaml.YAMLError):
                    article = None  # a damaged cache costs one parse
            if article is None:
                article = parse_article(path, text, fields=fields)
            articles.append(article)
            fresh[key] = article.to_json()
        if fresh != cached:
            self._save_cache(cache_path, json.dumps({"format": 1, "articles": fresh}, ensure_ascii=False) + "\n")
        return collect_articles(articles, self.relative)

    def save_template(self, slug: str, pot: polib.POFile) -> bool:
        path = self.config.template_path(slug)
        text = catalog_text(pot, self._previous(path))
        return text is not None and self._save_catalog_text(path, text)

    # --- catalogs -------------------------------------------------------------------

    def catalog_path(self, locale: str, slug: str) -> Path:
        return self.config.catalog_path(locale, slug)

    def catalog_bytes(self, locale: str, slug: str) -> bytes | None:
        return catalog_bytes(self.catalog_path(locale, slug))

    def catalog(self, locale: str, slug: str, *, check_locale: bool = True) -> polib.POFile | None:
        """The parsed catalog (None when there is none yet); a broken one raises CatalogError."""
        path = self.catalog_path(locale, slug)
        data = catalog_bytes(path)
        return None if data is None else parse_catalog(data, path, locale=locale if check_locale else None)

    def catalog_or_problem(self, locale: str, slug: str) -> polib.POFile | str | None:
        """The catalog, None when there is none, or why it cannot be read (one broken
        catalog holds back its own article, never the locale)."""
        try:
            return self.catalog(locale, slug)
        except CatalogError as err:
            return f"broken catalog: {err}"

    def save_catalog_text(self, locale: str, slug: str, text: str, *,
                          memories: Sequence[Memory] | None = None) -> bool:
        """Save a catalog; `memories` (what its text gives the translation memory, when the
        caller knows) spares the next run parsing it."""
        path = self.catalog_path(locale, slug)
        written = self._save_catalog_text(path, text)
        if memories is not None:
            self.memories.record(locale, self.relative(path), hashlib.sha256(text.encode("utf-8")).hexdigest(),
                                 memories)
        return written

    def _save_catalog_text(self, path: Path, text: str) -> bool:
        with catalog_writing(path):
            return self._write_bytes(path, text.encode("utf-8"))

    def _previous(self, path: Path) -> polib.POFile | None:
        try:
            data = catalog_bytes(path)
            return parse_catalog(data, path) if data is not None else None
        except CatalogError:
            return None

    def catalog_locales(self) -> list[str]:
        """Locales with a catalog folder, for commands that look at every catalog."""
        return sorted(path.name for path in self.config.translations_dir.iterdir()
                      if path.is_dir() and path.name not in ("templates", MEMORY_DIR)
                      ) if self.config.translations_dir.is_dir() else []

    def catalog_paths(self, locale: str) -> list[Path]:
        return sorted((self.config.translations_dir / locale).glob("*.po"))

    def memory(self, locale: str, slugs: Iterable[str]) -> TranslationMemory:
        """Approved translations of every readable catalog of the locale.

        A broken catalog contributes nothing here; its own work unit reports it. A catalog
        whose digest is as when its memories were last taken is not parsed again
        (lingopress.store.memories).
        """
        memory, origins = TranslationMemory(), set()
        for slug in slugs:
            path = self.catalog_path(locale, slug)
            origin = self.relative(path)
            origins.add(origin)
            memories = self.memories.known(locale, origin, self.digest(path))
            if memories is None:
                try:
                    data = catalog_bytes(path)
                    if data is None:
                        continue
                    memories = approved_memories(parse_catalog(data, path), origin)
                except CatalogError:
                    continue
                self.memories.record(locale, origin, hashlib.sha256(data).hexdigest(), memories)
            for item in memories:
                memory.add(item)
        self.memories.keep_only(locale, origins)
        return memory

    # --- glossary -------------------------------------------------------------------

    @cached_property
    def _glossary(self) -> Glossary:
        path = self.config.glossary_path
        if path is None or not path.exists():
            return Glossary()
        return read_glossary(path, self.config.source_locale)

    def glossary(self) -> Glossary:
        """The project's glossary, read once per store; empty when the default file does not exist."""
        return self._glossary

    def glossary_digest(self) -> str:
        path = self.config.glossary_path
        return self.digest(path) if path is not None else "none"

    # --- run records (lingopress.skip) ------------------------------------------------

    def _records_path(self, stage: str, locale: str) -> Path:
        # One file per stage and locale, so that locales done in parallel never share one.
        return self.root / STATE_DIR / f"{stage}-{locale}.json"

    def records(self, stage: str, locale: str) -> dict[str, dict]:
        """unit → {"fingerprint": ..., **payload} as saved after the last pass; {} when none or unreadable."""
        path = self._records_path(stage, locale)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            # A cache: a damaged one costs one full pass, never a wrong skip.
            log.warning("%s: unreadable run state (%s); doing every unit once", path, err)
            return {}
        units = data.get("units") if isinstance(data, dict) else None
        return units if isinstance(units, dict) else {}

    def save_records(self, stage: str, locale: str, records: Mapping[str, dict]) -> bool:
        text = json.dumps({"units": dict(sorted(records.items()))}, ensure_ascii=False, indent=1) + "\n"
        return self._write_text(self._records_path(stage, locale), text)

    # --- published state --------------------------------------------------------------

    def state_path(self, locale: str) -> Path:
        return self.config.outputs_dir / ".state" / f"{locale}.json"

    def published_locales(self) -> list[str]:
        """Every locale with a published state: the source locale first, then by code."""
        codes = sorted(path.stem for path in (self.config.outputs_dir / ".state").glob("*.json"))
        return sorted(codes, key=lambda code: (code != self.config.source_locale, code))

    def published_text(self, locale: str) -> str | None:
        path = self.state_path(locale)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as err:
            raise PublishError(f"cannot read the published state: {err}", path=path,
                               hint="restore it from a backup, or delete it: articles that are not "
                                    "fully approved now then stop being published") from err

    def save_published_text(self, locale: str, text: str) -> bool:
        return self._write_text(self.state_path(locale), text)

    def published_state(self, locale: str) -> dict[str, Snapshot]:
        """The live versions of a locale's articles, by slug ({} before the first publish).

        Decoded once per content: a state holds every live article's French text, and
        several stages of a run read it.
        """
        digest = self.digest(self.state_path(locale))
        memo = self._states.get(locale)
        if memo is None or memo[0] != digest:
            memo = self._states[locale] = (digest, decode_state(self.published_text(locale), locale,
                                                                self.state_path(locale)))
        return dict(memo[1])

    def save_published_state(self, locale: str, live: dict[str, Snapshot]) -> bool:
        return self.save_published_text(locale, encode_state(locale, live))

    def published_states(self) -> dict[str, dict[str, Snapshot]]:
        return {locale: self.published_state(locale) for locale in self.published_locales()}

    def site_state_path(self, locale: str) -> Path:
        # A folder of its own: `published_locales` reads every *.json beside the articles' states.
        return self.config.outputs_dir / ".state" / "site" / f"{locale}.json"

    def site_state(self, locale: str) -> Snapshot | None:
        """The approved version of the site texts live in `locale` (lingopress.site), if any."""
        path = self.site_state_path(locale)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as err:
            raise PublishError(f"cannot read the published site texts: {err}", path=path,
                               hint="delete it: the site texts then show in French until the next publish") from err
        return decode_state(text, locale, path).get(SITE_SLUG)

    def save_site_state(self, locale: str, live: Snapshot | None) -> bool:
        return self._write_text(self.site_state_path(locale),
                                encode_state(locale, {SITE_SLUG: live} if live is not None else {}))
    # --- the site: the publisher's templates ---------------------------------------------

    @cached_property
    def site(self) -> Site:
        """The site every page is rendered for, with the publisher's template overrides
        (`[publish] templates`) read once per store."""
        publish = self.config.publish
        return Site(publish.site_name, publish.base_url, self._template_overrides(publish.templates))

    def _template_overrides(self, directory: Path | None) -> tuple[tuple[str, str], ...]:
        if directory is None:
            return ()
        found = []
        for path in sorted(directory.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                try:
                    found.append((path.name, path.read_text(encoding="utf-8")))
                except (OSError, UnicodeDecodeError) as err:
                    raise PublishError(f"cannot read the template: {err}", path=path,
                                       hint="save it as UTF-8 text, or remove it to use the built-in one") from err
        return tuple(found)

    # --- bundles ----------------------------------------------------------------------

    @property
    def bundles_dir(self) -> Path:
        return self.config.outputs_dir / "bundles"

    def has_bundles(self) -> bool:
        return self.bundles_dir.is_dir()

    def published_file(self, path: Path) -> bytes:
        """A rendered page to bundle."""
        try:
            return path.read_bytes()
        except FileNotFoundError as err:
            raise BundleError("a published file is missing", path=path,
                              hint="run `lingopress publish` to render the outputs again") from err

    def bundle_index(self) -> dict:
        path = self.bundles_dir / INDEX_NAME
        return read_index(path.read_bytes(), str(path)) if path.exists() else new_index()

    def save_bundle_index(self, index: dict) -> bool:
        # Written last of a bundle run: only now do readers of the index see the new versions.
        return self._write_bytes(self.bundles_dir / INDEX_NAME, encode_json(index))

    def bundle_names(self, locale: str) -> list[str]:
        """File names in a locale's bundle directory (versions an interrupted run left too)."""
        return [path.name for path in (self.bundles_dir / locale).glob(f"lingopress-{locale}-*")]

    def file_sizes_and_digests(self, paths: Sequence[Path]) -> dict[Path, tuple[int, str]]:
        """(size, sha256) of each file, from the digest cache where its stat is known."""
        result = {}
        for path in paths:
            digest = self.digest(path)
            if digest == MISSING:
                continue
            result[path] = (path.stat().st_size, digest)
        return result

    def write_new(self, path: Path, data: bytes) -> None:
        """Write an immutable file (a bundle archive): atomically, never over another."""
        if path.exists():
            raise BundleError("bundle already exists; published bundles are never overwritten", path=path,
                              hint="remove it only if no index lists it")
        atomic_write_bytes(path, data)
        self.digests.wrote(path, data)

    def remove_temp_files(self, directory: Path) -> None:
        remove_stale_temp_files(directory)

