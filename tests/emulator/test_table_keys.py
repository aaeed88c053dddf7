"""The emulator's handlers read list, wrapper and cursor keys from the endpoint table."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tokarc.api.endpoints import BY_NAME
from tokarc.emulator._clock import DEFAULT_NOW
from tokarc.emulator._fixtures import COMMENTED_POST
from tokarc.emulator._handlers import HANDLERS, Ctx
from tokarc.emulator._payloads import Renderer
from tokarc.emulator._world import World

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("hashtag_search", {"hashtag": "magic"}),
    ("full_hashtag_search", {"hashtag": "magic", "days": 1}),
    ("keyword_search", {"keyword": "tesla", "period": "180"}),
    ("full_keyword_search", {"keyword": "tesla", "period": "180"}),
    ("post_comments", {"aweme_id": str(COMMENTED_POST)}),
    ("user_followers", {"username": "zachking"}),
    ("user_posts_from_username", {"username": "zachking", "depth": 1}),
]


def _call(name: str, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    ep = BY_NAME[name]
    pagination = ep.pagination and dataclasses.replace(ep.pagination, next_cursor="zzNext")
    items = ep.items if ep.top_level else "zz_list"  # top-level lists sit in the envelope
    renamed = dataclasses.replace(
        ep, items=items, pagination=pagination, wrapper=ep.wrapper and "zz_wrap"
    )
    world = World()
    result = HANDLERS[name](Ctx(renamed, world, Renderer(world), DEFAULT_NOW), params)
    return result.data, result.top


@pytest.mark.slow
@pytest.mark.parametrize(("name", "params"), CALLS, ids=[c[0] for c in CALLS])
def test_handlers_use_the_tables_keys(name: str, params: dict[str, Any]) -> None:
    data, top = _call(name, params)
    ep = BY_NAME[name]
    body = {"data": data, **top} if ep.top_level else data
    key = "data" if ep.top_level else "zz_list"
    assert isinstance(body[key], list)
    assert body[key]
    if ep.pagination is not None:
        assert "zzNext" in body
        assert "nextCursor" not in body
    if ep.wrapper:
        assert all("zz_wrap" in item for item in body[key])
