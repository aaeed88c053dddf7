"""Guards: checked before every attempt, retries included; what they raise, the call raises."""

from __future__ import annotations

from typing import Any

import pytest

import tokarc
from tokarc.emulator import Emulator

from .conftest import BASE, TOKEN


class Refused(Exception):
    pass


def refuse_after(n: int, seen: list[tuple[str, dict[str, Any]]]) -> Any:
    def guard(endpoint: str, params: Any) -> None:
        seen.append((endpoint, dict(params)))
        if len(seen) > n:
            raise Refused(endpoint)

    return guard


def test_a_guard_sees_every_attempt_and_can_hold_a_retry_back() -> None:
    emulator = Emulator(seed=0, error_rate=1.0)  # every attempt fails: 500, retried
    seen: list[tuple[str, dict[str, Any]]] = []
    retry = tokarc.RetryPolicy.instant(attempts=5)
    with tokarc.Client(TOKEN, base_url=BASE, transport=emulator.transport(), retry=retry) as c:
        c.add_guard(refuse_after(2, seen))
        with pytest.raises(Refused):
            c.tiktok.hashtag_search(hashtag="magic")
    assert emulator.stats.faults["error"] == 2  # the third attempt was not sent
    assert [e for e, _ in seen] == ["hashtag_search"] * 3
    assert seen[0][1]["hashtag"] == "magic"  # python names, never the token
    assert all(TOKEN not in repr(p) for _, p in seen)


async def test_async_guards_too(emulator: Emulator) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    retry = tokarc.RetryPolicy.instant()
    async with tokarc.AsyncClient(TOKEN, base_url=BASE, transport=emulator.transport(),
                                  retry=retry) as c:  # fmt: skip
        guard = refuse_after(1, seen)
        c.add_guard(guard)
        await c.tiktok.hashtag_search(hashtag="magic")
        with pytest.raises(Refused):
            await c.tiktok.hashtag_search(hashtag="magic", cursor=20)
        c.remove_guard(guard)
        await c.tiktok.hashtag_search(hashtag="magic", cursor=20)
    assert emulator.stats.requests["hashtag_search"] == 2
