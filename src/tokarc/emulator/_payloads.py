"""JSON shapes of the EnsembleData TikTok API (``shared/API.md`` §2), built from world entities.

The static part of each post, user and sound is built once and memoized; what moves with the
world clock (statistics, counts) is filled in at render time.
"""

from __future__ import annotations

from typing import Any

import msgspec

from . import _captions as captions
from . import _media as media
from . import _template as T
from . import _vocab as V
from ._cache import LRU
from ._clock import DEFAULT_NOW
from ._world import STATS_KEYS, Comment, Music, Post, User, World

Json = dict[str, Any]
_encode = msgspec.json.Encoder().encode


def _weigh(parts: tuple[bytes, ...]) -> int:
    return sum(map(len, parts)) + 40 * len(parts)


CDN = "https://p16-sign-va.tiktokcdn.com"


def media_url(uri: str, ext: str) -> str:
    """The URL of the media file ``uri`` of type ``ext``: the one place the emulator's payloads
    write media URLs (:func:`._media.url`). While a shape is built (:mod:`._template`) ``uri``
    may hold holes; the URL's signature is then a hole too, computed from the filled-in path."""
    path = f"{uri}.{ext}"
    if not T.has_holes(path):
        return media.url(uri, ext)
    return media.url(uri, ext, signature=T.derived(path, media.signature))


def image(uri: str, width: int = 720, height: int = 720) -> Json:
    """TikTok's image/URL object."""
    return {
        "uri": uri,
        "url_list": [media_url(uri, "jpeg"), media_url(f"{uri}~c5_720x720", "jpeg")],
        "width": width,
        "height": height,
    }


def _video_addr(uri: str, size: Any) -> Json:
    urls = [media_url(uri, "mp4"), media_url(f"{uri}~540p", "mp4")]
    return {
        "uri": uri,
        "url_list": urls,
        "width": 576,
        "height": 1024,
        "data_size": size,
        "url_key": f"{uri}_h264_540p_1840",
    }


def _cla_info(p: Post, language: str) -> Json:
    found = captions.tracks(p.aweme_id, p.aweme_type, language, p.duration_ms)
    return captions.cla_info(language, found, media_url)


# -- shapes: what each object looks like, built once with holes (see _template) ----------------


def _user_shape() -> Json:
    avatar = f"tos-maliva-avt-0068/{T.text('avatar')}"
    return {
        "uid": T.text("uid"),
        "sec_uid": T.text("sec_uid"),
        "unique_id": T.text("unique_id"),
        "short_id": "0",
        "nickname": T.raw("nickname"),
        "signature": T.raw("signature"),
        "region": T.text("region"),
        "language": T.text("language"),
        "avatar_thumb": image(avatar + "~100x100", 100, 100),
        "avatar_medium": image(avatar + "~720x720"),
        "avatar_larger": image(avatar),
        "follower_count": T.raw("followers"),
        "following_count": T.raw("following"),
        "aweme_count": T.raw("aweme_count"),
        "total_favorited": T.raw("hearts"),
        "favoriting_count": T.raw("favoriting"),
        "verification_type": T.raw("verified"),
        "custom_verify": T.text("custom_verify"),
        "enterprise_verify_reason": "",
        "ins_id": "",
        "youtube_channel_id": "",
        "youtube_channel_title": "",
        "twitter_id": "",
        "twitter_name": "",
        "secret": T.raw("secret"),
        "is_private": T.raw("is_private"),
        "create_time": T.raw("create_time"),
        "commerce_user_level": 0,
    }


def _music_shape() -> Json:
    mid = T.text("mid")
    cover = f"tos-maliva-v-2774/{T.text('cover')}"
    play = f"{CDN}/obj/ies-music-va/{mid}.mp3"
    return {
        "id": T.raw("id"),
        "id_str": mid,
        "mid": mid,
        "title": T.raw("title"),
        "author": T.raw("author"),
        "album": T.raw("album"),
        "owner_handle": T.text("owner_handle"),
        "owner_nickname": T.raw("owner_nickname"),
        "owner_id": T.text("owner_id"),
        "is_original": T.raw("original"),
        "is_original_sound": T.raw("original"),
        "is_commerce_music": T.raw("commerce"),
        "duration": T.raw("duration"),
        "shoot_duration": T.raw("short"),
        "audition_duration": T.raw("short"),
        "video_duration": T.raw("duration"),
        "user_count": T.raw("user_count"),
        "play_url": {"uri": play, "url_list": [media_url(f"obj/ies-music-va/{mid}", "mp3")]},
        "cover_hd": image(cover + "~1080x1080"),
        "cover_large": image(cover + "~720x720"),
        "cover_medium": image(cover + "~200x200"),
        "cover_thumb": image(cover + "~100x100"),
        "matched_song": T.raw("matched_song"),
        "create_time": T.raw("create_time"),
        "status": 1,
    }


def _video_shape() -> Json:
    uri, size = T.text("uri"), T.raw("size")
    addr = _video_addr(uri, size)
    return {
        "duration": T.raw("duration"),
        "width": 576,
        "height": 1024,
        "ratio": "540p",
        "play_addr": addr,
        "download_addr": _video_addr(uri + "_wm", size),
        "cover": image(f"tos-maliva-p-0068/{uri}~cover"),
        "origin_cover": image(f"tos-maliva-p-0068/{uri}~origin"),
        "dynamic_cover": image(f"tos-maliva-p-0068/{uri}~dynamic"),
        "bit_rate": [
            {
                "gear_name": "normal_540_0",
                "bit_rate": 1_840_000,
                "quality_type": 20,
                "is_bytevc1": 0,
                "play_addr": addr,
            }
        ],
        "has_watermark": True,
        "cla_info": T.raw("cla_info"),
    }


def _aweme_shape() -> Json:
    aid = T.text("aid")
    return {
        "aweme_id": aid,
        "desc": T.raw("desc"),
        "create_time": T.raw("create_time"),
        "region": T.text("region"),
        "desc_language": T.text("language"),
        "is_top": T.raw("is_top"),
        "aweme_type": T.raw("aweme_type"),
        "group_id": aid,
        "share_url": f"https://www.tiktok.com/@{T.text('unique_id')}/video/{aid}",
        "author": T.raw("author"),
        "music": T.raw("music"),
        "video": _video_shape(),
        "statistics": T.raw("statistics"),
        "status": {
            "aweme_id": aid,
            "is_delete": False,
            "allow_share": True,
            "allow_comment": True,
            "is_private": False,
            "private_status": 0,
            "in_reviewing": False,
            "reviewed": 1,
        },
        "text_extra": T.raw("text_extra"),
        "cha_list": T.raw("cha_list"),
        "image_post_info": T.raw("images"),
    }


_USER = T.Template(_user_shape(), cuts=("aweme_count",))
_MUSIC = T.Template(_music_shape(), cuts=("user_count",))
_AWEME = T.Template(_aweme_shape(), cuts=("is_top", "statistics"))
_TRUE, _FALSE, _NULL = b"true", b"false", b"null"
# Ids, handles, secUids and codes are plain ASCII needing no JSON escape (the world makes them
# so; tests/emulator/test_world.py checks every fixture and a sample of generated users).
_ascii = str.encode
# An aweme's statistics as msgspec encodes {"aweme_id": "ID", **World.post_stats(...)}.
_STATS = b'{"aweme_id":"%d",' + b",".join(b'"%s":%%d' % k.encode() for k in STATS_KEYS) + b"}"


class Renderer:
    """Builds (and memoizes) the JSON objects the API returns."""

    def __init__(
        self, world: World, cache_size: int = 50_000, cache_bytes: int | None = None
    ) -> None:
        self.world = world
        # awemes weigh ~7 KB, users ~1.5 KB, sounds ~2 KB: shares of the bytes to match
        share = (lambda n: None) if cache_bytes is None else (lambda n: cache_bytes * n // 8)
        self._awemes: LRU[int, bytes] = LRU(cache_size, share(6), len)
        self._users: LRU[int, tuple[bytes, ...]] = LRU(cache_size, share(1), _weigh)
        self._music: LRU[int, tuple[bytes, ...]] = LRU(cache_size, share(1), _weigh)
        self._tags: dict[str, tuple[T.Template, bytes]] = {}

    def caches(self) -> dict[str, LRU[Any, Any]]:
        """The rendered-bytes caches by name."""
        return {"aweme_bytes": self._awemes, "user_bytes": self._users, "music_bytes": self._music}

    # -- users -----------------------------------------------------------------------------------

    def user(self, user: User, now: int | None = None) -> msgspec.Raw:
        """The mobile-format user (§2.2), encoded; counts as of ``now`` (default: the feed view,
        whose count is as of ``DEFAULT_NOW``, so its bytes are kept whole).

        Kept encoded (bytes): the garbage collector does not walk them, and posts embed them.
        """
        head, tail, feed = self._users.get(user.index, lambda _: self._user_parts(user))
        if now is None:
            return msgspec.Raw(feed)
        return msgspec.Raw(b"%b%d%b" % (head, self.world.aweme_count(user, now), tail))

    def _user_parts(self, u: User) -> tuple[bytes, ...]:
        head, tail = _USER.fill(
            {
                b"uid": _ascii(u.uid),
                b"sec_uid": _ascii(u.sec_uid),
                b"unique_id": _ascii(u.unique_id),
                b"nickname": T.enc(u.nickname),
                b"signature": T.enc(u.signature),
                b"region": _ascii(u.region),
                b"language": _ascii(u.language),
                b"avatar": _ascii(u.sec_uid[-20:]),
                b"followers": b"%d" % u.followers,
                b"following": b"%d" % u.following,
                b"hearts": b"%d" % u.hearts,
                b"favoriting": b"%d" % u.favoriting,
                b"verified": b"1" if u.verified else b"0",
                b"custom_verify": b"Verified account" if u.verified else b"",
                b"secret": b"1" if u.private else b"0",
                b"is_private": _TRUE if u.private else _FALSE,
                b"create_time": b"%d" % u.create_time,
            }
        )
        feed = b"%b%d%b" % (head, self.world.aweme_count(u, DEFAULT_NOW), tail)
        return head, tail, feed

    def user_dict(self, user: User, now: int) -> Json:
        """:meth:`user` as a dict, to add keys to."""
        result: Json = msgspec.json.decode(self.user(user, now))
        return result

    def _avatar_thumb(self, u: User) -> Json:
        return image(f"tos-maliva-avt-0068/{u.sec_uid[-20:]}~100x100", 100, 100)

    def web_user(self, u: User, now: int) -> Json:
        """``/tt/user/info``'s web-format ``{user, stats}`` (§2.5)."""
        avatar = f"tos-maliva-avt-0068/{u.sec_uid[-20:]}"
        videos = self.world.aweme_count(u, now)
        user = {
            "id": u.uid,
            "uniqueId": u.unique_id,
            "secUid": u.sec_uid,
            "nickname": u.nickname,
            "signature": u.signature,
            "verified": u.verified,
            "privateAccount": u.private,
            "region": u.region,
            "language": u.language,
            "avatarThumb": media_url(avatar + "~100x100", "jpeg"),
            "avatarMedium": media_url(avatar + "~720x720", "jpeg"),
            "avatarLarger": media_url(avatar, "jpeg"),
            "ins_id": "",
            "youtube_channel_id": "",
            "createTime": u.create_time,
            "secret": u.private,
            "openFavorite": not u.private_likes,
            "bioLink": {"link": "", "risk": 0},
            "commentSetting": 0,
            "duetSetting": 0,
            "stitchSetting": 0,
            "ftc": False,
            "relation": 0,
        }
        stats = {
            "followingCount": u.following,
            "followerCount": u.followers,
            "heartCount": u.hearts,
            "videoCount": videos,
            "diggCount": u.favoriting,
            "heart": u.hearts,
            "friendCount": min(u.following, u.followers) // 3,
        }
        return {"user": user, "stats": stats}

    # -- sounds ----------------------------------------------------------------------------------

    def music(self, music: Music, now: int | None = None) -> msgspec.Raw:
        """The mobile music object (§2.3), encoded; ``user_count`` as of ``now`` (or release)."""
        head, tail = self._music.get(music.id, lambda _: self._music_parts(music))
        count = self.user_count(music, now or music.create_time)
        return msgspec.Raw(b"%b%d%b" % (head, count, tail))

    def user_count(self, music: Music, now: int) -> int:
        """How many posts use a sound at ``now``."""
        if music.timeline is None:
            return 1
        return music.timeline.count(now)

    def _music_parts(self, m: Music) -> tuple[bytes, ...]:
        mid = b"%d" % m.id
        owner = self.world.user(m.owner) if m.owner is not None else None
        title, author = T.enc(m.title), T.enc(m.author)
        matched = _NULL if owner else b'{"id":"%b","author":%b,"title":%b}' % (mid, author, title)
        short = b"%d" % min(m.duration, 60)
        return _MUSIC.fill(
            {
                b"id": mid,
                b"mid": mid,
                b"cover": mid[-12:],
                b"title": title,
                b"author": author,
                b"album": T.enc(m.album),
                b"owner_handle": _ascii(owner.unique_id) if owner else b"",
                b"owner_nickname": T.enc(owner.nickname if owner else ""),
                b"owner_id": _ascii(owner.uid) if owner else b"",
                b"original": _TRUE if owner else _FALSE,
                b"commerce": _FALSE if owner else _TRUE,
                b"duration": b"%d" % m.duration,
                b"short": short,
                b"matched_song": matched,
                b"create_time": b"%d" % m.create_time,
            }
        )

    # -- posts -----------------------------------------------------------------------------------

    def aweme(
        self, post: Post, now: int, is_top: int = 0, origin: str = media.ORIGIN
    ) -> msgspec.Raw:
        """The mobile aweme object (§2.1), encoded: statistics as of ``now``, media URLs on
        ``origin`` (default: the stand-in), expiring at ``now + media.TTL``.

        The rest is rendered once per post and kept as one ``bytes %`` format (cheap to keep:
        the garbage collector does not walk bytes); each call fills in ``is_top``, the
        statistics and the media URLs' origin and expiry, in one pass.
        """
        form = self._awemes.get(post.aweme_id, lambda _: self._aweme_format(post))
        values = media.stand_ins(origin, now)
        values[b"is_top"] = b"%d" % is_top
        values[b"statistics"] = _STATS % (post.aweme_id, *self.world.post_stats_values(post, now))
        return msgspec.Raw(form % values)

    def _aweme_format(self, p: Post) -> bytes:
        """:meth:`_aweme_parts` as one format: the cuts and the media stand-ins are its holes."""
        head, mid, tail = map(media.holes, self._aweme_parts(p))
        return b"%b%%(is_top)b%b%%(statistics)b%b" % (head, mid, tail)

    def _aweme_parts(self, p: Post) -> tuple[bytes, ...]:
        author = self.world.user(p.author)
        music = self.world.music(p.music_id)
        return _AWEME.fill(
            {
                b"aid": b"%d" % p.aweme_id,
                b"desc": T.enc(p.desc),
                b"create_time": b"%d" % p.create_time,
                b"region": _ascii(author.region),
                b"language": _ascii(author.language),
                b"aweme_type": b"%d" % p.aweme_type,
                b"unique_id": _ascii(author.unique_id),
                b"author": self.user(author),
                b"music": self.music(music) if music else _NULL,
                b"uri": b"v0f044gc0000%x" % p.aweme_id,
                b"duration": b"%d" % p.duration_ms,
                b"size": b"%d" % (max(1, p.duration_ms) * 230),
                b"text_extra": self._text_extra(p),
                b"cha_list": self._cha_list(p),
                b"images": T.enc(self._images(p)) if p.aweme_type else _NULL,
                b"cla_info": T.enc(_cla_info(p, author.language)),
            }
        )

    def _tag_json(self, tag: str) -> tuple[T.Template, bytes]:
        """(text_extra entry with holes start/end, cha_list entry) of hashtag ``tag``; tags
        are a finite vocabulary, so this dict stays small."""
        known = self._tags.get(tag)
        if known is None:
            tag_obj = self.world.tag(tag)
            cid = tag_obj.cid if tag_obj else "0"
            entry = {
                "start": T.raw("start"),
                "end": T.raw("end"),
                "type": 1,
                "hashtag_name": tag,
                "hashtag_id": cid,
                "is_commerce": False,
            }
            cha = {"cid": cid, "cha_name": tag, "desc": "", "user_count": 0, "view_count": 0}
            known = self._tags[tag] = (T.Template(entry), T.enc(cha))
        return known

    def _text_extra(self, p: Post) -> bytes:
        out = []
        for tag in p.tags:
            start = p.desc.find("#" + tag)
            entry = self._tag_json(tag)[0]
            out.append(
                entry.fill({b"start": b"%d" % start, b"end": b"%d" % (start + len(tag) + 1)})[0]
            )
        return b"[%b]" % b",".join(out)

    def _cha_list(self, p: Post) -> bytes:
        return b"[%b]" % b",".join([self._tag_json(t)[1] for t in p.tags])

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
            "cid": cid,
            "aweme_id": str(c.aweme_id),
            "text": c.text,
            "create_time": c.create_time,
            "digg_count": c.digg_count,
            "reply_comment_total": c.replies,
            "reply_comment_count": c.replies,
            "reply_comment": None,
            "reply_id": str(c.reply_to),
            "reply_to_reply_id": "0",
            "comment_language": u.language,
            "text_extra": [],
            "image_list": None,
            "status": 1,
            "stick_position": 0,
            "author_pin": False,
            "is_author_digged": False,
            "user_digged": 0,
            "collect_stat": 0,
            "label_list": None,
            "share_info": {
                "desc": c.text,
                "title": c.text,
                "url": f"https://m.tiktok.com/v/{c.aweme_id}.html?cid={cid}",
            },
            "user": {
                "uid": u.uid,
                "sec_uid": u.sec_uid,
                "unique_id": u.unique_id,
                "nickname": u.nickname,
                "avatar_thumb": self._avatar_thumb(u),
                "custom_verify": "",
                "region": u.region,
            },
        }

    def live(self, room_id: int, title: str, owner: User, viewers: int, start: int) -> Json:
        """A live room ([I]: TikTok's live-search room object, trimmed)."""
        stream = f"https://pull-flv-l1-va01.tiktokcdn.com/stage/stream-{room_id}.flv"
        return {
            "room_id": str(room_id),
            "id_str": str(room_id),
            "title": title,
            "owner": self.user(owner),
            "user_count": viewers,
            "create_time": start,
            "status": 2,
            "cover": image(f"webcast-va/{room_id}~cover"),
            "stats": {
                "total_user": viewers * 3,
                "like_count": viewers * 11,
                "share_count": viewers // 20,
            },
            "stream_url": {"flv_pull_url": {"HD1": stream, "SD1": stream}},
            "hashtag": {"title": V.TAGS[room_id % 40]},
        }
