"""The scheduler against the emulator, its clock advanced between ticks."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import httpx
import pytest

import tokarc
from tokarc._wiring import open_store
from tokarc.collect import CAUGHT_UP
from tokarc.collect._kinds import QUIET_PAGES
from tokarc.emulator import Emulator
from tokarc.errors import InvalidInputError
from tokarc.models import decode
from tokarc.monitor import MAX_FAILURES, Scheduler, Watches, format_duration, parse_duration
from tokarc.store import Batch, Store

from .conftest import DAY, HOUR, client_factory, rows, scheduler


def now(emulator: Emulator) -> float:
    return float(emulator.clock.now())


def post_ids(store: Store) -> set[str]:
    return set(store.post_ids())


def test_durations() -> None:
    assert [parse_duration(t) for t in ("90s", "15m", "1h", "7d", "2w", "1.5h")] == [
        90, 900, 3600, 7 * DAY, 14 * DAY, 5400,
    ]  # fmt: skip
    assert [format_duration(s) for s in (3600, 7 * DAY, 90, 5400)] == ["1h", "7d", "90s", "90m"]
    for bad in ("", "1", "h", "0h", "-1h", "1y", "soon"):
        with pytest.raises(InvalidInputError):
            parse_duration(bad)


def test_bad_watches_are_refused(watches: Watches) -> None:
    for kind, target in (("hashtag", "two words"), ("planet", "mars"), ("posts", "x,y"),
                         ("posts", "hashtag:"), ("hashtag", "")):  # fmt: skip
        with pytest.raises(InvalidInputError):
            watches.add(kind, target)
    with pytest.raises(InvalidInputError):
        watches.add("hashtag", "magic", budget=0)
    watches.add("hashtag", "#magic")
    with pytest.raises(InvalidInputError, match="already watching hashtag:magic"):
        watches.add("hashtag", "magic")
    assert [w.label for w in watches.all()] == ["hashtag:magic"]


@pytest.mark.slow
def test_due_not_due_and_paused(emulator: Emulator, db_path: str, watches: Watches) -> None:
    t0 = now(emulator)
    magic = watches.add("hashtag", "magic", every="1h", window="1d", now=t0)
    zach = watches.add("user", "zachking", every="2h", window="30d", now=t0)
    quiet = watches.add("keyword", "tesla", every="1h", window="7d", now=t0)
    watches.set_paused(quiet.id, True)
    s = scheduler(emulator, db_path)
    assert {r.label for r in s.tick()} == {magic.label, zach.label}
    assert s.tick() == []  # nothing is due a second later
    emulator.clock.advance(HOUR)
    assert [r.label for r in s.tick()] == [magic.label]  # zachking runs every 2h
    watches.set_paused(quiet.id, False)
    emulator.clock.advance(HOUR)
    assert {r.label for r in s.tick()} == {magic.label, zach.label, quiet.label}
    assert watches.get(magic.id).next_due == now(emulator) + HOUR
    assert [r["status"] for r in watches.runs(magic.id)] == ["ok"] * 3


def test_unchanged_target_costs_one_page_per_tick(
    emulator: Emulator, db_path: str, watches: Watches
) -> None:
    zach = watches.add("user", "zachking", every="1h", window="30d", now=now(emulator))
    s = scheduler(emulator, db_path)
    first = s.tick()[0]
    assert first.new > 0
    for _ in range(3):
        emulator.clock.advance(HOUR)  # zachking posts every 3 days: nothing new
        run = s.tick()[0]
        assert (run.pages, run.units, run.new, run.stop_reason) == (1, 1, 0, CAUGHT_UP)
    assert [r["units"] for r in watches.runs(zach.id)][1:] == [1, 1, 1]


@pytest.mark.slow
def test_advancing_the_clock_picks_up_exactly_the_new_posts(
    emulator: Emulator, db_path: str, store: Store, watches: Watches
) -> None:
    watches.add("hashtag", "magic", every="1h", window="1d", now=now(emulator))
    s = scheduler(emulator, db_path)
    s.tick()
    for _ in range(2):
        before = post_ids(store)
        emulator.clock.advance(HOUR)
        run = s.tick()[0]
        arrived = post_ids(store) - before
        with client_factory(emulator)() as fresh:
            head = list(fresh.tiktok.iter_hashtag_posts("magic", max_items=len(arrived) + 40))
        expected = {p.aweme_id for p in head if (p.create_time or 0) > now(emulator) - HOUR}
        assert arrived == expected
        assert run.new == len(arrived) > 20
        assert run.stop_reason == CAUGHT_UP
        assert run.pages <= -(-len(arrived) // 20) + QUIET_PAGES  # the new, then the quiet


def test_budget_stops_the_watch_until_the_next_day(
    emulator: Emulator, db_path: str, watches: Watches
) -> None:
    magic = watches.add("hashtag", "magic", every="1h", window="7d", budget=10, now=now(emulator))
    s = scheduler(emulator, db_path)
    run = s.tick()[0]
    assert (run.status, run.units) == ("budget", 10)
    assert "hit its budget of 10 units" in run.message
    assert "stopped until 2026-11-02T00:00:00+00:00" in run.message
    stored = watches.get(magic.id)
    assert (stored.last_status, stored.next_due) == ("budget", now(emulator) + DAY)
    emulator.clock.advance(6 * HOUR)
    assert s.tick() == []  # every 1h, but the day's units are spent
    emulator.clock.advance(18 * HOUR)
    again = s.tick()[0]
    assert (again.status, again.units) == ("budget", 10)  # the backfill goes on, 10 a day
    assert [(r["day"], r["units"]) for r in watches.runs(magic.id)] == [
        ("2026-11-01", 10), ("2026-11-02", 10),
    ]  # fmt: skip
    assert emulator.stats.requests["hashtag_search"] == 20  # no page fetched twice


def test_a_spent_budget_is_not_spent_again(
    emulator: Emulator, db_path: str, watches: Watches
) -> None:
    magic = watches.add("hashtag", "magic", every="1h", budget=5, now=now(emulator))
    watches.record_run((magic.id, None, "2026-11-01", "", "", "ok", None, 5, 0, 5, 0, ""))
    run = scheduler(emulator, db_path).tick()[0]
    assert (run.status, run.units) == ("budget", 0)
    assert "already spent" in run.message
    assert sum(emulator.stats.requests.values()) == 0


def test_rehydration_marks_gone_posts(
    emulator: Emulator, db_path: str, store: Store, watches: Watches
) -> None:
    watches.add("hashtag", "magic", every="1h", window="1h", now=now(emulator))
    s = scheduler(emulator, db_path)
    s.tick()
    ghost = decode("post", {"aweme_id": "7000000000000000002", "desc": "was here"})
    store.save_page(Batch(endpoint="test", records=[ghost], source_kind="hashtag",
                          source_target="magic"))  # fmt: skip
    posts = watches.add("posts", "hashtag:magic", every="6h", now=now(emulator))
    observed = rows(store, "SELECT COUNT(*) FROM post_stats")[0][0]
    emulator.clock.advance(6 * HOUR)
    first = {r.label: r for r in s.tick()}[posts.label]
    assert (first.status, first.gone) == ("ok", 0), first.message  # one miss is not enough
    assert store.post_misses(["7000000000000000002"]) == {"7000000000000000002": 1}
    emulator.clock.advance(6 * HOUR)
    runs = {r.label: r for r in s.tick()}
    refresh = runs[posts.label]
    assert (refresh.status, refresh.gone) == ("ok", 1)
    assert "1 gone" in refresh.message
    assert set(store.post_ids(gone=True)) == {"7000000000000000002"}
    stored = len(post_ids(store)) - 1 - runs["hashtag:magic"].new
    assert rows(store, "SELECT COUNT(*) FROM post_stats")[0][0] >= observed + stored
    assert sorted(r["gone"] for r in watches.runs(posts.id)) == [0, 1]


def test_a_failing_target_says_why(emulator: Emulator, db_path: str, watches: Watches) -> None:
    w = watches.add("user", "private.pat", now=now(emulator))
    run = scheduler(emulator, db_path).tick()[0]
    assert run.status == "failed"
    assert "private" in run.message
    assert watches.get(w.id).last_status == "failed"


def test_stop_ends_after_the_current_page_and_releases(
    emulator: Emulator, db_path: str, watches: Watches
) -> None:
    magic = watches.add("hashtag", "magic", every="1h", window="7d", now=now(emulator))
    s = scheduler(emulator, db_path)
    pages: list[int] = []
    emulator_handle = emulator.handle

    def stop_after_two(request):  # type: ignore[no-untyped-def]
        pages.append(1)
        if len(pages) == 2:
            s.stop()
        return emulator_handle(request)

    emulator.handle = stop_after_two  # type: ignore[method-assign]
    run = s.tick()[0]
    assert (run.status, run.pages) == ("interrupted", 2)
    stored = watches.get(magic.id)
    assert stored.claimed_by is None
    assert stored.next_due == now(emulator)  # still due: the next tick resumes the job
    assert s.tick() == []  # a stopped scheduler runs nothing more


def test_a_missing_target_stops_after_max_failures(
    emulator: Emulator, db_path: str, watches: Watches
) -> None:
    w = watches.add("user", "nosuchuser_xyz", every="1h", now=now(emulator))
    ok = watches.add("hashtag", "magic", every="1h", window="1h", now=now(emulator))
    s = scheduler(emulator, db_path)
    for tick in range(1, MAX_FAILURES + 2):
        runs = {r.label: r for r in s.tick()}
        emulator.clock.advance(HOUR)
        if tick <= MAX_FAILURES:
            assert runs[w.label].status == "failed"
            assert "not found" in runs[w.label].message
        else:
            assert w.label not in runs  # stopped: no more retries
            assert runs[ok.label].status == "ok"
    stopped = watches.get(w.id)
    assert stopped.stopped
    assert stopped.failures == MAX_FAILURES
    assert stopped.state() == f"stopped after {MAX_FAILURES} failures"
    assert f"stopped after {MAX_FAILURES} failures in a row" in (stopped.last_message or "")
    assert watches.get(ok.id).failures == 0
    resumed = watches.set_paused(w.id, False)
    assert (resumed.failures, resumed.state()) == (0, "active")


def test_a_new_watch_is_due_now(watches: Watches) -> None:
    w = watches.add("hashtag", "magic")  # the wall clock, not 1970
    assert w.next_due > 1_700_000_000
    assert w.due_text(w.next_due) == "now"
    assert w.due_text(w.next_due - 60).endswith("Z")


class Killed(BaseException):
    """Stands for kill -9: nothing after it in the run gets to record anything."""


class Dying(httpx.BaseTransport):
    """The emulator's transport, dying before its ``calls + 1``-th request."""

    def __init__(self, inner: httpx.BaseTransport, calls: int) -> None:
        self.inner, self.left = inner, calls

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.left -= 1
        if self.left < 0:
            raise Killed
        return self.inner.handle_request(request)


def dying_clients(emulator: Emulator, calls: int) -> Callable[[], tokarc.Client]:
    def make() -> tokarc.Client:
        transport = Dying(emulator.transport(), calls)
        return tokarc.Client("monitor-token", base_url="http://emulator.test/apis",
                             transport=transport, retry=tokarc.RetryPolicy.instant())  # fmt: skip

    return make


@pytest.mark.slow
def test_crashed_ticks_cannot_exceed_the_daily_budget(emulator: Emulator, any_db: str) -> None:
    with open_store(any_db) as store:
        magic = Watches(store).add("hashtag", "magic", every="1h", window="7d", budget=10,
                                   now=now(emulator))  # fmt: skip
    clock = lambda: float(emulator.clock.now())  # noqa: E731
    for _ in range(5):  # five ticks, each killed after 3 calls: 15 units asked for
        s = Scheduler(any_db, dying_clients(emulator, 3), clock=clock, workers=1)
        with contextlib.suppress(Killed):
            s.tick()
        emulator.clock.advance(HOUR)
    assert emulator.stats.units_total <= 10
    with open_store(any_db) as store:
        spent = rows(store, "SELECT SUM(units) FROM requests WHERE job_id = ?",
                     (Watches(store).get(magic.id).job_id,))[0][0]  # fmt: skip
    assert spent == emulator.stats.units_total == 10


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 4])
def test_a_posts_watch_runs_after_the_watch_it_reads(
    emulator: Emulator, db_path: str, store: Store, watches: Watches, workers: int
) -> None:
    posts = watches.add("posts", "hashtag:magic", every="1d", now=now(emulator))  # added first
    watches.add("hashtag", "magic", every="1h", window="1d", now=now(emulator))
    runs = scheduler(emulator, db_path, workers=workers).tick()
    assert [r.label for r in runs] == ["hashtag:magic", "posts:hashtag:magic"]
    refresh = runs[1]
    assert refresh.status == "ok", refresh.message
    assert refresh.pages >= 1
    assert [r["status"] for r in watches.runs(posts.id)] == ["ok"]


@pytest.mark.slow
def test_an_empty_posts_watch_stays_due_while_its_producer_has_not_run(
    emulator: Emulator, db_path: str, watches: Watches
) -> None:
    start = now(emulator)
    posts = watches.add("posts", "hashtag:magic", every="1d", now=start)
    watches.add("hashtag", "magic", every="1h", window="1d", now=start + HOUR)  # due later
    s = scheduler(emulator, db_path)
    [empty] = s.tick()
    assert (empty.label, empty.status) == ("posts:hashtag:magic", "empty")
    assert empty.message.endswith("yet: due again once hashtag:magic has run")
    assert [w.id for w in watches.due(start)] == [posts.id]  # not pushed a day away
    emulator.clock.advance(HOUR)
    runs = s.tick()
    assert [(r.label, r.status) for r in runs] == [("hashtag:magic", "ok"),
                                                   ("posts:hashtag:magic", "ok")]  # fmt: skip
    emulator.clock.advance(HOUR)
    assert [r.label for r in s.tick()] == ["hashtag:magic"]  # the posts watch: due in a day
