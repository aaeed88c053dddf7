"""Decode every endpoint's items as the emulator serves them, read through the endpoint table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tokarc.api.endpoints import ENDPOINTS, Endpoint
from tokarc.emulator import Emulator
from tokarc.emulator import _fixtures as F
from tokarc.models import Comment, Live, Music, Post, User, decode_many

ZACH = next(u for u in F.FIXTURE_USERS if u.unique_id == "zachking")

# One valid call per record-bearing endpoint (python parameter names), on fixture data.
CALLS: dict[str, dict[str, Any]] = {
    name: args
    for name, args in F.example_calls().items()
    if next(e for e in ENDPOINTS if e.name == name).record
}
TYPES = {"post": Post, "user": User, "user_web": User, "comment": Comment, "music": Music}
RECORD_ENDPOINTS = [e for e in ENDPOINTS if e.record]


def _items(endpoint: Endpoint, payload: dict[str, Any]) -> list[Any]:
    """The endpoint's raw records, found and unwrapped as the table says."""
    data: Any = payload if endpoint.top_level else payload["data"]
    for key in filter(None, (endpoint.items or "").split(".")):
        data = data[key]
    items = [data] if endpoint.single or not isinstance(data, list) else data
    if endpoint.wrapper:
        items = [item[endpoint.wrapper] for item in items]
    return items


def _fetch(client: httpx.Client, endpoint: Endpoint) -> list[Any]:
    params = {"token": "t"}
    for name, value in CALLS[endpoint.name].items():
        params[endpoint.param(name).wire] = ";".join(value) if isinstance(value, list) else value
    response = client.get(f"http://emulator/apis{endpoint.path}", params=params)
    assert response.status_code == 200, response.text
    return _items(endpoint, response.json())


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(transport=Emulator(seed=0).transport()) as c:
        yield c


def test_every_record_endpoint_has_a_call() -> None:
    assert {e.name for e in RECORD_ENDPOINTS} == set(CALLS)


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", RECORD_ENDPOINTS, ids=lambda e: e.name)
def test_emulator_items_all_decode(client: httpx.Client, endpoint: Endpoint) -> None:
    assert endpoint.record is not None
    items = _fetch(client, endpoint)
    records, bad = decode_many(endpoint.record, items)
    assert bad == []
    assert len(records) == len(items)
    assert items or endpoint.record == "live"  # a keyword may have no live room right now
    assert all(isinstance(r, TYPES.get(endpoint.record, Live)) for r in records)


def test_emulator_posts_carry_authors_music_and_counts(client: httpx.Client) -> None:
    endpoint = next(e for e in ENDPOINTS if e.name == "hashtag_search")
    records, _ = decode_many("post", _fetch(client, endpoint))
    posts = [r for r in records if isinstance(r, Post)]
    assert all(p.author is not None and p.author_uid for p in posts)
    assert all(p.create_time and p.play_count is not None for p in posts)
    assert all("magic" in p.hashtags for p in posts)


def test_emulator_web_user_info(client: httpx.Client) -> None:
    endpoint = next(e for e in ENDPOINTS if e.name == "user_info_from_username")
    (user,), _ = decode_many("user_web", _fetch(client, endpoint))
    assert isinstance(user, User)
    assert (user.uid, user.unique_id, user.sec_uid) == (ZACH.uid, "zachking", ZACH.sec_uid)
    assert user.follower_count == ZACH.followers
