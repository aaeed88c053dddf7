"""The database of a command: opened only when it exists, and never written over by an output."""

from __future__ import annotations

import os
from pathlib import Path

from .._files import refuse_same_file
from ..store import DatabaseTarget, Store, is_postgres_url, open_store
from ..store._target import redact, sqlite_files
from . import _errors


def existing(db: str, *, read_only: bool = False) -> Store:
    """An existing store (a missing SQLite file is an error, not a new empty database).

    ``read_only`` (commands that only read): opened so that it is never written, so read-only
    files and file systems can be read; one from an older tokarc is opened writable once, to
    migrate it, or refused (exit 2) where it cannot be written.
    """
    if not is_postgres_url(db) and db != ":memory:" and not os.path.exists(_path(db)):
        raise _errors.CLIError(f"invalid --db {db!r}: no such database file")
    if not read_only:
        return open_store(db)
    store = open_store(db, read_only=True)
    if not (pending := store.pending_migrations):
        return store
    store.close()
    try:
        return open_store(db)
    except Exception as exc:  # sqlite3 / psycopg: it cannot be written here
        raise _errors.CLIError(
            f"invalid --db {db!r}: written by an older tokarc, it needs migrating "
            f"({', '.join(pending)}) and cannot be written here "
            f"({type(exc).__name__}: {redact(str(exc))}); "
            "open it once where it can be written"
        ) from None


def check_output(out: str | None, db: str | None, what: str = "--out") -> None:
    """Exit 2, before anything is opened, when the file ``out`` cannot be written: its folder
    does not exist, or it is the database ``db`` or one of its files (-wal, -shm...)."""
    if not out or out == "-":
        return
    if db:
        refuse_same_file(out, sqlite_files(_path(db)), what)
    parent = Path(out).expanduser().parent
    if not parent.is_dir():
        raise _errors.CLIError(f"invalid {what} {out!r}: no folder {parent}")


def _path(db: str) -> str:
    return db.reveal() if isinstance(db, DatabaseTarget) else db
