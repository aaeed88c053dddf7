"""Typed records decoded from raw TikTok JSON: posts, users, comments, music, hashtags, lives.

Every record is a frozen :class:`msgspec.Struct` and keeps the exact dict it came from in
``raw``, so nothing the API returned is lost. Decoding is two steps: ``msgspec.convert`` turns
the raw dict into a private *raw-shape* struct (TikTok's own key names, every field optional,
unknown keys ignored), then a few lines of Python build the public record from it.

Wire data is messy, so decoding never crashes on it. Numbers and booleans given as strings
("123", "True") are coerced; ids given as (huge) ints become strings; a field whose value has
the wrong type is dropped (its default is used) instead of failing the whole record, by
:func:`_salvage`, the slow path taken only when the fast ``msgspec.convert`` fails. Only a
record without a usable id is rejected: :func:`decode` raises :class:`DecodeError` and
:func:`decode_many` reports it as an :class:`Undecodable`.

Counts absent from the JSON are ``None``, never 0: feeds often send zeros, and a store must be
able to tell "TikTok said 0" from "TikTok said nothing".

Example::

    >>> post = decode("post", {"aweme_id": 7301234567890123456, "desc": "hi #Magic"})
    >>> post.aweme_id, post.play_count
    ('7301234567890123456', None)
"""

from __future__ import annotations

import functools
import json
import types
import typing
from collections.abc import Iterable
from typing import Any, Literal, TypeAlias, TypeVar, overload

import msgspec

from . import _guesses as G
from .errors import DecodeError

_JSON = msgspec.json.Decoder()
_ENC = msgspec.json.Encoder()

__all__ = [
    "KINDS",
    "Comment",
    "DecodeError",
    "Hashtag",
    "Live",
    "Music",
    "Post",
    "Record",
    "Undecodable",
    "User",
    "decode",
    "decode_json",
    "decode_many",
    "decode_many_json",
    "hashtags_of",
]

# ================================================================================================
# Public records
# ================================================================================================


class _Record(msgspec.Struct, frozen=True, kw_only=True):
    """Base of the records that keep their raw JSON.

    The JSON object the API sent is kept as it came: the decoded dict, or (on the fast path
    from the wire) its bytes, decoded only when ``raw`` is read.
    """

    _raw: Any = None

    @property
    def raw(self) -> dict[str, Any]:
        """The record's JSON object, exactly as the API sent it."""
        raw = self._raw
        if isinstance(raw, msgspec.Raw):
            decoded = _JSON.decode(raw)
            return decoded if isinstance(decoded, dict) else {}
        return raw if isinstance(raw, dict) else {}

    @property
    def raw_json(self) -> bytes:
        """The same JSON as bytes; no re-encoding when it came from the wire."""
        raw = self._raw
        if isinstance(raw, msgspec.Raw):
            return bytes(raw)
        try:
            return _ENC.encode(self.raw)
        except UnicodeEncodeError:  # a lone surrogate: written as a \u escape, like the wire
            return json.dumps(self.raw, ensure_ascii=True, separators=(",", ":")).encode()

    def __repr__(self) -> str:
        # The raw JSON is often kilobytes: leave it out so that reprs stay readable.
        shown = (f"{f}={getattr(self, f)!r}" for f in self.__struct_fields__ if f != "_raw")
        return f"{type(self).__name__}({', '.join(shown)})"

    def to_dict(self, *, raw: bool = True) -> dict[str, Any]:
        """The record as plain JSON-ready builtins (nested records too).

        With ``raw=False`` the ``raw`` dicts are left out, at every level.
        """
        data = {f: _plain(getattr(self, f), raw) for f in self.__struct_fields__ if f != "_raw"}
        if raw:
            data["raw"] = self.raw
        return data


def _plain(value: Any, raw: bool) -> Any:
    if isinstance(value, _Record):
        return value.to_dict(raw=raw)
    return msgspec.to_builtins(value)


class User(_Record, frozen=True, kw_only=True):
    """A TikTok account, from the mobile user object or the web ``{"user", "stats"}`` object.

    Counts are ``None`` when the JSON does not carry them. ``verified`` is true for any
    verification badge (mobile ``verification_type`` > 0, a ``custom_verify`` or
    ``enterprise_verify_reason`` text; web ``verified``).

    Example::

        >>> decode("user", {"uid": "1", "unique_id": "zachking", "follower_count": 0})
        User(uid='1', sec_uid=None, unique_id='zachking', ..., follower_count=0, ...)
    """

    uid: str
    sec_uid: str | None = None
    unique_id: str | None = None
    nickname: str | None = None
    signature: str | None = None
    region: str | None = None
    language: str | None = None
    verified: bool = False
    is_private: bool = False
    follower_count: int | None = None
    following_count: int | None = None
    heart_count: int | None = None
    video_count: int | None = None
    digg_count: int | None = None
    avatar_url: str | None = None
    create_time: int | None = None


class Music(_Record, frozen=True, kw_only=True):
    """A sound. ``music_id`` is a string: TikTok's int ``id`` can exceed 2**53.

    ``duration_s`` is in seconds (unlike a post's ``duration_ms``); ``user_count`` is the number
    of posts using the sound.

    Example::

        >>> decode("music", {"id": 6800370846696212482, "title": "Swaggy"}).music_id
        '6800370846696212482'
    """

    music_id: str
    title: str | None = None
    author: str | None = None
    album: str | None = None
    is_original: bool = False
    duration_s: int | None = None
    user_count: int | None = None
    owner_uid: str | None = None
    owner_handle: str | None = None
    owner_nickname: str | None = None
    play_url: str | None = None
    cover_url: str | None = None


class Post(_Record, frozen=True, kw_only=True):
    """A post (TikTok's mobile "aweme"): a video or a photo carousel.

    ``hashtags`` are lower-cased, deduplicated, in caption order; ``mentions`` are the handles
    mentioned in the caption and ``mention_uids`` their numeric ids. The ``statistics`` object is
    flattened into the ``*_count`` fields. ``duration_ms`` is in milliseconds.

    Example::

        >>> post = decode("post", {"aweme_id": "73", "is_top": 1, "statistics": None})
        >>> post.is_pinned, post.digg_count
        (True, None)
    """

    aweme_id: str
    desc: str = ""
    create_time: int | None = None
    region: str | None = None
    is_pinned: bool = False
    is_photo: bool = False
    author: User | None = None
    author_uid: str | None = None
    author_unique_id: str | None = None
    music: Music | None = None
    music_id: str | None = None
    hashtags: list[str] = []
    mentions: list[str] = []
    mention_uids: list[str] = []
    play_count: int | None = None
    digg_count: int | None = None
    comment_count: int | None = None
    share_count: int | None = None
    collect_count: int | None = None
    download_count: int | None = None
    duration_ms: int | None = None
    width: int | None = None
    height: int | None = None
    cover_url: str | None = None
    play_url: str | None = None
    share_url: str | None = None
    image_urls: list[str] = []


class Comment(_Record, frozen=True, kw_only=True):
    """A comment or a reply. ``parent_cid`` is the replied-to comment's id (``None`` at top level).

    ``reply_count`` is ``reply_comment_total``, or the guide's ``reply_comment_count``.

    Example::

        >>> decode("comment", {"cid": 76, "text": "so nice", "reply_id": "0"}).parent_cid is None
        True
    """

    cid: str
    aweme_id: str | None = None
    text: str = ""
    create_time: int | None = None
    digg_count: int | None = None
    reply_count: int | None = None
    parent_cid: str | None = None
    language: str | None = None
    author: User | None = None


class Live(_Record, frozen=True, kw_only=True):
    """A live room. The response shape is a guess (API.md 3.20), so decoding is lenient.

    Accepts a bare room or one wrapped in ``{"lives": room}``; the id is ``room_id``,
    ``id_str`` or ``id``; ``viewer_count`` is ``user_count`` or ``stats.user_count``/``total_user``.

    Example::

        >>> decode("live", {"lives": {"room_id": 1, "title": "hi"}}).room_id
        '1'
    """

    room_id: str
    title: str | None = None
    owner: User | None = None
    viewer_count: int | None = None


class Hashtag(msgspec.Struct, frozen=True, kw_only=True):
    """A hashtag used by a post (see :func:`hashtags_of`). ``name`` is lower-case, without '#'.

    ``view_count``/``user_count`` are set only when the post's ``cha_list`` carries them.
    """

    name: str
    hashtag_id: str | None = None
    view_count: int | None = None
    user_count: int | None = None


class Undecodable(msgspec.Struct, frozen=True, kw_only=True):
    """An item :func:`decode_many` could not turn into a record: the item, its kind, why."""

    raw: Any
    kind: str
    error: str


Record: TypeAlias = Post | User | Comment | Music | Live  # what decode() returns

# ================================================================================================
# Raw shapes: TikTok's key names, everything optional. Ids are ``str | int`` because TikTok sends
# both (and ints beyond 2**63); they become strings in the public records.
# ================================================================================================

_Id: TypeAlias = str | int | None
_Flag: TypeAlias = bool | int | None  # 0/1, true/false, "True"/"1" (msgspec's lax mode)


class _Raw(msgspec.Struct, forbid_unknown_fields=False, gc=False):
    """Base of the raw shapes: internal, never handed out, so not frozen."""


class _Urls(_Raw):
    url_list: list[str] | None = None


class _UserRaw(_Raw):
    uid: _Id = None
    sec_uid: str | None = None
    unique_id: str | None = None
    nickname: str | None = None
    signature: str | None = None
    region: str | None = None
    language: str | None = None
    avatar_larger: _Urls | None = None
    avatar_medium: _Urls | None = None
    avatar_thumb: _Urls | None = None
    follower_count: int | None = None
    following_count: int | None = None
    total_favorited: int | None = None
    aweme_count: int | None = None
    favoriting_count: int | None = None
    verification_type: int | None = None
    custom_verify: str | None = None
    enterprise_verify_reason: str | None = None
    secret: _Flag = None
    is_private: _Flag = None
    private_status: int | None = None
    create_time: int | None = None


class _WebUserRaw(_Raw, rename="camel"):
    id: _Id = None
    uid: _Id = None
    sec_uid: str | None = None
    unique_id: str | None = None
    nickname: str | None = None
    signature: str | None = None
    region: str | None = None
    language: str | None = None
    verified: _Flag = None
    private_account: _Flag = None
    secret: _Flag = None
    avatar_larger: str | None = None
    avatar_medium: str | None = None
    avatar_thumb: str | None = None
    create_time: int | None = None


class _WebStatsRaw(_Raw, rename="camel"):
    follower_count: int | None = None
    following_count: int | None = None
    heart_count: int | None = None
    heart: int | None = None
    video_count: int | None = None
    digg_count: int | None = None


class _WebUserInfoRaw(_Raw, rename="camel"):
    user: _WebUserRaw | None = None
    stats: _WebStatsRaw | None = None
    stats_v2: _WebStatsRaw | None = None  # TikTok web's string-valued twin of ``stats``


class _MusicRaw(_Raw):
    id: _Id = None
    id_str: _Id = None
    mid: _Id = None
    title: str | None = None
    author: str | None = None
    album: str | None = None
    is_original: _Flag = None
    is_original_sound: _Flag = None
    duration: int | None = None
    user_count: int | None = None
    owner_id: _Id = None
    owner_handle: str | None = None
    owner_nickname: str | None = None
    play_url: _Urls | None = None
    cover_large: _Urls | None = None
    cover_hd: _Urls | None = None
    cover_medium: _Urls | None = None
    cover_thumb: _Urls | None = None


class _VideoRaw(_Raw):
    duration: int | None = None
    width: int | None = None
    height: int | None = None
    play_addr: _Urls | None = None
    download_addr: _Urls | None = None
    cover: _Urls | None = None
    origin_cover: _Urls | None = None


class _StatsRaw(_Raw):
    # Named like Post's fields on purpose: ``asdict`` of this struct is Post's counts.
    play_count: int | None = None
    digg_count: int | None = None
    comment_count: int | None = None
    share_count: int | None = None
    collect_count: int | None = None
    download_count: int | None = None


class _TextExtraRaw(_Raw):
    type: int | None = None
    hashtag_name: str | None = None
    hashtag_id: _Id = None
    user_id: _Id = None
    user_unique_id: str | None = None
    start: int | None = None
    end: int | None = None


class _ChaRaw(_Raw):
    cid: _Id = None
    cha_name: str | None = None
    view_count: int | None = None
    user_count: int | None = None


class _ImageRaw(_Raw):
    display_image: _Urls | None = None


class _ImagePostRaw(_Raw):
    images: list[_ImageRaw] | None = None


class _TagsRaw(_Raw):
    desc: str | None = None
    text_extra: list[_TextExtraRaw] | None = None
    cha_list: list[_ChaRaw] | None = None


class _AwemeRaw(_TagsRaw):
    aweme_id: _Id = None
    create_time: int | None = None
    region: str | None = None
    is_top: _Flag = None
    aweme_type: int | None = None
    share_url: str | None = None
    author: _UserRaw | None = None
    author_user_id: _Id = None
    music: _MusicRaw | None = None
    video: _VideoRaw | None = None
    statistics: _StatsRaw | None = None
    image_post_info: _ImagePostRaw | None = None


class _CommentRaw(_Raw):
    cid: _Id = None
    aweme_id: _Id = None
    text: str | None = None
    create_time: int | None = None
    digg_count: int | None = None
    reply_comment_total: int | None = None
    reply_comment_count: int | None = None
    reply_id: _Id = None
    comment_language: str | None = None
    user: _UserRaw | None = None


class _LiveOwnerRaw(_UserRaw):
    # TikTok's live rooms name their owner's uid ``id``/``id_str`` and the handle ``display_id``.
    id: _Id = None
    id_str: _Id = None
    display_id: str | None = None


class _LiveStatsRaw(_Raw):
    user_count: int | None = None
    total_user: int | None = None


class _LiveRaw(_Raw):
    room_id: _Id = None
    id_str: _Id = None
    id: _Id = None
    title: str | None = None
    owner: _LiveOwnerRaw | None = None
    user_count: int | None = None
    stats: _LiveStatsRaw | None = None


# ================================================================================================
# Lenient conversion
# ================================================================================================

_S = TypeVar("_S", bound=_Raw)
_FAILED: Any = object()  # a value that could not be converted to a field's type
# msgspec encodes dict keys to UTF-8 to match them to fields: a key holding a lone surrogate
# raises UnicodeEncodeError rather than ValidationError. Both mean "salvage what you can".
_CONVERT_ERRORS = (msgspec.ValidationError, UnicodeEncodeError)


def _convert(value: dict[str, Any], struct: type[_S]) -> _S:
    """``value`` as ``struct``: msgspec's fast path, or the field-by-field salvage."""
    try:
        return msgspec.convert(value, struct, strict=False)
    except _CONVERT_ERRORS:
        return _salvage_struct(value, struct)


def _lenient(value: Any, tp: Any) -> Any:
    """``value`` converted to the type ``tp``, salvaging what it can, or ``_FAILED``."""
    try:
        return msgspec.convert(value, tp, strict=False)
    except _CONVERT_ERRORS:
        return _salvage(value, tp)


def _salvage(value: Any, tp: Any) -> Any:
    # A struct keeps its good fields, a list its good items; anything else is lost.
    if isinstance(value, dict) and (struct := _struct_in(tp)) is not None:
        return _salvage_struct(value, struct)
    if isinstance(value, list) and (item := _list_item_in(tp)) is not None:
        return [x for x in (_lenient(v, item) for v in value) if x is not _FAILED]
    return _FAILED


def _salvage_struct(value: dict[Any, Any], struct: type[_S]) -> _S:
    kwargs = {}
    for field in _fields(struct):
        if field.encode_name in value:
            converted = _lenient(value[field.encode_name], field.type)
            if converted is not _FAILED:
                kwargs[field.name] = converted
    return struct(**kwargs)


@functools.cache
def _fields(struct: type[_Raw]) -> tuple[msgspec.structs.FieldInfo, ...]:
    return msgspec.structs.fields(struct)


def _members(tp: Any) -> tuple[Any, ...]:
    is_union = typing.get_origin(tp) in (typing.Union, types.UnionType)
    return typing.get_args(tp) if is_union else (tp,)


@functools.cache
def _struct_in(tp: Any) -> type[_Raw] | None:
    """The Struct class in ``tp`` (``S`` or ``S | None``), if any."""
    return next((m for m in _members(tp) if isinstance(m, type) and issubclass(m, _Raw)), None)


@functools.cache
def _list_item_in(tp: Any) -> Any:
    """``X`` when ``tp`` is ``list[X]`` or ``list[X] | None``, else ``None``."""
    lists = [m for m in _members(tp) if typing.get_origin(m) is list]
    return typing.get_args(lists[0])[0] if lists else None


# ================================================================================================
# Small value helpers
# ================================================================================================


def _id(value: _Id) -> str | None:
    """An id as a non-empty string; ints (of any size) are written in decimal."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _first_id(*values: _Id) -> str | None:
    return next((i for i in map(_id, values) if i is not None), None)


def _need(value: str | None, key: str) -> str:
    if value is None:
        raise ValueError(f"no usable {key!r}")
    return value


def _first_url(*urls: _Urls | None) -> str | None:
    """The first URL of the first of ``urls`` that has one."""
    for u in urls:
        if u is not None and u.url_list:
            return u.url_list[0]
    return None


def _either(first: int | None, second: int | None) -> int | None:
    return first if first is not None else second


def _unwrap(raw: dict[str, Any], id_key: str, wrapper: str) -> dict[str, Any]:
    # Callers unwrap search items, but an item still wrapped is unambiguous: accept it.
    inner = raw.get(wrapper)
    return inner if id_key not in raw and isinstance(inner, dict) else raw


def _dict_or_empty(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# ================================================================================================
# Decoders, one per kind
# ================================================================================================


def _user_record(u: _UserRaw, raw: Any) -> User:
    return User(
        uid=_need(_id(u.uid), "uid"),
        sec_uid=u.sec_uid,
        unique_id=u.unique_id,
        nickname=u.nickname,
        signature=u.signature,
        region=u.region,
        language=u.language,
        verified=(u.verification_type or 0) > 0
        or bool(u.custom_verify or u.enterprise_verify_reason),
        is_private=bool(u.secret or u.is_private or u.private_status),
        follower_count=u.follower_count,
        following_count=u.following_count,
        heart_count=u.total_favorited,
        video_count=u.aweme_count,
        digg_count=u.favoriting_count,
        avatar_url=_first_url(u.avatar_larger, u.avatar_medium, u.avatar_thumb),
        create_time=u.create_time,
        _raw=raw,
    )


def _nested_user(u: _UserRaw | None, raw: Any) -> User | None:
    """A post's author or a comment's user; ``None`` when it has no uid to be keyed on."""
    if u is None or _id(u.uid) is None:
        return None
    return _user_record(u, raw if isinstance(raw, msgspec.Raw) else _dict_or_empty(raw))


def _web_user(raw: dict[str, Any]) -> User:
    w = _convert(raw, _WebUserInfoRaw)
    u = w.user or _WebUserRaw()
    s = w.stats or w.stats_v2 or _WebStatsRaw()
    return User(
        uid=_need(_first_id(u.id, u.uid), "user.id"),
        sec_uid=u.sec_uid,
        unique_id=u.unique_id,
        nickname=u.nickname,
        signature=u.signature,
        region=u.region,
        language=u.language,
        verified=bool(u.verified),
        is_private=bool(u.private_account or u.secret),
        follower_count=s.follower_count,
        following_count=s.following_count,
        heart_count=_either(s.heart_count, s.heart),
        video_count=s.video_count,
        digg_count=s.digg_count,
        avatar_url=u.avatar_larger or u.avatar_medium or u.avatar_thumb,
        create_time=u.create_time,
        _raw=raw,
    )


def _user(raw: dict[str, Any]) -> User:
    # Both user kinds sniff the shape: ``/tt/user/info`` (web) is ``{"user", "stats"}``, a mobile
    # user has ``uid``; an item still wrapped in search's ``user_info`` is unwrapped.
    if "uid" not in raw and isinstance(raw.get("user"), dict):
        return _web_user(raw)
    inner = _unwrap(raw, "uid", G.USER_SEARCH_ITEM_WRAPPER)
    return _user_record(_convert(inner, _UserRaw), raw)


def _music_record(m: _MusicRaw, raw: Any) -> Music:
    return Music(
        music_id=_need(_first_id(m.id_str, m.mid, m.id), "id"),
        title=m.title,
        author=m.author,
        album=m.album,
        is_original=bool(m.is_original or m.is_original_sound),
        duration_s=m.duration,
        user_count=m.user_count,
        owner_uid=_id(m.owner_id),
        owner_handle=m.owner_handle or None,
        owner_nickname=m.owner_nickname or None,
        play_url=_first_url(m.play_url),
        cover_url=_first_url(m.cover_large, m.cover_hd, m.cover_medium, m.cover_thumb),
        _raw=raw,
    )


def _music(raw: dict[str, Any]) -> Music:
    return _music_record(_convert(raw, _MusicRaw), raw)


def _nested_music(m: _MusicRaw | None, raw: Any) -> Music | None:
    if m is None or _first_id(m.id_str, m.mid, m.id) is None:
        return None
    return _music_record(m, raw if isinstance(raw, msgspec.Raw) else _dict_or_empty(raw))


def _hashtags(t: _TagsRaw) -> list[Hashtag]:
    """The hashtags of ``text_extra`` then ``cha_list``, merged by lower-case name."""
    found: dict[str, Hashtag] = {}
    for e in t.text_extra or ():
        if e.type == 1 and e.hashtag_name:
            _add_tag(found, Hashtag(name=e.hashtag_name, hashtag_id=_id(e.hashtag_id)))
    for c in t.cha_list or ():
        if c.cha_name:
            counts = {"view_count": c.view_count, "user_count": c.user_count}
            _add_tag(found, Hashtag(name=c.cha_name, hashtag_id=_id(c.cid), **counts))
    return list(found.values())


def _tag_names(t: _TagsRaw) -> list[str]:
    """The names :func:`_hashtags` would give, without building records: the hot path."""
    names = [e.hashtag_name for e in t.text_extra or () if e.type == 1 and e.hashtag_name]
    names += [c.cha_name for c in t.cha_list or () if c.cha_name]
    return [n for n in dict.fromkeys(map(_tag_name, names)) if n]


def _tag_name(name: str) -> str:
    return name.strip().lstrip("#").lower()


def _add_tag(found: dict[str, Hashtag], tag: Hashtag) -> None:
    """Add ``tag`` under its normalized name; a second sighting fills in what the first lacked."""
    name = _tag_name(tag.name)
    if not name:
        return
    old = found.get(name) or Hashtag(name=name)
    found[name] = Hashtag(
        name=name,
        hashtag_id=old.hashtag_id or tag.hashtag_id,
        view_count=_either(old.view_count, tag.view_count),
        user_count=_either(old.user_count, tag.user_count),
    )


def _mentions(a: _TagsRaw) -> tuple[list[str], list[str]]:
    """(handles, uids) of the users mentioned in ``text_extra`` (type 0), deduplicated."""
    handles: dict[str, None] = {}
    uids: dict[str, None] = {}
    for e in a.text_extra or ():
        if e.type == 0:
            if handle := e.user_unique_id or _span_handle(a.desc or "", e.start, e.end):
                handles[handle] = None
            if uid := _id(e.user_id):
                uids[uid] = None
    return list(handles), list(uids)


def _span_handle(desc: str, start: int | None, end: int | None) -> str | None:
    """The "@handle" that ``desc[start:end]`` points at, if it does."""
    if start is None or end is None:
        return None
    span = desc[start:end]
    if not span.startswith("@"):
        # TikTok's offsets may count UTF-16 units rather than code points (after an emoji).
        utf16 = desc.encode("utf-16-le", "surrogatepass")[2 * start : 2 * end]
        span = utf16.decode("utf-16-le", "replace")
    return span[1:] if span.startswith("@") and len(span) > 1 else None


def _video_fields(v: _VideoRaw | None) -> dict[str, Any]:
    if v is None:
        return {}
    return {
        "duration_ms": v.duration,
        "width": v.width,
        "height": v.height,
        "cover_url": _first_url(v.cover, v.origin_cover),
        "play_url": _first_url(v.play_addr, v.download_addr),
    }


def _image_urls(p: _ImagePostRaw | None) -> list[str]:
    images = (p.images or []) if p is not None else []
    urls = (_first_url(i.display_image) for i in images)
    return [u for u in urls if u is not None]


def _post(raw: dict[str, Any]) -> Post:
    aweme = _unwrap(raw, "aweme_id", "aweme_info")
    a = _convert(aweme, _AwemeRaw)
    author = _nested_user(a.author, aweme.get("author"))
    music = _nested_music(a.music, aweme.get("music"))
    return _post_record(a, author, music, raw)


def _post_record(a: _AwemeRaw, author: User | None, music: Music | None, raw: Any) -> Post:
    mentions, mention_uids = _mentions(a)
    return Post(
        aweme_id=_need(_id(a.aweme_id), "aweme_id"),
        desc=a.desc or "",
        create_time=a.create_time,
        region=a.region,
        is_pinned=bool(a.is_top),
        is_photo=bool(a.aweme_type) or a.image_post_info is not None,
        author=author,
        author_uid=author.uid if author else _id(a.author_user_id),
        author_unique_id=author.unique_id if author else None,
        music=music,
        music_id=music.music_id if music else None,
        hashtags=_tag_names(a),
        mentions=mentions,
        mention_uids=mention_uids,
        share_url=a.share_url,
        image_urls=_image_urls(a.image_post_info),
        _raw=raw,
        **(msgspec.structs.asdict(a.statistics) if a.statistics else {}),
        **_video_fields(a.video),
    )


# -- the fast path: typed structs straight from the wire's bytes --------------------------------


class _AwemeJson(_AwemeRaw):
    # Nested objects stay bytes until decoded on their own: they are kept as their records' raw.
    author: msgspec.Raw = msgspec.Raw()  # type: ignore[assignment]
    music: msgspec.Raw = msgspec.Raw()  # type: ignore[assignment]


_AWEME_JSON = msgspec.json.Decoder(_AwemeJson, strict=False)
_USER_JSON = msgspec.json.Decoder(_UserRaw, strict=False)
_MUSIC_JSON = msgspec.json.Decoder(_MusicRaw, strict=False)
_TAGS_JSON = msgspec.json.Decoder(_TagsRaw, strict=False)


class _NotFast(Exception):
    """The fast path cannot take this item: the lenient dict path will."""


def _present(raw: msgspec.Raw) -> bool:
    head = bytes(memoryview(raw)[:4])
    return len(head) > 0 and head != b"null"


def _post_json(data: msgspec.Raw) -> Post:
    a = _AWEME_JSON.decode(data)
    if _id(a.aweme_id) is None:
        raise _NotFast
    author = _nested_user(_USER_JSON.decode(a.author), a.author) if _present(a.author) else None
    music = _nested_music(_MUSIC_JSON.decode(a.music), a.music) if _present(a.music) else None
    return _post_record(a, author, music, data)


_FAST: dict[str, typing.Callable[[msgspec.Raw], Any]] = {"post": _post_json}
_FAST_ERRORS = (_NotFast, msgspec.DecodeError, UnicodeError, ValueError, TypeError)


def _comment(raw: dict[str, Any]) -> Comment:
    c = _convert(raw, _CommentRaw)
    parent = _id(c.reply_id)
    return Comment(
        cid=_need(_id(c.cid), "cid"),
        aweme_id=_id(c.aweme_id),
        text=c.text or "",
        create_time=c.create_time,
        digg_count=c.digg_count,
        reply_count=_either(c.reply_comment_total, c.reply_comment_count),
        parent_cid=None if parent == "0" else parent,
        language=c.comment_language,
        author=_nested_user(c.user, raw.get("user")),
        _raw=raw,
    )


def _room(raw: dict[str, Any]) -> dict[str, Any]:
    """The room dict of a live item: bare, wrapped in ``lives``, or JSON text in ``rawdata``."""
    room = _dict_or_empty(raw.get(G.LIVE_ITEM_WRAPPER)) or raw
    if room.keys().isdisjoint(("room_id", "id", "id_str")) and "rawdata" in room:
        try:  # TikTok's own live search sends the room as a JSON string
            return _dict_or_empty(msgspec.json.decode(room["rawdata"])) or room
        except (msgspec.DecodeError, TypeError):
            return room
    return room


def _live_owner(o: _LiveOwnerRaw | None, raw: Any) -> User | None:
    if o is None:
        return None
    uid = _first_id(o.uid, o.id_str, o.id)
    fixed = msgspec.structs.replace(o, uid=uid, unique_id=o.unique_id or o.display_id)
    return _nested_user(fixed, raw)


def _live(raw: dict[str, Any]) -> Live:
    room = _room(raw)
    r = _convert(room, _LiveRaw)
    stats = r.stats or _LiveStatsRaw()
    return Live(
        room_id=_need(_first_id(r.room_id, r.id_str, r.id), "room_id"),
        title=r.title,
        owner=_live_owner(r.owner, room.get("owner")),
        viewer_count=_either(r.user_count, _either(stats.user_count, stats.total_user)),
        _raw=raw,
    )


_DECODERS: dict[str, typing.Callable[[dict[str, Any]], Any]] = {
    "post": _post,
    "user": _user,
    "user_web": _user,
    "comment": _comment,
    "music": _music,
    "live": _live,
}

#: The record kinds :func:`decode` takes (the endpoint table's ``Endpoint.record`` values).
KINDS: tuple[str, ...] = tuple(_DECODERS)

# ================================================================================================
# Entry points
# ================================================================================================


@overload
def decode(kind: Literal["post"], raw: Any) -> Post: ...
@overload
def decode(kind: Literal["user", "user_web"], raw: Any) -> User: ...
@overload
def decode(kind: Literal["comment"], raw: Any) -> Comment: ...
@overload
def decode(kind: Literal["music"], raw: Any) -> Music: ...
@overload
def decode(kind: Literal["live"], raw: Any) -> Live: ...
@overload
def decode(kind: str, raw: Any) -> Record: ...
def decode(kind: str, raw: Any) -> Record:
    """Decode one raw item (already unwrapped from its search wrapper) into a record.

    ``kind`` is one of :data:`KINDS`: "post", "user" (mobile user), "user_web" (the whole
    ``{"user", "stats"}`` object of ``/tt/user/info``), "comment", "music", "live".

    Raises :class:`DecodeError` when ``raw`` is not a dict or has no usable id, and
    ``ValueError`` for an unknown ``kind`` (a caller's bug, not bad data).

    Example::

        >>> decode("comment", {"cid": "7603", "text": "so nice"}).cid
        '7603'
    """
    decoder = _decoder(kind)
    if not isinstance(raw, dict):
        raise DecodeError(
            f"{kind}: expected a JSON object, got {type(raw).__name__}", raw=raw, kind=kind
        )
    try:
        record: Record = decoder(raw)
    except Exception as exc:
        # Wire data must never crash a collection run: any failure, even a bug here, becomes a
        # DecodeError that names its cause, and decode_many reports it as Undecodable.
        raise DecodeError(f"{kind}: {type(exc).__name__}: {exc}", raw=raw, kind=kind) from exc
    return record


def decode_many(kind: str, raws: Iterable[Any]) -> tuple[list[Record], list[Undecodable]]:
    """Decode many raw items of one kind; never raises on bad items.

    Returns ``(records, undecodable)``: every item ends up in exactly one of the two lists, in
    input order. Raises ``ValueError`` only for an unknown ``kind``.

    Example::

        >>> records, bad = decode_many("post", [{"aweme_id": "1"}, {"desc": "no id"}, 42])
        >>> len(records), [b.error for b in bad]
        (1, ["post: ValueError: no usable 'aweme_id'", 'post: expected a JSON object, got int'])
    """
    _decoder(kind)
    records: list[Record] = []
    bad: list[Undecodable] = []
    for raw in raws:
        try:
            records.append(decode(kind, raw))
        except DecodeError as exc:
            bad.append(Undecodable(raw=raw, kind=kind, error=str(exc)))
    return records, bad


def decode_json(kind: str, data: bytes | msgspec.Raw) -> Record:
    """Decode one item from its JSON bytes (a ``msgspec.Raw`` slice of a page, say).

    Posts take a fast path: typed structs straight from the bytes, which are kept as the
    record's raw JSON. Anything that path cannot take goes through :func:`decode`, so the result
    and the errors are the same. Raises :class:`DecodeError`, whose ``raw`` is the bytes.
    """
    raw = data if isinstance(data, msgspec.Raw) else msgspec.Raw(data)
    fast = _FAST.get(kind)
    if fast is not None:
        try:
            return fast(raw)  # type: ignore[no-any-return]
        except _FAST_ERRORS:
            pass
    try:
        return decode(kind, _JSON.decode(raw))
    except msgspec.DecodeError as exc:
        raise DecodeError(f"{kind}: not JSON: {exc}", raw=bytes(raw), kind=kind) from None
    except DecodeError as exc:  # keep the bytes as they came, not a re-encoding of them
        raise DecodeError(str(exc), raw=bytes(raw), kind=kind) from exc


def decode_many_json(
    kind: str, items: Iterable[bytes | msgspec.Raw]
) -> tuple[list[Record], list[Undecodable]]:
    """:func:`decode_many` for items given as JSON bytes; never raises on bad items."""
    _decoder(kind)
    records: list[Record] = []
    bad: list[Undecodable] = []
    for item in items:
        try:
            records.append(decode_json(kind, item))
        except DecodeError as exc:
            bad.append(Undecodable(raw=exc.raw, kind=kind, error=str(exc)))
    return records, bad


def _decoder(kind: str) -> typing.Callable[[dict[str, Any]], Any]:
    try:
        return _DECODERS[kind]
    except (KeyError, TypeError):
        raise ValueError(f"unknown record kind {kind!r}; known: {', '.join(KINDS)}") from None


def hashtags_of(post: Post) -> list[Hashtag]:
    """The hashtags of ``post``, from its raw ``text_extra`` (type 1) and ``cha_list``.

    Names are lower-cased and deduplicated, in caption order; ids and the ``cha_list`` counts
    are merged into one :class:`Hashtag` per name.

    Example::

        >>> post = decode("post", {"aweme_id": "1", "cha_list": [{"cid": 5, "cha_name": "Magic"}]})
        >>> hashtags_of(post)
        [Hashtag(name='magic', hashtag_id='5', view_count=None, user_count=None)]
    """
    if isinstance(post._raw, msgspec.Raw):  # straight from the bytes: only the tag fields
        try:
            return _hashtags(_TAGS_JSON.decode(post._raw))
        except _FAST_ERRORS:
            pass
    raw = _unwrap(post.raw, "aweme_id", "aweme_info")
    return _hashtags(_convert(raw, _TagsRaw)) if raw else []
