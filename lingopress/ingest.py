"""Ingest: French Markdown text → translatable segments → gettext templates (.pot).

Pure: the store reads the sources and writes the templates."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polib
import yaml
from markdown_it.token import Token

from . import mdguard
from .catalogs.glossary import Glossary
from .catalogs.po import new_catalog
from .errors import PublishError, SourceError
from .markup import iter_units, parser

MAX_SOURCE_BYTES = 5 * 1024 * 1024
REQUIRED_FIELDS = ("title", "slug", "date", "summary")
# Front-matter fields a reader sees, so translators translate them: `[ingest]
# translatable_fields` in lingopress.toml. Title and summary are required and always
# translated; the others are optional, text or a list of texts (one unit per item).
ALWAYS_TRANSLATED = ("title", "summary")
DEFAULT_FIELDS = (*ALWAYS_TRANSLATED, "tags")
# Slugs become file names: always checked with fullmatch (a `$` also matches before a final "\n").
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# libyaml when present: PyYAML's pure-Python scanner takes seconds, then a RecursionError,
# on a few thousand nested '[' (libyaml refuses them at once); both build the same values.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Segment:
    """One translatable unit: what it is, its text (the msgid) and where it stands."""

    kind: str
    text: str
    line: int
    detail: str


@dataclass(frozen=True)
class Article:
    slug: str
    path: Path
    meta: dict
    segments: tuple[Segment, ...]
    source_hash: str
    text: str = field(repr=False, default="")
    slug_line: int = 1
    front_matter: str = field(repr=False, default="")  # the YAML between the '---' lines
    fields: tuple[str, ...] = DEFAULT_FIELDS  # the front-matter fields it was parsed to translate

    def to_json(self) -> dict:
        """What `from_json` needs to rebuild the parsed article without parsing the text again."""
        return {"source_hash": self.source_hash, "front_matter": self.front_matter, "slug_line": self.slug_line,
                "fields": list(self.fields), "segments": [[s.kind, s.text, s.line, s.detail] for s in self.segments]}

    @classmethod
    def from_json(cls, path: Path, text: str, data: dict) -> Article:
        """The article `to_json` described; the caller checked that `text` is the same source."""
        meta = yaml.load(data["front_matter"], Loader=_YAML_LOADER)
        return cls(slug=meta["slug"], path=path, meta=meta,
                   segments=tuple(Segment(*segment) for segment in data["segments"]),
                   source_hash=data["source_hash"], text=text, slug_line=data["slug_line"],
                   front_matter=data["front_matter"], fields=tuple(data["fields"]))

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    def field_texts(self, name: str) -> list[str]:
        return field_texts(self.meta, name)


def field_texts(meta: dict, name: str) -> list[str]:
    """A translatable front-matter field's units in order: one for text, one per list item."""
    value = meta.get(name)
    items = value if isinstance(value, list) else [value]
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


def is_valid_slug(slug: object) -> bool:
    """Lowercase letters, digits and inner hyphens only: safe as a file name and in a URL."""
    return isinstance(slug, str) and _SLUG.fullmatch(slug) is not None


def decode_source(data: bytes, path: Path) -> str:
    """An article's bytes as UTF-8 text, rejecting what cannot be an article."""
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(f"file is {len(data)} bytes, over the 5 MB limit for an article",
                          path=path, hint="split it into several articles")
    if not data.strip():
        raise SourceError("file is empty", path=path,
                          hint="write the article or remove the file")
    if b"\x00" in data:
        raise SourceError("file is binary, not Markdown text", path=path,
                          hint="sources/ may only hold UTF-8 Markdown articles")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise SourceError(f"not valid UTF-8 (byte 0x{data[err.start]:02x})", path=path, line=line,
                          hint="re-save the file as UTF-8") from err
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def parse_article(path: Path, text: str, display_path: str | None = None, *,
                  fields: tuple[str, ...] = DEFAULT_FIELDS) -> Article:
    """Parse one article's front matter (`fields` are translated) and body into segments."""
    md = parser()
    env: dict = {}
    tokens = md.parse(text, env)
    front = tokens[0] if tokens and tokens[0].type == "front_matter" else None
    if front is None:
        raise SourceError("no YAML front matter", path=path, line=1,
                          hint="start the file with '---', the fields "
                               f"{', '.join(REQUIRED_FIELDS)}, and '---'")
    meta, field_lines = _parse_front_matter(path, front, fields)
    lost = mdguard.unaccounted_line(text, tokens, env)
    if lost is not None:
        raise SourceError(lost[1], path=path, line=lost[0],
                          hint="restructure that part of the article; no text may be left out of translation")
    slug = meta["slug"]
    segments: list[Segment] = []
    for name in fields:
        for value in field_texts(meta, name):
            segments.append(Segment(name, value, field_lines.get(name, 1), f"front matter: {name}"))
    for unit in iter_units(md, tokens, env):
        segments.append(Segment(unit.kind, unit.text, unit.line, unit.detail))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(slug=slug, path=path, meta=meta, segments=tuple(segments), source_hash=digest,
                   text=text, slug_line=field_lines.get("slug", 1), front_matter=front.content,
                   fields=tuple(fields))


def collect_articles(articles: Sequence[Article], relative: Callable[[Path], str] = str) -> list[Article]:
    """The project's articles sorted by slug; slugs must be unique (`relative` names a path in messages)."""
    seen: dict[str, Path] = {}
    for article in articles:
        if article.slug in seen:
            raise SourceError(f"duplicate slug {article.slug!r}, also used by {relative(seen[article.slug])}",
                              path=article.path, line=article.slug_line,
                              hint="give each article its own slug")
        seen[article.slug] = article.path
    return sorted(articles, key=lambda a: a.slug)


def build_template(article: Article, glossary: Glossary, locales: str | tuple[str, ...],
                   reference: str) -> polib.POFile:
    """The gettext template of one article: one entry per distinct (kind, text).

    Entries whose text holds glossary terms get `glossary: term → translation` lines in
    their extracted comments for `locales`: one locale for a catalog's merge template,
    every target locale for the .pot. Extracted comments are rebuilt from the template on
    every merge, so these notes follow the glossary and never touch translator comments.
    `reference` is the source file as PO references name it.
    """
    pot = new_catalog(None, project=article.slug)
    by_key: dict[tuple[str, str], polib.POEntry] = {}
    for segment in article.segments:
        key = (segment.kind, segment.text)
        entry = by_key.get(key)
        if entry is None:
            comment = "\n".join([segment.detail, *glossary.comment_lines(segment.text, locales)])
            entry = polib.POEntry(msgctxt=segment.kind, msgid=segment.text, msgstr="",
                                  comment=comment, occurrences=[])
            by_key[key] = entry
            pot.append(entry)
        entry.occurrences.append((reference, str(segment.line)))
    return pot


def publication_date(article: Article) -> date:
    value = article.meta["date"]
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as err:
        raise PublishError(f"front matter date {value!r} is not a date", path=article.path,
                           hint="write it as YYYY-MM-DD, e.g. date: 2026-11-27") from err


def _parse_front_matter(path: Path, token: Token, fields: tuple[str, ...]) -> tuple[dict, dict[str, int]]:
    offset = 2  # the opening '---' is line 1, YAML starts on line 2
    try:
        node = yaml.compose(token.content, Loader=_YAML_LOADER)
        meta = yaml.load(token.content, Loader=_YAML_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        # libyaml marks an unclosed '[' at the end of the stream, i.e. on the closing '---':
        # name the YAML's last line instead, where the fix goes.
        last = offset + max(token.content.count("\n") - 1, 0)
        line = min(offset + mark.line, last) if mark is not None else 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise SourceError(f"invalid YAML front matter: {problem}", path=path, line=line,
                          hint="quote values that contain ':' or start with a quote") from err
    except ValueError as err:  # PyYAML builds dates and ints itself: 2026-13-45, 5,000-digit numbers
        raise SourceError(f"invalid value in the YAML front matter: {err}", path=path, line=offset,
                          hint="quote the value, or write dates as YYYY-MM-DD") from err
    except RecursionError as err:  # PyYAML composes nested collections recursively
        raise SourceError("YAML front matter nested too deeply", path=path, line=offset,
                          hint="front matter holds plain 'field: value' lines") from err
    if not isinstance(meta, dict):
        raise SourceError("front matter must be a mapping of fields", path=path, line=offset,
                          hint=f"write 'field: value' lines for {', '.join(REQUIRED_FIELDS)}")
    lines = {}
    if isinstance(node, yaml.MappingNode):
        lines = {key.value: offset + key.start_mark.line for key, _ in node.value}
    for name in REQUIRED_FIELDS:
        if meta.get(name) in (None, ""):
            raise SourceError(f"front matter lacks {name!r}", path=path, line=lines.get(name, offset),
                              hint=f"add '{name}: …' to the front matter")
    slug = meta["slug"]
    if not is_valid_slug(slug):
        raise SourceError(f"invalid slug {_shown(slug)}", path=path, line=lines.get("slug", offset),
                          hint="use lowercase letters, digits and hyphens, e.g. 'immunotherapie'")
    if not isinstance(meta["date"], date):
        raise SourceError(f"invalid date {_shown(meta['date'])}", path=path, line=lines.get("date", offset),
                          hint="write the date as YYYY-MM-DD")
    for name in ALWAYS_TRANSLATED:
        if not isinstance(meta[name], str):
            raise SourceError(f"{name!r} must be text", path=path, line=lines.get(name, offset),
                              hint="quote the value")
        if not meta[name].strip():
            raise SourceError(f"{name!r} is blank", path=path, line=lines.get(name, offset),
                              hint=f"write the article's {name}")
    for name in fields:
        value = meta.get(name)
        if value is not None and not isinstance(value, str) and not (
                isinstance(value, list) and all(isinstance(item, str) for item in value)):
            raise SourceError(f"{name!r} must be text or a list of texts, to be translated",
                              path=path, line=lines.get(name, offset),
                              hint=f"quote the value, e.g. {name}: [\"immunité\", \"cancer\"]")
    return meta, lines


def _shown(value: object) -> str:
    """A field's value for an error line: short text as written, anything else by its type."""
    if isinstance(value, (str, int, float)) and len(str(value)) <= 60:
        return repr(value)
    return f"of type {type(value).__name__}"
