"""Decoders, one per record kind, and the entry points."""

from __future__ import annotations

import typing
from collections.abc import Iterable
from typing import Any, Literal, overload

import msgspec

from ..api import guesses as G
from ..errors import DecodeError
from ._captions import caption_tracks
from ._raw import (
    _AwemeRaw,
    _CommentRaw,
    _convert,
    _dict_or_empty,
    _either,
    _first_id,
    _first_url,
    _id,
    _ImagePostRaw,
    _LiveOwnerRaw,
    _LiveRaw,
    _LiveStatsRaw,
    _MusicRaw,
    _need,
    _TagsRaw,
    _unwrap,
    _UserRaw,
    _VideoRaw,
    _WebStatsRaw,
    _WebUserInfoRaw,
    _WebUserRaw,
)
from ._records import (
    _JSON,
    Comment,
    Hashtag,
    Live,
    Music,
    Post,
    Record,
    Undecodable,
    User,
)

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
    """The hashtags of ``text_extra`` then ``cha_list``, merged by lower-case name; a later
    sighting fills in what an earlier one lacked."""
    found: dict[str, list[Any]] = {}  # name: [hashtag_id, view_count, user_count]
    for e in t.text_extra or ():
        if e.type == 1 and e.hashtag_name:
            _add_tag(found, e.hashtag_name, _id(e.hashtag_id), None, None)
    for c in t.cha_list or ():
        if c.cha_name:
            _add_tag(found, c.cha_name, _id(c.cid), c.view_count, c.user_count)
    return [
        Hashtag(name=name, hashtag_id=tag_id, view_count=views, user_count=users)
        for name, (tag_id, views, users) in found.items()
    ]


def _tag_names(t: _TagsRaw) -> list[str]:
    """The names :func:`_hashtags` would give, without building records: the hot path."""
    names = [e.hashtag_name for e in t.text_extra or () if e.type == 1 and e.hashtag_name]
    names += [c.cha_name for c in t.cha_list or () if c.cha_name]
    return [n for n in dict.fromkeys(map(_tag_name, names)) if n]


def _tag_name(name: str) -> str:
    return name.strip().lstrip("#").lower()


def _add_tag(
    found: dict[str, list[Any]],
    name: str,
    tag_id: str | None,
    views: int | None,
    users: int | None,
) -> None:
    """Add a sighting under its normalized name, filling in what an earlier one lacked (one
    record per name is built at the end, not one per sighting: the hot path of a page)."""
    key = _tag_name(name)
    if not key:
        return
    old = found.get(key)
    if old is None:
        found[key] = [tag_id, views, users]
        return
    old[0] = old[0] or tag_id
    old[1] = _either(old[1], views)
    old[2] = _either(old[2], users)


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


def _post_record(
    a: _AwemeRaw,
    author: User | None,
    music: Music | None,
    raw: Any,
    tags: list[Hashtag] | None = None,
) -> Post:
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
        hashtags=_tag_names(a) if tags is None else [t.name for t in tags],
        mentions=mentions,
        mention_uids=mention_uids,
        share_url=a.share_url,
        image_urls=_image_urls(a.image_post_info),
        captions=caption_tracks(a.video),
        _raw=raw,
        _tags=None if tags is None else tuple(tags),
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
    return _post_record(a, author, music, data, _hashtags(a))


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
    return _sort_out(kind, raws, decode)


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
    return _sort_out(kind, items, decode_json)


def _sort_out(
    kind: str, items: Iterable[Any], decode_one: typing.Callable[[str, Any], Record]
) -> tuple[list[Record], list[Undecodable]]:
    """Each item decoded, or reported with the raw JSON its error carries."""
    _decoder(kind)
    records: list[Record] = []
    bad: list[Undecodable] = []
    for item in items:
        try:
            records.append(decode_one(kind, item))
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
    if post._tags is not None:  # built when the post was decoded from the wire's bytes
        return list(post._tags)
    if isinstance(post._raw, msgspec.Raw):  # straight from the bytes: only the tag fields
        try:
            return _hashtags(_TAGS_JSON.decode(post._raw))
        except _FAST_ERRORS:
            pass
    raw = _unwrap(post.raw, "aweme_id", "aweme_info")
    return _hashtags(_convert(raw, _TagsRaw)) if raw else []
