"""Many targets at once (``tokarc.collect.Many``): one job each, one store, one shared budget.

Counted in what the emulator served and charged; compared with the same jobs run one by one.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from tokarc import errors
from tokarc._wiring import open_store
from tokarc.collect import Collector, Events, JobReport, JobSpec, Many
from tokarc.emulator import Emulator
from tokarc.status import JobStatus, StopReason

from .conftest import client_for, rows

TAGS = ("magic", "cats", "dance", "food", "travel")


def specs(max_items: int = 100) -> list[JobSpec]:
    return [JobSpec.build("hashtag", tag, max_items=max_items) for tag in TAGS]


def dataset(db: Path) -> tuple[set[str], set[tuple[Any, ...]]]:
    """What a store holds: its post ids and which hashtag job found each."""
    with open_store(db) as store:
        ids = set(store.post_ids())
        seen = set(rows(store, "SELECT entity_id, source_kind, source_target FROM seen_via"))
    return ids, seen


def one_by_one(tmp_path: Path, max_items: int = 100) -> tuple[set[str], set[tuple[Any, ...]]]:
    db = tmp_path / "sequential.db"
    with client_for(Emulator(seed=0)) as client, open_store(db) as store:
        for spec in specs(max_items):
            assert Collector(client, store).run(spec).status == JobStatus.DONE
    return dataset(db)


@pytest.mark.slow
def test_every_target_runs_into_one_store_as_one_by_one(tmp_path: Path) -> None:
    emulator, db = Emulator(seed=0), tmp_path / "many.db"
    with client_for(emulator) as client, open_store(db) as store:
        result = Many(Collector(client, store), concurrency=3).run(specs())
    assert [r.target for r in result.reports] == list(TAGS)  # in the order given
    assert [r.job_id for r in result.reports] == [1, 2, 3, 4, 5]
    assert {r.status for r in result.reports} == {JobStatus.DONE}
    assert all(r.returned == 100 for r in result.reports)
    assert result.units == emulator.stats.units_total == 25
    assert dataset(db) == one_by_one(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("budget", [1, 7, 12, 24])
def test_the_shared_budget_holds_exactly(tmp_path: Path, budget: int) -> None:
    emulator = Emulator(seed=0)
    with client_for(emulator) as client, open_store(tmp_path / "b.db") as store:
        result = Many(Collector(client, store), concurrency=4, max_units=budget).run(specs())
    charged = emulator.stats.units_total
    assert charged == result.units == budget  # pages cost 1: the budget is spent to the unit
    assert sum(r.units for r in result.reports) == charged
    held = [r for r in result.reports if r.stop_reason == StopReason.BUDGET]
    assert held
    assert {r.stop_reason for r in result.reports} <= {StopReason.BUDGET, "max_items"}
    assert all(r.unsent for r in held)  # each says which call it held back


def test_a_budget_with_retries_is_never_exceeded(tmp_path: Path) -> None:
    """Malformed bodies are charged and retried: the worst case of each retry is held too."""
    emulator = Emulator(seed=3)
    emulator.set_faults(malformed_rate=0.3)
    with client_for(emulator) as client, open_store(tmp_path / "r.db") as store:
        result = Many(Collector(client, store), concurrency=5, max_units=20).run(specs())
    assert emulator.stats.units_total == result.units <= 20


def test_a_failed_target_is_its_outcome_and_the_others_finish(tmp_path: Path) -> None:
    names = ["zachking", "nobody_here_at_all", "khaby.lame"]
    jobs = [JobSpec.build("user_posts", name, max_items=20) for name in names]
    with client_for(Emulator(seed=0)) as client, open_store(tmp_path / "f.db") as store:
        result = Many(Collector(client, store), concurrency=3).run(jobs)
        stored = {j.target: j.status for j in store.list_jobs()}
    by_target = {r.target: r for r in result.reports}
    assert by_target["nobody_here_at_all"].status == JobStatus.FAILED
    assert isinstance(by_target["nobody_here_at_all"].error, errors.UserNotFoundError)
    assert [r.target for r in result.failed] == ["nobody_here_at_all"]
    assert by_target["zachking"].status == by_target["khaby.lame"].status == JobStatus.DONE
    assert stored["nobody_here_at_all"] == JobStatus.FAILED
    assert result.error is None


def test_an_error_no_target_gets_past_stops_them_all(tmp_path: Path) -> None:
    emulator = Emulator(seed=0, require_token="the-right-one")  # the client's is refused: 491
    with client_for(emulator) as client, open_store(tmp_path / "t.db") as store:
        result = Many(Collector(client, store), concurrency=2).run(specs())
    assert isinstance(result.error, errors.InvalidTokenError)
    assert len(result.reports) + len(result.not_started) == len(TAGS)
    assert len(result.not_started) >= 1  # stopped before their turn: not even one call
    assert emulator.stats.requests["hashtag_search"] <= 2


@pytest.mark.slow
def test_stopped_runs_resume_to_the_same_dataset(tmp_path: Path) -> None:
    db, pages = tmp_path / "s.db", 0
    lock = threading.Lock()

    def stop_after_two(spec: JobSpec, report: JobReport) -> None:
        nonlocal pages
        with lock:
            pages += 1
            if pages == 2:  # no run can have its 5 pages by then, nor after (one call in flight)
                many.stop()

    with client_for(Emulator(seed=0)) as client, open_store(db) as store:
        many = Many(Collector(client, store), concurrency=2, events=Events(page=stop_after_two))
        first = many.run(specs())
        statuses = {r.status for r in first.reports}
        assert JobStatus.INTERRUPTED in statuses
        assert JobStatus.DONE not in statuses
        assert first.not_started  # 2 at a time: the last targets had not begun
        again = Many(Collector(client, store), concurrency=2).run(specs())
        total_pages = rows(store, "SELECT COUNT(*) FROM pages")[0][0]
    assert {r.status for r in again.reports} == {JobStatus.DONE}
    assert dataset(db) == one_by_one(tmp_path)
    assert total_pages == 25  # every page fetched once: none again after the stop


def test_events_give_a_line_per_running_target(tmp_path: Path) -> None:
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def note(what: str) -> Any:
        def event(spec: JobSpec, *_: Any) -> None:
            with lock:
                seen.append((what, spec.target))

        return event

    events = Events(started=note("started"), page=note("page"), ended=note("ended"))
    with client_for(Emulator(seed=0)) as client, open_store(tmp_path / "e.db") as store:
        Many(Collector(client, store), concurrency=2, events=events).run(specs(40))
    for tag in TAGS:
        mine = [what for what, target in seen if target == tag]
        assert mine == ["started", "page", "page", "ended"]


def test_concurrency_below_one_is_refused() -> None:
    with pytest.raises(errors.InvalidInputError, match="concurrency"):
        Many(None, concurrency=0)  # type: ignore[arg-type]


def test_many_targets_into_postgresql_as_one_by_one(tmp_path: Path, pg_url: str) -> None:
    """The threads share one PostgreSQL connection, one statement or transaction at a time."""
    emulator = Emulator(seed=0)
    with client_for(emulator) as client, open_store(pg_url) as store:
        result = Many(Collector(client, store, ahead=1), concurrency=5, max_units=22).run(specs())
    assert result.error is None
    assert emulator.stats.units_total == result.units == 22
    with client_for(Emulator(seed=0)) as client, open_store(pg_url) as store:
        again = Many(Collector(client, store), concurrency=5).run(specs())
        found = set(store.db.query("SELECT entity_id, source_kind, source_target FROM seen_via"))
    assert {r.status for r in again.reports} == {JobStatus.DONE}
    assert found == one_by_one(tmp_path)[1]
