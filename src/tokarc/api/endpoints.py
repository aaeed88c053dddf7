"""The endpoint table: every EnsembleData endpoint tokarc speaks, declared once.

The sync and async clients' methods (generated into ``_methods.py`` by
``scripts/generate_methods.py``), the paginators, the emulator's routes, the cost estimator and
the docs' endpoint list all read :data:`ENDPOINTS`. Adding an endpoint is one entry here.

Paths inside a response (``items``, ``Pagination.next_cursor``) are dotted keys relative to
``Response.data``, the value the official SDK hands back: ``payload["data"]``, or the whole
payload for the two user-posts endpoints (``top_level=True``). An empty path is ``data`` itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from . import guesses as G

#: The key of an answer's JSON object that holds its payload (``{"data": ...}``; an error's
#: object holds ``detail`` instead): what the SDK calls ``result.data``.
ENVELOPE_KEY = "data"

ParamType = Literal["str", "int", "bool", "ids"]
RecordKind = Literal["post", "user", "user_web", "comment", "music", "live"]

PERIODS = ("0", "1", "7", "30", "90", "180")
KEYWORD_SORTINGS = ("0", "1")
MUSIC_SORTINGS = ("0", "1", "2", "3", "4")
MUSIC_FILTERS = ("0", "1", "2")


@dataclass(frozen=True)
class Param:
    """One request parameter.

    ``name`` is the official SDK's keyword argument, ``wire`` the query parameter sent.
    ``check`` names a local validator in :mod:`tokarc.client._validate` (run before any request).
    ``default`` is what tokarc sends when the caller omits a parameter the server requires.
    """

    name: str
    wire: str
    type: ParamType = "str"
    required: bool = False
    choices: tuple[str, ...] | None = None
    check: str | None = None
    default: Any = None
    page_default: Any = None  # what the paginators send when the caller omits it (depth)
    doc: str = ""


class CursorStyle(Enum):
    """How an endpoint pages (its cursor's style; not to be confused with the store's SQL
    ``Dialect``)."""

    NONE = "none"  # one response, no cursor
    OFFSET = "offset"  # cursor -> nextCursor
    START = "start"  # start_cursor (+ depth) -> nextCursor, at the payload's top level
    TOKEN = "token"  # cursor + page_token -> nextCursor + nextPageToken


@dataclass(frozen=True)
class Pagination:
    style: CursorStyle
    cursor_param: str  # the Param.name carrying the cursor in a request
    next_cursor: str = "nextCursor"  # path in Response.data
    token_param: str | None = None  # Param.name of the page token (TOKEN style)
    next_token: str | None = None  # path in Response.data of the next page token


@dataclass(frozen=True)
class Cost:
    """Units one call costs ([I] except where ``guesses`` says otherwise)."""

    base: int = G.DEFAULT_CALL_COST
    per_param: str | None = None  # multiply ``base`` by this int parameter (user posts' depth)
    plus_items_if: str | None = None  # add the returned item count when this bool param is true
    discount: int | None = None  # server-side searches: ceil(internal pages / discount)

    def units(self, params: Mapping[str, Any], n_items: int = 0, internal_pages: int = 1) -> int:
        """Units charged for a call with these (python-named) params."""
        if self.discount:
            return max(1, math.ceil(internal_pages / self.discount))
        units = self.base * (int(params.get(self.per_param) or 1) if self.per_param else 1)
        if self.plus_items_if and _truthy(params.get(self.plus_items_if)):
            units += n_items
        return units


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


@dataclass(frozen=True)
class Endpoint:
    """One API endpoint.

    ``items`` is where the list of records sits in ``Response.data`` (``None``: no records),
    ``wrapper`` the key each list item wraps its record in (keyword search's ``aweme_info``),
    ``single`` marks endpoints whose ``items`` path is one record rather than a list.
    """

    name: str
    group: Literal["tiktok", "customer"]
    path: str
    params: tuple[Param, ...]
    summary: str
    record: RecordKind | None = None
    items: str | None = None
    wrapper: str | None = None
    single: bool = False
    pagination: Pagination | None = None
    page_size: int | None = None
    iterator: str | None = None
    top_level: bool = False
    cost: Cost = field(default_factory=Cost)
    timeout: float | None = None  # endpoints known to be slow
    newest_first: bool = False  # items come newest first, so `since` can stop paging

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no parameter {name!r}")

    @property
    def wire_names(self) -> dict[str, str]:
        return {p.name: p.wire for p in self.params}

    @property
    def paginated(self) -> bool:
        return self.pagination is not None


# -- parameter helpers ----------------------------------------------------------------------------


def _p(name: str, wire: str | None = None, **kw: Any) -> Param:
    return Param(name, wire or name, **kw)


def _cursor(wire: str = "cursor") -> Param:
    return Param("cursor", wire, "int", doc="Where to start; the previous page's nextCursor.")


_NEW_VERSION = _p("new_version", type="bool", doc="Ask for the newer post schema.")
_DOWNLOAD = _p("download_video", type="bool", doc="Include a download link for the video.")
_COUNTRY = _p("country", check="country", doc="ISO 3166-1 alpha-2 country code, e.g. 'US'.")
_PERIOD = _p(
    "period", required=True, choices=PERIODS, doc="Only posts of the last N days (0 = any)."
)
_SORTING = _p("sorting", choices=KEYWORD_SORTINGS, doc="'0' relevance, '1' most liked.")
_MATCH = _p("match_exactly", type="bool", doc="Match the keyword exactly.")
_SEC_UID = _p("sec_uid", "secUid", required=True, check="sec_uid", doc="The user's secUid.")
_USER_POSTS_TAIL = (
    _p(
        "depth",
        type="int",
        required=True,
        check="positive_int",
        page_default=1,
        doc="How many chunks of ~10 posts to fetch.",
    ),
    _cursor("start_cursor"),
    _p("oldest_createtime", type="int", check="nonneg_int", doc="Stop past this unix time."),
    _NEW_VERSION,
    _DOWNLOAD,
)
_FOLLOW_PARAMS = (
    _p("id", required=True, check="uid", doc="The user's numeric id (uid)."),
    _SEC_UID,
    _cursor(),
    _p("page_token", doc="The previous page's nextPageToken."),
)

_OFFSET = Pagination(CursorStyle.OFFSET, "cursor")
_START = Pagination(CursorStyle.START, "cursor")
_TOKEN = Pagination(
    CursorStyle.TOKEN, "cursor", token_param="page_token", next_token="nextPageToken"
)

# -- the table ----------------------------------------------------------------------------------

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "hashtag_search",
        "tiktok",
        "/tt/hashtag/posts",
        (_p("hashtag", "name", required=True, check="hashtag", doc="Without '#'."), _cursor()),
        "Posts using a hashtag, about 20 a page.",
        record="post",
        items="data",
        pagination=_OFFSET,
        page_size=20,
        iterator="iter_hashtag_posts",
        newest_first=True,
    ),
    Endpoint(
        "full_hashtag_search",
        "tiktok",
        "/tt/hashtag/recent-posts",
        (
            _p("hashtag", "name", required=True, check="hashtag", doc="Without '#'."),
            _p(
                "days",
                type="int",
                required=True,
                check="positive_int",
                default=G.FULL_HASHTAG_DEFAULT_DAYS,
                doc="Only posts of the last N days.",
            ),
            _p("remap_output", type="bool", doc="Remap the output (undocumented)."),
            _p("max_cursor", type="int", check="nonneg_int", doc="Stop after this cursor."),
        ),
        "Every reachable post of a hashtag in one call; the server pages.",
        record="post",
        items="data",
        cost=Cost(discount=G.FULL_SEARCH_DISCOUNT),
        timeout=900.0,
    ),
    Endpoint(
        "keyword_search",
        "tiktok",
        "/tt/keyword/search",
        (
            _p("keyword", "name", required=True, check="keyword", doc="Words to search for."),
            _cursor(),
            _PERIOD,
            _SORTING,
            _COUNTRY,
            _MATCH,
            _p("get_author_stats", type="bool", doc="Fill in authors' stats (costs 1 a post)."),
        ),
        "Posts whose text matches a keyword, about 20 a page.",
        record="post",
        items="data",
        wrapper="aweme_info",
        pagination=_OFFSET,
        page_size=20,
        iterator="iter_keyword_posts",
        cost=Cost(plus_items_if="get_author_stats"),
    ),
    Endpoint(
        "full_keyword_search",
        "tiktok",
        "/tt/keyword/full-search",
        (
            _p("keyword", "name", required=True, check="keyword", doc="Words to search for."),
            _PERIOD,
            _SORTING,
            _COUNTRY,
            _MATCH,
        ),
        "Every reachable post matching a keyword in one call; slow.",
        record="post",
        items="data",
        wrapper="aweme_info",
        cost=Cost(discount=G.FULL_SEARCH_DISCOUNT),
        timeout=900.0,
    ),
    Endpoint(
        "user_posts_from_username",
        "tiktok",
        "/tt/user/posts",
        (_p("username", required=True, check="username", doc="Without '@'."), *_USER_POSTS_TAIL),
        "A user's posts, newest first, pinned posts on top; ~10 per depth.",
        record="post",
        items="data",
        pagination=_START,
        page_size=10,
        iterator="iter_user_posts",
        top_level=True,
        newest_first=True,
        cost=Cost(base=G.USER_POSTS_COST_PER_DEPTH, per_param="depth"),
    ),
    Endpoint(
        "user_posts_from_secuid",
        "tiktok",
        "/tt/user/posts-from-secuid",
        (_SEC_UID, *_USER_POSTS_TAIL),
        "A user's posts by secUid; same as user_posts_from_username.",
        record="post",
        items="data",
        pagination=_START,
        page_size=10,
        iterator="iter_user_posts_from_secuid",
        top_level=True,
        newest_first=True,
        cost=Cost(base=G.USER_POSTS_COST_PER_DEPTH, per_param="depth"),
    ),
    Endpoint(
        "user_info_from_username",
        "tiktok",
        "/tt/user/info",
        (_p("username", required=True, check="username", doc="Without '@'."),),
        "A user's profile and stats (web format: user + stats).",
        record="user_web",
        items="",
        single=True,
    ),
    Endpoint(
        "user_info_from_secuid",
        "tiktok",
        "/tt/user/info-from-secuid",
        (_SEC_UID, _p("alternative_method", type="bool", doc="Use the alternative method.")),
        "A user's profile (mobile format) by secUid.",
        record="user",
        items="user",
        single=True,
    ),
    Endpoint(
        "user_search",
        "tiktok",
        "/tt/user/search",
        (_p("keyword", required=True, check="keyword", doc="Words to search for."), _cursor()),
        "Users matching a keyword.",
        record="user",
        items=G.USER_SEARCH_LIST_KEY,
        wrapper=G.USER_SEARCH_ITEM_WRAPPER,
        pagination=_OFFSET,
        page_size=G.USER_SEARCH_PAGE_SIZE,
        iterator="iter_user_search",
    ),
    Endpoint(
        "post_info",
        "tiktok",
        "/tt/post/info",
        (
            _p("url", required=True, check="post_url", doc="A TikTok post URL."),
            _NEW_VERSION,
            _DOWNLOAD,
        ),
        "One post from its URL.",
        record="post",
        items="",
    ),
    Endpoint(
        "multi_post_info",
        "tiktok",
        "/tt/post/multi-info",
        (
            _p("aweme_ids", "ids", type="ids", required=True, check="aweme_ids", doc="Up to 100."),
            _NEW_VERSION,
            _DOWNLOAD,
        ),
        "Up to 100 posts from their ids; unknown ids are left out.",
        record="post",
        items="",
        cost=Cost(base=G.MULTI_POST_INFO_COST),
    ),
    Endpoint(
        "post_comments",
        "tiktok",
        "/tt/post/comments",
        (_p("aweme_id", required=True, check="aweme_id", doc="The post's id."), _cursor()),
        "A post's comments, 30 a page.",
        record="comment",
        items="comments",
        pagination=_OFFSET,
        page_size=30,
        iterator="iter_comments",
    ),
    Endpoint(
        "post_comment_replies",
        "tiktok",
        "/tt/post/comments-replies",
        (
            _p("aweme_id", required=True, check="aweme_id", doc="The post's id."),
            _p("comment_id", required=True, check="comment_id", doc="The comment's id (cid)."),
            _cursor(),
        ),
        "Replies to a comment, 30 a page.",
        record="comment",
        items="comments",
        pagination=_OFFSET,
        page_size=30,
        iterator="iter_replies",
    ),
    Endpoint(
        "music_search",
        "tiktok",
        "/tt/music/info",
        (
            _p("keyword", "name", required=True, check="keyword", doc="Words to search for."),
            _cursor(),
            _p("sorting", choices=MUSIC_SORTINGS, doc="0 relevance 1 used 2 recent 3/4 length."),
            _p("filter_by", choices=MUSIC_FILTERS, doc="0 all, 1 music only, 2 creators only."),
        ),
        "Sounds matching a keyword.",
        record="music",
        items="music",
        pagination=_OFFSET,
        page_size=G.MUSIC_SEARCH_PAGE_SIZE,
        iterator="iter_music_search",
    ),
    Endpoint(
        "music_posts",
        "tiktok",
        "/tt/music/posts",
        (_p("music_id", required=True, check="music_id", doc="The sound's id."), _cursor()),
        "Posts using a sound.",
        record="post",
        items="aweme_list",
        pagination=_OFFSET,
        page_size=G.MUSIC_POSTS_PAGE_SIZE,
        iterator="iter_music_posts",
    ),
    Endpoint(
        "music_details",
        "tiktok",
        "/tt/music/details",
        (_p("music_id", "id", required=True, check="music_id", doc="The sound's id."),),
        "One sound, with the number of posts using it (user_count).",
        record="music",
        items="",
        single=True,
    ),
    Endpoint(
        "user_followers",
        "tiktok",
        "/tt/user/followers",
        _FOLLOW_PARAMS,
        "A user's most recent followers (up to 5,000), 100 a page.",
        record="user",
        items="followers",
        pagination=_TOKEN if G.FOLLOWERS_HAVE_PAGE_TOKEN else _OFFSET,
        page_size=100,
        iterator="iter_followers",
    ),
    Endpoint(
        "user_followings",
        "tiktok",
        "/tt/user/followings",
        _FOLLOW_PARAMS,
        "The accounts a user follows, 100 a page.",
        record="user",
        items="followings",
        pagination=_TOKEN,
        page_size=100,
        iterator="iter_followings",
    ),
    Endpoint(
        "user_liked_posts",
        "tiktok",
        "/tt/user/liked-posts",
        (_SEC_UID, _cursor()),
        "Posts a user liked, when their likes are public.",
        record="post",
        items="liked_posts",
        pagination=_OFFSET,
        page_size=G.LIKED_POSTS_PAGE_SIZE,
        iterator="iter_liked_posts",
    ),
    Endpoint(
        "lives_search",
        "tiktok",
        "/tt/live/search",
        (
            _p("keyword", required=True, check="keyword", doc="Words to search for."),
            _cursor(),
            _COUNTRY,
        ),
        "Live rooms matching a keyword (response shape inferred).",
        record="live",
        items=G.LIVE_SEARCH_LIST_KEY,
        wrapper=G.LIVE_ITEM_WRAPPER,
        pagination=_OFFSET,
        page_size=G.LIVE_SEARCH_PAGE_SIZE,
        iterator="iter_lives",
    ),
    Endpoint(
        "get_usage",
        "customer",
        "/customer/get-used-units",
        (_p("date", required=True, check="date", doc="A day, YYYY-MM-DD."),),
        "Units used on one day.",
        cost=Cost(base=G.USAGE_COST),
    ),
    Endpoint(
        "get_usage_history",
        "customer",
        "/customer/get-history",
        (_p("days", type="int", required=True, check="positive_int", doc="How many days back."),),
        "Units used per day over the last N days.",
        cost=Cost(base=G.USAGE_COST),
    ),
)

BY_NAME: dict[str, Endpoint] = {e.name: e for e in ENDPOINTS}
BY_PATH: dict[str, Endpoint] = {e.path: e for e in ENDPOINTS}
BY_ITERATOR: dict[str, Endpoint] = {e.iterator: e for e in ENDPOINTS if e.iterator}


def get(name: str) -> Endpoint:
    """The endpoint called ``name`` (the official SDK's method name)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown endpoint {name!r}; known: {', '.join(BY_NAME)}") from None
