"""Text from the API (or a user) shown as data, never as commands to the terminal.

Captions, nicknames, keywords and error details can hold rich markup (``[link=...]``), ANSI
escapes, OSC-8 hyperlinks, other control characters and bidirectional marks that reorder what
follows. :func:`safe` spells those characters out (``\\x1b``, ``\\u202e``); :func:`cell` also
keeps rich from reading markup, for tables and anything rich prints.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text

# C0 controls, DEL, C1 controls, and the bidirectional formatting characters (marks, embeddings,
# overrides, isolates) that can make text display in an order other than its own.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(value: Any) -> str:
    """``value`` as text with control and bidi characters written out as escapes."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(value))


def cell(value: Any) -> Text:
    """``value`` for rich (a table cell): literal text, no markup, nothing raw."""
    return Text("" if value is None else safe(value))


def title(value: Any) -> Text:
    """A table's title, as :func:`cell`, on one line however narrow the table."""
    return Text(safe(value), no_wrap=True, overflow="ignore")
