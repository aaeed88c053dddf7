"""Pseudonymisation at export time: one keyed HMAC for every identifier, in every table.

A person's uid, sec_uid, handle and display name become ``u_…``, ``s_…``, ``h_…``, ``n_…``:
the first 20 hex digits of HMAC-SHA256(key, kind + value). The same key gives the same
pseudonym in every table and every export, so joins still work (``posts.author_uid`` to
``users.uid``, ``follows`` to ``users``); without the key nobody can go back, nor test a guess.
Free text has its ``@mentions`` and the row's own names (an original sound's "original sound -
handle") replaced the same way. Raw JSON and URLs (which embed handles and ids) are left out.
Which column is which comes from the data dictionary (:mod:`._dictionary`, ``role``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError
from ._dictionary import USER_SOURCES, Resource, resource
from ._exports import Export

__all__ = ["ENV_KEY", "MIN_KEY_BYTES", "Pseudonymizer", "load_key"]

#: Where the key comes from when no key file is given.
ENV_KEY = "TOKARC_PSEUDONYM_KEY"

#: A shorter key could be guessed: 16 bytes is 128 bits at the very best.
MIN_KEY_BYTES = 16

_PREFIX = {"user": "u", "sec_uid": "s", "handle": "h", "nickname": "n"}

# A TikTok handle after "@": letters, digits, "_" and "." (2 to 24 of them).
_MENTION = re.compile(r"@([A-Za-z0-9_.]{2,24})")

Row = tuple[Any, ...]


def load_key(key_file: str | os.PathLike[str] | None = None) -> bytes:
    """The pseudonymisation key: the key file's content (stripped), else ``$TOKARC_PSEUDONYM_KEY``.

    ``InvalidInputError`` when there is neither, the file cannot be read, or the key is
    shorter than :data:`MIN_KEY_BYTES` (the message never shows the key).
    """
    if key_file is not None:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise InvalidInputError(
                f"invalid --key-file {os.fspath(key_file)!r}: {exc.strerror or exc}"
            ) from None
        where = f"the key file {os.fspath(key_file)!r}"
    else:
        key = os.environ.get(ENV_KEY, "").strip().encode()
        where = f"${ENV_KEY}"
        if not key:
            raise InvalidInputError(f"--pseudonymize needs a key: --key-file FILE or ${ENV_KEY}")
    if len(key) < MIN_KEY_BYTES:
        raise InvalidInputError(
            f"invalid key in {where}: {len(key)} bytes, at least {MIN_KEY_BYTES} needed "
            "(e.g. `openssl rand -hex 32 > key.txt`)"
        )
    return key


@dataclass(frozen=True)
class Pseudonymizer:
    """Keyed pseudonyms of identifiers, and rows of exports with them (see the module doc).

    Example::

        p = Pseudonymizer(load_key("key.txt"))
        p.pseudonym("handle", "zachking")   # 'h_4f0c…', the same for every export with this key
    """

    key: bytes

    def __repr__(self) -> str:
        return "Pseudonymizer(key=<hidden>)"

    def pseudonym(self, kind: str, value: Any) -> Any:
        """The pseudonym of ``value`` as a ``kind`` (user, sec_uid, handle, nickname); empty
        values stay empty. Handles are case-insensitive, so they are lower-cased first."""
        if value is None or value == "":
            return value
        text = str(value).lstrip("@").lower() if kind == "handle" else str(value)
        digest = hmac.new(self.key, f"{kind}\0{text}".encode(), hashlib.sha256).hexdigest()
        return f"{_PREFIX[kind]}_{digest[:20]}"

    def text(self, value: Any, names: Iterable[tuple[str, str]] = ()) -> Any:
        """``value`` with its @mentions and each of ``names`` ((kind, name) pairs, the row's
        own identifiers) replaced by their pseudonyms."""
        if not value:
            return value
        out = _MENTION.sub(lambda m: "@" + self.pseudonym("handle", m.group(1)), str(value))
        for kind, name in sorted(names, key=lambda n: -len(n[1])):
            if len(name) >= 2:
                pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
                out = re.sub(pattern, self.pseudonym(kind, name), out, flags=re.IGNORECASE)
        return out

    def export(self, spec: Export) -> tuple[Export, Callable[[Sequence[Row]], list[Row]]]:
        """``spec`` as a pseudonymised export (``drop`` columns and raw JSON left out), and the
        function turning a chunk of its rows into pseudonymised rows."""
        described = resource(spec.name)
        keep = [
            i for i, (name, _) in enumerate(spec.columns) if described.field(name).role != "drop"
        ]
        shown = replace(spec, columns=tuple(spec.columns[i] for i in keep), raw_sql=None)
        convert = self.rows_of(described, spec.names)

        def rows(chunk: Sequence[Row]) -> list[Row]:
            return [tuple(r[i] for i in keep) for r in convert(chunk)]

        return shown, rows

    def rows_of(
        self, described: Resource, names: Sequence[str]
    ) -> Callable[[Sequence[Row]], list[Row]]:
        """A function pseudonymising rows with the columns ``names`` of ``described`` (all
        columns kept, ``drop`` ones emptied)."""
        roles = [described.field(n).role for n in names]
        at = {n: i for i, n in enumerate(names)}

        def convert(chunk: Sequence[Row]) -> list[Row]:
            return [self._row(tuple(r), roles, at) for r in chunk]

        return convert

    def _row(self, row: Row, roles: list[str], at: dict[str, int]) -> Row:
        names = [
            (r, str(v))
            for r, v in zip(roles, row, strict=True)
            if v and r in _PREFIX and r != "user"
        ]
        return tuple(
            self._value(row, role, v, names, at) for role, v in zip(roles, row, strict=True)
        )

    def _value(
        self, row: Row, role: str, v: Any, names: list[tuple[str, str]], at: dict[str, int]
    ) -> Any:
        if role in _PREFIX:
            return self.pseudonym(role, v)
        if role == "handles":
            return " ".join(self.pseudonym("handle", h) for h in str(v).split()) if v else v
        if role == "text":
            return self.text(v, names)
        if role == "entity_id":
            return self.pseudonym("user", v) if row[at["entity"]] == "user" else v
        if role == "record_id":  # the media archive: an avatar's record is its user
            return self.pseudonym("user", v) if row[at["kind"]] == "avatar" else v
        if role == "source_target":
            kind = USER_SOURCES.get(str(row[at["source_kind"]]))
            return self.pseudonym(kind, v) if kind else v
        if role == "drop":
            return None
        return v
