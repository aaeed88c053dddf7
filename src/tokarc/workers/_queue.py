"""Enqueue collection jobs and watch the queue: what ``tokarc --enqueue`` and ``tokarc queue``
call. Needs a PostgreSQL database (procrastinate's tables are created in it on first use)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import procrastinate
import psycopg

from ..errors import InvalidInputError
from ..store import is_postgres_url
from ._app import _conninfo, ensure_schema, new_app
from ._tasks import COLLECT_JOB, DEFAULT_QUEUE, RUN_WATCH, defer_job

STATES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")
_LIVE = ("todo", "doing")

# The work: collection jobs and watch runs (not the periodic housekeeping every worker defers).
WORK_TASKS = [COLLECT_JOB, RUN_WATCH]
_COUNTS = (
    "SELECT status::text, count(*) FROM procrastinate_jobs WHERE task_name = ANY(%s) {and_queue} "
    "GROUP BY status"
)
_JOBS = (
    "SELECT id, status::text, task_name, args->>'job_id', args->>'watch_id', attempts, queue_name "
    "FROM procrastinate_jobs WHERE status = ANY(%s) AND task_name = ANY(%s) ORDER BY id"
)


def require_postgres(db: str, what: str) -> None:
    """Refuse SQLite for the scale-out: one line saying why."""
    if not is_postgres_url(db):
        raise InvalidInputError(
            f"{what} needs a PostgreSQL --db (postgresql://...): workers share their queue, "
            "budget and rate limit through it; SQLite is for one process on one machine"
        )


@dataclass(frozen=True)
class QueueStatus:
    """How many queued jobs are in each state, and the live and failed ones by id."""

    counts: dict[str, int]
    jobs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        return any(self.counts.get(s, 0) for s in _LIVE)


class Workers:
    """The queue of the PostgreSQL database at ``db``."""

    def __init__(self, db: str) -> None:
        require_postgres(db, "the queue")
        self.db = db
        ensure_schema(db)

    def enqueue(self, job_ids: list[int], *, queue: str = DEFAULT_QUEUE) -> list[int | None]:
        """Queue each tokarc job (at most once: one already queued is left as it is); the
        procrastinate job id of each, or None where it was already queued."""
        with new_app(self.db).open() as app:
            return [_defer_once(app, job_id, queue) for job_id in job_ids]

    def status(self, *, queue: str | None = None) -> QueueStatus:
        """Counts by state, and the jobs that are queued, running or failed."""
        and_queue, args = (
            ("AND queue_name = %s", (WORK_TASKS, queue)) if queue else ("", (WORK_TASKS,))
        )
        with self._connect() as conn:
            counts = dict.fromkeys(STATES, 0)
            found = conn.execute(_COUNTS.format(and_queue=and_queue), args)
            counts.update({s: int(n) for s, n in found})
            rows = conn.execute(_JOBS, (["todo", "doing", "failed"], WORK_TASKS)).fetchall()
        jobs = [
            {
                "id": r[0],
                "state": r[1],
                "task": r[2],
                "job_id": _int(r[3]),
                "watch_id": _int(r[4]),
                "attempts": r[5],
                "queue": r[6],
            }
            for r in rows
            if queue is None or r[6] == queue
        ]
        return QueueStatus(counts, jobs)

    def wait(self, *, timeout: float | None = None, poll: float = 0.5) -> bool:
        """Block until nothing is queued or running; False if ``timeout`` came first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.status().busy:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(poll)
        return True

    def retry(self, ids: list[int] | None = None) -> list[int]:
        """Queue again the given failed (or stuck) jobs, or every failed one; their ids."""
        targets = ids if ids else [j["id"] for j in self.status().jobs if j["state"] == "failed"]
        with new_app(self.db).open() as app:
            for job_id in targets:
                app.job_manager.retry_job_by_id(job_id, retry_at=dt.datetime.now(dt.UTC))
        return targets

    def cancel(self, ids: list[int]) -> list[int]:
        """Cancel queued jobs, and ask running ones to stop at their next page; the ids."""
        with new_app(self.db).open() as app:
            for job_id in ids:
                app.job_manager.cancel_job_by_id(job_id, abort=True)
        return ids

    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(_conninfo(self.db), autocommit=True)


def _defer_once(app: procrastinate.App, job_id: int, queue: str) -> int | None:
    """The procrastinate id of the job ``job_id`` queued, or None if it was queued already."""
    try:
        return defer_job(app, job_id, queue=queue)
    except procrastinate.exceptions.AlreadyEnqueued:
        return None


def _int(text: str | None) -> int | None:
    return int(text) if text else None
