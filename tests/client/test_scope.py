"""``Client.scope``: listeners and guards of one thread's (or task's) calls only."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from typing import Any

import pytest

import tokarc
from tokarc.client._client import CallEvent


def test_each_thread_sees_only_its_own_calls(client: tokarc.Client) -> None:
    seen: dict[str, list[str]] = {"magic": [], "cats": []}
    everything: list[str] = []
    client.add_listener(lambda e: everything.append(str(e.params["hashtag"])))
    barrier = threading.Barrier(2)

    def walk(tag: str) -> None:
        with client.scope(listener=lambda e: seen[tag].append(str(e.params["hashtag"]))):
            barrier.wait()
            for _ in client.tiktok.iter_hashtag_posts(tag, max_items=60).iter_pages():
                pass

    threads = [threading.Thread(target=walk, args=(tag,)) for tag in seen]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert seen == {"magic": ["magic"] * 3, "cats": ["cats"] * 3}
    assert sorted(everything) == ["cats"] * 3 + ["magic"] * 3  # add_listener: every call


def test_a_scoped_guard_holds_back_only_its_threads_calls(client: tokarc.Client) -> None:
    def refuse(endpoint: str, params: Mapping[str, Any]) -> None:
        raise RuntimeError(f"held back: {endpoint}")

    outside: list[int] = []
    with client.scope(guard=refuse):
        with pytest.raises(RuntimeError, match="held back: hashtag_search"):
            client.tiktok.hashtag_search("magic")
        other = threading.Thread(
            target=lambda: outside.append(len(client.tiktok.hashtag_search("magic").data["data"]))
        )
        other.start()
        other.join(30)
    assert outside
    assert outside[0] > 0
    assert client.tiktok.hashtag_search("magic").units_charged == 1  # the block has ended


def test_scopes_nest_and_end(client: tokarc.Client) -> None:
    outer: list[CallEvent] = []
    inner: list[CallEvent] = []
    with client.scope(listener=outer.append):
        client.tiktok.hashtag_search("magic")
        with client.scope(listener=inner.append):
            client.tiktok.hashtag_search("cats")
        client.tiktok.hashtag_search("dance")
    client.tiktok.hashtag_search("food")
    assert [e.params["hashtag"] for e in outer] == ["magic", "cats", "dance"]
    assert [e.params["hashtag"] for e in inner] == ["cats"]


def test_a_scope_belongs_to_its_client(client: tokarc.Client, emulator: Any) -> None:
    seen: list[CallEvent] = []
    with (
        tokarc.Client(
            "other", base_url="http://emulator.test/apis", transport=emulator.transport()
        ) as other,  # fmt: skip
        client.scope(listener=seen.append),
    ):
        other.tiktok.hashtag_search("magic")
    assert seen == []


async def test_async_tasks_have_their_own_scopes(aclient: tokarc.AsyncClient) -> None:
    seen: dict[str, list[str]] = {"magic": [], "cats": []}

    async def call(tag: str) -> None:
        with aclient.scope(listener=lambda e: seen[tag].append(str(e.params["hashtag"]))):
            await aclient.tiktok.hashtag_search(tag)
            await asyncio.sleep(0)
            await aclient.tiktok.hashtag_search(tag)

    await asyncio.gather(call("magic"), call("cats"))
    assert seen == {"magic": ["magic", "magic"], "cats": ["cats", "cats"]}
