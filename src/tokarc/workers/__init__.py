"""Scale-out on procrastinate over PostgreSQL: many workers on many machines.

A collection job is a procrastinate job of the task ``tokarc:collect_job`` keyed by the tokarc
job id: its queueing lock means it is queued at most once, its lock that it runs on one worker
at a time. The job's pages and checkpoint still commit in tokarc's own transactions, so a job
retried after its worker died (procrastinate's stalled-job retry) resumes from its checkpoint.
Watches are enqueued by a periodic task, one queueing lock per watch. The unit budget and the
request rate shared by all workers are rows in PostgreSQL, taken under a row lock.

SQLite stays the one-machine default: everything here needs a PostgreSQL database.

::

    from tokarc.workers import Workers

    workers = Workers("postgresql://localhost/tokarc")
    ids = workers.enqueue([job_id])          # after Collector.job_for(spec)
    print(workers.status())                  # {'todo': 1, 'doing': 0, ...}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy

if TYPE_CHECKING:
    from ._limits import SharedLimits
    from ._queue import QueueStatus, Workers, require_postgres
    from ._run import run_worker
    from ._runtime import WorkerRuntime

# Loaded when first used: procrastinate costs ~90 ms to import, and every store imports this
# package's migration set (``_schema``), so opening a store would pay for it.
_WHERE = {
    "SharedLimits": "._limits",
    "QueueStatus": "._queue",
    "Workers": "._queue",
    "require_postgres": "._queue",
    "WorkerRuntime": "._runtime",
    "run_worker": "._run",
}

__getattr__ = lazy(__name__, _WHERE)


__all__ = [
    "QueueStatus",
    "SharedLimits",
    "WorkerRuntime",
    "Workers",
    "require_postgres",
    "run_worker",
]
