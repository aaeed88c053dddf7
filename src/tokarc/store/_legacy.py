"""Databases from before the page log: their records' JSON moved into it, once.

A database collected by an older tokarc keeps each record's JSON in its row (``raw``), and its
pages have no body: what was received is not kept beyond that. :func:`migrate` moves the JSON of
those rows into the log, compressed: pages of their own (endpoint ``tokarc:records``, codec
``zstd+records``), whose body maps each entity's ids to the JSON its row held, byte for byte; each
row then keeps ``raw = ''`` and points to its page, as a record collected now does. Reading a
record (``Store.raw``, exports, ``tokarc_raw``) gives the same bytes before and after.

Each batch of rows is moved in a transaction of its own and checked before it commits (every
row's JSON read back from its new page equals what the row held), so an interrupted migration
resumes where it stopped, and a second run finds nothing to move. These pages are not responses:
``export --raw`` and ``rebuild`` leave them out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec

from .._version import __version__
from ..errors import ReadOnlyStoreError, TokarcError
from ._log import RECORDS_CODEC, RECORDS_ENDPOINT, pack
from ._schema import RAW_TABLES
from ._sql import TABLES
from ._text import timestamp

if TYPE_CHECKING:
    from ._store import Store

#: Rows moved per transaction (one page of the log each).
BATCH = 500

_ENTITY = {table: entity for entity, (table, _) in TABLES.items() if table in RAW_TABLES}


@dataclass
class Migrated:
    """What :func:`migrate` moved: records, and the log pages they went into."""

    records: int = 0
    pages: int = 0


def waiting(store: Store) -> int:
    """How many rows still keep their record's JSON themselves (saved without a body)."""
    return sum(
        int(store.db.query(f"SELECT COUNT(*) FROM {table} WHERE raw <> ''")[0][0])
        for table in RAW_TABLES
    )


def migrate(store: Store, on_batch: Callable[[Migrated], None] | None = None) -> Migrated:
    """Move every row's own JSON into the page log (see the module's docstring)."""
    if store.read_only:
        raise ReadOnlyStoreError("moving records' JSON into the page log writes the database")
    done = Migrated()
    for table in RAW_TABLES:
        entity, key = _ENTITY[table], TABLES[_ENTITY[table]][1]
        while rows := _next(store, table, key):
            with store.db.transaction():
                _move(store, entity, table, key, rows)
            done.records += len(rows)
            done.pages += 1
            if on_batch is not None:
                on_batch(done)
    return done


def _next(store: Store, table: str, key: str) -> list[tuple[str, str]]:
    sql = f"SELECT {key}, raw FROM {table} WHERE raw <> '' ORDER BY {key} LIMIT ?"
    return [(str(k), str(raw)) for k, raw in store.db.query(sql, (BATCH,))]


def _move(store: Store, entity: str, table: str, key: str, rows: list[tuple[str, str]]) -> None:
    body = _body(entity, rows)
    row = (RECORDS_ENDPOINT, timestamp(), __version__, len(rows), pack(body), RECORDS_CODEC)
    page_id = int(store.db.query(_INSERT, row)[0][0])
    store.db.executemany(
        f"UPDATE {table} SET raw = '', raw_page = ? WHERE {key} = ? AND raw = ?",
        [(page_id, k, raw) for k, raw in rows],
    )
    _check(store, entity, rows, page_id)


_INSERT = """INSERT INTO pages (endpoint, params, fetched_at, tokarc_version, items,
    new_records, rejected, body, codec) VALUES (?, '{}', ?, ?, ?, 0, 0, ?, ?) RETURNING id"""


def _body(entity: str, rows: list[tuple[str, str]]) -> bytes:
    """``{"post": {"ID": <its JSON, as the row held it>, ...}}``."""
    members = b",".join(msgspec.json.encode(k) + b":" + raw.encode() for k, raw in rows)
    return b"{" + msgspec.json.encode(entity) + b":{" + members + b"}}"


def _check(store: Store, entity: str, rows: list[tuple[str, str]], page_id: int) -> None:
    """Each moved row reads back as the JSON it held; else the batch is not committed."""
    reader = store.raw_reader(1)
    for k, raw in rows:
        if reader.json(entity, k, "", page_id) != raw.encode():
            raise TokarcError(f"moving {entity} {k} into the page log changed its JSON: stopped")
