"""Each fault, its bounds, and that faults never change the world's data."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tokarc.emulator import Emulator, FaultSettings
from tokarc.emulator._faults import FaultInjector

from .conftest import BASE

PARAMS = {"token": "t", "name": "magic"}


def _client(emu: Emulator) -> httpx.Client:
    return httpx.Client(transport=emu.transport(), base_url=BASE)


def test_error_rate_gives_500s() -> None:
    emu = Emulator(error_rate=1.0)
    with _client(emu) as http:
        response = http.get("/tt/hashtag/posts", params=PARAMS)
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert response.headers["units_charged"] == "0"


def test_rate_limits_come_with_retry_after() -> None:
    emu = Emulator(rate_limit_rate=1.0)
    with _client(emu) as http:
        response = http.get("/tt/hashtag/posts", params=PARAMS)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"


def test_faults_are_bounded_so_retries_get_through() -> None:
    emu = Emulator(error_rate=1.0)
    with _client(emu) as http:
        codes = [http.get("/tt/hashtag/posts", params=PARAMS).status_code for _ in range(8)]
    assert codes == [500, 500, 500, 200, 500, 500, 500, 200]


def test_rate_limit_bursts() -> None:
    injector = FaultInjector(FaultSettings(rate_limit_rate=0.2, max_streak=3), seed=1)
    kinds = [injector.decide().kind for _ in range(400)]
    runs = "".join("r" if k else "." for k in kinds).split(".")
    assert max(len(r) for r in runs) <= 3
    assert any(len(r) > 1 for r in runs)  # bursts, not only single 429s


def test_hang_raises_read_timeout_in_the_transport() -> None:
    emu = Emulator(hang_rate=1.0)
    with _client(emu) as http, pytest.raises(httpx.ReadTimeout):
        http.get("/tt/hashtag/posts", params=PARAMS)


def test_malformed_bodies_are_not_json() -> None:
    emu = Emulator(malformed_rate=1.0)
    with _client(emu) as http:
        for _ in range(3):
            response = http.get("/tt/hashtag/posts", params=PARAMS)
            with pytest.raises(ValueError, match=r"."):
                response.json()


def test_latency_and_jitter_delay_responses() -> None:
    emu = Emulator(latency=0.05, jitter=0.02)
    with _client(emu) as http:
        start = time.perf_counter()
        http.get("/tt/hashtag/posts", params=PARAMS)
    assert 0.05 <= time.perf_counter() - start < 1.0


def test_faults_do_not_change_world_data() -> None:
    clean, faulty = Emulator(), Emulator(error_rate=0.5, malformed_rate=0.2)
    with _client(clean) as a, _client(faulty) as b:
        expected = a.get("/tt/hashtag/posts", params=PARAMS).content
        bodies = {b.get("/tt/hashtag/posts", params=PARAMS) for _ in range(10)}
    ok = [r.content for r in bodies if r.status_code == 200 and r.content.endswith(b"}")]
    assert ok
    assert all(body == expected for body in ok)


def test_faults_only_apply_under_apis() -> None:
    emu = Emulator(error_rate=1.0, hang_rate=0.0)
    with httpx.Client(transport=emu.transport(), base_url="http://emulator.test") as http:
        assert http.get("/_emulator/clock").status_code == 200


def test_set_faults_changes_settings_at_runtime(emulator: Emulator) -> None:
    with _client(emulator) as http:
        assert http.get("/tt/hashtag/posts", params=PARAMS).status_code == 200
        emulator.set_faults(error_rate=1.0)
        assert http.get("/tt/hashtag/posts", params=PARAMS).status_code == 500
    with pytest.raises(ValueError, match="unknown"):
        emulator.set_faults(nonsense=1)


async def test_async_client_uses_the_same_transport(emulator: Emulator) -> None:
    async with httpx.AsyncClient(transport=emulator.transport(), base_url=BASE) as http:
        response = await http.get("/tt/hashtag/posts", params=PARAMS)
    assert len(response.json()["data"]["data"]) == 20


async def test_live_latency_overlaps_and_hang_sleeps(live_emulator: Any) -> None:
    live = live_emulator
    live.emulator.set_faults(latency=0.3)
    url = f"{live.base_url}/tt/hashtag/posts"
    async with httpx.AsyncClient() as http:
        start = time.perf_counter()
        replies = await asyncio.gather(*(http.get(url, params=PARAMS) for _ in range(8)))
        assert time.perf_counter() - start < 1.5  # 8 x 0.3 s in parallel, not in a row
        assert {r.status_code for r in replies} == {200}
        live.emulator.set_faults(latency=0.0, hang_rate=1.0, hang_seconds=2.0)
        with pytest.raises(httpx.ReadTimeout):
            await http.get(url, params=PARAMS, timeout=0.3)


# Every code of API.md's error table, and two the table does not name.
TABLE_STATUSES = [404, 422, 429, 462, 463, 464, 465, 466, 469, 471, 472, 473, 474]
TABLE_STATUSES += [491, 492, 493, 495, 500, 520]


@pytest.mark.parametrize("status", [*TABLE_STATUSES, 400, 599])
def test_error_status_answers_that_code_every_time(status: int) -> None:
    emu = Emulator(error_status=status)
    with _client(emu) as http:
        replies = [http.get("/tt/hashtag/posts", params=PARAMS) for _ in range(5)]
    assert {r.status_code for r in replies} == {status}  # not bounded like the random faults
    assert replies[0].json()["detail"]
    assert "data" not in replies[0].json()
    assert replies[0].headers["units_charged"] == "0"
    assert ("retry-after" in replies[0].headers) is (status == 429)
    assert emu.stats.faults["status"] == 5


def test_error_status_leaves_media_and_control_alone(emulator: Emulator) -> None:
    with _client(emulator) as http:
        page = http.get("/tt/hashtag/posts", params=PARAMS).json()
        emulator.set_faults(error_status=463)
        assert http.get("/tt/user/info", params={"token": "t", "username": "zachking"}).json() == {
            "detail": "Invalid user"
        }
        cover = page["data"]["data"][0]["video"]["cover"]["url_list"][0]
        assert http.get(cover).status_code == 200
        assert http.get("http://emulator.test/_emulator/faults").json()["error_status"] == 463
        emulator.set_faults(error_status=0)
        assert http.get("/tt/hashtag/posts", params=PARAMS).status_code == 200


@pytest.mark.parametrize("bad", [399, 600, 200, -1, 463.5, True])
def test_error_status_outside_400_599_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="error_status"):
        Emulator(error_status=bad)
    with pytest.raises(ValueError, match="error_status"):
        Emulator().set_faults(error_status=bad)
