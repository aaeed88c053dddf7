"""Identities over time: names from every response that carries an account, and the dated
states of accounts and posts, from collections against the emulator, on both backends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

import tokarc
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.emulator import _fixtures as F
from tokarc.store import Store

from ._helpers import q

BASE = "http://emulator.test/apis"
ZACH = next(u for u in F.FIXTURE_USERS if u.unique_id == "zachking")


@pytest.fixture
def collector(emulator: Emulator, store: Store) -> Iterator[Collector]:
    retry = tokarc.RetryPolicy.instant(attempts=8)
    transport = emulator.transport()
    with tokarc.Client("t", base_url=BASE, transport=transport, retry=retry) as client:
        yield Collector(client, store, clock=lambda: float(emulator.clock.now()))


def run(collector: Collector, kind: str, target: str = "", **options: object) -> None:
    collector.run(JobSpec.build(kind, target, **options))


def names(store: Store, uid: str) -> list[tuple[str, str]]:
    sql = "SELECT unique_id, nickname FROM account_names WHERE uid = ? ORDER BY unique_id"
    return [(r[0], r[1]) for r in q(store, sql, uid)]


def states(store: Store, where: str, *params: object) -> list[tuple[str, int | None]]:
    sql = f"SELECT state, code FROM account_events WHERE {where} ORDER BY id"
    return [(r[0], r[1]) for r in q(store, sql, *params)]


def test_names_come_from_profiles_authors_comment_authors_and_followers(
    collector: Collector, store: Store
) -> None:
    run(collector, "user", "zachking")
    assert names(store, ZACH.uid) == [("zachking", "Zach King")]
    run(collector, "comments", str(F.COMMENTED_POST), max_items=20)
    commenters = q(store, "SELECT DISTINCT author_uid FROM comments")
    run(collector, "followers", "zachking", max_items=20)
    followers = q(store, "SELECT follower_uid FROM follows")
    run(collector, "user_posts", "zachking", max_items=10)
    authors = q(store, "SELECT DISTINCT author_uid FROM posts")
    for (uid,) in [*commenters, *followers, *authors]:
        (handle, nick) = names(store, uid)[0]
        assert handle, uid
        assert nick, uid
    first, last = q(
        store, "SELECT first_seen_at, last_seen_at FROM account_names WHERE uid = ?", ZACH.uid
    )[0]
    assert first <= last
    # one found event per account, however often it was seen
    assert states(store, "uid = ?", ZACH.uid) == [("found", None)]
    n_accounts = q(store, "SELECT COUNT(DISTINCT uid) FROM account_names")[0][0]
    n_found = q(store, "SELECT COUNT(*) FROM account_events WHERE state = 'found'")[0][0]
    assert n_found == n_accounts > 20


@pytest.mark.parametrize(
    ("handle", "state", "code"),
    [
        ("private.pat", "private", 472),
        ("restricted.rita", "restricted", 471),
        ("unavailable.uma", "unavailable", 474),
        ("nobody.at.all", "not_found", 473),
    ],
)
def test_a_refused_account_gets_a_dated_state(
    collector: Collector, store: Store, handle: str, state: str, code: int
) -> None:
    run(collector, "user_posts", handle, max_items=10)
    rows = q(store, "SELECT handle, state, code, at, job_id FROM account_events")
    assert [(r[0], r[1], r[2]) for r in rows] == [(handle, state, code)]
    assert rows[0][3].startswith("2026-11-01")
    assert rows[0][4] is not None


def test_a_private_account_is_back_only_when_seen_public(
    collector: Collector, store: Store, emulator: Emulator
) -> None:
    pat = next(u for u in F.FIXTURE_USERS if u.unique_id == "private.pat")
    run(collector, "user", "private.pat")  # its profile: found, private
    run(collector, "user_posts", "private.pat", max_items=10)  # refused: 472
    run(collector, "user", "private.pat")  # still private: not back
    assert states(store, "uid = ?", pat.uid) == [("found", None), ("private", 472)]


def test_a_restricted_post_then_back(
    collector: Collector, store: Store, emulator: Emulator
) -> None:
    post = str(F.COMMENTED_POST)
    emulator.set_faults(error_status=520)  # the API's answer for a post TikTok restricts
    run(collector, "comments", post, max_items=20)
    emulator.set_faults(error_status=0)
    run(collector, "posts", ids=[post])
    rows = q(store, "SELECT aweme_id, state, code, job_id FROM post_events ORDER BY id")
    assert [r[:3] for r in rows] == [(post, "restricted", 520), (post, "back", None)]
    assert rows[0][3] != rows[1][3]


DAY = 86_400


def test_over_the_clock_a_rename_a_private_spell_and_a_gone_account(
    collector: Collector, store: Store, emulator: Emulator
) -> None:
    world = emulator.world
    lucky, swift, stormy = (world.user(i) for i in (64, 67, 71))
    for name in ("lucky.zone64", "swift_x67", "stormy_life71"):
        run(collector, "user_posts", name, max_items=10)
    tracked = [
        r[0] for r in q(store, "SELECT aweme_id FROM posts WHERE author_uid = ?", stormy.uid)
    ]
    emulator.clock.advance(DAY)
    run(collector, "user_posts_secuid", lucky.sec_uid, max_items=10)
    emulator.clock.advance(DAY)
    run(collector, "user_posts", "swift_x67", max_items=10)  # private now
    for _ in range(2):  # gone after two lookups that miss
        run(collector, "posts", ids=tracked)
    run(collector, "user_posts", "stormy_life71", max_items=10)
    emulator.clock.advance(2 * DAY)
    run(collector, "user_posts", "swift_x67", max_items=10)  # public again
    assert names(store, lucky.uid) == [
        ("lucky.renamed", "Lucky Renamed"),
        ("lucky.zone64", lucky.nickname),
    ]
    assert states(store, "uid = ?", swift.uid) == [
        ("found", None),
        ("private", 472),
        ("back", None),
    ]
    assert states(store, "uid = ?", stormy.uid) == [("found", None), ("not_found", 473)]
    gone = q(store, "SELECT aweme_id, state, at FROM post_events ORDER BY aweme_id")
    assert [(i, s) for i, s, _ in gone] == [(i, "gone") for i in sorted(tracked)]
    assert gone[0][2].startswith("2026-11-03")


def test_mark_gone_records_a_dated_gone_event_once_and_back_when_seen(
    collector: Collector, store: Store
) -> None:
    run(collector, "user_posts", "zachking", max_items=10)
    ids = [r[0] for r in q(store, "SELECT aweme_id FROM posts ORDER BY aweme_id LIMIT 3")]
    at = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
    assert store.mark_gone([*ids[:2], "7000000000000000001"], at=at) == 2  # one never stored
    assert store.mark_gone(ids[:2], at=at) == 0  # already gone: no second event
    sql = "SELECT aweme_id, state, code, at, page_id, job_id FROM post_events ORDER BY id"
    rows = q(store, sql)
    assert [r[:3] for r in rows] == [(i, "gone", None) for i in ids[:2]]
    assert {r[3] for r in rows} == {q(store, "SELECT MAX(gone_at) FROM posts")[0][0]}
    assert rows[0][3].startswith("2026-11-02T12:00")
    assert {(r[4], r[5]) for r in rows} == {(None, None)}  # no page, no job: by hand
    run(collector, "posts", ids=ids)
    assert [r[:2] for r in q(store, sql)][2:] == [(i, "back") for i in ids[:2]]
