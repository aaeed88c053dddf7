"""Errors, faults and secrets: what goes wrong, and what never leaks."""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

import httpx
import pytest

import tokarc
from tokarc import errors
from tokarc.client.pagination import record_key
from tokarc.emulator import Emulator

from .conftest import BASE, SAMPLE_CALLS, TOKEN, ZACH, method_of


def make_client(emulator: Emulator, token: str = TOKEN, **options: Any) -> tokarc.Client:
    options.setdefault("retry", tokarc.RetryPolicy.instant())
    return tokarc.Client(token, base_url=BASE, transport=emulator.transport(), **options)


# -- API errors, each raised by the emulator and mapped to its class ------------------------


@pytest.mark.parametrize(
    ("call", "kwargs", "cls"),
    [
        ("user_liked_posts", {"sec_uid": ZACH.sec_uid}, errors.PrivateUserError),
        ("user_info_from_username", {"username": "no.such.user.42"}, errors.UserNotFoundError),
        ("post_info", {"url": "https://www.tiktok.com/@x/video/123"}, errors.NotFoundError),
    ],
)
def test_api_errors_have_their_class(
    client: tokarc.Client, call: str, kwargs: dict[str, Any], cls: type[errors.APIError]
) -> None:
    with pytest.raises(cls) as info:
        method_of(client, call)(**kwargs)
    exc = info.value
    assert isinstance(exc.status_code, int)
    assert exc.detail
    assert isinstance(exc.units_charged, int)
    assert exc.endpoint == call
    assert "\n" not in str(exc)


@pytest.mark.parametrize(
    ("params", "cls"),
    [
        ({}, errors.ValidationError),
        ({"name": "magic", "cursor": "abc"}, errors.ValidationError),
    ],
)
def test_server_side_validation(
    client: tokarc.Client, params: dict[str, Any], cls: type[errors.APIError]
) -> None:
    with pytest.raises(cls, match="HTTP 422"):
        client.request("/tt/hashtag/posts", params)


def test_server_side_business_errors(client: tokarc.Client) -> None:
    with pytest.raises(errors.TooManyPostIdsError):
        client.request("/tt/post/multi-info", {"ids": ";".join(str(i) for i in range(101))})
    with pytest.raises(errors.InvalidCountryError):
        client.request("/tt/live/search", {"keyword": "music", "country": "XX"})
    with pytest.raises(errors.InvalidURLError):
        client.request("/tt/post/info", {"url": "https://example.com/nope"})


def test_invalid_token() -> None:
    emulator = Emulator(seed=0, require_token="the-right-one")
    with make_client(emulator, token="the-wrong-one") as c, pytest.raises(errors.InvalidTokenError):
        c.tiktok.hashtag_search("magic")
    assert emulator.stats.requests["hashtag_search"] == 1  # not retried


def test_units_depleted_stops_without_retrying() -> None:
    emulator = Emulator(seed=0, units=3)
    with make_client(emulator) as c:
        pager = c.tiktok.iter_hashtag_posts("magic")
        seen = []
        with pytest.raises(errors.UnitsDepletedError):
            seen.extend(pager)
    assert len(seen) == 60
    assert pager.state.pages == 3  # the state still says where to resume
    assert emulator.stats.statuses[495] == 1


# -- local rejection: nothing is sent ------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        ("hashtag_search", {"hashtag": ""}),
        ("hashtag_search", {"hashtag": "two words"}),
        ("keyword_search", {"keyword": "tesla", "period": "365"}),
        ("keyword_search", {"keyword": "tesla", "period": "7", "country": "XX"}),
        ("user_info_from_username", {"username": "bad name"}),
        ("user_info_from_secuid", {"sec_uid": "not-a-secuid"}),
        ("post_info", {"url": "https://www.youtube.com/watch?v=1"}),
        ("multi_post_info", {"aweme_ids": [str(i) for i in range(101)]}),
        ("multi_post_info", {"aweme_ids": []}),
        ("post_comments", {"aweme_id": "abc"}),
        ("user_posts_from_username", {"username": "zachking", "depth": 0}),
        ("get_usage", {"date": "yesterday"}),
    ],
)
def test_bad_input_sends_nothing(
    emulator: Emulator, client: tokarc.Client, call: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(errors.InvalidInputError):
        method_of(client, call)(**kwargs)
    assert sum(emulator.stats.requests.values()) == 0
    assert client.units_used == 0


def test_bad_iterator_input_fails_at_once(emulator: Emulator, client: tokarc.Client) -> None:
    with pytest.raises(errors.InvalidInputError):
        client.tiktok.iter_hashtag_posts("#")
    assert sum(emulator.stats.requests.values()) == 0


# -- faults: retries give the same result as a clean run ------------------------------------

FAULTS = {"error_rate": 0.08, "rate_limit_rate": 0.06, "hang_rate": 0.06}


def collect(emulator: Emulator, n: int = 600) -> list[str | None]:
    with make_client(emulator, retry=tokarc.RetryPolicy.instant(attempts=8)) as c:
        return [record_key(p) for p in c.tiktok.iter_hashtag_posts("magic", max_items=n)]


@pytest.mark.slow
def test_faults_do_not_change_the_items() -> None:
    clean = collect(Emulator(seed=0))
    faulty = Emulator(seed=0, **FAULTS)
    assert collect(faulty) == clean
    assert sum(faulty.stats.faults.values()) >= 3  # faults really happened


async def test_async_faults_do_not_change_the_items() -> None:
    clean = collect(Emulator(seed=0), 300)
    faulty = Emulator(seed=0, **FAULTS)
    retry = tokarc.RetryPolicy.instant(attempts=8)
    async with tokarc.AsyncClient(
        TOKEN, base_url=BASE, transport=faulty.transport(), retry=retry
    ) as c:
        got = [record_key(p) async for p in c.tiktok.iter_hashtag_posts("magic", max_items=300)]
    assert got == clean


def test_faults_over_http_with_real_timeouts(live_emulator: Any) -> None:
    live_emulator.emulator.set_faults(**FAULTS, hang_seconds=2.0)
    retry = tokarc.RetryPolicy.instant(attempts=8)
    with tokarc.Client(TOKEN, base_url=live_emulator.base_url, retry=retry, timeout=0.5) as c:
        got = [record_key(p) for p in c.tiktok.iter_hashtag_posts("magic", max_items=200)]
    assert got == collect(Emulator(seed=0), 200)


async def test_async_default_transport_over_http_with_real_timeouts(live_emulator: Any) -> None:
    # The async default transport (aiohttp under httpx's interface): resets, 5xx, hangs past
    # the timeout all retried as with httpx's own, and the items are the same.
    live_emulator.emulator.set_faults(**FAULTS, hang_seconds=2.0)
    retry = tokarc.RetryPolicy.instant(attempts=8)
    async with tokarc.AsyncClient(
        TOKEN, base_url=live_emulator.base_url, retry=retry, timeout=0.5
    ) as c:
        got = [record_key(p) async for p in c.tiktok.iter_hashtag_posts("magic", max_items=200)]
    assert got == collect(Emulator(seed=0), 200)
    assert sum(live_emulator.emulator.stats.faults.values()) >= 3


async def test_async_unreachable_server_is_a_connect_error_without_the_token() -> None:
    retry = tokarc.RetryPolicy.instant(attempts=2)
    async with tokarc.AsyncClient(TOKEN, base_url="http://127.0.0.1:9/apis", retry=retry) as c:
        with pytest.raises(
            errors.ConnectError, match=re.escape("cannot reach http://127.0.0.1:9/apis")
        ) as e:
            await c.tiktok.hashtag_search("magic")
    assert TOKEN not in "".join(traceback.format_exception(e.value))


def test_retries_give_up_with_the_last_error() -> None:
    emulator = Emulator(seed=0, error_rate=1.0)
    with make_client(emulator, retry=tokarc.RetryPolicy.instant(attempts=3)) as c:
        with pytest.raises(errors.ServerError):
            c.tiktok.hashtag_search("magic")
    assert sum(emulator.stats.faults.values()) == 3  # three attempts, each failed


def test_malformed_bodies_are_reported() -> None:
    emulator = Emulator(seed=0, malformed_rate=1.0)
    with make_client(emulator, retry=tokarc.RetryPolicy.none()) as c:
        with pytest.raises(errors.MalformedResponseError, match="hashtag_search"):
            c.tiktok.hashtag_search("magic")


def test_unreachable_server() -> None:
    retry = tokarc.RetryPolicy.instant(attempts=2)
    with tokarc.Client(TOKEN, base_url="http://127.0.0.1:9/apis", retry=retry) as c:
        with pytest.raises(
            errors.ConnectError, match=re.escape("cannot reach http://127.0.0.1:9/apis")
        ):
            c.tiktok.hashtag_search("magic")


def test_missing_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("TOKARC_TOKEN", "ENSEMBLEDATA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOKARC_CONFIG", str(tmp_path / "none.toml"))
    with pytest.raises(errors.MissingTokenError, match="TOKARC_TOKEN"):
        tokarc.Client()


def test_token_from_environment_and_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from tokarc.client._config import write_config_file

    monkeypatch.delenv("TOKARC_TOKEN", raising=False)
    monkeypatch.delenv("ENSEMBLEDATA_TOKEN", raising=False)
    path = write_config_file({"token": "from-file"}, tmp_path / "config.toml")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("TOKARC_CONFIG", str(path))
    strict = Emulator(seed=0, require_token="from-file")
    with tokarc.Client(base_url=BASE, transport=strict.transport()) as c:
        assert c.tiktok.hashtag_search("magic").status_code == 200
    monkeypatch.setenv("ENSEMBLEDATA_TOKEN", "from-env")
    with tokarc.Client(base_url=BASE, transport=strict.transport()) as c:
        with pytest.raises(errors.InvalidTokenError):
            c.tiktok.hashtag_search("magic")


# -- the token never leaks -----------------------------------------------------------------


def test_token_never_leaks(
    live_emulator: Any, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    live_emulator.emulator.set_faults(error_rate=0.3)
    events: list[tokarc.CallEvent] = []
    texts: list[str] = []
    retry = tokarc.RetryPolicy.instant(attempts=2)
    with tokarc.Client(TOKEN, base_url=live_emulator.base_url, retry=retry) as c:
        c.add_listener(events.append)
        texts += [repr(c), str(c.config), repr(c.units)]
        for name in ("hashtag_search", "user_liked_posts", "user_info_from_secuid"):
            kwargs = SAMPLE_CALLS[name] if name != "user_liked_posts" else {"sec_uid": ZACH.sec_uid}
            try:
                response = method_of(c, name)(**kwargs)
                texts += [repr(response), str(response.params)]
            except tokarc.TokarcError as exc:
                texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        pager = c.tiktok.iter_hashtag_posts("magic", max_items=30)
        try:
            list(pager)
        except tokarc.TokarcError as exc:
            texts.append("".join(traceback.format_exception(exc)))
        texts.append(pager.state.to_json())
    with tokarc.Client(TOKEN, base_url="http://127.0.0.1:9/apis", retry=retry) as dead:
        try:
            dead.tiktok.hashtag_search("magic")
        except tokarc.TokarcError as exc:
            texts += [str(exc), "".join(traceback.format_exception(exc))]
    texts += [repr(e) for e in events]
    texts += [r.getMessage() for r in caplog.records]
    out = capsys.readouterr()
    texts += [out.out, out.err]
    assert any("HTTP Request" in t for t in texts)  # httpx did log its requests
    assert all(TOKEN not in t for t in texts)


def test_the_token_does_reach_the_server() -> None:
    seen: list[str] = []

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params["token"])
        return Emulator(seed=0).handle(request)

    with tokarc.Client(TOKEN, base_url=BASE, transport=httpx.MockTransport(spy)) as c:
        c.tiktok.hashtag_search("magic")
    assert seen == [TOKEN]
