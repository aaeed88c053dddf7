"""JSON shapes of the EnsembleData TikTok API (``shared/API.md`` §2), built from world entities.

The static part of each post, user and sound is built once and memoized; what moves with the
world clock (statistics, counts) is filled in at render time.
"""

from __future__ import annotations

from typing import Any

import msgspec

from . import _media as media
from . import _vocab as V
from ._cache import LRU
from ._clock import DEFAULT_NOW
from ._world import Comment, Music, Post, User, World

Json = dict[str, Any]
_encode = msgspec.json.Encoder().encode
# Stand-ins for what moves with the clock; NUL never occurs in encoded JSON, so they split safely.
_MARK = b"\x00"


def _cut(obj: Json, *keys: str) -> tuple[bytes, ...]:
    """``obj`` encoded and cut where the values of ``keys`` go (filled in at render time)."""
    for key in keys:
        obj[key] = msgspec.Raw(_MARK)
    return tuple(_encode(obj).split(_MARK))


CDN = "https://p16-sign-va.tiktokcdn.com"


def image(uri: str, width: int = 720, height: int = 720) -> Json:
    """TikTok's image/URL object."""
    return {
        "uri": uri,
        "url_list": [media.url(uri, "jpeg"), media.url(f"{uri}~c5_720x720", "jpeg")],
        "width": width,
        "height": height,
    }


def _video_addr(uri: str, size: int) -> Json:
    urls = [media.url(uri, "mp4"), media.url(f"{uri}~540p", "mp4")]
    return {"uri": uri, "url_list": urls, "width": 576, "height": 1024, "data_size": size,
            "url_key": f"{uri}_h264_540p_1840"}  # fmt: skip


_MOVING = ("is_top", "statistics")  # the keys of an aweme that move with the clock


class Renderer:
    """Builds (and memoizes) the JSON objects the API returns."""

    def __init__(self, world: World, cache_size: int = 50_000) -> None:
        self.world = world
        self._awemes: LRU[int, tuple[bytes, ...]] = LRU(cache_size)
        self._users: LRU[int, tuple[bytes, ...]] = LRU(cache_size)
        self._music: LRU[int, tuple[bytes, ...]] = LRU(cache_size)

    # -- users -----------------------------------------------------------------------------------

    def user(self, user: User, now: int | None = None) -> msgspec.Raw:
        """The mobile-format user (§2.2), encoded; counts as of ``now`` (default: the feed view).

        Kept encoded (bytes): the garbage collector does not walk them, and posts embed them.
        """
        head, tail = self._users.get(user.index, lambda _: _cut(self._user(user), "aweme_count"))
        count = self.world.aweme_count(user, DEFAULT_NOW if now is None else now)
        return msgspec.Raw(b"".join((head, _encode(count), tail)))

    def user_dict(self, user: User, now: int) -> Json:
        """:meth:`user` as a dict, to add keys to."""
        result: Json = msgspec.json.decode(self.user(user, now))
        return result

    def _avatar_thumb(self, u: User) -> Json:
        return image(f"tos-maliva-avt-0068/{u.sec_uid[-20:]}~100x100", 100, 100)

    def _user(self, u: User) -> Json:
        avatar = f"tos-maliva-avt-0068/{u.sec_uid[-20:]}"
        return {
            "uid": u.uid, "sec_uid": u.sec_uid, "unique_id": u.unique_id, "short_id": "0",
            "nickname": u.nickname, "signature": u.signature, "region": u.region,
            "language": u.language, "avatar_thumb": image(avatar + "~100x100", 100, 100),
            "avatar_medium": image(avatar + "~720x720"), "avatar_larger": image(avatar),
            "follower_count": u.followers, "following_count": u.following,
            "aweme_count": self.world.aweme_count(u, DEFAULT_NOW),
            "total_favorited": u.hearts, "favoriting_count": u.favoriting,
            "verification_type": 1 if u.verified else 0,
            "custom_verify": "Verified account" if u.verified else "",
            "enterprise_verify_reason": "", "ins_id": "", "youtube_channel_id": "",
            "youtube_channel_title": "", "twitter_id": "", "twitter_name": "",
            "secret": 1 if u.private else 0, "is_private": u.private,
            "create_time": u.create_time, "commerce_user_level": 0,
        }  # fmt: skip

    def web_user(self, u: User, now: int) -> Json:
        """``/tt/user/info``'s web-format ``{user, stats}`` (§2.5)."""
        avatar = f"tos-maliva-avt-0068/{u.sec_uid[-20:]}"
        videos = self.world.aweme_count(u, now)
        user = {
            "id": u.uid, "uniqueId": u.unique_id, "secUid": u.sec_uid, "nickname": u.nickname,
            "signature": u.signature, "verified": u.verified, "privateAccount": u.private,
            "region": u.region, "language": u.language,
            "avatarThumb": media.url(avatar + "~100x100", "jpeg"),
            "avatarMedium": media.url(avatar + "~720x720", "jpeg"),
            "avatarLarger": media.url(avatar, "jpeg"),
            "ins_id": "", "youtube_channel_id": "", "createTime": u.create_time,
            "secret": u.private, "openFavorite": not u.private_likes,
            "bioLink": {"link": "", "risk": 0}, "commentSetting": 0, "duetSetting": 0,
            "stitchSetting": 0, "ftc": False, "relation": 0,
        }  # fmt: skip
        stats = {
            "followingCount": u.following, "followerCount": u.followers,
            "heartCount": u.hearts, "videoCount": videos, "diggCount": u.favoriting,
            "heart": u.hearts, "friendCount": min(u.following, u.followers) // 3,
        }  # fmt: skip
        return {"user": user, "stats": stats}

    # -- sounds ----------------------------------------------------------------------------------

    def music(self, music: Music, now: int | None = None) -> msgspec.Raw:
        """The mobile music object (§2.3), encoded; ``user_count`` as of ``now`` (or release)."""
        head, tail = self._music.get(
            music.id, lambda _: _cut(self._music_json(music), "user_count")
        )
        count = self.user_count(music, now or music.create_time)
        return msgspec.Raw(b"".join((head, _encode(count), tail)))

    def user_count(self, music: Music, now: int) -> int:
        """How many posts use a sound at ``now``."""
        if music.timeline is None:
            return 1
        return music.timeline.count(now)

    def _music_json(self, m: Music) -> Json:
        mid = str(m.id)
        owner = self.world.user(m.owner) if m.owner is not None else None
        cover = f"tos-maliva-v-2774/{mid[-12:]}"
        return {
            "id": m.id, "id_str": mid, "mid": mid, "title": m.title, "author": m.author,
            "album": m.album, "owner_handle": owner.unique_id if owner else "",
            "owner_nickname": owner.nickname if owner else "",
            "owner_id": owner.uid if owner else "",
            "is_original": owner is not None, "is_original_sound": owner is not None,
            "is_commerce_music": owner is None, "duration": m.duration,
            "shoot_duration": min(m.duration, 60), "audition_duration": min(m.duration, 60),
            "video_duration": m.duration, "user_count": 0,
            "play_url": {"uri": f"{CDN}/obj/ies-music-va/{mid}.mp3",
                         "url_list": [media.url(f"obj/ies-music-va/{mid}", "mp3")]},
            "cover_hd": image(cover + "~1080x1080"), "cover_large": image(cover + "~720x720"),
            "cover_medium": image(cover + "~200x200"), "cover_thumb": image(cover + "~100x100"),
            "matched_song": None if owner else {"id": mid, "author": m.author, "title": m.title},
            "create_time": m.create_time, "status": 1,
        }  # fmt: skip

    # -- posts -----------------------------------------------------------------------------------

    def aweme(self, post: Post, now: int, is_top: int = 0) -> msgspec.Raw:
        """The mobile aweme object (§2.1), encoded, with its statistics as of ``now``.

        The static part is encoded once per post and kept as bytes (cheap to keep: the garbage
        collector does not walk bytes); each call only encodes ``is_top`` and the statistics.
        """
        parts = self._awemes.get(post.aweme_id, lambda _: _cut(self._aweme(post), *_MOVING))
        head, mid, tail = parts
        stats = _encode({"aweme_id": str(post.aweme_id), **self.world.post_stats(post, now)})
        return msgspec.Raw(b"".join((head, _encode(is_top), mid, stats, tail)))

    def _aweme(self, p: Post) -> Json:
        author = self.world.user(p.author)
        music = self.world.music(p.music_id)
        aid = str(p.aweme_id)
        return {
            "aweme_id": aid, "desc": p.desc, "create_time": p.create_time,
            "region": author.region, "desc_language": author.language, "is_top": 0,
            "aweme_type": p.aweme_type, "group_id": aid,
            "share_url": f"https://www.tiktok.com/@{author.unique_id}/video/{aid}",
            "author": self.user(author), "music": self.music(music) if music else None,
            "video": self._video(p), "statistics": None,
            "status": {"aweme_id": aid, "is_delete": False, "allow_share": True,
                       "allow_comment": True, "is_private": False, "private_status": 0,
                       "in_reviewing": False, "reviewed": 1},
            "text_extra": self._text_extra(p), "cha_list": self._cha_list(p),
            "image_post_info": self._images(p) if p.aweme_type else None,
        }  # fmt: skip

    def _video(self, p: Post) -> Json:
        uri = f"v0f044gc0000{p.aweme_id:x}"
        size = max(1, p.duration_ms) * 230
        addr = _video_addr(uri, size)
        return {
            "duration": p.duration_ms, "width": 576, "height": 1024, "ratio": "540p",
            "play_addr": addr, "download_addr": _video_addr(uri + "_wm", size),
            "cover": image(f"tos-maliva-p-0068/{uri}~cover"),
            "origin_cover": image(f"tos-maliva-p-0068/{uri}~origin"),
            "dynamic_cover": image(f"tos-maliva-p-0068/{uri}~dynamic"),
            "bit_rate": [{"gear_name": "normal_540_0", "bit_rate": 1_840_000, "quality_type": 20,
                          "is_bytevc1": 0, "play_addr": addr}],
            "has_watermark": True,
        }  # fmt: skip

    def _text_extra(self, p: Post) -> list[Json]:
        out = []
        for tag in p.tags:
            start = p.desc.find("#" + tag)
            tag_obj = self.world.tag(tag)
            cid = tag_obj.cid if tag_obj else "0"
            out.append({"start": start, "end": start + len(tag) + 1, "type": 1,
                        "hashtag_name": tag, "hashtag_id": cid, "is_commerce": False})  # fmt: skip
        return out

    def _cha_list(self, p: Post) -> list[Json]:
        cids = [(t, tag.cid if (tag := self.world.tag(t)) else "0") for t in p.tags]
        return [{"cid": c, "cha_name": t, "desc": "", "user_count": 0, "view_count": 0}
                for t, c in cids]  # fmt: skip

    def _images(self, p: Post) -> Json:
        n = 2 + p.aweme_id % 5
        uri = f"tos-maliva-i-photomode-us/{p.aweme_id:x}"
        return {"images": [{"display_image": image(f"{uri}~{i}", 1080, 1440)} for i in range(n)]}

    # -- comments, lives -------------------------------------------------------------------------

    def comment(self, c: Comment) -> Json:
        """The mobile comment object (§2.4); both reply-count keys carry the same value."""
        u = self.world.user(c.user)
        cid = str(c.cid)
        return {
            "cid": cid, "aweme_id": str(c.aweme_id), "text": c.text, "create_time": c.create_time,
            "digg_count": c.digg_count, "reply_comment_total": c.replies,
            "reply_comment_count": c.replies, "reply_comment": None,
            "reply_id": str(c.reply_to), "reply_to_reply_id": "0",
            "comment_language": u.language, "text_extra": [], "image_list": None, "status": 1,
            "stick_position": 0, "author_pin": False, "is_author_digged": False,
            "user_digged": 0, "collect_stat": 0, "label_list": None,
            "share_info": {"desc": c.text, "title": c.text,
                           "url": f"https://m.tiktok.com/v/{c.aweme_id}.html?cid={cid}"},
            "user": {"uid": u.uid, "sec_uid": u.sec_uid, "unique_id": u.unique_id,
                     "nickname": u.nickname, "avatar_thumb": self._avatar_thumb(u),
                     "custom_verify": "", "region": u.region},
        }  # fmt: skip

    def live(self, room_id: int, title: str, owner: User, viewers: int, start: int) -> Json:
        """A live room ([I]: TikTok's live-search room object, trimmed)."""
        stream = f"https://pull-flv-l1-va01.tiktokcdn.com/stage/stream-{room_id}.flv"
        return {
            "room_id": str(room_id), "id_str": str(room_id), "title": title,
            "owner": self.user(owner), "user_count": viewers, "create_time": start,
            "status": 2, "cover": image(f"webcast-va/{room_id}~cover"),
            "stats": {"total_user": viewers * 3, "like_count": viewers * 11,
                      "share_count": viewers // 20},
            "stream_url": {"flv_pull_url": {"HD1": stream, "SD1": stream}},
            "hashtag": {"title": V.TAGS[room_id % 40]},
        }  # fmt: skip
