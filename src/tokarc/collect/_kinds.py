"""Job kinds: what a collection job can be, each mapped onto the endpoint table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..api import endpoints as E

Strategy = Literal["pages", "single", "posts", "follows", "comments"]
#: How a feed is ordered, which says where an incremental pass may stop: ``newest_first``
#: feeds (a user's posts, API.md 3.5) at the first item already stored; ``unordered`` ones
#: (hashtag and keyword search, comments, followers...: no order is documented) after
#: :data:`QUIET_PAGES` pages in a row with nothing new.
Feed = Literal["newest_first", "unordered"]

#: An incremental pass over a feed not in time order ends after this many pages in a row
#: that brought nothing new.
QUIET_PAGES = 2


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its endpoint, which parameter the target fills, how it runs.

    ``strategy``: ``pages`` walks a cursor endpoint; ``single`` is one call (user info, music
    details, the server-side full searches); ``posts`` looks up ids or URLs 100 at a time;
    ``follows`` resolves a username, then pages its followers or followings; ``comments``
    pages a post's comments and, when asked, every comment's replies.
    """

    name: str
    endpoint: str
    target_param: str
    strategy: Strategy = "pages"
    source: str | None = None  # seen_via source kind; the job kind when None
    summary: str = ""
    feed: Feed = "unordered"

    @property
    def api(self) -> E.Endpoint:
        return E.get(self.endpoint)

    @property
    def source_kind(self) -> str:
        return self.source or self.name


_KINDS = (
    JobKind("hashtag", "hashtag_search", "hashtag", summary="posts using a hashtag"),
    JobKind(
        "full_hashtag",
        "full_hashtag_search",
        "hashtag",
        "single",
        "hashtag",
        "every reachable post of a hashtag in one server-side call",
    ),
    JobKind("keyword", "keyword_search", "keyword", summary="posts matching a keyword"),
    JobKind(
        "full_keyword",
        "full_keyword_search",
        "keyword",
        "single",
        "keyword",
        "every reachable post of a keyword in one server-side call",
    ),
    JobKind(
        "user_posts",
        "user_posts_from_username",
        "username",
        summary="a user's posts",
        feed="newest_first",
    ),
    JobKind(
        "user_posts_secuid",
        "user_posts_from_secuid",
        "sec_uid",
        source="user_posts",
        summary="a user's posts, by secUid",
        feed="newest_first",
    ),
    JobKind("liked", "user_liked_posts", "sec_uid", summary="posts a user liked"),
    JobKind("followers", "user_followers", "username", "follows", summary="a user's followers"),
    JobKind(
        "followings",
        "user_followings",
        "username",
        "follows",
        summary="the accounts a user follows",
    ),
    JobKind(
        "comments",
        "post_comments",
        "aweme_id",
        "comments",
        summary="a post's comments (and replies, with replies=True)",
    ),
    JobKind("replies", "post_comment_replies", "comment_id", summary="replies to a comment"),
    JobKind("music_posts", "music_posts", "music_id", summary="posts using a sound"),
    JobKind("music_search", "music_search", "keyword", summary="sounds matching a keyword"),
    JobKind("user_search", "user_search", "keyword", summary="users matching a keyword"),
    JobKind("lives", "lives_search", "keyword", summary="live rooms matching a keyword"),
    JobKind(
        "user",
        "user_info_from_username",
        "username",
        "single",
        summary="a user's profile and stats",
    ),
    JobKind("music", "music_details", "music_id", "single", summary="one sound's details"),
    JobKind(
        "posts", "multi_post_info", "aweme_ids", "posts", summary="posts by id or URL, 100 per call"
    ),
)

KINDS: dict[str, JobKind] = {k.name: k for k in _KINDS}


#: Every source kind a job stores its records under (``seen_via``).
SOURCE_KINDS: frozenset[str] = frozenset(k.source_kind for k in _KINDS)


def kinds_for(source_kind: str) -> list[str]:
    """The job kinds whose records are stored under ``source_kind`` (``keyword``: ``keyword``
    and ``full_keyword``)."""
    return [k.name for k in _KINDS if k.source_kind == source_kind]


def kind(name: str) -> JobKind:
    """The job kind called ``name``."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown job kind {name!r}; known: {', '.join(KINDS)}") from None
