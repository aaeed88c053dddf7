"""What the tasks of one worker process share: the runtime, handed to each job through its
procrastinate context (``context.additional_context``), never through a global."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg

from ..client import Client
from ..collect import StopRequested
from ..errors import TransientError
from ..store import Store, open_store
from ._limits import SharedLimits
from ._schema import MIGRATIONS

log = logging.getLogger("tokarc.workers")

ClientFactory = Callable[[], Client]

#: Seconds without a heartbeat after which a worker is taken for dead and its jobs retried.
STALLED_AFTER = 30.0


# What says the shared limits' connection is gone; anything else (a job stopped, a target
# refused) leaves it open for the jobs running beside the one that raised.
LOST = (psycopg.OperationalError, TransientError)


@dataclass
class WorkerRuntime:
    """What the tasks of one worker process share: where the data is, how to reach the API,
    the clock watches are due by, whether the worker is stopping, and its open connections."""

    db: str
    client: ClientFactory
    clock: Callable[[], float] = time.time
    stalled_after: float = STALLED_AFTER
    #: Seconds a job's lease lasts without renewal (renewed per page): a dead worker's job is
    #: free again after this, or at once when the dead worker ran on the same host.
    lease: float = 2 * STALLED_AFTER
    stopping: threading.Event = field(default_factory=threading.Event)
    _stop_worker: Callable[[], None] | None = field(default=None, repr=False)
    _idle: list[Store] = field(default_factory=list, repr=False)
    _limits: SharedLimits | None = field(default=None, repr=False)
    _pool: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def stop(self) -> None:
        """Stop the worker (from any thread): running jobs end at their next page boundary,
        checkpointed and queued again, and :func:`run_worker` returns."""
        if not self.stopping.is_set():
            log.warning("stopping: running jobs finish their page and are queued again")
        self.stopping.set()
        if self._stop_worker is not None:
            self._stop_worker()

    @contextlib.contextmanager
    def limited_client(self, stop: Callable[[], bool] | None = None) -> Iterator[Client]:
        """A client that obeys the limits shared by every worker; given ``stop``, one that also
        sends nothing once the worker is stopping or ``stop()`` says so (the job was cancelled).

        Both are guards, checked before each attempt in whichever thread sends it (a job's
        pages are fetched a page ahead of the writer): a stop raises ``StopRequested`` before
        a request is paid for, and the pages fetched before it are committed."""
        with self._shared_limits() as limits, self.client() as client:
            if stop is not None:
                client.add_guard(self._stop_guard(stop))
            limits.attach(client)
            yield client

    def _stop_guard(self, stop: Callable[[], bool]) -> Callable[[str, Any], None]:
        def guard(endpoint: str, params: Any) -> None:
            if self.stopping.is_set() or stop():
                raise StopRequested("the worker is stopping")

        return guard

    @contextlib.contextmanager
    def store(self) -> Iterator[Store]:
        """A store of the database, kept open from job to job (a connection costs more than a
        small job's statements); one that a job ended with an error in is closed instead."""
        with self._pool:
            kept = self._idle.pop() if self._idle else None
        store = kept or open_store(self.db, migrations=MIGRATIONS)
        try:
            yield store
        except BaseException:
            store.close()
            raise
        with self._pool:
            self._idle.append(store)

    @contextlib.contextmanager
    def _shared_limits(self) -> Iterator[SharedLimits]:
        """The shared limits, on a connection of their own: a job's guard, in its fetching
        thread, never waits for the same job's page being committed on the job's store."""
        with self._pool:
            if self._limits is None:
                self._limits = SharedLimits(
                    open_store(self.db, migrations=MIGRATIONS), clock=self.clock
                )
            limits = self._limits
        try:
            yield limits
        except LOST:  # the connection is gone (a restart): the next job opens one
            with self._pool:
                self._limits = None if self._limits is limits else self._limits
            limits.store.close()
            raise

    def close(self) -> None:
        """Close the connections the runtime keeps."""
        with self._pool:
            stores, self._idle = self._idle, []
            if self._limits is not None:
                stores.append(self._limits.store)
            self._limits = None
        for store in stores:
            store.close()
