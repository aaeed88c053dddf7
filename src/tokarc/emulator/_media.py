"""The emulator's media: signed, expiring URLs under ``/_media/`` and the small files they serve.

Posts, users and sounds point to media on the emulator itself, so downloads run offline. A URL is
built once per entity (memoized with the rest of its JSON) with two stand-ins, replaced per reply:

- :data:`ORIGIN`, a never-resolving host, becomes the origin the request came to
  (:func:`localize`), so a client only ever fetches from the server it talks to;
- :data:`EXPIRES`, replaced by :func:`sign` with the expiry (world time of the reply plus
  :data:`TTL`) and its signature (:func:`expiry`).

A cached post keeps both as holes of a ``bytes %`` format (:func:`holes`), filled as the post is
put in a reply (:func:`stand_ins`); the rest of a reply goes through :func:`sign` and
:func:`localize`, which find nothing left to replace in the posts.

``x-signature`` signs the path, ``x-esig`` the expiry: a URL whose path or ``x-expires`` was
changed is refused (403), and so is one past its ``x-expires`` on the emulator's clock, as
TikTok's CDN does. The files are deterministic and valid: a JPEG (covers, avatars, carousel
images), an MP4 (ISO BMFF boxes) or an MP3 (ID3 tag and MPEG audio frames), a few KB each, or
a WebVTT caption track (:mod:`._captions`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from collections.abc import Mapping
from functools import lru_cache

from . import _captions as captions

MEDIA_PREFIX = "/_media"
ORIGIN = "http://media.emulator.invalid"  # RFC 2606: never resolves; replaced per request
EXPIRES = "@@x-expires@@"
TTL = 86_400  # [I] TikTok's signed CDN URLs last about a day
_KEY = b"tokarc-emulator-media"
_ORIGIN_B, _EXPIRES_B = ORIGIN.encode(), EXPIRES.encode()
_KEYED = hashlib.blake2b(key=_KEY, digest_size=8)  # copied per signature: no key setup each time

CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "mp4": "video/mp4",
    "mp3": "audio/mpeg",
    captions.EXT: captions.CONTENT_TYPE,
}


def _mac(*parts: str, size: int = 8) -> str:
    """A ``size``-byte MAC of ``parts`` in hex: BLAKE2b in its keyed mode, a MAC by design
    (one C call; HMAC over BLAKE2b cost ~15 times as much, ~25 of them a generated post)."""
    return hashlib.blake2b("\x1f".join(parts).encode(), key=_KEY, digest_size=size).hexdigest()


def url(uri: str, ext: str, signature: str | None = None) -> str:
    """The (memoizable) URL of the media ``uri`` with extension ``ext`` (a key of
    :data:`CONTENT_TYPES`), its origin and expiry still stand-ins. ``signature`` replaces
    :func:`signature` of the path (a byte template's hole, filled in per entity)."""
    path = f"{uri}.{ext}"
    sig = _mac(path) if signature is None else signature
    return f"{ORIGIN}{MEDIA_PREFIX}/{path}?x-signature={sig}&x-expires={EXPIRES}"


def signature(path: bytes) -> bytes:
    """The ``x-signature`` of the media at ``path`` (``uri.ext``, UTF-8): ``_mac(path)``."""
    mac = _KEYED.copy()
    mac.update(path)
    return mac.hexdigest().encode()


@lru_cache(maxsize=8)
def expiry(now: int) -> bytes:
    """What replaces :data:`EXPIRES` in a reply at world time ``now``: ``now + TTL``, and
    ``x-esig``, its signature."""
    expires = str(now + TTL)
    return f"{expires}&x-esig={_mac(expires)}".encode()


def sign(body: bytes, now: int) -> bytes:
    """``body`` with every media URL's expiry set to ``now + TTL``, signed."""
    if _EXPIRES_B not in body:
        return body
    return body.replace(_EXPIRES_B, expiry(now))


def has_stand_ins(body: bytes) -> bool:
    """Whether ``body`` still holds a media URL's stand-ins (every URL has both). Hops from
    ``@`` to ``@`` (memchr, a few dozen a page) where ``EXPIRES in body`` took ~60 µs a page."""
    at = body.find(b"@")
    while at >= 0:
        if body.startswith(_EXPIRES_B, at):
            return True
        at = body.find(b"@", at + 1)
    return False


def finish(body: bytes, now: int, origin: str) -> bytes:
    """``body`` with the stand-ins left in it (by what was not rendered with its holes
    filled) replaced: :func:`sign`, then :func:`localize`."""
    return localize(sign(body, now), origin) if has_stand_ins(body) else body


def holes(body: bytes) -> bytes:
    """``body`` as a ``bytes % mapping`` format (``%`` escaped) whose stand-ins are holes:
    fill it with ``{b"origin": origin, b"expires": expiry(now)}`` (:func:`stand_ins`)."""
    escaped = body.replace(b"%", b"%%") if b"%" in body else body  # rare: skip the copy
    # split and join: half the time of replace for these needles (measured on a post's bytes)
    return b"%(expires)b".join(b"%(origin)b".join(escaped.split(_ORIGIN_B)).split(_EXPIRES_B))


def stand_ins(origin: str, now: int) -> dict[bytes, bytes]:
    """The values of :func:`holes`' holes in a reply at ``now`` to a request to ``origin``."""
    return {b"origin": origin.rstrip("/").encode(), b"expires": expiry(now)}


def localize(body: bytes, origin: str) -> bytes:
    """``body`` with its media URLs on ``origin`` (``scheme://host[:port]``)."""
    if _ORIGIN_B not in body:
        return body
    return body.replace(_ORIGIN_B, origin.rstrip("/").encode())


def is_media(path: str) -> bool:
    """Whether ``path`` is under the media route."""
    return path.startswith(MEDIA_PREFIX + "/")


def serve(path: str, query: Mapping[str, str], now: int) -> tuple[int, bytes, str]:
    """(status, body, content type) of a GET of ``path`` at world time ``now``."""
    rel = path[len(MEDIA_PREFIX) + 1 :]
    ext = rel.rpartition(".")[2]
    if ext not in CONTENT_TYPES:
        return 404, b"Not Found", "text/plain"
    expires = query.get("x-expires", "")
    signed = hmac.compare_digest(query.get("x-signature", ""), _mac(rel)) and (
        hmac.compare_digest(query.get("x-esig", ""), _mac(expires))
    )
    if not signed or not expires.isdigit():
        return 403, b"Forbidden: bad signature", "text/plain"
    if int(expires) < now:
        return 403, b"Forbidden: URL expired", "text/plain"
    return 200, content(rel), CONTENT_TYPES[ext]


def content(rel: str) -> bytes:
    """The file at ``rel`` (``uri.ext``): the same bytes every time."""
    ext = rel.rpartition(".")[2]
    return {"jpeg": jpeg, "mp4": mp4, "mp3": mp3, captions.EXT: captions.webvtt}[ext](rel)


def _filler(key: str, size: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.blake2b(f"{key}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def _size(key: str, low: int, high: int) -> int:
    return low + int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest()) % (
        high - low
    )


# A 16x16 baseline JPEG (made once with Pillow); each file adds a comment segment after SOI.
_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERX"
    "RTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAQABADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAA"
    "AAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAQb/xAAUEQEAAAAAAAAAAAAAAAAA"
    "AAAA/9oADAMBAAIRAxEAPwCcAFI//9k="
)


def jpeg(key: str) -> bytes:
    """A valid JPEG of 2-6 KB: the base image with a COM segment naming ``key``."""
    text = f"tokarc emulator {key}\n".encode()
    comment = text + _filler(key, _size(key, 2_000, 6_000)).hex().encode()[: 6_000 - len(text)]
    return _JPEG[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + _JPEG[2:]


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(key: str) -> bytes:
    """A valid ISO BMFF (MP4) file of 4-8 KB: ``ftyp``, a ``free`` box naming ``key``, ``mdat``."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mdat = _box(b"mdat", _filler(key, _size(key, 4_000, 8_000)))
    return ftyp + _box(b"free", key.encode()) + mdat


# MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames. Zero side information
# and main data: each frame decodes to silence.
_MP3_FRAME = b"\xff\xfb\x90\x00" + bytes(413)


def mp3(key: str) -> bytes:
    """A valid MP3 of 3-5 KB: an ID3v2.3 tag naming ``key``, then silent MPEG audio frames."""
    text = b"\x00tokarc\x00" + key.encode()
    frame = b"TXXX" + struct.pack(">I", len(text)) + b"\x00\x00" + text
    size = len(frame)
    syncsafe = bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))
    return b"ID3\x03\x00\x00" + syncsafe + frame + _MP3_FRAME * (6 + _size(key, 0, 6))
