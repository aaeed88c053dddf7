"""Issue 24 item 2: the drop-in answers with the API's codes, every one of API.md's error table
(section 1.3), side by side with the official SDK against the same emulator over HTTP.

The cases are written from API.md's table, not from tokarc's endpoint or error tables: each
code, the emulator's settings and the call a reader of the SDK's docs makes to meet it. A code
the emulator's world produces by itself is met that way; the rest (codes for which the world
has no cause, such as 493 SUBSCRIPTION_EXPIRED) come from the ``error_status`` fault.
``tests/emulator/test_refusals.py`` checks the other endpoints that meet those causes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ensembledata.api as official
import ensembledata.api._requester as requester
import pytest

import tokarc
from tokarc.emulator import Emulator
from tokarc.errors import APIError, error_class

TOKEN = "GOOD-TOKEN"


@dataclass(frozen=True)
class Case:
    code: int
    call: Callable[[Any], Any]  # (client.tiktok or client.customer) -> the call
    settings: dict[str, Any] = field(default_factory=dict)  # the emulator's
    token: str = TOKEN


def _status(code: int) -> Case:
    """A code the world has no cause for: the ``error_status`` fault, on a plain call."""
    return Case(code, lambda c: c.tiktok.hashtag_search(hashtag="magic"), {"error_status": code})


POST_520 = "7000000000000000520"  # a post the emulator's world withholds (its fixtures)
IDS_101 = [str(7 * 10**18 + i) for i in range(101)]  # API.md: "more than 100 ids" is 464

# API.md 1.3: "Status codes named in the SDK errors.py". One case per row, in its order.
CASES = [
    Case(404, lambda c: c.tiktok.post_info(url="https://www.tiktok.com/@zachking/video/1")),
    Case(422, lambda c: c.tiktok.keyword_search(keyword="tesla", period="3")),
    Case(429, lambda c: c.tiktok.hashtag_search(hashtag="magic"), {"rate_limit_rate": 1.0}),
    Case(462, lambda c: c.tiktok.post_info(url="https://www.tiktok.com/nope")),
    Case(463, lambda c: c.tiktok.user_info_from_username(username="x" * 40)),
    Case(464, lambda c: c.tiktok.multi_post_info(aweme_ids=IDS_101)),
    _status(465),
    Case(466, lambda c: c.tiktok.keyword_search(keyword="tesla", period="7", country="XX")),
    Case(469, lambda c: c.tiktok.keyword_search(keyword="restrictedtopic", period="7")),
    Case(471, lambda c: c.tiktok.user_info_from_username(username="restricted.rita")),
    Case(472, lambda c: c.tiktok.user_posts_from_username(username="private.pat", depth=1)),
    Case(473, lambda c: c.tiktok.user_info_from_username(username="nobody.at.all")),
    Case(474, lambda c: c.tiktok.user_posts_from_username(username="unavailable.uma", depth=1)),
    Case(491, lambda c: c.tiktok.hashtag_search(hashtag="magic"), token="xxx"),
    _status(492),
    _status(493),
    Case(495, lambda c: c.tiktok.hashtag_search(hashtag="magic"), {"units": 0}),
    Case(500, lambda c: c.tiktok.hashtag_search(hashtag="magic"), {"error_rate": 1.0}),
    Case(520, lambda c: c.tiktok.post_info(url=f"https://www.tiktok.com/@a/video/{POST_520}")),
]  # fmt: skip
API_MD_CODES = [404, 422, 429, 462, 463, 464, 465, 466, 469, 471, 472, 473, 474, 491, 492, 493,
                495, 500, 520]  # fmt: skip


@pytest.fixture
def emulator(case: Case) -> Emulator:
    """The conftest's ``live_emulator`` serves this one: the case's settings, one token."""
    return Emulator(seed=0, require_token=TOKEN, **case.settings)


def _official(case: Case) -> official.EDError:
    client = official.EDClient(case.token, max_network_retries=1)
    with pytest.raises(official.EDError) as caught:
        case.call(client)
    return caught.value


def _tokarc(case: Case, base_url: str) -> tokarc.EDError:
    with (
        tokarc.EDClient(case.token, base_url=base_url, max_network_retries=1) as client,
        pytest.raises(tokarc.EDError) as caught,
    ):
        case.call(client)
    return caught.value


def _tokarc_async(case: Case, base_url: str) -> tokarc.EDError:
    async def run() -> None:
        async with tokarc.EDAsyncClient(
            case.token, base_url=base_url, max_network_retries=1
        ) as client:
            await case.call(client)

    with pytest.raises(tokarc.EDError) as caught:
        asyncio.run(run())
    return caught.value


def test_the_cases_are_api_md_table() -> None:
    assert [case.code for case in CASES] == API_MD_CODES


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[str(c.code) for c in CASES])
def test_dropin_raises_what_the_official_sdk_raises(
    case: Case, live_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(requester, "BASE_URL", live_emulator.base_url)
    sdk = _official(case)
    assert sdk.status_code == case.code, sdk.detail  # the emulator answers as API.md says
    assert sdk.detail
    for ours in (
        _tokarc(case, live_emulator.base_url),
        _tokarc_async(case, live_emulator.base_url),
    ):
        assert isinstance(ours, APIError)  # sent and answered, not refused locally
        assert type(ours) is error_class(case.code)
        assert (ours.status_code, ours.detail, ours.units_charged) == (
            sdk.status_code, sdk.detail, int(sdk.units_charged),
        )  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("case", [CASES[API_MD_CODES.index(463)]], ids=["463"])
def test_tokarc_client_refuses_locally_with_the_code_the_api_sends(
    case: Case, live_emulator: Any
) -> None:
    """tokarc's own Client keeps local validation (nothing sent, nothing spent), with the
    status the API answers the same input with: 463 for a username TikTok refuses."""
    with tokarc.Client(case.token, base_url=live_emulator.base_url) as client:
        with pytest.raises(tokarc.InvalidInputError) as caught:
            case.call(client)
        assert (caught.value.status_code, client.units_used) == (463, 0)
    assert sum(live_emulator.emulator.stats.requests.values()) == 0
    with tokarc.EDClient(case.token, base_url=live_emulator.base_url) as dropin:
        with pytest.raises(tokarc.EDError) as sent:
            case.call(dropin)
    assert sent.value.status_code == 463
    assert sum(live_emulator.emulator.stats.requests.values()) == 1  # the drop-in sent it
