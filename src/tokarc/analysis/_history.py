"""An account's timeline: the handles and nicknames it was seen with, its follower counts over
time, and its dated states (``tokarc user-history``, ``Archive.history``; ``docs/store.md``).

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
class History:
    """One account over time, oldest first in each list; ``handle`` is the current one."""

    uid: str | None
    sec_uid: str | None
    handle: str | None
    nickname: str | None
    names: list[Name] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    states: list[State] = field(default_factory=list)

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
    states = _states(store, "uid = ?", uid)
    return History(uid, sec, last.handle, last.nickname, names, _counts(store, uid), states)


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
