"""The store: collected records in SQLite (default, one file) or PostgreSQL, same schema.

``open_store(target)`` picks the backend from ``target``: a ``postgresql://`` or
``postgres://`` URL opens PostgreSQL (psycopg 3, the ``postgres`` extra); anything else is a
SQLite path (``":memory:"`` too). Migrations are applied on open. See ``docs/store.md``.

Either backend raises :class:`TransientError` when the database gives up because of another
writer (a deadlock, a serialization failure, SQLite still locked after its busy timeout):
nothing of that transaction was written, and running it again may succeed.

Example::

    from tokarc.store import Batch, open_store

    with open_store("magic.db") as store:
        job = store.create_job("hashtag", "magic")
        store.save_page(Batch(job_id=job.id, endpoint="/tt/hashtag/posts", records=posts,
                              source_kind="hashtag", source_target="magic",
                              checkpoint=state.to_json()))
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import InvalidInputError, ReadOnlyStoreError, TransientError
from ._backend import Backend
from ._dialect import Dialect
from ._identities import IDENTITIES, account_of, current_handle, record_refusal
from ._legacy import Migrated
from ._legacy import migrate as move_json_to_log
from ._legacy import waiting as json_in_rows
from ._log import add_sql_function
from ._log import unpack as unpack_page
from ._readonly import run_sql
from ._rebuild import DERIVED_TABLES, Rebuilt, rebuild
from ._schema import STORE, MigrationSet
from ._store import Store
from ._target import DatabaseTarget, check_target, is_postgres_url, redact, sqlite_files
from ._text import record_json, timestamp
from ._types import ENTITIES, Batch, Follow, Job, PageResult, Stats
from ._views import ARCHIVE, PG_CONFIG, SEARCH_SCOPES, SEARCHABLE, iso, text_index

#: The store's own migration sets: its tables, the archive's views, search and keys, then
#: identities over time (account names, account and post states).
MIGRATIONS: tuple[MigrationSet, ...] = (STORE, ARCHIVE, IDENTITIES)

__all__ = [
    "DERIVED_TABLES",
    "ENTITIES",
    "MIGRATIONS",
    "PG_CONFIG",
    "SEARCHABLE",
    "SEARCH_SCOPES",
    "Backend",
    "Batch",
    "DatabaseTarget",
    "Dialect",
    "Follow",
    "Job",
    "Migrated",
    "MigrationSet",
    "PageResult",
    "Rebuilt",
    "Stats",
    "Store",
    "TransientError",
    "account_of",
    "add_sql_function",
    "current_handle",
    "is_postgres_url",
    "iso",
    "json_in_rows",
    "move_json_to_log",
    "open_reader",
    "open_store",
    "rebuild",
    "record_json",
    "record_refusal",
    "redact",
    "run_sql",
    "sqlite_files",
    "text_index",
    "timestamp",
    "unpack_page",
]


def open_store(
    target: str | os.PathLike[str],
    *,
    read_only: bool = False,
    migrations: Sequence[MigrationSet] = (),
) -> Store:
    """Open (creating and migrating as needed) the store at ``target``.

    The store's own tables (:data:`MIGRATIONS`) are applied, then ``migrations``: the sets of
    the packages above it that keep tables in it (``tokarc.collect.MIGRATIONS``...). A package
    also ensures its own sets when it is handed a store (``Watches(store)``), so a store opened
    here serves every package; ``tokarc._wiring.open_store`` (what the CLI uses) opens with
    every package's sets at once.

    ``target`` is a ``postgresql://`` / ``postgres://`` URL, or a SQLite file path, or
    ``":memory:"``. A SQLite file is created, but not its folder. Raises InvalidInputError
    (see :func:`check_target`) for a malformed URL, a missing folder, a folder, a file that is
    not a database, or a PostgreSQL database that does not exist; ``ImportError`` for a
    PostgreSQL URL without psycopg installed. The store's ``url`` never shows a password.

    ``read_only=True`` (for commands that only read) opens an existing database so that it
    cannot be written: SQLite with ``mode=ro`` (``immutable`` where a read-only directory
    demands it), PostgreSQL with read-only transactions. Nothing is created or migrated; the
    migrations it lacks are listed in ``Store.pending_migrations``.
    """
    db = DatabaseTarget(target)
    check_target(db.reveal())
    if is_postgres_url(db):
        from ._postgres import PostgresBackend

        return Store(PostgresBackend(db, read_only=read_only), (*MIGRATIONS, *migrations))
    from ._sqlite import SQLiteBackend

    path = Path(db.reveal()) if db != ":memory:" else ":memory:"
    return Store(SQLiteBackend(path, read_only=read_only), (*MIGRATIONS, *migrations))


def open_reader(
    target: str | os.PathLike[str], *, migrations: Sequence[MigrationSet] = ()
) -> Store:
    """Open the existing store at ``target`` to read it: read-only (see :func:`open_store`),
    so that read-only files and file systems can be read. One written by an older tokarc is
    opened writable once, to migrate it, or refused with :class:`ReadOnlyStoreError` where it
    cannot be written. InvalidInputError for a SQLite file that does not exist."""
    if not is_postgres_url(target) and target != ":memory:" and not os.path.exists(target):
        raise InvalidInputError(f"invalid database {os.fspath(target)!r}: no such database file")
    store = open_store(target, read_only=True, migrations=migrations)
    if not (pending := store.pending_migrations):
        return store
    store.close()
    try:
        return open_store(target, migrations=migrations)
    except (ReadOnlyStoreError, OSError) as exc:  # it cannot be written here
        raise ReadOnlyStoreError(
            f"written by an older tokarc, the database needs migrating ({', '.join(pending)}), "
            f"which it cannot be here ({redact(str(exc))}); open it once where it can be written"
        ) from None
