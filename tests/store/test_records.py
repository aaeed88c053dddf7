"""What the store keeps so that its figures are true, on both backends: each record's rank on
its page, the span of ``create_time`` a job covered, misses before a post is gone, one run's
records, and read-only opening for what only reads."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tokarc._wiring import open_store
from tokarc.dataset.export import Run, export
from tokarc.errors import ReadOnlyStoreError
from tokarc.store import Batch, Store

from . import _raw
from ._helpers import page, posts, q

IDS = ["7301234567890123459", "7301234567890123451", "7301234567890123457"]  # API order


def _csv(store: Store, entity: str, **narrow: Any) -> list[dict[str, str]]:
    out = io.StringIO()
    export(store, entity, out, "csv", **narrow)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _page_of(ids: list[str], job: int | None = None, **kw: Any) -> Batch:
    times = kw.pop("times", [1_700_000_000 + i for i in range(len(ids))])
    records = posts(*(_raw.aweme(i, create_time=t) for i, t in zip(ids, times, strict=True)))
    return page(records, job_id=job, **kw)


def test_each_record_keeps_its_rank_and_exports_keep_the_apis_order(store: Store) -> None:
    job = store.create_job("hashtag", "magic")
    store.save_page(_page_of(IDS[:2], job.id))
    store.save_page(_page_of([IDS[2], IDS[0]], job.id))  # a repeat keeps its first place
    ranks = q(store, "SELECT page_id, rank, job_id, entity_id FROM page_items ORDER BY 1, 2")
    assert [(r[1], r[2], r[3]) for r in ranks] == [
        (0, job.id, IDS[0]), (1, job.id, IDS[1]), (0, job.id, IDS[2]), (1, job.id, IDS[0]),
    ]  # fmt: skip
    got = [r["aweme_id"] for r in _csv(store, "posts", source=("hashtag", "magic"))]
    assert got == IDS
    assert [r["aweme_id"] for r in _csv(store, "posts")] == sorted(IDS)  # a table: id order


def test_a_run_is_the_pages_it_saved(store: Store) -> None:
    job = store.create_job("hashtag", "magic")
    store.save_page(_page_of(IDS[:2], job.id))
    before = store.last_page_id()
    assert before > 0
    store.save_page(_page_of([IDS[2]], job.id))
    assert [r["aweme_id"] for r in _csv(store, "posts", run=Run(job.id, before))] == [IDS[2]]
    other = store.create_job("hashtag", "other")
    assert _csv(store, "posts", run=Run(other.id, 0)) == []


def test_a_lookup_is_stored_but_neither_counted_nor_ranked(store: Store) -> None:
    job = store.create_job("followers", "zachking")
    result = store.save_page(_page_of(IDS[:1], job.id, results=False, source_kind="user"))
    assert result.new == 1
    assert (store.get_job(job.id).returned, store.get_job(job.id).new_records) == (0, 0)
    assert q(store, "SELECT COUNT(*) FROM page_items") == [(0,)]


def test_a_job_records_the_span_of_create_time_it_covered(store: Store) -> None:
    job = store.create_job("hashtag", "magic", {"since": 1_000})
    assert (job.covered_from, job.covered_to, job.last_fetched) == (None, None, None)
    store.save_page(_page_of(IDS[:2], job.id, times=[5_000, 4_000]))
    store.save_page(_page_of([IDS[2]], job.id, times=[3_000]))
    pinned = _raw.aweme("7301234567890123000", create_time=10, is_top=1)
    store.save_page(page(posts(pinned), job_id=job.id))  # pinned posts stand out of order
    store.save_page(page([], job_id=job.id))  # a page without posts changes nothing
    got = store.get_job(job.id)
    assert (got.covered_from, got.covered_to) == (3_000, 5_000)
    assert got.last_fetched == int(page([]).fetched_at.timestamp())  # type: ignore[union-attr]


def test_a_post_is_gone_after_misses_in_a_row_in_the_pages_transaction(store: Store) -> None:
    store.save_page(_page_of(IDS))
    job = store.create_job("posts", "", {"ids": IDS})

    def lookup(back: list[str], missing: list[str], **kw: Any) -> int:
        return store.save_page(_page_of(back, job.id, missing=missing, **kw)).gone

    assert lookup(IDS[1:], [IDS[0]]) == 0
    assert store.post_misses(IDS) == {IDS[0]: 1}
    assert lookup(IDS[1:], [IDS[0]]) == 1
    assert store.post_misses(IDS) == {IDS[0]: 2}
    assert set(store.post_ids(gone=True)) == {IDS[0]}
    assert lookup(IDS[:1], [IDS[1]], gone_after=3) == 0  # back: its misses are cleared
    assert store.post_misses(IDS) == {IDS[1]: 1}
    assert set(store.post_ids(gone=True)) == set()


def test_read_only_reads_and_cannot_write(store_url: str) -> None:
    with open_store(store_url) as store:
        job = store.create_job("hashtag", "magic")
        store.save_page(_page_of(IDS, job.id))
    with open_store(store_url, read_only=True) as ro:
        assert ro.read_only
        assert ro.pending_migrations == []
        assert [j.id for j in ro.list_jobs()] == [job.id]
        assert ro.stats().counts["posts"] == 3
        assert len(_csv(ro, "posts", source=("hashtag", "magic"))) == 3
        with pytest.raises(Exception, match=r"(?i)read.?only"):
            ro.save_page(_page_of(["7301234567890123400"], job.id))
        with pytest.raises(Exception, match=r"(?i)read.?only"):
            ro.create_job("hashtag", "x")
    with open_store(store_url) as store:
        assert store.stats().counts["posts"] == 3
        assert len(store.list_jobs()) == 1


def test_read_only_sqlite_opens_with_mode_ro(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    with open_store(path, read_only=True) as ro:
        conn: sqlite3.Connection = ro.db.inner._conn  # type: ignore[attr-defined]
        assert conn.execute("PRAGMA query_only").fetchone() == (0,)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("CREATE TABLE x (a)")


def test_read_only_sqlite_reads_where_the_shm_file_cannot_be_made(tmp_path: Path) -> None:
    """A WAL database in a directory tokarc cannot write (simulated: the ``-shm`` path is a
    directory, which no one can open as a file, root included)."""
    path = tmp_path / "s.db"
    with open_store(path) as store:
        store.save_page(_page_of(IDS))
    (tmp_path / "s.db-shm").mkdir()
    with pytest.raises(ReadOnlyStoreError, match="cannot write the database"):
        with open_store(path) as store:
            store.db.execute("CREATE TABLE probe (a INTEGER)")  # it cannot be written
    with open_store(path, read_only=True) as ro:
        assert ro.stats().counts["posts"] == 3


def test_read_only_leaves_an_old_database_unmigrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with open_store(path) as store:
        store.db.execute("DELETE FROM migrations WHERE name = 'store.misses'")
        store.db.execute("DROP TABLE post_misses")
    with open_store(path, read_only=True) as ro:
        assert ro.pending_migrations == ["store.misses"]
    with open_store(path) as store:
        assert store.applied_migrations == ["store.misses"]


def test_an_old_follow_target_recorded_as_its_own_follower_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    zach = posts(_raw.aweme())[0].author
    assert zach is not None
    with open_store(path) as store:  # as tokarc before it: the target saved as a result
        store.save_page(page([zach], source_kind="followers", source_target=zach.unique_id))
        store.save_page(page([zach], source_kind="user", source_target=zach.unique_id))
        store.db.execute("DELETE FROM migrations WHERE name = 'store.follow_targets'")
    with open_store(path) as store:
        assert store.applied_migrations == ["store.follow_targets"]
        assert q(store, "SELECT source_kind FROM seen_via") == [("user",)]
