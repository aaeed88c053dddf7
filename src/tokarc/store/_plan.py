"""What a page's records become, before any SQL: pure, so it is testable and cheap.

A :class:`Plan` sorts a page's records by table, drops repeats (of a page's own records the last
sighting wins, a post's hashtag links included), and collects what the records embed (a post's
author and music, a comment's author, a live's owner: the first sighting), which is stored too,
but only to fill gaps (see :func:`._dialect.upsert`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..models import Comment, Hashtag, Live, Music, Post, Record, User, hashtags_of


@dataclass
class Plan:
    """A page's records by table, each keyed by its id."""

    posts: dict[str, Post] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    comments: dict[str, Comment] = field(default_factory=dict)
    music: dict[str, Music] = field(default_factory=dict)
    lives: dict[str, Live] = field(default_factory=dict)
    embedded_users: dict[str, User] = field(default_factory=dict)
    embedded_music: dict[str, Music] = field(default_factory=dict)
    hashtags: dict[str, Hashtag] = field(default_factory=dict)
    post_hashtags: list[tuple[str, str]] = field(default_factory=list)  # (aweme_id, name)
    tag_links: dict[str, list[str]] = field(default_factory=dict)  # aweme_id -> its hashtags
    order: dict[tuple[str, str], None] = field(default_factory=dict)  # (entity, id), page order

    def ids(self, entity: str) -> list[str]:
        """The ids of the page's own records of ``entity``."""
        return [i for e, i in self.order if e == entity]


def plan(records: Sequence[Record]) -> Plan:
    """Sort ``records`` into a :class:`Plan`."""
    p = Plan()
    for record in records:
        _ADD[type(record)](p, record)
    for uid in p.users:
        p.embedded_users.pop(uid, None)
    for mid in p.music:
        p.embedded_music.pop(mid, None)
    p.post_hashtags = [(aid, name) for aid, names in p.tag_links.items() for name in names]
    return p


def _post(p: Plan, post: Post) -> None:
    p.posts[post.aweme_id] = post
    p.order[(post.entity, post.aweme_id)] = None
    _embed_user(p, post.author)
    if post.music is not None:
        p.embedded_music.setdefault(post.music.music_id, post.music)
    tags = hashtags_of(post) if post.hashtags else []
    for tag in tags:
        p.hashtags[tag.name] = _merge(p.hashtags.get(tag.name), tag)
    p.tag_links[post.aweme_id] = [tag.name for tag in tags]


def _merge(old: Hashtag | None, new: Hashtag) -> Hashtag:
    if old is None or new.view_count is not None:
        return new
    return old


def _embed_user(p: Plan, user: User | None) -> None:
    if user is not None and user.uid:
        p.embedded_users.setdefault(user.uid, user)


def _user(p: Plan, user: User) -> None:
    p.users[user.uid] = user
    p.order[(user.entity, user.uid)] = None


def _comment(p: Plan, comment: Comment) -> None:
    p.comments[comment.cid] = comment
    p.order[(comment.entity, comment.cid)] = None
    _embed_user(p, comment.author)


def _music(p: Plan, music: Music) -> None:
    p.music[music.music_id] = music
    p.order[(music.entity, music.music_id)] = None


def _live(p: Plan, live: Live) -> None:
    p.lives[live.room_id] = live
    p.order[(live.entity, live.room_id)] = None
    _embed_user(p, live.owner)


def _hashtag(p: Plan, tag: Hashtag) -> None:
    p.hashtags[tag.name] = _merge(p.hashtags.get(tag.name), tag)
    p.order[(tag.entity, tag.name)] = None


_ADD: dict[type, Callable[[Plan, Any], None]] = {
    Post: _post,
    User: _user,
    Comment: _comment,
    Music: _music,
    Live: _live,
    Hashtag: _hashtag,
}
