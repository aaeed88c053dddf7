"""An httpx client on the in-process emulator, and a one-call helper."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

import httpx
import pytest

from tokarc.emulator import Emulator

BASE = "http://emulator.test/apis"


class Get(Protocol):
    def __call__(self, path: str, /, **params: Any) -> httpx.Response: ...


@pytest.fixture
def http(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=emulator.transport(), base_url=BASE) as client:
        yield client


@pytest.fixture
def get(http: httpx.Client) -> Get:
    """``get("/tt/hashtag/posts", name="magic")``, with a token."""

    def call(path: str, /, **params: Any) -> httpx.Response:
        return http.get(path, params={"token": "test-token", **params})

    return call
