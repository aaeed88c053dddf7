"""One walk per job: a lease in the database, taken as the watches' claims are taken.

A run *claims* its job with one conditional ``UPDATE`` that sets ``claimed_by`` and a lease
expiry ``claim_until`` only where nobody holds a live lease (see ``tokarc.monitor._lock``: the
database runs it atomically, on SQLite and PostgreSQL alike, so of two racing runs exactly one
sees "1 row changed"). The holder renews the lease after every page and releases it when the
run ends, however it ends. A process killed outright never releases: its lease runs out after
:data:`LEASE_SECONDS` and the next run takes the job over, from its checkpoint. Sooner when the
holder ran on this host and its process is gone: then the lease is taken over at once.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
import uuid
from collections.abc import Callable

from ..errors import TokarcError
from ..store import Store

#: How long a lease lasts without renewal. A run renews it after every page, so only a run
#: that died (or hung this long on one page; full searches may take minutes) loses its job.
LEASE_SECONDS = 900.0

#: How often a run told to wait for a job looks again (seconds of real time).
WAIT_POLL = 1.0

CLAIM = (
    "UPDATE jobs SET claimed_by = ?, claim_until = ? "
    "WHERE id = ? AND (claimed_by IS NULL OR claim_until < ?)"
)
RENEW = "UPDATE jobs SET claim_until = ? WHERE id = ? AND claimed_by = ?"
TAKE_OVER = "UPDATE jobs SET claimed_by = ?, claim_until = ? WHERE id = ? AND claimed_by = ?"
RELEASE = "UPDATE jobs SET claimed_by = NULL, claim_until = NULL WHERE id = ? AND claimed_by = ?"
HOLDER = "SELECT claimed_by, claim_until FROM jobs WHERE id = ?"


class JobRunningError(TokarcError):
    """Another run holds the job's lease (it is walking the same feed right now)."""

    def __init__(self, job_id: int, holder: str, until: float) -> None:
        when = dt.datetime.fromtimestamp(until, dt.UTC).isoformat(timespec="seconds")
        super().__init__(
            f"job {job_id} is running elsewhere ({holder}, lease until {when}): wait for it "
            "to end (--wait), or run again later"
        )
        self.job_id, self.holder, self.until = job_id, holder, until


class LeaseLostError(TokarcError):
    """The run's lease ran out and another run took the job over: this one stops."""


def owner_id() -> str:
    """A name for this run, unique across hosts and processes: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead(holder: str) -> bool:
    """Whether ``holder`` (``host:pid:random``) was a process of this host that is gone."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, but another user's
        return False
    return False


class Lease:
    """The lease of one job for one owner, on the store's connection, timed by ``clock``."""

    def __init__(
        self, store: Store, job_id: int, *, clock: Callable[[], float], seconds: float
    ) -> None:
        self.store, self.job_id, self.clock, self.seconds = store, job_id, clock, seconds
        self.owner = owner_id()

    def claim(self) -> bool:
        """Take the job if nobody holds a live lease on it."""
        now = self.clock()
        with self.store.db.transaction():
            row = (self.owner, now + self.seconds, self.job_id, now)
            return self.store.db.execute(CLAIM, row) == 1

    def take(self, *, wait: bool = False) -> bool:
        """Claim the job, waiting for its holder when ``wait`` (else JobRunningError);
        whether it had to wait for another run."""
        waited = False
        while not self.claim():
            holder, until = self.store.db.query(HOLDER, (self.job_id,))[0]
            if holder is not None and _dead(str(holder)) and self._take_over(str(holder)):
                return waited
            if not wait:
                raise JobRunningError(self.job_id, str(holder), float(until or 0))
            waited = True
            time.sleep(WAIT_POLL)
        return waited

    def _take_over(self, holder: str) -> bool:
        with self.store.db.transaction():
            row = (self.owner, self.clock() + self.seconds, self.job_id, holder)
            return self.store.db.execute(TAKE_OVER, row) == 1

    def renew(self) -> None:
        """Push the lease on (after a page); LeaseLostError if another run took the job."""
        with self.store.db.transaction():
            row = (self.clock() + self.seconds, self.job_id, self.owner)
            if self.store.db.execute(RENEW, row) != 1:
                raise LeaseLostError(
                    f"job {self.job_id}: the lease ran out and another run took the job over"
                )

    def release(self) -> None:
        """Give the job back (a no-op when the lease was lost)."""
        with self.store.db.transaction():
            self.store.db.execute(RELEASE, (self.job_id, self.owner))
