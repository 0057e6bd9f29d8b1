"""What the exchange formats share: language codes matched through Babel, XML parsing errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from babel import Locale, UnknownLocaleError
from lxml import etree

from ..errors import LingopressError

T = TypeVar("T")


def parse_locale(code: str | None) -> Locale | None:
    """A language code as CAT tools write it (fr, FR, fr-FR, fr_FR, pt-BR) as a Babel Locale."""
    if not code or not code.strip():
        return None
    try:
        return Locale.parse(code.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def same_language(code: str | None, locale: str) -> bool:
    """Whether a file's language code means the project's `locale`: same language, and the
    same territory and script where both name one (en-US is en, pt-PT is not pt_BR)."""
    found, wanted = parse_locale(code), parse_locale(locale)
    if found is None or wanted is None or found.language != wanted.language:
        return False
    return all(a is None or b is None or a == b for a, b in ((found.territory, wanted.territory),
                                                             (found.script, wanted.script)))


def match_locale(code: str | None, locales: Iterable[str]) -> str | None:
    """The project locale a file's language code stands for, an exact match first."""
    candidates = list(locales)
    wanted = parse_locale(code)
    if wanted is not None:
        for locale in candidates:
            if parse_locale(locale) == wanted:
                return locale
    return next((locale for locale in candidates if same_language(code, locale)), None)


def language_tag(locale: str) -> str:
    """A project locale (pt_BR) as the BCP 47 tag XML formats expect (pt-BR)."""
    return locale.replace("_", "-")


def tmx_date(moment: datetime) -> str:
    """TMX's and XLIFF's date form: YYYYMMDDThhmmssZ, in UTC."""
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def po_date(value: str | None) -> datetime | None:
    """A PO header date (2026-11-27 09:26+0000); None when missing or a placeholder."""
    try:
        return datetime.strptime((value or "").strip(), "%Y-%m-%d %H:%M%z")
    except ValueError:
        return None


def parse_store(parse: Callable[[bytes], T], data: bytes, path: Path | str, *, kind: str,
                error: type[LingopressError], root: str) -> T:
    """Parse `data` with a translate-toolkit store class; malformed XML or a document of
    another kind is one error naming the file and the line."""
    try:
        parsed = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as err:
        line = err.position[0] if err.position else None
        raise error(f"not well-formed XML: {err.msg}", path=path, line=line,
                    hint=f"export the file again from the CAT tool as {kind}") from None
    found = etree.QName(parsed).localname
    if found != root:
        raise error(f"not a {kind} file: its root element is <{found}>, not <{root}>", path=path,
                    line=parsed.sourceline, hint=f"export it from the CAT tool as {kind}")
    try:
        return parse(data)
    except (ValueError, AssertionError, StopIteration, etree.LxmlError) as err:
        raise error(f"cannot read it as {kind}: {err}", path=path,
                    hint=f"export the file again from the CAT tool as {kind}") from None
