"""Running a job: page by page, each page and its checkpoint committed together.

A backfill fetches ahead (:mod:`._ahead`): the next pages are fetched while the last ones are
written, and pages waiting to be written are committed together, the checkpoint of the last one
with them. A kill loses only pages not committed yet, which a resume fetches again.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from .._time import check_past
from ..api import guesses as G
from ..client import CallEvent, Client
from ..client.pagination import (
    EXHAUSTED,
    MAX_ITEMS,
    Page,
    Pager,
    PagerState,
    decode_page,
    record_key,
    too_old,
)
from ..models import Comment, Post, Record, User, decode
from ..status import JobStatus, StopReason
from ..store import Batch, Follow, Job, PageResult, Store, record_refusal, timestamp
from ._ahead import Ahead
from ._budget import Hooks, LocalBudget, OverBudget, StopRequested
from ._commit import Committer
from ._describe import coverage, done_note, target_label
from ._found import found
from ._kinds import QUIET_PAGES, JobKind
from ._kinds import kind as job_kind
from ._lease import LEASE_SECONDS, Lease, LeaseLostError
from ._schema import MIGRATIONS
from ._spec import Checkpoint, JobSpec, post_ids

# Why a run stopped, beyond the pagination engine's own reasons.
BUDGET = StopReason.BUDGET
CAUGHT_UP = StopReason.CAUGHT_UP
INTERRUPTED = StopReason.INTERRUPTED
COMPLETE = StopReason.COMPLETE

# Errors that say something about the target, not about the run: recorded as the outcome.
TARGET_ERRORS = (
    errors.PrivateUserError,
    errors.UserNotFoundError,
    errors.UserRestrictedError,
    errors.ProfileUnavailableError,
    errors.TopicRestrictedError,
    errors.PostRestrictedError,
    errors.InvalidUserError,
    errors.InvalidURLError,
    errors.NotFoundError,
)


@dataclass
class JobReport:
    """A run's coverage: what it asked for, got, found new, spent, and why it ended.

    ``units`` and ``calls`` are this run's attempts (retries and failed ones included), the
    same events its job's ``units`` and ``requested`` columns add up over every run."""

    job_id: int
    kind: str
    target: str
    status: str = JobStatus.RUNNING
    stop_reason: str | None = None
    outcome: str | None = None
    max_items: int | None = None  # what the run was asked for at most (None: no bound)
    pages: int = 0
    returned: int = 0
    new: int = 0
    duplicates: int = 0
    rejected: int = 0
    gone: int = 0
    units: int = 0
    calls: int = 0
    coverage: str | None = None  # "covers 3.8 of 30 days: the feed ended", when it fell short
    label: str = ""  # the target as shown: the target, or the post ids of a posts job
    error: errors.APIError | None = field(default=None, repr=False)  # why the target failed
    found: str | None = None  # "nothing", "missing: ID ...": see the job's ``found``
    unsent: str | None = None  # the call the budget did not allow, when one was held back
    note: str | None = None  # where an incremental pass stopped, and why
    already_done: bool = False  # a resume found the job finished: nothing was sent

    @property
    def ok(self) -> bool:
        return self.outcome is None

    @property
    def ended(self) -> str:
        """How the run ended, for its one-line summary: ``done (max_items)``, or for a target
        the API refused, why with the API's code: ``failed: private (472)``."""
        if self.stop_reason == StopReason.TARGET and self.error is not None:
            return f"{self.status}: {self.error.reason} ({self.error.status_code})"
        return f"{self.status} ({self.stop_reason})"

    @classmethod
    def of(cls, job: Job, **fields: Any) -> JobReport:
        """A report on ``job`` as it stands (its target labelled), with ``fields``."""
        label = target_label(job.kind, job.target, job.options)
        return cls(job.id, job.kind, job.target, label=label, **fields)


Progress = Callable[[JobReport], None]
Records = Callable[[list[Any]], None]


@dataclass
class _Run:
    job: Job
    spec: JobSpec
    report: JobReport
    checkpoint: Checkpoint
    lease: Lease
    on_page: Progress | None = None

    @property
    def kind(self) -> JobKind:
        return self.spec.job_kind


class Collector:
    """Runs collection jobs with a client into a store.

    A run holds its job's lease (``_lease.py``) from start to end, renewed after every page:
    a second run of the same job meanwhile raises ``JobRunningError`` (or, with
    ``wait=True``, waits for the first to end and goes on from its checkpoint).

    ::

        with tokarc.Client(token) as client, open_store("magic.db") as store:
            report = Collector(client, store).run(JobSpec.build("hashtag", "magic", days=7))
            print(report.new, "new posts,", report.units, "units")
    """

    def __init__(
        self,
        client: Client,
        store: Store,
        *,
        on_page: Progress | None = None,
        clock: Callable[[], float] = time.time,
        lease: float = LEASE_SECONDS,
        ahead: int = 0,
        on_records: Records | None = None,
    ) -> None:
        store.ensure(MIGRATIONS)
        self.client = client
        self.store = store
        self.on_page = on_page
        self.on_records = on_records  # each page's results, once committed (to stream them)
        self.clock = clock  # stamps fetched_at: the emulator's world clock in tests and sandboxes
        self.lease = lease  # seconds a job's lease lasts without renewal
        # Pages fetched ahead of the writer in a backfill (0: none, the default everywhere).
        # Runs that stop on a signal between pages (watches, workers, a closed pipe, media
        # downloads as pages arrive) keep 0: no page fetched, and paid for, to be thrown away.
        self.ahead = ahead
        # Pages commit with their checkpoint and lease; runs in threads commit theirs together.
        # (The store itself runs one statement or transaction at a time: store/_serial.py.)
        self._committer = Committer(store)

    # -- jobs ------------------------------------------------------------------------------

    def job_for(self, spec: JobSpec) -> Job:
        """The stored job collecting what ``spec`` describes, created if there is none."""
        return job_for(self.store, spec)

    def run(
        self, spec: JobSpec, *, wait: bool = False, on_page: Progress | None = None
    ) -> JobReport:
        """Run (or resume, or incrementally re-run) the job ``spec`` describes; ``on_page``
        (default: the collector's) is called after each committed page.

        ``JobRunningError`` if another run holds the job, unless ``wait``."""
        spec.check()
        return self._leased(self.job_for(spec).id, spec, wait, on_page)

    def resume(
        self, job_id: int, *, wait: bool = False, new_pass: bool = False, **run_options: Any
    ) -> JobReport:
        """Run the stored job ``job_id`` on from its checkpoint.

        A finished job stays finished: nothing is sent, and the report says so
        (``already_done``, its ``note``), unless ``new_pass`` (a watch's next run, a job queued
        again) asks for a new pass, incremental or not as the job's spec says."""
        job = self.store.get_job(job_id)
        spec = JobSpec.from_job(job.kind, job.target, job.options)
        if run_options:
            spec = JobSpec(**{**spec.__dict__, **run_options})
        if spec.since is not None:
            check_past(spec.since)  # a job stored by hand, or by an older tokarc
        return self._leased(job_id, spec, wait, resuming=not new_pass)

    def _leased(
        self,
        job_id: int,
        spec: JobSpec,
        wait: bool,
        on_page: Progress | None = None,
        *,
        resuming: bool = False,
    ) -> JobReport:
        lease = Lease(self.store, job_id, clock=self.clock, seconds=self.lease)
        waited = lease.take(wait=wait)
        try:
            job = self.store.get_job(job_id)  # as the last run left it
            if waited and job.status == JobStatus.DONE:
                return _done_by_another(job)  # the run waited for did the walk: not again
            if resuming and _finished(job, spec):
                return _already_done(job)  # a finished job stays finished: nothing is sent
            report = self._run(job, spec, lease, on_page or self.on_page)
            self.store.derive_pending()  # every read after a run sees all of its pages
            return report
        finally:  # interrupted or failed: its deferred pages are derived at the next open
            lease.release()

    def _run(self, job: Job, spec: JobSpec, lease: Lease, on_page: Progress | None) -> JobReport:
        report = JobReport.of(job, max_items=spec.max_items)
        run = _Run(job, spec, report, self._start(job, spec), lease, on_page)
        self.store.update_job(job.id, status=JobStatus.RUNNING)
        try:
            self._run_within_budget(run)
        except OverBudget as exc:
            report.unsent = str(exc)
            self._stop(run, BUDGET)
        except StopRequested:
            self._stop(run, INTERRUPTED, JobStatus.INTERRUPTED)
        except LeaseLostError:
            raise  # the job is another run's now: leave its record alone
        except TARGET_ERRORS as exc:
            report.error = exc
            self._refused(run, exc)
            self._finish(run, JobStatus.FAILED, stop_reason=StopReason.TARGET, outcome=str(exc))
        except BaseException as exc:  # the checkpoint is saved: resumable, whatever it was
            reason, outcome = _interruption(exc)
            self._finish(run, JobStatus.INTERRUPTED, stop_reason=reason, outcome=outcome)
            raise
        return report

    def _run_within_budget(self, run: _Run) -> None:
        """The run's calls, recorded in the ledger, and with a ``max_units`` each reserved
        against it before it is sent (retries too) and settled with what it was charged."""
        with self.client.scope(listener=self._ledger(run)):
            if run.spec.max_units is None:  # nothing to hold back: no hooks on every call
                return self._dispatch(run)
            budget = Hooks(LocalBudget(run.spec.max_units))
            try:
                with self.client.scope(guard=budget.guard, listener=budget.listener):
                    return self._dispatch(run)
            finally:
                budget.release()

    def _start(self, job: Job, spec: JobSpec) -> Checkpoint:
        saved = Checkpoint.from_json(job.checkpoint)
        if saved is not None and not saved.done:
            return saved  # an unfinished pass (backfill or incremental) goes on first
        if saved is not None and _wants_more(saved, spec):
            saved.done = False  # stopped at max_items, asked for more: the walk goes on
            return saved
        phase = "incremental" if spec.incremental and saved is not None else "backfill"
        resolved = saved.resolved if saved else {}
        return Checkpoint(phase=phase, resolved=resolved)

    def _ledger(self, run: _Run) -> Callable[[CallEvent], None]:
        def record(event: CallEvent) -> None:
            run.report.units += event.units_charged
            run.report.calls += 1
            at = dt.datetime.fromtimestamp(self.clock(), dt.UTC)  # the day a budget counts in
            self.store.record_request(event, job_id=run.job.id, at=at)

        return record

    def _dispatch(self, run: _Run) -> None:
        strategy = {
            "pages": self._pages,
            "single": self._single,
            "posts": self._posts,
            "follows": self._follows,
            "comments": self._comments,
        }[run.kind.strategy]
        strategy(run)

    def _refused(self, run: _Run, exc: errors.APIError) -> None:
        """What the refusal says of the target account or post, as a dated state of it."""
        param, target = run.kind.target_param, run.job.target
        if uid := run.checkpoint.resolved.get("uid"):  # a follows job knows whose they are
            param, target = "id", uid
        at = timestamp(dt.datetime.fromtimestamp(self.clock(), dt.UTC))
        record_refusal(self.store.db, exc.status_code, param, target, at, run.job.id)

    def _finish(self, run: _Run, status: str, **fields: Any) -> None:
        run.report.status = status
        run.report.stop_reason = fields.get("stop_reason", run.report.stop_reason)
        run.report.outcome = fields.get("outcome")
        changes = {"status": status, "stop_reason": run.report.stop_reason, **fields}
        job = self.store.update_job(run.job.id, **changes)
        run.report.coverage, run.report.found = coverage(job), job.found

    # -- saving ----------------------------------------------------------------------------

    def _save(self, run: _Run, page: Page[Any], follow: Follow | None = None, **extra: Any) -> int:
        """Commit a page with the run's checkpoint; returns how many records were new.

        ``extra`` are further :class:`Batch` fields (``missing``, ``results``, a source). A page
        that holds no results (the user a follows job resolved first) is not streamed either.
        """
        result = self._committer.commit(run.lease, [self._batch(run, page, follow, **extra)])[0]
        return self._saved(run, page, result, bool(extra.get("results", True)))

    def _batch(self, run: _Run, page: Page[Any], follow: Follow | None, **extra: Any) -> Batch:
        """A page as the store takes it, with the run's checkpoint as it is now."""
        fields: dict[str, Any] = {
            "source_kind": run.kind.source_kind,
            "source_target": run.job.target,
            **extra,
        }
        return Batch(
            endpoint=page.response.endpoint or run.kind.endpoint,
            records=page.items,
            job_id=run.job.id,
            params=page.response.params,
            cursor=page.cursor,
            fetched_at=dt.datetime.fromtimestamp(self.clock(), dt.UTC),
            checkpoint=run.checkpoint.to_json(),
            follow=follow,
            undecodable=page.undecodable,
            body=page.response.content or None,
            **fields,
        )

    def _saved(self, run: _Run, page: Page[Any], result: PageResult, results: bool) -> int:
        """After a page committed: the run's figures, and its records streamed."""
        self._count(run, result, results)
        if results and self.on_records is not None:
            self.on_records(page.items)
        return result.new

    def _count(self, run: _Run, result: PageResult, results: bool) -> None:
        """The run's figures, from what the store counted (the job's own counters)."""
        report = run.report
        report.pages += 1
        report.rejected += result.rejected
        report.gone += result.gone
        if results:
            report.returned += result.records
            report.new += result.new
            report.duplicates += result.duplicates
        if run.on_page:
            run.on_page(report)

    # -- paginated endpoints -----------------------------------------------------------------

    def _pages(self, run: _Run, follow: Follow | None = None, **target: Any) -> None:
        pager = self._pager(run, run.checkpoint.state, **target)
        self._walk(run, pager, follow)

    def _pager(self, run: _Run, state: PagerState | None, **target: Any) -> Pager[Any]:
        kind, spec = _account_kind(run) if not target else (run.kind, run.spec)
        args = target or {kind.target_param: _account_target(run, kind)}
        options: dict[str, Any] = {"max_items": spec.max_items, "state": state}
        if kind.api.record == "post":
            options.update(since=spec.since, no_pinned=spec.no_pinned)
        iterator = getattr(self.client.tiktok, kind.api.iterator or "")
        pager: Pager[Any] = iterator(**args, **spec.call_params(), **options)
        return pager

    def _walk(self, run: _Run, pager: Pager[Any], follow: Follow | None) -> None:
        if self.ahead > 0 and run.checkpoint.phase == "backfill":
            return self._walk_ahead(run, pager, follow)
        mark = _mark(run.job.newest_mark)
        for page in pager.iter_pages():
            self._take(run, page, pager.state)
            new = self._save(run, page, follow)
            if self._ends_run(run, page, new, mark):
                return None
        return self._complete(run, pager.stop_reason or EXHAUSTED)

    def _take(self, run: _Run, page: Page[Any], state: PagerState) -> None:
        """The run's checkpoint moves past ``page``."""
        run.checkpoint.state = state
        run.checkpoint.newest = _newest(page.items, run.checkpoint.newest)

    def _walk_ahead(self, run: _Run, pager: Pager[Any], follow: Follow | None) -> None:
        """A backfill with the next pages fetched while the last ones are written.

        The fetching thread's calls go through the same budget guard (:meth:`_budget`): when
        it holds a call back, the pages fetched before it are committed, then the run stops.
        """
        with Ahead(self._fetched(pager), self.ahead) as ahead:
            for group in ahead.groups():
                batches = []
                for page, state in group:
                    self._take(run, page, state)
                    batches.append(self._batch(run, page, follow))
                results = self._committer.commit(run.lease, batches)
                for (page, _), result in zip(group, results, strict=True):
                    self._saved(run, page, result, True)
        return self._complete(run, pager.stop_reason or EXHAUSTED)

    @staticmethod
    def _fetched(pager: Pager[Any]) -> Iterator[tuple[Page[Any], PagerState]]:
        """The pager's pages, each with the pager's state after it."""
        for page in pager.iter_pages():
            yield page, pager.state

    def _ends_run(self, run: _Run, page: Page[Any], new: int, mark: int | None) -> bool:
        """After a page is saved: does the pass end (caught up)? (The budget holds back the
        next call itself: see :meth:`_budget`.)"""
        if run.checkpoint.phase != "incremental":
            return False
        ck = run.checkpoint
        ck.quiet = ck.quiet + 1 if new == 0 else 0
        if run.kind.feed == "newest_first":
            caught_up = _reached_stored(page, new, mark)
        else:
            caught_up = ck.quiet >= QUIET_PAGES
        if caught_up:
            run.report.note = _caught_up_note(run.kind)
            self._complete(run, CAUGHT_UP)
        return caught_up

    def _stop(self, run: _Run, reason: str, status: str = JobStatus.STOPPED) -> None:
        self.store.update_job(run.job.id, checkpoint=run.checkpoint.to_json())
        self._finish(run, status, stop_reason=reason)

    def _complete(self, run: _Run, reason: str) -> None:
        ck = run.checkpoint
        ck.done = True
        mark = max(filter(None, (_mark(run.job.newest_mark), ck.newest)), default=None)
        fields: dict[str, Any] = {"checkpoint": ck.to_json(), "stop_reason": reason}
        if mark is not None:
            fields["newest_mark"] = str(mark)
        fields["found"] = found(self.store, run.job.id, run.spec)
        self._finish(run, JobStatus.DONE, **fields)

    # -- one call ----------------------------------------------------------------------------

    def _single(self, run: _Run) -> None:
        kind = run.kind
        method = getattr(self.client.tiktok, kind.endpoint)
        response = method(**{kind.target_param: run.job.target, **run.spec.call_params()})
        records, bad, count = decode_page(kind.api, response)
        records = [r for r in records if not too_old(r, run.spec.since)]
        records = records[: run.spec.max_items]  # max_cursor bounds the walk; this the rows
        self._save(run, Page(records, response, None, None, bad, count))
        self._complete(run, COMPLETE)

    # -- posts by id or URL, 100 at a time ---------------------------------------------------

    def _posts(self, run: _Run) -> None:
        ids = post_ids(run.spec.ids)
        batches = [ids[i : i + G.MAX_POST_IDS] for i in range(0, len(ids), G.MAX_POST_IDS)]
        for index in range(run.checkpoint.batch, len(batches)):
            response = self.client.tiktok.multi_post_info(batches[index])
            records, bad, count = decode_page(run.kind.api, response)
            run.checkpoint.batch = index + 1
            page = Page(records, response, index, None, bad, count)
            self._save(
                run, page, missing=_missing(batches[index], records), gone_after=run.spec.gone_after
            )
        return self._complete(run, COMPLETE)

    # -- followers / followings --------------------------------------------------------------

    def _follows(self, run: _Run) -> None:
        who = run.checkpoint.resolved or self._resolve(run)
        run.checkpoint.resolved = who
        follow = Follow(who["uid"], "followers" if run.kind.name == "followers" else "followings")
        self._pages(run, follow, id=who["uid"], sec_uid=who["sec_uid"])

    def _resolve(self, run: _Run) -> dict[str, str]:
        response = self.client.tiktok.user_info_from_username(run.job.target)
        user = decode("user_web", response.data)
        assert isinstance(user, User)
        page = Page([user], response, None, None, [], 1)
        run.checkpoint.resolved = {"uid": user.uid or "", "sec_uid": user.sec_uid or ""}
        # The user whose follows these are is the other end of every edge, not a result:
        # stored as found by a user lookup, not by followers:NAME, and not counted.
        self._save(run, page, source_kind="user", results=False)
        return run.checkpoint.resolved

    # -- comments, and their replies ---------------------------------------------------------

    def _comments(self, run: _Run) -> None:
        self._pending_replies(run)
        if run.checkpoint.done:
            return None
        pager = self._pager(run, run.checkpoint.state)
        mark = _mark(run.job.newest_mark)
        for page in pager.iter_pages():
            run.checkpoint.state = pager.state
            run.checkpoint.pending = _with_replies(page.items) if run.spec.replies else []
            new = self._save(run, page)
            self._pending_replies(run)
            if self._ends_run(run, page, new, mark):
                return None
        return self._complete(run, pager.stop_reason or EXHAUSTED)

    def _pending_replies(self, run: _Run) -> None:
        ck = run.checkpoint
        if not ck.pending:
            return
        while ck.pending:
            cid = ck.pending[0]
            pager = self.client.tiktok.iter_replies(run.job.target, cid, state=ck.reply_state)
            for page in pager.iter_pages():
                ck.reply_state = pager.state
                self._save(run, page)
            ck.pending, ck.reply_state = ck.pending[1:], None
        self.store.update_job(run.job.id, checkpoint=ck.to_json())


def _missing(asked: list[str], got: list[Record]) -> list[str]:
    """The ids asked for that did not come back (deleted, private, or a passing miss)."""
    back = {record_key(r) for r in got}
    return [i for i in asked if i not in back]


def _done_by_another(job: Job) -> JobReport:
    """The report of a run that found its job finished by the run it waited for."""
    return JobReport.of(job, status=JobStatus.DONE, stop_reason=job.stop_reason)


def _account_kind(run: _Run) -> tuple[JobKind, JobSpec]:
    """A user's posts job whose checkpoint holds the account it follows (``resolved``, which a
    user watch pins: ``tokarc.monitor``) calls by its secUid, whatever its handle is now."""
    if run.kind.name == "user_posts" and run.checkpoint.resolved.get("sec_uid"):
        return job_kind("user_posts_secuid"), run.spec
    return run.kind, run.spec


def _account_target(run: _Run, kind: JobKind) -> str:
    return run.checkpoint.resolved["sec_uid"] if kind is not run.kind else run.job.target


def _finished(job: Job, spec: JobSpec) -> bool:
    """Whether ``job`` finished its walk and ``spec`` asks for nothing beyond it (a larger
    ``max_items`` than a walk stopped at does)."""
    saved = Checkpoint.from_json(job.checkpoint)
    done = job.status == JobStatus.DONE and saved is not None and saved.done
    return done and saved is not None and not _wants_more(saved, spec)


def _already_done(job: Job) -> JobReport:
    """The report of a resume that found its job finished: nothing sent, and why."""
    report = JobReport.of(job, status=JobStatus.DONE, stop_reason=job.stop_reason)
    report.already_done = True
    report.note = done_note(job)
    return report


def _wants_more(saved: Checkpoint, spec: JobSpec) -> bool:
    """Whether a walk that ended at ``max_items`` is asked to go on (max_items counts the
    whole walk, so a larger one, or none, continues it)."""
    state = saved.state
    if state is None or state.stop_reason != MAX_ITEMS:
        return False
    return spec.max_items is None or spec.max_items > state.items


def job_for(store: Store, spec: JobSpec) -> Job:
    """The job of ``store`` collecting what ``spec`` describes, created if there is none."""
    for job in store.list_jobs(kind=spec.kind, target=spec.target):
        if _identity(job.options) == spec.identity():
            return store.update_job(job.id, options=spec.options())
    return store.create_job(spec.kind, spec.target, spec.options())


def _identity(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k != "run"}


def _interruption(exc: BaseException) -> tuple[str, str]:
    """The stop reason and outcome of a run an exception ended: an interruption (Ctrl-C, a
    signal, the API, the network, the database), or an error nobody expected, named so."""
    expected = (KeyboardInterrupt, SystemExit, errors.TokarcError, OSError)
    if isinstance(exc, expected) or type(exc).__module__.startswith(("psycopg", "sqlite3")):
        return INTERRUPTED, one_line(exc)
    return StopReason.ERROR, f"unexpected {type(exc).__name__}: {one_line(exc)}"


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _mark(text: str | None) -> int | None:
    return int(text) if text and text.lstrip("-").isdigit() else None


def _newest(items: list[Any], current: int | None) -> int | None:
    times = [p.create_time for p in items if isinstance(p, Post) and not p.is_pinned]
    known = [t for t in (*times, current) if t is not None]
    return max(known, default=None)


def _reached_stored(page: Page[Any], new: int, mark: int | None) -> bool:
    """Whether an incremental pass over a newest-first feed reached the stored posts: a page
    that brings nothing new (pinned posts aside), or holds a post no newer than what the last
    complete pass had seen (everything below it is stored)."""
    fresh = [p for p in page.items if not getattr(p, "is_pinned", False)]
    if new == 0 or not fresh:
        return True
    times = [p.create_time for p in fresh if isinstance(p, Post) and p.create_time]
    return mark is not None and bool(times) and min(times) <= mark


def _caught_up_note(jk: JobKind) -> str:
    """Why an incremental pass stopped where it did, for the run's summary."""
    if jk.feed == "newest_first":
        return "caught up: reached the stored posts (newest-first feed)"
    return f"caught up: {QUIET_PAGES} pages in a row with nothing new (feed not in time order)"


def _with_replies(items: list[Any]) -> list[str]:
    return [c.cid for c in items if isinstance(c, Comment) and (c.reply_count or 0) > 0]
