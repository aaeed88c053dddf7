"""The fast path (typed decoding straight from JSON bytes) gives what the dict path gives."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokarc.api import endpoints as E
from tokarc.client.pagination import raw_items
from tokarc.emulator import Emulator
from tokarc.models import decode, decode_json, decode_many, decode_many_json, hashtags_of

from ._samples import aweme


def page(emulator: Emulator, path: str) -> bytes:
    url = f"http://emulator.test/apis{path}&token=t"
    return emulator.handle(httpx.Request("GET", url)).content


def test_fast_and_dict_paths_agree_on_real_pages() -> None:
    emulator = Emulator(seed=0)
    for query, name in [
        ("/tt/hashtag/posts?name=magic&cursor=40", "hashtag_search"),
        ("/tt/keyword/search?name=tesla&period=180", "keyword_search"),
        ("/tt/user/posts?username=zachking&depth=2", "user_posts_from_username"),
    ]:
        endpoint = E.get(name)
        body = page(emulator, query)
        payload = msgspec.json.decode(body)
        items = raw_items(endpoint, payload if endpoint.top_level else payload["data"])
        slow, _ = decode_many("post", items)
        fast, bad = decode_many_json("post", [msgspec.json.encode(i) for i in items])
        assert not bad
        assert [p.to_dict() for p in fast] == [p.to_dict() for p in slow]
        assert [p.raw for p in fast] == items
        assert [hashtags_of(p) for p in fast] == [hashtags_of(p) for p in slow]
        assert any(hashtags_of(p) for p in fast)


def test_raw_json_is_the_bytes_received() -> None:
    data = msgspec.json.encode(aweme())
    post = decode_json("post", data)
    assert post.raw_json == data
    assert post.author is not None
    assert post.author.raw == aweme()["author"]


def test_odd_items_fall_back_to_the_lenient_path() -> None:
    wrapped = msgspec.json.encode({"type": 1, "aweme_info": aweme()})
    assert decode_json("post", wrapped).aweme_id == aweme()["aweme_id"]
    odd = dict(aweme(), statistics={"play_count": "12", "digg_count": None})
    post = decode_json("post", msgspec.json.encode(odd))
    assert post.play_count == 12
    assert post.to_dict() == decode("post", odd).to_dict()


def test_bad_items_are_reported_not_dropped() -> None:
    records, bad = decode_many_json("post", [b"{", b"42", b'{"desc": "no id"}', b'{"aweme_id": 7}'])
    assert [r.aweme_id for r in records] == ["7"]
    assert len(bad) == 3
    assert bad[0].raw == b"{"


json_values: Any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(list(aweme())), json_values, max_size=8))
def test_fast_path_never_raises(fields: dict[str, Any]) -> None:
    data = msgspec.json.encode(dict(aweme(), **fields))
    records, bad = decode_many_json("post", [data])
    assert len(records) + len(bad) == 1
    if records:  # what JSON holds (inf is written as null): the slow path must agree
        assert records[0].to_dict() == decode("post", msgspec.json.decode(data)).to_dict()
