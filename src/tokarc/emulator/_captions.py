"""Caption tracks: which posts have them, in which languages, and the WebVTT files they point to.

A share of the video posts (:data:`CAPTIONED`; photo posts have no speech) carries caption
tracks in TikTok's mobile shape, ``video.cla_info.caption_infos[]`` (``shared/API.md``, "Caption
tracks"):

- always one in the post's language (its ``desc_language``): auto-generated, or, for
  :data:`CREATOR_EDITED` of them, edited by the creator (``is_auto_generated`` false);
- for :data:`TRANSLATED` of them, a second, machine-translated track: English, or Spanish when
  the post is in English. Its cues have the same times; its ``lang`` differs from
  ``original_language_info``'s, which is how a reader tells it is a translation.

The cues are a pure function of the post's id, the track's language and the video's length,
written from :mod:`._vocab`'s phrases and hashtags, and some name a known account (``@zachking``),
so the files are deterministic and a test can know their text (:func:`cues`). Everything a file
needs is in its path (``…/<aweme hex>~<lang>~<source>~<duration ms>.vtt``, signed like every
media path), so :func:`webvtt` needs no world. The emulator leaves out the ``expire`` key TikTok
sends beside the URLs: the URL's own ``x-expires`` says the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from . import _vocab as V
from ._rand import Bits

CAPTIONED = 0.4  # of video posts: [I] auto-captions are on by default for speech since 2023
CREATOR_EDITED = 0.25  # of captioned posts: the first track was edited by its creator
TRANSLATED = 0.3  # of captioned posts: a machine-translated track too
EXT = "vtt"
CONTENT_TYPE = "text/vtt"

# TikTok's caption languages: (lang, language_id) by the post's two-letter language.
LANGUAGES: dict[str, tuple[str, int]] = {
    "en": ("eng-US", 2),
    "pt": ("por-PT", 8),
    "es": ("spa-ES", 4),
    "de": ("deu-DE", 6),
    "fr": ("fra-FR", 5),
    "ja": ("jpn-JP", 7),
    "ko": ("kor-KR", 9),
    "id": ("ind-ID", 10),
    "tr": ("tur-TR", 11),
    "ar": ("ara-SA", 12),
    "ru": ("rus-RU", 13),
    "it": ("ita-IT", 14),
    "vi": ("vie-VN", 15),
}
_CODE = {lang: code for code, (lang, _) in LANGUAGES.items()}

# What is said, by language: the vocabulary's phrases (captions, comments) in that language.
_ENGLISH = tuple(w for w in V.CAPTION_WORDS[:15] if w != "pov:") + V.COMMENTS[:5]
_SPOKEN: dict[str, tuple[str, ...]] = {
    "en": _ENGLISH,
    "es": ("mira esto", "que locura", "qué bonito"),
    "de": ("so geil",),
    "fr": ("trop bien",),
    "ja": ("これやばい", "すごい"),
    "ko": ("대박", "미쳤다"),
    "ru": ("это шедевр", "круто"),
    "ar": ("رائع جدا", "جميل"),
    "pt": ("inacreditável", "amei ❤️"),
    "tr": ("çok güzel",),
    "vi": ("siêu đỉnh",),
}
_MENTIONED = ("zachking", "khaby.lame", "charlidamelio")  # fixture accounts (see _fixtures)
SOURCES = ("asr", "creator", "mt")  # auto-generated, creator-edited, machine-translated


class Track(NamedTuple):
    """One caption track of a post: its language and source, and its file's path."""

    lang: str  # eng-US
    source: str  # one of SOURCES
    uri: str  # the media path, without its extension

    @property
    def code(self) -> str:
        return _CODE[self.lang]


class Cue(NamedTuple):
    start_ms: int
    end_ms: int
    text: str


def tracks(aweme_id: int, aweme_type: int, language: str, duration_ms: int) -> list[Track]:
    """The caption tracks of a post (none for most; never for a photo post)."""
    bits = Bits(0, "captions", aweme_id)
    if aweme_type or duration_ms < 1_000 or not bits.chance(CAPTIONED):
        return []
    lang = LANGUAGES.get(language, LANGUAGES["en"])[0]
    first = "creator" if bits.chance(CREATOR_EDITED) else "asr"
    out = [_track(aweme_id, lang, first, duration_ms)]
    if bits.chance(TRANSLATED):
        other = "spa-ES" if lang == "eng-US" else "eng-US"
        out.append(_track(aweme_id, other, "mt", duration_ms))
    return out


def _track(aweme_id: int, lang: str, source: str, duration_ms: int) -> Track:
    uri = f"tos-maliva-v-0068c799/{aweme_id:x}~{lang}~{source}~{duration_ms}"
    return Track(lang, source, uri)


def cla_info(language: str, found: list[Track], url: Callable[[str, str], str]) -> dict[str, Any]:
    """The mobile ``video.cla_info`` of a post in ``language`` with tracks ``found``; ``url``
    makes a media URL of (uri, extension)."""
    lang, lang_id = LANGUAGES.get(language, LANGUAGES["en"])
    original = {"lang": lang, "language_code": _CODE[lang], "language_id": lang_id}
    return {
        "enable_auto_caption": 1 if found else 0,
        "has_original_audio": 1,
        "original_language_info": original,
        "caption_infos": [_info(t, url(t.uri, EXT)) for t in found],
    }


def _info(t: Track, link: str) -> dict[str, Any]:
    return {
        "lang": t.lang,
        "language_code": t.code,
        "language_id": LANGUAGES[t.code][1],
        "caption_format": "webvtt",
        "is_auto_generated": t.source != "creator",
        "sub_id": Bits(0, "sub_id", t.uri).below(1 << 30),
        "sub_version": "1",
        "url": link,
        "url_list": [link],
    }


def cues(aweme_id: int, lang: str, duration_ms: int) -> list[Cue]:
    """What is said in a post's track in ``lang``: 2-4 second cues over the video (at most 12).

    A translated track has the same cues as the original, in its own language."""
    bits = Bits(0, "cues", aweme_id)
    spoken = _SPOKEN.get(_CODE.get(lang, "en"), _ENGLISH)
    out: list[Cue] = []
    start = 200 + bits.below(600)
    while start + 1_000 <= duration_ms and len(out) < 12:
        end = min(duration_ms, start + 2_000 + bits.below(2_000))
        out.append(Cue(start, end, _line(bits, spoken, len(out))))
        start = end + bits.below(400)
    return out


def _line(bits: Bits, spoken: tuple[str, ...], n: int) -> str:
    phrase = spoken[bits.below(len(spoken))]
    roll = bits.below(6)
    if roll == 0 and n:
        return f"{phrase} @{_MENTIONED[bits.below(len(_MENTIONED))]}"
    if roll < 3:
        return f"{phrase} {V.TAGS[bits.below(40)]}"
    return phrase


def parse_path(rel: str) -> tuple[int, str, int] | None:
    """(aweme id, lang, duration ms) of a caption file's path ``rel``, or None."""
    stem = rel.rpartition("/")[2].removesuffix(f".{EXT}")
    parts = stem.split("~")
    if len(parts) != 4 or parts[1] not in _CODE or parts[2] not in SOURCES:
        return None
    try:
        return int(parts[0], 16), parts[1], int(parts[3])
    except ValueError:
        return None


def webvtt(rel: str) -> bytes:
    """The WebVTT file at ``rel`` (a path :func:`tracks` made): the same bytes every time."""
    found = parse_path(rel)
    said = cues(*found) if found else []
    blocks = [f"{_stamp(c.start_ms)} --> {_stamp(c.end_ms)}\n{c.text}" for c in said]
    return ("WEBVTT\n\n" + "\n\n".join(blocks) + "\n").encode()


def _stamp(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1_000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"
