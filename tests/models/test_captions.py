"""Caption tracks decoded from both shapes of API.md's "Caption tracks" (hand-written here, not
the emulator's), on the dict path and the fast path from bytes."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from tokarc.models import CaptionSource, CaptionTrack, Post, decode, decode_json

from ._samples import aweme

VTT = "https://v16-caption.tiktokcdn.com/c/abc.vtt?x-expires=1700086400&x-signature=s1"


def _mobile_track(**extra: Any) -> dict[str, Any]:
    return {
        "url": VTT,
        "url_list": [VTT, "https://v19-caption.tiktokcdn.com/c/abc.vtt"],
        "expire": 1700090000,
        "lang": "eng-US",
        "language_code": "en",
        "language_id": 2,
        "caption_format": "webvtt",
        "is_auto_generated": True,
        "sub_id": 123456,
        "sub_version": "1",
        "complaint_id": 9,  # a key tokarc does not know
        **extra,
    }


def _cla_info(*tracks: dict[str, Any]) -> dict[str, Any]:
    return {
        "enable_auto_caption": 1,
        "has_original_audio": 1,
        "original_language_info": {"lang": "eng-US", "language_code": "en", "language_id": 2},
        "caption_infos": list(tracks),
    }


def _web_track(**extra: Any) -> dict[str, Any]:
    return {
        "Url": "https://v16-webapp.tiktok.com/sub/x.vtt",
        "UrlExpire": 1700080000,
        "LanguageCodeName": "spa-ES",
        "LanguageID": 4,
        "Format": "webvtt",
        "Source": "MT",
        "Size": 812,
        "Version": "1",
        "VideoSubtitleID": 77,
        **extra,
    }


def _with_video(**video: Any) -> dict[str, Any]:
    raw = aweme()
    raw["video"] = {**raw["video"], **video}
    return raw


def _both_paths(raw: dict[str, Any]) -> list[Post]:
    posts = [decode("post", raw), decode_json("post", msgspec.json.encode(raw))]
    assert all(isinstance(p, Post) for p in posts)
    return posts  # type: ignore[return-value]


def test_a_mobile_track_decodes_every_field() -> None:
    raw = _with_video(cla_info=_cla_info(_mobile_track()))
    for post in _both_paths(raw):
        assert post.captions == [
            CaptionTrack(
                url=VTT, language="eng-US", language_code="en", format="webvtt",
                source=CaptionSource.AUTO, expires=1700090000,
            )
        ]  # fmt: skip
        assert post.raw["video"]["cla_info"]["caption_infos"][0]["complaint_id"] == 9


def test_mobile_sources_creator_auto_translated() -> None:
    tracks = (
        _mobile_track(is_auto_generated=False),
        _mobile_track(is_auto_generated=1),
        _mobile_track(lang="fra-FR", language_code="fr"),
    )
    for post in _both_paths(_with_video(cla_info=_cla_info(*tracks))):
        assert [t.source for t in post.captions] == ["creator", "auto", "translated"]


def test_url_list_and_x_expires_stand_in_for_what_is_missing() -> None:
    track = _mobile_track(url=None, expire=None)
    for post in _both_paths(_with_video(cla_info=_cla_info(track))):
        assert post.captions[0].url == VTT
        assert post.captions[0].expires == 1700086400


def test_a_web_track_decodes_every_field() -> None:
    asr = _web_track(Source="ASR", LanguageCodeName="eng-US", UrlExpire=None)
    raw = _with_video(subtitleInfos=[_web_track(), asr, _web_track(Source="LC")])
    for post in _both_paths(raw):
        first, second, third = post.captions
        assert first == CaptionTrack(
            url="https://v16-webapp.tiktok.com/sub/x.vtt", language="spa-ES", format="webvtt",
            source=CaptionSource.TRANSLATED, expires=1700080000,
        )  # fmt: skip
        assert (second.source, second.language, second.expires) == ("auto", "eng-US", None)
        assert third.source == "creator"


def test_both_shapes_at_once_mobile_first() -> None:
    raw = _with_video(cla_info=_cla_info(_mobile_track()), subtitleInfos=[_web_track()])
    for post in _both_paths(raw):
        assert [t.language for t in post.captions] == ["eng-US", "spa-ES"]


@pytest.mark.parametrize(
    "video",
    [
        {},
        {"cla_info": None},
        {"cla_info": {}},
        {"cla_info": {"caption_infos": None}},
        {"cla_info": {"caption_infos": []}},
        {"subtitleInfos": None},
        {"subtitleInfos": []},
        {"cla_info": _cla_info({"lang": "eng-US"}), "subtitleInfos": [{"Source": "ASR"}]},
    ],
    ids=["absent", "null", "empty", "null-list", "empty-list", "web-null", "web-empty", "no-url"],
)
def test_absent_empty_null_or_urlless_give_no_track(video: dict[str, Any]) -> None:
    for post in _both_paths(_with_video(**video)):
        assert post.captions == []


def test_a_video_of_null_or_wrong_types_keeps_the_rest() -> None:
    bad = _cla_info(_mobile_track(expire="soon", is_auto_generated=[]), "not a track")
    for post in _both_paths(_with_video(cla_info=bad, subtitleInfos="nope")):
        assert post.play_url is not None
    no_video = aweme()
    no_video["video"] = None
    assert decode("post", no_video).captions == []  # type: ignore[union-attr]
