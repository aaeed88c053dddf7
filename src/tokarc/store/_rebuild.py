"""Deriving the tables again from the page log: ``tokarc rebuild`` (see ``docs/store.md``).

Every logged page is decoded again from its body, with the decoders of this tokarc, and its
records (those the collection kept: ``context.kept``) are written as saving the page wrote them,
page after page in the order they were saved, in one transaction. No request is made.

A full rebuild empties the derived tables first, so the result is what collecting the same
responses would have stored. ``from_page`` re-derives the pages from that one on over the rows
as they are (a decoder fixed, a column added): their own observations, ranks and rejects are
written again; a lookup's misses are left as they were. Either way a post marked gone stays
marked as it was (``Store.mark_gone`` is not in the log), and the accounts' and posts' dated
states (``account_events``, ``post_events``: a refusal is no page) stay as they are; the names
accounts were seen with are derived again. Jobs, the request ledger and what other packages
keep (watches, media, alerts) are not derived and are left alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInputError, ReadOnlyStoreError
from ._log import CODEC
from ._replay import PAGE_COLUMNS
from ._store import Store
from ._views import search_filled_after

#: The tables derived from the log, emptied by a full rebuild (each is written by
#: ``Store.derive``; a package that derives a table of its own there adds it here).
DERIVED_TABLES = [
    "posts",
    "users",
    "music",
    "hashtags",
    "post_hashtags",
    "comments",
    "lives",
    "follows",
    "seen_via",
    "post_stats",
    "user_stats",
    "page_items",
    "post_misses",
    "rejects",
    "account_names",  # identities (``_identities``); its dated events are kept as they are
]
#: Tables keyed by page: a partial rebuild deletes the rows of the pages it derives again.
_BY_PAGE = {"post_stats": "page_id", "user_stats": "page_id", "page_items": "page_id"}
_BY_PAGE_ALSO = {"rejects": "page_id"}

PAGES_PER_READ = 200


@dataclass
class Rebuilt:
    """What a rebuild did: the pages derived again and the records they hold."""

    pages: int = 0
    records: int = 0


def unlogged(store: Store, from_page: int = 0) -> tuple[int, int | None]:
    """How many pages (from ``from_page`` on) hold records but no body, and the first of them:
    their records cannot be derived again."""
    sql = "SELECT COUNT(*), MIN(id) FROM pages WHERE id >= ? AND body IS NULL AND items > 0"
    # (pages holding records from before the log, ``_legacy``, are not derived: left out)
    count, first = store.db.query(sql, (from_page,))[0]
    return int(count or 0), None if first is None else int(first)


def rebuild(
    store: Store, from_page: int | None = None, on_page: Callable[[Rebuilt], None] | None = None
) -> Rebuilt:
    """Derive the tables again from the page log (all of them, or from page ``from_page`` on).

    Raises ReadOnlyStoreError on a read-only store, and InvalidInputError, having changed
    nothing, when a page to derive has records but no body (saved before the page log, or from
    records given by hand): a rebuild would lose them.
    """
    if store.read_only:
        raise ReadOnlyStoreError("a rebuild writes the derived tables: open the store writable")
    count, first = unlogged(store, from_page or 0)
    if count:
        raise InvalidInputError(
            f"{count} page(s) hold records but no body in the page log (the first: page "
            f"{first}; saved before the log, or from records given by hand): a rebuild would "
            "lose their records"
        )
    done = Rebuilt()
    with store.db.transaction():  # one: interrupted, a rebuild leaves the tables as they were
        gone = store.db.query("SELECT aweme_id, gone_at FROM posts WHERE gone_at IS NOT NULL")
        whole = search_filled_after(store.db) if from_page is None else contextlib.nullcontext()
        with whole:
            _clear(store, from_page)
            for pages in _chunks(store, from_page or 0):
                for row in pages:
                    full = from_page is None
                    done.records += store.derive_logged(row, misses=full, events=False)
                    done.pages += 1
                if on_page is not None:
                    on_page(done)
        _keep_gone(store, gone)
    return done


def _clear(store: Store, from_page: int | None) -> None:
    if from_page is None:
        for table in DERIVED_TABLES:
            if store.has_table(table):
                store.db.execute(f"DELETE FROM {table}")
        return
    for table, column in {**_BY_PAGE, **_BY_PAGE_ALSO}.items():
        store.db.execute(f"DELETE FROM {table} WHERE {column} >= ?", (from_page,))


def _chunks(store: Store, start: int) -> Iterator[list[tuple[Any, ...]]]:
    after = start - 1
    # Responses only: the records pages of an older database (``_legacy``) are not derived.
    where = f"id > ? AND codec = '{CODEC}'"
    sql = f"SELECT {PAGE_COLUMNS} FROM pages WHERE {where} ORDER BY id LIMIT ?"
    while rows := store.db.query(sql, (after, PAGES_PER_READ)):
        yield rows
        after = int(rows[-1][0])


def _keep_gone(store: Store, gone: list[tuple[Any, ...]]) -> None:
    """Posts marked gone before the rebuild stay marked, at the same time."""
    store.db.execute("UPDATE posts SET gone_at = NULL WHERE gone_at IS NOT NULL")
    store.db.executemany(
        "UPDATE posts SET gone_at = ? WHERE aweme_id = ?", [(at, i) for i, at in gone]
    )
