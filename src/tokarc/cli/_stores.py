"""The database of a command: opened only when it exists, and never written over by an output."""

from __future__ import annotations

import os
from pathlib import Path

from .._files import refuse_same_file
from ..store import DatabaseTarget, Store, is_postgres_url, open_store
from ..store._target import sqlite_files
from . import _errors


def existing(db: str) -> Store:
    """An existing store (a missing SQLite file is an error, not a new empty database)."""
    if not is_postgres_url(db) and db != ":memory:" and not os.path.exists(_path(db)):
        raise _errors.CLIError(f"invalid --db {db!r}: no such database file")
    return open_store(db)


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
