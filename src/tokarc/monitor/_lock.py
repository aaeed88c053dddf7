"""Claims: a lock per watch, in the database, that works the same on SQLite and PostgreSQL.

A tick *claims* a watch with one conditional ``UPDATE``: it sets ``claimed_by`` and a lease
expiry ``claim_until`` only where the watch is still due and nobody holds a live claim. The
database runs that statement atomically (SQLite: one writer at a time; PostgreSQL: the row
lock, after which the ``WHERE`` is evaluated again on the updated row), so of two ticks racing
for a watch exactly one sees "1 row changed". The holder renews the lease after every page and
releases the claim when done, setting when the watch is next due. A tick that crashes never
releases: its lease runs out and the next tick may claim the watch again (and the job resumes
from its checkpoint).
"""

from __future__ import annotations

import os
import socket
import uuid

from ..store import Backend

#: How long a claim lasts without renewal. A run renews it after every page, so only a tick
#: that died (or hung for this long on one page) loses its watches to another tick.
LEASE_SECONDS = 600.0

CLAIM = (
    "UPDATE watches SET claimed_by = ?, claim_until = ? "
    "WHERE id = ? AND paused = 0 AND next_due <= ? "
    "AND (claimed_by IS NULL OR claim_until < ?)"
)
RENEW = "UPDATE watches SET claim_until = ? WHERE id = ? AND claimed_by = ?"
RELEASE = (
    "UPDATE watches SET claimed_by = NULL, claim_until = NULL, next_due = ?, "
    "last_run_at = ?, last_status = ?, last_message = ? WHERE id = ? AND claimed_by = ?"
)


def owner_id() -> str:
    """A name for this tick, unique across hosts and processes: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(db: Backend, watch_id: int, owner: str, now: float, lease: float) -> bool:
    """Take the watch if it is due at ``now`` and free (or its claim has expired)."""
    with db.transaction():
        return db.execute(CLAIM, (owner, now + lease, watch_id, now, now)) == 1


def renew(db: Backend, watch_id: int, owner: str, now: float, lease: float) -> bool:
    """Push the lease on; False if the claim was lost (expired and taken by another tick)."""
    with db.transaction():
        return db.execute(RENEW, (now + lease, watch_id, owner)) == 1


def release(
    db: Backend, watch_id: int, owner: str, *, next_due: float, at: str, status: str, message: str
) -> bool:
    """Give the watch back, due again at ``next_due``, with how its run went."""
    with db.transaction():
        row = (next_due, at, status, message, watch_id, owner)
        return db.execute(RELEASE, row) == 1
