"""Clients wired to the emulator: in-process (MockTransport) and over HTTP (uvicorn)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import tokarc
from tokarc.emulator import Emulator
from tokarc.emulator import _fixtures as F

# Easy to search for: it must never show up in any output.
TOKEN = "tok-SEKRET-5f3a9c81"
BASE = "http://emulator.test/apis"

ZACH = next(u for u in F.FIXTURE_USERS if u.unique_id == "zachking")
OPEN_LIKES = next(u for u in F.FIXTURE_USERS if not u.private_likes and not u.private)

# One valid call per endpoint of the table, on things the emulator's world is known to hold.
SAMPLE_CALLS: dict[str, dict[str, Any]] = {
    "hashtag_search": {"hashtag": "magic"},
    "full_hashtag_search": {"hashtag": "magic", "days": 1},
    "keyword_search": {"keyword": "tesla", "period": "180"},
    "full_keyword_search": {"keyword": "tesla", "period": "180"},
    "user_posts_from_username": {"username": "zachking", "depth": 1},
    "user_posts_from_secuid": {"sec_uid": ZACH.sec_uid, "depth": 2},
    "user_info_from_username": {"username": "zachking"},
    "user_info_from_secuid": {"sec_uid": ZACH.sec_uid},
    "user_search": {"keyword": "zach"},
    "post_info": {"url": F.DAVID_POST_URL},
    "multi_post_info": {"aweme_ids": list(F.MULTI_POST_IDS)},
    "post_comments": {"aweme_id": str(F.COMMENTED_POST)},
    "post_comment_replies": {
        "aweme_id": str(F.COMMENTED_POST),
        "comment_id": str(F.REPLIED_COMMENT),
    },
    "music_search": {"keyword": "classical"},
    "music_posts": {"music_id": "7063948643480488709"},
    "music_details": {"music_id": "7063948643480488709"},
    "user_followers": {"id": ZACH.uid, "sec_uid": ZACH.sec_uid},
    "user_followings": {"id": ZACH.uid, "sec_uid": ZACH.sec_uid},
    "user_liked_posts": {"sec_uid": OPEN_LIKES.sec_uid},
    "lives_search": {"keyword": "music"},
    "get_usage": {"date": "2026-11-01"},
    "get_usage_history": {"days": 7},
}


def method_of(client: Any, name: str) -> Any:
    group = client.customer if name.startswith("get_usage") else client.tiktok
    return getattr(group, name)


@pytest.fixture
def client(emulator: Emulator) -> Iterator[tokarc.Client]:
    with tokarc.Client(
        TOKEN, base_url=BASE, transport=emulator.transport(), retry=tokarc.RetryPolicy.instant()
    ) as c:
        yield c


@pytest.fixture
async def aclient(emulator: Emulator) -> AsyncIterator[tokarc.AsyncClient]:
    async with tokarc.AsyncClient(
        TOKEN, base_url=BASE, transport=emulator.transport(), retry=tokarc.RetryPolicy.instant()
    ) as c:
        yield c
