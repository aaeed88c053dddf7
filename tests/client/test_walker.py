"""The pure pagination engine, driven by hand-built responses shaped as API.md documents them
(the shapes of ``tests/contract/shapes.json``): no client, no emulator, no I/O."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

import pytest

from tokarc.api import endpoints as E
from tokarc.client._wire import Response
from tokarc.client.pagination import (
    EXHAUSTED,
    MAX_ITEMS,
    SINCE,
    STUCK,
    Pager,
    PagerState,
    Walker,
    record_key,
    to_unix,
)
from tokarc.errors import InvalidInputError, ResumeMismatchError

HASHTAG = E.BY_NAME["hashtag_search"]  # cursor -> data.nextCursor, newest first
KEYWORD = E.BY_NAME["keyword_search"]  # items wrapped in aweme_info, any order
USER_POSTS = E.BY_NAME["user_posts_from_username"]  # nextCursor at the top level
FOLLOWINGS = E.BY_NAME["user_followings"]  # cursor + page_token
COMMENTS = E.BY_NAME["post_comments"]

MAGIC = {"hashtag": "magic"}
ZACH = {"id": "6752887346621023238", "sec_uid": "MS4wLjABAAAA"}


def aweme(aweme_id: int, create_time: int = 1_700_000_000, pinned: bool = False) -> Any:
    return {"aweme_id": str(aweme_id), "create_time": create_time, "is_top": int(pinned)}


def user(uid: int) -> Any:
    return {"uid": str(uid), "unique_id": f"user{uid}"}


def body(endpoint: E.Endpoint, items: list[Any], **cursors: Any) -> dict[str, Any]:
    """A response body as API.md shows it: the list (wrapped where the endpoint wraps its
    items) and the cursor keys beside it; at the top level for user posts."""
    wrapped = [{"type": 1, endpoint.wrapper: i} for i in items] if endpoint.wrapper else items
    inner = {(endpoint.items or "").split(".")[-1]: wrapped, **cursors}
    return inner if endpoint.top_level else {"data": inner}


def response(endpoint: E.Endpoint, content: dict[str, Any] | None, units: int = 1) -> Response:
    encoded = json.dumps(content).encode()
    return Response(200, units, endpoint.name, {}, encoded, top_level=endpoint.top_level)


class Feed:
    """The server: the body for each cursor (and page token) sent; what was asked, in order."""

    def __init__(self, endpoint: E.Endpoint, pages: Mapping[Any, dict[str, Any] | None]) -> None:
        self.endpoint, self.pages = endpoint, pages
        self.asked: list[dict[str, Any]] = []

    def __call__(self, kwargs: dict[str, Any]) -> Response:
        self.asked.append(kwargs)
        assert self.endpoint.pagination
        key: Any = kwargs.get(self.endpoint.pagination.cursor_param)
        if self.endpoint.pagination.token_param:
            key = (key, kwargs.get(self.endpoint.pagination.token_param))
        return response(self.endpoint, self.pages[key])

    def cursors(self) -> list[Any]:
        assert self.endpoint.pagination
        return [a.get(self.endpoint.pagination.cursor_param) for a in self.asked]


def walk(walker: Walker[Any], feed: Feed, limit: int | None = None) -> list[str | None]:
    """The ids the walker hands out (through its I/O shell, :class:`Pager`), at most ``limit``."""
    items: Iterator[Any] = iter(Pager(walker, fetch=feed))
    return [record_key(r) for r in islice(items, limit)]


def three_pages(endpoint: E.Endpoint = HASHTAG) -> dict[Any, dict[str, Any] | None]:
    """Posts 1-8, three a page, on cursors 0 (sent as none), 3 and 6; the last has no cursor."""
    return {
        None: body(endpoint, [aweme(1), aweme(2), aweme(3)], nextCursor=3),
        3: body(endpoint, [aweme(4), aweme(5), aweme(6)], nextCursor=6),
        6: body(endpoint, [aweme(7), aweme(8)]),
    }


IDS = [str(i) for i in range(1, 9)]


# -- following the cursor --------------------------------------------------------------------


def test_an_offset_cursor_is_followed_to_the_last_page() -> None:
    feed = Feed(HASHTAG, three_pages())
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC))
    assert walk(walker, feed) == IDS
    assert feed.asked == [MAGIC, {**MAGIC, "cursor": 3}, {**MAGIC, "cursor": 6}]
    assert walker.state == PagerState(
        endpoint="hashtag_search", params=MAGIC, cursor=None, items=8, pages=3, units=3,
        done=True, stop_reason=EXHAUSTED, last_ids=["7", "8"],
    )  # fmt: skip
    assert walker.next_request() is None


def test_user_posts_read_the_cursor_at_the_top_level() -> None:
    cursor = 1_712_345_678_000  # a millisecond timestamp, API.md 3.5
    pages = {None: body(USER_POSTS, [aweme(1)], nextCursor=cursor), cursor: body(USER_POSTS, [])}
    feed = Feed(USER_POSTS, pages)
    walker: Walker[Any] = Walker(USER_POSTS, {"username": "zachking", "depth": 1})
    assert walk(walker, feed) == ["1"]
    assert feed.cursors() == [None, cursor]
    assert walker.state.stop_reason == EXHAUSTED


def test_a_page_token_goes_back_with_the_cursor_and_its_absence_ends_the_walk() -> None:
    pages = {
        (None, None): body(FOLLOWINGS, [user(1), user(2)], nextCursor=100, nextPageToken="t1=="),
        (100, "t1=="): body(FOLLOWINGS, [user(3)], total=3, nextCursor=200),  # no token: done
    }
    feed = Feed(FOLLOWINGS, pages)
    walker: Walker[Any] = Walker(FOLLOWINGS, dict(ZACH))
    assert walk(walker, feed) == ["1", "2", "3"]
    assert feed.asked == [ZACH, {**ZACH, "cursor": 100, "page_token": "t1=="}]
    assert (walker.state.cursor, walker.state.page_token) == (200, None)
    assert walker.state.stop_reason == EXHAUSTED


def test_the_page_token_is_read_as_sent() -> None:
    walker: Walker[Any] = Walker(FOLLOWINGS, dict(ZACH))
    token = 'opaque "token" \\ with JSON escapes é'
    page = walker.take(
        response(FOLLOWINGS, body(FOLLOWINGS, [user(1)], nextCursor=7, nextPageToken=token))
    )
    walker.finish_page()
    assert (page.cursor, page.next_cursor) == (None, 7)
    assert walker.next_request() == {**ZACH, "cursor": 7, "page_token": token}


def test_a_page_token_sent_as_a_number_is_kept_as_text_and_resumes() -> None:
    walker: Walker[Any] = Walker(FOLLOWINGS, dict(ZACH))
    walker.take(response(FOLLOWINGS, body(FOLLOWINGS, [user(1)], nextCursor=7, nextPageToken=42)))
    walker.finish_page()
    saved = PagerState.from_json(walker.state.to_json())  # a number would not load back as str
    assert saved.page_token == "42"
    resumed: Walker[Any] = Walker(FOLLOWINGS, dict(ZACH), state=saved)
    assert resumed.next_request() == {**ZACH, "cursor": 7, "page_token": "42"}


RAW_READS = [
    pytest.param(HASHTAG, MAGIC, {"nextCursor": 3}, id="cursor"),
    pytest.param(FOLLOWINGS, ZACH, {"nextCursor": 3, "nextPageToken": "t"}, id="page-token"),
]  # fmt: skip


@pytest.mark.parametrize(("endpoint", "params", "cursors"), RAW_READS)
def test_a_page_is_read_from_raw_slices_without_decoding_the_body(
    endpoint: E.Endpoint, params: dict[str, Any], cursors: dict[str, Any]
) -> None:
    walker: Walker[Any] = Walker(endpoint, dict(params))
    item = user(1) if endpoint.record == "user" else aweme(1)
    resp = response(endpoint, body(endpoint, [item], **cursors))
    assert [record_key(r) for r in walker.take(resp).items] == ["1"]
    assert "data" not in vars(resp)  # Response.data (a cached property) was never computed


def test_keyword_items_are_unwrapped() -> None:
    feed = Feed(KEYWORD, three_pages(KEYWORD))
    assert walk(Walker(KEYWORD, {"keyword": "tesla", "period": "180"}), feed) == IDS


def test_no_comments_is_data_null_and_ends_the_walk() -> None:
    walker: Walker[Any] = Walker(COMMENTS, {"aweme_id": "1"})
    page = walker.take(response(COMMENTS, {"data": None}))  # API.md 3.11
    walker.finish_page()
    assert (page.items, page.raw_count, page.next_cursor) == ([], 0, None)
    assert (walker.state.stop_reason, walker.next_request()) == (EXHAUSTED, None)


def test_an_empty_page_with_a_new_cursor_goes_on() -> None:
    pages = {None: body(HASHTAG, [], nextCursor=3), 3: body(HASHTAG, [aweme(1)])}
    feed = Feed(HASHTAG, pages)
    assert walk(Walker(HASHTAG, dict(MAGIC)), feed) == ["1"]
    assert feed.cursors() == [None, 3]


def test_the_cursor_sent_back_again_is_stuck_not_a_loop() -> None:
    pages = {
        None: body(HASHTAG, [aweme(1)], nextCursor=3),
        3: body(HASHTAG, [aweme(2)], nextCursor=3),
    }
    feed = Feed(HASHTAG, pages)
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC))
    assert walk(walker, feed) == ["1", "2"]  # the stuck page's own items are handed out
    assert feed.cursors() == [None, 3]
    assert walker.state.stop_reason == STUCK


def test_a_new_page_token_on_the_same_cursor_is_not_stuck() -> None:
    pages = {
        (None, None): body(FOLLOWINGS, [user(1)], nextCursor=5, nextPageToken="a"),
        (5, "a"): body(FOLLOWINGS, [user(2)], nextCursor=5, nextPageToken="b"),
        (5, "b"): body(FOLLOWINGS, [user(3)], nextCursor=5, nextPageToken="b"),
    }
    walker: Walker[Any] = Walker(FOLLOWINGS, dict(ZACH))
    assert walk(walker, Feed(FOLLOWINGS, pages)) == ["1", "2", "3"]
    assert walker.state.stop_reason == STUCK


def test_a_walker_needs_an_endpoint_that_pages() -> None:
    with pytest.raises(ValueError, match="music_details does not page"):
        Walker(E.BY_NAME["music_details"], {"music_id": "1"})


# -- what a page hands out -------------------------------------------------------------------


def test_repeats_within_a_page_and_from_the_page_before_are_handed_out_once() -> None:
    pages = {
        None: body(HASHTAG, [aweme(1), aweme(2), aweme(2)], nextCursor=3),
        3: body(HASHTAG, [aweme(2), aweme(3)]),  # offsets shifted: post 2 again
    }
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC))
    first = walker.take(response(HASHTAG, pages[None]))
    walker.finish_page()
    second = walker.take(response(HASHTAG, pages[3]))
    assert ([record_key(r) for r in first.items], first.raw_count) == (["1", "2"], 3)
    assert ([record_key(r) for r in second.items], second.raw_count) == (["3"], 2)


def test_items_that_do_not_decode_are_kept_aside_and_not_counted() -> None:
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC))
    page = walker.take(response(HASHTAG, body(HASHTAG, [aweme(1), {"desc": "no id"}, aweme(2)])))
    walker.finish_page()
    assert [record_key(r) for r in page.items] == ["1", "2"]
    assert [(u.kind, bytes(u.raw)) for u in page.undecodable] == [("post", b'{"desc": "no id"}')]
    assert page.raw_count == 3
    assert (walker.state.items, walker.state.last_ids) == (2, ["1", "2"])


def test_units_add_up_over_the_walk() -> None:
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC))
    walker.take(response(HASHTAG, body(HASHTAG, [aweme(1)], nextCursor=3), units=2))
    walker.finish_page()
    walker.take(response(HASHTAG, body(HASHTAG, [aweme(2)]), units=5))
    walker.finish_page()
    assert (walker.state.units, walker.state.pages) == (7, 2)


# -- max_items -------------------------------------------------------------------------------


def test_max_items_cuts_a_page_and_a_resume_with_more_reads_its_rest() -> None:
    feed = Feed(HASHTAG, three_pages())
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC), max_items=5)
    assert walk(walker, feed) == IDS[:5]
    cut = walker.state
    assert (cut.cursor, cut.skip, cut.items, cut.pages) == (3, 2, 5, 2)
    assert (cut.done, cut.stop_reason) == (True, MAX_ITEMS)
    assert walk(Walker(HASHTAG, dict(MAGIC), max_items=5, state=cut), feed) == []
    more: Walker[Any] = Walker(HASHTAG, dict(MAGIC), state=cut)
    assert walk(more, feed) == IDS[5:]
    assert feed.cursors() == [None, 3, 3, 6]  # the cut page is asked for again, once
    assert (more.state.items, more.state.stop_reason) == (8, EXHAUSTED)
    assert (more.state.pages, more.state.units) == (4, 4)  # responses read, the cut one twice


def test_max_items_at_a_page_boundary_resumes_on_the_next_page() -> None:
    feed = Feed(HASHTAG, three_pages())
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC), max_items=3)
    assert walk(walker, feed) == IDS[:3]
    assert (walker.state.cursor, walker.state.skip, walker.state.stop_reason) == (3, 0, MAX_ITEMS)
    assert walk(Walker(HASHTAG, dict(MAGIC), max_items=6, state=walker.state), feed) == IDS[3:6]
    assert feed.cursors() == [None, 3]  # page 2 answered both max_items: no page 2 again


def test_max_items_zero_asks_for_nothing() -> None:
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC), max_items=0)
    assert walker.next_request() is None
    assert (walker.state.done, walker.state.stop_reason, walker.state.pages) == (True, MAX_ITEMS, 0)


def test_left_out_pinned_posts_do_not_count_towards_max_items() -> None:
    page = body(HASHTAG, [aweme(1, pinned=True), aweme(2), aweme(3)], nextCursor=3)
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC), max_items=2, no_pinned=True)
    assert walk(walker, Feed(HASHTAG, {None: page})) == ["2", "3"]
    assert walker.state.stop_reason == MAX_ITEMS


# -- state: round trip and resume ------------------------------------------------------------


def test_a_state_saved_mid_page_resumes_at_the_next_item() -> None:
    feed = Feed(HASHTAG, three_pages())
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC))
    assert walk(walker, feed, limit=4) == IDS[:4]  # the consumer stopped after post 4
    saved = walker.state.to_json()
    state = PagerState.from_json(saved)
    assert state == walker.state
    assert (state.cursor, state.skip, state.items, state.pages) == (3, 1, 4, 1)
    assert state.last_ids == ["1", "2", "3"]
    assert walk(Walker(HASHTAG, dict(MAGIC), state=state), feed) == IDS[4:]
    assert feed.cursors() == [None, 3, 3, 6]


def test_a_resume_does_not_change_the_state_it_was_given() -> None:
    state = PagerState(endpoint="hashtag_search", params=dict(MAGIC), cursor=3, items=3, pages=1)
    before = state.to_json()
    walk(Walker(HASHTAG, dict(MAGIC), state=state), Feed(HASHTAG, three_pages()))
    assert state.to_json() == before


def test_a_finished_state_asks_for_nothing() -> None:
    done = PagerState(endpoint="hashtag_search", params=dict(MAGIC), done=True,
                      stop_reason=EXHAUSTED)  # fmt: skip
    assert Walker(HASHTAG, dict(MAGIC), state=done, max_items=100).next_request() is None


def test_a_state_resumes_only_the_same_endpoint_and_parameters() -> None:
    state = PagerState(endpoint="hashtag_search", params={"hashtag": "magic", "cursor": 0})
    assert Walker(HASHTAG, {"cursor": 0, "hashtag": "magic"}, state=state).state == state
    for endpoint, params in ((HASHTAG, {"hashtag": "cats", "cursor": 0}),
                             (KEYWORD, {"hashtag": "magic", "cursor": 0})):  # fmt: skip
        with pytest.raises(ResumeMismatchError, match="start a new run instead"):
            Walker(endpoint, params, state=state)


# -- since -----------------------------------------------------------------------------------


def test_since_drops_older_posts_and_stops_newest_first_feeds_at_a_page_of_them() -> None:
    pages = {
        None: body(HASHTAG, [aweme(1, 1300), aweme(2, 1200)], nextCursor=2),
        2: body(HASHTAG, [aweme(3, 1050), aweme(4, 900)], nextCursor=4),
        4: body(HASHTAG, [aweme(5, 700), aweme(6, 600)], nextCursor=6),
    }
    feed = Feed(HASHTAG, pages)
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC), since=1000)
    assert walk(walker, feed) == ["1", "2", "3"]
    assert feed.cursors() == [None, 2, 4]  # page 4 had nothing new: no page 6
    assert (walker.state.stop_reason, walker.state.items) == (SINCE, 3)


def test_since_is_not_met_by_a_recent_pinned_post() -> None:
    pages = {None: body(USER_POSTS, [aweme(1, 2000, pinned=True), aweme(2, 500)], nextCursor=9)}
    walker: Walker[Any] = Walker(USER_POSTS, {"username": "zachking", "depth": 1}, since=1000)
    assert walk(walker, Feed(USER_POSTS, pages)) == ["1"]  # pinned: kept, but not new enough
    assert walker.state.stop_reason == SINCE


def test_since_filters_but_never_stops_a_feed_in_another_order() -> None:
    pages = {
        None: body(KEYWORD, [aweme(1, 500), aweme(2, 400)], nextCursor=2),
        2: body(KEYWORD, [aweme(3, 2000)]),
    }
    walker: Walker[Any] = Walker(KEYWORD, {"keyword": "tesla"}, since=1000)
    assert walk(walker, Feed(KEYWORD, pages)) == ["3"]
    assert walker.state.stop_reason == EXHAUSTED


def test_records_without_a_time_are_never_too_old() -> None:
    walker: Walker[Any] = Walker(HASHTAG, dict(MAGIC), since=1000)
    item = {"aweme_id": "1"}
    assert [record_key(r) for r in walker.take(response(HASHTAG, body(HASHTAG, [item]))).items] == [
        "1"
    ]


@pytest.mark.parametrize(
    ("since", "unix"),
    [
        ("2026-11-01", 1_793_491_200),
        ("2026-11-01T12:00:00+01:00", 1_793_530_800),
        (dt.date(2026, 11, 1), 1_793_491_200),
        (dt.datetime(2026, 11, 1, 12), 1_793_534_400),  # naive: UTC
        (1_793_491_200.9, 1_793_491_200),
        (None, None),
    ],
)
def test_since_in_any_form_is_unix_seconds(since: Any, unix: int | None) -> None:
    assert to_unix(since) == unix
    assert Walker(HASHTAG, dict(MAGIC), since=since).since == unix


def test_since_that_is_not_a_date_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="invalid since 'last week'"):
        to_unix("last week")
