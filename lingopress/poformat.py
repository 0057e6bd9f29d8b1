"""Write a polib catalog the way GNU gettext (msgcat, msgmerge, Poedit) lays it out.

polib wraps differently from GNU gettext (it uses textwrap, wraps comments, breaks long
words and orders the header its own way), so a translator's file saved by a gettext tool
would come back with every long line moved: churn in their git history. The line
breaking itself is `gettext_wrap` from unicode-segmentation-rs (the breaker
translate-toolkit uses for its gettext-compatible output); what it does not cover, and
what is written here, is GNU's layout around it (write-po.c): when a string starts on
the keyword's line, the 79-column file-position lines, and which comments go where.
tests/test_poformat.py compares the output byte for byte with real `msgcat`.

>>> import polib
>>> po = polib.POFile(); po.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8"}
>>> po.append(polib.POEntry(msgid="Bonjour", msgstr="Hello", occurrences=[("a.md", "3")]))
>>> print(render_po(po), end="")
msgid ""
msgstr ""
"Language: en\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
<BLANKLINE>
#: a.md:3
msgid "Bonjour"
msgstr "Hello"
"""

from __future__ import annotations

import re

import polib
from unicode_segmentation_rs import gettext_wrap

PAGE_WIDTH = 79  # GNU's default --width
# Only "\n" ends a portion (str.splitlines would also split at \r, \v, \x1c, U+2028…).
_PORTION = re.compile(r"[^\n]*\n|[^\n]+")


def render_po(po: polib.POFile) -> str:
    """The whole catalog as text: header, live entries, then obsolete ones, as msgcat orders them."""
    blocks = []
    if po.header or po.metadata or po.metadata_is_fuzzy:
        blocks.append(_header_block(po))
    live = [entry for entry in po if not entry.obsolete]
    blocks += [_entry_block(entry) for entry in live]
    blocks += [_entry_block(entry) for entry in po if entry.obsolete]
    return "\n".join("".join(f"{line}\n" for line in block) for block in blocks)


def _header_block(po: polib.POFile) -> list[str]:
    lines = _comment_lines("#", po.header)
    if po.metadata_is_fuzzy:
        lines.append("#, fuzzy")
    # Header fields in the order they were read (msgcat keeps it), not polib's own order.
    text = "".join(f"{key}: {value}\n" for key, value in po.metadata.items())
    return lines + _field("msgid", "") + _field("msgstr", text)


def _entry_block(entry: polib.POEntry) -> list[str]:
    lines = _comment_lines("#", entry.tcomment) + _comment_lines("#.", entry.comment)
    prefix = "#~ " if entry.obsolete else ""
    if not entry.obsolete:
        lines += _filepos_lines(entry.occurrences)
    if entry.flags:
        # GNU stores fuzzy apart from the format flags and always prints it first.
        flags = ["fuzzy"] * ("fuzzy" in entry.flags) + [f for f in entry.flags if f != "fuzzy"]
        lines.append("#, " + ", ".join(flags))
    previous = "#~| " if entry.obsolete else "#| "
    for name in ("msgctxt", "msgid", "msgid_plural"):
        value = getattr(entry, f"previous_{name}")
        if value:
            lines += _field(name, value, previous)
    if entry.msgctxt is not None:
        lines += _field("msgctxt", entry.msgctxt, prefix)
    lines += _field("msgid", entry.msgid, prefix)
    if entry.msgid_plural:
        lines += _field("msgid_plural", entry.msgid_plural, prefix)
        forms = entry.msgstr_plural or {0: ""}
        for index in sorted(forms, key=int):
            lines += _field(f"msgstr[{index}]", forms[index], prefix)
    else:
        lines += _field("msgstr", entry.msgstr, prefix)
    return lines


def _comment_lines(mark: str, text: str | None) -> list[str]:
    if not text:
        return []
    return [f"{mark} {line}" if line else mark for line in text.split("\n")]


def _filepos_lines(occurrences: list[tuple[str, str]]) -> list[str]:
    """`#:` references packed up to the page width, as write-po.c does (never split one)."""
    lines: list[str] = []
    current = "#:"
    for path, line in occurrences:
        reference = f" {path}:{line}" if line else f" {path}"
        if current != "#:" and len(current) + len(reference) > PAGE_WIDTH:
            lines.append(current)
            current = "#:"
        current += reference
    if current != "#:":
        lines.append(current)
    return lines


def _field(keyword: str, value: str, prefix: str = "") -> list[str]:
    """A keyword and its string, wrapped as write-po.c's wrap() does.

    The string stays on the keyword's line when it is one line of text (no newline
    before its end) and either fits there or has no place to break; otherwise the
    keyword gets `""` and the text follows on lines of at most PAGE_WIDTH columns,
    broken after each newline and where Unicode line breaking allows.
    """
    # polib.escape does not escape \a; polib's reader would not unescape it either, so a
    # raw BEL round-trips where GNU's `\a` would not.
    portions = [polib.escape(part) for part in _PORTION.findall(value)] or [""]
    width = PAGE_WIDTH - 2 - len(prefix)  # room for the two quotes
    if len(portions) == 1 and len(gettext_wrap(portions[0], width - len(keyword) - 1) or [""]) == 1:
        return [f'{prefix}{keyword} "{portions[0]}"']
    lines = [f'{prefix}{keyword} ""']
    for portion in portions:
        lines += [f'{prefix}"{piece}"' for piece in gettext_wrap(portion, width)]
    return lines
