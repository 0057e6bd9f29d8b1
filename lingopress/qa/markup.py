"""Markup, code, links, contacts and MT debris: what must come through a translation unchanged."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

import phonenumbers
from translate.filters import decoration
from translate.filters.checks.tags import tag_re

from .base import Context, Inline

_ARTIFACTS = {"⁇": "⁇", "<unk>": "<unk>", "▁": "▁ (SentencePiece marker)"}
_APERTIUM_UNKNOWN = re.compile(r"(?<![\w*\\])\*(?=\w)")


def _found(kind: str, source: Counter, target: Counter) -> list[str]:
    missing, extra = source - target, target - source
    found = ", ".join(extra)
    messages = [f"{kind} {item} missing in translation" + (f" (found {found})" if found else "")
                for item in missing]
    if not missing:
        messages += [f"{kind} {item} in the translation is not in the source" for item in extra]
    return messages


def _clean(items: Iterable[str]) -> Counter:
    # translate-toolkit's finders include sentence punctuation that follows an address.
    return Counter(item.rstrip(".,;:!?)") for item in items)


def check_urls(source: Inline, target: Inline, ctx: Context) -> list[str]:
    return _found("URL", _clean(decoration.geturls(source.text)), _clean(decoration.geturls(target.text)))


def check_emails(source: Inline, target: Inline, ctx: Context) -> list[str]:
    return _found("e-mail address", _clean(decoration.getemails(source.text)),
                  _clean(decoration.getemails(target.text)))


def _phones(text: str) -> dict[str, list[str]]:
    """Phone numbers by their E.164 form (so `01 45…` and `+33 1 45…` are the same), as written."""
    found: dict[str, list[str]] = {}
    for match in phonenumbers.PhoneNumberMatcher(text, "FR"):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        found.setdefault(e164, []).append(match.raw_string)
    return found


def check_phones(source: Inline, target: Inline, ctx: Context) -> list[str]:
    src, tgt = _phones(source.text), _phones(target.text)
    src_count = Counter({number: len(written) for number, written in src.items()})
    tgt_count = Counter({number: len(written) for number, written in tgt.items()})
    missing, extra = src_count - tgt_count, tgt_count - src_count
    found = ", ".join(tgt[number][0] for number in extra)
    messages = [f"phone number {src[number][0]} missing or changed in translation"
                + (f" (found {found})" if found else "") for number in missing]
    if not missing:
        messages += [f"phone number {tgt[number][0]} in the translation is not in the source" for number in extra]
    return messages


def check_markup(source: Inline, target: Inline, ctx: Context) -> list[str]:
    messages = []
    for kind in sorted(set(source.structure) | set(target.structure)):
        if source.structure[kind] != target.structure[kind]:
            messages.append(f"{kind}: {source.structure[kind]} in the source, "
                            f"{target.structure[kind]} in the translation")
    missing, extra = source.targets - target.targets, target.targets - source.targets
    for item in missing:
        kind, _, where = item.partition(" ")
        changed = [e.partition(" ")[2] for e in extra if e.startswith(kind + " ")]
        messages.append(f"{kind} target {where} changed" + (f" to {changed[0]}" if changed else " or missing"))
    if not missing:
        messages += [f"{item.partition(' ')[0]} target {item.partition(' ')[2]} is not in the source"
                     for item in extra]
    return messages


def check_code(source: Inline, target: Inline, ctx: Context) -> list[str]:
    return _found("code span", Counter({f"`{k}`": v for k, v in source.code.items()}),
                  Counter({f"`{k}`": v for k, v in target.code.items()}))


def check_artifacts(source: Inline, target: Inline, ctx: Context) -> list[str]:
    messages = [f"machine-translation artifact {label} left in the translation"
                for marker, label in _ARTIFACTS.items()
                if target.raw.count(marker) > source.raw.count(marker)]
    if len(_APERTIUM_UNKNOWN.findall(target.text)) > len(_APERTIUM_UNKNOWN.findall(source.text)):
        words = [m.group(0) for m in re.finditer(r"(?<![\w*\\])\*\w+", target.text)]
        messages.append(f"Apertium unknown-word mark left in the translation ({', '.join(words)})")
    return messages


def check_raw_html(source: Inline, target: Inline, ctx: Context) -> list[str]:
    failure = ctx.run_ttk("xmltags", source.text, target.text)
    if failure is None:
        return []
    extra = Counter(tag_re.findall(target.text)) - Counter(tag_re.findall(source.text))
    tags = ", ".join(extra) or failure
    return [f"raw HTML in the translation that is not in the source: {tags}"]


def check_brackets(source: Inline, target: Inline, ctx: Context) -> list[str]:
    failure = ctx.run_ttk("brackets", source.text, target.text)
    return [f"brackets differ from the source: {failure}"] if failure else []


def check_doublewords(source: Inline, target: Inline, ctx: Context) -> list[str]:
    failure = ctx.run_ttk("doublewords", source.text, target.text)
    return [failure] if failure else []


# Length ratios outside these bounds are outliers (fr→en/es/de/ar prose lies well inside).
# translate-toolkit's short/long checks only fire at 10×, which misses a truncated MT draft.
LENGTH_BOUNDS = (0.5, 2.0)
MIN_LENGTH_CHARS = 20


def check_length(source: Inline, target: Inline, ctx: Context) -> list[str]:
    src, tgt = len(source.text.strip()), len(target.text.strip())
    if src < MIN_LENGTH_CHARS or not tgt:
        return []
    ratio = tgt / src
    low, high = LENGTH_BOUNDS
    if low <= ratio <= high:
        return []
    return [f"translation is {ratio:.1f}× the length of the source (expected {low}–{high}×)"]



# Characters a reader cannot see or that break the page: C0/C1 controls (a NUL reaches the
# <title>), and text made only of format/space characters (zero-width spaces look approved).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc", "Mn"})


def check_control_chars(source: Inline, target: Inline, ctx: Context) -> list[str]:
    messages = []
    for name, char in (("tab", "\t"), ("line break", "\n")):
        if char in target.raw and char not in source.raw:
            messages.append(f"{name} in the translation that the source does not have")
    controls = sorted({f"U+{ord(ch):04X}" for ch in _CONTROL.findall(target.raw)} - 
                      {f"U+{ord(ch):04X}" for ch in _CONTROL.findall(source.raw)})
    if controls:
        messages.append(f"control character {', '.join(controls)} in the translation (remove it)")
    if target.raw and all(unicodedata.category(ch) in _INVISIBLE for ch in target.raw):
        messages.append("the translation has no visible character (only spaces or invisible "
                        "characters): write the translation or leave it empty")
    return messages
