"""What cut an expansion short: every cap it hit, in its summary, its JSON and its record.

An expansion is never complete in the way a plain job can be: ``--per-target`` takes only the
first records a target found and only the first targets a post fans out to, each target stops
at its item cap, the budget leaves targets not reached and the last depth's finds are not
expanded. Each of those is a :class:`Cap`, worked out from the store when a run ends
(:func:`caps`) and recorded in ``expand_caps`` (migration ``expand.caps``), which the report
and ``tokarc jobs`` read (:func:`stored`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..status import JobStatus, StopReason
from ..store import Store
from ._steps import STEPS

if TYPE_CHECKING:
    from ._expand import Expansion


class CapKind(StrEnum):
    """Which limit cut the expansion (``expand_caps.cap``)."""

    PER_TARGET = "per_target"  # a target's records: only the first K passed to the next depth
    FANOUT = "fanout"  # a post's hashtags or commenters: only the first K made targets
    MAX_ITEMS = "max_items"  # a target's job stopped at its K items
    MAX_UNITS = "max_units"  # the budget: targets not reached
    DEPTH = "depth"  # what the last depth found, not expanded


_OPTION = {CapKind.MAX_UNITS: "--max-units", CapKind.DEPTH: "--depth"}  # else --per-target
COLUMNS = ("depth", "step", "cap", "taken", "available", "noun", "cap_value")


@dataclass(frozen=True)
class Cap:
    """A cap an expansion hit: at ``depth``, in ``step``, ``taken`` of ``available`` (None:
    not known) ``noun`` (an entity or ``target``) because of ``cap`` set to ``value``."""

    depth: int
    step: str
    cap: str
    taken: int
    available: int | None
    noun: str
    value: int

    @property
    def option(self) -> str:
        """The option as typed: ``--per-target``, ``--max-units``, ``--depth``."""
        return _OPTION.get(CapKind(self.cap), "--per-target")

    def text(self) -> str:
        """``authors: 10 of 200 posts (capped by --per-target 10)``."""
        where = self.step if self.depth <= 1 and self.step else f"depth {self.depth} {self.step}"
        return f"{where.strip()}: {self._what()} (capped by {self.option} {self.value})"

    def _what(self) -> str:
        nouns = f"{self.noun}s"
        if self.cap == CapKind.DEPTH:
            return f"{self.available} {nouns} found, not expanded"
        if self.available is None:
            return "not reached"
        of = f"{self.taken} of {self.available} {nouns}"
        if self.cap == CapKind.MAX_ITEMS:
            return f"{of} stopped at {self.value} items"
        return f"{of} run" if self.cap == CapKind.MAX_UNITS else of

    def public(self) -> dict[str, Any]:
        """The cap as plain data (``--json``), with its option and its sentence."""
        return {**asdict(self), "option": self.option, "text": self.text()}


# -- working them out -------------------------------------------------------------------------


def caps(x: Expansion) -> list[Cap]:
    """Every cap the expansion ``x`` hit so far, depth by depth, from the store."""
    planned = [(int(d), str(s)) for d, s in x._state()["planned"]]
    jobs = {j.id: j for j in x.store.list_jobs()}
    out: list[Cap] = []
    found: dict[int, tuple[dict[str, list[str]], dict[str, list[str]]]] = {}
    for depth, step in planned:
        if depth >= 1 and depth not in found:
            found[depth] = (x.found(depth, x.spec.per_target), x.found(depth, None))
        if depth >= 1:
            out += _per_target(x, depth, step, *found[depth]) + _fanout(x, depth, step)
        out += _max_items(x, jobs, depth, step)
    parent = jobs[x.job().id]
    if parent.stop_reason == StopReason.BUDGET and x.spec.max_units is not None:
        out += _not_reached(x, planned)
    elif parent.status == JobStatus.DONE:
        out += _depth(x)
    return out


def _per_target(
    x: Expansion, depth: int, step: str, taken: dict[str, list[str]], found: dict[str, list[str]]
) -> list[Cap]:
    """The records a step started from: the first K of what each target of the depth before
    found (``taken``), of all it found."""
    return [
        Cap(depth, step, CapKind.PER_TARGET, len(taken[e]), len(found[e]), e, x.spec.per_target)
        for e in STEPS[step].starts
        if len(found.get(e, ())) > len(taken.get(e, ()))
    ]


def _fanout(x: Expansion, depth: int, step: str) -> list[Cap]:
    """Targets a step did not make because a post gives at most K (hashtags, commenters)."""
    if not any(STEPS[step].fanout(e) for e in STEPS[step].starts):
        return []
    frontier = x._frontier(depth)
    taken, every = x._targets(step, frontier), x._targets(step, frontier, bounded=False)
    if len(every) <= len(taken):
        return []
    return [Cap(depth, step, CapKind.FANOUT, len(taken), len(every), "target", x.spec.per_target)]


def _max_items(x: Expansion, jobs: dict[int, Any], depth: int, step: str) -> list[Cap]:
    ran = [jobs[r.job_id] for r in x._rows(depth, step) if r.job_id in jobs]
    full = sum(j.stop_reason == StopReason.MAX_ITEMS for j in ran)
    if not full:
        return []
    return [Cap(depth, step, CapKind.MAX_ITEMS, full, len(ran), "target", x.spec.per_target)]


def _not_reached(x: Expansion, planned: list[tuple[int, str]]) -> list[Cap]:
    """Targets the budget left: planned and not run, then the steps never planned."""
    budget = int(x.spec.max_units or 0)
    out = []
    for depth, step in planned:
        rows = x._rows(depth, step)
        left = sum(r.outcome is None for r in rows)
        if left:
            out.append(
                Cap(depth, step, CapKind.MAX_UNITS, len(rows) - left, len(rows), "target", budget)
            )
    for depth in range(1, x.spec.depth + 1):
        out += [
            Cap(depth, step, CapKind.MAX_UNITS, 0, None, "target", budget)
            for step in x.spec.steps
            if (depth, step) not in planned
        ]
    return out


def _depth(x: Expansion) -> list[Cap]:
    """What the last depth found that one more depth of the same steps would start from."""
    last = x.spec.depth
    found = x.found(last + 1, x.spec.per_target, fresh_only=True)
    starts = {e for step in x.spec.steps for e in STEPS[step].starts}
    return [
        Cap(last, "", CapKind.DEPTH, 0, len(ids), e, last)
        for e, ids in found.items()
        if e in starts and ids
    ]


# -- the record ---------------------------------------------------------------------------------


def record(store: Store, parent: int, found: Iterable[Cap]) -> None:
    """Replace what ``expand_caps`` says of the expansion ``parent`` with ``found``."""
    db = store.db
    marks = ", ".join("?" * (len(COLUMNS) + 2))
    sql = f"INSERT INTO expand_caps (parent_id, seq, {', '.join(COLUMNS)}) VALUES ({marks})"
    with db.transaction():
        db.execute("DELETE FROM expand_caps WHERE parent_id = ?", (parent,))
        for seq, c in enumerate(found):
            db.execute(sql, (parent, seq, c.depth, c.step, c.cap, c.taken, c.available,
                             c.noun, c.value))  # fmt: skip


def stored(store: Store) -> dict[int, list[Cap]]:
    """Each expansion's job id -> the caps recorded when its last run ended (none in a
    database opened read-only before it had the table)."""
    if "expand.caps" in store.pending_migrations:
        return {}
    rows = store.db.query(
        f"SELECT parent_id, {', '.join(COLUMNS)} FROM expand_caps ORDER BY parent_id, seq"
    )
    out: dict[int, list[Cap]] = {}
    for parent, *values in rows:
        d, step, cap, taken, available, noun, value = values
        c = Cap(int(d), str(step), str(cap), int(taken), _int(available), str(noun), int(value))
        out.setdefault(int(parent), []).append(c)
    return out


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
