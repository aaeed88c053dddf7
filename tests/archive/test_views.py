"""The archive's views and foreign keys, on both backends."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tokarc._wiring import open_store
from tokarc.models import decode
from tokarc.store import Batch, Store

from .conftest import one


def q(store: Store, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.db.query(sql, params)]


def test_the_archive_migrations_are_recorded(archive: Store) -> None:
    names = [n for (n,) in q(archive, "SELECT name FROM migrations ORDER BY id")]
    ours = [n for n in names if n.startswith("archive.")]
    assert ours == ["archive.views", "archive.search", "archive.keys", "archive.gone"]
    last_of_store = max(i for i, n in enumerate(names) if n.startswith("store."))
    assert names.index("archive.views") == last_of_store + 1  # right after the store's own


def test_post_view_joins_author_sound_and_iso_time(archive: Store) -> None:
    rows = q(archive, "SELECT v.aweme_id, v.created_at, v.create_time, v.author_handle, "
                      "u.unique_id, v.music_title, m.title FROM post_view v "
                      "JOIN users u ON u.uid = v.author_uid "
                      "LEFT JOIN music m ON m.music_id = v.music_id")  # fmt: skip
    assert len(rows) == one(archive, "SELECT COUNT(*) FROM posts")
    for _id, created_at, unix, handle, unique_id, title, music_title in rows:
        assert created_at == dt.datetime.fromtimestamp(unix, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert handle == unique_id
        assert title == music_title


def test_post_latest_stats_is_the_newest_observation(archive: Store) -> None:
    aweme_id = one(archive, "SELECT MIN(aweme_id) FROM posts")
    post = json.loads(archive.raw("post", aweme_id) or b"")
    post["statistics"] = {**post.get("statistics", {}), "play_count": 99_999_999}
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    archive.save_page(Batch(endpoint="/tt/post/info", records=[decode("post", post)],
                            fetched_at=later))  # fmt: skip
    latest = q(archive, "SELECT play_count, observations FROM post_latest_stats "
                        "WHERE aweme_id = ?", aweme_id)  # fmt: skip
    assert latest == [(99_999_999, 2)]
    assert q(archive, "SELECT play_count FROM post_view WHERE aweme_id = ?", aweme_id) == [
        (99_999_999,)
    ]
    assert one(archive, "SELECT COUNT(*) FROM post_latest_stats") == one(
        archive, "SELECT COUNT(DISTINCT aweme_id) FROM post_stats"
    )


def test_daily_posts_counts_posts_per_source_and_day(archive: Store) -> None:
    total = one(archive, "SELECT SUM(posts) FROM daily_posts WHERE source_kind = 'hashtag'")
    found = one(archive, "SELECT COUNT(*) FROM seen_via WHERE entity = 'post' "
                         "AND source_kind = 'hashtag'")  # fmt: skip
    assert total == found > 0
    days = q(archive, "SELECT day FROM daily_posts")
    assert all(len(d) == 10 and d[4] == "-" for (d,) in days)


def test_hashtag_pairs_counts_co_occurrence(archive: Store) -> None:
    pairs = {(a, b): n for a, b, n in q(archive, "SELECT * FROM hashtag_pairs")}
    assert pairs
    assert all(a < b for a, b in pairs)
    tags: dict[str, set[str]] = {}
    for aweme_id, name in q(archive, "SELECT aweme_id, name FROM post_hashtags"):
        tags.setdefault(aweme_id, set()).add(name)
    expected: dict[tuple[str, str], int] = {}
    for names in tags.values():
        for a in names:
            for b in names:
                if a < b:
                    expected[(a, b)] = expected.get((a, b), 0) + 1
    assert pairs == expected


def test_post_sources(archive: Store) -> None:
    rows = q(archive, "SELECT source_kind, COUNT(*) FROM post_sources GROUP BY source_kind "
                      "ORDER BY source_kind")  # fmt: skip
    kinds = dict(rows)
    assert kinds["hashtag"] >= 60
    assert kinds["user_posts"] == 20


def test_foreign_keys_on_postgresql(archive: Store) -> None:
    if archive.backend == "sqlite":
        return  # SQLite cannot add a constraint to an existing table (see docs/archive.md)
    keys = q(
        archive,
        "SELECT conname FROM pg_constraint WHERE contype = 'f' "
        "AND connamespace = current_schema()::regnamespace ORDER BY conname",
    )
    assert [k for (k,) in keys] == ["post_hashtags_aweme_id_fk", "post_hashtags_name_fk",
                                    "post_stats_aweme_id_fk", "user_stats_uid_fk"]  # fmt: skip


def _as_before_the_archive(store: Store) -> None:
    """Undo the archive migrations, as in a database written by a tokarc without them."""
    db, sqlite = store.db, store.backend == "sqlite"
    for view in ("post_view", "post_latest_stats", "daily_posts", "hashtag_pairs",
                 "post_sources"):  # fmt: skip
        db.execute(f"DROP VIEW {view}")
    for table in ("posts", "comments", "users"):
        if sqlite:
            for trigger in ("insert", "update", "delete"):
                db.execute(f"DROP TRIGGER {table}_fts_{trigger}")
            db.execute(f"DROP TABLE {table}_fts")
        else:
            db.execute(f"ALTER TABLE {table} DROP COLUMN search")
    for table, column in (("post_stats", "aweme_id"), ("user_stats", "uid"),
                          ("post_hashtags", "aweme_id"), ("post_hashtags", "name")):  # fmt: skip
        if not sqlite:
            db.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_{column}_fk")
    db.execute("DROP TABLE gone")
    db.execute("DELETE FROM migrations WHERE name LIKE 'archive.%'")


def test_an_older_database_gets_the_archive_with_its_records_indexed(archive_url: str) -> None:
    from tokarc.analysis._search import search

    with open_store(archive_url) as store:
        _as_before_the_archive(store)
        caption = one(store, "SELECT description FROM posts WHERE aweme_id = '7999999999999999999'")
    assert caption.startswith("look at @")
    with open_store(archive_url) as store:
        assert store.applied_migrations == ["archive.views", "archive.search", "archive.keys",
                                            "archive.gone"]  # fmt: skip
        assert [m.id for m in search(store.db, "doing magic")] == ["7999999999999999999"]
        assert one(store, "SELECT COUNT(*) FROM post_view") > 0
    with open_store(archive_url) as store:
        assert store.applied_migrations == []
