"""``rebuild``: the derived tables again from the page log, the same as collected."""

from __future__ import annotations

import json
from typing import Any

import pytest

import tokarc
from tokarc._wiring import open_store
from tokarc.analysis import search
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.errors import InvalidInputError
from tokarc.models import decode, decode_json
from tokarc.store import Batch, Store
from tokarc.store._rebuild import DERIVED_TABLES, rebuild

BASE = "http://emulator.test/apis"
GHOST = "7000000000000000001"


def fill(store: Store, emulator: Emulator) -> None:
    """Every kind of page: a feed, a follow list, a user's posts, comments and replies, and a
    lookup by id with a miss."""
    retry = tokarc.RetryPolicy.instant(attempts=8)
    with tokarc.Client("t", base_url=BASE, transport=emulator.transport(), retry=retry) as client:
        collector = Collector(client, store)
        collector.run(JobSpec.build("hashtag", "magic", max_items=45))
        author = store.db.query("SELECT MIN(unique_id) FROM users")[0][0]
        collector.run(JobSpec.build("followers", author, max_items=30))
        collector.run(JobSpec.build("user_posts", author, max_items=20))
        busiest = "SELECT aweme_id FROM posts ORDER BY comment_count DESC, aweme_id LIMIT 1"
        post = store.db.query(busiest)[0][0]
        collector.run(JobSpec.build("comments", post, replies=True, max_items=40))
        collector.run(JobSpec.build("posts", ids=[GHOST, post], gone_after=1))


def snapshot(store: Store) -> dict[str, list[Any]]:
    """Every derived table's rows, in a stable order (a reject's own id aside)."""
    out = {}
    for table in DERIVED_TABLES:
        columns = [c for c in _columns(store, table) if not (table == "rejects" and c == "id")]
        rows = store.db.query(f"SELECT {', '.join(columns)} FROM {table}")
        out[table] = sorted((tuple(_plain(v) for v in row) for row in rows), key=repr)
    return out


def searched(store: Store) -> dict[str, list[str]]:
    """What a search of every scope finds (ids in rank order): the full-text index."""
    words = {"posts": "magic", "comments": "the OR a OR magic", "users": "the OR a OR i"}
    return {
        scope: [m.id for m in search(store.db, words[scope], scope, 500)]
        for scope in ("posts", "comments", "users")
    }


def _columns(store: Store, table: str) -> list[str]:
    if store.backend == "sqlite":
        return [r[1] for r in store.db.query(f"PRAGMA table_info({table})")]
    sql = (
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = current_schema() AND is_generated = 'NEVER' ORDER BY ordinal_position"
    )
    return [r[0] for r in store.db.query(sql, (table,))]


def _plain(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def test_a_rebuild_gives_exactly_the_tables_collected(store_url: str, emulator: Emulator) -> None:
    with open_store(store_url) as store:
        fill(store, emulator)
        before = snapshot(store)
        assert all(before[t] for t in ("posts", "users", "comments", "follows", "post_stats"))
        assert store.db.query("SELECT COUNT(*) FROM posts WHERE gone_at IS NOT NULL") == [(0,)]
        assert before["post_misses"]
        found = searched(store)
        assert found["posts"]
        assert found["comments"]
        done = rebuild(store)
        assert done.pages == store.db.query("SELECT COUNT(*) FROM pages")[0][0]
        assert snapshot(store) == before
        assert searched(store) == found  # the search index, filled once at the end


def test_a_rebuild_from_a_page_on_changes_nothing_either(
    store_url: str, emulator: Emulator
) -> None:
    with open_store(store_url) as store:
        fill(store, emulator)
        store.mark_gone([store.db.query("SELECT MAX(aweme_id) FROM posts")[0][0]])
        before = snapshot(store)
        middle = store.db.query("SELECT MAX(id) FROM pages")[0][0] // 2
        done = rebuild(store, from_page=middle)
        assert (
            done.pages
            == store.db.query("SELECT COUNT(*) FROM pages WHERE id >= ?", (middle,))[0][0]
        )
        assert snapshot(store) == before


def test_a_rebuild_restores_what_was_lost(store_url: str, emulator: Emulator) -> None:
    with open_store(store_url) as store:
        fill(store, emulator)
        before, found = snapshot(store), searched(store)
        store.db.execute("DELETE FROM post_hashtags")
        store.db.execute("UPDATE posts SET description = 'broken decoder'")
        rebuild(store)
        assert snapshot(store) == before
        assert searched(store) == found


def test_a_page_without_a_body_is_refused_and_nothing_changes(
    store_url: str, emulator: Emulator
) -> None:
    with open_store(store_url) as store:
        fill(store, emulator)
        item = {"aweme_id": "77", "desc": "by hand", "author": {"uid": "5", "unique_id": "me"}}
        store.save_page(Batch(endpoint="/tt/post/info", records=[decode("post", item)]))
        before = snapshot(store)
        with pytest.raises(InvalidInputError, match=r"1 page\(s\) hold records but no body"):
            rebuild(store)
        assert snapshot(store) == before


def test_a_derived_column_added_later_is_filled_by_a_rebuild(
    store_url: str, emulator: Emulator
) -> None:
    """``caption_tracks`` (a later migration) counts each post's tracks; rows stored before it
    are NULL until a rebuild derives it."""
    with open_store(store_url) as store:
        fill(store, emulator)
        counts = dict(store.db.query("SELECT aweme_id, caption_tracks FROM posts"))
        tracks = {k: len(decode_json("post", store.raw("post", k) or b"").captions) for k in counts}
        assert counts == tracks
        assert {n > 0 for n in counts.values()} == {True, False}  # some have tracks, some none
        store.db.execute("UPDATE posts SET caption_tracks = NULL")  # as a migration leaves them
        rebuild(store)
        assert dict(store.db.query("SELECT aweme_id, caption_tracks FROM posts")) == counts
