"""Two ticks at once never run the same watch; a crashed tick's claim expires."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from tokarc.emulator import Emulator
from tokarc.monitor import LEASE_SECONDS, Scheduler, Watches, WatchRun, _lock
from tokarc.monitor._watches import db
from tokarc.store import open_store

from .conftest import scheduler

TAGS = ["magic", "tesla", "cats", "dogs", "food", "travel", "music", "dance"]


def _ticks_at_once(schedulers: list[Scheduler], count: int) -> list[WatchRun]:
    barrier = threading.Barrier(count)
    results: list[list[WatchRun]] = [[] for _ in range(count)]

    def tick(i: int) -> None:
        barrier.wait()
        results[i] = schedulers[i].tick()

    threads = [threading.Thread(target=tick, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return [r for rs in results for r in rs]


def test_concurrent_ticks_run_each_watch_once(live_emulator: Any, any_db: str) -> None:
    emulator = live_emulator.emulator
    emulator.set_faults(latency=0.01)
    with open_store(any_db) as store:
        ids = [Watches(store).add("hashtag", t, window="1h", now=emulator.clock.now()).id
               for t in TAGS]  # fmt: skip
    ticks = [scheduler(emulator, any_db, workers=4, base_url=live_emulator.base_url)
             for _ in range(3)]  # fmt: skip
    runs = _ticks_at_once(ticks, 3)
    assert sorted(r.watch_id for r in runs) == ids  # each watch ran, and only once
    bad = [r.line() for r in runs if r.status != "ok"]
    assert not bad, bad
    with open_store(any_db) as store:
        per_watch = Counter(
            r[0] for c in store.stream("SELECT watch_id FROM watch_runs") for r in c
        )
        assert per_watch == Counter(ids)
        assert all(w.claimed_by is None for w in Watches(store).all())
        spent = sum(r[0] for c in store.stream("SELECT units FROM watch_runs") for r in c)
    assert spent == emulator.stats.units_total  # every unit charged is counted, once


def test_only_one_claim_wins(any_db: str) -> None:
    with open_store(any_db) as store:
        watch = Watches(store).add("hashtag", "magic", now=100.0)
    stores = [open_store(any_db) for _ in range(6)]
    barrier = threading.Barrier(len(stores))
    won: list[bool] = [False] * len(stores)

    def race(i: int) -> None:
        barrier.wait()
        won[i] = _lock.claim(db(stores[i]), watch.id, f"tick-{i}", 200.0, LEASE_SECONDS)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for s in stores:
        s.close()
    assert won.count(True) == 1


def test_a_crashed_ticks_claim_expires(emulator: Emulator, db_path: str, watches: Watches) -> None:
    t0 = float(emulator.clock.now())
    magic = watches.add("hashtag", "magic", every="1h", window="1h", now=t0)
    assert _lock.claim(db(watches.store), magic.id, "crashed-tick", t0, LEASE_SECONDS)
    s = scheduler(emulator, db_path)
    assert s.tick() == []  # held by a live claim
    emulator.clock.advance(LEASE_SECONDS + 1)
    run = s.tick()[0]
    assert run.status == "ok"
    stored = watches.get(magic.id)
    assert stored.claimed_by is None
    assert not _lock.release(db(watches.store), magic.id, "crashed-tick", next_due=0, at="",
                             status="ok", message="")  # fmt: skip


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_a_deadlocked_page_is_resumed_not_failed() -> None:
    from tokarc.collect import JobReport
    from tokarc.monitor._schedule import _resume

    calls: list[int] = []

    class Flaky:
        def resume(self, job_id: int, **overrides: Any) -> JobReport:
            calls.append(job_id)
            if len(calls) == 1:
                raise _Deadlock("deadlock detected")
            return JobReport(job_id, "hashtag", "magic", status="done")

    assert _resume(Flaky(), 7, max_units=None).status == "done"  # type: ignore[arg-type]
    assert calls == [7, 7]
    with pytest.raises(ValueError, match="not transient"):
        _resume(_Raises(ValueError("not transient")), 7)  # type: ignore[arg-type]


class _Raises:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def resume(self, job_id: int, **overrides: Any) -> None:
        raise self.exc
