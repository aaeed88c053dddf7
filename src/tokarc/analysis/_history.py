"""An account's timeline: the handles and nicknames it was seen with, its follower counts over
time, its dated states, and its posts' (``tokarc user-history``, ``Archive.history``;
``docs/store.md``).

An account is named by its handle (any it was ever seen with), its uid or its secUid.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ..store import Store

_UID = re.compile(r"^\d{1,24}$")
_SEC_UID = re.compile(r"^MS4wLjABAAAA[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Name:
    """A (handle, nickname) the account was seen with, first and last."""

    handle: str
    nickname: str
    first_seen_at: str
    last_seen_at: str


@dataclass(frozen=True)
class Count:
    """One observation of the account's counts."""

    observed_at: str
    follower_count: int | None
    following_count: int | None
    heart_count: int | None
    video_count: int | None


@dataclass(frozen=True)
class State:
    """A dated state: found, private, restricted, unavailable, not_found, back."""

    at: str
    state: str
    code: int | None


@dataclass(frozen=True)
class PostEvent:
    """A dated state of one of the account's posts: gone, restricted, back."""

    aweme_id: str
    at: str
    state: str
    code: int | None


@dataclass(frozen=True)
class PostStates:
    """The states of the account's posts: ``now``, how many of them are in each state by
    their latest event (``{"gone": 3, "back": 1}``), and the ``latest`` few events (at most
    :data:`LATEST_POST_EVENTS`), oldest first."""

    now: dict[str, int] = field(default_factory=dict)
    latest: list[PostEvent] = field(default_factory=list)


#: How many of the latest post events a timeline shows.
LATEST_POST_EVENTS = 5


@dataclass(frozen=True)
class History:
    """One account over time, oldest first in each list; ``handle`` is the current one;
    ``posts`` the states of its posts."""

    uid: str | None
    sec_uid: str | None
    handle: str | None
    nickname: str | None
    names: list[Name] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    posts: PostStates = field(default_factory=PostStates)

    def as_json(self) -> dict[str, Any]:
        """The timeline as plain data."""
        return asdict(self)


def history(store: Store, ref: str) -> History | None:
    """The timeline of the account ``ref`` names (a handle, with or without ``@``, a uid or a
    secUid); None when the store has never seen nor been refused it."""
    uid, handle = _uid_of(store, ref.strip())
    if uid is None:
        states = _states(store, "handle = ?", handle) if handle else []
        return History(None, None, handle, None, states=states) if states else None
    names = _names(store, uid)
    last = max(names, key=lambda n: (n.last_seen_at, n.first_seen_at))
    sec = store.db.query("SELECT MAX(sec_uid) FROM account_names WHERE uid = ?", (uid,))[0][0]
    states, posts = _states(store, "uid = ?", uid), _post_states(store, uid)
    return History(uid, sec, last.handle, last.nickname, names, _counts(store, uid), states, posts)


def accounts_named(store: Store, handle: str) -> list[History]:
    """The accounts ever seen with ``handle`` (``@old``), each under its current handle."""
    sql = "SELECT DISTINCT uid FROM account_names WHERE lower(unique_id) = ? ORDER BY uid"
    uids = [r[0] for r in store.db.query(sql, (handle.strip().lstrip("@").lower(),))]
    return [h for uid in uids if (h := history(store, uid)) is not None]


def _uid_of(store: Store, ref: str) -> tuple[str | None, str | None]:
    """(uid, None) for a known account; (None, handle) for a handle the store knows no account
    by (it may have refused one); (None, None) for an unknown uid or secUid."""
    if _UID.match(ref):
        sql, value, handle = "SELECT uid FROM account_names WHERE uid = ?", ref, None
    elif _SEC_UID.match(ref):
        sql, value, handle = "SELECT uid FROM account_names WHERE sec_uid = ?", ref, None
    else:
        handle = ref.lstrip("@").lower()
        sql = "SELECT uid FROM account_names WHERE lower(unique_id) = ? ORDER BY last_seen_at DESC"
        value = handle
    rows = store.db.query(f"{sql} LIMIT 1", (value,))
    return (str(rows[0][0]), None) if rows else (None, handle)


def _names(store: Store, uid: str) -> list[Name]:
    sql = (
        "SELECT unique_id, nickname, MIN(first_seen_at), MAX(last_seen_at) FROM account_names "
        "WHERE uid = ? GROUP BY unique_id, nickname ORDER BY MIN(first_seen_at), unique_id"
    )
    return [Name(*r) for r in store.db.query(sql, (uid,))]


def _counts(store: Store, uid: str) -> list[Count]:
    sql = (
        "SELECT observed_at, follower_count, following_count, heart_count, video_count "
        "FROM user_stats WHERE uid = ? ORDER BY observed_at, page_id"
    )
    return [Count(*r) for r in store.db.query(sql, (uid,))]


def _states(store: Store, where: str, value: str) -> list[State]:
    sql = f"SELECT at, state, code FROM account_events WHERE {where} ORDER BY id"
    return [State(at, state, None if code is None else int(code)) for at, state, code in
            store.db.query(sql, (value,))]  # fmt: skip


_OF_AUTHOR = "FROM post_events e JOIN posts p ON p.aweme_id = e.aweme_id WHERE p.author_uid = ?"


def _post_states(store: Store, uid: str) -> PostStates:
    last = "e.id = (SELECT MAX(id) FROM post_events WHERE aweme_id = e.aweme_id)"
    sql = f"SELECT e.state, COUNT(*) {_OF_AUTHOR} AND {last} GROUP BY e.state ORDER BY e.state"
    now = {str(state): int(n) for state, n in store.db.query(sql, (uid,))}
    sql = f"SELECT e.aweme_id, e.at, e.state, e.code {_OF_AUTHOR} ORDER BY e.id DESC LIMIT ?"
    rows = store.db.query(sql, (uid, LATEST_POST_EVENTS))
    latest = [PostEvent(i, at, state, None if c is None else int(c)) for i, at, state, c in rows]
    return PostStates(now, latest[::-1])
