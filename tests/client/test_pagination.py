"""Pagination: every cursor dialect, stops, dedupe, and exact resume."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import tokarc
from tokarc.api import endpoints as E
from tokarc.client.pagination import EXHAUSTED, MAX_ITEMS, SINCE, PagerState, record_key
from tokarc.errors import ResumeMismatchError

from .conftest import SAMPLE_CALLS

ITERATORS = [e for e in E.ENDPOINTS if e.iterator]


def iter_args(endpoint: E.Endpoint) -> dict[str, Any]:
    assert endpoint.pagination
    skip = {endpoint.pagination.cursor_param, endpoint.pagination.token_param, "depth"}
    return {k: v for k, v in SAMPLE_CALLS[endpoint.name].items() if k not in skip}


def keys(items: list[Any]) -> list[str | None]:
    return [record_key(i) for i in items]


@pytest.mark.parametrize("endpoint", ITERATORS, ids=lambda e: e.name)
def test_iterators_cross_pages(client: tokarc.Client, endpoint: E.Endpoint) -> None:
    assert endpoint.iterator
    pager = getattr(client.tiktok, endpoint.iterator)(**iter_args(endpoint), max_items=250)
    items = list(pager)
    assert items
    assert len(items) <= 250
    assert len(set(keys(items))) == len(items), "duplicates within a run"
    assert pager.state.done
    assert pager.stop_reason in (EXHAUSTED, MAX_ITEMS)
    assert pager.state.items == len(items)
    assert not pager.undecodable


@pytest.mark.parametrize("endpoint", ITERATORS, ids=lambda e: e.name)
async def test_async_iterators_match_sync(
    client: tokarc.Client, aclient: tokarc.AsyncClient, endpoint: E.Endpoint
) -> None:
    assert endpoint.iterator
    sync_items = list(
        getattr(client.tiktok, endpoint.iterator)(**iter_args(endpoint), max_items=120)
    )
    pager = getattr(aclient.tiktok, endpoint.iterator)(**iter_args(endpoint), max_items=120)
    async_items = [item async for item in pager]
    assert keys(async_items) == keys(sync_items)


@pytest.mark.slow
def test_hashtag_to_the_end(client: tokarc.Client) -> None:
    pager = client.tiktok.iter_hashtag_posts("magic")
    pages = list(pager.iter_pages())
    assert pager.stop_reason == EXHAUSTED
    assert pages[-1].next_cursor is None
    assert all(p.next_cursor is not None for p in pages[:-1])
    total = sum(len(p.items) for p in pages)
    assert 4000 <= total <= 5000  # the API's cap on a popular hashtag
    assert pager.state.pages == len(pages)
    assert pager.state.units == len(pages)


def test_followers_use_cursor_and_page_token(client: tokarc.Client) -> None:
    args = iter_args(E.get("user_followings"))
    pager = client.tiktok.iter_followings(**args, max_items=150)
    pages = list(pager.iter_pages())
    assert len(pages) == 2
    assert pages[1].response.params.get("page_token")
    assert pages[1].response.params.get("cursor") == pages[0].next_cursor


def test_user_posts_send_start_cursor_and_depth(client: tokarc.Client) -> None:
    pager = client.tiktok.iter_user_posts("zachking", depth=2, max_items=45)
    pages = list(pager.iter_pages())
    assert [len(p.items) for p in pages] == [20, 20, 5]
    assert pages[1].response.params["cursor"] == pages[0].next_cursor
    assert pager.state.units == 6


def test_max_items_trims_the_last_page(client: tokarc.Client) -> None:
    pager = client.tiktok.iter_hashtag_posts("magic", max_items=45)
    assert len(list(pager)) == 45
    assert pager.state.pages == 3
    assert pager.stop_reason == MAX_ITEMS


def test_since_stops_user_posts_but_keeps_pinned(client: tokarc.Client) -> None:
    every = list(client.tiktok.iter_user_posts("zachking", max_items=60))
    cut = sorted(p.create_time for p in every if not p.is_pinned)[-25]
    pager = client.tiktok.iter_user_posts("zachking", since=cut)
    recent = list(pager)
    assert {p.aweme_id for p in recent if not p.is_pinned} == {
        p.aweme_id for p in every if not p.is_pinned and p.create_time >= cut
    }
    assert pager.stop_reason in (SINCE, EXHAUSTED)
    assert pager.state.pages <= 4


def test_since_accepts_dates_and_deltas(client: tokarc.Client) -> None:
    since = dt.datetime(2026, 10, 25, tzinfo=dt.UTC)
    posts = list(client.tiktok.iter_hashtag_posts("magic", since=since, max_items=300))
    assert posts
    assert all(p.create_time >= since.timestamp() for p in posts)


def _resume_in_steps(client: tokarc.Client, stops: list[int]) -> list[str | None]:
    got: list[Any] = []
    state: PagerState | None = None
    for stop in stops:
        pager = client.tiktok.iter_hashtag_posts("magic", max_items=400, state=state)
        for item in pager:
            got.append(item)
            if len(got) == stop:
                break
        state = PagerState.from_json(pager.state.to_json())
    return keys(got)


def test_resume_is_exact(client: tokarc.Client) -> None:
    whole = keys(list(client.tiktok.iter_hashtag_posts("magic", max_items=400)))
    assert _resume_in_steps(client, [57, 60, 200, 399, 10_000]) == whole


async def test_async_resume_is_exact(aclient: tokarc.AsyncClient) -> None:
    whole = [record_key(p) async for p in aclient.tiktok.iter_comments("6849400000000")]
    pager = aclient.tiktok.iter_comments("6849400000000")
    first = []
    async for post in pager:
        first.append(record_key(post))
        if len(first) == 31:
            break
    rest = aclient.tiktok.iter_comments("6849400000000", state=pager.state)
    assert first + [record_key(p) async for p in rest] == whole
    assert len(whole) == 136


def test_resume_refuses_other_parameters(client: tokarc.Client) -> None:
    pager = client.tiktok.iter_hashtag_posts("magic", max_items=5)
    list(pager)
    with pytest.raises(ResumeMismatchError, match="hashtag_search"):
        client.tiktok.iter_hashtag_posts("cats", state=pager.state)
    with pytest.raises(ResumeMismatchError):
        client.tiktok.iter_comments("6849400000000", state=pager.state)


def test_finished_state_fetches_nothing(client: tokarc.Client) -> None:
    pager = client.tiktok.iter_comments("6849400000000")
    assert len(list(pager)) == 136
    used = client.units_used
    assert list(client.tiktok.iter_comments("6849400000000", state=pager.state)) == []
    assert client.units_used == used


async def test_sync_pager_refuses_async_iteration(client: tokarc.Client) -> None:
    pager = client.tiktok.iter_hashtag_posts("magic")
    with pytest.raises(TypeError, match="requires an object with __aiter__"):
        async for _ in pager:  # type: ignore[attr-defined]
            pass


def test_dedupe_memory_is_bounded_and_results_unchanged(
    client: tokarc.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tokarc.client import pagination

    whole = [p.aweme_id for p in client.tiktok.iter_hashtag_posts("magic", max_items=400)]
    monkeypatch.setattr(pagination, "SEEN_LIMIT", 50)
    monkeypatch.setattr(pagination, "SEEN_PAGES", 2)
    pager = client.tiktok.iter_hashtag_posts("magic", max_items=400)
    sizes = []
    got = []
    for page in pager.iter_pages():
        got += [p.aweme_id for p in page.items]
        sizes.append(len(pager._walk._seen))
    assert got == whole
    assert len(got) == 400
    assert max(sizes) <= 50 + 2 * 20


def test_no_pinned_posts_do_not_count_towards_max_items(client: tokarc.Client) -> None:
    pinned = [p for p in client.tiktok.iter_user_posts("zachking", max_items=15) if p.is_pinned]
    assert pinned  # zachking pins posts, on top
    posts = list(client.tiktok.iter_user_posts("zachking", max_items=15, no_pinned=True))
    assert len(posts) == 15
    assert not any(p.is_pinned for p in posts)


@pytest.mark.parametrize("first", [30, 40, 57])
def test_a_state_stopped_at_max_items_extends_to_a_larger_one(
    client: tokarc.Client, emulator: Any, first: int
) -> None:
    whole = keys(list(client.tiktok.iter_hashtag_posts("magic", max_items=100)))
    pager = client.tiktok.iter_hashtag_posts("magic", max_items=first)
    got = keys(list(pager))
    assert pager.stop_reason == MAX_ITEMS
    state = PagerState.from_json(pager.state.to_json())
    more = client.tiktok.iter_hashtag_posts("magic", max_items=100, state=state)
    got += keys(list(more))
    assert got == whole  # max_items counts the whole walk: 100 in all, none twice
    assert more.state.items == 100
    assert list(client.tiktok.iter_hashtag_posts("magic", max_items=100, state=more.state)) == []


def test_extending_by_pages_reads_the_rest_of_a_cut_page(client: tokarc.Client) -> None:
    whole = keys(list(client.tiktok.iter_hashtag_posts("magic", max_items=60)))
    pager = client.tiktok.iter_hashtag_posts("magic", max_items=25)
    got = [k for page in pager.iter_pages() for k in keys(page.items)]
    more = client.tiktok.iter_hashtag_posts("magic", max_items=60, state=pager.state)
    got += [k for page in more.iter_pages() for k in keys(page.items)]
    assert got == whole
