"""The emulator's media: signed, expiring URLs on its own origin, small valid files."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from tokarc.emulator import Emulator, serve_in_thread
from tokarc.emulator import _media as M
from tokarc.emulator.__main__ import build_parser, emulator_from_args

from .conftest import Get


def _post(get: Get) -> dict:  # type: ignore[type-arg]
    posts = get("/tt/hashtag/posts", name="magic").json()["data"]["data"]
    return next(p for p in posts if p["aweme_type"] == 0)


def test_posts_users_and_sounds_point_to_the_emulator(get: Get) -> None:
    post = _post(get)
    urls = [
        post["video"]["play_addr"]["url_list"][0],
        post["video"]["cover"]["url_list"][0],
        post["author"]["avatar_larger"]["url_list"][0],
        post["music"]["play_url"]["url_list"][0],
    ]
    assert all(u.startswith("http://emulator.test/_media/") for u in urls)
    assert all("x-expires=" in u and "x-signature=" in u for u in urls)
    web = get("/tt/user/info", username="zachking").json()["data"]["user"]
    assert web["avatarLarger"].startswith("http://emulator.test/_media/")


def test_files_are_valid_and_deterministic(get: Get, http: httpx.Client) -> None:
    post = _post(get)
    video = http.get(post["video"]["play_addr"]["url_list"][0])
    cover = http.get(post["video"]["cover"]["url_list"][0])
    sound = http.get(post["music"]["play_url"]["url_list"][0])
    assert [r.status_code for r in (video, cover, sound)] == [200, 200, 200]
    assert video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"
    assert int(video.headers["content-length"]) == len(video.content)
    with Image.open(io.BytesIO(cover.content)) as image:
        image.load()
        assert image.format == "JPEG"
    assert sound.content.startswith(b"ID3")
    size = sum(b << (7 * (3 - i)) for i, b in enumerate(sound.content[6:10]))  # ID3 syncsafe
    assert sound.content[10 + size : 10 + size + 2] == b"\xff\xfb"  # an MPEG audio frame
    for data in (video.content, cover.content, sound.content):
        assert 1_000 < len(data) < 10_000
    again = http.get(post["video"]["cover"]["url_list"][0])
    assert again.content == cover.content
    assert M.content("a/b~0.jpeg") != M.content("a/b~1.jpeg")


def test_expired_or_tampered_urls_are_refused(
    get: Get, http: httpx.Client, emulator: Emulator
) -> None:
    url = _post(get)["video"]["cover"]["url_list"][0]
    assert http.get(url.replace("~cover.jpeg", "~other.jpeg")).status_code == 403
    expires = url.split("x-expires=")[1].split("&")[0]
    assert http.get(url.replace(expires, str(int(expires) + 9))).status_code == 403
    emulator.clock.advance(M.TTL + 1)
    refused = http.get(url)
    assert refused.status_code == 403
    assert b"expired" in refused.content
    fresh = _post(get)["video"]["cover"]["url_list"][0]
    assert fresh != url
    assert http.get(fresh).status_code == 200


def test_unknown_media_is_404(http: httpx.Client) -> None:
    assert http.get("http://emulator.test/_media/x.exe").status_code == 404


def test_the_media_base_setting_wins(http: httpx.Client) -> None:
    args = build_parser().parse_args(["--media-base", "http://127.0.0.1:9"])
    emu = emulator_from_args(args)
    with httpx.Client(transport=emu.transport(), base_url="http://elsewhere/apis") as client:
        data = client.get("/tt/hashtag/posts", params={"name": "magic", "token": "t"}).json()
    url = data["data"]["data"][0]["video"]["cover"]["url_list"][0]
    assert url.startswith("http://127.0.0.1:9/_media/")


@pytest.mark.slow
def test_over_http_the_urls_are_the_servers() -> None:
    with serve_in_thread(Emulator(seed=0)) as base_url, httpx.Client() as client:
        data = client.get(f"{base_url}/tt/hashtag/posts", params={"name": "magic", "token": "t"})
        url = data.json()["data"]["data"][0]["video"]["cover"]["url_list"][0]
        assert url.startswith(base_url.removesuffix("/apis") + "/_media/")
        assert client.get(url).status_code == 200
