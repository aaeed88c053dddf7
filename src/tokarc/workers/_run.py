"""A worker process: one procrastinate app for its runtime, and the loop that runs the app's
worker until a signal."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
from collections.abc import Callable, Iterable
from typing import cast

import procrastinate

from ._app import ensure_schema, new_app
from ._runtime import WorkerRuntime

log = logging.getLogger("tokarc.workers")

#: How often a worker's heartbeat is written.
HEARTBEAT_EVERY = 5.0
#: The longest pause between two attempts to reach a database that went away.
RECONNECT_MAX = 10.0


def run_worker(
    runtime: WorkerRuntime,
    *,
    concurrency: int = 1,
    queues: list[str] | None = None,
    wait: bool = True,
) -> None:
    """Run tokarc's tasks until SIGTERM or SIGINT (or, with ``wait=False``, until the queue is
    empty). A signal stops each running job at its next page boundary, checkpointed and queued
    again for any worker, then the worker exits. The runtime's app hands ``runtime`` to every
    job it runs, in the job's context."""
    ensure_schema(runtime.db)
    app = new_app(runtime.db, runtime=runtime)
    try:
        asyncio.run(_serve(app, runtime, concurrency, queues, wait))
    finally:
        runtime.close()


async def _serve(
    app: procrastinate.App,
    runtime: WorkerRuntime,
    concurrency: int,
    queues: list[str] | None,
    wait: bool,
) -> None:
    """Run procrastinate's worker, and again after the database went away (a restart, a
    failover): its jobs were retried from their checkpoints meanwhile, so nothing is lost."""
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
    app: procrastinate.App,
    runtime: WorkerRuntime,
    concurrency: int,
    queues: list[str] | None,
    wait: bool,
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
