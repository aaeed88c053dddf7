"""Collection jobs against the emulator: coverage, incremental passes, budgets, sources."""

from __future__ import annotations

from typing import Any

import pytest

from tokarc import errors
from tokarc.client.pagination import EXHAUSTED, MAX_ITEMS, SINCE
from tokarc.collect import BUDGET, CAUGHT_UP, Collector, JobSpec, estimate
from tokarc.collect._kinds import QUIET_PAGES
from tokarc.emulator import Emulator
from tokarc.emulator import _fixtures as F
from tokarc.store import Store

from .conftest import client_for, post_ids, rows

HOUR = 3600


def magic(emulator: Emulator, **options: Any) -> JobSpec:
    return JobSpec.build("hashtag", "magic", days=1, now=emulator.clock.now(), **options)


@pytest.mark.slow
def test_hashtag_job_covers_the_window(emulator: Emulator, collector: Collector) -> None:
    report = collector.run(magic(emulator))
    assert report.status == "done"
    assert report.stop_reason in (SINCE, EXHAUSTED)
    assert report.new == len(post_ids(collector.store)) > 1000
    assert report.units == report.pages == report.calls
    job = collector.store.get_job(report.job_id)
    assert (job.status, job.new_records, job.units) == ("done", report.new, report.units)
    assert int(job.newest_mark or 0) <= emulator.clock.now()
    oldest = rows(collector.store, "SELECT MIN(create_time) FROM posts")[0][0]
    assert oldest >= emulator.clock.now() - 86_400


def test_every_request_is_in_the_ledger(collector: Collector) -> None:
    report = collector.run(
        JobSpec.build("keyword", "tesla", params={"period": "180"}, max_items=90)
    )
    ledger = rows(collector.store, "SELECT endpoint, units FROM requests")
    assert len(ledger) == report.calls == 5
    assert sum(u for _, u in ledger) == report.units
    assert report.stop_reason == MAX_ITEMS
    assert report.new == 90


@pytest.mark.slow
def test_unchanged_hashtag_costs_the_quiet_pages(emulator: Emulator, collector: Collector) -> None:
    collector.run(magic(emulator))
    again = collector.run(magic(emulator, incremental=True))
    # A hashtag feed is not in time order: the pass stops after QUIET_PAGES empty pages.
    assert (again.pages, again.units, again.new) == (QUIET_PAGES, QUIET_PAGES, 0)
    assert again.stop_reason == CAUGHT_UP


@pytest.mark.slow
def test_incremental_picks_up_exactly_the_new_posts(
    emulator: Emulator, collector: Collector, store: Store
) -> None:
    spec = magic(emulator)
    collector.run(spec)
    before = post_ids(store)
    emulator.clock.advance(3 * HOUR)
    report = collector.run(JobSpec(**{**spec.__dict__, "incremental": True}))
    arrived = post_ids(store) - before
    with client_for(emulator) as fresh:
        head = list(fresh.tiktok.iter_hashtag_posts("magic", max_items=report.returned))
    expected = {p.aweme_id for p in head} - before
    assert arrived == expected
    assert report.new == len(arrived) > 50
    assert report.stop_reason == CAUGHT_UP
    assert report.pages <= -(-len(arrived) // 20) + QUIET_PAGES  # the new, then the quiet


def test_budget_stops_at_a_page_boundary_and_resumes(emulator: Emulator, store: Store) -> None:
    spec = JobSpec.build("hashtag", "magic", max_units=4)
    with client_for(emulator) as client:
        first = Collector(client, store).run(spec)
        assert (first.status, first.stop_reason, first.units, first.new) == (
            "stopped",
            BUDGET,
            4,
            80,
        )
        second = Collector(client, store).resume(first.job_id, max_units=3)
    assert second.units == 3
    assert len(post_ids(store)) == 140
    assert emulator.stats.requests["hashtag_search"] == 7  # no page fetched twice


def test_estimate_sends_nothing(emulator: Emulator) -> None:
    assert estimate(JobSpec.build("hashtag", "magic", max_items=110)).calls == 6
    assert estimate(JobSpec.build("followers", "zachking")).units == 51
    assert estimate(JobSpec.build("posts", ids=[str(i) for i in range(250)])).calls == 3
    assert (
        estimate(JobSpec.build("user_posts", "zachking", params={"depth": 3}, max_items=60)).units
        == 6
    )
    assert estimate(JobSpec.build("keyword", "x", params={"period": "7"})).calls is None
    assert sum(emulator.stats.requests.values()) == 0


def test_same_post_from_many_sources_is_one_row(emulator: Emulator, collector: Collector) -> None:
    collector.run(JobSpec.build("hashtag", "tesla", max_items=100))
    collector.run(JobSpec.build("keyword", "tesla", params={"period": "180"}, max_items=100))
    store = collector.store
    assert rows(store, "SELECT COUNT(*), COUNT(DISTINCT aweme_id) FROM posts")[0] == (
        len(post_ids(store)),
        len(post_ids(store)),
    )
    multi = rows(
        store,
        "SELECT entity_id FROM seen_via WHERE entity = 'post' "
        "GROUP BY entity_id HAVING COUNT(DISTINCT source_kind) = 2",
    )
    assert len(multi) >= 50


def test_private_target_is_an_outcome_not_a_crash(collector: Collector) -> None:
    zach = next(u for u in F.FIXTURE_USERS if u.unique_id == "zachking")
    report = collector.run(JobSpec.build("liked", zach.sec_uid))
    assert report.status == "failed"
    assert report.outcome
    assert "private" in report.outcome
    assert collector.store.get_job(report.job_id).outcome == report.outcome


def test_missing_user_is_an_outcome(collector: Collector) -> None:
    report = collector.run(JobSpec.build("followers", "no.such.user.42"))
    assert report.status == "failed"
    assert "not found" in (report.outcome or "")


def test_bad_input_is_refused_before_anything(emulator: Emulator, collector: Collector) -> None:
    for bad in (
        lambda: JobSpec.build("hashtag", "two words"),
        lambda: JobSpec.build("hashtag", "magic", days=-1),
        lambda: JobSpec.build("keyword", "tesla", params={"period": "5"}),
        lambda: JobSpec.build("posts", ids=[]),
        lambda: JobSpec.build("hashtag", "magic", max_items=0),
    ):
        with pytest.raises(errors.InvalidInputError):
            bad()
    with pytest.raises(errors.InvalidInputError):
        collector.run(JobSpec.build("posts", ids=["https://example.com/x"]))
    assert sum(emulator.stats.requests.values()) == 0
    assert collector.store.list_jobs() == []


def test_followers_make_follow_edges(collector: Collector) -> None:
    report = collector.run(JobSpec.build("followers", "zachking", max_items=250))
    zach = next(u for u in F.FIXTURE_USERS if u.unique_id == "zachking")
    edges = rows(collector.store, f"SELECT COUNT(*) FROM follows WHERE followed_uid = '{zach.uid}'")
    assert edges[0][0] == 250
    assert report.status == "done"


def test_comments_with_replies(collector: Collector) -> None:
    report = collector.run(JobSpec.build("comments", str(F.COMMENTED_POST), replies=True))
    store = collector.store
    top = rows(store, "SELECT COUNT(*) FROM comments WHERE parent_cid IS NULL")[0][0]
    replies = rows(store, f"SELECT COUNT(*) FROM comments WHERE parent_cid = '{F.REPLIED_COMMENT}'")
    assert top == F.COMMENTED_POST_COMMENTS
    assert replies[0][0] == F.REPLIED_COMMENT_REPLIES
    assert report.status == "done"


def test_refresh_adds_observations_and_marks_gone(
    emulator: Emulator, collector: Collector, store: Store
) -> None:
    collector.run(JobSpec.build("hashtag", "magic", max_items=150))
    observations = rows(store, "SELECT COUNT(*) FROM post_stats")[0][0]
    emulator.clock.advance(6 * HOUR)
    ids = [*sorted(post_ids(store)), "7000000000000000001"]  # never existed
    report = collector.run(JobSpec.build("posts", ids=ids))
    assert report.calls == 2
    assert rows(store, "SELECT COUNT(*) FROM post_stats")[0][0] == observations + 150
    grew = rows(
        store,
        "SELECT COUNT(*) FROM (SELECT aweme_id, MAX(play_count) - MIN(play_count) AS d "
        "FROM post_stats GROUP BY aweme_id) t WHERE d > 0",
    )
    assert grew[0][0] > 50
    assert post_ids(store) == set(ids[:-1])
    assert set(store.post_ids(gone=True)) == set()


def test_a_post_that_vanished_is_marked_gone(collector: Collector, store: Store) -> None:
    from tokarc.models import decode
    from tokarc.store import Batch

    ghost = decode("post", {"aweme_id": "7000000000000000002", "desc": "was here"})
    store.save_page(Batch(endpoint="test", records=[ghost]))
    spec = JobSpec.build("posts", ids=["7000000000000000002", "7210531475052236078"])
    collector.run(spec)
    assert set(store.post_ids(gone=True)) == set()  # one miss may be passing
    collector.run(spec)
    assert set(store.post_ids(gone=True)) == {"7000000000000000002"}


def test_items_that_will_not_decode_are_kept_as_rejects(collector: Collector) -> None:
    from tokarc.models import decode_many_json
    from tokarc.store import Batch

    _, bad = decode_many_json("post", [b'{"desc": "no id"}', b"[1, 2"])
    collector.store.save_page(Batch(endpoint="test", undecodable=bad))
    raws = sorted(r[0] for r in rows(collector.store, "SELECT raw FROM rejects"))
    assert raws == ["[1, 2", '{"desc": "no id"}']


def test_no_pinned_leaves_pinned_posts_out(collector: Collector) -> None:
    with_pinned = collector.run(JobSpec.build("user_posts", "zachking", max_items=30))
    pinned = rows(collector.store, "SELECT COUNT(*) FROM posts WHERE is_pinned = 1")[0][0]
    assert pinned == 2  # zachking pins two posts
    without = JobSpec.build("user_posts", "zachking", max_items=30, no_pinned=True)
    assert without.identity() != JobSpec.build("user_posts", "zachking").identity()
    report = collector.run(without)
    assert report.job_id != with_pinned.job_id
    seen = rows(
        collector.store,
        "SELECT COUNT(*), SUM(p.is_pinned) FROM seen_via s JOIN posts p ON p.aweme_id = "
        f"s.entity_id WHERE s.last_job_id = {report.job_id}",
    )[0]
    assert seen == (30, 0)  # 30 posts, as asked: the pinned ones left out do not count
    assert report.new == 2  # the two posts beyond the first run's 28 unpinned ones


def test_observations_are_stamped_by_the_collectors_clock(emulator: Emulator, store: Store) -> None:
    with client_for(emulator) as client:
        Collector(client, store, clock=emulator.clock.now).run(
            JobSpec.build("hashtag", "magic", max_items=20)
        )
    stamps = {r[0] for r in rows(store, "SELECT observed_at FROM post_stats")}
    assert stamps == {"2026-11-01T00:00:00.000000+00:00"}  # the world's time, not the wall's


def test_exports_can_be_narrowed_to_one_source(collector: Collector, tmp_path: Any) -> None:
    import csv

    from tokarc.dataset.export import export

    collector.run(JobSpec.build("hashtag", "tesla", max_items=60))
    collector.run(JobSpec.build("hashtag", "magic", max_items=40))
    store = collector.store
    out = tmp_path / "magic.csv"
    assert export(store, "posts", out, "csv", source=("hashtag", "magic")) == 40
    with out.open() as fh:
        exported = {row["aweme_id"] for row in csv.DictReader(fh)}
    via = rows(store, "SELECT entity_id FROM seen_via WHERE source_target = 'magic'")
    assert exported == {r[0] for r in via}
    assert export(store, "posts", tmp_path / "all.jsonl", source=None) == len(post_ids(store))
    assert export(store, "posts", tmp_path / "m.jsonl", source=("hashtag", "magic")) == 40
    with pytest.raises(ValueError, match="cannot be narrowed"):
        export(store, "hashtags", tmp_path / "h.csv", "csv", source=("hashtag", "magic"))


@pytest.mark.parametrize(
    ("raised", "reason", "outcome"),
    [
        (TypeError("'NoneType' object is not iterable"), "error",
         "unexpected TypeError: 'NoneType' object is not iterable"),
        (OSError(28, "No space left on device"), "interrupted",
         "[Errno 28] No space left on device"),
        (KeyboardInterrupt(), "interrupted", "KeyboardInterrupt"),
    ],
)  # fmt: skip
def test_a_run_ended_by_an_exception_says_what_ended_it(
    emulator: Emulator, store: Store, monkeypatch: pytest.MonkeyPatch,
    raised: BaseException, reason: str, outcome: str,
) -> None:  # fmt: skip
    """A bug is named as one (stop reason ``error``), not as an interruption; either way the
    job keeps its checkpoint and a run goes on from it."""
    save, calls = store.save_pages, 0

    def second_page_fails(batches: Any, **options: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise raised
        return save(batches, **options)

    monkeypatch.setattr(store, "save_pages", second_page_fails)
    with client_for(emulator) as client, pytest.raises(type(raised)):
        Collector(client, store).run(JobSpec.build("hashtag", "magic", max_items=60))
    job = store.list_jobs()[0]
    assert (job.status, job.stop_reason, job.outcome) == ("interrupted", reason, outcome)
    monkeypatch.undo()
    with client_for(emulator) as client:
        again = Collector(client, store).run(JobSpec.build("hashtag", "magic", max_items=60))
    assert again.status == "done"
    assert again.pages == 2  # the first page was kept: only the two after it are fetched
