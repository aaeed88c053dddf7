"""Scale-out commands: ``tokarc worker``, ``tokarc queue ...`` and ``--enqueue`` (PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .. import workers as W  # its names load when first used (procrastinate: ~90 ms)
from .._wiring import open_store
from ..collect import JobSpec, job_for
from ..store import redact
from . import _errors
from . import _options as O
from ._app import Session, session
from ._text import safe

QUEUE_HELP = (
    "The queue of collection jobs and watches that workers run (PostgreSQL).\n\n"
    "Example: tokarc queue status --db postgresql://localhost/tokarc"
)

Queue = Annotated[str, typer.Option("--queue", help="The queue to use.")]
Json = Annotated[bool, typer.Option("--json", help="JSON on stdout instead of a table.")]
Ids = Annotated[list[int] | None, typer.Argument(help="Queue job ids (see `queue status`).")]


def _workers(db: str, what: str) -> W.Workers:
    """The queue of ``db`` (a usage error when it is not PostgreSQL or procrastinate is
    missing)."""
    W.require_postgres(db, what)
    try:
        return W.Workers(db)
    except ImportError as exc:
        message = f"{what} needs procrastinate: pip install 'tokarc[workers]' ({exc})"
        raise _errors.CLIError(message) from None


def enqueue(state: Session, specs: Sequence[JobSpec], db: str | None, queue: str) -> None:
    """Create (or find) each spec's job and queue it for the workers; print the job ids."""
    W.require_postgres(db or "", "--enqueue")
    assert db is not None
    with open_store(db) as store:
        job_ids = [job_for(store, spec).id for spec in specs]
    queued = W.Workers(db).enqueue(job_ids, queue=queue)
    for spec, job_id, queued_as in zip(specs, job_ids, queued, strict=True):
        how = "queued" if queued_as is not None else "already queued"
        print(job_id)
        state.say(f"job {job_id} {spec.kind} {safe(spec.target)}: {how} on {safe(queue)!r}")


def worker(
    ctx: typer.Context,
    db: O.DbRequired,
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs this worker runs at once.")] = 1,
    queue: Annotated[
        list[str] | None, typer.Option("--queue", help="Only these queues (default: all).")
    ] = None,
    requests_per_second: Annotated[
        float | None,
        typer.Option(
            min=0, help="Set the request rate shared by every worker.", show_default=False
        ),
    ] = None,
    daily_units: Annotated[
        int | None,
        typer.Option(
            min=0, help="Set the daily unit budget shared by every worker.", show_default=False
        ),
    ] = None,
    once: Annotated[bool, typer.Option(help="Exit when the queue is empty.")] = False,
    stalled_after: Annotated[
        float,
        typer.Option(min=1, help="Seconds without a heartbeat before a worker counts as dead."),
    ] = 30.0,
) -> None:
    """Run queued collection jobs and due watches until SIGTERM or Ctrl-C (PostgreSQL).

    A signal stops each running job at its next page boundary: its checkpoint is saved and it
    goes back to the queue for any worker. Jobs of a worker that died are retried from their
    checkpoints by the others.

    Example: tokarc worker --db postgresql://localhost/tokarc --concurrency 4
    """
    state = session(ctx)
    _workers(db, "tokarc worker")
    if requests_per_second is not None or daily_units is not None:
        with open_store(db) as store:
            W.SharedLimits(store).configure(rate=requests_per_second or None, budget=daily_units)
    runtime = W.WorkerRuntime(db=db, client=state.client, stalled_after=stalled_after)
    state.say(
        f"worker on {redact(db)}: concurrency {concurrency}, "
        f"queues {', '.join(queue) if queue else 'all'}"
    )
    W.run_worker(runtime, concurrency=concurrency, queues=queue, wait=not once)
    state.say("worker stopped")


def queue_status(db: O.DbRequired, queue: Queue | None = None, as_json: Json = False) -> None:
    """Counts of queued jobs by state, and the jobs queued, running or failed.

    Example: tokarc queue status --db postgresql://localhost/tokarc --json
    """
    result = _workers(db, "tokarc queue status").status(queue=queue)
    if as_json:
        print(json.dumps({"counts": result.counts, "jobs": result.jobs}, indent=2))
        return
    table = Table(title="queue", title_justify="left")
    for name in ("state", "jobs"):
        table.add_column(name)
    for name, count in result.counts.items():
        table.add_row(name, str(count))
    Console(highlight=False).print(table)
    for job in result.jobs:
        what = f"job {job['job_id']}" if job["job_id"] else f"watch {job['watch_id']}"
        print(f"{job['id']}\t{job['state']}\t{what}\tattempts {job['attempts']}\t{job['queue']}")


def queue_wait(
    db: O.DbRequired,
    timeout: Annotated[
        float | None, typer.Option(min=0, help="Give up after S seconds (exit 1).")
    ] = None,
) -> None:
    """Block until nothing is queued or running: exit 0, or 1 at the timeout.

    Example: tokarc queue wait --db postgresql://localhost/tokarc --timeout 600
    """
    if not _workers(db, "tokarc queue wait").wait(timeout=timeout):
        raise _errors.CLIError(f"still busy after {timeout:g} s", _errors.FAILED)


def queue_retry(db: O.DbRequired, ids: Ids = None) -> None:
    """Queue failed or stuck jobs again (default: every failed one).

    Example: tokarc queue retry --db postgresql://localhost/tokarc 17 18
    """
    done = _workers(db, "tokarc queue retry").retry(list(ids or []))
    print(f"{len(done)} queued again" + (f": {', '.join(map(str, done))}" if done else ""))


def queue_cancel(db: O.DbRequired, ids: Ids = None) -> None:
    """Cancel queued jobs; running ones stop at their next page, checkpointed.

    Example: tokarc queue cancel --db postgresql://localhost/tokarc 17
    """
    if not ids:
        raise _errors.CLIError("give the ids of the queue jobs to cancel (see `queue status`)")
    done = _workers(db, "tokarc queue cancel").cancel(list(ids))
    print(f"{len(done)} cancelled: {', '.join(map(str, done))}")
