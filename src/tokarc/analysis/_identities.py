"""What became of identities over a period: the renames, and the states accounts and posts
came to (the digest's "Renames and states"; ``docs/monitor.md``).

A rename is a name row of ``account_names`` first seen in the period whose handle or nickname
differs from the account's before it (an empty one, as a page without a nickname shows, says
nothing). A state change is an ``account_events`` row other than ``found``, or a
``post_events`` row, dated in the period, that is not the state its subject was already in (a
private account refused again is still private). Each list is counted whole and kept to its
``first`` rows, oldest first, so a digest stays small however much happened.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar

from ..status import AccountState
from ..store import Store, timestamp

FIRST = 10  # rows of each list kept: the rest are counted
T = TypeVar("T")


@dataclass(frozen=True)
class Rename:
    """An account seen under a new handle or nickname at ``at`` (the one before: ``old_*``)."""

    at: str
    uid: str
    old_handle: str
    new_handle: str
    old_nickname: str
    new_nickname: str


@dataclass(frozen=True)
class StateChange:
    """An account (``id`` its uid, None for a handle that names nobody known) or a post (its
    id; ``handle`` its author's) came to ``state`` at ``at``, for the API's ``code`` if any."""

    at: str
    id: str | None
    handle: str | None
    state: str
    code: int | None


@dataclass(frozen=True)
class Listed(Generic[T]):
    """How many there were, and the first of them."""

    count: int = 0
    first: list[T] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.first)


@dataclass(frozen=True)
class IdentityChanges:
    """The renames and the account and post state changes of a period."""

    renames: Listed[Rename] = field(default_factory=Listed)
    accounts: Listed[StateChange] = field(default_factory=Listed)
    posts: Listed[StateChange] = field(default_factory=Listed)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def identity_changes(
    store: Store,
    since: float,
    until: float,
    *,
    uids: Collection[str] | None = None,
    handles: Collection[str] = (),
    posts: Collection[str] | None = None,
    first: int = FIRST,
) -> IdentityChanges:
    """The renames and state changes from ``since`` to ``until`` (unix seconds, both in).

    ``uids`` (None: every account) keeps those accounts' renames and states, and ``handles``
    the states of a handle no known account has (a refusal by an old or unknown handle);
    ``posts`` (None: every post) keeps those posts' states. Each list keeps its ``first``.
    """
    if not store.has_table("account_names"):
        return IdentityChanges()  # a read-only store from before identities were kept
    span = (timestamp(since), timestamp(until))
    return IdentityChanges(
        renames=_listed(_renames(store, span, uids), first),
        accounts=_account_states(store, span, uids, handles, first),
        posts=_post_states(store, span, posts, first),
    )


def _listed(items: Sequence[T], first: int) -> Listed[T]:
    return Listed(len(items), list(items[:first]))


def _renames(store: Store, span: tuple[str, str], uids: Collection[str] | None) -> list[Rename]:
    d = store.db.dialect
    only = f"AND {d.in_ids('uid')}" if uids is not None else ""
    sql = (
        "SELECT uid, unique_id, nickname, first_seen_at FROM account_names WHERE uid IN "
        f"(SELECT uid FROM account_names WHERE first_seen_at >= ? AND first_seen_at <= ? {only})"
        " ORDER BY uid, first_seen_at, first_page"
    )
    params = (*span, *_ids(store, uids))
    by_uid: dict[str, list[tuple[str, str, str]]] = {}
    for uid, handle, nickname, at in store.db.query(sql, params):
        by_uid.setdefault(str(uid), []).append((str(handle), str(nickname), str(at)))
    found = [r for uid, names in by_uid.items() for r in _changes(uid, names)
             if span[0] <= r.at <= span[1]]  # fmt: skip
    return sorted(found, key=lambda r: (r.at, r.uid))


def _changes(uid: str, names: Iterable[tuple[str, str, str]]) -> list[Rename]:
    """Each name after the first that shows a handle or nickname other than the last known
    (an empty one keeps the last known)."""
    out: list[Rename] = []
    handle = nickname = ""
    for new_handle, new_nickname, at in names:
        h, n = new_handle or handle, new_nickname or nickname
        if handle and (h != handle or (nickname and n != nickname)):
            out.append(Rename(at, uid, handle, h, nickname, n))
        handle, nickname = h, n
    return out


# The state of the subject's event before ``e``: an event in the same state as the one before
# it (a private account refused again) is no change. By the indexes (uid, id), (aweme_id, id).
_BEFORE = "(SELECT b.state FROM {table} b WHERE {same} AND b.id < e.id ORDER BY b.id DESC LIMIT 1)"
_ACCOUNT_BEFORE = (
    "CASE WHEN e.uid IS NULL THEN "
    + _BEFORE.format(table="account_events", same="b.uid IS NULL AND b.handle = e.handle")
    + " ELSE "
    + _BEFORE.format(table="account_events", same="b.uid = e.uid")
    + " END"
)
_POST_BEFORE = _BEFORE.format(table="post_events", same="b.aweme_id = e.aweme_id")
# An account's handle as last seen, for an event that has none (a refusal by secUid).
_HANDLE_NOW = (
    "(SELECT n.unique_id FROM account_names n WHERE n.uid = e.uid "
    "ORDER BY n.last_seen_at DESC LIMIT 1)"
)


def _account_states(
    store: Store,
    span: tuple[str, str],
    uids: Collection[str] | None,
    handles: Collection[str],
    first: int,
) -> Listed[StateChange]:
    d = store.db.dialect
    where, params = "e.at >= ? AND e.at <= ? AND e.state <> ?", [*span, AccountState.FOUND]
    if uids is not None:
        where += f" AND ({d.in_ids('e.uid')} OR (e.uid IS NULL AND {d.in_ids('e.handle')}))"
        params += [*_ids(store, uids), *_ids(store, {h.lower() for h in handles})]
    select = (
        f"e.uid AS subject, COALESCE(e.handle, {_HANDLE_NOW}) AS handle, {_ACCOUNT_BEFORE} AS was"
    )
    return _events(store, "account_events e", select, where, params, first)


def _post_states(
    store: Store, span: tuple[str, str], posts: Collection[str] | None, first: int
) -> Listed[StateChange]:
    where, params = "e.at >= ? AND e.at <= ?", [*span]
    if posts is not None:
        where += f" AND {store.db.dialect.in_ids('e.aweme_id')}"
        params += _ids(store, posts)
    tables = "post_events e LEFT JOIN posts p ON p.aweme_id = e.aweme_id"
    select = f"e.aweme_id AS subject, p.author_unique_id AS handle, {_POST_BEFORE} AS was"
    return _events(store, tables, select, where, params, first)


def _events(
    store: Store, tables: str, select: str, where: str, params: Sequence[Any], first: int
) -> Listed[StateChange]:
    """The events of ``tables`` that ``where`` keeps and that changed their subject's state,
    counted, and the first of them. ``select`` gives the ``subject``, its ``handle`` and the
    state it ``was`` in before."""
    changed = (
        f"(SELECT e.id AS eid, e.at, {select}, e.state, e.code FROM {tables} WHERE {where}) c "
        "WHERE c.was IS NULL OR c.was <> c.state"
    )
    db, args = store.db, tuple(params)
    count = int(db.query(f"SELECT COUNT(*) FROM {changed}", args)[0][0])
    sql = (
        f"SELECT c.at, c.subject, c.handle, c.state, c.code FROM {changed} "
        f"ORDER BY c.at, c.eid LIMIT {max(int(first), 0)}"
    )
    rows = db.query(sql, args)
    found = [
        StateChange(str(at), _text(i), _text(h), str(s), None if c is None else int(c))
        for at, i, h, s, c in rows
    ]
    return Listed(count, found)


def _ids(store: Store, ids: Collection[str] | None) -> list[Any]:
    return [store.db.dialect.ids(sorted(ids))] if ids is not None else []


def _text(value: object) -> str | None:
    return None if value is None else str(value)
