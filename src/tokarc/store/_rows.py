"""Records to rows: one column list and one tuple builder per table.

The builders are the hot path of :meth:`Store.save_page`: plain tuples, no dicts, each value
made storable (:func:`~._text.clean`), the raw JSON encoded once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ..models import Comment, Hashtag, Live, Music, Post, User
from ._text import clean as c
from ._text import cleaner, record_json

PROV = ("first_page", "last_page", "first_seen_at", "last_seen_at")


class Seen(NamedTuple):
    """Where and when a page's records were seen: the page id and its fetch time, and whether
    the page's body is in the page log (then a row keeps a pointer, not the record's JSON)."""

    page_id: int
    at: str
    logged: bool = False

    def raw(self, record: object) -> tuple[str, int | None]:
        """A row's ``(raw, raw_page)``: empty and this page when the log has the JSON."""
        return ("", self.page_id) if self.logged else (record_json(record), None)


POST_COLUMNS = (
    "aweme_id",
    "author_uid",
    "author_unique_id",
    "music_id",
    "create_time",
    "description",
    "region",
    "is_pinned",
    "is_photo",
    "hashtags",
    "mentions",
    "play_count",
    "digg_count",
    "comment_count",
    "share_count",
    "collect_count",
    "download_count",
    "duration_ms",
    "width",
    "height",
    "cover_url",
    "play_url",
    "share_url",
    "caption_tracks",
    "gone_at",
    "raw",
    "raw_page",
    *PROV,
)

USER_COLUMNS = (
    "uid",
    "sec_uid",
    "unique_id",
    "nickname",
    "signature",
    "region",
    "language",
    "verified",
    "is_private",
    "follower_count",
    "following_count",
    "heart_count",
    "video_count",
    "digg_count",
    "avatar_url",
    "create_time",
    "raw",
    "raw_page",
    *PROV,
)

MUSIC_COLUMNS = (
    "music_id",
    "title",
    "author",
    "album",
    "is_original",
    "duration_s",
    "user_count",
    "owner_uid",
    "owner_handle",
    "owner_nickname",
    "play_url",
    "cover_url",
    "raw",
    "raw_page",
    *PROV,
)

HASHTAG_COLUMNS = ("name", "hashtag_id", "view_count", "user_count", *PROV)

COMMENT_COLUMNS = (
    "cid",
    "aweme_id",
    "parent_cid",
    "author_uid",
    "text",
    "create_time",
    "digg_count",
    "reply_count",
    "language",
    "raw",
    "raw_page",
    *PROV,
)

LIVE_COLUMNS = ("room_id", "title", "owner_uid", "viewer_count", "raw", "raw_page", *PROV)

POST_STATS_COLUMNS = (
    "aweme_id",
    "page_id",
    "observed_at",
    "play_count",
    "digg_count",
    "comment_count",
    "share_count",
    "collect_count",
    "download_count",
)

USER_STATS_COLUMNS = (
    "uid",
    "page_id",
    "observed_at",
    "follower_count",
    "following_count",
    "heart_count",
    "video_count",
    "digg_count",
)

FOLLOW_COLUMNS = ("follower_uid", "followed_uid", "first_job_id", "last_job_id", *PROV)

SEEN_VIA_COLUMNS = (
    "entity",
    "entity_id",
    "source_kind",
    "source_target",
    "first_job_id",
    "last_job_id",
    "first_seen_at",
    "last_seen_at",
)

Row = tuple[object, ...]


def _words(values: list[str], c: Callable[[str | None], str | None] = c) -> str | None:
    return " ".join(c(v) or "" for v in values) if values else None


def post_row(p: Post, s: Seen) -> Row:
    """The ``posts`` row of ``p`` (``gone_at`` is reset: the post was just seen)."""
    c = cleaner(p)
    return (
        c(p.aweme_id),
        c(p.author_uid),
        c(p.author_unique_id),
        c(p.music_id),
        p.create_time,
        c(p.desc),
        c(p.region),
        int(p.is_pinned),
        int(p.is_photo),
        _words(p.hashtags, c),
        _words(p.mentions, c),
        p.play_count,
        p.digg_count,
        p.comment_count,
        p.share_count,
        p.collect_count,
        p.download_count,
        p.duration_ms,
        p.width,
        p.height,
        c(p.cover_url),
        c(p.play_url),
        c(p.share_url),
        len(p.captions),
        None,
        *s.raw(p),
        s.page_id,
        s.page_id,
        s.at,
        s.at,
    )


def user_row(u: User, s: Seen) -> Row:
    """The ``users`` row of ``u``."""
    c = cleaner(u)
    return (
        c(u.uid),
        c(u.sec_uid),
        c(u.unique_id),
        c(u.nickname),
        c(u.signature),
        c(u.region),
        c(u.language),
        int(u.verified),
        int(u.is_private),
        u.follower_count,
        u.following_count,
        u.heart_count,
        u.video_count,
        u.digg_count,
        c(u.avatar_url),
        u.create_time,
        *s.raw(u),
        s.page_id,
        s.page_id,
        s.at,
        s.at,
    )


def music_row(m: Music, s: Seen) -> Row:
    """The ``music`` row of ``m``."""
    c = cleaner(m)
    return (
        c(m.music_id),
        c(m.title),
        c(m.author),
        c(m.album),
        int(m.is_original),
        m.duration_s,
        m.user_count,
        c(m.owner_uid),
        c(m.owner_handle),
        c(m.owner_nickname),
        c(m.play_url),
        c(m.cover_url),
        *s.raw(m),
        s.page_id,
        s.page_id,
        s.at,
        s.at,
    )


def hashtag_row(h: Hashtag, s: Seen) -> Row:
    """The ``hashtags`` row of ``h``."""
    return (c(h.name), c(h.hashtag_id), h.view_count, h.user_count, *_prov(s))


def comment_row(m: Comment, s: Seen) -> Row:
    """The ``comments`` row of ``m``; its author's uid links to ``users``."""
    author = m.author.uid if m.author else None
    return (
        c(m.cid),
        c(m.aweme_id),
        c(m.parent_cid),
        c(author),
        c(m.text),
        m.create_time,
        m.digg_count,
        m.reply_count,
        c(m.language),
        *s.raw(m),
        *_prov(s),
    )


def live_row(v: Live, s: Seen) -> Row:
    """The ``lives`` row of ``v``."""
    owner = v.owner.uid if v.owner else None
    return (c(v.room_id), c(v.title), c(owner), v.viewer_count, *s.raw(v), *_prov(s))


def post_stats_row(p: Post, s: Seen) -> Row | None:
    """An observation of ``p``'s counts, or ``None`` when the page carried none."""
    counts = (p.play_count, p.digg_count, p.comment_count, p.share_count, p.collect_count)
    if all(n is None for n in counts) and p.download_count is None:
        return None
    return (c(p.aweme_id), s.page_id, s.at, *counts, p.download_count)


def user_stats_row(u: User, s: Seen) -> Row | None:
    """An observation of ``u``'s counts, or ``None`` when the page carried none."""
    counts = (u.follower_count, u.following_count, u.heart_count, u.video_count, u.digg_count)
    if all(n is None for n in counts):
        return None
    return (c(u.uid), s.page_id, s.at, *counts)


def _prov(s: Seen) -> tuple[int, int, str, str]:
    return (s.page_id, s.page_id, s.at, s.at)
