"""The public records."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, ClassVar, TypeAlias

import msgspec

_JSON = msgspec.json.Decoder()
_ENC = msgspec.json.Encoder()

# ================================================================================================
# Public records
# ================================================================================================


class _Record(msgspec.Struct, frozen=True, kw_only=True):
    """Base of the records that keep their raw JSON.

    The JSON object the API sent is kept as it came: the decoded dict, or (on the fast path
    from the wire) its bytes, decoded only when ``raw`` is read.
    """

    _raw: Any = None

    #: What the record is (``"post"``...), the table it is stored in, and its id attribute:
    #: named here once, for the store, the exports, the paginators and the CLI.
    entity: ClassVar[str]
    table: ClassVar[str]
    key: ClassVar[str]

    def ident(self) -> str | None:
        """The record's id (``None`` when the API sent none)."""
        value = getattr(self, self.key, None)
        return str(value) if value else None

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
        shown = (f"{f}={getattr(self, f)!r}" for f in self.__struct_fields__ if f[0] != "_")
        return f"{type(self).__name__}({', '.join(shown)})"

    def to_dict(self, *, raw: bool = True) -> dict[str, Any]:
        """The record as plain JSON-ready builtins (nested records too).

        With ``raw=False`` the ``raw`` dicts are left out, at every level.
        """
        data = {f: _plain(getattr(self, f), raw) for f in self.__struct_fields__ if f[0] != "_"}
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

    entity: ClassVar[str] = "user"
    table: ClassVar[str] = "users"
    key: ClassVar[str] = "uid"

    def ident(self) -> str | None:
        """The uid, else the secUid (some answers carry only one)."""
        return self.uid or self.sec_uid or None

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

    entity: ClassVar[str] = "music"
    table: ClassVar[str] = "music"
    key: ClassVar[str] = "music_id"

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


class CaptionSource(StrEnum):
    """Who wrote a caption track (``transcripts.source``)."""

    CREATOR = "creator"  # written or edited by the post's creator
    AUTO = "auto"  # TikTok's speech recognition, in the spoken language (web: ``ASR``)
    TRANSLATED = "translated"  # machine-translated from the spoken language (web: ``MT``)
    TRANSCRIBED = "transcribed"  # a speech-to-text transcriber's (``tokarc media --transcribe``)


class CaptionTrack(msgspec.Struct, frozen=True, kw_only=True):
    """One caption track of a post: its WebVTT file's (signed, expiring) ``url``, ``language``
    as TikTok names it (``eng-US``), its two-letter ``language_code`` when sent, ``format``
    (``webvtt``), ``source`` and ``expires`` (unix time: ``expire``/``UrlExpire``, else the URL's
    ``x-expires``). Decoded from the mobile ``video.cla_info.caption_infos[]`` or the web
    ``video.subtitleInfos[]``; every other key stays in the post's ``raw``.
    """

    url: str
    language: str | None = None
    language_code: str | None = None
    format: str | None = None
    source: CaptionSource = CaptionSource.AUTO
    expires: int | None = None


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

    entity: ClassVar[str] = "post"
    table: ClassVar[str] = "posts"
    key: ClassVar[str] = "aweme_id"

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
    captions: list[CaptionTrack] = []
    # The post's Hashtag records, when decoding already built them (see ``hashtags_of``).
    _tags: tuple[Hashtag, ...] | None = None


class Comment(_Record, frozen=True, kw_only=True):
    """A comment or a reply. ``parent_cid`` is the replied-to comment's id (``None`` at top level).

    ``reply_count`` is ``reply_comment_total``, or the guide's ``reply_comment_count``.

    Example::

        >>> decode("comment", {"cid": 76, "text": "so nice", "reply_id": "0"}).parent_cid is None
        True
    """

    entity: ClassVar[str] = "comment"
    table: ClassVar[str] = "comments"
    key: ClassVar[str] = "cid"

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

    entity: ClassVar[str] = "live"
    table: ClassVar[str] = "lives"
    key: ClassVar[str] = "room_id"

    room_id: str
    title: str | None = None
    owner: User | None = None
    viewer_count: int | None = None


class Hashtag(msgspec.Struct, frozen=True, kw_only=True):
    """A hashtag used by a post (see :func:`hashtags_of`). ``name`` is lower-case, without '#'.

    ``view_count``/``user_count`` are set only when the post's ``cha_list`` carries them.
    """

    entity: ClassVar[str] = "hashtag"
    table: ClassVar[str] = "hashtags"
    key: ClassVar[str] = "name"

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

#: Every kind of stored record, in the order tables are listed; each names its entity, table and
#: id attribute once (class variables), and everything else derives from them.
RECORD_TYPES: tuple[type[Post | User | Comment | Music | Hashtag | Live], ...] = (
    Post,
    User,
    Comment,
    Music,
    Hashtag,
    Live,
)
BY_ENTITY = {t.entity: t for t in RECORD_TYPES}
