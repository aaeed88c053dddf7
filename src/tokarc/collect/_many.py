"""Many targets at once: one job per target, run concurrently over one client and one store.

Each target's job runs in a thread of its own (at most ``concurrency`` at a time) with the
collector's usual guarantees: its pages and checkpoint commit together, it resumes from its
checkpoint. The runs share the client's connection pool and pacing, the store's one writer
(:mod:`tokarc.store._serial`), and one unit budget (:class:`SharedBudget`), which holds exactly:
a call goes out only when its worst case fits in what is neither spent nor held by calls under
way. A failed target (private, not found...) is that target's outcome; an error that no target
can get past (the token, the account's units, the API unreachable) stops every run at its page
boundary, as :meth:`Many.stop` does.

::

    with tokarc.Client() as client, open_store("tags.db") as store:
        specs = [JobSpec.build("hashtag", tag, days=7) for tag in ("magic", "cats", "dance")]
        result = Many(Collector(client, store), concurrency=3, max_units=100).run(specs)
        print(result.units, "units;", [r.status for r in result.reports])
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .. import errors
from ..status import JobStatus, StopReason
from ._budget import Hooks, LocalBudget
from ._lease import JobRunningError
from ._runner import Collector, JobReport, one_line
from ._spec import JobSpec

T = TypeVar("T")
R = TypeVar("R")

#: Targets run at once unless told otherwise: enough to hide the API's latency, few enough
#: for two cores to decode and write what arrives.
DEFAULT_CONCURRENCY = 4

#: Errors no target gets past: every run stops at its page boundary.
FATAL_ERRORS = (
    errors.InvalidTokenError,
    errors.UnverifiedEmailError,
    errors.SubscriptionExpiredError,
    errors.UnitsDepletedError,
    errors.MissingTokenError,
    errors.ConnectError,
)


class SharedBudget(Hooks):
    """One unit budget for runs in many threads (``limit`` None: unbounded, only counted).

    Its :meth:`guard` runs before every attempt and holds the call's worst case for the thread
    making it; its :meth:`listener` runs after the attempt and replaces what was held with what
    the API charged. So spent + held never exceeds the limit, whatever the threads do.
    """

    def __init__(self, limit: int | None = None, stop: threading.Event | None = None) -> None:
        self.units = LocalBudget(limit, "shared budget")
        super().__init__(self.units, stop=stop)

    @property
    def limit(self) -> int | None:
        return self.units.limit

    @property
    def spent(self) -> int:
        return self.units.spent

    def left(self) -> int | None:
        """Units neither spent nor held (None without a limit)."""
        return self.units.left()


@dataclass
class ManyResult:
    """What a many-targets run did: a report per target that ran (in the order given),
    the targets not started (stopped first), the units charged, and what stopped it all."""

    reports: list[JobReport] = field(default_factory=list)
    not_started: list[JobSpec] = field(default_factory=list)
    job_ids: list[int] = field(default_factory=list)  # each target's job, in the order given
    units: int = 0
    error: BaseException | None = None  # a fatal error, or the Ctrl-C / signal that stopped it

    @property
    def failed(self) -> list[JobReport]:
        return [r for r in self.reports if not r.ok]

    @property
    def unfinished(self) -> list[int]:
        """The jobs to resume: stopped (budget, signal, error) or not started."""
        ended = {r.job_id for r in self.reports if r.status in (JobStatus.DONE, JobStatus.FAILED)}
        return [job_id for job_id in self.job_ids if job_id not in ended]


#: Called as a target starts (its spec), after each of its committed pages, and as it ends.
Started = Callable[[JobSpec], None]
Paged = Callable[[JobSpec, JobReport], None]


@dataclass
class Events:
    started: Started | None = None
    page: Paged | None = None
    ended: Paged | None = None


class Many:
    """Runs one job per target, ``concurrency`` at a time, within one shared ``max_units``."""

    def __init__(
        self,
        collector: Collector,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_units: int | None = None,
        wait: bool = False,
        events: Events | None = None,
    ) -> None:
        if concurrency < 1:
            raise errors.InvalidInputError(f"invalid concurrency {concurrency}: at least 1")
        self.collector = collector
        self.concurrency = concurrency
        self.wait = wait
        self.events = events or Events()
        self.budget = SharedBudget(max_units)
        self._error: BaseException | None = None

    def stop(self) -> None:
        """Every run stops before its next call (its job interrupted, resumable); targets not
        started are not started."""
        self.budget.stop.set()

    def run(self, specs: Sequence[JobSpec]) -> ManyResult:
        """Run every spec's job; returns when all have ended. A Ctrl-C (or a signal raising
        in the main thread) stops the runs at their page boundaries and is the result's
        ``error``: it is not raised."""
        for spec in specs:
            spec.check()
        # Every target's job, in the order given (ids follow it; one not started is resumable).
        job_ids = [self.collector.job_for(spec).id for spec in specs]
        reports = self.map(self._one, list(zip(specs, job_ids, strict=True)))
        return ManyResult(
            reports=[r for r in reports if r is not None],
            not_started=[spec for spec, r in zip(specs, reports, strict=True) if r is None],
            job_ids=job_ids,
            units=self.budget.spent,
            error=self._error,
        )

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R | None]:
        """``fn(item)`` for each item, ``concurrency`` at a time, in order of start, within
        the shared budget; None for an item not started (stopped first). A Ctrl-C stops every
        call at its page boundary and becomes :attr:`error`; an exception ``fn`` raises stops
        the others too, and is raised once all have ended."""
        results: list[R | None] = [None] * len(items)
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="tokarc-target") as pool:
            futures = {pool.submit(self._scoped, fn, item): i for i, item in enumerate(items)}
            raised = self._wait(futures, results)
        if raised is not None:
            raise raised
        return results

    @property
    def error(self) -> BaseException | None:
        """What stopped every run: a Ctrl-C or signal, or an error no target gets past."""
        return self._error

    def _scoped(self, fn: Callable[[T], R], item: T) -> R | None:
        if self.budget.stop.is_set():
            return None  # stopped before this item's turn
        client = self.collector.client
        self.budget.begin()
        try:
            with client.scope(listener=self.budget.listener, guard=self.budget.guard):
                return fn(item)
        finally:
            self.budget.release()

    def _wait(self, futures: dict[Future[Any], int], results: list[Any]) -> BaseException | None:
        pending, raised = set(futures), None
        while pending:
            try:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP: all stop, none lost
                self._error = self._error or exc
                self.stop()
                continue
            for future in done:
                if (failed := future.exception()) is not None:
                    raised = raised or failed
                    self.stop()
                else:
                    results[futures[future]] = future.result()
        return raised

    def _one(self, target: tuple[JobSpec, int]) -> JobReport:
        spec = target[0]
        if self.events.started:
            self.events.started(spec)
        report = self._collect(*target)
        if self.events.ended:
            self.events.ended(spec, report)
        return report

    def _collect(self, spec: JobSpec, job_id: int) -> JobReport:
        seen = _Latest(spec, self.events.page)
        try:
            return self.collector.run(spec, wait=self.wait, on_page=seen)
        except JobRunningError as exc:
            return self._failed(job_id, seen.report, exc, JobStatus.STOPPED)
        except FATAL_ERRORS as exc:
            self._error = self._error or exc
            self.stop()
            return self._failed(job_id, seen.report, exc, JobStatus.INTERRUPTED)
        except Exception as exc:  # this target's walk failed (the API, the network): recorded
            return self._failed(job_id, seen.report, exc, JobStatus.INTERRUPTED)

    def _failed(
        self, job_id: int, report: JobReport | None, exc: Exception, status: str
    ) -> JobReport:
        """The report of a run that raised: the collector's (its job interrupted at its last
        committed page), or one of the job as stored when it ended before a page; the error
        its outcome."""
        if report is None:
            job = self.collector.store.get_job(job_id)
            report = JobReport.of(job, stop_reason=job.stop_reason)
        report.status, report.outcome = status, one_line(exc)
        report.stop_reason = report.stop_reason or StopReason.INTERRUPTED
        report.error = exc if isinstance(exc, errors.APIError) else None
        return report


class _Latest:
    """A run's ``on_page``: keeps its report (the collector's own, updated to the end) and
    passes it on."""

    def __init__(self, spec: JobSpec, then: Paged | None) -> None:
        self.spec, self.then = spec, then
        self.report: JobReport | None = None

    def __call__(self, report: JobReport) -> None:
        self.report = report
        if self.then is not None:
            self.then(self.spec, report)
