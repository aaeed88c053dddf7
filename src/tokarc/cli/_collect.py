"""Running a collection job from the command line: store, progress, output, resume hints."""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .._time import parse_since
from .._wiring import open_store
from ..collect import (
    MISSING,
    CollectInto,
    Collector,
    JobReport,
    JobRunningError,
    JobSpec,
    PipeClosed,
    Sink,
    estimate,
    kind,
    post_ids,
    target_label,
    worst_case,
)
from ..collect import open_sink as _open_sink
from ..status import JobStatus, StopReason
from ..store import Job, Store
from . import _cap, _errors
from ._app import Session
from ._media import during_collection
from ._progress import job_progress
from ._signals import stop_on_signals, stopped
from ._stores import check_output
from ._stream import quiet_stdout
from ._text import safe
from ._workers import enqueue


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """How a collecting command runs its jobs (its options, see ``_job_options``)."""

    max_items: int | None = None
    max_units: int | None = None
    incremental: bool = True  # a rerun of a finished job collects what is new
    estimate: bool = False
    wait: bool = False


def build_spec(
    kind: str,
    target: str = "",
    *,
    run: RunOptions,
    days: float | None = None,
    since: str | None = None,
    **options: Any,
) -> JobSpec:
    """A checked job spec (InvalidInputError for bad input: nothing is sent)."""
    if days is not None and since is not None:
        raise _errors.CLIError("give --days or --since, not both")
    if since is not None:
        options["since"] = parse_since(since)
    return JobSpec.build(
        kind,
        target,
        days=days,
        max_items=run.max_items,
        max_units=run.max_units,
        incremental=run.incremental,
        **options,
    )


def collect(state: Session, spec: JobSpec, sink: Sink, run: RunOptions) -> None:
    """Run ``spec`` into ``sink`` (:class:`tokarc.collect.CollectInto`, with the store opened
    as every command opens it) with a progress bar, then say what it did."""
    if run.estimate:
        return print_estimate(spec)
    if state.enqueue:
        return enqueue(state, [spec], sink.db, state.queue)
    check_sink(sink)
    uncapped = estimate(JobSpec(**{**spec.__dict__, "max_units": None}))
    _cap.confirm_over_cap(uncapped.units, f"{spec.kind} {spec.target or ' '.join(spec.ids)}")
    with state.client() as client:
        into = CollectInto(client, spec, sink, opener=open_store)
        try:
            report = into(wait=run.wait, during=lambda c: _progress(state, c, spec))
        except PipeClosed:
            return _pipe_closed(state, into.job, sink)
        except BaseException as exc:
            raise _failed(state, exc, into.job.id if into.job else None, sink) from exc
    finish(state, report, sink)
    return None


def resume(state: Session, db: str, job_id: int, *, wait: bool = False, **overrides: Any) -> None:
    """Run the stored job ``job_id`` on from its checkpoint."""
    sink = Sink(db=db)
    with state.client() as client, open_sink(sink) as store:
        collector = Collector(client, store)
        job = stored_job(store, job_id)
        spec = JobSpec.from_job(job.kind, job.target, job.options)
        try:
            with _progress(state, collector, spec) as on_page:
                collector.on_page = on_page
                report = collector.resume(job_id, wait=wait, **overrides)
        except BaseException as exc:
            raise _failed(state, exc, job_id, sink) from exc
    finish(state, report, sink)


def _pipe_closed(state: Session, job: Job | None, sink: Sink) -> None:
    """The reader of stdout went away (``| head``): the run ends there, quietly, exit 0."""
    quiet_stdout()
    if job is None:
        return None
    if job.status != JobStatus.INTERRUPTED:
        return state.say(f"job {job.id}: {job.status}; the output was closed before its end")
    hint = f"; go on with: tokarc{state.flags()} resume {job.id} --db {sink.db}" if sink.db else ""
    return state.say(f"job {job.id}: output closed, stopped at a page boundary{hint}")


def print_estimate(spec: JobSpec) -> None:
    est = estimate(spec)
    calls = "?" if est.calls is None else f"{est.calls:,}"
    units = "?" if est.units is None else f"{est.units:,}"
    print(
        safe(
            f"{spec.kind} {spec.target or ' '.join(spec.ids)}: {calls} calls, {units} units "
            f"at most ({_errors.as_typed(est.note, est.params)}); nothing sent"
        )
    )


def fits_budget(spec: JobSpec) -> bool:
    """Whether the job's first call fits in its ``max_units`` (always, without one)."""
    api = spec.job_kind.api
    return spec.max_units is None or worst_case(api, spec.call_params()) <= spec.max_units


def finish(state: Session, report: JobReport, sink: Sink) -> None:
    """The run's summary on stderr; a failed target (private, not found...) exits 1."""
    state.say(report.note if report.already_done and report.note else summary(report))
    if report.found:
        state.say(nothing_found(report))
    if report.outcome:
        message = _errors.api_message(report.error) if report.error else report.outcome
        raise _errors.CLIError(message, _errors.FAILED)
    if report.stop_reason == StopReason.BUDGET and report.unsent and not report.pages:
        raise _errors.CLIError(
            f"not sent: {report.unsent}; raise --max-units or bound the job (--max-items)",
            _errors.FAILED,
        )
    if report.stop_reason == StopReason.BUDGET and sink.db:
        again = f"tokarc{state.flags()} resume {report.job_id} --db {sink.db}"
        state.say(_cap.stopped_at(again))


def nothing_found(r: JobReport) -> str:
    """What the API answered with nothing: ``#zzzznotatag123: no posts (1 unit)``."""
    spent = f"({r.units:,} unit{'' if r.units == 1 else 's'})"
    if r.found and r.found.startswith(MISSING):
        ids = r.found.removeprefix(MISSING).split()
        return safe(f"{len(ids)} of the posts asked for not found: {', '.join(ids)} {spent}")
    record = kind(r.kind).api.record or "post"
    label = {"hashtag": f"#{r.target}", "keyword": repr(r.target)}.get(r.kind, r.label or r.target)
    if r.kind in _PARENTS:  # the API answers a missing parent as one without children
        parent, children = _PARENTS[r.kind]
        return safe(f"{parent} {r.target}: no {children}; it does not exist or has none {spent}")
    return safe(f"{label}: no {_plural(record)} {spent}")


_PARENTS = {"comments": ("post", "comments"), "replies": ("comment", "replies")}


def _plural(record: str) -> str:
    return {"user_web": "users", "music": "sounds", "reply": "replies"}.get(record, record + "s")


def summary(r: JobReport) -> str:
    counts = f"{r.returned} items, {r.new} new, {r.duplicates} duplicates, {r.units} units"
    head = f"job {r.job_id} {r.kind} {r.label or r.target}: {r.ended}"
    gone = f", {r.gone} marked gone" if r.gone else ""
    covers = f"; {r.coverage}" if r.coverage else ""
    note = f"; {r.note}" if r.note else ""
    return f"{head}, {r.pages} pages, {counts}{gone}{covers}{note}"


@contextlib.contextmanager
def _progress(
    state: Session, collector: Collector, spec: JobSpec
) -> Iterator[Callable[[JobReport], None]]:
    """While a job runs: signals stop it at a page boundary, a progress bar counts its pages,
    and ``--media`` downloads what each page found; yields the collector's ``on_page``."""
    label = f"{spec.kind} {target_label(spec.kind, spec.target, spec.identity())}"[:40]
    with (
        stop_on_signals(),
        job_progress(state.console, label, total=spec.max_items, quiet=state.quiet) as on_page,
        during_collection(state, collector, spec, on_page) as on_page_with_media,
    ):
        yield on_page_with_media


def _failed(state: Session, exc: BaseException, job_id: int | None, sink: Sink) -> BaseException:
    """The error to exit with, adding how to resume when the records are in a kept store."""
    hint = ""
    if sink.db and job_id is not None:
        again = f"tokarc{state.flags()} resume {job_id} --db {sink.db}"
        hint = f"; stored records are kept, resume with: {again}"
    if isinstance(exc, JobRunningError):
        return _errors.CLIError(str(exc), _errors.FAILED)
    if (by_signal := stopped(exc, hint)) is not None:
        return by_signal
    if not isinstance(exc, Exception):
        return exc
    code, message = _errors.describe(exc)
    if state.verbose:
        traceback.print_exception(exc, file=sys.stderr)
    return _errors.CLIError(message + hint, code)


def check_sink(sink: Sink) -> None:
    """Exit 2, before anything is opened or sent, for an output that cannot be written."""
    check_output(sink.out, sink.db)
    sink.fmt()  # a suffix that names no format
    if sink.fmt() == "parquet" and sink.export_to == "-" and sys.stdout.isatty():
        raise _errors.CLIError("invalid --format parquet to a terminal: give -o FILE.parquet")


def open_sink(sink: Sink) -> contextlib.AbstractContextManager[Store]:
    """The sink's store as every command opens it (every package's tables), or a temporary
    one."""
    return _open_sink(sink, open_store)


def stored_job(store: Store, job_id: int) -> Any:
    try:
        return store.get_job(job_id)
    except KeyError:
        raise _errors.CLIError(
            f"invalid job {job_id}: no such job in this database (see `tokarc jobs --db ...`)"
        ) from None


def ids_of(values: Sequence[str]) -> list[str]:
    """Post ids from ids or URLs (InvalidInputError naming a bad one)."""
    return post_ids(list(values))
