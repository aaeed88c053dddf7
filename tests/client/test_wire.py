"""The wire protocol on its own: prepare a call, parse a reply. No transport, no event loop."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from tokarc import errors
from tokarc.api import endpoints as E
from tokarc.client import _wire as W

SEC_UID = "MS4wLjABAAAAv7iSuuXDJGDvJkmH_vz1qkDZYo1apxgzaxdBSeIuPiM"


def reply(status: int, body: bytes, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=body, headers=headers)


def test_prepare_checks_and_renames_to_the_wire() -> None:
    call = W.prepare(E.get("user_posts_from_secuid"), {"sec_uid": SEC_UID, "depth": 2})
    assert call.path == "/tt/user/posts-from-secuid"
    assert call.params["sec_uid"] == SEC_UID
    assert call.wire["secUid"] == SEC_UID
    assert "sec_uid" not in call.wire


def test_prepare_joins_post_ids_and_never_carries_a_token() -> None:
    call = W.prepare(E.get("multi_post_info"), {"aweme_ids": ["1", "2"]}, {"token": "leak"})
    assert call.wire["ids"] == "1;2"
    assert "token" not in call.wire


def test_prepare_refuses_bad_input_before_anything_is_sent() -> None:
    with pytest.raises(errors.InvalidInputError):
        W.prepare(E.get("hashtag_search"), {"hashtag": ""})


def test_prepare_raw_keeps_the_path_and_drops_none_and_the_token() -> None:
    call = W.prepare_raw("tt/custom", {"a": 1, "b": None, "token": "x"}, None)
    assert (call.path, call.wire, call.name) == ("/tt/custom", {"a": 1}, "/tt/custom")


def test_parse_success_reads_units_and_decodes_data_lazily() -> None:
    call = W.prepare(E.get("hashtag_search"), {"hashtag": "magic"})
    response = W.parse(
        call, reply(200, b'{"data": {"data": [], "nextCursor": 20}}', units_charged="1")
    )
    assert response.units_charged == 1
    assert response.data == {"data": [], "nextCursor": 20}
    assert bytes(response.raw_at("nextCursor") or b"") == b"20"
    assert response.raw_at("missing.deeper") is None


def test_parse_top_level_endpoints_keep_the_whole_payload() -> None:
    call = W.prepare(E.get("user_posts_from_username"), {"username": "zachking", "depth": 1})
    response = W.parse(call, reply(200, b'{"data": [], "nextCursor": 5}'))
    assert response.data == {"data": [], "nextCursor": 5}
    assert response.units_charged == 0  # no header: 0, as the SDK reads it


def test_parse_maps_the_status_to_its_exception_with_units() -> None:
    call = W.prepare(E.get("user_info_from_username"), {"username": "nobody"})
    with pytest.raises(errors.UserNotFoundError) as caught:
        W.parse(call, reply(473, b'{"detail": "user not found"}', units_charged="1"))
    assert (caught.value.status_code, caught.value.units_charged) == (473, 1)
    assert caught.value.detail == "user not found"


@pytest.mark.parametrize(
    "body", [b"<html>busy</html>", b"[1, 2]", b'{"neither": 1}', b""], ids=repr
)
def test_parse_a_body_that_is_not_the_api_s_json_is_malformed(body: bytes) -> None:
    call = W.prepare(E.get("hashtag_search"), {"hashtag": "magic"})
    with pytest.raises(errors.MalformedResponseError) as caught:
        W.parse(call, reply(200, body, units_charged="1"))
    assert caught.value.units_charged == 1  # charged all the same: budgets must count it


def test_units_header_garbled_or_fractional() -> None:
    assert W.units_of(httpx.Headers({"units_charged": "2.0"})) == 2
    assert W.units_of(httpx.Headers({"units_charged": "lots"})) == 0


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert W.retry_after_of(httpx.Headers({"retry-after": "3"})) == 3.0
    soon = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 50 <= (W.retry_after_of(httpx.Headers({"retry-after": soon})) or 0) <= 61
    assert W.retry_after_of(httpx.Headers({"retry-after": ""})) is None
    assert W.retry_after_of(httpx.Headers()) is None


def test_a_secret_never_shows_itself() -> None:
    secret = W.Secret("tok-SEKRET")
    assert "SEKRET" not in repr(secret) + str(secret) + f"{secret}"
    assert secret.reveal() == "tok-SEKRET"
