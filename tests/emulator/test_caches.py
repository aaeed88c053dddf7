"""The emulator's caches are bounded in bytes, and what they hold is reported."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tokarc.emulator import Emulator, serve_in_thread
from tokarc.emulator._vocab import EMPTY_TAGS, TAGS

PAGE = "/apis/tt/hashtag/posts"


def test_caches_stay_within_their_bytes() -> None:
    limit = 4 << 20
    emu = Emulator(seed=0, cache_bytes=limit)
    tags = [t for t in TAGS if t not in EMPTY_TAGS][:60]
    for tag in tags:  # 60 cold pages of ~140 KB: 8 MB of replies, twice the limit
        reply = emu.respond("GET", PAGE, {"name": tag, "token": "t"})
        assert reply.status == 200
    caches = emu.caches()
    assert sum(c.bytes for c in caches.values()) <= limit
    assert all(c.bytes <= c.max_bytes for c in caches.values() if c.max_bytes is not None)
    assert 0 < len(caches["pages"]) < len(tags)  # the oldest pages went
    assert caches["pages"].bytes >= sum(len(r.body) for r, _ in caches["pages"]._data.values())
    again = emu.respond("GET", PAGE, {"name": tags[0], "token": "t"})
    fresh = Emulator(seed=0).respond("GET", PAGE, {"name": tags[0], "token": "t"})
    assert again == fresh  # evicted and rebuilt: the same bytes


def test_the_caches_route_reports_bytes_and_the_limit(live_emulator: Any) -> None:
    ctl = live_emulator.control_url
    with httpx.Client() as http:
        api = live_emulator.base_url
        http.get(f"{api}/tt/hashtag/posts", params={"name": "magic", "token": "t"})
        caches = http.get(f"{ctl}/caches").json()
    assert caches["limit"] == 256 << 20
    assert 0 < caches["bytes"] <= caches["limit"]
    assert caches["caches"]["pages"]["entries"] == 1
    assert caches["caches"]["aweme_bytes"]["entries"] == 20


# -- the rendered-post cache, over HTTP ---------------------------------------------------------

UNCACHED = {"cache_size": 0, "page_cache_size": 0}  # every cache keeps nothing: all rendered anew
API_PAGE = "/tt/hashtag/posts"
PAGES = [
    ("/tt/hashtag/posts", {"name": "magic"}),
    ("/tt/hashtag/posts", {"name": "magic", "cursor": "20"}),
    ("/tt/keyword/search", {"name": "magic", "period": "0", "country": "fr"}),  # its posts again
    ("/tt/user/posts", {"username": "zachking", "depth": "1"}),  # pinned posts: is_top 1
    ("/tt/music/posts", {"music_id": "6874200777853661442"}),
]


def walk(http: httpx.Client, base: str, host: str) -> list[bytes]:
    """The bodies of ``PAGES`` and of a post_info of each post of the first page."""
    first = http.get(f"{base}{PAGES[0][0]}", params={"token": "t", **PAGES[0][1]})
    ids = [a["aweme_id"] for a in first.json()["data"]["data"]]
    urls = [f"https://www.tiktok.com/@x/video/{i}" for i in ids]
    queries = [*PAGES, *(("/tt/post/info", {"url": u}) for u in urls)]
    replies = [
        http.get(f"{base}{path}", params={"token": "t", **q}, headers={"host": host})
        for path, q in queries
    ]
    assert all(r.status_code == 200 for r in replies)
    return [r.content for r in replies]


@pytest.mark.slow  # two servers
def test_a_cached_post_gives_the_bytes_of_an_uncached_render(emulator: Emulator) -> None:
    """Each post rendered from the cache (on another page, for another origin, an hour later:
    its statistics, media expiry and origin spliced in) equals the same reply of an emulator
    that caches nothing."""
    with (
        serve_in_thread(emulator) as cached,
        serve_in_thread(Emulator(seed=0, **UNCACHED)) as fresh,
        httpx.Client() as http,
    ):
        got: dict[tuple[int, str], list[bytes]] = {}
        hosts = [cached.split("/")[2], "localhost:1"]
        for advance in (0, 3_600):
            for base in (cached, fresh):
                control = base.removesuffix("/apis") + "/_emulator/clock"
                http.post(control, json={"advance": advance}).raise_for_status()
            for host in hosts:
                got[advance, host] = walk(http, cached, host)
                assert got[advance, host] == walk(http, fresh, host)
        assert len(emulator.caches()["aweme_bytes"]) > 0
        later = got[3_600, hosts[0]]
        assert all(a != b for a, b in zip(got[0, hosts[0]], later, strict=True))  # stats moved
        media = next(u for u in later[0].decode().split('"') if "/_media/" in u)
        assert http.get(media).status_code == 200  # its expiry, spliced in, is signed


@pytest.mark.slow  # two servers
def test_the_post_cache_stays_within_its_bytes() -> None:
    limit = 2 << 20  # the post cache gets 3/8 x 6/8 of it: ~590 KB, ~70 posts of ~8 KB
    emu = Emulator(seed=0, cache_bytes=limit)
    posts = emu.caches()["aweme_bytes"]
    with serve_in_thread(emu) as base, httpx.Client() as http:
        for cursor in range(0, 400, 20):  # 400 posts
            http.get(f"{base}{API_PAGE}", params={"name": "magic", "cursor": cursor, "token": "t"})
        report = http.get(base.removesuffix("/apis") + "/_emulator/caches").json()
        again = http.get(f"{base}{API_PAGE}", params={"name": "magic", "token": "x"}).content
    assert posts.max_bytes is not None
    assert report["bytes"] <= report["limit"] == limit
    assert 0 < report["caches"]["aweme_bytes"]["bytes"] <= posts.max_bytes
    assert 0 < report["caches"]["aweme_bytes"]["entries"] < 400  # the oldest posts went
    fresh = Emulator(seed=0, **UNCACHED)
    with serve_in_thread(fresh) as other, httpx.Client() as http:
        want = http.get(f"{other}{API_PAGE}", params={"name": "magic", "token": "x"}).content
    origins = (base.removesuffix("/apis").encode(), other.removesuffix("/apis").encode())
    assert again.replace(origins[0], b"") == want.replace(origins[1], b"")  # evicted, rebuilt
