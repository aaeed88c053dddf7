"""A collection derives its tables behind the fetcher: pages commit at once (the log and the
checkpoint), rows follow in batches; whatever an interrupted process left is derived at the
next writable open, and the tables end as a run never interrupted leaves them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import tokarc
from conftest import with_search_path  # tests/conftest.py
from tokarc._wiring import open_store
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.models import decode
from tokarc.store import Batch, Store, open_reader

from .test_rebuild import snapshot

BASE = "http://emulator.test/apis"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "postgresql":
        pg = str(request.getfixturevalue("pg_url"))
        return pg, _other_schema(pg)
    return str(tmp_path / "clean.db"), str(tmp_path / "crashed.db")


def _other_schema(url: str) -> str:
    """A second, empty database on the same server: a schema of its own."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS deferred_other CASCADE")
        conn.execute("CREATE SCHEMA deferred_other")
    return with_search_path(url, "deferred_other")


def collect(store: Store, emulator: Emulator) -> None:
    retry = tokarc.RetryPolicy.instant(attempts=8)
    with tokarc.Client("t", base_url=BASE, transport=emulator.transport(), retry=retry) as client:
        collector = Collector(client, store, clock=lambda: 1_796_000_000.0)  # both runs' times
        collector.run(JobSpec.build("hashtag", "magic", max_items=200))


def clean_run(url: str) -> dict[str, list[Any]]:
    """The tables a run never interrupted leaves."""
    with open_store(url) as clean:
        collect(clean, Emulator(seed=0))
        return snapshot(clean)


def crash(store: Store) -> None:
    """The process dies: the connection goes, nothing deferred is derived."""
    store._db.close()


def test_pages_left_underived_by_a_crash_are_derived_at_the_next_open(
    urls: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected, crashed_url = clean_run(urls[0]), urls[1]
    store = open_store(crashed_url)
    monkeypatch.setattr(Store, "derive_pending", lambda self: 0)  # never reached: a crash
    collect(store, Emulator(seed=0))
    assert store.pending_pages() == 10
    first = json.loads(store.page_body(1) or b"")["data"]["data"][0]["aweme_id"]
    assert store.db.query("SELECT COUNT(*) FROM posts")[0][0] == 0  # nothing derived ...
    assert store.known_ids("post", [str(first), "nope"]) == {str(first)}  # ... yet known
    crash(store)
    monkeypatch.undo()
    with open_reader(crashed_url) as reader:  # read-only: reads what is derived, says the rest
        assert reader.pending_pages() == 10
        assert reader.db.query("SELECT COUNT(*) FROM posts")[0][0] == 0
    with open_store(crashed_url) as again:
        assert again.pending_pages() == 0
        assert snapshot(again) == expected


def test_a_derivation_that_fails_changes_nothing_and_is_done_later(
    urls: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected, crashed_url = clean_run(urls[0]), urls[1]
    store = open_store(crashed_url)
    derive, calls = Store.derive, 0

    def dies_on_the_fifth(self: Store, *args: Any, **kwargs: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise OSError("disk full")
        return derive(self, *args, **kwargs)

    monkeypatch.setattr(Store, "derive", dies_on_the_fifth)
    with pytest.raises(OSError, match="disk full"):
        collect(store, Emulator(seed=0))
    monkeypatch.undo()
    # SQLite derives the pages in one transaction: all or nothing; PostgreSQL one page per
    # transaction: the four before the failure are in.
    derived = 0 if store.backend == "sqlite" else 4
    assert store.db.query("SELECT COUNT(DISTINCT raw_page) FROM posts")[0][0] == derived
    assert store.pending_pages() == 10 - derived
    crash(store)
    with open_store(crashed_url) as again:
        assert snapshot(again) == expected


def test_the_new_and_duplicate_counts_see_deferred_pages(tmp_path: Path) -> None:
    """A record on two pages counts once as new while the first page is not derived yet, and
    the pages derived later hold it once."""
    item = {"aweme_id": "77", "desc": "twice", "author": {"uid": "5", "unique_id": "me"}}
    body = json.dumps({"data": {"data": [item]}}).encode()

    def page(cursor: int) -> Batch:
        return Batch(endpoint="hashtag_search", records=[decode("post", item)], cursor=cursor,
                     job_id=job, body=body)  # fmt: skip

    with open_store(tmp_path / "a.db") as store:
        job = store.create_job("hashtag", "twice").id
        first, again = store.save_pages([page(0)], defer=True) + store.save_pages(
            [page(20)], defer=True
        )
        assert store.db.query("SELECT COUNT(*) FROM posts")[0][0] == 0  # neither derived yet
        assert store.known_ids("post", ["77", "78"]) == {"77"}
        assert (first.new, again.new, again.duplicates) == (1, 0, 1)
        assert store.get_job(job).new_records == 1
        assert store.derive_pending() == 2
        assert store.db.query("SELECT COUNT(*) FROM posts")[0][0] == 1
        assert store.known_ids("post", ["77"]) == {"77"}  # from the table now


def test_a_read_command_says_pages_are_pending(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from tokarc.cli import app

    db = tmp_path / "pending.db"
    store = open_store(db)
    monkeypatch.setattr(Store, "derive_pending", lambda self: 0)
    collect(store, emulator)
    crash(store)
    monkeypatch.undo()
    ran = CliRunner().invoke(app, ["stats", "--db", str(db), "--json"])
    assert ran.exit_code == 0, ran.stderr
    assert "note: 10 page(s)" in ran.stderr
    assert "not yet in its tables" in ran.stderr
