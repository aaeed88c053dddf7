"""Clients wired to the emulator: in-process (MockTransport) and over HTTP (uvicorn)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import tokarc
from tokarc.emulator import Emulator
from tokarc.emulator import _fixtures as F

# Easy to search for: it must never show up in any output.
TOKEN = "tok-SEKRET-5f3a9c81"
BASE = "http://emulator.test/apis"

ZACH = next(u for u in F.FIXTURE_USERS if u.unique_id == "zachking")
OPEN_LIKES = next(u for u in F.FIXTURE_USERS if not u.private_likes and not u.private)

# One valid call per endpoint of the table, on things the emulator's world is known to hold.
SAMPLE_CALLS: dict[str, dict[str, Any]] = F.example_calls()


def method_of(client: Any, name: str) -> Any:
    group = client.customer if name.startswith("get_usage") else client.tiktok
    return getattr(group, name)


@pytest.fixture
def client(emulator: Emulator) -> Iterator[tokarc.Client]:
    with tokarc.Client(
        TOKEN, base_url=BASE, transport=emulator.transport(), retry=tokarc.RetryPolicy.instant()
    ) as c:
        yield c


@pytest.fixture
async def aclient(emulator: Emulator) -> AsyncIterator[tokarc.AsyncClient]:
    async with tokarc.AsyncClient(
        TOKEN, base_url=BASE, transport=emulator.transport(), retry=tokarc.RetryPolicy.instant()
    ) as c:
        yield c
