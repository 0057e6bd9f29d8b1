"""Publish: decide which approved version of each article is live in a locale.

Per article, `decide` takes the article, its catalog and the version live now and says
what is live after this run, recorded in the locale's published state
(`outputs/.state/<locale>.json`, encoded by `encode_state`): the French source text and
the approved translations the live version was made from. An article is published only
when every unit is approved (or, when the operator lowered `[publish] fallback_threshold`,
enough of them) and the gate (QA) lets it through. Otherwise its last approved version
stays live: a source change that makes an article incomplete never turns its page into
a partial one. Such a kept-live version is judged against the current French
(`staleness`): shown with an "outdated" notice, or withdrawn behind a notice when the
change touches safety, per `[publish] stale`.

The French original is published too, as the source locale (`outputs/fr/`), from the
current sources and always approved: every translation's hreflang alternates and its
"original" link point at a real page. Pure: the store reads and writes the state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import polib

from ..catalogs.glossary import Glossary
from ..catalogs.po import is_approved
from ..config import PublishSettings
from ..errors import PublishError
from ..ingest import ALWAYS_TRANSLATED, Article, is_valid_slug, parse_article, publication_date
from .staleness import Staleness, assess, consequence, judge, version_date

STATE_FORMAT = 1
ARTICLE_SUFFIXES = (".html", ".md", ".json")
INDEX_FILES = ("index.html", "index.json")

Key = tuple[str, str]  # (msgctxt, msgid): the unit's kind and French text
# Why `article` must not be published from `catalog` in this locale, or None to let it through.
Gate = Callable[[Article, polib.POFile], "str | None"]


def qa_gate(glossary: Glossary, locale: str, source_locale: str) -> Gate:
    """The publishing gate: QA (lingopress.qa).

    An article with a QA error in an approved entry is not published; its last approved
    version stays live. It runs only for articles whose units are all approved.
    """
    from ..qa import blocking_findings, hold_reason

    def gate(article: Article, catalog: polib.POFile) -> str | None:
        errors = blocking_findings(catalog, locale, glossary, source_locale=source_locale)
        return hold_reason(errors) if errors else None
    return gate


@dataclass(frozen=True)
class Snapshot:
    """One live version of an article in a locale: the source and the translations it was made from."""

    slug: str
    source: str  # the French Markdown file as it was when this version was approved
    source_hash: str
    translations: tuple[tuple[str, str, str], ...]  # (msgctxt, msgid, msgstr), sorted
    units: int
    approved: int
    original: bool = False  # the source locale itself: every unit is its own translation
    source_date: str = ""  # ISO date that French version was first seen (staleness.version_date)
    stale: Staleness | None = None  # the French changed since: outdated or withdrawn
    # The front-matter fields translated in this version ([ingest] translatable_fields then;
    # a state from before they were configurable translated title and summary).
    fields: tuple[str, ...] = ALWAYS_TRANSLATED
    reviewed: str = ""  # ISO date these translations first went live ("" in states written before)

    @property
    def withdrawn(self) -> bool:
        return self.stale is not None and self.stale.withdrawn

    @property
    def fallback(self) -> int:
        """Units shown in French because they had no approved translation."""
        return self.units - self.approved

    @property
    def digest(self) -> str:
        """sha256 of everything this version says (its source by its hash)."""
        fields = {**self.to_json(), "source": self.source_hash}
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()

    @property
    def translation_hash(self) -> str:
        return translation_hash(self.mapping())

    def mapping(self) -> dict[Key, str]:
        return {(context, source): text for context, source, text in self.translations}

    def to_json(self) -> dict:
        return {"source": self.source, "source_hash": self.source_hash,
                "translations": [list(entry) for entry in self.translations],
                "units": self.units, "approved": self.approved, "original": self.original,
                "source_date": self.source_date, "stale": self.stale.to_json() if self.stale else None,
                "fields": list(self.fields),
                # Only when known, so that a state written before keeps its digest.
                **({"reviewed": self.reviewed} if self.reviewed else {})}


@dataclass(frozen=True)
class Decision:
    """What is live of one article in one locale after this run, and why."""

    slug: str
    live: Snapshot | None
    published: bool = False  # live in its current approved version
    held_back: str = ""  # why the current version is not live
    kept_live: bool = False  # held back, an older approved version stays
    stale: str = ""  # the kept version is outdated or withdrawn, and why

    def to_json(self) -> dict:
        return {"published": self.published, "held_back": self.held_back, "kept_live": self.kept_live,
                "stale": self.stale}


@dataclass
class PublishReport:
    locale: str
    published: list[str] = field(default_factory=list)  # live in their current approved version
    held_back: dict[str, str] = field(default_factory=dict)  # slug → why the current one is not
    kept_live: list[str] = field(default_factory=list)  # held back, an older approved version stays
    fallback: dict[str, int] = field(default_factory=dict)  # slug → units shown in French
    withdrawn: list[str] = field(default_factory=list)  # source removed: pages removed
    stale: dict[str, str] = field(default_factory=dict)  # slug → outdated or withdrawn, and why
    files_written: list[str] = field(default_factory=list)
    site: str = ""  # the site texts (lingopress.site): "live", why they show in French, or "" for none

    def add(self, decision: Decision) -> None:
        slug = decision.slug
        if decision.published:
            self.published.append(slug)
            if decision.live is not None and decision.live.fallback:
                self.fallback[slug] = decision.live.fallback
        if decision.held_back:
            self.held_back[slug] = decision.held_back
        if decision.kept_live:
            self.kept_live.append(slug)
        if decision.stale:
            self.stale[slug] = decision.stale


def approved_translations(catalog: polib.POFile) -> dict[Key, str]:
    return {(entry.msgctxt, entry.msgid): entry.msgstr for entry in catalog if is_approved(entry)}


def translation_hash(translations: dict[Key, str]) -> str:
    """sha256 of the translations a version was made from, independent of their order."""
    rows = sorted([context, source, text] for (context, source), text in translations.items())
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


def unit_keys(article: Article) -> list[Key]:
    """The article's distinct units in document order, as its catalog keys them."""
    return list(dict.fromkeys((segment.kind, segment.text) for segment in article.segments))


def decide(locale: str, article: Article, catalog: polib.POFile | str | None, previous: Snapshot | None, *,
           source_locale: str, settings: PublishSettings, gate: Gate, today: date,
           state_path: Path | str = "") -> Decision:
    """What is live of `article` in `locale` after this run.

    `catalog` is the parsed catalog, None when there is none yet, or why it cannot be read;
    `previous` the version live now; `today` dates the source changes this run is the
    first to see; `state_path` names the published state in messages.
    """
    check_slug(article)
    if locale == source_locale:
        return Decision(article.slug, original_snapshot(article), published=True)
    snapshot, why = _approved_snapshot(article, catalog, settings.fallback_threshold, gate)
    if snapshot is not None:
        snapshot = replace(snapshot, source_date=version_date(previous, article.source_hash, today),
                           reviewed=_reviewed(previous, snapshot.translations, today))
        return Decision(article.slug, snapshot, published=True)
    if previous is None:
        return Decision(article.slug, None, held_back=why)
    kept = _judged(previous, article, settings.stale, source_locale, today, state_path)
    return Decision(article.slug, kept, held_back=f"{why}; {consequence(kept.stale)}", kept_live=True,
                    stale=kept.stale.describe() if kept.stale is not None else "")


def _judged(live: Snapshot, article: Article, mode: str, source_locale: str, today: date,
            state_path: Path | str) -> Snapshot:
    """The live version `live`, kept while `article` is not approved, with its staleness."""
    if live.source_hash == article.source_hash:
        # Held back by QA or a broken catalog, or the French was reverted: the live version is current.
        return replace(live, stale=None)
    old = parse_article(Path(state_path), live.source, fields=live.fields)
    verdict = judge(mode, unit_keys(old), unit_keys(article), source_locale)
    if verdict is None:  # only the front matter's date or the layout changed
        return replace(live, stale=None)
    stale = assess(verdict, source_hash=article.source_hash, previous=live.stale, today=today,
                   translated_from=live.source_date or publication_date(old).isoformat())
    return replace(live, stale=stale)


def decide_site(site: Article, catalog: polib.POFile | str | None, gate: Gate) -> tuple[Snapshot | None, str]:
    """The site texts' version to show in a locale, or None and why they show in French.

    All or nothing, like an article: every unit approved and through the gate. Nothing
    older is kept: a site text is short, and its French beats an outdated translation.
    """
    return _approved_snapshot(site, catalog, 1.0, gate)


def _reviewed(previous: Snapshot | None, translations: tuple, today: date) -> str:
    """When the translations now going live were approved: the day a run first saw them."""
    if previous is not None and previous.translations == translations and previous.reviewed:
        return previous.reviewed
    return today.isoformat()


def original_snapshot(article: Article) -> Snapshot:
    units = len(unit_keys(article))
    return Snapshot(article.slug, article.text, article.source_hash, (), units, units, original=True,
                    fields=article.fields)


def _approved_snapshot(article: Article, catalog: polib.POFile | str | None, threshold: float,
                       gate: Gate) -> tuple[Snapshot | None, str]:
    if catalog is None:
        return None, "no catalog yet"
    if isinstance(catalog, str):  # one broken catalog holds back its article, not the locale
        return None, catalog
    approved = approved_translations(catalog)
    keys = unit_keys(article)
    found = {key: approved[key] for key in keys if key in approved}
    missing = len(keys) - len(found)
    if missing and len(found) < threshold * len(keys):
        return None, f"{missing} units not approved"
    why = gate(article, catalog)
    if why:
        return None, why
    translations = tuple(sorted((context, source, text) for (context, source), text in found.items()))
    return Snapshot(article.slug, article.text, article.source_hash, translations, len(keys),
                    len(found), fields=article.fields), ""


def check_slug(article: Article) -> None:
    if not is_valid_slug(article.slug):  # ingest refuses these; an Article made elsewhere may not
        raise PublishError(f"invalid slug {article.slug!r}", path=article.path, line=article.slug_line,
                           hint="use lowercase letters, digits and hyphens")
    if f"{article.slug}.html" in INDEX_FILES:
        raise PublishError(f"slug {article.slug!r} is reserved for the locale index page",
                           path=article.path, line=article.slug_line,
                           hint="give the article another slug")


def decode_state(text: str | None, locale: str, path: Path) -> dict[str, Snapshot]:
    """The live versions of a locale's articles, by slug ({} before the first publish)."""
    if text is None:
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise PublishError(f"cannot read the published state: {err}", path=path,
                           hint="restore it from a backup, or delete it: articles that are not "
                                "fully approved now then stop being published") from err
    try:
        if raw["format"] != STATE_FORMAT or raw["locale"] != locale:
            raise ValueError(f"format {raw['format']!r}, locale {raw['locale']!r}")
        # source_date, stale, fields and reviewed came later: a state without them is read as current.
        return {slug: Snapshot(slug, item["source"], item["source_hash"],
                               tuple(tuple(entry) for entry in item["translations"]),
                               item["units"], item["approved"], item["original"],
                               item.get("source_date", ""), Staleness.from_json(item.get("stale")),
                               tuple(item.get("fields", ALWAYS_TRANSLATED)), item.get("reviewed", ""))
                for slug, item in raw["articles"].items()}
    except (KeyError, TypeError, ValueError) as err:
        raise PublishError(f"published state is not lingopress state format {STATE_FORMAT} "
                           f"for {locale}: {err}", path=path,
                           hint="restore it from a backup, or delete it to start over") from err


def encode_state(locale: str, live: dict[str, Snapshot]) -> str:
    document = {"format": STATE_FORMAT, "locale": locale,
                "articles": {slug: live[slug].to_json() for slug in sorted(live)}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def article_files(slug: str) -> list[str]:
    return [f"{slug}{suffix}" for suffix in ARTICLE_SUFFIXES]


def locale_files(snapshots: dict[str, Snapshot]) -> list[str]:
    """Every file of a locale's published output, relative to `outputs/<locale>/`, sorted."""
    return sorted([*INDEX_FILES, *(name for slug in snapshots for name in article_files(slug))])
