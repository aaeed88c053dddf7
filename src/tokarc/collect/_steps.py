"""An expansion's steps: which stored records a step turns into targets, and what a target yields.

Everything here reads the store (no API call): an entity is ``(entity, id)`` with ``entity`` one
of ``post``, ``user``, ``comment``; a target is ``(job kind, target)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..store import Store
from ._kinds import kind as job_kind

Entity = Literal["post", "user", "comment"]
Order = Literal["plays", "followers", "recent"]
ORDERS: tuple[Order, ...] = ("plays", "followers", "recent")
ENTITY_ORDER: tuple[Entity, ...] = ("user", "post", "comment")  # a frontier's entities, in turn

Ref = tuple[str, str]  # (entity, id)
Target = tuple[str, str]  # (job kind, target)


@dataclass(frozen=True)
class Step:
    """A step: the job kind it runs, the entities it starts from, what its targets yield.

    ``via`` says how a start entity becomes a target: ``author`` (a post's author's username),
    ``self`` (the entity's own key: a user's username, a post's id), ``music`` (a post's sound),
    ``hashtags`` (a post's hashtags), ``comment_authors`` (the authors of a post's stored
    comments, or of a comment). ``fanout`` is True where one entity may give many targets.
    """

    name: str
    kind: str
    starts: dict[str, str]  # entity -> via
    yields: Entity
    summary: str

    def fanout(self, entity: str) -> bool:
        return self.starts.get(entity) in ("hashtags", "comment_authors") and entity == "post"


STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("authors", "user", {"post": "author"}, "user", "profiles of the posts' authors"),
        Step(
            "author-posts",
            "user_posts",
            {"user": "self", "post": "author"},
            "post",
            "the authors' (or users') posts",
        ),
        Step("comments", "comments", {"post": "self"}, "comment", "the posts' comments"),
        Step(
            "commenters",
            "user",
            {"comment": "comment_authors", "post": "comment_authors"},
            "user",
            "profiles of the comments' authors",
        ),
        Step(
            "followers",
            "followers",
            {"user": "self", "post": "author"},
            "user",
            "the users' (or authors') followers",
        ),
        Step(
            "followings",
            "followings",
            {"user": "self", "post": "author"},
            "user",
            "the accounts the users (or authors) follow",
        ),
        Step(
            "sound-posts", "music_posts", {"post": "music"}, "post", "posts using the posts' sounds"
        ),
        Step(
            "hashtag-posts",
            "hashtag",
            {"post": "hashtags"},
            "post",
            "posts of the posts' (other) hashtags",
        ),
    )
}

#: What a job kind's target yields, and through which source (seen_via) it is found.
YIELDS: dict[str, Entity] = {
    "user": "user",
    "user_posts": "post",
    "comments": "comment",
    "followers": "user",
    "followings": "user",
    "music_posts": "post",
    "hashtag": "post",
    "keyword": "post",
    "posts": "post",
}

_TABLE = {"post": ("posts", "aweme_id"), "user": ("users", "uid"), "comment": ("comments", "cid")}
_FOLLOWERS = "(SELECT follower_count FROM users a WHERE a.uid = t.author_uid)"
_KEYS: dict[str, dict[str, str]] = {
    "post": {"plays": "t.play_count", "followers": _FOLLOWERS, "recent": "t.create_time"},
    "user": {"plays": "t.heart_count", "followers": "t.follower_count", "recent": "t.create_time"},
    "comment": {"plays": "t.digg_count", "followers": _FOLLOWERS, "recent": "t.create_time"},
}


class Reader:
    """The store read the way an expansion needs it, records taken in ``order``."""

    def __init__(self, store: Store, order: Order) -> None:
        self.store = store
        self.order = order

    def _q(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.store.db.query(sql, params)]

    def _sorted(
        self, entity: str, where: str, params: tuple[Any, ...], limit: int | None
    ) -> list[str]:
        table, key = _TABLE[entity]
        sql = (
            f"SELECT t.{key} FROM {table} t WHERE {where} "
            f"ORDER BY COALESCE({_KEYS[entity][self.order]}, -1) DESC, t.{key}"
        )
        ids = [str(r[0]) for r in self._q(sql, params)]
        return ids if limit is None else ids[:limit]

    def ranked(self, entity: str, ids: Iterable[str]) -> list[str]:
        """``ids`` (stored ones only) in ``order``: the biggest first, then by id."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        d = self.store.db.dialect
        return self._sorted(entity, d.in_ids(f"t.{_TABLE[entity][1]}"), (d.ids(wanted),), None)

    # -- what a target yields --------------------------------------------------------------

    def yielded(self, kind: str, target: str, limit: int | None) -> list[str]:
        """The ids of what target ``(kind, target)`` found, at most ``limit`` (None: all), in
        order."""
        entity = YIELDS[kind]
        if kind == "user":
            return self._sorted("user", "t.unique_id = ?", (target,), 1)
        if kind in ("followers", "followings"):
            mine, theirs = (
                ("followed_uid", "follower_uid")
                if kind == "followers"
                else ("follower_uid", "followed_uid")
            )
            where = (
                f"t.uid IN (SELECT f.{theirs} FROM follows f JOIN users u "
                f"ON u.uid = f.{mine} WHERE u.unique_id = ?)"
            )
            return self._sorted("user", where, (target,), limit)
        source = job_kind(kind).source_kind
        _, key = _TABLE[entity]
        where = (
            f"t.{key} IN (SELECT s.entity_id FROM seen_via s WHERE s.entity = ? "
            "AND s.source_kind = ? AND s.source_target = ?)"
        )
        return self._sorted(entity, where, (entity, source, target), limit)

    def stored_posts(self, ids: Iterable[str]) -> list[str]:
        """Which of the post ``ids`` are stored, in order."""
        return self.ranked("post", ids)

    def user_id(self, username: str) -> str | None:
        found = self._sorted("user", "t.unique_id = ?", (username,), 1)
        return found[0] if found else None

    # -- what an entity starts --------------------------------------------------------------

    def targets(self, step: Step, entity: str, ids: list[str], fanout: int | None) -> list[Target]:
        """The targets ``step`` makes of these entities, in their order, without repeats; an
        entity gives at most ``fanout`` of them (None: all)."""
        via = step.starts.get(entity)
        if via is None:
            return []
        out: dict[Target, None] = {}
        for i in ids:
            for t in self._of(via, entity, i)[:fanout]:
                out.setdefault((step.kind, t), None)
        return list(out)

    def _of(self, via: str, entity: str, i: str) -> list[str]:
        if via == "self":
            return [i] if entity == "post" else self._names("uid = ?", (i,))
        if via == "author":
            return self._names("uid = (SELECT author_uid FROM posts WHERE aweme_id = ?)", (i,))
        if via == "music":
            rows = self._q("SELECT music_id FROM posts WHERE aweme_id = ?", (i,))
            return [str(r[0]) for r in rows if r[0]]
        if via == "hashtags":
            rows = self._q("SELECT name FROM post_hashtags WHERE aweme_id = ? ORDER BY name", (i,))
            return [str(r[0]) for r in rows]
        cids = [i] if entity == "comment" else self._sorted("comment", "t.aweme_id = ?", (i,), None)
        names: dict[str, None] = {}
        for cid in cids:
            sub = "uid = (SELECT author_uid FROM comments WHERE cid = ?)"
            names.update(dict.fromkeys(self._names(sub, (cid,))))
        return list(names)

    def _names(self, where: str, params: tuple[Any, ...]) -> list[str]:
        rows = self._q(f"SELECT unique_id FROM users WHERE {where}", params)
        return [str(r[0]) for r in rows if r[0]]
