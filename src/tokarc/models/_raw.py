"""Raw shapes (TikTok's key names, every field optional), lenient conversion, small helpers."""

from __future__ import annotations

import functools
import types
import typing
from typing import Any, TypeAlias, TypeVar

import msgspec

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


class _LangInfoRaw(_Raw):
    lang: str | None = None
    language_code: str | None = None


class _CaptionInfoRaw(_Raw):
    """A mobile caption track (``video.cla_info.caption_infos[]``, API.md "Caption tracks")."""

    url: str | None = None
    url_list: list[str] | None = None
    lang: str | None = None
    language_code: str | None = None
    caption_format: str | None = None
    is_auto_generated: _Flag = None
    expire: int | None = None


class _ClaInfoRaw(_Raw):
    original_language_info: _LangInfoRaw | None = None
    caption_infos: list[_CaptionInfoRaw] | None = None


class _SubtitleInfoRaw(_Raw, rename="pascal"):
    """A web caption track (``video.subtitleInfos[]``): ``Source`` ASR (auto) or MT."""

    url: str | None = None
    url_expire: int | None = None
    language_code_name: str | None = None
    format: str | None = None
    source: str | None = None


class _VideoRaw(_Raw):
    duration: int | None = None
    width: int | None = None
    height: int | None = None
    play_addr: _Urls | None = None
    download_addr: _Urls | None = None
    cover: _Urls | None = None
    origin_cover: _Urls | None = None
    cla_info: _ClaInfoRaw | None = None
    subtitle_infos: list[_SubtitleInfoRaw] | None = msgspec.field(
        default=None, name="subtitleInfos"
    )


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
