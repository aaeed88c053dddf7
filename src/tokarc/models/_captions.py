"""A post's caption tracks, from either shape TikTok sends (``shared/API.md``, "Caption tracks").

Mobile: ``video.cla_info.caption_infos[]`` (``url``/``url_list``, ``lang``, ``language_code``,
``caption_format``, ``is_auto_generated``, ``expire``); a track whose ``lang`` differs from
``cla_info.original_language_info.lang`` is a machine translation. Web:
``video.subtitleInfos[]`` (``Url``, ``UrlExpire``, ``LanguageCodeName``, ``Format``, ``Source``
``ASR``/``MT``). Either may be absent, empty or ``null``; a track without a URL is skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import NamedTuple

from ._raw import _CaptionInfoRaw, _ClaInfoRaw, _SubtitleInfoRaw, _VideoRaw
from ._records import CaptionSource, CaptionTrack

# The web shape's ``Source`` values; any other (a creator's upload) is the creator's.
_WEB_SOURCES = {"ASR": CaptionSource.AUTO, "MT": CaptionSource.TRANSLATED}


class Cue(NamedTuple):
    """One cue of a transcript: from ``start_ms`` to ``end_ms`` into the video, its text."""

    start_ms: int
    end_ms: int
    text: str


def cues_json(cues: Sequence[Cue]) -> str:
    """``cues`` as a ``transcripts.cues`` value: ``[{"start_ms", "end_ms", "text"}, ...]``."""
    return json.dumps([c._asdict() for c in cues], ensure_ascii=False)


def cues_of(value: str) -> list[Cue]:
    """A ``transcripts.cues`` value as cues."""
    return [Cue(int(c["start_ms"]), int(c["end_ms"]), str(c["text"])) for c in json.loads(value)]


def caption_tracks(v: _VideoRaw | None) -> list[CaptionTrack]:
    """The tracks of a post's ``video`` object, mobile ones first."""
    if v is None:
        return []
    mobile = _mobile(v.cla_info) if v.cla_info else []
    web = [t for t in map(_web, v.subtitle_infos or ()) if t is not None]
    return mobile + web


def _mobile(cla: _ClaInfoRaw) -> list[CaptionTrack]:
    spoken = cla.original_language_info.lang if cla.original_language_info else None
    found = (_mobile_track(c, spoken) for c in cla.caption_infos or ())
    return [t for t in found if t is not None]


def _mobile_track(c: _CaptionInfoRaw, spoken: str | None) -> CaptionTrack | None:
    url = c.url or next(iter(c.url_list or ()), None)
    if not url:
        return None
    if spoken and c.lang and c.lang.lower() != spoken.lower():
        source = CaptionSource.TRANSLATED
    elif c.is_auto_generated is None or c.is_auto_generated:
        source = CaptionSource.AUTO
    else:
        source = CaptionSource.CREATOR
    language = c.lang or c.language_code
    expires = c.expire or _x_expires(url)
    return CaptionTrack(
        url=url, language=language, language_code=c.language_code, format=c.caption_format,
        source=source, expires=expires,
    )  # fmt: skip


def _web(s: _SubtitleInfoRaw) -> CaptionTrack | None:
    if not s.url:
        return None
    source = _WEB_SOURCES.get((s.source or "").upper(), CaptionSource.CREATOR)
    return CaptionTrack(
        url=s.url, language=s.language_code_name, format=s.format, source=source,
        expires=s.url_expire or _x_expires(s.url),
    )  # fmt: skip


# The query's x-expires=<digits> (a signed URL's expiry): a search, not a parse of the URL,
# on the decoder's hot path (every track of every post).
_X_EXPIRES = re.compile(r"[?&]x-expires=(\d+)(?:&|#|$)")


def _x_expires(url: str) -> int | None:
    found = _X_EXPIRES.search(url)
    return int(found.group(1)) if found else None
