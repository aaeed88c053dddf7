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

from ..errors import DecodeError
from ._captions import Cue, cues_json, cues_of
from ._decode import (
    _DECODERS as _DECODERS,  # tests patch it
)
from ._decode import (
    KINDS,
    decode,
    decode_json,
    decode_many,
    decode_many_json,
    hashtags_of,
)
from ._records import (
    BY_ENTITY,
    RECORD_TYPES,
    CaptionSource,
    CaptionTrack,
    Comment,
    Hashtag,
    Live,
    Music,
    Post,
    Record,
    Undecodable,
    User,
)

__all__ = [
    "BY_ENTITY",
    "KINDS",
    "RECORD_TYPES",
    "CaptionSource",
    "CaptionTrack",
    "Comment",
    "Cue",
    "DecodeError",
    "Hashtag",
    "Live",
    "Music",
    "Post",
    "Record",
    "Undecodable",
    "User",
    "cues_json",
    "cues_of",
    "decode",
    "decode_json",
    "decode_many",
    "decode_many_json",
    "hashtags_of",
]
