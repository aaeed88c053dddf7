"""The world clock: frozen by default, and moving it grows the world."""

from __future__ import annotations

import json
import re

from tokarc.emulator import DEFAULT_NOW, Emulator, WorldClock

from .conftest import Get

HOUR = 3_600


def test_default_now_is_fixed_and_pages_are_identical(emulator: Emulator, get: Get) -> None:
    assert emulator.clock.now() == DEFAULT_NOW
    first = get("/tt/hashtag/posts", name="fyp").content
    assert get("/tt/hashtag/posts", name="fyp").content == first


def test_advancing_brings_new_posts_on_top_of_a_hashtag(emulator: Emulator, get: Get) -> None:
    before = get("/tt/hashtag/posts", name="magic").json()["data"]["data"]
    emulator.clock.advance(HOUR)
    after = get("/tt/hashtag/posts", name="magic").json()["data"]["data"]
    old_ids = [p["aweme_id"] for p in before]
    new_top = [p for p in after if p["aweme_id"] not in old_ids]
    assert new_top
    assert after[: len(new_top)] == new_top  # the new ones are on top
    assert all(p["create_time"] > before[0]["create_time"] for p in new_top)
    assert all(p["create_time"] <= emulator.clock.now() for p in after)


def test_advancing_brings_new_user_posts_below_the_pinned_ones(
    emulator: Emulator, get: Get
) -> None:
    before = get("/tt/user/posts", username="zachking", depth=1).json()["data"]
    emulator.clock.advance(7 * 24 * HOUR)
    after = get("/tt/user/posts", username="zachking", depth=1).json()["data"]
    assert [p["is_top"] for p in after[:2]] == [1, 1]
    same = [{**p, "statistics": after[i]["statistics"]} for i, p in enumerate(before[:2])]
    assert _unsigned(after[:2]) == _unsigned(same)  # media URLs are signed anew: they expire
    newest_before = before[2]["create_time"]
    assert after[2]["create_time"] > newest_before


def test_statistics_grow_with_time(emulator: Emulator, get: Get) -> None:
    url = "https://www.tiktok.com/@daviddobrik/video/7165262254722534698"
    before = get("/tt/post/info", url=url).json()["data"][0]["statistics"]
    emulator.clock.advance(24 * HOUR)
    after = get("/tt/post/info", url=url).json()["data"][0]["statistics"]
    assert after["play_count"] > before["play_count"]
    assert all(after[k] >= before[k] for k in before if k != "aweme_id")


def test_set_and_advance() -> None:
    clock = WorldClock(start=DEFAULT_NOW)
    assert clock.advance(10) == DEFAULT_NOW + 10
    clock.set(DEFAULT_NOW - 5)
    assert clock.now() == DEFAULT_NOW - 5
    clock.reset()
    assert clock.now() == DEFAULT_NOW


def test_time_scale_runs_world_time_faster() -> None:
    real = [0.0]
    clock = WorldClock(start=DEFAULT_NOW, time_scale=60, monotonic=lambda: real[0])
    real[0] = 2.0
    assert clock.now() == DEFAULT_NOW + 120
    clock.advance(30)
    real[0] = 3.0
    assert clock.now() == DEFAULT_NOW + 210


def _unsigned(value: object) -> str:
    """``value`` as JSON, its media URLs' expiries left out."""
    return re.sub(r"x-expires=\d+&x-esig=[0-9a-f]+", "", json.dumps(value, sort_keys=True))
