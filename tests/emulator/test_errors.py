"""Every documented error code, with its ``{"detail": ...}`` body and ``units_charged`` header."""

from __future__ import annotations

import httpx
import pytest

from tokarc.api.guesses import ERROR_COST, MAX_POST_IDS
from tokarc.emulator import Emulator
from tokarc.emulator import _fixtures as F

from .conftest import BASE, Get

ZACH = next(u for u in F.FIXTURE_USERS if u.unique_id == "zachking")
PRIVATE = next(u for u in F.FIXTURE_USERS if u.private)


def _error(response: httpx.Response, status: int) -> object:
    assert response.status_code == status, response.text
    assert response.headers["units_charged"] == str(ERROR_COST)
    body = response.json()
    assert "data" not in body
    return body["detail"]


def test_missing_required_parameter_is_a_fastapi_422(get: Get) -> None:
    detail = _error(get("/tt/hashtag/posts"), 422)
    assert detail == [
        {"loc": ["query", "name"], "msg": "field required", "type": "value_error.missing"}
    ]


@pytest.mark.parametrize(
    ("path", "params", "wire"),
    [
        ("/tt/hashtag/posts", {"name": "magic", "cursor": "ten"}, "cursor"),
        ("/tt/keyword/search", {"name": "tesla", "period": "5"}, "period"),
        (
            "/tt/keyword/search",
            {"name": "tesla", "period": "7", "match_exactly": "maybe"},
            "match_exactly",
        ),
        ("/tt/user/posts", {"username": "zachking", "depth": "1.5"}, "depth"),
        ("/tt/music/info", {"name": "moon", "sorting": "9"}, "sorting"),
        ("/customer/get-used-units", {"date": "yesterday"}, "date"),
    ],
)
def test_bad_values_are_422(get: Get, path: str, params: dict[str, str], wire: str) -> None:
    detail = _error(get(path, **params), 422)
    assert isinstance(detail, list)
    assert detail[0]["loc"] == ["query", wire]


def test_booleans_are_accepted_as_the_official_sdk_sends_them(get: Get) -> None:
    for value in ("True", "False", "true", "0", "1"):
        assert (
            get("/tt/keyword/search", name="tesla", period="7", match_exactly=value).status_code
            == 200
        )


def test_missing_or_empty_token_is_491(http: httpx.Client) -> None:
    _error(http.get("/tt/hashtag/posts", params={"name": "magic"}), 491)
    _error(http.get("/tt/hashtag/posts", params={"name": "magic", "token": ""}), 491)


def test_require_token_rejects_other_tokens() -> None:
    emu = Emulator(require_token="right")
    with httpx.Client(transport=emu.transport(), base_url=BASE) as http:
        _error(http.get("/tt/hashtag/posts", params={"name": "magic", "token": "xxx"}), 491)
        ok = http.get("/tt/hashtag/posts", params={"name": "magic", "token": "right"})
        assert ok.status_code == 200


def test_malformed_post_url_is_462(get: Get) -> None:
    for url in ("https://example.com/video/1", "tiktok", "https://www.tiktok.com/@x/video/abc"):
        _error(get("/tt/post/info", url=url), 462)


def test_too_many_post_ids_is_464(get: Get) -> None:
    ids = ";".join(str(7_000_000_000_000_000_000 + i) for i in range(MAX_POST_IDS + 1))
    _error(get("/tt/post/multi-info", ids=ids), 464)
    ids = ";".join(str(7_000_000_000_000_000_000 + i) for i in range(MAX_POST_IDS))
    assert get("/tt/post/multi-info", ids=ids).json() == {"data": []}


def test_bad_country_is_466(get: Get) -> None:
    _error(get("/tt/keyword/search", name="tesla", period="7", country="XX"), 466)
    _error(get("/tt/live/search", keyword="music", country="ZZ"), 466)
    assert get("/tt/keyword/search", name="tesla", period="7", country="us").status_code == 200


def test_private_accounts_and_private_likes_are_472(get: Get) -> None:
    _error(get("/tt/user/posts", username=PRIVATE.unique_id, depth=1), 472)
    _error(get("/tt/user/posts-from-secuid", secUid=PRIVATE.sec_uid, depth=1), 472)
    _error(get("/tt/user/liked-posts", secUid=ZACH.sec_uid), 472)


def test_unknown_users_are_473(get: Get) -> None:
    _error(get("/tt/user/posts", username="no.such.user.anywhere", depth=1), 473)
    _error(get("/tt/user/info", username="no.such.user.anywhere"), 473)
    _error(get("/tt/user/info-from-secuid", secUid="MS4wLjABAAAAnope"), 473)
    _error(get("/tt/user/followers", id="1", secUid="nope"), 473)


def test_units_allowance_then_495() -> None:
    emu = Emulator(units=3)
    with httpx.Client(transport=emu.transport(), base_url=BASE) as http:
        params = {"token": "t", "name": "magic"}
        codes = [http.get("/tt/hashtag/posts", params=params).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 495, 495]
        _error(http.get("/tt/hashtag/posts", params=params), 495)
        usage = http.get("/customer/get-used-units", params={"token": "t", "date": "2026-11-01"})
        assert usage.json() == {"data": {"date": "2026-11-01", "units": 3}}


def test_unknown_path_and_unknown_post(get: Get) -> None:
    _error(get("/tt/no/such/endpoint"), 404)
    _error(get("/tt/post/info", url="https://www.tiktok.com/@x/video/7000000000000000001"), 404)
    _error(get("/tt/music/details", id="42"), 404)
