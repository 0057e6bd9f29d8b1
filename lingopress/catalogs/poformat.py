"""Write a polib catalog the way GNU gettext (msgcat, msgmerge, Poedit) lays it out.

polib wraps differently from GNU gettext (it uses textwrap, wraps comments, breaks long
words and orders the header its own way), so a translator's file saved by a gettext tool
would come back with every long line moved: churn in their git history. The line
breaks come from libunistring, the library GNU gettext itself calls (translate-toolkit's
gettext_wrap, the fallback, differs after «, a no-break space, `.` before a letter, …);
no Python library reproduces GNU's layout around them (write-po.c), written here: when
a string starts on the keyword's line, the 79-column file-position lines, which comments
and flags go where. tests/test_poformat.py compares the output byte for byte with real
`msgcat`. Known difference: polib drops `#~|` (previous msgid of an obsolete entry) when
reading, so a catalog lingopress changes loses those lines.

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

import ctypes
import ctypes.util
import re
from collections.abc import Callable

import polib
from unicode_segmentation_rs import gettext_wrap

PAGE_WIDTH = 79  # GNU's default --width
_UNLIMITED = 1 << 30
# Only "\n" ends a portion (str.splitlines would also split at \r, \v, \x1c, U+2028…).
_PORTION = re.compile(r"[^\n]*\n|[^\n]+")


def render_po(po: polib.POFile) -> str:
    """The whole catalog as text: header, live entries, then obsolete ones, as msgcat orders them."""
    blocks = []
    if po.header or po.metadata or po.metadata_is_fuzzy:
        blocks.append(_header_block(po))
    blocks += [_entry_block(entry) for entry in po if not entry.obsolete]
    # GNU drops obsolete entries without a translation: nothing in them is worth keeping.
    blocks += [_entry_block(entry) for entry in po if entry.obsolete and _first_msgstr(entry)]
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
    # GNU stores fuzzy apart from the other flags, prints it first, and drops it where the
    # (first) msgstr is empty: there is no translation to doubt.
    fuzzy = "fuzzy" in entry.flags and bool(_first_msgstr(entry))
    flags = ["fuzzy"] * fuzzy + [flag for flag in entry.flags if flag != "fuzzy"]
    if flags:
        lines.append("#, " + ", ".join(flags))
    wrap = "no-wrap" not in entry.flags
    previous = "#~| " if entry.obsolete else "#| "
    for name in ("msgctxt", "msgid", "msgid_plural"):
        value = getattr(entry, f"previous_{name}")
        if value:
            lines += _field(name, value, previous, wrap)
    if entry.msgctxt is not None:
        lines += _field("msgctxt", entry.msgctxt, prefix, wrap)
    lines += _field("msgid", entry.msgid, prefix, wrap)
    if entry.msgid_plural:
        lines += _field("msgid_plural", entry.msgid_plural, prefix, wrap)
        forms = entry.msgstr_plural or {0: ""}
        for index in sorted(forms, key=int):
            lines += _field(f"msgstr[{index}]", forms[index], prefix, wrap)
    else:
        lines += _field("msgstr", entry.msgstr, prefix, wrap)
    return lines


def _first_msgstr(entry: polib.POEntry) -> str:
    if entry.msgid_plural:
        forms = entry.msgstr_plural or {}
        return forms.get(0, forms.get("0", ""))
    return entry.msgstr


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


def _field(keyword: str, value: str, prefix: str = "", wrap: bool = True) -> list[str]:
    """A keyword and its string, wrapped as write-po.c's wrap() does.

    The text is cut into portions after each newline. The string stays on the keyword's
    line when it is one portion and has no place to break there (it fits, or is one
    unbreakable word); otherwise the keyword gets `""` and each portion follows on lines
    of at most PAGE_WIDTH columns, broken where Unicode line breaking allows (never inside
    an escape sequence; only after newlines for a `no-wrap` entry).
    """
    # polib.escape does not escape \a; polib's reader would not unescape it either, so a
    # raw BEL round-trips where GNU's `\a` would not.
    portions = [_escaped(part) for part in _PORTION.findall(value)] or [("", b"")]
    width = (PAGE_WIDTH - 2 - len(prefix)) if wrap else _UNLIMITED  # quotes take two columns
    if len(portions) == 1:
        text, prohibited = portions[0]
        pieces = _break(text, prohibited, width, start_column=len(keyword) + 1)
        if len(pieces) == 1:
            return [f'{prefix}{keyword} "{text}"']
    lines = [f'{prefix}{keyword} ""']
    for text, prohibited in portions:
        lines += [f'{prefix}"{piece}"' for piece in _break(text, prohibited, width, start_column=0)]
    return lines


def _escaped(portion: str) -> tuple[str, bytes]:
    """The portion escaped, and for each of its UTF-8 bytes whether a break before it is
    forbidden: inside an escape sequence, and before the newline that ends the portion."""
    text = polib.escape(portion)
    flags = bytearray(len(text.encode("utf-8")))
    position, previous_was_backslash = 0, False
    for char in text:
        size = len(char.encode("utf-8"))
        if previous_was_backslash:
            flags[position] = _UC_BREAK_PROHIBITED
            previous_was_backslash = False
        elif char == "\\":
            previous_was_backslash = True
        position += size
    if portion.endswith("\n") and len(flags) >= 2:
        flags[-2] = _UC_BREAK_PROHIBITED
    return text, bytes(flags)


def _break(text: str, prohibited: bytes, width: int, *, start_column: int) -> list[str]:
    if not text:
        return [text]
    if _LINEBREAKS is None:
        return gettext_wrap(text, width - start_column) or [text]
    data = text.encode("utf-8")
    breaks = ctypes.create_string_buffer(len(data))
    _LINEBREAKS(data, len(data), width, start_column, 0, prohibited, b"UTF-8", breaks)
    cuts = [0] + [i for i, kind in enumerate(breaks.raw) if kind == _UC_BREAK_POSSIBLE] + [len(data)]
    return [data[a:b].decode("utf-8") for a, b in zip(cuts, cuts[1:]) if b > a]


def _load_linebreaks() -> Callable[..., int] | None:
    """libunistring's line breaker, the one GNU gettext's write-po.c calls.

    Unicode line breaking has many rules and each implementation reads them a little
    differently (after « or a no-break space, between . and a letter, …); only GNU's own
    breaker reproduces msgcat byte for byte. Where the system lacks libunistring,
    unicode-segmentation-rs's gettext_wrap is a close approximation.
    """
    name = ctypes.util.find_library("unistring")
    if name is None:
        return None
    try:
        library = ctypes.CDLL(name)
    except OSError:
        return None
    function = getattr(library, "ulc_width_linebreaks_v2", None) or getattr(library, "ulc_width_linebreaks", None)
    if function is None:
        return None
    function.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                         ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]
    function.restype = None
    return function


_UC_BREAK_PROHIBITED = 1
_UC_BREAK_POSSIBLE = 2
_LINEBREAKS = _load_linebreaks()
