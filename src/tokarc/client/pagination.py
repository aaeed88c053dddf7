"""Pagination: items across pages, pages on request, and a state to stop and resume exactly.

One engine, :class:`Walker`, understands the three cursor dialects of the endpoint table
(``cursor`` → ``nextCursor``; ``start_cursor`` + ``depth``; ``cursor`` + ``page_token``). It is
pure: it says what to request next and digests what came back. :class:`Pager` adds the I/O, in a
few lines for sync and for async iteration::

    with tokarc.Client(token) as client:
        pager = client.tiktok.iter_hashtag_posts("magic", max_items=100)
        for post in pager:
            print(post.aweme_id, post.desc)
        saved = pager.state.to_json()        # later: iter_hashtag_posts("magic", state=...)

    async with tokarc.AsyncClient(token) as client:
        async for post in client.tiktok.iter_hashtag_posts("magic", max_items=100):
            ...
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import msgspec

from .._time import parse_date, unix, wall
from ..api import endpoints as E
from ..errors import ResumeMismatchError
from ..models import Undecodable, decode_many, decode_many_json
from ..status import StopReason
from ._wire import Response

T = TypeVar("T")
Since = dt.datetime | dt.date | dt.timedelta | int | float | str
Fetch = Callable[[dict[str, Any]], Response]
AsyncFetch = Callable[[dict[str, Any]], Awaitable[Response]]

# Why a run ended.
EXHAUSTED = StopReason.EXHAUSTED
MAX_ITEMS = StopReason.MAX_ITEMS
SINCE = StopReason.SINCE
STUCK = StopReason.STUCK  # the server sent back the cursor it was given: stop, not loop

SEEN_PAGES = 50  # how many pages back a repeated record is still recognized (see Walker)
SEEN_LIMIT = 10_000  # ids kept before the older ones are forgotten


class PagerState(msgspec.Struct, kw_only=True):
    """Where a paginated run is: small, JSON-serializable, enough to resume exactly.

    ``cursor``/``page_token`` locate the page being read, ``skip`` how many of its items were
    already yielded, ``last_ids`` the previous page's ids (offsets shift when posts arrive, so a
    page can repeat the end of the one before).

    ``items`` counts the items of the whole walk, across resumes: ``max_items`` bounds that
    total, not one run. A walk that stopped at ``max_items`` goes on when resumed with a
    larger ``max_items`` (or none), from the item after the last one handed out, even in the
    middle of a page. ``pages`` and ``units`` count the walk's pages and what they were
    charged, across resumes (failed attempts and retries are not pages: the client's
    ``Units`` and the store's ledger count those too).
    """

    endpoint: str
    params: dict[str, Any]
    cursor: int | str | None = None
    page_token: str | None = None
    skip: int = 0
    items: int = 0
    pages: int = 0
    units: int = 0
    done: bool = False
    stop_reason: str | None = None
    last_ids: list[str] = msgspec.field(default_factory=list)

    def to_json(self) -> str:
        return msgspec.json.encode(self).decode()

    @classmethod
    def from_json(cls, text: str | bytes) -> PagerState:
        return msgspec.json.decode(text, type=cls)


@dataclass
class Page(Generic[T]):
    """One response's worth of records (after dedupe, ``since`` and ``max_items``)."""

    items: list[T]
    response: Response
    cursor: int | str | None
    next_cursor: int | str | None
    undecodable: list[Undecodable] = field(default_factory=list)
    raw_count: int = 0  # items the server sent, before any filter


def to_unix(since: Since | None) -> int | None:
    """Seconds since the epoch for a `since` given as a datetime, date, timedelta, number, or
    ISO 8601 text ("2026-11-01", "2026-11-01T12:00:00+00:00"); naive times are UTC."""
    if since is None:
        return None
    if isinstance(since, str):
        return parse_date(since)
    if isinstance(since, dt.timedelta):
        return int(wall() - since.total_seconds())
    if isinstance(since, dt.date):
        return unix(since)
    return int(since)


def dig(data: Any, path: str) -> Any:
    """The value at a dotted path of ``Response.data`` (``""`` is the data itself)."""
    for key in path.split(".") if path else ():
        data = data.get(key) if isinstance(data, Mapping) else None
    return data


def raw_items(endpoint: E.Endpoint, data: Any) -> list[Any]:
    """The raw records of a response, unwrapped (keyword search's ``aweme_info``...)."""
    found = dig(data, endpoint.items or "")
    found = [found] if endpoint.single and found is not None else found
    items = found if isinstance(found, list) else []
    if endpoint.wrapper:
        return [i.get(endpoint.wrapper, i) if isinstance(i, Mapping) else i for i in items]
    return items


_raw_list = msgspec.json.Decoder(list[msgspec.Raw])
_raw_members = msgspec.json.Decoder(dict[str, msgspec.Raw])


def json_items(endpoint: E.Endpoint, response: Response) -> list[msgspec.Raw]:
    """:func:`raw_items`, as undecoded JSON slices of the body: the pager's fast path."""
    found = response.raw_at(endpoint.items or "")
    if found is None or bytes(memoryview(found)[:4]) == b"null":
        return []
    items = [found] if endpoint.single else _raw_list.decode(found)
    return [_unwrap(i, endpoint.wrapper) for i in items] if endpoint.wrapper else items


def _unwrap(item: msgspec.Raw, wrapper: str) -> msgspec.Raw:
    if bytes(memoryview(item)[:1]) != b"{":
        return item
    return _raw_members.decode(item).get(wrapper, item)


def decode_page(
    endpoint: E.Endpoint, response: Response
) -> tuple[list[Any], list[Undecodable], int]:
    """The records of a response, the items that would not decode, and the item count."""
    kind = endpoint.record or "post"
    try:
        items = json_items(endpoint, response)
    except msgspec.DecodeError:  # a list where an object was expected...: take the slow road
        pass
    else:
        records, bad = decode_many_json(kind, items)
        return records, bad, len(items)
    raws = raw_items(endpoint, response.data)
    records, bad = decode_many(kind, raws)
    return records, bad, len(raws)


def read_cursor(response: Response, path: str) -> Any:
    """The cursor (or page token) at ``path``, or None when absent."""
    found = response.raw_at(path)
    return None if found is None else msgspec.json.decode(found)


def _token(value: Any) -> str | None:
    """A page token as the state keeps it: text (one sent as a JSON number too)."""
    return None if value is None or value == "" else str(value)


def record_key(record: Any) -> str | None:
    """The id a record is known by (its type says which attribute: ``key``)."""
    return record.ident() if hasattr(record, "ident") else None


class Walker(Generic[T]):
    """The pure pagination engine for one endpoint and one set of parameters."""

    def __init__(
        self,
        endpoint: E.Endpoint,
        params: dict[str, Any],
        *,
        max_items: int | None = None,
        since: Since | None = None,
        state: PagerState | None = None,
        no_pinned: bool = False,
    ) -> None:
        if endpoint.pagination is None:
            raise ValueError(f"{endpoint.name} does not page")
        self.endpoint = endpoint
        self.pagination: E.Pagination = endpoint.pagination
        self.max_items = max_items
        self.since = to_unix(since)
        self.no_pinned = no_pinned
        self.state = (
            self._resume(state, params)
            if state
            else PagerState(endpoint=endpoint.name, params=params)
        )
        # Ids already handed out, for dedupe: those of the last SEEN_PAGES pages only, so that
        # memory stays flat over a run of a million records (a resumed run knows the last
        # page's, ``last_ids``; repeats come from offsets shifting by a page or so).
        self._seen: dict[str, int] = dict.fromkeys(self.state.last_ids, self.state.pages)
        self._next: PagerState | None = None

    def _resume(self, state: PagerState, params: dict[str, Any]) -> PagerState:
        if state.endpoint != self.endpoint.name or _canon(state.params) != _canon(params):
            raise ResumeMismatchError(
                f"this saved state is for {state.endpoint} with {state.params}, "
                f"not {self.endpoint.name} with {params}; start a new run instead"
            )
        state = msgspec.structs.replace(state)
        if state.done and state.stop_reason == MAX_ITEMS and not self._reached(state.items):
            state.done, state.stop_reason = False, None  # asked for more: go on
        return state

    def _reached(self, items: int) -> bool:
        return self.max_items is not None and items >= self.max_items

    def next_request(self) -> dict[str, Any] | None:
        """The keyword arguments of the next call, or None when the run is over."""
        if self.state.done:
            return None
        if self._reached(self.state.items):
            self._end(MAX_ITEMS)
            return None
        kwargs = dict(self.state.params)
        if self.state.cursor is not None:
            kwargs[self.pagination.cursor_param] = self.state.cursor
        if self.pagination.token_param and self.state.page_token is not None:
            kwargs[self.pagination.token_param] = self.state.page_token
        return kwargs

    def take(self, response: Response) -> Page[T]:
        """Digest one response: decode, filter, and work out where the next page is."""
        records, bad, count = decode_page(self.endpoint, response)
        kept, fresh = self._filter(records)
        kept = kept[self.state.skip :]
        given = self._cap(kept)
        next_cursor = read_cursor(response, self.pagination.next_cursor)
        if len(given) < len(kept):  # max_items cut this page: a resume reads its rest
            self._next = self._within(response, len(given))
        else:
            self._next = self._after(response, records, next_cursor, fresh, len(given))
        return Page(given, response, self.state.cursor, next_cursor, bad, count)

    def count_item(self) -> None:
        """Record that one more item of the current page was handed out."""
        self.state.skip += 1
        self.state.items += 1

    def finish_page(self) -> None:
        """Move the state past the page just read."""
        if self._next is not None:
            self.state, self._next = self._next, None

    def _within(self, response: Response, given: int) -> PagerState:
        """The state after a page that max_items cut: still on it, ``given`` items further."""
        state = self.state
        return msgspec.structs.replace(
            state,
            skip=state.skip + given,
            items=state.items + given,
            pages=state.pages + 1,
            units=state.units + response.units_charged,
            done=True,
            stop_reason=MAX_ITEMS,
        )

    def _filter(self, records: list[Any]) -> tuple[list[Any], bool]:
        kept: list[Any] = []
        fresh = False
        page = self.state.pages
        self._forget(page - SEEN_PAGES)
        for record in records:
            key = record_key(record)
            if key is not None and key in self._seen:
                self._seen[key] = page  # seen again: kept as recent
                continue
            if key is not None:
                self._seen[key] = page
            if too_old(record, self.since):
                continue
            if self.no_pinned and getattr(record, "is_pinned", False):
                continue  # left out, and so not counted towards max_items
            fresh = fresh or not getattr(record, "is_pinned", False)
            kept.append(record)
        return kept, fresh

    def _forget(self, before: int) -> None:
        """Drop the ids last seen on a page before ``before``."""
        if len(self._seen) > SEEN_LIMIT:
            self._seen = {k: p for k, p in self._seen.items() if p >= before}

    def _cap(self, kept: list[Any]) -> list[Any]:
        if self.max_items is None:
            return kept
        return kept[: max(0, self.max_items - self.state.items)]

    def _after(
        self, response: Response, records: list[Any], next_cursor: Any, fresh: bool, kept: int
    ) -> PagerState:
        state = self.state
        path = self.pagination.next_token
        token = _token(read_cursor(response, path)) if path else None
        after = msgspec.structs.replace(
            state,
            cursor=next_cursor,
            page_token=token,
            skip=0,
            items=state.items + kept,
            pages=state.pages + 1,
            units=state.units + response.units_charged,
            last_ids=[k for k in map(record_key, records) if k is not None],
        )
        reason = self._stop_reason(next_cursor, token, fresh, records)
        if reason is None and self._reached(after.items):
            reason = MAX_ITEMS
        if reason:
            after.done, after.stop_reason = True, reason
        return after

    def _stop_reason(
        self, next_cursor: Any, token: Any, fresh: bool, records: list[Any]
    ) -> str | None:
        if next_cursor is None:
            return EXHAUSTED
        if self.pagination.next_token and token is None:
            return EXHAUSTED
        if next_cursor == self.state.cursor and token == self.state.page_token:
            return STUCK
        if self.since is not None and self.endpoint.newest_first and records and not fresh:
            return SINCE
        return None

    def _end(self, reason: str) -> None:
        self.state.done, self.state.stop_reason = True, reason


def too_old(record: Any, since: int | None) -> bool:
    """Whether a record was created before ``since`` (records without a time never are)."""
    created = getattr(record, "create_time", None)
    return since is not None and created is not None and created < since


def _canon(params: Mapping[str, Any]) -> bytes:
    return msgspec.json.encode(dict(sorted(params.items())))


class _Pager(Generic[T]):
    """What both pagers share: the walk (pure, in :class:`Walker`), its state, the records
    the models could not decode."""

    def __init__(self, walker: Walker[T]) -> None:
        self._walk = walker
        self.undecodable: list[Undecodable] = []

    @property
    def state(self) -> PagerState:
        """The resumable position at any moment (``state.to_json()`` to keep it)."""
        return self._walk.state

    @property
    def stop_reason(self) -> str | None:
        return self._walk.state.stop_reason

    def _take(self, response: Response) -> Page[T]:
        page = self._walk.take(response)
        self.undecodable.extend(page.undecodable)
        return page


class SyncPager(_Pager[T]):
    """Records of a paginated endpoint from a :class:`tokarc.Client`: ``for item in pager``,
    or ``for page in pager.iter_pages()``. ``undecodable`` keeps the raw records the models
    could not decode (never dropped silently)."""

    def __init__(self, walker: Walker[T], fetch: Fetch) -> None:
        super().__init__(walker)
        self._fetch = fetch

    def _pages(self) -> Iterator[Page[T]]:
        while (kwargs := self._walk.next_request()) is not None:
            yield self._take(self._fetch(kwargs))

    def iter_pages(self) -> Iterator[Page[T]]:
        """Pages rather than items."""
        for page in self._pages():
            self._walk.finish_page()
            yield page

    def __iter__(self) -> Iterator[T]:
        for page in self._pages():
            for item in page.items:
                self._walk.count_item()
                yield item
            self._walk.finish_page()


class AsyncPager(_Pager[T]):
    """Records of a paginated endpoint from a :class:`tokarc.AsyncClient`: ``async for item
    in pager``, or ``async for page in pager.aiter_pages()``."""

    def __init__(self, walker: Walker[T], fetch: AsyncFetch) -> None:
        super().__init__(walker)
        self._fetch = fetch

    async def _pages(self) -> AsyncIterator[Page[T]]:
        while (kwargs := self._walk.next_request()) is not None:
            yield self._take(await self._fetch(kwargs))

    async def aiter_pages(self) -> AsyncIterator[Page[T]]:
        """Pages rather than items."""
        async for page in self._pages():
            self._walk.finish_page()
            yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self._pages():
            for item in page.items:
                self._walk.count_item()
                yield item
            self._walk.finish_page()


#: The sync pager's name before the split (``for`` over a ``Client``'s ``iter_*``).
Pager = SyncPager
