"""Figures and records that must be true: who is a follower, the API's order, the span a job
covered, what one run collected, one count of items, and posts marked gone only when sure."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tokarc.client.pagination import EXHAUSTED
from tokarc.collect import Collector, JobSpec, coverage, target_label
from tokarc.collect._commit import Committer
from tokarc.dataset.export import Run, export
from tokarc.emulator import Emulator
from tokarc.store import Batch, Store

from .conftest import client_for, rows

GHOST = "7000000000000000002"  # an id the emulator does not know: every lookup misses it
REAL = "7210531475052236078"


def exported(store: Store, entity: str, **narrow: Any) -> list[dict[str, Any]]:
    """The rows of a CSV export (its fixed columns), and checks JSONL has the same count."""
    out, raw = io.StringIO(), io.StringIO()
    export(store, entity, out, "csv", **narrow)
    assert export(store, entity, raw, "jsonl", **narrow) == len(raw.getvalue().splitlines())
    found = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(found) == len(raw.getvalue().splitlines())
    return found


# -- followers are followers -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["followers", "followings"])
def test_the_target_is_the_other_end_of_each_edge_not_a_result(
    collector: Collector, store: Store, kind: str
) -> None:
    report = collector.run(JobSpec.build(kind, "zachking", max_items=30))
    zach = rows(store, "SELECT uid FROM users WHERE unique_id = 'zachking'")[0][0]
    found = {u["uid"] for u in exported(store, "users", source=(kind, "zachking"))}
    assert len(found) == 30
    assert zach not in found
    sql = "SELECT source_kind FROM seen_via WHERE entity_id = ?"
    via = [tuple(r) for chunk in store.stream(sql, (zach,)) for r in chunk]
    assert via == [("user",)]  # found by looking him up, not among his followers
    end = "followed_uid" if kind == "followers" else "follower_uid"
    assert rows(store, f"SELECT DISTINCT {end} FROM follows") == [(zach,)]
    assert report.returned == report.new == 30  # the lookup is not counted as an item
    assert store.get_job(report.job_id).returned == 30


# -- order is kept ---------------------------------------------------------------------------

ORDERED = [
    ("music_search", "magic", "music", {"sorting": "1"}, "music_id", "iter_music_search"),
    ("user_search", "a", "users", {}, "uid", "iter_user_search"),
    ("keyword", "magic", "posts", {"sorting": "1", "period": "180"}, "aweme_id",
     "iter_keyword_posts"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "target", "entity", "params", "key", "iterator"), ORDERED)
def test_search_results_are_written_in_the_apis_order(
    emulator: Emulator, collector: Collector, store: Store, kind: str, target: str, entity: str,
    params: dict[str, str], key: str, iterator: str,
) -> None:  # fmt: skip
    before = store.last_page_id()
    report = collector.run(JobSpec.build(kind, target, params=params, max_items=45))
    with client_for(emulator) as fresh:
        found = getattr(fresh.tiktok, iterator)(target, **params, max_items=45)
        api = list(dict.fromkeys(getattr(r, key) for r in found))  # first sightings
    assert len(api) > 3
    assert api != sorted(api)
    for narrowed in ({"source": (kind, target)}, {"run": Run(report.job_id, before)}):
        assert [r[key] for r in exported(store, entity, **narrowed)] == api
    ranks = rows(store, "SELECT rank FROM page_items ORDER BY page_id, rank")
    assert len(ranks) == report.returned
    assert ranks[0] == (0,)


# -- coverage is honest ----------------------------------------------------------------------


@pytest.mark.slow
def test_a_window_the_feed_did_not_reach_is_said(emulator: Emulator, store: Store) -> None:
    now = emulator.clock.now()
    with client_for(emulator) as client:
        collector = Collector(client, store, clock=emulator.clock.now)
        report = collector.run(JobSpec.build("hashtag", "magic", days=30, now=now))
    job = store.get_job(report.job_id)
    assert report.stop_reason == EXHAUSTED
    oldest = rows(store, "SELECT MIN(create_time) FROM posts WHERE is_pinned = 0")
    assert job.covered_from == oldest[0][0]
    assert job.covered_to is not None
    assert job.last_fetched == int(now)
    days = f"{(now - oldest[0][0]) / 86_400:.1f}"
    assert report.coverage == coverage(job) == f"covers {days} of 30 days: the feed ended"
    assert float(days) < 30


@pytest.mark.slow
def test_a_window_the_feed_reached_says_nothing(emulator: Emulator, collector: Collector) -> None:
    report = collector.run(JobSpec.build("hashtag", "magic", days=1, now=emulator.clock.now()))
    assert report.coverage is None is coverage(collector.store.get_job(report.job_id))


# -- what this run collected -----------------------------------------------------------------


def test_a_run_exports_what_it_collected_not_all_the_source_found(
    emulator: Emulator, collector: Collector, store: Store
) -> None:
    collector.run(JobSpec.build("hashtag", "magic", max_items=300))
    before = store.last_page_id()
    again = collector.run(JobSpec.build("hashtag", "magic", max_items=20, incremental=True))
    this_run = exported(store, "posts", run=Run(again.job_id, before))
    assert len(this_run) == again.returned == 20
    assert len(exported(store, "posts", source=("hashtag", "magic"))) == 300


# -- one count of items ----------------------------------------------------------------------


def test_items_are_one_count_in_the_report_and_the_job(collector: Collector) -> None:
    for spec in (
        JobSpec.build("user_posts", "zachking", max_items=15, no_pinned=True),
        JobSpec.build("followers", "zachking", max_items=30),
        JobSpec.build("hashtag", "magic", max_items=33),
    ):
        report = collector.run(spec)
        job = collector.store.get_job(report.job_id)
        assert report.returned == job.returned, spec.kind
        assert report.new + report.duplicates == job.new_records + job.duplicates


def test_a_posts_job_is_labelled_by_its_ids() -> None:
    ids = [str(7_000_000_000_000_000_000 + i) for i in range(5)]
    assert target_label("posts", "", {"ids": ids[:1]}) == ids[0]
    assert target_label("posts", "", {"ids": ids}) == f"{', '.join(ids[:3])} (+2 more)"
    assert target_label("hashtag", "magic", {}) == "magic"


# -- gone after two misses in a row, in the page's transaction ------------------------------


def _ghost(store: Store) -> None:
    from tokarc.models import decode

    store.save_page(Batch(endpoint="test", records=[decode("post", {"aweme_id": GHOST})]))


def _gone(store: Store) -> set[str]:
    return set(store.post_ids(gone=True))


def test_a_post_is_marked_gone_after_two_misses_in_a_row(
    collector: Collector, store: Store
) -> None:
    _ghost(store)
    spec = JobSpec.build("posts", ids=[GHOST, REAL])
    first = collector.run(spec)
    assert (_gone(store), store.post_misses([GHOST, REAL]), first.gone) == (set(), {GHOST: 1}, 0)
    second = collector.run(spec)
    assert (_gone(store), store.post_misses([GHOST]), second.gone) == ({GHOST}, {GHOST: 2}, 1)


def test_a_sighting_between_misses_starts_the_count_again(
    collector: Collector, store: Store
) -> None:
    _ghost(store)
    spec = JobSpec.build("posts", ids=[GHOST])
    collector.run(spec)
    _ghost(store)  # seen again (another feed brought it)
    collector.run(spec)
    assert (_gone(store), store.post_misses([GHOST])) == (set(), {GHOST: 1})


def test_how_many_misses_make_a_post_gone_is_configurable(
    collector: Collector, store: Store
) -> None:
    _ghost(store)
    collector.run(JobSpec.build("posts", ids=[GHOST], gone_after=1))
    assert _gone(store) == {GHOST}
    with pytest.raises(ValueError, match="gone_after"):
        JobSpec.build("posts", ids=[GHOST], gone_after=0)


def test_a_crash_just_after_the_page_keeps_the_miss(
    emulator: Emulator, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed the moment the page is committed: the mark is in that commit, not lost."""
    _ghost(store)
    write = Committer._write

    def commit_then_die(self: Committer, group: list[Any]) -> None:
        write(self, group)  # committed: the page, its checkpoint, its misses
        if any(b.missing is not None for pages in group for b in pages.batches):
            raise KeyboardInterrupt

    monkeypatch.setattr(Committer, "_write", commit_then_die)
    spec = JobSpec.build("posts", ids=[GHOST, REAL], gone_after=1)
    with client_for(emulator) as client, pytest.raises(KeyboardInterrupt):
        Collector(client, store).run(spec)
    monkeypatch.undo()
    with client_for(emulator) as client:
        resumed = Collector(client, store).run(spec)
    assert resumed.pages == 0  # the page was done: nothing is fetched again
    assert _gone(store) == {GHOST}


def test_the_mark_rolls_back_with_its_page(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _ghost(store)
    job = store.create_job("posts", "", {"ids": [GHOST]})

    def fail(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_to_job", fail)
    batch = Batch(endpoint="/post/multi-info", job_id=job.id, missing=[GHOST], gone_after=1)
    with pytest.raises(RuntimeError):
        store.save_page(batch)
    assert (_gone(store), store.post_misses([GHOST])) == (set(), {})
