"""The store on both backends: schema, upserts, provenance, atomicity, jobs, ledger."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokarc import _version
from tokarc._wiring import MIGRATIONS
from tokarc._wiring import open_store as open_everything
from tokarc.client._client import CallEvent
from tokarc.errors import SchemaTooNewError
from tokarc.models import Undecodable, decode
from tokarc.store import Batch, Follow, Store, is_postgres_url, open_store
from tokarc.store._schema import all_migrations
from tokarc.store._text import clean

from . import _raw
from ._helpers import T0, one, page, posts, q

LATER = T0 + dt.timedelta(hours=6)


def test_open_store_picks_the_backend(tmp_path: Path) -> None:
    assert is_postgres_url("postgresql://x/y")
    assert is_postgres_url("postgres://x/y")
    assert not is_postgres_url(str(tmp_path / "a.db"))
    with open_store(tmp_path / "a.db") as s, open_store(":memory:") as m:
        assert (s.backend, m.backend) == ("sqlite", "sqlite")
        assert one(s, "PRAGMA journal_mode") == "wal"


def test_migrations_are_applied_once_and_recorded(store_url: str) -> None:
    with open_everything(store_url) as first:
        known = all_migrations(MIGRATIONS, first.db.dialect)
        assert first.applied_migrations == [m.name for m in known]
        first.save_page(page(posts(_raw.aweme())))
    with open_everything(store_url) as again:
        assert again.applied_migrations == []
        assert again.schema_version() == len(known)
        recorded = q(again, "SELECT id, name FROM migrations ORDER BY id")
        assert recorded == [(i, m.name) for i, m in enumerate(known, 1)]
        assert recorded[0] == (1, "store.initial")  # each set in order, store's first
        names = [name for _, name in recorded]
        assert names.index("store.ranks") < names.index("monitor.watches")
        assert one(again, "SELECT COUNT(*) FROM posts") == 1


def test_the_store_applies_the_sets_it_is_given_and_a_package_ensures_its_own(
    store_url: str,
) -> None:
    """The store names no package above it: opened alone it has its own tables; a package
    handed the store adds its own (the monitor, the collector's with it); the wiring adds the
    rest. The workers' shared limits are PostgreSQL's alone."""
    from tokarc.monitor import Watches

    def sets(store: Store) -> set[str]:
        return {str(n).partition(".")[0] for (n,) in q(store, "SELECT name FROM migrations")}

    with open_store(store_url) as store:
        assert sets(store) == {"store", "archive", "identities"}
        assert {s.name for s in store.migrations} == {"store", "archive", "identities"}
        Watches(store).add("hashtag", "magic", every="1h", window="1d", now=0.0)
        assert sets(store) == {"store", "archive", "identities", "collect", "expand", "monitor",
                               "monitor_follow"}  # fmt: skip
        assert "monitor.watches" in store.applied_migrations
        before = len(store.applied_migrations)
        Watches(store)  # ensured once: nothing more
        assert len(store.applied_migrations) == before
    with open_everything(store_url) as store:
        pg = store.backend == "postgresql"
        assert sets(store) == {"store", "archive", "identities", "collect", "expand", "monitor",
                               "monitor_follow", "media", "transcripts",
                               *(["workers"] if pg else [])}  # fmt: skip
        tables = "shared_limits" in {t for (t,) in q(store, _TABLES[store.backend])}
        assert tables is pg
    with open_store(store_url) as alone:  # the other sets' migrations are left alone
        assert alone.applied_migrations == []
        assert len(Watches(alone).all()) == 1


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = current_schema()",
}


def test_a_newer_migration_of_a_set_not_given_is_left_alone(store_url: str) -> None:
    """Refused only by the package that knows the set: a store opened without the monitor's
    set reads a database whose monitor set is newer; the monitor refuses it."""
    from tokarc.monitor import Watches

    with open_everything(store_url) as store:
        store.db.execute(
            "INSERT INTO migrations (id, name, applied_at) VALUES (98, 'monitor.future', 'x')"
        )
    with open_store(store_url) as alone:
        assert alone.applied_migrations == []
        with pytest.raises(SchemaTooNewError, match=r"migration 98 \('monitor.future'\)"):
            Watches(alone)
    with pytest.raises(SchemaTooNewError):
        open_everything(store_url)


def test_a_database_from_a_newer_tokarc_is_refused_unchanged(store_url: str) -> None:
    with open_store(store_url) as store:
        store.save_page(page(posts(_raw.aweme())))
        store.db.execute(
            "INSERT INTO migrations (id, name, applied_at) VALUES (99, 'store.future', 'x')"
        )
    with pytest.raises(SchemaTooNewError, match=r"migration 99 \('store.future'\)"):
        open_store(store_url)
    with pytest.raises(SchemaTooNewError):
        open_store(store_url)  # refused again: nothing was marked applied by the first attempt


def test_a_database_with_the_numbered_migrations_of_old_is_renamed_not_remigrated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    with open_everything(path) as store:
        store.save_page(page(posts(_raw.aweme())))
        store.db.execute("UPDATE migrations SET name = 'initial' WHERE name = 'store.initial'")
        store.db.execute("UPDATE migrations SET name = 'watches' WHERE name = 'monitor.watches'")
        before = q(store, "SELECT id FROM migrations WHERE name IN ('initial', 'watches')")
    with open_everything(path) as again:
        assert again.applied_migrations == []
        renamed = "SELECT id FROM migrations WHERE name IN ('store.initial', 'monitor.watches')"
        assert sorted(q(again, renamed)) == sorted(before)
        assert len(before) == 2
        assert one(again, "SELECT COUNT(*) FROM posts") == 1


def test_a_page_is_stored_with_its_embedded_records(store: Store) -> None:
    result = store.save_page(page(posts(_raw.aweme())))
    assert (result.records, result.new, result.duplicates) == (1, 1, 0)
    row = q(store, "SELECT author_uid, music_id, description, play_count, hashtags FROM posts")
    assert row == [(_raw.UID, "6800370846696212482", "caption text #Magic #fyp", 123456,
                    "magic fyp")]  # fmt: skip
    assert one(store, "SELECT nickname FROM users WHERE uid = ?", _raw.UID) == "Zach King"
    assert one(store, "SELECT title FROM music") == "Swaggy"
    assert q(store, "SELECT name, hashtag_id, view_count FROM hashtags ORDER BY name") == [
        ("fyp", "229207", None),
        ("magic", "12345", 900),
    ]
    assert one(store, "SELECT COUNT(*) FROM post_hashtags") == 2


def test_the_same_post_twice_is_one_row_with_two_observations(store: Store) -> None:
    first = store.save_page(page(posts(_raw.aweme())))
    grown = _raw.aweme(statistics={"play_count": 999999, "digg_count": 10000})
    second = store.save_page(page(posts(grown), fetched_at=LATER, cursor=20))
    assert (first.new, second.new, second.duplicates) == (1, 0, 1)
    assert one(store, "SELECT COUNT(*) FROM posts") == 1
    first_seen, last_seen, plays = q(
        store, "SELECT first_seen_at, last_seen_at, play_count FROM posts"
    )[0]
    assert (first_seen, plays) == (T0.isoformat(timespec="microseconds"), 999999)
    assert last_seen == LATER.isoformat(timespec="microseconds")
    stats = q(store, "SELECT play_count FROM post_stats ORDER BY observed_at")
    assert stats == [(123456,), (999999,)]


def test_a_post_repeated_within_a_page_counts_once(store: Store) -> None:
    result = store.save_page(page(posts(_raw.aweme(), _raw.aweme())))
    assert (result.records, result.new, result.duplicates) == (1, 1, 0)
    assert one(store, "SELECT COUNT(*) FROM post_stats") == 1


def test_no_observation_without_counts(store: Store) -> None:
    store.save_page(page(posts({"aweme_id": "1", "desc": "no statistics"})))
    assert one(store, "SELECT COUNT(*) FROM post_stats") == 0


def test_one_post_found_three_ways_has_three_sources(store: Store) -> None:
    job = store.create_job("hashtag", "magic")
    for kind, target in [("hashtag", "magic"), ("keyword", "magic trick"), ("music", "68003")]:
        store.save_page(page(posts(_raw.aweme()), source_kind=kind, source_target=target,
                             job_id=job.id))  # fmt: skip
    store.save_page(page(posts(_raw.aweme()), job_id=job.id, fetched_at=LATER))
    assert one(store, "SELECT COUNT(*) FROM posts") == 1
    rows = q(store, "SELECT source_kind, source_target, first_job_id, first_seen_at, "
                    "last_seen_at FROM seen_via ORDER BY source_kind")  # fmt: skip
    assert [r[:3] for r in rows] == [
        ("hashtag", "magic", job.id),
        ("keyword", "magic trick", job.id),
        ("music", "68003", job.id),
    ]
    assert rows[0][4] > rows[0][3]


def test_provenance_names_job_endpoint_params_cursor_and_version(store: Store) -> None:
    job = store.create_job("hashtag", "magic")
    store.save_page(page(posts(_raw.aweme()), job_id=job.id, cursor=40,
                         params={"name": "magic", "cursor": 40}))  # fmt: skip
    sql = """SELECT p.job_id, p.endpoint, p.params, p.cursor, p.tokarc_version
             FROM posts JOIN pages p ON p.id = posts.first_page"""
    job_id, endpoint, params, cursor, version = q(store, sql)[0]
    params = json.loads(params) if isinstance(params, str) else params
    assert (job_id, endpoint, params, cursor) == (
        job.id,
        "/tt/hashtag/posts",
        {"name": "magic", "cursor": 40},
        "40",
    )
    assert version == _version.__version__


def test_page_and_checkpoint_commit_together_or_not_at_all(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = store.create_job("hashtag", "magic")
    store.save_page(page(posts(_raw.aweme("1")), job_id=job.id, checkpoint='{"cursor": 20}'))

    def crash(*args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(Store, "_to_job", crash)  # fails after every row was written
    with pytest.raises(RuntimeError, match="power cut"):
        store.save_page(page(posts(_raw.aweme("2")), job_id=job.id, checkpoint='{"cursor": 40}'))
    assert q(store, "SELECT aweme_id FROM posts") == [("1",)]
    assert one(store, "SELECT COUNT(*) FROM pages") == 1
    assert one(store, "SELECT COUNT(*) FROM post_stats") == 1
    assert store.get_job(job.id).checkpoint == '{"cursor": 20}'


def test_a_page_for_an_unknown_job_stores_nothing(store: Store) -> None:
    with pytest.raises(KeyError):
        store.save_page(page(posts(_raw.aweme()), job_id=999, checkpoint="{}"))
    assert one(store, "SELECT COUNT(*) FROM posts") == 0
    with pytest.raises(ValueError, match="job_id"):
        store.save_page(page(posts(_raw.aweme()), checkpoint="{}"))


def test_checkpoint_newest_mark_and_counters_reach_the_job(store: Store) -> None:
    job = store.create_job("hashtag", "magic", {"days": 7})
    store.save_page(page(posts(_raw.aweme("1"), _raw.aweme("2")), job_id=job.id,
                         checkpoint="A", newest_mark="1700000000"))  # fmt: skip
    store.save_page(page(posts(_raw.aweme("2"), _raw.aweme("3")), job_id=job.id, checkpoint="B"))
    got = store.get_job(job.id)
    assert (got.checkpoint, got.newest_mark) == ("B", "1700000000")
    assert (got.returned, got.new_records, got.duplicates) == (4, 3, 1)
    assert got.options == {"days": 7}


def test_follow_edges(store: Store) -> None:
    star = "100"
    fans = [decode("user", _raw.user(uid)) for uid in ("201", "202")]
    followers = Batch(endpoint="/tt/user/followers", records=fans, follow=Follow(star),
                      fetched_at=T0)  # fmt: skip
    store.save_page(followers)
    store.save_page(Batch(endpoint="/tt/user/followings", records=fans[:1],
                          follow=Follow(star, "followings"), fetched_at=T0))  # fmt: skip
    store.save_page(Batch(endpoint="/tt/user/followers", records=fans[:1], follow=Follow(star),
                          fetched_at=LATER))  # fmt: skip
    edges = q(store, "SELECT follower_uid, followed_uid, first_seen_at < last_seen_at "
                     "FROM follows ORDER BY 1, 2")  # fmt: skip
    assert [e[:2] for e in edges] == [("100", "201"), ("201", "100"), ("202", "100")]
    assert [bool(e[2]) for e in edges] == [False, True, False]
    assert one(store, "SELECT COUNT(*) FROM user_stats") == 4


def test_comments_with_replies(store: Store) -> None:
    top = decode("comment", _raw.comment("7603001", "73"))
    reply = decode("comment", _raw.comment("7603002", "73", reply_to="7603001"))
    store.save_page(Batch(endpoint="/tt/post/comments", records=[top, reply], fetched_at=T0))
    rows = q(store, "SELECT cid, parent_cid, author_uid, text FROM comments ORDER BY cid")
    assert rows == [("7603001", None, "70001", "so nice"), ("7603002", "7603001", "70002",
                                                            "so nice")]  # fmt: skip
    assert one(store, "SELECT COUNT(*) FROM users") == 2


def test_a_listed_user_overrides_but_an_embedded_author_only_fills_gaps(store: Store) -> None:
    listed = decode("user", _raw.user(follower_count=5000, nickname="Real Name"))
    store.save_page(Batch(endpoint="/tt/user/info", records=[listed], fetched_at=T0))
    author = _raw.user(follower_count=0, nickname="Feed Name", signature=None)
    store.save_page(page(posts(_raw.aweme(author=author)), fetched_at=LATER))
    row = q(store, "SELECT follower_count, nickname, last_seen_at FROM users")[0]
    assert row == (5000, "Real Name", LATER.isoformat(timespec="microseconds"))
    assert one(store, "SELECT COUNT(*) FROM user_stats") == 1  # authors are not observations


def test_lives_and_music_pages(store: Store) -> None:
    live = decode("live", {"room_id": 9, "title": "hi", "owner": {"id_str": "55"},
                           "user_count": 12})  # fmt: skip
    sound = decode("music", _raw.music(123))
    store.save_page(Batch(endpoint="/tt/live/search", records=[live, sound], fetched_at=T0))
    assert q(store, "SELECT room_id, owner_uid, viewer_count FROM lives") == [("9", "55", 12)]
    assert q(store, "SELECT music_id, duration_s FROM music") == [("123", 60)]


def test_rejects_keep_what_could_not_be_decoded(store: Store) -> None:
    bad = [Undecodable(raw={"desc": "no id", "x": "\x00"}, kind="post", error="no aweme_id")]
    result = store.save_page(page([], undecodable=bad))
    assert result.rejected == 1
    kind, error, raw = q(store, "SELECT kind, error, raw FROM rejects")[0]
    assert (kind, error, json.loads(raw)) == ("post", "no aweme_id", {"desc": "no id", "x": "\x00"})


ODD = [
    "nul\x00inside",
    "emoji 🧙‍♂️✨ and 中文",
    "lone \ud800 surrogate",
    "",
    "quote ' \" backslash \\ percent % question ?",
]


@pytest.mark.parametrize("text", ODD)
def test_odd_text_stores_on_both_backends(store: Store, text: str) -> None:
    big = 2**64 + 7
    raw = _raw.aweme(str(big), desc=text, author=_raw.user(str(big + 1), nickname=text))
    raw["aweme_id"] = big  # an int id beyond 2**64
    store.save_page(page(posts(raw), source_target=text, params={"name": text}))
    desc, stored_raw = q(store, "SELECT description, raw FROM posts WHERE aweme_id = ?",
                         str(big))[0]  # fmt: skip
    assert "\x00" not in desc
    assert desc == text.replace("\x00", "").replace("\ud800", "\ufffd")
    assert json.loads(stored_raw) == raw  # raw JSON is faithful, NUL and surrogate included
    assert one(store, "SELECT nickname FROM users WHERE uid = ?", str(big + 1)) == desc


# (msgspec refuses JSON with a lone surrogate escape: such an item is a reject, tested elsewhere)
@pytest.mark.parametrize("text", [t for t in ODD if "\ud800" not in t])
def test_odd_text_from_the_wire_stores_on_both_backends(store: Store, text: str) -> None:
    # The wire's fast path skips cleaning the strings of JSON that has no \u0000 or \udXXX
    # escape: with them, the strings are cleaned as on the dict path.
    from tokarc.models import decode_json

    raw = _raw.aweme("77", desc=text, author=_raw.user("78", nickname=text))
    data = json.dumps(raw).encode()  # ASCII, NUL and surrogates as \u escapes
    store.save_page(page([decode_json("post", data)]))
    desc, stored_raw = q(store, "SELECT description, raw FROM posts WHERE aweme_id = '77'")[0]
    assert desc == text.replace("\x00", "").replace("\ud800", "\ufffd")
    assert stored_raw.encode() == data  # the bytes received
    assert one(store, "SELECT nickname FROM users WHERE uid = '78'") == desc


def test_an_unchanged_raw_is_not_written_again(pg_url: str) -> None:
    # PostgreSQL: re-saving a post whose raw JSON did not change keeps the TOASTed value where
    # it is (no new TOAST rows), counted inside one transaction by the server's own statistics.
    with open_store(pg_url) as store:
        _unchanged_raw_is_not_rewritten(store)


def _unchanged_raw_is_not_rewritten(store: Store) -> None:
    import random

    rng = random.Random(7)
    filler = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(20_000))
    raw = _raw.aweme("91", desc=filler)  # too big and too random to stay inline
    toast = one(store, "SELECT reltoastrelid::bigint FROM pg_class WHERE oid = 'posts'::regclass")
    inserted = "SELECT pg_stat_get_xact_tuples_inserted(?::oid)"
    with store.db.transaction():
        store.save_page(page(posts(raw)))
        first = one(store, inserted, toast)
        store.save_page(page(posts(raw), fetched_at=LATER))
        again = one(store, inserted, toast)
        store.save_page(page(posts(dict(raw, desc=filler[::-1])), fetched_at=LATER))
        changed = one(store, inserted, toast)
    assert first > 0
    assert again == first  # unchanged: no new TOAST rows
    assert changed > again  # changed: written
    assert one(store, "SELECT COUNT(*) FROM post_stats WHERE aweme_id = '91'") == 3


def test_a_post_missing_almost_everything_stores(store: Store) -> None:
    store.save_page(page(posts({"aweme_id": "5"}), source_kind=None))
    row = q(store, "SELECT author_uid, description, play_count, hashtags FROM posts")[0]
    assert row == (None, "", None, None)


def test_known_ids(store: Store) -> None:
    store.save_page(page(posts(_raw.aweme("1"), _raw.aweme("2"))))
    assert store.known_ids("post", ["1", "3", "2", "1"]) == {"1", "2"}
    assert store.known_ids("user", [_raw.UID]) == {_raw.UID}
    assert store.known_ids("hashtag", ["magic", "nope"]) == {"magic"}
    assert store.known_ids("post", []) == set()
    with pytest.raises(ValueError, match="unknown entity"):
        store.known_ids("tweet", ["1"])


def test_known_ids_in_bulk(store: Store) -> None:
    store.save_page(page(posts(*(_raw.aweme(str(i)) for i in range(50)))))
    ids = [str(i) for i in range(25_000)]
    assert store.known_ids("post", ids) == {str(i) for i in range(50)}


def test_mark_gone_and_post_ids(store: Store) -> None:
    store.save_page(page(posts(*(_raw.aweme(str(i)) for i in range(1, 6)))))
    assert store.mark_gone(["2", "4", "99"], at=LATER) == 2
    assert store.mark_gone(["2"]) == 0  # already gone
    assert list(store.post_ids()) == ["1", "2", "3", "4", "5"]
    assert list(store.post_ids(gone=False)) == ["1", "3", "5"]
    assert list(store.post_ids(gone=True)) == ["2", "4"]
    assert list(store.post_ids(limit=2, offset=1)) == ["2", "3"]
    assert list(store.post_ids(offset=3)) == ["4", "5"]
    store.save_page(page(posts(_raw.aweme("2"))))  # it came back
    assert list(store.post_ids(gone=True)) == ["4"]


def test_the_ledger_records_requests_never_a_token(store: Store) -> None:
    job = store.create_job("hashtag", "magic")
    event = CallEvent("/tt/hashtag/posts", {"name": "magic", "TOKEN": "s3cret", "token": "s3cret"},
                      200, 1, 0.25)  # fmt: skip
    store.record_request(event, job_id=job.id, at=T0)
    store.record_request(CallEvent("/tt/user/info", {"username": "x"}, 473, 0, 0.1, "not found"))
    rows = q(store, "SELECT endpoint, params, status_code, units, elapsed, error FROM requests")
    assert "s3cret" not in repr(rows)
    assert "token" not in repr(rows).lower()
    params = rows[0][1] if isinstance(rows[0][1], dict) else json.loads(rows[0][1])
    assert params == {"name": "magic"}
    assert rows[1][2:] == (473, 0, 0.1, "not found")
    got = store.get_job(job.id)
    assert (got.requested, got.units) == (1, 1)


def test_jobs(store: Store) -> None:
    a = store.create_job("hashtag", "magic", {"days": 7})
    b = store.create_job("keyword", "magic trick")
    assert (a.status, a.checkpoint, a.units, a.tokarc_version) == ("pending", None, 0, "0.1.0")
    done = store.update_job(a.id, status="done", outcome="ok", stop_reason="since")
    assert (done.status, done.stop_reason) == ("done", "since")
    assert done.updated_at >= a.updated_at
    assert [j.id for j in store.list_jobs()] == [a.id, b.id]
    assert [j.id for j in store.list_jobs(kind="keyword")] == [b.id]
    assert [j.id for j in store.list_jobs(status="done", target="magic")] == [a.id]
    assert store.update_job(b.id, options={"x": "\x00y"}).options == {"x": "y"}
    with pytest.raises(KeyError):
        store.get_job(404)
    with pytest.raises(KeyError):
        store.update_job(404, status="x")
    with pytest.raises(TypeError, match="unknown job fields"):
        store.update_job(a.id, id=5)


def test_stats(store: Store) -> None:
    job = store.create_job("hashtag", "magic")
    store.save_page(page(posts(_raw.aweme()), job_id=job.id))
    store.record_request(CallEvent("/tt/hashtag/posts", {}, 200, 2, 0.1), job_id=job.id, at=T0)
    store.record_request(CallEvent("/tt/user/info", {}, 200, 1, 0.1), at=LATER)
    stats = store.stats()
    assert stats.counts["posts"] == 1
    assert stats.counts["requests"] == 2
    assert stats.units_by_day == {"2026-11-01": 3}
    assert stats.units_by_job == {job.id: 2, None: 1}
    assert stats.units_by_endpoint == {"/tt/hashtag/posts": 2, "/tt/user/info": 1}
    assert stats.units_total == 3


def test_emulator_pages_store_and_dedupe(store: Store) -> None:
    from tokarc.models import decode_many

    pages = _raw.emulator_pages("magic", 2)
    results = [store.save_page(page(decode_many("post", p)[0])) for p in pages]
    again = store.save_page(page(decode_many("post", pages[0])[0], fetched_at=LATER))
    total = sum(r.new for r in results)
    assert total == one(store, "SELECT COUNT(*) FROM posts") > 20
    assert (again.new, again.duplicates) == (0, len(pages[0]))


def _dump(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row of the entity, edge and series tables, in key order."""
    tables = {"posts": "aweme_id", "users": "uid", "music": "music_id", "hashtags": "name",
              "post_hashtags": "aweme_id, name", "post_stats": "aweme_id, page_id",
              "seen_via": "entity, entity_id"}  # fmt: skip
    return {t: q(store, f"SELECT * FROM {t} ORDER BY {k}") for t, k in tables.items()}


def test_pages_saved_together_store_what_they_store_one_by_one(store_url: str) -> None:
    from tokarc.models import decode_many

    raw_pages = [*_raw.emulator_pages("magic", 3), _raw.emulator_pages("magic", 1)[0]]
    results = {}
    dumps = {}
    for way in ("one by one", "together"):
        with open_store(store_url) as store:
            job = store.create_job("hashtag", way)
            batches = [page(decode_many("post", p)[0], job_id=job.id, checkpoint=f"after {i}")
                       for i, p in enumerate(raw_pages)]  # fmt: skip
            if way == "together":
                results[way] = store.save_pages(batches)
            else:
                results[way] = [store.save_page(b) for b in batches]
            got = store.get_job(job.id)
            dumps[way] = _dump(store)
            assert got.checkpoint == "after 3"
            assert (got.returned, got.duplicates) == (sum(r.records for r in results[way]),
                                                      len(raw_pages[0]))  # fmt: skip
            with store.db.transaction():  # referencing rows first: the archive's foreign keys
                for table in ("post_stats", "user_stats", "post_hashtags", "seen_via",
                              "page_items", "posts", "users", "music", "hashtags", "pages",
                              "jobs"):  # fmt: skip
                    store._db.execute(f"DELETE FROM {table}")
    one_by_one, together = results["one by one"], results["together"]
    assert [(r.records, r.new, r.duplicates, r.new_ids) for r in one_by_one] == [
        (r.records, r.new, r.duplicates, r.new_ids) for r in together
    ]
    assert _without_ids(dumps["one by one"]) == _without_ids(dumps["together"])


def _without_ids(dump: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    # page ids and job ids differ between the two runs (each got its own): compare the rest
    return {t: [tuple(v for v in row if not isinstance(v, int) or v > 10_000) for row in rows]
            for t, rows in dump.items()}  # fmt: skip


def test_pages_saved_together_commit_together_or_not_at_all(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = store.create_job("hashtag", "magic")
    store.save_page(page(posts(_raw.aweme("1")), job_id=job.id, checkpoint="A"))
    batches = [page(posts(_raw.aweme(i)), job_id=job.id, checkpoint=f"after {i}") for i in "23"]
    real = Store._to_job
    calls = []

    def crash_on_second(self: Store, *args: object) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "_to_job", crash_on_second)
    with pytest.raises(RuntimeError, match="power cut"):
        store.save_pages(batches)
    assert q(store, "SELECT aweme_id FROM posts") == [("1",)]
    assert one(store, "SELECT COUNT(*) FROM pages") == 1
    assert store.get_job(job.id).checkpoint == "A"


def test_embedded_authors_are_refreshed_at_most_hourly(store: Store) -> None:
    store.save_page(page(posts(_raw.aweme("1")), fetched_at=T0))
    soon = T0 + dt.timedelta(minutes=10)
    store.save_page(page(posts(_raw.aweme("2")), fetched_at=soon))
    sql = "SELECT last_seen_at FROM users WHERE uid = ?"
    assert one(store, sql, _raw.UID) == T0.isoformat(timespec="microseconds")
    store.save_page(page(posts(_raw.aweme("3")), fetched_at=LATER))
    assert one(store, sql, _raw.UID) == LATER.isoformat(timespec="microseconds")
    assert one(store, "SELECT last_seen_at FROM posts WHERE aweme_id = '2'") == soon.isoformat(
        timespec="microseconds"
    )


# Any character, lone surrogates and NUL included.
ANY_CHAR = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"]) | (
    st.characters(codec="utf-8") | st.just("\x00")
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    text=st.text(st.characters(exclude_categories=())),
    ident=st.integers(min_value=0, max_value=2**70),
)
def test_any_text_and_any_id_store(store: Store, text: str, ident: int) -> None:
    raw = _raw.aweme(desc=text, author=_raw.user(nickname=text))
    raw["aweme_id"] = ident
    store.save_page(page(posts(raw), source_target=text))
    desc, stored = q(store, "SELECT description, raw FROM posts WHERE aweme_id = ?", str(ident))[0]
    assert desc == clean(text)
    assert json.loads(stored) == raw


def test_an_unreachable_postgres_is_explained() -> None:
    """Unreachable PostgreSQL: the conftest's reason names the URL it tried."""
    import conftest  # tests/conftest.py, which holds the PostgreSQL fixture

    reason = conftest.postgres_unavailable("postgresql://nobody@127.0.0.1:1/none")
    assert reason is not None
    assert "127.0.0.1:1" in reason


def test_public_surface() -> None:
    import tokarc.dataset.export
    import tokarc.store

    assert set(tokarc.store.__all__) == {
        "ENTITIES", "MIGRATIONS", "Batch", "DatabaseTarget", "Follow", "Job", "MigrationSet",
        "PageResult", "Stats", "Store", "TransientError", "is_postgres_url", "open_reader",
        "open_store", "redact",
        # what the packages above use, exported rather than reached for in private modules
        "Backend", "Dialect", "PG_CONFIG", "SEARCHABLE", "SEARCH_SCOPES", "iso", "record_json",
        "run_sql", "sqlite_files", "text_index", "timestamp",
        # the page log: derive the tables again, and tokarc_raw() on a SQLite connection
        "DERIVED_TABLES", "Rebuilt", "rebuild", "add_sql_function", "unpack_page",
        # older databases: their records' JSON moved into the page log
        "Migrated", "json_in_rows", "move_json_to_log",
        # identities over time: the collector records refusals, the monitor reads handles
        "account_of", "current_handle", "record_refusal",
    }  # fmt: skip
    assert all(hasattr(tokarc.dataset.export, name) for name in tokarc.dataset.export.__all__)
    assert all(getattr(tokarc.store, name).__doc__ for name in tokarc.store.__all__[1:])
