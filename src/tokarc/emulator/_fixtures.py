"""The official TikTok API guide's examples, pinned into the world so they reproduce exactly.

Source: the guide (``EnsembleData/tiktok-scraper`` README, seeded in ``shared/seed``). Everything
the guide prints or names is here, and only here:

- ``#magic``: a popular hashtag, pages of 20 with ``nextCursor`` +20, capped like every tag;
- keyword ``tesla`` with ``period=180``: exactly 1,366 posts in the last 180 days at the default
  world time, so 10 pages give 200 and the full keyword search 1,366;
- ``zachking``: public account, liked posts private, 2 pinned posts among his 10 newest;
- post ``6849400000000``: 136 comments; its comment ``6930120000000`` has 66 replies;
- the ``daviddobrik`` post URL, the ``multi_post_info`` ids (the third one is malformed) and the
  two music ids;
- refused on purpose, so that API.md's codes for what TikTok withholds have a cause in the
  world: topic ``restrictedtopic`` (469, as a hashtag or a keyword), users ``restricted.rita``
  (471) and ``unavailable.uma`` (474), post :data:`RESTRICTED_POST` (520).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._clock import DEFAULT_NOW

DAY = 86_400


@dataclass(frozen=True)
class FixtureUser:
    """A named account with pinned facts; everything else is generated as usual."""

    index: int
    unique_id: str
    uid: str
    sec_uid: str
    nickname: str
    signature: str
    region: str
    followers: int
    following: int
    hearts: int
    favoriting: int
    days_between_posts: int
    age_days: int
    pinned: int = 0
    private: bool = False
    private_likes: bool = True
    verified: bool = False


FIXTURE_USERS: tuple[FixtureUser, ...] = (
    FixtureUser(
        index=1,
        unique_id="zachking",
        uid="6784819479778378757",
        sec_uid="MS4wLjABAAAAQ45hfYi1xIzYnh-9Q2yYTLhrGfVyQv3eHgxfO5sS2c3sMsTnaBPq2mrwZ6ZN4kKS",
        nickname="Zach King",
        signature="Making magic ✨ Watch my new video 👇",
        region="US",
        followers=82_400_000,
        following=214,
        hearts=1_104_000_000,
        favoriting=4_800,
        days_between_posts=3,
        age_days=1_900,
        pinned=2,
        verified=True,
    ),
    FixtureUser(
        index=2,
        unique_id="daviddobrik",
        uid="6812450398741230593",
        sec_uid="MS4wLjABAAAAmq5BbY4pWd1gfU3tLKbCR7n0zyxE2ho6Vd8JcQsXkAiGuP9rNmLtO1FeS4ZwHjYq",
        nickname="David Dobrik",
        signature="I'm just a guy 🚗",
        region="US",
        followers=26_357_770,
        following=629,
        hearts=1_304_183_341,
        favoriting=7_244,
        days_between_posts=5,
        age_days=2_000,
        pinned=1,
        verified=True,
    ),
    FixtureUser(
        index=3,
        unique_id="charlidamelio",
        uid="5831967",
        sec_uid="MS4wLjABAAAA-VASjiXTh7wDDyXvjk10VFhMWUAoxr8bgfO1kAL1-9s7x3B3UzIxeaWkyfqQ8_0i",
        nickname="charli d'amelio",
        signature="don't worry i don't either",
        region="US",
        followers=155_000_000,
        following=1_300,
        hearts=11_600_000_000,
        favoriting=9_100,
        days_between_posts=2,
        age_days=2_300,
        verified=True,
    ),
    FixtureUser(
        index=4,
        unique_id="khaby.lame",
        uid="127905465618821121",
        sec_uid="MS4wLjABAAAAyzgU4E0AxvEZ1VNuG0o7m1FRmh3TLfZ8Nih2rkxd5KWqbNcPjQ6oHrS9Yj0CvEpI",
        nickname="Khabane lame",
        signature="Se vuoi ridere sei nel posto giusto 😂",
        region="IT",
        followers=162_000_000,
        following=80,
        hearts=2_500_000_000,
        favoriting=1_200,
        days_between_posts=4,
        age_days=2_100,
        verified=True,
    ),
    FixtureUser(
        index=5,
        unique_id="private.pat",
        uid="7012345678901234567",
        sec_uid="MS4wLjABAAAAprIvAtEpAt0000kQ2vLm8XcYz4RtEuWnB7hGj3sDfK9pLq1Vw6Ny5Os2Ux8Ia0Zb",
        nickname="Pat (private)",
        signature="friends only 🔒",
        region="GB",
        followers=312,
        following=290,
        hearts=1_204,
        favoriting=880,
        days_between_posts=9,
        age_days=900,
        private=True,
    ),
    FixtureUser(
        index=6,
        unique_id="open.likes",
        uid="7023456789012345678",
        sec_uid="MS4wLjABAAAAopEnLiKeS000aZ7yXq4Wv1Ut8Sr5Qp2On9Ml6Kj3Ih0Gf7Ed4Cb1Az8Yx5Wv2Ut",
        nickname="Olive 🌿 likes everything",
        signature="my likes are public, go look",
        region="CA",
        followers=4_210,
        following=512,
        hearts=88_000,
        favoriting=2_345,
        days_between_posts=6,
        age_days=700,
        private_likes=False,
    ),
)
FIXTURE_USER_COUNT = 64  # user indices below this are reserved for fixtures


@dataclass(frozen=True)
class FixtureTag:
    """A hashtag with a pinned post rate: ``per`` posts every ``period`` seconds."""

    period: int
    per: int
    jitter: bool = True
    cap: int | None = None


FIXTURE_TAGS: dict[str, FixtureTag] = {
    "magic": FixtureTag(period=DAY, per=1_200, cap=4_620),
    # 1,366 posts in any 180 days, evenly spaced, one exactly at the default "now".
    "tesla": FixtureTag(period=180 * DAY, per=1_366, jitter=False),
}
TESLA_ORIGIN = DEFAULT_NOW


@dataclass(frozen=True)
class FixturePost:
    """A post the guide names by id; ``author`` is a fixture username or None (generated)."""

    author: str | None = None
    comments: int | None = None
    desc: str | None = None


# name -> the status the API answers for it (its detail: the error table's, in _faults).
REFUSED_TOPICS = {"restrictedtopic": 469}
REFUSED_USERS = {"restricted.rita": 471, "unavailable.uma": 474}
RESTRICTED_POST = "7000000000000000520"
REFUSED_POSTS = {RESTRICTED_POST: 520}
DAVID_POST_URL = "https://www.tiktok.com/@daviddobrik/video/7165262254722534698"
COMMENTED_POST = 6849400000000
COMMENTED_POST_COMMENTS = 136
REPLIED_COMMENT = 6930120000000
REPLIED_COMMENT_REPLIES = 66
MULTI_POST_IDS = ("7210531475052236078", "7102806710334606597", "710280671033460623434597")

FIXTURE_POSTS: dict[int, FixturePost] = {
    7165262254722534698: FixturePost(
        author="daviddobrik", desc="we surprised him with a tesla 😭 #fyp #tesla #surprise"
    ),
    7210531475052236078: FixturePost(author="zachking", desc="how did I do this? 🤯 #magic"),
    7102806710334606597: FixturePost(author="khaby.lame", desc="🤷‍♂️ #learnfromkhaby #comedy"),
    COMMENTED_POST: FixturePost(comments=COMMENTED_POST_COMMENTS),
}


@dataclass(frozen=True)
class FixtureMusic:
    """A sound the guide names by id, bound to a generated track index."""

    index: int
    title: str
    author: str


FIXTURE_MUSIC: dict[int, FixtureMusic] = {
    6874200777853661442: FixtureMusic(index=1, title="Spinning Moons", author="Kevin Mackerel"),
    7063948643480488709: FixtureMusic(
        index=2, title="Classical Sunrise", author="Orchestra Lumina"
    ),
}


def example_calls() -> dict[str, dict[str, Any]]:
    """One valid call per endpoint of the table (python parameter names), on fixture data.

    Tests, docs and demos use these to reach every endpoint of this world.
    """
    zach = next(u for u in FIXTURE_USERS if u.unique_id == "zachking")
    open_likes = next(u for u in FIXTURE_USERS if not u.private_likes and not u.private)
    music = "7063948643480488709"
    return {
        "hashtag_search": {"hashtag": "magic"},
        "full_hashtag_search": {"hashtag": "magic", "days": 1},
        "keyword_search": {"keyword": "tesla", "period": "180"},
        "full_keyword_search": {"keyword": "tesla", "period": "180"},
        "user_posts_from_username": {"username": "zachking", "depth": 1},
        "user_posts_from_secuid": {"sec_uid": zach.sec_uid, "depth": 2},
        "user_info_from_username": {"username": "zachking"},
        "user_info_from_secuid": {"sec_uid": zach.sec_uid},
        "user_search": {"keyword": "zach"},
        "post_info": {"url": DAVID_POST_URL},
        "multi_post_info": {"aweme_ids": list(MULTI_POST_IDS)},
        "post_comments": {"aweme_id": str(COMMENTED_POST)},
        "post_comment_replies": {
            "aweme_id": str(COMMENTED_POST),
            "comment_id": str(REPLIED_COMMENT),
        },
        "music_search": {"keyword": "classical"},
        "music_posts": {"music_id": music},
        "music_details": {"music_id": music},
        "user_followers": {"id": zach.uid, "sec_uid": zach.sec_uid},
        "user_followings": {"id": zach.uid, "sec_uid": zach.sec_uid},
        "user_liked_posts": {"sec_uid": open_likes.sec_uid},
        "lives_search": {"keyword": "music"},
        "get_usage": {"date": "2026-11-01"},
        "get_usage_history": {"days": 7},
    }
