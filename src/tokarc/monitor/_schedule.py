"""The scheduler: run every due watch once (a tick), or tick until stopped.

Each due watch is claimed (``_lock.py``), run as an incremental collection job on a thread of
its own, with its own client and its own store connection, and released with when it is due
next. The clock is a parameter, so tests drive the scheduler with the emulator's world clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..client import CallEvent, Client
from ..collect import BUDGET, Collector, JobReport, JobSpec
from ..status import JobStatus, RunStatus, StopReason
from ..store import Store, TransientError, open_store
from . import _follow, _lock
from ._alerts import Delivery, RunFacts, after_run
from ._schema import MIGRATIONS
from ._specs import build, producers, rehydrate_ids
from ._watches import Watch, Watches, day_of, db, iso, next_midnight

Clock = Callable[[], float]
ClientFactory = Callable[[], Client]
#: How a kind of watch that makes no request runs (``digest``: ``tokarc.report.RUNNERS``):
#: given the store, the watch as claimed, the time and the delivery, whether it went well and
#: what it did.
Runner = Callable[[Store, Watch, float, Delivery], tuple[bool, str]]

#: Watches run at once within a tick (each on a thread with its own client and connection).
WORKERS = 4

# Runs of a job a watch makes when the database gives up on them (``TransientError``).
DB_ATTEMPTS = 3

# Units a job was charged on a day, from the request ledger: every attempt reaches it as it
# happens, also the attempts of a run that was killed before it could record itself.
LEDGER_SPENT = (
    "SELECT COALESCE(SUM(units), 0) FROM requests WHERE job_id = ? AND substr(at, 1, 10) = ?"
)

# How a watch's run went (``watch_runs.status`` and ``watches.last_status``).
OK, BUDGET_REACHED, FAILED, INTERRUPTED, EMPTY = (
    RunStatus.OK,
    RunStatus.BUDGET,
    RunStatus.FAILED,
    RunStatus.INTERRUPTED,
    RunStatus.EMPTY,
)
TARGET_FAILED = StopReason.TARGET  # a job whose target failed (not found, private)


@dataclass
class WatchRun:
    """What one run of one watch did."""

    watch_id: int
    label: str
    status: str
    message: str
    stop_reason: str | None = None
    pages: int = 0
    new: int = 0
    units: int = 0
    gone: int = 0
    job_id: int | None = None

    def line(self) -> str:
        """One line for a terminal: ``hashtag:magic: ok: 12 new, 1 page, 1 unit (caught_up)``."""
        return f"{self.label}: {self.status}: {self.message}"


class Stopping(Exception):
    """Raised between pages when the scheduler is asked to stop (the page is saved)."""


class ClaimLost(Exception):
    """Raised between pages when another tick took the watch over (our lease ran out)."""


@dataclass
class _Tally:
    """The run's units and calls (its own calls' events, even on a client other runs share),
    and the job's last page report."""

    units: int = 0
    calls: int = 0
    report: JobReport | None = None
    gone: int = 0
    job_id: int | None = None
    ids: list[str] = field(default_factory=list)

    def on_call(self, event: CallEvent) -> None:
        self.units += event.units_charged
        self.calls += 1


class Scheduler:
    """Runs due watches of the store at ``db`` (a SQLite path or a PostgreSQL URL).

    ::

        scheduler = Scheduler("magic.db", lambda: tokarc.Client(token), clock=time.time)
        for run in scheduler.tick():
            print(run.line())

    ``clock`` gives unix seconds (default: wall time); ``workers`` watches run at once;
    ``lease`` is how long a claim holds without renewal; ``delivery`` posts alerts (retries
    and backoff, ``_alerts.py``); ``runners`` run the kinds of watch that make no request
    (a layer above gives them: ``runners=tokarc.report.RUNNERS`` runs ``digest`` watches; a
    watch without one fails its runs, saying so). :meth:`stop` (e.g. from a signal handler)
    makes runs end after their current page and releases their claims.
    """

    def __init__(
        self,
        db: str,
        client: ClientFactory,
        *,
        clock: Clock = time.time,
        workers: int = WORKERS,
        lease: float = _lock.LEASE_SECONDS,
        owner: str | None = None,
        delivery: Delivery | None = None,
        stop: threading.Event | None = None,
        runners: Mapping[str, Runner] | None = None,
    ) -> None:
        self.db, self.client, self.clock = db, client, clock
        self.runners = dict(runners or {})
        self.delivery = delivery or Delivery()
        self.workers, self.lease = max(1, workers), lease
        self.owner = owner or _lock.owner_id()
        self._stop = stop or threading.Event()  # a worker shares its own

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        """Finish the current page of each running watch, release the claims, run no more."""
        self._stop.set()

    def due(self) -> list[Watch]:
        """Watches due now (not paused, not held by a live claim)."""
        with open_store(self.db, migrations=MIGRATIONS) as store:
            return Watches(store).due(self.clock())

    def tick(self) -> list[WatchRun]:
        """Run every due watch once, up to ``workers`` at a time; what each run did.

        A watch that reads what another due watch collects (``posts hashtag:magic``) runs once
        that one has run. A watch another tick holds is left to it (and not in the result).
        """
        runs: list[WatchRun | None] = []
        for stage in stages(self.due()):  # what a watch reads is collected before it runs
            if self.stopping:
                break
            with ThreadPoolExecutor(min(self.workers, len(stage)), "tokarc-watch") as pool:
                runs += pool.map(self._claim_and_run, stage)
        return [r for r in runs if r is not None]

    def run(
        self,
        *,
        poll: float = 30.0,
        max_ticks: int | None = None,
        on_tick: Callable[[list[WatchRun]], Any] | None = None,
    ) -> int:
        """Tick, wait ``poll`` seconds (real time), again, until :meth:`stop` or ``max_ticks``;
        returns the number of ticks."""
        ticks = 0
        while not self.stopping and (max_ticks is None or ticks < max_ticks):
            runs = self.tick()
            ticks += 1
            if on_tick is not None:
                on_tick(runs)
            if max_ticks is None or ticks < max_ticks:
                self._stop.wait(poll)
        return ticks

    def run_one(self, watch_id: int) -> WatchRun | None:
        """Run the watch ``watch_id`` once if it is due and free; None if not (a worker's
        task: the claim still guards it, so a watch queued twice runs once)."""
        with open_store(self.db, migrations=MIGRATIONS) as store:
            watch = Watches(store).get(watch_id)
        return self._claim_and_run(watch)

    # -- one watch -----------------------------------------------------------------------

    def _claim_and_run(self, watch: Watch) -> WatchRun | None:
        if self.stopping:
            return None
        with open_store(self.db, migrations=MIGRATIONS) as store:
            started = self.clock()
            if not _lock.claim(db(store), watch.id, self.owner, started, self.lease):
                return None
            watches = Watches(store)
            current = watches.get(watch.id)
            # ended by a crash (KeyboardInterrupt...): a run that fetched is due an interval
            # later; one that only sends is due as it was, so its period is sent again
            run, next_due = _failed(current), started + current.every_s
            if not current.spec.requests:
                next_due = current.next_due
            try:
                run, next_due = self._run(store, current, started)
            finally:
                self._release(store, current, run, next_due)
            if run.status in (OK, FAILED):
                failed = run.status == FAILED and run.stop_reason == TARGET_FAILED
                watches.count_failure(current.id, failed)
            return run

    def _run(self, store: Store, watch: Watch, now: float) -> tuple[WatchRun, float]:
        if not watch.spec.requests:
            return self._run_without_requests(store, watch, now), now + watch.every_s
        watches = Watches(store)
        day = day_of(now)
        remaining = None if watch.budget is None else watch.budget - spent(store, watch, day)
        if remaining is not None and remaining < 1:
            return _budget_run(watch, day), max(now + watch.every_s, next_midnight(now))
        tally = _Tally(job_id=watch.job_id)
        run = self._collect(store, watch, now, remaining, tally)
        if run.status == EMPTY and (waiting := _unrun_producers(store, watch)):
            run.message += f" yet: due again once {', '.join(waiting)} has run"
            return run, now  # not a period away: its producer has not collected anything yet
        if run.status != EMPTY:
            renamed = _renamed(store, watch, run)
            run_id = watches.record_run(_run_row(run, day, iso(now), iso(self.clock())))
            facts = RunFacts(run_id, now, run.new, run.gone, run.job_id, renamed)
            after_run(store, watch, facts, self.clock(), self.delivery)
        if run.status == BUDGET_REACHED:
            return run, max(now + watch.every_s, next_midnight(now))
        return run, now if run.status == INTERRUPTED else now + watch.every_s

    def _run_without_requests(self, store: Store, watch: Watch, now: float) -> WatchRun:
        """A watch that spends no units (a digest) runs its runner, recorded like any run."""
        runner = self.runners.get(watch.kind)
        if runner is None:
            ok, message = False, f"this scheduler runs no {watch.kind} watches (no runner given)"
        else:
            try:
                ok, message = runner(store, watch, now, self.delivery)
            except Exception as exc:
                ok, message = False, " ".join(str(exc).split()) or repr(exc)
        run = WatchRun(watch.id, watch.label, OK if ok else FAILED, message)
        Watches(store).record_run(_run_row(run, day_of(now), iso(now), iso(self.clock())))
        return run

    def _collect(
        self, store: Store, watch: Watch, now: float, remaining: int | None, tally: _Tally
    ) -> WatchRun:
        try:
            with self.client() as client, client.scope(listener=tally.on_call):  # this run's
                beat = self._heartbeat(store, watch, tally)
                collector = Collector(
                    client, store, on_page=beat, clock=self.clock, lease=self.lease
                )
                if not _start_job(collector, store, watch, now, remaining, tally):
                    return WatchRun(watch.id, watch.label, EMPTY, "no stored posts to refresh")
        except (Stopping, ClaimLost) as exc:
            return _summary(watch, tally, INTERRUPTED, f"stopped between pages ({exc})")
        except Exception as exc:
            return _summary(watch, tally, FAILED, " ".join(str(exc).split()) or repr(exc))
        return _finished(watch, tally, now)

    def _heartbeat(self, store: Store, watch: Watch, tally: _Tally) -> Callable[[JobReport], None]:
        """After every saved page: stop if asked; renew the claim, or stop if it was lost."""

        def beat(report: JobReport) -> None:
            tally.report = report
            if self.stopping:
                raise Stopping("shutdown requested")
            if not _lock.renew(db(store), watch.id, self.owner, self.clock(), self.lease):
                raise ClaimLost("the claim expired and another tick took the watch")

        return beat

    def _release(self, store: Store, watch: Watch, run: WatchRun, next_due: float) -> None:
        _lock.release(
            db(store),
            watch.id,
            self.owner,
            next_due=next_due,
            at=iso(self.clock()),
            status=run.status,
            message=run.message,
        )


def stages(due: list[Watch]) -> list[list[Watch]]:
    """The due watches in the order a tick runs them: first those that read no other due
    watch's finds, then the rest (a ``posts`` watch reads what hashtag, keyword, user and sound
    watches collect, never another ``posts`` watch's)."""
    later = [w for w in due if producers(w, due)]
    first = [w for w in due if w not in later]
    return [s for s in (first, later) if s]


def _unrun_producers(store: Store, watch: Watch) -> list[str]:
    """The active watches ``watch`` reads from that have never run."""
    found = producers(watch, Watches(store).all())
    return [w.label for w in found if w.last_run_at is None and not w.paused]


def spent(store: Store, watch: Watch, day: str) -> int:
    """Units the watch spent on ``day``: its job's charges in the request ledger (the runs'
    own tally when that says more, as for runs recorded before the job existed)."""
    runs = Watches(store).spent(watch.id, day)
    if watch.job_id is None:
        return runs
    ledger = db(store).query(LEDGER_SPENT, (watch.job_id, day))[0][0]
    return max(runs, int(ledger))


def _start_job(
    collector: Collector,
    store: Store,
    watch: Watch,
    now: float,
    remaining: int | None,
    tally: _Tally,
) -> bool:
    """Run the watch's job (created on its first run); False if there is nothing to run."""
    if watch.kind == "posts":
        tally.ids = rehydrate_ids(store, watch)
        if not tally.ids:
            return False
        spec = JobSpec.build("posts", ids=tally.ids, max_units=remaining)
        overrides: dict[str, Any] = {"ids": tuple(tally.ids), "new_pass": True}
    else:
        spec = build(watch.kind, watch.target, window_s=watch.window_s, now=now)
        overrides = {"since": spec.since, "incremental": True, "new_pass": True}
    if tally.job_id is None:
        tally.job_id = collector.job_for(spec).id
        Watches(store).set_job(watch.id, tally.job_id)
    _follow.pin(collector, store, watch, tally.job_id)  # a user watch: the account, once
    tally.report = _resume(collector, tally.job_id, max_units=remaining, **overrides)
    if watch.kind == "posts":
        tally.gone = len(set(tally.ids) & set(store.post_ids(gone=True)))
    return True


def _resume(collector: Collector, job_id: int, **overrides: Any) -> JobReport:
    """Resume the job; again (from its checkpoint) when the database gave up a transaction
    because of another writer (a PostgreSQL deadlock between two pages sharing authors or
    sounds, a serialization failure, SQLite still locked after its busy timeout)."""
    for attempt in range(1, DB_ATTEMPTS + 1):
        try:
            return collector.resume(job_id, **overrides)
        except TransientError:
            if attempt == DB_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _finished(watch: Watch, tally: _Tally, now: float) -> WatchRun:
    report = tally.report
    assert report is not None
    if report.stop_reason == BUDGET:
        until = iso(next_midnight(now))
        message = (
            f"hit its budget of {watch.budget} units for {day_of(now)}: stopped until "
            f"{until} ({report.new} new, {report.units} units)"
        )
        return _summary(watch, tally, BUDGET_REACHED, message)
    if report.status == JobStatus.FAILED:
        return _summary(watch, tally, FAILED, report.outcome or "the target failed")
    gone = f", {tally.gone} gone" if watch.kind == "posts" else ""
    message = (
        f"{report.new} new, {_n(report.pages, 'page')}, {_n(tally.units, 'unit')}"
        f"{gone} ({report.stop_reason})"
    )
    return _summary(watch, tally, OK, message)


def _summary(watch: Watch, tally: _Tally, status: str, message: str) -> WatchRun:
    r = tally.report
    return WatchRun(
        watch.id,
        watch.label,
        status,
        message,
        r.stop_reason if r else None,
        r.pages if r else 0,
        r.new if r else 0,
        tally.units,
        tally.gone,
        tally.job_id,
    )


def _renamed(store: Store, watch: Watch, run: WatchRun) -> str | None:
    """``@old is now @new`` when the account a user watch follows was renamed, said in the
    run's message too."""
    change = _follow.renamed(store, watch)
    if change is None:
        return None
    text = _follow.rename_text(*change)
    run.message = f"{text}; {run.message}"
    return text


def _budget_run(watch: Watch, day: str) -> WatchRun:
    message = f"budget of {watch.budget} units for {day} already spent: waits for the next day"
    return WatchRun(watch.id, watch.label, BUDGET_REACHED, message, BUDGET)


def _failed(watch: Watch) -> WatchRun:
    return WatchRun(watch.id, watch.label, FAILED, "the run ended unexpectedly")


def _run_row(run: WatchRun, day: str, started: str, finished: str) -> tuple[Any, ...]:
    return (
        run.watch_id,
        run.job_id,
        day,
        started,
        finished,
        run.status,
        run.stop_reason,
        run.pages,
        run.new,
        run.units,
        run.gone,
        run.message,
    )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
