"""Identities over time: every (handle, nickname) an account was seen with, and the dated
states of accounts and posts (see ``docs/store.md``, "Identities over time").

An account is its ``uid`` (and ``sec_uid``); its handle and nickname can change. Every page
that carries an account (a profile, a post's author, a follower, a comment's author) adds or
extends one ``account_names`` row per (uid, handle, nickname) it shows, with first and last
seen; an account seen for the first time gets a ``found`` event, one seen again after a refusal
(private, restricted, unavailable, not found) a ``back`` event. Posts get ``gone`` when lookups
by id mark them gone, ``back`` when seen again, ``restricted`` when the API refuses them (520).
:func:`record` runs in the page's transaction; :func:`record_refusal` is what a collection
calls when the API refuses its target.

The tables are a migration set of their own (:data:`IDENTITIES`), which the store applies with
its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..models import User
from ..status import ACCOUNT_CODES, POST_CODES, AccountState, PostState
from ._backend import Backend
from ._dialect import Dialect, upsert
from ._plan import Plan
from ._rows import Seen
from ._schema import PROVENANCE, MigrationSet
from ._text import clean
from ._types import Batch

IDENTITIES = MigrationSet("identities")

#: Account states an account comes ``back`` from when it is seen again.
REFUSED = frozenset(ACCOUNT_CODES.values())
#: Post states a post comes ``back`` from.
WITHHELD = frozenset({PostState.GONE, *POST_CODES.values()})

NAME_COLUMNS = (
    "uid",
    "unique_id",
    "nickname",
    "sec_uid",
    "first_page",
    "last_page",
    "first_seen_at",
    "last_seen_at",
)
UPSERT_NAME = upsert(
    "account_names",
    NAME_COLUMNS,
    ["uid", "unique_id", "nickname"],
    keep=("first_page", "first_seen_at"),
)
ADD_ACCOUNT_EVENT = """INSERT INTO account_events (uid, sec_uid, handle, state, code, at,
    page_id, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
ADD_POST_EVENT = """INSERT INTO post_events (aweme_id, state, code, at, page_id, job_id)
    VALUES (?, ?, ?, ?, ?, ?)"""
_VIDEO_ID = re.compile(r"/(?:video|photo)/(\d+)")


@IDENTITIES.migration("initial")
def _initial(d: Dialect) -> list[str]:
    return [
        f"""CREATE TABLE account_names (
            uid TEXT NOT NULL, unique_id TEXT NOT NULL, nickname TEXT NOT NULL, sec_uid TEXT,
            {PROVENANCE}, PRIMARY KEY (uid, unique_id, nickname)){d.clustered}""",
        "CREATE INDEX account_names_handle ON account_names (unique_id)",
        f"""CREATE TABLE account_events (
            id {d.id_column}, uid TEXT, sec_uid TEXT, handle TEXT, state TEXT NOT NULL,
            code INTEGER, at TEXT NOT NULL, page_id BIGINT, job_id BIGINT)""",
        "CREATE INDEX account_events_uid ON account_events (uid, id)",
        "CREATE INDEX account_events_handle ON account_events (handle)",
        f"""CREATE TABLE post_events (
            id {d.id_column}, aweme_id TEXT NOT NULL, state TEXT NOT NULL, code INTEGER,
            at TEXT NOT NULL, page_id BIGINT, job_id BIGINT)""",
        "CREATE INDEX post_events_post ON post_events (aweme_id, id)",
    ]


# -- in the page's transaction --------------------------------------------------------------


def record(db: Backend, batch: Batch, p: Plan, s: Seen, *, events: bool = True) -> None:
    """The page's accounts' names and (with ``events``) the states its accounts and posts
    came to."""
    users = {**p.embedded_users, **p.users}  # a listed user's own record wins
    if users:
        if events:
            _account_events(db, users, s, batch.job_id)
        db.upsert(UPSERT_NAME, [_name_row(users[uid], s) for uid in sorted(users)])
    if events:
        _post_events(db, batch, p, s)


def _name_row(u: User, s: Seen) -> tuple[object, ...]:
    return (
        clean(u.uid),
        clean(u.unique_id) or "",
        clean(u.nickname) or "",
        clean(u.sec_uid),
        s.page_id,
        s.page_id,
        s.at,
        s.at,
    )


def _account_events(db: Backend, users: dict[str, User], s: Seen, job: int | None) -> None:
    """``found`` for accounts never seen before, ``back`` for those last refused."""
    d, uids = db.dialect, sorted(users)
    sql = f"SELECT DISTINCT uid FROM account_names WHERE {d.in_ids('uid')}"
    known = {r[0] for r in db.query(sql, (d.ids(uids),))}
    last = latest(db, "account_events", "uid", uids)
    rows = []
    for uid in uids:
        state = None if uid in known else AccountState.FOUND
        state = AccountState.BACK if _is_back(last.get(uid), users[uid]) else state
        if state is not None:
            u = users[uid]
            row = (clean(uid), clean(u.sec_uid), clean(u.unique_id), state, None, s.at)
            rows.append((*row, s.page_id, job))
    db.executemany(ADD_ACCOUNT_EVENT, rows)


def _is_back(last: str | None, u: User) -> bool:
    """Whether a sighting of ``u`` ends its refused state ``last`` (a private account's
    profile can be seen: it is back when it is no longer private)."""
    if last == AccountState.PRIVATE:
        return not u.is_private
    return last in REFUSED


def _post_events(db: Backend, batch: Batch, p: Plan, s: Seen) -> None:
    """``back`` for the page's posts last withheld, ``gone`` for those it just marked gone."""
    job, ids = batch.job_id, sorted(p.posts)
    rows = [
        (i, PostState.BACK, None, s.at, s.page_id, job)
        for i, state in latest(db, "post_events", "aweme_id", ids).items()
        if state in WITHHELD
    ]
    db.executemany(ADD_POST_EVENT, rows)
    record_gone(db, batch.missing or (), s.at, s.page_id, job)


def record_gone(
    db: Backend, ids: Iterable[str], at: str, page_id: int | None = None, job: int | None = None
) -> None:
    """``gone`` at ``at`` for those of ``ids`` just marked gone (``posts.gone_at`` is ``at``)
    whose latest event is not ``gone`` already: after misses in a row, or by
    ``Store.mark_gone``. In the caller's transaction."""
    d = db.dialect
    if not (wanted := sorted({clean(i) or "" for i in ids})):
        return
    sql = f"SELECT aweme_id FROM posts WHERE gone_at = ? AND {d.in_ids('aweme_id')}"
    marked = sorted(r[0] for r in db.query(sql, (at, d.ids(wanted))))
    before = latest(db, "post_events", "aweme_id", marked)
    rows = [(i, PostState.GONE, None, at, page_id, job) for i in marked]
    db.executemany(ADD_POST_EVENT, [r for r in rows if before.get(r[0]) != PostState.GONE])


def latest(db: Backend, table: str, key: str, ids: Iterable[str]) -> dict[str, str]:
    """The latest event's state of each of ``ids`` that has one, in ``table``."""
    wanted = list(ids)
    if not wanted:
        return {}
    d = db.dialect
    sql = (
        f"SELECT {key}, state FROM {table} e WHERE {d.in_ids(key)} "
        f"AND id = (SELECT MAX(id) FROM {table} WHERE {key} = e.{key})"
    )
    return {str(k): str(v) for k, v in db.query(sql, (d.ids(wanted),))}


# -- when the API refuses a collection's target ---------------------------------------------


def record_refusal(
    db: Backend, code: int, param: str, target: str, at: str, job_id: int | None = None
) -> bool:
    """Record what the API's refusal ``code`` of a call for ``target`` (given as the call's
    ``param``: ``username``, ``sec_uid``, ``id``, ``aweme_id``, ``url``...) says about that
    account or post, in its own transaction; False when it says nothing about either."""
    with db.transaction():
        if code in ACCOUNT_CODES:
            return _refused_account(db, ACCOUNT_CODES[code], code, param, target, at, job_id)
        if code in POST_CODES and (post := _post_of(param, target)):
            db.execute(ADD_POST_EVENT, (post, POST_CODES[code], code, at, None, job_id))
            return True
    return False


def _refused_account(
    db: Backend, state: str, code: int, param: str, target: str, at: str, job: int | None
) -> bool:
    handle = target.strip().lstrip("@").lower() if param == "username" else None
    uid, sec_uid = account_of(db, param, target)
    if uid is None and handle is None and param != "sec_uid":
        return False
    if param == "sec_uid":
        sec_uid = sec_uid or clean(target)
    db.execute(ADD_ACCOUNT_EVENT, (uid, sec_uid, clean(handle), state, code, at, None, job))
    return True


def account_of(db: Backend, param: str, target: str) -> tuple[str | None, str | None]:
    """The (uid, sec_uid) of the account a call's ``param`` named, as far as it is known."""
    value = target.strip()
    if param == "username":
        value = value.lstrip("@").lower()
        sql = (
            "SELECT uid, sec_uid FROM account_names WHERE lower(unique_id) = ? "
            "ORDER BY last_seen_at DESC LIMIT 1"
        )
    elif param in ("sec_uid", "id"):
        column = "sec_uid" if param == "sec_uid" else "uid"
        sql = f"SELECT uid, sec_uid FROM account_names WHERE {column} = ? LIMIT 1"
    else:
        return None, None
    rows = db.query(sql, (value,))
    if not rows or (param == "username" and current_handle(db, str(rows[0][0])) != value):
        return None, None  # a handle the account has left names nobody known
    return str(rows[0][0]), rows[0][1]


def current_handle(db: Backend, uid: str) -> str | None:
    """The handle ``uid`` was last seen with (lowercase), None if it never was."""
    sql = (
        "SELECT unique_id FROM account_names WHERE uid = ? AND unique_id <> '' "
        "ORDER BY last_seen_at DESC, first_seen_at DESC LIMIT 1"
    )
    rows = db.query(sql, (uid,))
    return str(rows[0][0]).lower() if rows else None


def _post_of(param: str, target: str) -> str | None:
    if param == "aweme_id":
        return clean(target.strip())
    match = _VIDEO_ID.search(target) if param == "url" else None
    return match.group(1) if match else None
