"""The store's record of its media root: where ``tokarc media`` and ``--media`` put the files.

A report, an export or an archive finds the files through this record, never by guessing from the
database URL's text (a PostgreSQL URL has no folder). The record is the absolute path of the root
that downloads last went to.
"""

from __future__ import annotations

from pathlib import Path

from ..store import Store, timestamp
from ._schema import MIGRATIONS

#: The media root when none is given: ``media/`` in the working folder (beside a SQLite
#: database, when a reader looks for it).
DEFAULT_ROOT = "media"

_RECORD = (
    "INSERT INTO media_root (id, path, recorded_at) VALUES (1, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET path = excluded.path, recorded_at = excluded.recorded_at"
)


def record_root(store: Store, root: Path, now: float) -> None:
    """Remember ``root`` (made absolute) as the store's media root."""
    store.ensure(MIGRATIONS)
    with store.db.transaction():
        store.db.execute(_RECORD, (str(root.resolve()), timestamp(now)))


def recorded_root(store: Store) -> Path | None:
    """The media root the store recorded, if any (None before the first download)."""
    store.ensure(MIGRATIONS)
    if "media.root" in store.pending_migrations:  # an older file, opened read-only
        return None
    rows = store.db.query("SELECT path FROM media_root WHERE id = 1")
    return Path(rows[0][0]) if rows else None


def media_root(store: Store, given: str | Path | None) -> Path | None:
    """The media root to read from: ``given``, else the store's record, else ``media/`` beside
    a SQLite database when that folder exists; None when there is none."""
    if given is not None:
        return Path(given)
    recorded = recorded_root(store)
    if recorded is not None:
        return recorded
    if store.backend != "sqlite":
        return None
    near = Path(store.url).resolve().parent / DEFAULT_ROOT
    return near if near.is_dir() else None
