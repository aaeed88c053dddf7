"""Many targets in one command: ``tokarc hashtag magic cats dance``, ``--from-file tags.txt``.

One job per target, ``--concurrency`` of them at a time (:class:`tokarc.collect.Many`), one
store, one ``--max-units`` shared by all, one progress display with a line per running target,
and a summary line per target as it ends, then one for the whole run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from ..collect import EXPANSION_KIND as KIND
from ..collect import (
    Collector,
    Events,
    JobReport,
    JobSpec,
    Many,
    ManyResult,
    PipeClosed,
    Sink,
    Stream,
    estimate,
    output_entity,
    target_label,
    write_run,
)
from ..dataset.export import Run
from ..status import JobStatus, StopReason
from ..store import Store, redact
from . import _cap, _errors
from ._app import Session
from ._collect import (
    RunOptions,
    check_sink,
    open_sink,
    print_estimate,
    stored_job,
    summary,
)
from ._progress import Fitting, enabled
from ._signals import stop_on_signals, stopped
from ._stores import existing
from ._stream import quiet_stdout
from ._text import safe
from ._workers import enqueue

#: Pages each run fetches ahead of its writer (see ``Collector(ahead=...)``).
AHEAD = 1


def collect_many(
    state: Session, specs: Sequence[JobSpec], sink: Sink, run: RunOptions, concurrency: int
) -> None:
    """Run one job per spec into ``sink``; exit 1 if a target failed, 130/143 if stopped."""
    if run.estimate:
        return _estimates(specs)
    if state.media is not None:
        raise _errors.CLIError(
            "--media goes with one target: with many, download their media "
            "afterwards with `tokarc media --db DB`"
        )
    if state.enqueue:
        return enqueue(state, specs, sink.db, state.queue)
    check_sink(sink)
    entity = output_entity(specs[0])
    stream = _Locked(Stream.of(entity)) if sink.streams else None
    with state.client() as client, open_sink(sink) as store:
        # Each run fetches its next page while it writes the last: the API's latency and the
        # store's writing overlap (a stop throws at most one fetched page per run away).
        collector = Collector(client, store, on_records=stream, ahead=AHEAD)
        after = store.last_page_id()
        many = Many(collector, concurrency=concurrency, max_units=run.max_units, wait=run.wait)
        with stop_on_signals(), _display(state) as many.events:
            result = many.run(specs)
        if stream is None and result.reports:
            ids = [r.job_id for r in result.reports]
            this_run = Run(ids[0], after, tuple(ids[1:]))  # what -o writes: this run's records
            try:
                write_run(store, specs[0], sink, this_run, quietly=result.error is not None)
            except PipeClosed:
                quiet_stdout()  # CSV or Parquet on stdout, its reader gone: the run is stored
    return _finish(state, result, sink)


def resume_many(
    state: Session,
    db: str,
    job_ids: Sequence[int],
    overrides: dict[str, Any],
    *,
    concurrency: int,
    wait: bool = False,
) -> None:
    """``tokarc resume 2 3 5``: the stored jobs, each from its checkpoint, run together."""
    with existing(db) as store:
        specs = [_stored_spec(store, job_id, overrides) for job_id in dict.fromkeys(job_ids)]
    run = RunOptions(max_units=overrides.get("max_units"), wait=wait)
    collect_many(state, specs, Sink(db=db), run, concurrency)


def _stored_spec(store: Store, job_id: int, overrides: dict[str, Any]) -> JobSpec:
    job = stored_job(store, job_id)
    if job.kind == KIND:
        raise _errors.CLIError(
            f"invalid job {job_id}: an expansion resumes alone (tokarc resume {job_id} --db ...)"
        )
    spec = JobSpec.from_job(job.kind, job.target, job.options)
    return JobSpec(**{**spec.__dict__, **overrides}) if overrides else spec


def _estimates(specs: Sequence[JobSpec]) -> None:
    for spec in specs:
        print_estimate(spec)
    units = [estimate(spec).units for spec in specs]
    total = "?" if None in units else f"{sum(u or 0 for u in units):,}"
    print(f"{len(specs)} targets: {total} units at most in all; nothing sent")


class _Locked:
    """The stdout stream, one page at a time (runs commit pages from many threads); a closed
    pipe stops them all."""

    def __init__(self, stream: Stream) -> None:
        self.stream, self.closed = stream, False
        self._lock = threading.Lock()

    def __call__(self, records: list[Any]) -> None:
        with self._lock:
            if self.closed:
                return
            try:
                self.stream(records)
            except PipeClosed:
                self.closed = True
                quiet_stdout()


def _finish(state: Session, result: ManyResult, sink: Sink) -> None:
    state.say(_total(result))
    if result.error is not None:
        raise _stopped(state, result, sink)
    if result.failed:
        names = ", ".join(safe(r.label or r.target) for r in result.failed[:5])
        more = "" if len(result.failed) <= 5 else f" and {len(result.failed) - 5} more"
        raise _errors.CLIError(
            f"{len(result.failed)} of {len(result.reports)} targets failed: {names}{more}",
            _errors.FAILED,
        )
    budget = [r for r in result.reports if r.stop_reason == StopReason.BUDGET]
    if budget and sink.db:
        again = _cap.stopped_at(_resume(state, result, sink))
        state.say(f"{len(result.unfinished)} targets unfinished; {again}")


def _resume(state: Session, result: ManyResult, sink: Sink) -> str:
    """The command that goes on with the unfinished jobs (each from its checkpoint)."""
    ids = " ".join(str(i) for i in result.unfinished)
    return f"tokarc{state.flags()} resume {ids} --db {sink.db}"


def _total(result: ManyResult) -> str:
    by_status: dict[str, int] = {}
    for report in result.reports:
        by_status[report.status] = by_status.get(report.status, 0) + 1
    counts = ", ".join(f"{n} {status}" for status, n in by_status.items())
    new = sum(r.new for r in result.reports)
    items = sum(r.returned for r in result.reports)
    skipped = f", {len(result.not_started)} not started" if result.not_started else ""
    return (
        f"{len(result.reports) + len(result.not_started)} targets: {counts}{skipped}; "
        f"{items} items, {new} new, {result.units} units"
    )


def _stopped(state: Session, result: ManyResult, sink: Sink) -> _errors.CLIError:
    """The exit of a run that was stopped: by a signal (its exit code) or a fatal error."""
    exc = result.error
    hint = (
        f"; stored records are kept, go on with: {_resume(state, result, sink)}" if sink.db else ""
    )
    assert exc is not None
    if (by_signal := stopped(exc, hint)) is not None:
        return by_signal
    code, message = _errors.describe(exc)
    return _errors.CLIError(message + hint, code)


@contextmanager
def _display(state: Session) -> Iterator[Events]:
    """A live line per running target (on a terminal, not with --quiet), and a summary line
    per target as it ends (stderr, above the live lines)."""
    console = state.console
    label = TextColumn("[bold]{task.description}")
    pages = TextColumn("· {task.fields[pages]} pages")
    bar = Fitting(
        SpinnerColumn(),
        label,
        TextColumn("{task.completed:,.0f} items"),
        pages,
        TextColumn("· {task.fields[units]} units"),
        TimeElapsedColumn(),
        drop=(pages,),
        label=label,
        console=console,
        disable=not enabled(console, state.quiet),
    )
    lines = _Lines(bar, _say(state, console, bar))
    with bar:
        yield Events(started=lines.started, page=lines.page, ended=lines.ended)


def _say(state: Session, console: Console, bar: Progress) -> Callable[[str], None]:
    if bar.disable:
        return state.say
    return lambda text: console.print(escape(safe(redact(text))))


class _Lines:
    """The progress display's lines, one per running target (keyed by its spec)."""

    def __init__(self, bar: Progress, say: Callable[[str], None]) -> None:
        self.bar, self.say = bar, say
        self.tasks: dict[int, TaskID] = {}
        self.started_at = time.monotonic()

    def started(self, spec: JobSpec) -> None:
        label = f"{spec.kind} {target_label(spec.kind, spec.target, spec.identity())}"[:40]
        self.tasks[id(spec)] = self.bar.add_task(escape(safe(label)), pages=0, units=0)

    def page(self, spec: JobSpec, report: JobReport) -> None:
        task = self.tasks.get(id(spec))
        if task is not None:
            self.bar.update(task, completed=report.returned, pages=report.pages, units=report.units)

    def ended(self, spec: JobSpec, report: JobReport) -> None:
        task = self.tasks.pop(id(spec), None)
        if task is not None:
            self.bar.remove_task(task)
        line = summary(report)
        if report.outcome and report.status != JobStatus.INTERRUPTED:
            line += f": {report.outcome}"
        self.say(line)
