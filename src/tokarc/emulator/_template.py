"""Byte templates: a JSON shape encoded once, with holes filled in per entity.

A shape is built once by the same function that defines it, with *holes* in place of the
values: :func:`text` inside a JSON string (``"https://…/@" + text("unique_id")``), :func:`raw`
for a whole value (a number, ``true``, a list, an already-encoded object). Encoding that shape
gives the constant bytes; :meth:`Template.fill` puts each entity's values in with one
``bytes % mapping``. The result is byte-for-byte what encoding the filled-in shape would give,
provided ``text`` values are JSON-escaped (:func:`esc`) and ``raw`` values are encoded JSON
(:func:`enc`); ``tests/emulator/test_golden_bytes.py`` checks it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import msgspec

_encode = msgspec.json.Encoder().encode
_HOLE = re.compile(rb"@@([a-z_0-9]+)@@")


# Derived holes: a value computed at fill time from other holes (a media URL's signature of
# its filled-in path). Registered while shapes are built, at import.
_DERIVED: dict[str, tuple[str, Callable[[bytes], bytes]]] = {}


def has_holes(value: str) -> bool:
    """Whether ``value`` holds a hole."""
    return _HOLE.search(value.encode()) is not None


def derived(source: str, compute: Callable[[bytes], bytes]) -> str:
    """A hole filled with ``compute(source)``, ``source`` (text with holes, as UTF-8 bytes)
    filled in first."""
    name = f"derived_{len(_DERIVED)}"
    _DERIVED[name] = (source, compute)
    return text(name)


def text(name: str) -> str:
    """A hole inside a JSON string; fill it with :func:`esc` of the text."""
    return f"@@{name}@@"


def raw(name: str) -> msgspec.Raw:
    """A hole for a whole JSON value; fill it with :func:`enc` of the value (or bytes)."""
    return msgspec.Raw(b"@@%b@@" % name.encode())


def enc(value: Any) -> bytes:
    """``value`` as JSON."""
    return _encode(value)


def esc(value: str) -> bytes:
    """``value`` JSON-escaped, without its quotes (for a :func:`text` hole)."""
    return _encode(value)[1:-1]


class Template:
    """The bytes of a shape with holes, cut at ``cuts`` (raw holes left for the caller)."""

    def __init__(self, shape: Any, cuts: tuple[str, ...] = ()) -> None:
        encoded = _encode(shape).replace(b"%", b"%%")
        for name in cuts:
            encoded = encoded.replace(b"@@%b@@" % name.encode(), b"\x00")
        self.names = frozenset(n.decode() for n in _HOLE.findall(encoded))
        self.parts = tuple(_HOLE.sub(rb"%(\1)b", part) for part in encoded.split(b"\x00"))
        self.derived = tuple(
            (name.encode(), _HOLE.sub(rb"%(\1)b", source.encode().replace(b"%", b"%%")), compute)
            for name, (source, compute) in _DERIVED.items()
            if name in self.names
        )

    def fill(self, values: dict[bytes, bytes]) -> tuple[bytes, ...]:
        """The parts (one more than the cuts) with every hole filled from ``values``
        (derived holes are added to it)."""
        for name, source, compute in self.derived:
            values[name] = compute(source % values)
        return tuple(part % values for part in self.parts)
