"""The emulator's caches are bounded in bytes, and what they hold is reported."""

from __future__ import annotations

from typing import Any

import httpx

from tokarc.emulator import Emulator
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
