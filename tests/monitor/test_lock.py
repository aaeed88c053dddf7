"""Two ticks at once never run the same watch; a crashed tick's claim expires."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from conftest import write_locked  # tests/conftest.py
from tokarc._wiring import open_store
from tokarc.collect._commit import Committer
from tokarc.emulator import Emulator
from tokarc.monitor import LEASE_SECONDS, Scheduler, Watches, WatchRun, _lock
from tokarc.monitor._watches import db
from tokarc.store import TransientError

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


def test_a_deadlocked_page_is_resumed_not_failed() -> None:
    from tokarc.collect import JobReport
    from tokarc.monitor._schedule import DB_ATTEMPTS, _resume

    calls: list[int] = []

    class Flaky:
        def resume(self, job_id: int, **overrides: Any) -> JobReport:
            calls.append(job_id)
            if len(calls) == 1:
                raise TransientError("deadlock detected")
            return JobReport(job_id, "hashtag", "magic", status="done")

    assert _resume(Flaky(), 7, max_units=None).status == "done"  # type: ignore[arg-type]
    assert calls == [7, 7]
    other, locked = _Raises(ValueError("not transient")), _Raises(TransientError("still locked"))
    with pytest.raises(ValueError, match="not transient"):
        _resume(other, 7)  # type: ignore[arg-type]
    with pytest.raises(TransientError, match="still locked"):
        _resume(locked, 7)  # type: ignore[arg-type]
    assert (other.calls, locked.calls) == (1, DB_ATTEMPTS)  # run again twice, then given up


class _Raises:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc
        self.calls = 0

    def resume(self, job_id: int, **overrides: Any) -> None:
        self.calls += 1
        raise self.exc


@pytest.mark.slow
def test_a_page_that_meets_a_locked_database_is_run_again(
    emulator: Emulator, db_path: str, watches: Watches, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first save of the run meets SQLite locked by another connection (a real
    ``database is locked``, after a 1 ms busy timeout): the run resumes its job and ends ok."""
    locked: list[str] = []
    write = Committer._write  # the page's transaction: its checkpoint, its lease, its rows

    def first_save_locked(committer: Committer, group: list[Any]) -> None:
        if locked:
            return write(committer, group)
        db = committer.store.db
        busy_timeout = db.query("PRAGMA busy_timeout")[0][0]
        db.execute("PRAGMA busy_timeout = 1")
        try:
            with write_locked(db_path):
                return write(committer, group)
        except TransientError as exc:
            locked.append(str(exc.__cause__))
            raise
        finally:
            db.execute(f"PRAGMA busy_timeout = {busy_timeout}")

    magic = watches.add("hashtag", "magic", every="1h", window="1d", now=emulator.clock.now())
    monkeypatch.setattr(Committer, "_write", first_save_locked)
    run = scheduler(emulator, db_path).tick()[0]
    assert locked == ["database is locked"]
    assert (run.status, run.stop_reason) == ("ok", "since")
    assert run.new == len(list(watches.store.post_ids())) > 0
    assert [r["status"] for r in watches.runs(magic.id)] == ["ok"]
