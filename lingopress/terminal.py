"""Terminal output where text from files and servers is shown as text, never interpreted.

Slugs, translations, PO lines and HTTP reason phrases are untrusted: through a default rich
console `[/i]` raises MarkupError, `:x:` becomes an emoji and an ESC byte drives the
terminal. Both consoles here parse neither markup nor emoji codes; styling only ever comes
from our own `Text` spans, and every data string passes through `visible` first.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

# C0 controls other than tab and newline, DEL and C1 controls (CSI, OSC...): shown as
# escapes so that a file cannot move the cursor, retitle the window or hide a line.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

stdout = Console(markup=False, emoji=False, highlight=False)
stderr = Console(stderr=True, markup=False, emoji=False, highlight=False)


def visible(value: object) -> str:
    """`value` as a string whose control characters are written out (\\x1b), not sent."""
    return _CONTROLS.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), str(value))


def text(value: object, style: str = "") -> Text:
    """A table cell or message part holding data: printed verbatim, optionally styled."""
    return Text(visible(value), style=style)


def say(message: object) -> None:
    """One line of information on stdout, never wrapped (paths stay copyable)."""
    stdout.print(text(message), soft_wrap=True)


def error_line(message: object) -> None:
    """The `error: ...` line users and scripts look for on stderr."""
    stderr.print(Text.assemble(("error:", "bold red"), " ", text(message)), soft_wrap=True)
