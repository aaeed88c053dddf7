"""A worker process: the runtime its tasks use, and the loop that runs them until a signal."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

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
#: How often a worker's heartbeat is written.
HEARTBEAT_EVERY = 5.0
#: The longest pause between two attempts to reach a database that went away.
RECONNECT_MAX = 10.0


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


_current: WorkerRuntime | None = None


def current() -> WorkerRuntime:
    """The runtime of this worker process (set by :func:`run_worker`)."""
    if _current is None:
        raise RuntimeError("no tokarc worker runs in this process")
    return _current


def run_worker(
    runtime: WorkerRuntime,
    *,
    concurrency: int = 1,
    queues: list[str] | None = None,
    wait: bool = True,
) -> None:
    """Run tokarc's tasks until SIGTERM or SIGINT (or, with ``wait=False``, until the queue is
    empty). A signal stops each running job at its next page boundary, checkpointed and queued
    again for any worker, then the worker exits."""
    from ._app import connected, ensure_schema

    global _current
    ensure_schema(runtime.db)
    _current = runtime
    try:
        with connected(runtime.db) as app:
            asyncio.run(_serve(app, runtime, concurrency, queues, wait))
    finally:
        _current = None
        runtime.close()


async def _serve(
    app: object, runtime: WorkerRuntime, concurrency: int, queues: list[str] | None, wait: bool
) -> None:
    """Run procrastinate's worker, and again after the database went away (a restart, a
    failover): its jobs were retried from their checkpoints meanwhile, so nothing is lost."""
    import procrastinate

    assert isinstance(app, procrastinate.App)
    _on_signals(runtime.stop)
    for attempt in itertools.count():
        try:
            async with app.open_async():
                await _work(app, runtime, concurrency, queues, wait)
        except (procrastinate.exceptions.ConnectorException, OSError) as exc:
            log.warning("the database went away (%s); reconnecting", _one_line(exc))
        if runtime.stopping.is_set() or not wait:
            return
        log.warning("the worker lost the database; starting again")
        await asyncio.sleep(min(RECONNECT_MAX, 0.5 * 2 ** min(attempt, 6)))


async def _work(
    app: Any, runtime: WorkerRuntime, concurrency: int, queues: list[str] | None, wait: bool
) -> None:
    worker = asyncio.create_task(
        app.run_worker_async(
            queues=cast(Iterable[str], queues),  # None: every queue
            concurrency=concurrency,
            wait=wait,
            install_signal_handlers=False,
            update_heartbeat_interval=HEARTBEAT_EVERY,
            stalled_worker_timeout=runtime.stalled_after,
            listen_notify=True,
            fetch_job_polling_interval=1.0,
            delete_jobs="successful",  # the queue stays small: history is in jobs and watch_runs
        )
    )
    loop = asyncio.get_running_loop()

    def cancel() -> None:
        loop.call_soon_threadsafe(worker.cancel)

    runtime._stop_worker = cancel
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    finally:
        runtime._stop_worker = None


def _one_line(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return " ".join(str(cause).split())[:200] or type(cause).__name__


def _on_signals(stop: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop)
