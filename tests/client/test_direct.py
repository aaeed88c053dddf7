"""The async client's own path (its default transport, called without httpx's request and
response machinery) against the emulator over HTTP: the same answers, counts, errors and log
lines as through httpx, and the token nowhere."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

import tokarc
from tokarc.client._transports import AiohttpTransport

TOKEN = "direct-path-secret-token-0123"


async def test_the_default_transport_is_called_directly(live_emulator: Any) -> None:
    async with tokarc.AsyncClient(TOKEN, base_url=live_emulator.base_url) as client:
        assert isinstance(client._direct, AiohttpTransport)
        page = await client.tiktok.hashtag_search("magic", cursor=0)
    assert page.units_charged == client.units.total == live_emulator.emulator.stats.units_total
    assert len(page.data["data"]) == 20
    given = httpx.MockTransport(lambda r: httpx.Response(200, json={"data": {}}))
    async with tokarc.AsyncClient(TOKEN, base_url="http://x.test/apis", transport=given) as c:
        assert c._direct is None  # a transport of one's own goes through httpx


async def test_the_same_answer_as_through_httpx(live_emulator: Any) -> None:
    """The direct path and httpx's (the same aiohttp transport, given) read the same page."""
    base = live_emulator.base_url
    async with tokarc.AsyncClient(TOKEN, base_url=base) as direct:
        a = await direct.tiktok.user_posts_from_username("zachking", depth=1)
    given = tokarc.client._transports.aiohttp_transport(10)
    async with tokarc.AsyncClient(TOKEN, base_url=base, transport=given) as through:
        b = await through.tiktok.user_posts_from_username("zachking", depth=1)
    assert a.data == b.data
    assert (a.status_code, a.units_charged, a.params) == (b.status_code, b.units_charged, b.params)


async def test_api_errors_and_logs_without_the_token(
    live_emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    retry = tokarc.RetryPolicy.instant(attempts=1)
    async with tokarc.AsyncClient(TOKEN, base_url=live_emulator.base_url, retry=retry) as c:
        await c.tiktok.hashtag_search("magic", cursor=0)
        with pytest.raises(tokarc.APIError) as refused:
            await c.tiktok.user_info_from_username("no.such.user.here")  # the API says 473
    assert refused.value.status_code == 473
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any(line.startswith("HTTP Request: GET ") and "200" in line for line in lines)
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
    assert TOKEN not in str(refused.value)


async def test_a_dead_port_and_a_slow_answer_are_the_usual_errors(live_emulator: Any) -> None:
    retry = tokarc.RetryPolicy.instant(attempts=1)
    async with tokarc.AsyncClient(TOKEN, base_url="http://127.0.0.1:9/apis", retry=retry) as c:
        with pytest.raises(tokarc.TransportError) as dead:
            await c.tiktok.hashtag_search("magic")
    assert "cannot reach" in str(dead.value)
    assert TOKEN not in str(dead.value)
    live_emulator.emulator.set_faults(latency=1.0)
    options: dict[str, Any] = {"retry": retry, "timeout": 0.2}
    async with tokarc.AsyncClient(TOKEN, base_url=live_emulator.base_url, **options) as c:
        with pytest.raises(tokarc.TransportError) as slow:
            await c.tiktok.hashtag_search("magic")
    assert "no answer in time" in str(slow.value)
    assert TOKEN not in str(slow.value)
