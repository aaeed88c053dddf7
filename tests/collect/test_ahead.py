"""Fetching ahead of the writer (a backfill's next pages fetched while the last are written)
stores exactly what a page-by-page run stores, spends the same units, and keeps the budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

import tokarc
from tokarc import errors
from tokarc._wiring import open_store
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.store import Store

from .conftest import client_for, rows


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "tokarc.db")
    return str(request.getfixturevalue("pg_url"))


JOBS = "SELECT status, stop_reason, checkpoint, returned, new_records, duplicates, units FROM jobs"


def snapshot(store: Store) -> dict[str, Any]:
    def q(sql: str) -> list[tuple[Any, ...]]:
        return sorted(rows(store, sql), key=repr)

    def raw(entity: str, sql: str) -> list[tuple[Any, ...]]:
        """The rows of ``sql``, their key first, with the record's JSON (from the log) next."""
        return [(row[0], store.raw(entity, row[0]), *row[1:]) for row in q(sql)]

    return {
        "posts": raw("post", "SELECT aweme_id, play_count, author_uid, music_id FROM posts"),
        "users": raw("user", "SELECT uid FROM users"),
        "music": raw("music", "SELECT music_id FROM music"),
        "links": q("SELECT * FROM post_hashtags"),
        "sources": q("SELECT entity, entity_id, source_kind, source_target FROM seen_via"),
        "observed": q("SELECT aweme_id, play_count FROM post_stats"),
        "pages": q("SELECT endpoint, cursor, items, new_records FROM pages"),
        "requests": q("SELECT endpoint, params, units FROM requests"),
        "jobs": q(JOBS),
    }


def collect(url: str, ahead: int, **spec: Any) -> tuple[dict[str, Any], Any]:
    emulator = Emulator(seed=0)
    with client_for(emulator) as client, open_store(url) as store:
        report = Collector(client, store, ahead=ahead).run(
            JobSpec.build("hashtag", "magic", **spec)
        )
        return snapshot(store), report


CHILDREN_FIRST = ("post_stats", "user_stats", "post_hashtags", "seen_via", "page_items",
                  "posts", "users", "music", "hashtags", "pages", "requests", "jobs")  # fmt: skip


def fresh(store_url: str, name: str) -> str:
    if store_url.startswith("postgresql"):
        with open_store(store_url) as store, store.db.transaction():  # one schema per test
            for table in CHILDREN_FIRST:  # the archive's foreign keys: referencing rows first
                store.db.execute(f"DELETE FROM {table}")
        return store_url
    return store_url.replace(".db", f"-{name}.db")


@pytest.mark.slow
@pytest.mark.parametrize("spec", [{"max_items": 300}, {"max_units": 7}])
def test_fetching_ahead_stores_and_spends_what_page_by_page_does(
    store_url: str, spec: dict[str, Any]
) -> None:
    by_page, report_by_page = collect(fresh(store_url, "a"), 0, **spec)
    ahead, report_ahead = collect(fresh(store_url, "b"), 3, **spec)
    assert ahead == by_page
    assert (report_ahead.units, report_ahead.pages, report_ahead.stop_reason) == (
        report_by_page.units, report_by_page.pages, report_by_page.stop_reason)  # fmt: skip
    if "max_units" in spec:
        assert report_ahead.units <= spec["max_units"]
        assert report_ahead.stop_reason == "budget"


def test_a_failure_while_fetching_ahead_keeps_the_pages_before_it(store_url: str) -> None:
    emulator = Emulator(seed=0)
    calls = {"n": 0}
    real = emulator.transport()

    class FailsAtPage5:
        def handle_request(self, request: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 5:
                return httpx.Response(500, json={"detail": "down"})
            return real.handle_request(request)

    transport = httpx.MockTransport(FailsAtPage5().handle_request)
    with (
        tokarc.Client("t", base_url="http://e/apis", transport=transport,
                      retry=tokarc.RetryPolicy.none()) as client,
        open_store(store_url) as store,
    ):  # fmt: skip
        with pytest.raises(errors.ServerError):
            Collector(client, store, ahead=3).run(JobSpec.build("hashtag", "magic", max_items=300))
        job = store.list_jobs()[0]
        assert job.status == "interrupted"
        assert rows(store, "SELECT COUNT(*) FROM pages") == [(4,)]
        assert job.returned == 80  # the 4 pages before the failure, with their checkpoint
    with client_for(emulator) as client, open_store(store_url) as store:
        report = Collector(client, store).resume(job.id)
        assert report.status == "done"
        assert rows(store, "SELECT COUNT(*) FROM posts") == [(300,)]
