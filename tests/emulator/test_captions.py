"""The emulator's caption tracks: a documented share of posts, valid WebVTT, expiring URLs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import webvtt

from tokarc.emulator import Emulator
from tokarc.emulator import _captions as C
from tokarc.emulator import _media as M

from .conftest import Get


def _posts(get: Get, tag: str = "magic", pages: int = 5) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = 0
    for _ in range(pages):
        data = get("/tt/hashtag/posts", name=tag, cursor=str(cursor)).json()["data"]
        out += data["data"]
        cursor = data["nextCursor"]
    return out


def _captioned(get: Get) -> list[dict[str, Any]]:
    return [p for p in _posts(get) if p["video"]["cla_info"]["caption_infos"]]


def test_a_documented_share_of_video_posts_has_tracks(get: Get) -> None:
    posts = _posts(get, pages=10)
    videos = [p for p in posts if p["aweme_type"] == 0]
    captioned = [p for p in videos if p["video"]["cla_info"]["caption_infos"]]
    assert abs(len(captioned) / len(videos) - C.CAPTIONED) < 0.12
    photos = [p for p in posts if p["aweme_type"] != 0]
    assert all(not p["video"]["cla_info"]["caption_infos"] for p in photos)
    tracks = [t for p in captioned for t in p["video"]["cla_info"]["caption_infos"]]
    assert {t["is_auto_generated"] for t in tracks} == {True, False}  # some creator-edited
    translated = [p for p in captioned if len(p["video"]["cla_info"]["caption_infos"]) == 2]
    assert 0 < len(translated) < len(captioned)


def test_the_first_track_is_in_the_posts_language(get: Get) -> None:
    for post in _captioned(get):
        cla = post["video"]["cla_info"]
        first, *rest = cla["caption_infos"]
        assert first["language_code"] == post["desc_language"]
        assert first["lang"] == cla["original_language_info"]["lang"]
        assert first["caption_format"] == "webvtt"
        assert first["url_list"] == [first["url"]]
        for other in rest:  # machine-translated: another language, auto-generated
            assert other["lang"] != first["lang"]
            assert other["is_auto_generated"] is True


def test_tracks_are_valid_webvtt_with_known_cues(get: Get, http: httpx.Client) -> None:
    post = _captioned(get)[0]
    track = post["video"]["cla_info"]["caption_infos"][0]
    reply = http.get(track["url"])
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "text/vtt"
    parsed = webvtt.from_string(reply.text)
    known = C.cues(int(post["aweme_id"]), track["lang"], post["video"]["duration"])
    assert [c.text for c in parsed] == [k.text for k in known]
    assert len(known) >= 1
    assert parsed[0].start_in_seconds == known[0].start_ms // 1000
    assert http.get(track["url"]).content == reply.content


def test_a_translation_has_the_originals_times(get: Get, http: httpx.Client) -> None:
    post = next(p for p in _captioned(get) if len(p["video"]["cla_info"]["caption_infos"]) == 2)
    files = [http.get(t["url"]).text for t in post["video"]["cla_info"]["caption_infos"]]
    original, translated = (webvtt.from_string(f) for f in files)
    assert [(c.start, c.end) for c in original] == [(c.start, c.end) for c in translated]


def test_caption_urls_expire_and_refuse_tampering(
    get: Get, http: httpx.Client, emulator: Emulator
) -> None:
    url = _captioned(get)[0]["video"]["cla_info"]["caption_infos"][0]["url"]
    assert http.get(url.replace("~asr~", "~mt~").replace("~creator~", "~mt~")).status_code == 403
    emulator.clock.advance(M.TTL + 1)
    assert http.get(url).status_code == 403


@pytest.mark.parametrize("rel", ["x.vtt", "a/zz~eng-US~asr~5000.vtt", "a/10~xx-XX~asr~5.vtt"])
def test_a_path_it_did_not_make_is_an_empty_track(rel: str) -> None:
    assert C.webvtt(rel) == b"WEBVTT\n\n\n"
    assert C.parse_path(rel) is None
