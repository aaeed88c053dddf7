"""Every endpoint of the table, sync and async, against the emulator."""

from __future__ import annotations

from typing import Any

import pytest

import tokarc
from tokarc.api import endpoints as E
from tokarc.client.pagination import raw_items
from tokarc.models import decode_many

from .conftest import SAMPLE_CALLS, method_of


def test_samples_cover_the_table() -> None:
    assert set(SAMPLE_CALLS) == set(E.BY_NAME)


def check_response(name: str, response: tokarc.Response) -> None:
    endpoint = E.get(name)
    assert response.status_code == 200
    assert isinstance(response.units_charged, int)
    assert response.units_charged >= endpoint.cost.base
    assert response.endpoint == name
    if endpoint.record is None:
        assert response.data is not None
        return
    items = raw_items(endpoint, response.data)
    assert items, f"{name} returned no records"
    records, bad = decode_many(endpoint.record, items)
    assert not bad
    assert len(records) == len(items)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SAMPLE_CALLS))
def test_sync(client: tokarc.Client, name: str) -> None:
    check_response(name, method_of(client, name)(**SAMPLE_CALLS[name]))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SAMPLE_CALLS))
async def test_async(aclient: tokarc.AsyncClient, name: str) -> None:
    check_response(name, await method_of(aclient, name)(**SAMPLE_CALLS[name]))


def test_user_posts_keep_the_top_level_envelope(client: tokarc.Client) -> None:
    data = client.tiktok.user_posts_from_username(username="zachking", depth=1).data
    assert isinstance(data["data"], list)
    assert "nextCursor" in data


def test_positional_first_argument(client: tokarc.Client) -> None:
    assert client.tiktok.hashtag_search("#magic").data["data"]


def test_raw_request_for_paths_outside_the_table(client: tokarc.Client) -> None:
    response = client.request("/tt/hashtag/posts", {"name": "magic", "cursor": 20})
    assert len(response.data["data"]) == 20


def test_units_are_totalled_per_endpoint(client: tokarc.Client) -> None:
    spent: dict[str, int] = {}
    for name in ("hashtag_search", "user_posts_from_secuid", "hashtag_search", "post_comments"):
        response = method_of(client, name)(**SAMPLE_CALLS[name])
        spent[name] = spent.get(name, 0) + response.units_charged
    assert dict(client.units.by_endpoint) == spent
    assert client.units_used == sum(spent.values())
    assert spent["user_posts_from_secuid"] == 2  # depth=2


def test_listeners_see_every_call(client: tokarc.Client) -> None:
    events: list[tokarc.CallEvent] = []
    client.add_listener(events.append)
    client.tiktok.hashtag_search("magic", cursor=40)
    with pytest.raises(tokarc.APIError):
        client.tiktok.user_liked_posts(sec_uid=SAMPLE_CALLS["user_info_from_secuid"]["sec_uid"])
    assert [e.endpoint for e in events] == ["hashtag_search", "user_liked_posts"]
    assert events[0].params == {"hashtag": "magic", "cursor": 40}
    assert events[0].status_code == 200
    assert events[1].error
    assert events[1].status_code == 472


def _official(base_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    import ensembledata.api._requester as requester
    from ensembledata.api import EDClient

    monkeypatch.setattr(requester, "BASE_URL", base_url)
    return EDClient("tok-official")


@pytest.mark.parametrize("name", sorted(SAMPLE_CALLS))
def test_same_data_as_the_official_sdk(
    live_emulator: Any, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    official = _official(live_emulator.base_url, monkeypatch)
    theirs = method_of(official, name)(**SAMPLE_CALLS[name])
    with tokarc.EDClient("tok-ours", base_url=live_emulator.base_url) as ours:
        mine = method_of(ours, name)(**SAMPLE_CALLS[name])
    assert mine.data == theirs.data
    assert mine.units_charged == int(theirs.units_charged)
    assert mine.status_code == theirs.status_code


@pytest.mark.slow
def test_one_emulator_serves_many_threads(emulator: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    tags = ["magic", "fyp", "tesla", "cooking", "cats", "travel"]

    def walk(tag: str) -> list[str]:
        with tokarc.Client("t", base_url="http://e/apis", transport=emulator.transport()) as c:
            return [p.aweme_id for p in c.tiktok.iter_hashtag_posts(tag, max_items=200)]

    alone = [walk(tag) for tag in tags]
    with ThreadPoolExecutor(6) as pool:
        together = list(pool.map(walk, tags))
    assert together == alone
