"""Expansions on the emulator: every step, depth 2, the budget held to the unit the emulator
charged, estimates above spend, fresh records not fetched again, failures recorded, resumable."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import tokarc
from tokarc._wiring import open_store
from tokarc.collect import Collector, ExpandSpec, Expansion, ExpansionReport, JobSpec
from tokarc.collect._steps import STEPS
from tokarc.emulator import Emulator
from tokarc.emulator import _fixtures as F
from tokarc.errors import InvalidInputError
from tokarc.store import Store

from .conftest import client_for, rows

COMMENTED = f"post:{F.COMMENTED_POST}"
ZACH_POST = "7210531475052236078"


def run(emulator: Emulator, store: Store, source: str, steps: str, **options: Any
        ) -> ExpansionReport:  # fmt: skip
    options.setdefault("per_target", 3)
    with client_for(emulator) as client:
        report = tokarc.expand(client, store, source, steps, **options)
    assert isinstance(report, ExpansionReport)
    return report


def step(report: ExpansionReport, name: str, depth: int = 1) -> Any:
    return next(s for s in report.steps if s.step == name and s.depth == depth)


@pytest.mark.parametrize("name", sorted(STEPS))
def test_each_step_collects_its_targets(emulator: Emulator, store: Store, name: str) -> None:
    source = COMMENTED if name in ("comments", "commenters") else "hashtag:magic"
    steps = "comments,commenters" if name == "commenters" else name
    report = run(emulator, store, source, steps)
    s = step(report, name)
    assert s.planned >= 1, s
    assert s.done >= 1, s
    assert report.status == "done"
    assert report.units == emulator.stats.units_total  # every unit the emulator charged


@pytest.mark.parametrize("name", ["author-posts", "followers", "followings", "sound-posts",
                                  "hashtag-posts"])  # fmt: skip
def test_each_step_two_deep(emulator: Emulator, store: Store, name: str) -> None:
    report = run(emulator, store, "hashtag:magic", name, depth=2, per_target=2)
    if name in ("author-posts", "sound-posts"):  # their posts have the same authors and sounds:
        assert step(report, name, 2).planned == 0  # planned once per expansion, not again
    else:
        assert step(report, name, 2).done >= 1
    assert report.units == emulator.stats.units_total


@pytest.mark.slow
def test_depth_two_holds_the_budget_exactly(emulator: Emulator, store: Store) -> None:
    steps = ",".join(STEPS)
    with client_for(emulator) as client:
        spec = ExpandSpec.build("hashtag:magic", steps, depth=2, per_target=3, max_units=60)
        est = Expansion(client, store, spec).estimate()
        assert emulator.stats.units_total == 0  # an estimate sends nothing
        report = Expansion(client, store, spec).run()
    assert report.stop_reason == "budget"
    assert emulator.stats.units_total == report.units
    assert 60 - 2 < report.units <= 60  # stopped only when the next call could not fit
    assert est.units >= report.units
    assert any(s.depth == 2 and s.done for s in report.steps)
    assert sum(s.pending for s in report.steps) > 0  # not reached: said, not hidden


def test_estimate_is_at_least_the_spend(emulator: Emulator, store: Store) -> None:
    spec = ExpandSpec.build("hashtag:magic", "authors,author-posts,followers", depth=2,
                            per_target=2)  # fmt: skip
    with client_for(emulator) as client:
        est = Expansion(client, store, spec).estimate()
        report = Expansion(client, store, spec).run()
    assert report.status == "done"
    assert 0 < emulator.stats.units_total == report.units <= est.units
    for s in report.steps:
        e = next(x for x in est.steps if (x.depth, x.step) == (s.depth, s.step))
        assert s.planned <= e.targets, (s, e)
        assert s.units <= e.units, (s, e)


def test_fresh_records_are_not_fetched_again(emulator: Emulator, store: Store) -> None:
    with client_for(emulator) as client:
        Collector(client, store).run(JobSpec.build("user", "zachking"))
    before = emulator.stats.units_total
    report = run(emulator, store, f"post:{ZACH_POST}", "authors")
    assert (step(report, "authors").fresh, step(report, "authors").done) == (1, 0)
    assert emulator.stats.requests.get("user_info_from_username", 0) == 1
    assert emulator.stats.units_total - before == 1  # the seed post only
    again = run(emulator, store, f"post:{ZACH_POST}", "authors", fresh_for="0")
    assert step(again, "authors").done == 1  # a new expansion, freshness off: fetched


def test_a_second_expansion_skips_what_the_first_collected(emulator: Emulator, store: Store
                                                           ) -> None:  # fmt: skip
    first = run(emulator, store, "hashtag:magic", "authors")
    spent = emulator.stats.units_total
    second = run(emulator, store, "hashtag:magic", "authors", order="recent")
    assert step(second, "authors").fresh == step(first, "authors").planned
    assert emulator.stats.units_total == spent  # the seed feed is fresh too


def test_private_and_missing_targets_are_recorded(emulator: Emulator, store: Store) -> None:
    private = run(emulator, store, "profile:private.pat", "author-posts,followers")
    assert step(private, "author-posts").failed == {"private": 1}
    assert step(private, "followers").failed == {"private": 1}
    ghost = run(emulator, store, "profile:no.such.user.here", "followers")
    assert step(ghost, "seed", 0).failed == {"gone": 1}
    gone = run(emulator, store, "post:7000000000000000001", "authors")
    assert step(gone, "seed", 0).failed == {"gone": 1}
    outcomes = rows(store, "SELECT outcome FROM expand_targets WHERE outcome NOT IN ('done')")
    assert sorted(o for (o,) in outcomes) == ["gone", "gone", "private", "private"]


@pytest.mark.slow
def test_a_budget_stop_then_more_budget_equals_one_run(tmp_path: Path) -> None:
    def expansion(db: Path, budgets: list[int]) -> tuple[ExpansionReport, list[Any]]:
        emulator = Emulator(seed=0)
        with open_store(db) as store:
            for budget in budgets:
                report = run(emulator, store, "hashtag:magic", "authors,followers", depth=2,
                             max_units=budget)  # fmt: skip
            snapshot = sorted(rows(store, "SELECT depth, step, kind, target, outcome "
                                          "FROM expand_targets"))  # fmt: skip
            users = sorted(rows(store, "SELECT uid FROM users"))
        return report, [snapshot, users]

    one, one_db = expansion(tmp_path / "one.db", [25])
    two, two_db = expansion(tmp_path / "two.db", [9, 17, 25])
    assert one_db == two_db
    assert one.units == two.units <= 25


@pytest.mark.slow
@pytest.mark.parametrize("budget", [None, 13, 30])
def test_targets_run_together_to_what_one_after_the_other_gives(
    tmp_path: Path, budget: int | None
) -> None:
    def expansion(db: Path, concurrency: int) -> tuple[int, list[Any]]:
        emulator = Emulator(seed=0)
        with open_store(db) as store:
            report = run(emulator, store, "hashtag:magic", "authors,followers", depth=2,
                         max_units=budget, concurrency=concurrency)  # fmt: skip
            assert report.units == emulator.stats.units_total
            snapshot = sorted(rows(store, "SELECT depth, step, kind, target, outcome "
                                          "FROM expand_targets"))  # fmt: skip
            users = sorted(rows(store, "SELECT uid FROM users"))
        return report.units, [snapshot, users]

    serial, serial_db = expansion(tmp_path / "serial.db", 1)
    together, together_db = expansion(tmp_path / "together.db", 6)
    assert together_db == serial_db
    assert together == serial
    if budget is not None:
        assert together <= budget


@pytest.mark.slow
def test_a_stop_in_one_target_stops_them_all_and_a_resume_ends_as_a_clean_run(
    tmp_path: Path,
) -> None:
    """A child's page callback raises (a worker stopping, Ctrl-C): every target stops at its
    page boundary, none is marked done that is not, and running again ends as a clean run."""

    def snapshot(db: Path) -> list[Any]:
        with open_store(db) as store:
            return [sorted(rows(store, "SELECT depth, step, kind, target, outcome "
                                       "FROM expand_targets")),
                    sorted(rows(store, "SELECT uid FROM users"))]  # fmt: skip

    pages, lock = 0, threading.Lock()

    def stop_at_the_eleventh(report: Any) -> None:
        nonlocal pages
        with lock:
            pages += 1
            if pages == 11:
                raise KeyboardInterrupt

    spec = ExpandSpec.build("hashtag:magic", "authors,followers", depth=2, per_target=3)
    stopped, clean = tmp_path / "stopped.db", tmp_path / "clean.db"
    with client_for(Emulator(seed=0)) as client, open_store(stopped) as store:
        with pytest.raises(KeyboardInterrupt):
            Expansion(client, store, spec, on_page=stop_at_the_eleventh, concurrency=4).run()
        assert store.get_job(1).status == "interrupted"
        done = rows(store, "SELECT COUNT(*) FROM expand_targets WHERE outcome = 'done'")[0][0]
        finished = rows(store, "SELECT COUNT(*) FROM expand_targets t JOIN jobs j "
                               "ON j.id = t.job_id WHERE j.status = 'done'")[0][0]  # fmt: skip
        assert done <= finished  # a target marked done has its job done
        Expansion(client, store, spec, concurrency=4).run()
    with client_for(Emulator(seed=0)) as client, open_store(clean) as store:
        Expansion(client, store, spec, concurrency=4).run()
    assert snapshot(stopped) == snapshot(clean)


def test_a_depths_targets_are_fetched_at_the_same_time(tmp_path: Path) -> None:
    emulator = Emulator(seed=0, latency=0.02)
    in_flight, most = 0, 0
    lock = threading.Lock()

    def sent(endpoint: str, params: Any) -> None:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)

    def back(event: Any) -> None:
        nonlocal in_flight
        with lock:
            in_flight -= 1

    with client_for(emulator) as client, open_store(tmp_path / "t.db") as store:
        client.add_guard(sent)
        client.add_listener(back)
        report = tokarc.expand(client, store, "hashtag:magic", "authors", per_target=8,
                               concurrency=4)  # fmt: skip
    assert isinstance(report, ExpansionReport)
    assert step(report, "authors").done >= 4
    assert most >= 2  # profiles fetched at once (one after the other: never more than 1)
    assert most <= 4


@pytest.mark.slow
def test_jobs_are_a_parent_and_its_children(emulator: Emulator, store: Store) -> None:
    report = run(emulator, store, "hashtag:magic", "authors")
    parent = store.get_job(report.job_id)
    assert parent.kind == "expand"
    assert parent.target == "hashtag:magic"
    from tokarc.collect._expand import parents

    children = [j for j, p in parents(store).items() if p == parent.id]
    assert len(children) == 1 + step(report, "authors").done  # the seed and each author
    assert parent.units == report.units


@pytest.mark.parametrize(
    ("source", "steps", "options"),
    [
        ("hashtag:magic", "", {}),
        ("hashtag:magic", "authors,friends", {}),
        ("tiktok:magic", "authors", {}),
        ("hashtag:", "authors", {}),
        ("hashtag:magic", "authors", {"depth": 0}),
        ("hashtag:magic", "authors", {"depth": 9}),
        ("hashtag:magic", "authors", {"per_target": 0}),
        ("hashtag:magic", "authors", {"max_units": 0}),
        ("hashtag:magic", "authors", {"order": "likes"}),
        ("hashtag:magic", "authors", {"fresh_for": "soon"}),
        ("", "authors", {}),
        ("post:not-a-post", "authors", {}),
    ],
)
def test_bad_input_is_refused_before_anything(source: str, steps: str, options: Any) -> None:
    with pytest.raises(InvalidInputError):
        ExpandSpec.build(source, steps, **options)


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    with open_store(pg_url) as s:
        yield s


def test_an_expansion_on_postgresql(emulator: Emulator, pg_store: Store) -> None:
    report = run(emulator, pg_store, "hashtag:magic", "authors,followers", max_units=12)
    assert report.units == emulator.stats.units_total <= 12
    again = run(emulator, pg_store, "hashtag:magic", "authors,followers", max_units=12)
    assert again.job_id == report.job_id
    assert again.units == report.units


def test_targets_are_taken_in_order_within_the_budget(emulator: Emulator, store: Store) -> None:
    report = run(emulator, store, "hashtag:magic", "authors", per_target=5, max_units=3)
    assert step(report, "authors").done == 2  # the seed took 1 unit, each profile 1
    sql = ("SELECT p.play_count, u.unique_id FROM posts p JOIN users u ON u.uid = p.author_uid "
           "ORDER BY p.play_count DESC, p.aweme_id")  # fmt: skip
    posts = rows(store, sql)
    by_plays = list(dict.fromkeys(name for _, name in posts))
    done = rows(store, "SELECT target FROM expand_targets WHERE step = 'authors' "
                       "AND outcome = 'done' ORDER BY seq")  # fmt: skip
    assert [t for (t,) in done] == by_plays[:2]


def test_ctrl_c_then_again_equals_a_clean_run(tmp_path: Path) -> None:
    def expansion(db: Path, stop_after: int | None) -> list[Any]:
        emulator = Emulator(seed=0)
        seen = 0

        def interrupt(_: Any) -> None:
            nonlocal seen
            seen += 1
            if seen == stop_after:
                raise KeyboardInterrupt

        with open_store(db) as store, client_for(emulator) as client:
            spec = ExpandSpec.build("hashtag:magic", "authors,followers", depth=2, per_target=2)
            try:
                Expansion(client, store, spec, on_target=interrupt).run()
            except KeyboardInterrupt:
                assert store.list_jobs(kind="expand")[0].status == "interrupted"
                Expansion(client, store, spec).run()
            return [
                sorted(
                    rows(
                        store, "SELECT depth, step, seq, kind, target, outcome FROM expand_targets"
                    )
                ),
                sorted(rows(store, "SELECT follower_uid, followed_uid FROM follows")),
            ]

    assert expansion(tmp_path / "cut.db", 4) == expansion(tmp_path / "clean.db", None)


def _collect(emulator: Emulator, store: Store, kind: str, target: str, items: int) -> None:
    with client_for(emulator) as client:
        Collector(client, store).run(JobSpec.build(kind, target, max_items=items))


def _caps(report: ExpansionReport) -> list[str]:
    return [c.text() for c in report.caps]


def test_a_per_target_cut_is_said_and_recorded(emulator: Emulator, store: Store) -> None:
    _collect(emulator, store, "hashtag", "magic", 200)  # 200 stored posts to take authors from
    report = run(emulator, store, "hashtag:magic", "authors", per_target=10)
    assert report.status == "done"
    assert "authors: 10 of 200 posts (capped by --per-target 10)" in _caps(report)
    recorded = rows(store, "SELECT step, cap, taken, available, noun, cap_value FROM expand_caps")
    assert ("authors", "per_target", 10, 200, "post", 10) in recorded
    again = Expansion(None, store, ExpandSpec.build("hashtag:magic", "authors", per_target=10))
    assert _caps(again.report()) == _caps(report)  # the record, read back


def test_every_other_cap_is_said(emulator: Emulator, store: Store) -> None:
    _collect(emulator, store, "comments", str(F.COMMENTED_POST), 30)
    fan = run(emulator, store, COMMENTED, "commenters", per_target=3)
    assert any(t.startswith("commenters: 3 of ") and t.endswith("targets (capped by "
               "--per-target 3)") for t in _caps(fan)), _caps(fan)  # fmt: skip
    deep = run(emulator, store, "profile:zachking", "followers", per_target=2)
    assert "followers: 1 of 1 targets stopped at 2 items (capped by --per-target 2)" in _caps(deep)
    assert "depth 1: 2 users found, not expanded (capped by --depth 1)" in _caps(deep)
    broke = run(emulator, store, "hashtag:magic", "followers", depth=2, per_target=2,
                max_units=8)  # fmt: skip
    assert broke.stop_reason == "budget"
    assert any(t.endswith("(capped by --max-units 8)") for t in _caps(broke)), _caps(broke)


def test_an_uncapped_expansion_says_nothing_capped(emulator: Emulator, store: Store) -> None:
    report = run(emulator, store, "profile:zachking", "authors", per_target=3)
    assert report.status == "done"
    assert report.caps == []
