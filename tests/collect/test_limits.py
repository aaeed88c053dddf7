"""Limits that hold, counted where they are spent: in what the emulator charged."""

from __future__ import annotations

from typing import Any

import pytest

from tokarc import errors
from tokarc.collect import BUDGET, Collector, JobSpec, estimate
from tokarc.emulator import Emulator
from tokarc.store import Store

from .conftest import client_for, post_ids

DAY = 86_400


def charged(emulator: Emulator) -> int:
    return emulator.stats.units_total


def run(emulator: Emulator, store: Store, spec: JobSpec, **client: Any) -> Any:
    with client_for(emulator, **client) as c:
        return Collector(c, store).run(spec)


def full(emulator: Emulator, **options: Any) -> JobSpec:
    params = {"days": 7, **options.pop("params", {})}
    return JobSpec.build("full_hashtag", "magic", params=params, **options)


@pytest.mark.slow
def test_max_items_bounds_a_full_hashtag_search(emulator: Emulator, store: Store) -> None:
    unbounded = charged_by(emulator, full(emulator))
    report = run(emulator, store, full(emulator, max_items=300))
    assert report.status == "done"
    assert len(post_ids(store)) == report.new == 300
    assert charged(emulator) == 4  # 15 internal pages of 20, a quarter unit each
    assert unbounded > 4 * charged(emulator)


def charged_by(emulator: Emulator, spec: JobSpec) -> int:
    """What ``spec`` costs on a fresh copy of the world (the emulator's own count)."""
    other = Emulator(seed=0)
    from tokarc._wiring import open_store

    with open_store(":memory:") as store:
        run(other, store, spec)
    return charged(other)


def test_max_cursor_is_sent_and_the_smaller_bound_wins(emulator: Emulator, store: Store) -> None:
    report = run(emulator, store, full(emulator, params={"max_cursor": 100}, max_items=300))
    assert report.new == 100
    assert charged(emulator) == 2  # 5 internal pages


def test_max_items_cannot_bound_a_full_keyword_search(emulator: Emulator) -> None:
    with pytest.raises(errors.InvalidInputError, match="cannot stop early"):
        JobSpec.build("full_keyword", "magic", params={"period": "7"}, max_items=30)
    assert sum(emulator.stats.requests.values()) == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    "spec",
    [
        JobSpec.build("full_hashtag", "magic", params={"days": 7}),
        JobSpec.build("full_hashtag", "magic", params={"days": 30}, max_items=1000),
        JobSpec.build("full_hashtag", "magic"),
        JobSpec.build("full_keyword", "magic", params={"period": "180"}),
        JobSpec.build("keyword", "magic", params={"period": "0", "get_author_stats": True},
                      max_items=100),
        JobSpec.build("hashtag", "magic", max_items=150),
        JobSpec.build("user_posts", "zachking", params={"depth": 3}, max_items=60),
    ],
    ids=lambda s: s.kind,
)  # fmt: skip
def test_estimate_is_an_upper_bound(emulator: Emulator, store: Store, spec: JobSpec) -> None:
    est = estimate(spec)
    run(emulator, store, spec)
    assert est.units is not None
    assert est.units >= charged(emulator) > 0
    if spec.job_kind.strategy == "single":
        assert est.guess
        assert "a guess" in est.note


@pytest.mark.parametrize("kind", ["full_hashtag", "full_keyword"])
def test_a_call_that_might_exceed_the_budget_is_not_sent(
    emulator: Emulator, store: Store, kind: str
) -> None:
    params = {"days": 7} if kind == "full_hashtag" else {"period": "7"}
    report = run(emulator, store, JobSpec.build(kind, "magic", params=params, max_units=5))
    assert (report.status, report.stop_reason) == ("stopped", BUDGET)
    assert report.unsent
    assert "up to 63 units" in report.unsent
    assert sum(emulator.stats.requests.values()) == charged(emulator) == 0


def test_a_bounded_full_search_within_the_budget_runs(emulator: Emulator, store: Store) -> None:
    report = run(emulator, store, full(emulator, max_items=300, max_units=5))
    assert report.status == "done"
    assert charged(emulator) <= 5


@pytest.mark.parametrize("budget", [5, 20])
def test_malformed_charged_bodies_count_before_the_retry(
    emulator: Emulator, store: Store, budget: int
) -> None:
    emulator.set_faults(malformed_rate=0.4)
    spec = JobSpec.build("hashtag", "magic", max_units=budget)
    report = run(emulator, store, spec)
    assert emulator.stats.faults["malformed"] > 0
    assert charged(emulator) <= budget
    assert report.units == charged(emulator)
    assert report.stop_reason == BUDGET


def test_a_job_stopped_at_max_items_goes_on_to_a_larger_one(
    emulator: Emulator, store: Store
) -> None:
    with client_for(emulator) as client:
        collector = Collector(client, store)
        first = collector.run(JobSpec.build("hashtag", "magic", max_items=30))
        second = collector.run(JobSpec.build("hashtag", "magic", max_items=50))
        third = collector.resume(first.job_id, max_items=80)
    assert first.job_id == second.job_id == third.job_id
    assert (first.new, second.new, third.new) == (30, 20, 30)
    assert second.duplicates == third.duplicates == 0
    assert len(post_ids(store)) == 80
    # pages 1-2, then page 2 again (its last 10) and 3, then 3 again and 4: no walk restarts
    assert emulator.stats.requests["hashtag_search"] == 6
    whole = Emulator(seed=0)
    with client_for(whole) as client:
        expected = {p.aweme_id for p in client.tiktok.iter_hashtag_posts("magic", max_items=80)}
    assert post_ids(store) == expected


def test_no_pinned_max_items_gives_that_many_posts(emulator: Emulator, store: Store) -> None:
    report = run(emulator, store, JobSpec.build("user_posts", "zachking", max_items=15,
                                                no_pinned=True))  # fmt: skip
    assert report.new == len(post_ids(store)) == 15


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    from tokarc._wiring import open_store

    url = str(tmp_path / "l.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    with open_store(url) as s:
        yield s


@pytest.mark.slow
def test_a_held_job_is_not_walked_twice(emulator: Emulator, any_store: Store) -> None:
    from tokarc.collect import LEASE_SECONDS, JobRunningError, LeaseLostError
    from tokarc.collect._lease import Lease

    spec = JobSpec.build("hashtag", "magic", max_items=40)
    now = [1000.0]
    with client_for(emulator) as client:
        collector = Collector(client, any_store, clock=lambda: now[0])
        job = collector.job_for(spec)
        other = Lease(any_store, job.id, clock=lambda: now[0], seconds=LEASE_SECONDS)
        assert other.claim()
        with pytest.raises(JobRunningError, match=f"job {job.id} is running elsewhere"):
            collector.run(spec)
        assert sum(emulator.stats.requests.values()) == 0
        now[0] += LEASE_SECONDS + 1  # the holder never renewed: its lease ran out
        report = collector.run(spec)
        assert report.new == 40
        with pytest.raises(LeaseLostError, match="lease ran out"):
            other.renew()  # the old holder lost it
        assert other.claim()  # and the run released it when it ended


def test_a_run_that_waited_for_a_finished_walk_does_not_walk_again(
    emulator: Emulator, store: Store, db_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from tokarc._wiring import open_store
    from tokarc.collect import LEASE_SECONDS, _lease
    from tokarc.collect._lease import Lease

    tried, real_sleep = threading.Event(), time.sleep

    def sleep(seconds: float) -> None:  # the waiting run found the job taken, and waits
        tried.set()
        real_sleep(0.01)

    monkeypatch.setattr(_lease.time, "sleep", sleep)

    spec = JobSpec.build("hashtag", "magic", max_items=40)
    with client_for(emulator) as client:
        job = Collector(client, store).job_for(spec)
    holder = Lease(store, job.id, clock=lambda: 1000.0, seconds=LEASE_SECONDS)
    assert holder.claim()
    reports: list[Any] = []

    def waiting() -> None:
        with client_for(emulator) as c, open_store(db_path) as own:
            reports.append(Collector(c, own, clock=lambda: 1000.0).run(spec, wait=True))

    thread = threading.Thread(target=waiting)
    thread.start()
    assert tried.wait(timeout=60)
    store.update_job(job.id, status="done", stop_reason="max_items")  # the holder's walk ends
    holder.release()
    thread.join(timeout=60)
    assert [(r.status, r.pages) for r in reports] == [("done", 0)]
    assert sum(emulator.stats.requests.values()) == 0
