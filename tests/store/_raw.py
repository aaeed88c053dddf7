"""Realistic raw TikTok JSON (API.md §2) and pages of it from the emulator."""

from __future__ import annotations

import functools
from typing import Any

UID = "6752887346621023238"


def urls(*links: str) -> dict[str, Any]:
    return {"uri": "tos-useast5/abc", "url_list": list(links)}


def user(uid: str = UID, **extra: Any) -> dict[str, Any]:
    """A mobile user object (API.md §2.2)."""
    u: dict[str, Any] = {
        "uid": uid,
        "sec_uid": f"MS4wLjABAAAA{uid}",
        "unique_id": f"user{uid[-4:]}",
        "nickname": "Zach King",
        "signature": "bio",
        "region": "US",
        "language": "en",
        "avatar_thumb": urls("https://p16.tiktokcdn.com/thumb.jpeg"),
        "follower_count": 81200000,
        "following_count": 214,
        "aweme_count": 629,
        "total_favorited": 1304183341,
        "favoriting_count": 7244,
        "verification_type": 1,
        "secret": 0,
        "create_time": 1425144149,
    }
    return u | extra


def music(music_id: int = 6800370846696212482, **extra: Any) -> dict[str, Any]:
    """A music object (API.md §2.3): ``id`` is a JSON int beyond 2**53."""
    m: dict[str, Any] = {
        "id": music_id,
        "id_str": str(music_id),
        "title": "Swaggy",
        "author": "Fluorescent Canyon",
        "album": "Hip Hop + R&B",
        "is_original": False,
        "duration": 60,
        "user_count": 31200,
        "play_url": urls("https://sf16-ies-music.tiktokcdn.com/obj/swaggy.mp3"),
        "cover_large": urls("https://p16.tiktokcdn.com/cover_large.jpeg"),
    }
    return m | extra


def aweme(aweme_id: str = "7301234567890123456", **extra: Any) -> dict[str, Any]:
    """A post (API.md §2.1) with two hashtags, an author and a sound."""
    a: dict[str, Any] = {
        "aweme_id": aweme_id,
        "desc": "caption text #Magic #fyp",
        "create_time": 1700000000,
        "region": "US",
        "is_top": 0,
        "aweme_type": 0,
        "share_url": f"https://www.tiktok.com/@zachking/video/{aweme_id}",
        "author": user(),
        "music": music(),
        "video": {
            "duration": 15034,
            "width": 576,
            "height": 1024,
            "play_addr": urls("https://v16.tiktokcdn.com/play.mp4"),
            "cover": urls("https://p16.tiktokcdn.com/cover.jpeg"),
        },
        "statistics": {
            "aweme_id": aweme_id,
            "play_count": 123456,
            "digg_count": 9876,
            "comment_count": 321,
            "share_count": 45,
            "collect_count": 210,
            "download_count": 12,
        },
        "text_extra": [
            {"start": 13, "end": 19, "type": 1, "hashtag_name": "Magic", "hashtag_id": "12345"},
            {"start": 20, "end": 24, "type": 1, "hashtag_name": "fyp", "hashtag_id": "229207"},
        ],
        "cha_list": [{"cid": "12345", "cha_name": "magic", "user_count": 5, "view_count": 900}],
    }
    return a | extra


def comment(cid: str, aweme_id: str, reply_to: str = "0", **extra: Any) -> dict[str, Any]:
    """A comment (API.md §2.4); ``reply_to`` is the parent comment's id ("0": top level)."""
    c: dict[str, Any] = {
        "cid": cid,
        "aweme_id": aweme_id,
        "text": "so nice",
        "create_time": 1770283175,
        "digg_count": 4,
        "reply_comment_total": 1,
        "reply_id": reply_to,
        "comment_language": "en",
        "user": {"uid": f"70{cid[-3:]}", "unique_id": f"fan{cid[-3:]}", "nickname": "Fan"},
    }
    return c | extra


@functools.cache
def _emulator_pages(name: str, pages: int) -> tuple[tuple[dict[str, Any], ...], ...]:
    import httpx

    from tokarc.emulator import Emulator

    out = []
    with httpx.Client(transport=Emulator(seed=0).transport(), base_url="http://e/apis") as c:
        cursor = 0
        for _ in range(pages):
            params = {"name": name, "cursor": cursor, "token": "x"}
            data = c.get("/tt/hashtag/posts", params=params).json()["data"]
            out.append(tuple(data["data"]))
            cursor = data["nextCursor"]
    return tuple(out)


def emulator_pages(name: str = "magic", pages: int = 2) -> list[list[dict[str, Any]]]:
    """Real pages of ``/tt/hashtag/posts`` from the emulator (fresh lists of shared dicts)."""
    return [list(page) for page in _emulator_pages(name, pages)]
