"""Making any string storable on both backends, and raw JSON faithful.

PostgreSQL rejects NUL (``\\x00``) in ``text`` and both backends reject lone surrogates (they
are not UTF-8). Text columns drop NULs and replace lone surrogates with U+FFFD; raw JSON is
encoded so that both come out as JSON escapes (``\\u0000``, ``\\ud800``): faithful, and plain
ASCII text to the database.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import msgspec

_encode = msgspec.json.Encoder().encode


def clean(value: str | None) -> str | None:
    """``value`` without NULs and with lone surrogates replaced (``None`` stays ``None``)."""
    if value is None or (value.isascii() and "\x00" not in value):
        return value
    value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # UTF-16 turns a surrogate pair into its character and a lone one into one U+FFFD.
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return value


def raw_json(value: Any) -> str:
    """``value`` as JSON text, lone surrogates and NULs kept as ``\\u`` escapes.

    Bytes are JSON text already (an item that would not decode keeps the bytes it came as).
    """
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace").replace("\x00", "")
    try:
        return _encode(value).decode()
    except UnicodeEncodeError:  # a lone surrogate: the stdlib escapes it
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    except TypeError:  # not JSON-able (a caller's object): keep what we can say of it
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"), default=repr)


def record_json(record: Any) -> str:
    """A record's raw JSON as text: the bytes it arrived as, when it came from the wire.

    JSON escapes NULs and lone surrogates, so the text is storable on both backends as is.
    """
    return json_text(record.raw_json)


def json_text(data: bytes | memoryview) -> str:
    """JSON bytes as they arrived, as text (JSON escapes NULs and lone surrogates)."""
    text = str(bytes(data).decode("utf-8", "replace"))
    return text.replace("\x00", "") if "\x00" in text else text


# What, in JSON text, decodes to a NUL or a surrogate: the only strings ``clean`` changes.
_UNSAFE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def _same(value: str | None) -> str | None:
    return value


def cleaner(record: Any) -> Callable[[str | None], str | None]:
    """:func:`clean`, or nothing for a record decoded from wire bytes that cannot hold a NUL
    or a lone surrogate (no ``\\u0000`` or ``\\udXXX`` escape in them): the hot path's
    thirty calls a post."""
    raw = getattr(record, "_raw", None)
    if isinstance(raw, msgspec.Raw) and not _UNSAFE.search(memoryview(raw)):
        return _same
    return clean


def clean_json(value: Any) -> str:
    """``value`` as JSON text fit for a ``jsonb`` column: no NULs, no lone surrogates."""
    return raw_json(_scrub(value))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def timestamp(at: dt.datetime | float | None = None) -> str:
    """``at`` (a datetime or unix seconds; default: now) as UTC ISO 8601 text, e.g.
    ``2026-11-25T10:56:35.000001+00:00``.

    All stored times use this one format, so they sort as text and parse anywhere.
    """
    if isinstance(at, int | float):
        at = dt.datetime.fromtimestamp(at, dt.UTC)
    at = at or dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")
