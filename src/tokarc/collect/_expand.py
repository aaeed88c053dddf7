"""Expanding a collection into its network (snowball sampling), planned, priced and budgeted.

An expansion is a parent job (kind ``expand``) whose children are ordinary collection jobs. Its
plan is stored as it is made (``expand_targets``, see ``._schema``): depth by depth, step by
step, the targets a step makes of the previous depth's records, in ``order``. Killed at any
moment, the same expansion run again goes on where it was, and ends as an uninterrupted run.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from .. import errors
from ..client import Client
from ..errors import InvalidInputError
from ..status import JobStatus, TargetOutcome
from ..store import Job, Store, timestamp
from . import _expand_caps as _caps
from ._estimate import estimate
from ._expand_spec import (
    ExpandSpec,
    ExpansionEstimate,
    ExpansionReport,
    StepEstimate,
    StepReport,
)
from ._kinds import kind as job_kind
from ._many import DEFAULT_CONCURRENCY, Many, SharedBudget
from ._runner import BUDGET, COMPLETE, INTERRUPTED, Collector, JobReport
from ._spec import JobSpec
from ._steps import ENTITY_ORDER, STEPS, YIELDS, Order, Reader, Target

KIND = "expand"  # the parent job's kind
SEED = "seed"  # the step name of the job collecting the seed, when it is not stored yet
DONE, FRESH = TargetOutcome.DONE, TargetOutcome.FRESH  # beside the failures below
FAILURES = (
    TargetOutcome.PRIVATE,
    TargetOutcome.GONE,
    TargetOutcome.RESTRICTED,
    TargetOutcome.INVALID,
    TargetOutcome.FAILED,
)
_FAILURE_OF: tuple[tuple[type[errors.APIError], str], ...] = (
    (errors.PrivateUserError, TargetOutcome.PRIVATE),
    (errors.UserNotFoundError, TargetOutcome.GONE),
    (errors.NotFoundError, TargetOutcome.GONE),
    (errors.InvalidUserError, TargetOutcome.GONE),
    (errors.InvalidURLError, TargetOutcome.GONE),
    (errors.UserRestrictedError, TargetOutcome.RESTRICTED),
    (errors.TopicRestrictedError, TargetOutcome.RESTRICTED),
    (errors.PostRestrictedError, TargetOutcome.RESTRICTED),
    (errors.ProfileUnavailableError, TargetOutcome.RESTRICTED),
)
_PLACEHOLDER = "7000000000000000000"  # a target every kind accepts, for pricing


# -- running ---------------------------------------------------------------------------------

ChildRunner = Callable[[list["_Row"]], str | None]


@dataclass
class _Row:
    id: int
    depth: int
    step: str
    seq: int
    kind: str
    target: str
    job_id: int | None
    outcome: str | None


class Expansion:
    """Plans and runs one expansion into a store, within its budget.

    ::

        with tokarc.Client() as client, open_store("magic.db") as store:
            spec = ExpandSpec.build("hashtag:magic", "authors,followers", depth=2, max_units=100)
            print(Expansion(client, store, spec).run().units)
    """

    def __init__(
        self,
        client: Client | None,
        store: Store,
        spec: ExpandSpec,
        *,
        clock: Callable[[], float] = time.time,
        on_target: Callable[[JobReport], None] | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_page: Callable[[JobReport], None] | None = None,
    ) -> None:
        spec.check()
        self.client = client
        self.store = store
        self.spec = spec
        self.clock = clock
        self.on_target = on_target
        self.on_page = on_page  # after each page of every target (a worker's heartbeat)
        self.read = Reader(store, spec.order)
        # The seam for running a depth's targets at once (the many-targets machinery) or on
        # workers (``--enqueue``): a callable taking the rows to run, returning BUDGET to stop.
        self.run_children: ChildRunner = self._run_together
        self.concurrency = concurrency  # a depth's targets at once, in plan order
        self._parent: Job | None = None

    # -- the parent job ---------------------------------------------------------------------

    def job(self) -> Job:
        """The stored expansion this spec describes, created if there is none."""
        if self._parent is None:
            self._parent = self._find() or self.store.create_job(
                KIND, self.spec.label, self.spec.options()
            )
        return self._parent

    def _find(self) -> Job | None:
        for job in self.store.list_jobs(kind=KIND, target=self.spec.label):
            if {k: v for k, v in job.options.items() if k != "run"} == self.spec.identity():
                return self.store.update_job(job.id, options=self.spec.options())
        return None

    def _state(self) -> dict[str, Any]:
        text = self.store.get_job(self.job().id).checkpoint
        return dict(msgspec.json.decode(text)) if text else {"frontiers": {}, "planned": []}

    # -- run --------------------------------------------------------------------------------

    def run(self) -> ExpansionReport:
        """Run (or go on with) the expansion; a network failure or Ctrl-C leaves it resumable."""
        if self.client is None:
            raise ValueError("running an expansion needs a client")
        self.collector = Collector(self.client, self.store, on_page=self.on_page, clock=self.clock)
        parent = self.job()
        self.store.update_job(parent.id, status=JobStatus.RUNNING)
        try:
            reason = self._go()
        except BaseException as exc:
            self._close(
                JobStatus.INTERRUPTED, INTERRUPTED, " ".join(str(exc).split())[:200] or None
            )
            raise
        status = JobStatus.STOPPED if reason == BUDGET else JobStatus.DONE
        self._close(status, reason or COMPLETE, None)
        return self.report()

    def _go(self) -> str | None:
        if self._level(0, SEED, self._seed_targets) == BUDGET:
            return BUDGET
        for depth in range(1, self.spec.depth + 1):
            frontier = self._frontier(depth)
            for step in self.spec.steps:
                if (
                    self._level(depth, step, functools.partial(self._targets, step, frontier))
                    == BUDGET
                ):
                    return BUDGET
        return None

    def _level(self, depth: int, step: str, make: Callable[[], list[Target]]) -> str | None:
        if [depth, step] not in self._state()["planned"]:
            self._plan(depth, step, make())
        return self.run_children([r for r in self._rows(depth, step) if r.outcome is None])

    def _close(self, status: str, reason: str, outcome: str | None) -> None:
        self.store.update_job(
            self.job().id, status=status, stop_reason=reason, outcome=outcome, units=self.spent()
        )
        _caps.record(self.store, self.job().id, _caps.caps(self))

    # -- planning ---------------------------------------------------------------------------

    def _seed_targets(self) -> list[Target]:
        seed = self.spec.seed_spec()
        if seed.kind == "posts":
            stored = set(self.read.stored_posts(seed.ids))
            missing = [i for i in seed.ids if i not in stored]
            return [("posts", ",".join(missing))] if missing else []
        return [(seed.kind, seed.target)]

    def _frontier(self, depth: int) -> dict[str, list[str]]:
        """The records depth ``depth`` starts from (stored once made): what the previous depth
        found, less what an earlier depth started from."""
        state = self._state()
        if str(depth) in state["frontiers"]:
            return dict(state["frontiers"][str(depth)])
        frontier = self.found(depth, self.spec.per_target, fresh_only=True)
        state["frontiers"][str(depth)] = frontier
        self._save_state(state)
        return frontier

    def found(
        self, depth: int, limit: int | None, *, fresh_only: bool = False
    ) -> dict[str, list[str]]:
        """The stored records the targets of depth ``depth - 1`` found, each target's first
        ``limit`` (None: all), in order; ``fresh_only``: less those a depth started from."""
        found: dict[str, list[str]] = {e: [] for e in ENTITY_ORDER}
        for row in self._rows(depth - 1):
            if row.outcome is not None and row.kind != "posts":  # posts: the spec's ids, below
                found[YIELDS[row.kind]] += self.read.yielded(row.kind, row.target, limit)
        if depth == 1 and not self.spec.source:
            found["post"] += self.spec.ids
        if depth == 1 and self.spec.source.startswith("post:"):
            found["post"] += self.spec.seed_spec().ids
        state = self._state()
        seen = {(e, i) for f in state["frontiers"].values() for e, ids in f.items() for i in ids}
        return {
            e: [i for i in self.read.ranked(e, ids) if not fresh_only or (e, i) not in seen]
            for e, ids in found.items()
        }

    def _targets(
        self, step: str, frontier: Mapping[str, list[str]], *, bounded: bool = True
    ) -> list[Target]:
        """The targets ``step`` makes of ``frontier``; a post gives at most ``per_target``
        (hashtags, commenters) unless not ``bounded``."""
        s = STEPS[step]
        k = self.spec.per_target if bounded else None
        out: dict[Target, None] = {}
        for entity in ENTITY_ORDER:
            fan = k if s.fanout(entity) else 1
            out.update(dict.fromkeys(self.read.targets(s, entity, frontier.get(entity, []), fan)))
        return list(out)

    def _plan(self, depth: int, step: str, targets: list[Target]) -> None:
        """Store a step's targets (the fresh ones marked skipped), all at once or not at all."""
        parent = self.job().id
        db = self.store.db
        known = {(r.kind, r.target) for r in self._rows()}
        state = self._state()
        state["planned"].append([depth, step])
        with db.transaction():
            seq = 0
            for kind, target in targets:
                if (kind, target) in known:
                    continue
                outcome = FRESH if self._fresh(kind, target) else None
                db.execute(
                    "INSERT INTO expand_targets (parent_id, depth, step, seq, kind, target, "
                    "outcome) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (parent, depth, step, seq, kind, target, outcome),
                )
                known.add((kind, target))
                seq += 1
            db.execute(
                "UPDATE jobs SET checkpoint = ? WHERE id = ?",
                (msgspec.json.encode(state).decode(), parent),
            )

    def _fresh(self, kind: str, target: str) -> bool:
        """Did a job collect this profile or feed, to the end, within ``fresh_for``?"""
        if self.spec.fresh_for <= 0 or kind == "posts":
            return False
        cutoff = timestamp(self.clock() - self.spec.fresh_for)
        return any(
            j.status == JobStatus.DONE and j.updated_at >= cutoff
            for j in self.store.list_jobs(kind=kind, target=target)
        )

    def _save_state(self, state: dict[str, Any]) -> None:
        self.store.update_job(self.job().id, checkpoint=msgspec.json.encode(state).decode())

    def _rows(self, depth: int | None = None, step: str | None = None) -> list[_Row]:
        sql = (
            "SELECT id, depth, step, seq, kind, target, job_id, outcome FROM expand_targets "
            "WHERE parent_id = ?"
        )
        params: list[Any] = [self.job().id]
        for name, value in (("depth", depth), ("step", step)):
            if value is not None:
                sql += f" AND {name} = ?"
                params.append(value)
        rows = self.store.db.query(sql + " ORDER BY depth, id", tuple(params))
        return [_Row(*r) for r in rows]

    # -- children ---------------------------------------------------------------------------

    def _run_together(self, rows: list[_Row]) -> str | None:
        """Run a depth's targets in plan order, ``concurrency`` at a time; BUDGET when one
        could not start or go on for the expansion's budget.

        Targets run together only while the budget left pays each its whole price (an upper
        bound of what it spends), so a budget ends the plan exactly where one target after
        the other would: the first target it cannot pay in full runs alone, on what is left.
        """
        rest = rows
        while rest:
            n = max(1, self._affordable(rest))
            many = Many(self.collector, concurrency=self.concurrency, max_units=self.remaining())
            outcomes = many.map(functools.partial(self._run_child, budget=many.budget), rest[:n])
            if many.error is not None:
                raise many.error  # Ctrl-C or a signal: each target stopped at its page boundary
            if BUDGET in outcomes:
                return BUDGET
            rest = rest[n:]
        return None

    def _affordable(self, rows: list[_Row]) -> int:
        """How many of the next ``rows`` the budget left pays for in full."""
        left = self.remaining()
        if left is None:
            return len(rows)
        for n, row in enumerate(rows):
            left -= self._price(row)
            if left < 0:
                return n
        return len(rows)

    def _price(self, row: _Row) -> int:
        """What the target may still cost at most (0: nothing left to run)."""
        try:
            spec = self._child_spec(row)
        except InvalidInputError:
            return 0
        job = self.store.get_job(row.job_id) if row.job_id is not None else None
        if job is not None and job.status == JobStatus.DONE:
            return 0
        return _own(spec, job)

    def _child_spec(self, row: _Row) -> JobSpec:
        if row.step == SEED and row.kind != "posts":
            return self.spec.seed_spec()  # as the seed says (a keyword's period)
        if row.kind == "posts":
            return JobSpec.build("posts", "", ids=row.target.split(","))
        most = None if row.kind == "user" else self.spec.per_target
        return JobSpec.build(row.kind, row.target, max_items=most)

    def _child_job(self, row: _Row, spec: JobSpec) -> Job:
        options = {**spec.options(), "expansion": {"parent": self.job().id, "slot": row.id}}
        with self.store.db.transaction():
            job = self.store.create_job(spec.kind, spec.target, options)
            self.store.db.execute(
                "UPDATE expand_targets SET job_id = ? WHERE id = ?", (job.id, row.id)
            )
        return job

    def _run_child(self, row: _Row, budget: SharedBudget) -> str | None:
        """Run one target within ``budget`` (what was left when its batch began, shared)."""
        try:
            spec = self._child_spec(row)
        except InvalidInputError:
            self._outcome(row, TargetOutcome.INVALID)
            return None
        job = self.store.get_job(row.job_id) if row.job_id is not None else None
        if job is not None and job.status == JobStatus.DONE:
            self._outcome(row, DONE)  # finished, then killed before it was noted
            return None
        own, first = _own(spec, job), first_call(spec, job)
        left = budget.left()
        if left is not None and left < first:
            return BUDGET  # checked before the child job is made: none waits for nothing
        job = job or self._child_job(row, spec)
        report = self.collector.resume(job.id, max_units=own, max_items=spec.max_items)
        if self.on_target:
            self.on_target(report)
        if report.status == JobStatus.FAILED:
            self._outcome(row, failure(report.error))
        elif report.status == JobStatus.INTERRUPTED:
            return None  # stopped with the others (Ctrl-C, a worker stopping): resumed later
        elif report.status == JobStatus.STOPPED and budget.refused():
            return BUDGET  # the expansion's budget, not the target's own price
        else:
            self._outcome(row, self._posts_outcome(spec) if spec.kind == "posts" else DONE)
        return None

    def _posts_outcome(self, spec: JobSpec) -> str:
        """Posts asked for by id: gone when none of them came back."""
        return DONE if self.read.stored_posts(spec.ids) else "gone"

    def _outcome(self, row: _Row, outcome: str) -> None:
        with self.store.db.transaction():
            self.store.db.execute(
                "UPDATE expand_targets SET outcome = ? WHERE id = ?", (outcome, row.id)
            )
        row.outcome = outcome

    # -- units and reports ------------------------------------------------------------------

    def spent(self) -> int:
        """Units the expansion's jobs were charged, over all its runs."""
        rows = self.store.db.query(
            "SELECT COALESCE(SUM(j.units), 0) FROM jobs j JOIN expand_targets t "
            "ON t.job_id = j.id WHERE t.parent_id = ?",
            (self.job().id,),
        )
        return int(rows[0][0])

    def remaining(self) -> int | None:
        """Units left in the budget (``None``: no budget)."""
        limit = self.spec.max_units
        return None if limit is None else max(0, limit - self.spent())

    def report(self) -> ExpansionReport:
        """The expansion's outcome so far, from the store."""
        job = self.store.get_job(self.job().id)
        out = ExpansionReport(
            job.id, job.status, job.stop_reason, units=self.spent(), max_units=self.spec.max_units
        )
        out.caps = _caps.stored(self.store).get(job.id, [])
        units = {int(j.id): int(j.units) for j in self.store.list_jobs()}
        by: dict[tuple[int, str], StepReport] = {}
        for depth, step in self._state()["planned"]:
            by[(depth, step)] = StepReport(depth, step)
            out.steps.append(by[(depth, step)])
        for row in self._rows():
            s = by.setdefault((row.depth, row.step), StepReport(row.depth, row.step))
            s.planned += 1
            s.units += units.get(row.job_id or -1, 0)
            if row.outcome == DONE:
                s.done += 1
            elif row.outcome == FRESH:
                s.fresh += 1
            elif row.outcome is None:
                s.pending += 1
            else:
                s.failed[row.outcome] = s.failed.get(row.outcome, 0) + 1
        return out

    # -- pricing ----------------------------------------------------------------------------

    def estimate(self) -> ExpansionEstimate:
        """At most how many targets and units, depth by depth; sends nothing, stores nothing.

        The first depth is counted from the stored seed when there is one; deeper ones (and a
        seed still to collect) are bounded: each target gives at most ``per_target`` records.
        """
        k = self.spec.per_target
        steps: list[StepEstimate] = []
        seed_targets = self._seed_targets()
        if seed_targets:
            kind, target = seed_targets[0]
            units = child_units(self._child_spec(_Row(0, 0, SEED, 0, kind, target, None, None)))
            steps.append(StepEstimate(0, SEED, 1, units, True))
        counts, known = self._seed_counts(bool(seed_targets))
        for depth in range(1, self.spec.depth + 1):
            found = dict.fromkeys(map(str, ENTITY_ORDER), 0)
            for step in self.spec.steps:
                s = STEPS[step]
                n = sum(counts[e] * (k if s.fanout(e) else 1) for e in s.starts)
                price = child_units(
                    self._child_spec(_Row(0, depth, step, 0, s.kind, _PLACEHOLDER, None, None))
                )
                steps.append(StepEstimate(depth, step, n, n * price, known and depth == 1))
                found[s.yields] += n * (1 if s.kind == "user" else k)
            counts = found
        total = sum(s.units for s in steps)
        cap = self.spec.max_units
        return ExpansionEstimate(steps, total if cap is None else min(total, cap), cap)

    def _seed_counts(self, collecting: bool) -> tuple[dict[str, int], bool]:
        counts = dict.fromkeys(map(str, ENTITY_ORDER), 0)
        seed = self.spec.seed_spec()
        if seed.kind == "posts":
            counts["post"] = len(seed.ids)
            return counts, True
        entity = YIELDS[seed.kind]
        if collecting:
            counts[entity] = 1 if seed.kind == "user" else self.spec.per_target
            return counts, False
        counts[entity] = len(self.read.yielded(seed.kind, seed.target, self.spec.per_target))
        return counts, True


def parents(store: Store) -> dict[int, int]:
    """Each expansion child's job id -> its expansion's job id (none in a database opened
    read-only before it had the ``expand`` tables)."""
    if "expand.targets" in store.pending_migrations:
        return {}
    rows = store.db.query("SELECT job_id, parent_id FROM expand_targets WHERE job_id IS NOT NULL")
    return {int(child): int(parent) for child, parent in rows}


def child_units(spec: JobSpec) -> int:
    """The most a target's job may spend (its own price: it is stopped there)."""
    est = estimate(spec)
    if est.units is None:  # pragma: no cover - every child has max_items or is one call
        raise ValueError(f"unbounded child {spec.kind} {spec.target}")
    return est.units


def first_call(spec: JobSpec, job: Job | None) -> int:
    """What the target's next call costs at most: a follows job resolves its user first."""
    api = spec.job_kind.api
    units = api.cost.units(dict(spec.params), api.page_size or 0)
    resolved = job is not None and '"uid"' in (job.checkpoint or "")
    if spec.job_kind.strategy == "follows" and not resolved:
        user = job_kind("user").api
        units += user.cost.units({}, 0)
    return units


def failure(error: BaseException | None) -> str:
    """Why a target failed, in one word: private, gone, restricted (or failed)."""
    for cls, word in _FAILURE_OF:
        if isinstance(error, cls):
            return word
    return TargetOutcome.FAILED


def expand(
    client: Client | None,
    store: Store,
    source: str = "",
    steps: Sequence[str] | str = (),
    *,
    ids: Sequence[str] = (),
    depth: int = 1,
    max_units: int | None = None,
    per_target: int = 10,
    order: Order = "plays",
    fresh_for: str | float = "7d",
    estimate_only: bool = False,
    clock: Callable[[], float] = time.time,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> ExpansionReport | ExpansionEstimate:
    """Expand ``source`` (``hashtag:magic``, ``user:NAME``...) or post ``ids`` through ``steps``.

    Runs (or resumes) the expansion, ``concurrency`` targets at a time, and returns its
    :class:`ExpansionReport`; with
    ``estimate_only=True`` returns an :class:`ExpansionEstimate` and sends nothing::

        with tokarc.Client() as client, open_store("magic.db") as store:
            report = tokarc.expand(client, store, "hashtag:magic", "authors,followers",
                                   depth=2, max_units=200, per_target=5)
            print(report.units, [(s.step, s.done, s.fresh, s.failed) for s in report.steps])
    """
    spec = ExpandSpec.build(
        source,
        steps,
        ids=ids,
        depth=depth,
        max_units=max_units,
        per_target=per_target,
        order=order,
        fresh_for=fresh_for,
    )
    expansion = Expansion(client, store, spec, clock=clock, concurrency=concurrency)
    return expansion.estimate() if estimate_only else expansion.run()


def _own(spec: JobSpec, job: Job | None) -> int:
    """A target's own price, less what it spent in earlier runs; a job killed just after its
    last page still gets one call's worth, to finish as an uninterrupted run would."""
    return max(child_units(spec) - (job.units if job else 0), first_call(spec, job))
