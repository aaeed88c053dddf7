"""What ``plan()`` makes of a page's records, before any SQL: rows by table, what the records
embed, repeats dropped."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from tokarc.models import Hashtag, Post, Record, decode, decode_many_json
from tokarc.store._plan import Plan, plan

from . import _raw

AUTHOR, SOUND = _raw.UID, "6800370846696212482"
MAGIC = Hashtag(name="magic", hashtag_id="12345", view_count=900, user_count=5)
FYP = Hashtag(name="fyp", hashtag_id="229207")


def from_dicts(kind: str, raws: list[dict[str, Any]]) -> list[Record]:
    return [decode(kind, r) for r in raws]


def from_wire(kind: str, raws: list[dict[str, Any]]) -> list[Record]:
    records, bad = decode_many_json(kind, [msgspec.Raw(json.dumps(r).encode()) for r in raws])
    assert not bad
    return records


Decoder = Callable[[str, list[dict[str, Any]]], list[Record]]
DECODERS = pytest.mark.parametrize("decoded", [from_dicts, from_wire], ids=["dict", "wire"])


def keys(p: Plan) -> dict[str, list[str]]:
    """The keys of every table of the plan (empty ones left out)."""
    tables = ("posts", "users", "comments", "music", "lives", "embedded_users",
              "embedded_music", "hashtags")  # fmt: skip
    return {t: list(getattr(p, t)) for t in tables if getattr(p, t)}


@DECODERS
def test_a_post_brings_its_author_sound_and_hashtags(decoded: Decoder) -> None:
    [post] = decoded("post", [_raw.aweme("1")])
    p = plan([post])
    assert keys(p) == {"posts": ["1"], "embedded_users": [AUTHOR], "embedded_music": [SOUND],
                       "hashtags": ["magic", "fyp"]}  # fmt: skip
    assert isinstance(post, Post)
    assert p.posts["1"] is post
    assert p.embedded_users[AUTHOR] is post.author
    assert p.embedded_music[SOUND] is post.music
    assert p.hashtags == {"magic": MAGIC, "fyp": FYP}
    assert p.post_hashtags == [("1", "magic"), ("1", "fyp")]
    assert list(p.order) == [("post", "1")]  # embedded records are not the page's own
    assert (p.ids("post"), p.ids("user")) == (["1"], [])


def test_a_post_without_author_sound_or_hashtags_is_only_a_post() -> None:
    bare = {"aweme_id": "1", "desc": "no tags", "author": None, "music": None}
    p = plan(from_dicts("post", [bare]))
    assert keys(p) == {"posts": ["1"]}
    assert p.post_hashtags == []


@DECODERS
def test_posts_sharing_an_author_and_a_sound_embed_them_once_the_first_sighting(
    decoded: Decoder,
) -> None:
    first, second = decoded("post", [_raw.aweme("1"), _raw.aweme("2")])
    assert isinstance(first, Post)
    assert isinstance(second, Post)
    p = plan([first, second])
    assert keys(p)["embedded_users"] == [AUTHOR]
    assert p.embedded_users[AUTHOR] is first.author
    assert p.embedded_music[SOUND] is first.music
    assert list(p.order) == [("post", "1"), ("post", "2")]
    assert p.post_hashtags == [("1", "magic"), ("1", "fyp"), ("2", "magic"), ("2", "fyp")]


def test_a_repeated_post_is_planned_once_where_first_seen_with_its_last_values() -> None:
    raws = [_raw.aweme("1", desc="old"), _raw.aweme("2"), _raw.aweme("1", desc="new")]
    p = plan(from_dicts("post", raws))
    assert list(p.order) == [("post", "1"), ("post", "2")]
    assert p.posts["1"].desc == "new"
    assert p.ids("post") == ["1", "2"]


def test_a_repeated_post_links_each_hashtag_once() -> None:
    p = plan(from_dicts("post", [_raw.aweme("1"), _raw.aweme("1")]))
    assert p.post_hashtags == [("1", "magic"), ("1", "fyp")]


def test_a_repeated_posts_hashtags_are_its_last_sightings() -> None:
    later = _raw.aweme("1", desc="now #cats", cha_list=[], text_extra=[
        {"type": 1, "hashtag_name": "cats"}])  # fmt: skip
    p = plan(from_dicts("post", [_raw.aweme("1"), later]))
    assert p.post_hashtags == [("1", "cats")]


def test_a_hashtag_keeps_the_counts_some_post_gave_it() -> None:
    counted = _raw.aweme("1")  # magic with counts (its cha_list)
    uncounted = _raw.aweme("2", cha_list=[])  # magic from the caption only
    recounted = _raw.aweme("3", cha_list=[{"cid": "12345", "cha_name": "magic",
                                           "user_count": 6, "view_count": 1000}])  # fmt: skip
    assert plan(from_dicts("post", [counted, uncounted])).hashtags["magic"] == MAGIC
    assert plan(from_dicts("post", [uncounted, counted])).hashtags["magic"] == MAGIC
    later = plan(from_dicts("post", [counted, recounted])).hashtags["magic"]
    assert later == Hashtag(name="magic", hashtag_id="12345", view_count=1000, user_count=6)


def test_listed_users_and_sounds_are_not_also_embedded() -> None:
    """A page that lists a user (or a sound) and also embeds it in a post: the listed record
    is the page's own, stored in full; it is not planned a second time as a gap filler."""
    listed: list[Record] = [decode("user", _raw.user()), decode("music", _raw.music())]
    records = [*from_dicts("post", [_raw.aweme("1")]), *listed]
    p = plan(records)
    assert keys(p) == {"posts": ["1"], "users": [AUTHOR], "music": [SOUND],
                       "hashtags": ["magic", "fyp"]}  # fmt: skip
    assert list(p.order) == [("post", "1"), ("user", AUTHOR), ("music", SOUND)]
    assert (p.ids("user"), p.ids("music")) == ([AUTHOR], [SOUND])


def test_a_page_of_users_dedupes_by_uid_the_last_sighting_winning() -> None:
    raws = [_raw.user("1", nickname="a"), _raw.user("2"), _raw.user("1", nickname="b")]
    p = plan(from_dicts("user", raws))
    assert keys(p) == {"users": ["1", "2"]}
    assert p.users["1"].nickname == "b"
    assert p.ids("user") == ["1", "2"]


def test_comments_embed_their_authors() -> None:
    raws = [_raw.comment("7001", "1"), _raw.comment("7002", "1", reply_to="7001")]
    p = plan(from_dicts("comment", raws))
    assert keys(p) == {"comments": ["7001", "7002"], "embedded_users": ["70001", "70002"]}
    assert p.ids("comment") == ["7001", "7002"]


def test_a_live_embeds_its_owner() -> None:
    p = plan(from_dicts("live", [{"room_id": 5, "title": "hi", "owner": _raw.user("9")}]))
    assert keys(p) == {"lives": ["5"], "embedded_users": ["9"]}
    assert list(p.order) == [("live", "5")]


def test_hashtag_records_are_the_pages_own() -> None:
    records: list[Any] = [Hashtag(name="magic", hashtag_id="12345"), MAGIC, FYP]
    p = plan(records)
    assert p.hashtags == {"magic": MAGIC, "fyp": FYP}
    assert list(p.order) == [("hashtag", "magic"), ("hashtag", "fyp")]
    assert p.post_hashtags == []


def test_an_empty_page_plans_nothing() -> None:
    assert plan([]) == Plan()
