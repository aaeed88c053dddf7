"""Budgets: the units a run may spend, reserved before every call and settled after it.

Every limit on units is a :class:`Budget`: a job's ``max_units`` and a watch's day
(:class:`LocalBudget`, per run), a many-targets run's shared one (:class:`LocalBudget` shared by
its threads) and the workers' daily budget in PostgreSQL (``tokarc.workers.SharedLimits``). One
pair of client hooks (:class:`Hooks`) drives any of them: before every attempt, retries
included, the call's worst case (``worst_case``) is reserved, and a call that does not fit is
never sent (:class:`OverBudget`); after the attempt, what the API charged replaces the
reservation. So what is spent plus what is held never exceeds the limit, whatever the threads do.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Protocol

from ..api import endpoints as E
from ..api import guesses as G
from ..client import CallEvent
from ._estimate import worst_case


class OverBudget(Exception):
    """Raised before a call (or a retry) whose worst case exceeds what is left of the budget."""


class StopRequested(Exception):
    """Raised before a call when the run is asked to stop (Ctrl-C of a many-targets run):
    the job is interrupted at its last committed page, resumable, and the run returns."""


class Budget(Protocol):
    """Units to spend: ``reserve`` a call's worst case before it goes out (raising
    :class:`OverBudget` when it does not fit), ``settle`` it with what was charged."""

    def reserve(self, worst: int, call: str) -> None:
        """Hold ``worst`` units for the ``call`` (an endpoint's name) about to be sent."""

    def settle(self, reserved: int, charged: int) -> None:
        """Replace a reservation of ``reserved`` units by the ``charged`` ones."""

    def left(self) -> int | None:
        """Units neither spent nor held (None: no limit)."""


class LocalBudget:
    """``limit`` units in this process (None: unbounded, only counted), safe across threads.

    ``name`` is how its refusals call it: "the next X call may cost up to 6 units and 2 of the
    budget of 10 are left".
    """

    def __init__(self, limit: int | None = None, name: str = "budget") -> None:
        self.limit, self.name = limit, name
        self.spent = 0
        self._held = 0
        self._lock = threading.Lock()

    def left(self) -> int | None:
        with self._lock:
            return None if self.limit is None else self.limit - self.spent - self._held

    def reserve(self, worst: int, call: str) -> None:
        with self._lock:
            if self.limit is not None and worst > (left := self.limit - self.spent - self._held):
                raise OverBudget(
                    f"the next {call} call may cost up to {worst} units and {left} of "
                    f"the {self.name} of {self.limit} are left"
                )
            self._held += worst

    def settle(self, reserved: int, charged: int) -> None:
        with self._lock:
            self._held -= reserved
            self.spent += charged


class Hooks:
    """A client's guard and listener over ``budgets`` (``client.scope(guard=hooks.guard,
    listener=hooks.listener)``), each thread's (or task's) calls reserved and settled in turn.

    A call another guard held back after these reserved it (it was never sent) is let go at the
    thread's next call, or by :meth:`release` when its run ends. ``stop``, once set, stops every
    call before it goes out (:class:`StopRequested`).
    """

    def __init__(self, *budgets: Budget, stop: threading.Event | None = None) -> None:
        self.budgets = budgets
        self.stop = stop or threading.Event()

    def guard(self, endpoint: str, params: Mapping[str, Any]) -> None:
        if self.stop.is_set():
            raise StopRequested("the run was asked to stop")
        self._let_go()  # this thread's last call, held back by a later guard: never sent
        api = E.BY_NAME.get(endpoint)  # a raw client.request(path) is not in the table
        worst = worst_case(api, params) if api else G.DEFAULT_CALL_COST
        taken: list[Budget] = []
        try:
            for budget in self.budgets:
                budget.reserve(worst, endpoint)
                taken.append(budget)
        except OverBudget:
            for budget in taken:
                budget.settle(worst, 0)
            self._put(0, True)
            raise
        self._put(worst, self._state()[1])

    def listener(self, event: CallEvent) -> None:
        held, refused = self._state()
        self._put(0, refused)
        for budget in self.budgets:
            budget.settle(held, event.units_charged)

    def _let_go(self) -> None:
        held, refused = self._state()
        if held:
            self._put(0, refused)
            for budget in self.budgets:
                budget.settle(held, 0)

    def begin(self) -> None:
        """A new run on the calling thread: nothing held, nothing refused yet."""
        self._let_go()
        self._put(0, False)

    def release(self) -> None:
        """The calling thread's run ended: what it holds is let go, and its state forgotten."""
        self._let_go()
        self._put(0, False)

    def refused(self) -> bool:
        """Whether these budgets held back the calling thread's call since its run began (so a
        run that stopped at a budget stopped at one of these, not at one of its own)."""
        return self._state()[1]

    def _state(self) -> tuple[int, bool]:
        return _STATE.get().get(id(self), (0, False))

    def _put(self, held: int, refused: bool) -> None:
        state = dict(_STATE.get())  # a copy: a context's value is never changed in place
        if held or refused:
            state[id(self)] = (held, refused)
        else:
            state.pop(id(self), None)
        _STATE.set(state)


# What each thread's (or asyncio task's) calls hold, per Hooks, and whether one was refused: a
# context variable (each thread and each task sees its own value), never changed in place.
_STATE: contextvars.ContextVar[Mapping[int, tuple[int, bool]]] = contextvars.ContextVar(
    "tokarc-budget-hooks", default=MappingProxyType({})
)
