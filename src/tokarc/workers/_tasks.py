"""tokarc's procrastinate tasks: run a collection job, run a watch, and the periodic two that
enqueue due watches and hand the jobs of dead workers to live ones.

Every task is keyed: a collection job by ``job:<id>``, a watch by ``watch:<id>``, used as both
the queueing lock (queued at most once) and the lock (run by one worker at a time). A task
finds its worker's runtime in its context (``context.additional_context[RUNTIME]``, put there
by the worker's app) and defers through the app running it (``context.app``): nothing here
knows which app or worker it runs in.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import Any

import procrastinate
import procrastinate.jobs
import psycopg
from procrastinate.job_context import JobContext

from ..collect import BUDGET, Collector, ExpandSpec, Expansion, JobReport
from ..collect import EXPANSION_KIND as EXPANSION
from ..errors import TransportError
from ..monitor import Scheduler, Stopping, Watches
from ..report import RUNNERS
from ..status import JobStatus
from ..store import Store, TransientError
from ._limits import SharedLimits
from ._runtime import WorkerRuntime

log = logging.getLogger("tokarc.workers")

#: Pages a job fetches ahead of the one being committed: the next request is under way while
#: a page is written, so a worker waits on the network, not on the network and the database
#: in turn. One is enough while a page is written faster than it comes back.
AHEAD = 1

#: The queue collection jobs and watches go to unless told otherwise.
DEFAULT_QUEUE = "tokarc"
#: The namespace of tokarc's tasks in an app, and their full names.
NAMESPACE = "tokarc"
COLLECT_JOB = f"{NAMESPACE}:collect_job"
RUN_WATCH = f"{NAMESPACE}:run_watch"
#: Where a job finds its worker's runtime in its context.
RUNTIME = "tokarc.runtime"


class Interrupted(Exception):
    """The worker stopped between two pages; the job goes back to the queue, checkpointed."""


# What a job is retried after: the network, the database giving up because of another writer,
# the connection to PostgreSQL lost (a restart).
RETRIED = (TransportError, TransientError, psycopg.OperationalError)


class Retry(procrastinate.BaseRetryStrategy):
    """A job stopped by a shutdown is queued again at once, any number of times; one that
    failed on the network (after the client's own retries) or on the database (a restart, a
    deadlock) is retried a few times with backoff, from its checkpoint; anything else (a bug, a
    target that is gone) is left failed for `tokarc queue retry`."""

    attempts = 8

    def get_retry_decision(
        self, *, exception: BaseException, job: procrastinate.jobs.Job
    ) -> procrastinate.RetryDecision | None:
        if isinstance(exception, Interrupted):
            return procrastinate.RetryDecision(retry_in={"seconds": 0})
        if isinstance(exception, RETRIED) and job.attempts < self.attempts:
            return procrastinate.RetryDecision(retry_in={"seconds": min(60, 2**job.attempts)})
        return None


RETRY = Retry()


def job_key(job_id: int) -> str:
    return f"job:{job_id}"


def watch_key(watch_id: int) -> str:
    return f"watch:{watch_id}"


def blueprint() -> procrastinate.Blueprint:
    """tokarc's tasks on a blueprint of their own, for one app (add it with the namespace
    ``NAMESPACE``). A fresh one each time: adding a blueprint to an app renames its tasks and
    binds them to that app, so one blueprint serves one app only."""
    tasks = procrastinate.Blueprint()
    tasks.task(name="collect_job", pass_context=True, retry=RETRY)(collect_job)
    tasks.task(name="run_watch", pass_context=True, retry=RETRY)(run_watch)
    due = tasks.task(
        name="enqueue_due_watches", queueing_lock="enqueue_due_watches", pass_context=True
    )(enqueue_due_watches)
    tasks.periodic(cron="* * * * * */2", periodic_id="due-watches")(due)
    stalled = tasks.task(name="retry_stalled", queueing_lock="retry_stalled", pass_context=True)(
        retry_stalled
    )
    tasks.periodic(cron="* * * * * */5", periodic_id="stalled")(stalled)
    return tasks


def runtime_of(context: JobContext) -> WorkerRuntime:
    """The runtime of the worker running this job (its app put it in the job's context)."""
    runtime = context.additional_context.get(RUNTIME)
    if not isinstance(runtime, WorkerRuntime):
        raise RuntimeError("this job runs outside a tokarc worker: no runtime in its context")
    return runtime


def defer_job(app: procrastinate.App, job_id: int, **options: Any) -> int:
    """Queue the tokarc job ``job_id`` in ``app`` (raises ``AlreadyEnqueued`` if it is
    queued already): keyed, so queued at most once and run by one worker at a time;
    ``options`` as procrastinate's ``configure`` takes them (``queue``, ``schedule_at``...)."""
    key = job_key(job_id)
    deferrer = app.configure_task(
        COLLECT_JOB, allow_unknown=False, queueing_lock=key, lock=key, **options
    )
    return deferrer.defer(job_id=job_id)


def collect_job(context: JobContext, job_id: int) -> str:
    """Run the tokarc job ``job_id`` from its checkpoint (an expansion: its plan from where it
    stopped, its targets together)."""
    rt = runtime_of(context)
    with rt.store() as store:
        if store.get_job(job_id).kind == EXPANSION:
            return _expand(rt, context, store, job_id)
        return _collect(rt, context, store, job_id)


def run_watch(context: JobContext, watch_id: int) -> str:
    """Run the watch ``watch_id`` once if it is due (its claim is the watch's own lock)."""
    rt = runtime_of(context)
    scheduler = Scheduler(rt.db, rt.client, clock=rt.clock, stop=rt.stopping, runners=RUNNERS)
    if rt.stopping.is_set():
        raise Interrupted(f"watch {watch_id}: the worker is stopping")
    run = scheduler.run_one(watch_id)
    return run.line() if run else f"watch {watch_id}: not due or held elsewhere"


async def enqueue_due_watches(context: JobContext, timestamp: int) -> int:
    """Queue every due watch (at most once each, whatever the number of workers)."""
    due = await asyncio.to_thread(_due_watch_ids, runtime_of(context))
    queued = 0
    for watch_id in due:
        key = watch_key(watch_id)
        deferrer = context.app.configure_task(
            RUN_WATCH, allow_unknown=False, queueing_lock=key, lock=key, queue=_queue(context)
        )
        try:
            await deferrer.defer_async(watch_id=watch_id)
            queued += 1
        except procrastinate.exceptions.AlreadyEnqueued:
            pass
    return queued


async def retry_stalled(context: JobContext, timestamp: int) -> int:
    """Put the jobs of workers that stopped beating back in the queue (they resume from their
    checkpoints), and prune the queue's history of finished jobs."""
    rt, manager = runtime_of(context), context.app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=rt.stalled_after))
    for job in stalled:
        log.warning("retrying %s: its worker stopped beating", job.call_string)
        await manager.retry_job(job)
    await manager.prune_stalled_workers(rt.stalled_after)
    await manager.delete_old_jobs(nb_hours=1, include_failed=False)
    return len(stalled)


def _collect(rt: WorkerRuntime, context: JobContext, store: Store, job_id: int) -> str:
    """A backfill's next page is fetched while the last one is committed; a stop (a signal, a
    cancel) sends nothing more, commits what was fetched, and queues the job again."""
    with rt.limited_client(stop=context.should_abort) as client:
        collector = Collector(client, store, clock=rt.clock, lease=rt.lease, ahead=AHEAD)
        # The queue's lock keeps other workers off this job; a run outside the workers may
        # hold its lease, or a dead worker's lease may not have run out yet: wait for it.
        report = collector.resume(job_id, wait=True, new_pass=True)  # queued again: a new pass
    if report.status == JobStatus.INTERRUPTED:
        raise Interrupted(f"job {job_id}: the worker is stopping")
    if report.stop_reason == BUDGET and SharedLimits(store).left() is not None:
        _again_tomorrow(context.app, job_id, rt.clock(), _queue(context))
    return _line(report)


def _expand(rt: WorkerRuntime, context: JobContext, store: Store, job_id: int) -> str:
    """An expansion stops between its pages (``on_page``), its targets together."""
    spec = ExpandSpec.from_job(store.get_job(job_id))
    with rt.limited_client() as client:
        expansion = Expansion(client, store, spec, clock=rt.clock, on_page=_beat(rt, context))
        try:
            report = expansion.run()
        except Stopping as exc:
            raise Interrupted(f"expansion {job_id}: {exc}") from None
    return f"expansion {job_id}: {report.status} ({report.stop_reason}), {report.units} units"


def _beat(rt: WorkerRuntime, context: JobContext) -> Any:
    def beat(report: JobReport) -> None:
        if rt.stopping.is_set() or context.should_abort():
            raise Stopping("the worker is stopping")

    return beat


def _due_watch_ids(rt: WorkerRuntime) -> list[int]:
    with rt.store() as store:
        return [w.id for w in Watches(store).due(rt.clock())]


def _again_tomorrow(app: procrastinate.App, job_id: int, now: float, queue: str) -> None:
    """Queue ``job_id`` again, on the queue it came from, for the next UTC day's budget."""
    midnight = dt.datetime.fromtimestamp(now, dt.UTC).date() + dt.timedelta(days=1)
    at = dt.datetime.combine(midnight, dt.time(), dt.UTC)
    with contextlib.suppress(procrastinate.exceptions.AlreadyEnqueued):
        defer_job(app, job_id, schedule_at=at, queue=queue)


def _queue(context: JobContext) -> str:
    return context.job.queue if context.job else DEFAULT_QUEUE


def _line(report: JobReport) -> str:
    return (
        f"job {report.job_id} {report.kind} {report.target}: {report.ended}, "
        f"{report.returned} items, {report.units} units"
    )
