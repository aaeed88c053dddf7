"""The emulator answers API.md's content codes (section 1.3) wherever their cause is met, asked
through the official SDK over HTTP: a username outside TikTok's rule is 463 INVALID_USER, a
well-formed unknown one 473; the fixtures' restricted topic, users and post are 469, 471, 474
and 520 on every endpoint that names them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ensembledata.api as official
import ensembledata.api._requester as requester
import pytest

POST_520 = "7000000000000000520"

CALLS: list[tuple[int, Callable[[Any], Any]]] = [
    (463, lambda t: t.user_info_from_username(username="x" * 40)),
    (463, lambda t: t.user_posts_from_username(username="not a name", depth=1)),
    (473, lambda t: t.user_info_from_username(username="x" * 24)),
    (469, lambda t: t.hashtag_search(hashtag="restrictedtopic")),
    (469, lambda t: t.full_hashtag_search(hashtag="#RestrictedTopic", days=7)),
    (469, lambda t: t.keyword_search(keyword="restrictedtopic", period="7")),
    (469, lambda t: t.full_keyword_search(keyword="restrictedtopic", period="7")),
    (471, lambda t: t.user_info_from_username(username="restricted.rita")),
    (471, lambda t: t.user_posts_from_username(username="@restricted.rita", depth=1)),
    (474, lambda t: t.user_info_from_username(username="unavailable.uma")),
    (520, lambda t: t.post_info(url=f"https://www.tiktok.com/@someone/video/{POST_520}")),
]


@pytest.mark.slow
def test_each_cause_gets_its_code(live_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(requester, "BASE_URL", live_emulator.base_url)
    client = official.EDClient("t", max_network_retries=1)
    answers = []
    for _, call in CALLS:
        with pytest.raises(official.EDError) as caught:
            call(client.tiktok)
        answers.append(caught.value.status_code)
        assert caught.value.detail
    assert answers == [code for code, _ in CALLS]
