"""Realistic raw TikTok JSON, shaped after the skeletons of shared/API.md §2 and §3.

Each builder returns a fresh dict, so a test may mutate it freely.
"""

from __future__ import annotations

from typing import Any

AWEME_ID = "7301234567890123456"
MUSIC_ID = 6800370846696212482  # a JSON int beyond 2**53
UID = "6752887346621023238"
SEC_UID = "MS4wLjABAAAAv7iSuuXDJGDvJkmH_vz1qkDZYo1apxgzaxdBSeIuPiM"


def urls(*links: str) -> dict[str, Any]:
    return {"uri": "tos-useast5/abc", "url_list": list(links)}


def mobile_user(**extra: Any) -> dict[str, Any]:
    """A mobile user (API.md §2.2), as in ``aweme.author`` and ``/tt/user/info-from-secuid``."""
    user: dict[str, Any] = {
        "uid": UID,
        "sec_uid": SEC_UID,
        "unique_id": "zachking",
        "short_id": "0",
        "nickname": "Zach King",
        "signature": "bio",
        "region": "US",
        "language": "en",
        "avatar_thumb": urls("https://p16.tiktokcdn.com/thumb.jpeg"),
        "avatar_medium": urls("https://p16.tiktokcdn.com/medium.jpeg"),
        "avatar_larger": urls("https://p16.tiktokcdn.com/larger.jpeg"),
        "follower_count": 81200000,
        "following_count": 214,
        "aweme_count": 629,
        "total_favorited": 1304183341,
        "favoriting_count": 7244,
        "verification_type": 1,
        "custom_verify": "",
        "enterprise_verify_reason": "",
        "ins_id": "",
        "youtube_channel_id": "",
        "secret": 0,
        "is_private": False,
        "create_time": 1425144149,
        "commerce_user_level": 0,
    }
    return user | extra


def web_user_info(**extra: Any) -> dict[str, Any]:
    """The whole ``data`` of ``/tt/user/info`` (API.md §2.5, §3.7)."""
    info: dict[str, Any] = {
        "user": {
            "id": "6784819479778378757",
            "uniqueId": "zachking",
            "secUid": SEC_UID,
            "nickname": "Zach King",
            "signature": "bio",
            "verified": True,
            "privateAccount": False,
            "region": "US",
            "language": "en",
            "avatarThumb": "https://p16.tiktokcdn.com/thumb.jpeg",
            "avatarMedium": "https://p16.tiktokcdn.com/medium.jpeg",
            "avatarLarger": "https://p16.tiktokcdn.com/larger.jpeg",
            "ins_id": "",
            "youtube_channel_id": "",
            "createTime": 1425144149,
            "secret": False,
            "openFavorite": False,
            "bioLink": {"link": "", "risk": 0},
            "commentSetting": 0,
            "relation": 0,
        },
        "stats": {
            "followingCount": 214,
            "followerCount": 26357770,
            "heartCount": 1304183341,
            "videoCount": 629,
            "diggCount": 7244,
            "heart": 1304183341,
            "friendCount": 0,
        },
    }
    return info | extra


def music(**extra: Any) -> dict[str, Any]:
    """A music object (API.md §2.3)."""
    m: dict[str, Any] = {
        "id": MUSIC_ID,
        "id_str": str(MUSIC_ID),
        "mid": str(MUSIC_ID),
        "title": "Swaggy",
        "author": "Fluorescent Canyon",
        "album": "Hip Hop + R&B",
        "owner_handle": "",
        "owner_nickname": "",
        "owner_id": "",
        "is_original": False,
        "is_original_sound": False,
        "is_commerce_music": False,
        "duration": 60,
        "shoot_duration": 60,
        "user_count": 31200,
        "play_url": urls("https://sf16-ies-music.tiktokcdn.com/obj/swaggy.mp3"),
        "cover_hd": urls("https://p16.tiktokcdn.com/cover_hd.jpeg"),
        "cover_large": urls("https://p16.tiktokcdn.com/cover_large.jpeg"),
        "cover_medium": urls("https://p16.tiktokcdn.com/cover_medium.jpeg"),
        "cover_thumb": urls("https://p16.tiktokcdn.com/cover_thumb.jpeg"),
        "matched_song": {"id": "1", "author": "Fluorescent Canyon", "title": "Swaggy"},
        "status": 1,
    }
    return m | extra


def aweme(**extra: Any) -> dict[str, Any]:
    """A post (TikTok mobile aweme, API.md §2.1)."""
    a: dict[str, Any] = {
        "aweme_id": AWEME_ID,
        "desc": "@zachking caption text #Magic #fyp",
        "create_time": 1700000000,
        "region": "US",
        "is_top": 0,
        "aweme_type": 0,
        "group_id": AWEME_ID,
        "share_url": f"https://www.tiktok.com/@zachking/video/{AWEME_ID}?lang=en",
        "author": mobile_user(),
        "music": music(),
        "video": {
            "duration": 15034,
            "width": 576,
            "height": 1024,
            "ratio": "540p",
            "play_addr": urls("https://v16.tiktokcdn.com/play.mp4", "https://v19.tiktokcdn.com/2"),
            "download_addr": urls("https://v16.tiktokcdn.com/download.mp4"),
            "cover": urls("https://p16.tiktokcdn.com/cover.jpeg"),
            "origin_cover": urls("https://p16.tiktokcdn.com/origin.jpeg"),
            "dynamic_cover": urls("https://p16.tiktokcdn.com/dynamic.webp"),
            "bit_rate": [{"gear_name": "normal_540_0", "bit_rate": 1234567, "quality_type": 20}],
            "has_watermark": True,
        },
        "statistics": {
            "aweme_id": AWEME_ID,
            "play_count": 123456,
            "digg_count": 9876,
            "comment_count": 321,
            "share_count": 45,
            "collect_count": 210,
            "download_count": 12,
            "forward_count": 0,
            "whatsapp_share_count": 3,
        },
        "status": {"aweme_id": AWEME_ID, "is_delete": False, "is_private": False},
        "text_extra": [
            {"start": 0, "end": 9, "type": 0, "user_id": "6789", "sec_uid": "MS4wLjABAAAA..."},
            {"start": 23, "end": 29, "type": 1, "hashtag_name": "Magic", "hashtag_id": "12345"},
            {"start": 30, "end": 34, "type": 1, "hashtag_name": "fyp", "hashtag_id": "229207"},
        ],
        "cha_list": [
            {"cid": "12345", "cha_name": "magic", "desc": "", "user_count": 5, "view_count": 900},
        ],
        "image_post_info": None,
        "anchors": None,
        "content_desc": "",
    }
    return a | extra


def comment(**extra: Any) -> dict[str, Any]:
    """A comment (API.md §2.4)."""
    c: dict[str, Any] = {
        "cid": "7603308235172496150",
        "aweme_id": "7603296357641735445",
        "text": "so nice",
        "create_time": 1770283175,
        "digg_count": 4,
        "reply_comment_total": 2,
        "reply_comment": None,
        "reply_id": "0",
        "reply_to_reply_id": "0",
        "comment_language": "en",
        "text_extra": [],
        "image_list": None,
        "status": 1,
        "share_info": {"desc": "...", "title": "...", "url": "https://m.tiktok.com/v/x.html"},
        "user": {
            "uid": "7001",
            "sec_uid": "MS4wLjABAAAAcomment",
            "unique_id": "handle",
            "nickname": "Name",
            "avatar_thumb": urls("https://p16.tiktokcdn.com/c.jpeg"),
            "custom_verify": "",
            "region": "US",
            "follower_count": None,
        },
    }
    return c | extra


def live_room(**extra: Any) -> dict[str, Any]:
    """A live room, guessed after TikTok's live search (API.md 3.20)."""
    room: dict[str, Any] = {
        "room_id": 7312345678901234567,
        "title": "late night magic",
        "owner": mobile_user(),
        "user_count": 1532,
        "stats": {"total_user": 20000},
    }
    return room | extra
