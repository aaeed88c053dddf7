"""One Budget protocol: reserve a call's worst case before it goes out, settle it with what the
API charged. Checked against what the emulator charged, through a real client."""

from __future__ import annotations

import threading

import pytest

from tokarc.api import endpoints as E
from tokarc.collect import Hooks, LocalBudget, OverBudget, StopRequested, worst_case
from tokarc.emulator import Emulator

from .conftest import client_for

HASHTAG = E.get("hashtag_search")


def test_a_local_budget_holds_then_settles() -> None:
    budget = LocalBudget(10)
    budget.reserve(6, "hashtag_search")
    assert budget.left() == 4
    with pytest.raises(OverBudget, match="up to 6 units and 4 of the budget of 10 are left"):
        budget.reserve(6, "hashtag_search")
    budget.settle(6, 1)  # charged less than the worst case: the rest comes back
    assert (budget.spent, budget.left()) == (1, 9)
    unbounded = LocalBudget()
    unbounded.reserve(10**9, "x")
    unbounded.settle(10**9, 3)
    assert (unbounded.spent, unbounded.left()) == (3, None)


def test_hooks_count_what_the_emulator_charged(emulator: Emulator) -> None:
    budget = LocalBudget(100)
    hooks = Hooks(budget)
    with client_for(emulator) as client, client.scope(guard=hooks.guard, listener=hooks.listener):
        for tag in ("magic", "cats", "dance"):
            client.tiktok.hashtag_search(tag, cursor=0)
    assert budget.spent == emulator.stats.units_total == 3
    assert budget.left() == 97  # nothing held once every call was settled


def test_a_call_that_does_not_fit_is_never_sent(emulator: Emulator) -> None:
    worst = worst_case(HASHTAG, {"hashtag": "magic", "cursor": 0})
    budget = LocalBudget(worst - 1)
    hooks = Hooks(budget)
    with client_for(emulator) as client, client.scope(guard=hooks.guard, listener=hooks.listener):
        with pytest.raises(OverBudget):
            client.tiktok.hashtag_search("magic", cursor=0)
    assert emulator.stats.units_total == 0
    assert hooks.refused()
    assert (budget.spent, budget.left()) == (0, worst - 1)  # what it reserved is let go


def test_a_reservation_held_back_by_a_later_guard_is_let_go(emulator: Emulator) -> None:
    """Two budgets in a row: the second refuses, the first's reservation for that unsent call
    comes back at the thread's next call."""
    roomy, tight = LocalBudget(100), LocalBudget(0, "tight budget")
    outer, inner = Hooks(roomy), Hooks(tight)
    with (
        client_for(emulator) as client,
        client.scope(guard=outer.guard, listener=outer.listener),
        client.scope(guard=inner.guard, listener=inner.listener),
        pytest.raises(OverBudget, match="tight budget"),
    ):
        client.tiktok.hashtag_search("magic", cursor=0)
    assert roomy.left() < 100  # held for a call that never went out ...
    outer.release()
    assert (roomy.left(), roomy.spent) == (100, 0)  # ... and let go
    assert emulator.stats.units_total == 0


def test_threads_never_hold_more_than_the_limit(emulator: Emulator) -> None:
    worst = worst_case(HASHTAG, {"hashtag": "magic", "cursor": 0})
    budget = LocalBudget(3 * worst)
    hooks = Hooks(budget)
    refused: list[str] = []

    def one(tag: str) -> None:
        with client.scope(guard=hooks.guard, listener=hooks.listener):
            hooks.begin()
            try:
                for cursor in range(0, 100, 20):
                    client.tiktok.hashtag_search(tag, cursor=cursor)
            except OverBudget:
                refused.append(tag)
            finally:
                hooks.release()

    with client_for(emulator) as client:
        threads = [threading.Thread(target=one, args=(t,)) for t in ("a", "b", "c", "d", "e")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    charged = emulator.stats.units_total
    assert budget.spent == charged <= 3 * worst
    assert refused  # 25 calls of one unit each do not all fit in a few worst cases
    assert budget.left() == 3 * worst - charged


def test_a_stop_stops_before_the_next_call(emulator: Emulator) -> None:
    hooks = Hooks(LocalBudget())
    hooks.stop.set()
    with client_for(emulator) as client, client.scope(guard=hooks.guard, listener=hooks.listener):
        with pytest.raises(StopRequested):
            client.tiktok.hashtag_search("magic", cursor=0)
    assert emulator.stats.units_total == 0
