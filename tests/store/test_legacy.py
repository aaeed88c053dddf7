"""A database from before the page log: its records' JSON moved into the log, once, resumably."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

import tokarc
from tokarc._wiring import open_store
from tokarc.collect import Collector, JobSpec
from tokarc.dataset import to_responses
from tokarc.emulator import Emulator
from tokarc.errors import InvalidInputError
from tokarc.store import Store, _legacy, json_in_rows, move_json_to_log, rebuild

BASE = "http://emulator.test/apis"
TABLES = {"posts": ("post", "aweme_id"), "users": ("user", "uid"), "music": ("music", "music_id"),
          "comments": ("comment", "cid")}  # fmt: skip


@pytest.fixture
def old(store_url: str, emulator: Emulator) -> Iterator[Store]:
    """A database as an older tokarc left it: JSON in each row, pages without a body."""
    with open_store(store_url) as store:
        make_old(store, emulator)
        yield store


def make_old(store: Store, emulator: Emulator) -> None:
    retry = tokarc.RetryPolicy.instant(attempts=8)
    with tokarc.Client("t", base_url=BASE, transport=emulator.transport(), retry=retry) as client:
        collector = Collector(client, store)
        collector.run(JobSpec.build("hashtag", "magic", max_items=45))
        busiest = "SELECT aweme_id FROM posts ORDER BY comment_count DESC, aweme_id LIMIT 1"
        post = store.db.query(busiest)[0][0]
        collector.run(JobSpec.build("comments", post, max_items=20))
    with store.db.transaction():
        for table, (entity, key) in TABLES.items():
            rows = [(k, (store.raw(entity, k) or b"").decode()) for (k,) in
                    store.db.query(f"SELECT {key} FROM {table}")]  # fmt: skip
            update = f"UPDATE {table} SET raw = ?, raw_page = NULL WHERE {key} = ?"
            store.db.executemany(update, [(raw, k) for k, raw in rows])
        store.db.execute("UPDATE pages SET body = NULL, codec = NULL, context = NULL")


def everything(store: Store) -> dict[str, dict[str, bytes | None]]:
    return {
        table: {
            str(k): store.raw(entity, k) for (k,) in store.db.query(f"SELECT {key} FROM {table}")
        }
        for table, (entity, key) in TABLES.items()
    }


def test_the_json_moves_into_the_log_and_reads_back_the_same(old: Store) -> None:
    before = everything(old)
    rows = sum(len(v) for v in before.values())
    assert json_in_rows(old) == rows > 100
    done = move_json_to_log(old)
    assert (done.records, json_in_rows(old)) == (rows, 0)
    assert everything(old) == before
    for table in TABLES:
        assert old.db.query(f"SELECT DISTINCT raw FROM {table}") == [("",)]
    assert move_json_to_log(old).records == 0


def test_an_interrupted_migration_resumes_and_loses_nothing(
    old: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = everything(old)
    monkeypatch.setattr(_legacy, "BATCH", 10)

    def stop(done: _legacy.Migrated) -> None:
        if done.pages == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        move_json_to_log(old, stop)
    left = json_in_rows(old)
    assert left == sum(len(v) for v in before.values()) - 30
    assert everything(old) == before
    assert move_json_to_log(old).records == left
    assert everything(old) == before


def test_records_pages_are_no_responses(old: Store) -> None:
    move_json_to_log(old)
    out = io.StringIO()
    assert to_responses(old, out) == 0
    with pytest.raises(InvalidInputError, match="no body"):
        rebuild(old)
