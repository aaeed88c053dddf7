"""Determinism, laziness and the shape of the world's ids."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st

from tokarc.emulator import Emulator
from tokarc.emulator._rand import Bits, h32, h32_text, key_prefix
from tokarc.emulator._template import esc
from tokarc.emulator._world import World

from .conftest import BASE, Get


def _page(emu: Emulator, path: str, **params: object) -> bytes:
    with httpx.Client(transport=emu.transport(), base_url=BASE) as client:
        return client.get(path, params={"token": "t", **params}).content  # type: ignore[arg-type]


def test_same_seed_gives_the_same_bytes() -> None:
    for path, params in [
        ("/tt/hashtag/posts", {"name": "magic", "cursor": 40}),
        ("/tt/user/posts", {"username": "zachking", "depth": 2}),
        ("/tt/post/comments", {"aweme_id": "6849400000000"}),
    ]:
        assert _page(Emulator(seed=3), path, **params) == _page(Emulator(seed=3), path, **params)


def test_different_seeds_give_different_worlds() -> None:
    a = _page(Emulator(seed=1), "/tt/hashtag/posts", name="magic")
    b = _page(Emulator(seed=2), "/tt/hashtag/posts", name="magic")
    assert a != b


def test_entities_do_not_depend_on_the_order_they_are_asked_in(get: Get) -> None:
    page = get("/tt/hashtag/posts", name="cats", cursor=100).json()["data"]["data"]
    fresh = Emulator(seed=0)
    ids = ";".join(p["aweme_id"] for p in page)
    with httpx.Client(transport=fresh.transport(), base_url=BASE) as client:
        again = client.get("/tt/post/multi-info", params={"token": "t", "ids": ids}).json()["data"]
    assert again == page


def test_a_deep_page_of_a_big_hashtag_generates_only_what_it_shows(
    emulator: Emulator, get: Get
) -> None:
    assert sum(emulator.world.generated.values()) == 0  # nothing exists before it is asked for
    page = get("/tt/hashtag/posts", name="magic", cursor=4_000).json()["data"]["data"]
    assert len(page) == 20
    generated = emulator.world.generated
    assert generated["posts"] == 20
    assert generated["users"] <= 20 * 3  # authors (skipping private ones)
    assert generated["music"] <= 20 * 2


def test_a_user_with_thousands_of_followers_costs_one_page(emulator: Emulator, get: Get) -> None:
    zach = emulator.world.user_by_name("zachking")
    assert zach is not None
    get("/tt/user/followers", id=zach.uid, secUid=zach.sec_uid, cursor=0)
    assert emulator.world.generated["users"] <= 100 + 1


def test_aweme_id_encodes_create_time(get: Get) -> None:
    for path, params, key in [
        ("/tt/hashtag/posts", {"name": "magic"}, ("data", "data")),
        ("/tt/music/posts", {"music_id": "6874200777853661442"}, ("data", "aweme_list")),
    ]:
        body = get(path, **params).json()
        for post in body[key[0]][key[1]]:
            assert int(post["aweme_id"]) >> 32 == post["create_time"]
    for post in get("/tt/user/posts", username="zachking", depth=3).json()["data"]:
        assert int(post["aweme_id"]) >> 32 == post["create_time"]


def test_posts_carry_real_authors_and_sounds(get: Get) -> None:
    post = get("/tt/hashtag/posts", name="dance").json()["data"]["data"][0]
    author = get("/tt/user/info", username=post["author"]["unique_id"]).json()["data"]
    assert author["user"]["secUid"] == post["author"]["sec_uid"]
    music = get("/tt/music/details", id=post["music"]["id_str"]).json()["data"]
    assert music["title"] == post["music"]["title"]
    assert isinstance(music["id"], int)
    assert music["id"] > 2**53
    assert music["mid"] == music["id_str"] == str(music["id"])


def test_popularity_is_heavy_tailed_and_some_tags_are_empty(emulator: Emulator) -> None:
    world, now = emulator.world, emulator.clock.now()
    counts = []
    for name in ("magic", "fyp", "cats", "chess", "türkiye", "quiettag", "emptytag"):
        tag = world.tag(name)
        assert tag is not None
        counts.append(tag.timeline.count(now) if tag.timeline else 0)
    assert counts[0] > 1_000_000
    assert counts[-1] == 0
    assert counts[3] < counts[1] / 100


def test_hashtag_caps_are_in_the_documented_range() -> None:
    world = World(seed=9)
    caps = {world.tag(n).cap for n in ("fyp", "dance", "love", "cats")}  # type: ignore[union-attr]
    assert all(4_000 <= c <= 5_000 for c in caps)
    assert len(caps) > 1


def test_unknown_ids_and_names_do_not_exist(emulator: Emulator) -> None:
    world = emulator.world
    assert world.post(7_000_000_000_000_000_001) is None
    assert world.user_by_name("nobody_here_at_all") is None
    assert world.user_by_sec_uid("MS4wLjABAAAA" + "x" * 64) is None
    assert world.music(123) is None


def test_fast_hash_keys_agree_with_h32() -> None:
    @given(st.integers(0, 2**32), st.text(max_size=12), st.integers(-(2**63), 2**63))
    def agree(seed: int, name: str, k: int) -> None:
        assert h32_text(f"{key_prefix(seed, name)}{k})") == h32(seed, name, k)
        assert h32_text(f"{key_prefix(seed, 'check', 1, 2)}{k})") == h32(seed, "check", 1, 2, k)

    agree()


def test_inlined_bit_readers_agree_with_take() -> None:
    @given(st.integers(0, 2**16), st.lists(st.integers(0, 4), max_size=40))
    def agree(seed: int, ops: list[int]) -> None:
        fast, ref = Bits(seed, "x"), Bits(seed, "x")
        for op in ops:
            if op == 0:
                assert fast.below(37) == ref.take(24) * 37 >> 24
            elif op == 1:
                assert fast.unit() == (ref.take(24) + 1) / (1 << 24)
            elif op == 2:
                assert fast.chance(0.3) == ((ref.take(24) + 1) / (1 << 24) <= 0.3)
            elif op == 3:
                assert fast.pick("abcde") == "abcde"[ref.take(24) * 5 >> 24]
            else:
                assert fast.take(7) == ref.take(7)

    agree()


def test_ids_handles_and_codes_need_no_json_escape() -> None:
    world = World(0)
    users = world.fixture_users() + [world.public_user("sample", i) for i in range(300)]
    for u in users:
        for value in (u.uid, u.sec_uid, u.unique_id, u.region, u.language):
            assert esc(value) == value.encode(), value
