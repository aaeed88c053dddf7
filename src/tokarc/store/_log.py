"""The page log: each response body kept once, compressed, exactly as received.

A page saved with its ``body`` (what a collection always does) keeps the response bytes in its
``pages`` row, zstd-compressed, in the transaction that writes its records and its job's
checkpoint. The records' rows then hold no copy of their JSON: ``raw`` is ``''`` and ``raw_page``
names the page whose body has it. A record saved without a body (a caller's own records, a
database from before the log) keeps its JSON in ``raw`` as before. See ``docs/store.md``.

This module reads the log back: a page's body, one of its items by position, or the JSON of a
record (a post, or the author or sound a post embeds) by its id, decoded with the same decoders
the collection used.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import msgspec
import zstandard

from ..api import endpoints as E
from ..client import Response
from ..client.pagination import decode_page, json_items
from ..models import Record, Undecodable
from ._plan import Plan, plan
from ._text import json_text

#: The codec of ``pages.body``: zstd frames (level :data:`LEVEL`), with their content size.
CODEC = "zstd"
LEVEL = 1  # measured on emulator pages: smaller than 3 (843 vs 929 B a post) and faster

#: Pages that hold no response but the JSON of records saved before the page log (see
#: ``_legacy``): their body maps each entity to its records' ids and JSON.
RECORDS_ENDPOINT = "tokarc:records"
RECORDS_CODEC = "zstd+records"

# A zstd context is not safe to share between threads (concurrent watches, a worker's jobs
# compress at once): each thread has its own, made once.
_contexts = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    if (found := getattr(_contexts, "compressor", None)) is None:
        found = _contexts.compressor = zstandard.ZstdCompressor(
            level=LEVEL, write_content_size=True
        )
    return found


def _decompressor() -> zstandard.ZstdDecompressor:
    if (found := getattr(_contexts, "decompressor", None)) is None:
        found = zstandard.ZstdDecompressor()
        _contexts.decompressor = found
    return found


_records_body = msgspec.json.Decoder(dict[str, dict[str, msgspec.Raw]])

#: The entities a record's raw JSON can be asked for, and the plan maps holding them (an
#: entity a page lists comes before one its posts embed: the listed JSON is the fuller).
_PLACES: dict[str, tuple[str, ...]] = {
    "post": ("posts",),
    "user": ("users", "embedded_users"),
    "music": ("music", "embedded_music"),
    "comment": ("comments",),
    "live": ("lives",),
}


def pack(body: bytes) -> bytes:
    """``body`` as stored: one zstd frame."""
    return _compressor().compress(body)


def unpack(blob: bytes | memoryview) -> bytes:
    """The bytes :func:`pack` was given."""
    return _decompressor().decompress(bytes(blob))


def endpoint_of(name: str) -> E.Endpoint | None:
    """The endpoint a page row names (by name or by path), or None for an unknown one."""
    return E.BY_NAME.get(name) or E.BY_PATH.get(name)


@dataclass
class LoggedPage:
    """A logged page, read back: its endpoint, its body, and (when first asked) its records."""

    endpoint: str
    body: bytes
    _plan: Plan | None = field(default=None, repr=False)
    _decoded_: tuple[list[Record], list[Undecodable]] | None = field(default=None, repr=False)

    def response(self) -> Response:
        api = endpoint_of(self.endpoint)
        top = bool(api and api.top_level)
        return Response(200, 0, self.endpoint, {}, self.body, top)

    def records(self) -> list[Record]:
        """The page's records, decoded as the collection decoded them (none for an unknown
        endpoint)."""
        return self._decoded()[0]

    def undecodable(self) -> list[Undecodable]:
        """The page's items the models could not use."""
        return self._decoded()[1]

    def _decoded(self) -> tuple[list[Record], list[Undecodable]]:
        if self._decoded_ is None:
            api = endpoint_of(self.endpoint)
            records, bad, _ = decode_page(api, self.response()) if api else ([], [], 0)
            self._decoded_ = (records, bad)
        return self._decoded_

    def item(self, index: int) -> bytes | None:
        """The JSON of the page's item at ``index`` (0 first), unwrapped as the collection
        read it; None when there is none."""
        api = endpoint_of(self.endpoint)
        if api is None or index < 0:
            return None
        try:
            items = json_items(api, self.response())
        except msgspec.DecodeError:
            return None
        return bytes(items[index]) if index < len(items) else None

    def any_record_json(self, key: str) -> bytes | None:
        """The JSON of the record ``key`` on this page, of whichever entity has that id."""
        for entity in _PLACES:
            if (found := self.record_json(entity, key)) is not None:
                return found
        return None

    def record_json(self, entity: str, key: str) -> bytes | None:
        """The JSON of the ``entity`` record ``key`` on this page (a post's embedded author or
        sound included), as it arrived; None when the page has none."""
        if self.endpoint == RECORDS_ENDPOINT:
            found = _records_body.decode(self.body).get(entity, {}).get(key)
            return None if found is None else bytes(found)
        if self._plan is None:
            self._plan = plan(self.records())
        for place in _PLACES.get(entity, ()):
            found = getattr(self._plan, place).get(key)
            if found is not None:
                return bytes(found.raw_json)
        return None


class PageCache:
    """The last pages read, decompressed, by id: a reader walking rows that point into the log
    (an export) reads each page once, not once per row."""

    def __init__(self, fetch: Any, size: int = 64) -> None:
        self._fetch = fetch  # page id -> (endpoint, compressed body) or None
        self._pages: OrderedDict[int, LoggedPage | None] = OrderedDict()
        self._size = size

    def get(self, page_id: int) -> LoggedPage | None:
        if page_id in self._pages:
            self._pages.move_to_end(page_id)
            return self._pages[page_id]
        found = self._fetch(page_id)
        page = None if found is None else LoggedPage(str(found[0]), unpack(found[1]))
        self._pages[page_id] = page
        if len(self._pages) > self._size:
            self._pages.popitem(last=False)
        return page


class RawReader(PageCache):
    """Records' JSON from their rows: the row's own ``raw`` when it holds the JSON, else the
    record as the body of its ``raw_page`` has it (pages read once each, see
    :class:`PageCache`)."""

    def json(self, entity: str, key: object, raw: object, page_id: object) -> bytes | None:
        """The JSON of the ``entity`` record ``key``, from its row's ``raw`` and
        ``raw_page``; None when neither has it."""
        if isinstance(raw, str) and raw:
            return raw.encode()
        if isinstance(raw, bytes | memoryview) and raw:
            return bytes(raw)
        if not isinstance(page_id, int):
            return None
        page = self.get(page_id)
        return None if page is None else page.record_json(entity, str(key))

    def text(self, entity: str, key: object, raw: object, page_id: object) -> str | None:
        """:meth:`json` as text (JSON escapes what a text column could not hold)."""
        found = self.json(entity, key, raw, page_id)
        return None if found is None else json_text(found)


def add_sql_function(conn: sqlite3.Connection) -> None:
    """Register ``tokarc_raw`` on a SQLite connection (``tokarc sql``, ``tokarc browse``):

    - ``tokarc_raw(page_id)``: the page's response body, as received;
    - ``tokarc_raw(page_id, n)``: its item at position ``n`` (0 first);
    - ``tokarc_raw(page_id, 'id')``: the record with that id on the page (a post, or the author
      or sound a post embeds): ``tokarc_raw(raw_page, aweme_id)`` is a post's JSON.

    NULL where there is none, so ``json_extract(tokarc_raw(p.raw_page, p.aweme_id), '$.x')``
    works over a table.
    """

    def fetch(page_id: int) -> tuple[str, bytes] | None:
        sql = "SELECT endpoint, body FROM pages WHERE id = ? AND body IS NOT NULL"
        row = conn.execute(sql, (page_id,)).fetchone()
        return None if row is None else (str(row[0]), bytes(row[1]))

    cache = PageCache(fetch, size=16)

    def tokarc_raw(page_id: object, key: object = None) -> str | None:
        page = cache.get(page_id) if isinstance(page_id, int) else None
        if page is None:
            return None
        if key is None:
            found: bytes | None = page.body
        elif isinstance(key, int):
            found = page.item(key)
        else:
            found = page.any_record_json(str(key))
        return None if found is None else found.decode("utf-8", "replace")

    conn.create_function("tokarc_raw", 1, tokarc_raw, deterministic=True)
    conn.create_function("tokarc_raw", 2, tokarc_raw, deterministic=True)
