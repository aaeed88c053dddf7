"""The calls of EnsembleData's TikTok API guide, as tokarc's own test data.

The guide (EnsembleData's ``tiktok-scraper`` README) builds an ``EDClient`` and walks a few
calls; these are those calls, in the guide's order, as data (method, arguments, and what the
example goes on to read). Its sections that have no code yet are listed too, each with the
client method it names. ``tests/client/test_guide.py`` runs them with ``tokarc.EDClient``, the
SDK's spelling unchanged but for the import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The guide's setup: the SDK's import and constructor (tokarc: ``from tokarc import EDClient``).
SETUP = {"import": "from ensembledata.api import EDClient", "token": "INSERT API TOKEN"}

NEXT_CURSOR = object()  # "the nextCursor the previous call returned"


@dataclass(frozen=True)
class GuideCall:
    """One example of the guide: ``client.tiktok.<method>(**kwargs)``."""

    section: str
    method: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    posts: int | None = None  # how many posts the example prints, when it prints a count
    max_posts: int | None = None  # at most this many (a max_cursor bound)
    days: int | None = None  # every post is from the last `days` days


#: The guide's code examples, in order. Each reads ``result.data["data"]`` (the posts) and
#: ``result.data.get("nextCursor")``.
CALLS: tuple[GuideCall, ...] = (
    GuideCall("Monitoring Hashtags", "hashtag_search", {"hashtag": "magic", "cursor": 0},
              posts=20),
    GuideCall("Monitoring Hashtags", "hashtag_search",
              {"hashtag": "magic", "cursor": NEXT_CURSOR}),
    GuideCall("Automatic Cursor Handling", "full_hashtag_search", {"hashtag": "magic"}),
    GuideCall("Automatic Cursor Handling", "full_hashtag_search",
              {"hashtag": "magic", "max_cursor": 2_000, "days": 7}, max_posts=2_000, days=7),
)  # fmt: skip

#: The guide's sections without code yet, and the SDK method each one is about.
SECTIONS: dict[str, str] = {
    "Monitoring Keywords: Manual Pagination": "keyword_search",
    "Monitoring Keywords: Automatic Pagination": "full_keyword_search",
    "TikTok User Posts: From secuid": "user_posts_from_secuid",
    "TikTok User Posts: From username": "user_posts_from_username",
    "TikTok User Info: From secuid": "user_info_from_secuid",
    "TikTok User Info: From username": "user_info_from_username",
    "TikTok User Info: User liked posts": "user_liked_posts",
    "TikTok User Followers: Followers": "user_followers",
    "TikTok User Followers: Followings": "user_followings",
    "TikTok Post Info: Single Post": "post_info",
    "TikTok Post Info: Multiple Posts": "multi_post_info",
    "Post Comments: Comments": "post_comments",
    "Post Comments: Replies": "post_comment_replies",
    "Music: Find music with keyword": "music_search",
    "Music: Find posts using music": "music_posts",
    "Music: Music Info": "music_details",
}
