"""The database of a command: opened only when it exists, and never written over by an output."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .._files import refuse_same_file, unwritable
from .._wiring import open_reader, open_store
from ..errors import ReadOnlyStoreError
from ..store import DatabaseTarget, Store, is_postgres_url, sqlite_files
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
    store = open_reader(db)
    if pending := store.pending_pages():
        print(_PENDING.format(db=db, n=pending), file=sys.stderr)
    return store


_PENDING = (
    "note: {n} page(s) of {db} are in the page log but not yet in its tables (a collection is "
    "running, or was interrupted): what is shown leaves them out until it is opened writable"
)


def readable(db: str) -> Store:
    """An existing store for a command that reads it and records what it did where it can
    (``report`` records itself for the next one's "since the last report"): writable, else
    read-only."""
    try:
        return existing(db)
    except ReadOnlyStoreError:
        return existing(db, read_only=True)


def check_output(out: str | None, db: str | None, what: str = "--out") -> None:
    """Exit 2, before anything is opened, when the file ``out`` cannot be written: its folder
    does not exist or cannot be written (a read-only mount...), or it is the database ``db``
    or one of its files (-wal, -shm...)."""
    if not out or out == "-":
        return
    if db:
        refuse_same_file(out, sqlite_files(_path(db)), what)
    parent = Path(out).expanduser().parent
    if not parent.is_dir():
        raise _errors.CLIError(f"invalid {what} {out!r}: no folder {parent}")
    if reason := unwritable(out):
        raise _errors.CLIError(f"invalid {what} {out!r}: cannot be written, {reason}")


def check_folder(folder: str, what: str) -> None:
    """Exit 2, before anything is opened, when files cannot be put in ``folder`` (made if
    need be): it, or the nearest folder above it that exists, cannot be written."""
    probe = Path(folder).expanduser().absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if reason := unwritable(probe / ".tokarc-probe"):
        raise _errors.CLIError(f"invalid {what} {folder!r}: cannot be written, {reason}")


def _path(db: str) -> str:
    return db.reveal() if isinstance(db, DatabaseTarget) else db
