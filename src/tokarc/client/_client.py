"""``Client`` and ``AsyncClient``: thin I/O shells over the pure wire protocol of ``_wire``.

Everything but sending and sleeping is shared in :class:`_BaseClient`: token and config,
request preparation and checks, units accounting, listeners, paginator construction. Each shell
is a pooled httpx client, stamina's retry loop, and the pacing of requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import urlencode

import httpx
import stamina

from .._time import check_past
from ..api import endpoints as E
from ..errors import APIError, ConnectError, MalformedResponseError, TimeoutError, TransportError
from . import constants as C
from ._config import Config, resolve_base_url, resolve_token
from ._methods import AsyncTiktokMethods, CustomerMethods, SyncTiktokMethods
from ._retry import RetryPolicy
from ._transports import (
    AiohttpTransport,
    AsyncHttp,
    ShardedTransport,
    SyncHttp,
    TokenTransport,
    aiohttp_transport,
    replaced,
    tls_context,
)
from ._wire import Call, Reply, Response, Secret, parse, prepare, prepare_raw
from .pagination import AsyncPager, PagerState, Since, SyncPager, Walker, to_unix


@dataclass(frozen=True)
class CallEvent:
    """What a listener learns of each attempt: never the token."""

    endpoint: str
    params: Mapping[str, Any]
    status_code: int | None
    units_charged: int
    elapsed: float
    error: str | None = None


Listener = Callable[[CallEvent], None]
#: Called with the endpoint name and the (python-named) params before every attempt, retries
#: included; raising stops the call unsent (a unit budget, a shutdown).
Guard = Callable[[str, Mapping[str, Any]], None]


@dataclass(frozen=True)
class _Scope:
    client: _BaseClient
    listener: Listener | None
    guard: Guard | None


#: The listeners and guards of :meth:`_BaseClient.scope`, per thread or task (a thread started
#: inside a scope sees it only when run in a copy of the context: ``copy_context().run``).
_SCOPES: contextvars.ContextVar[tuple[_Scope, ...]] = contextvars.ContextVar(
    "tokarc_client_scopes", default=()
)


class Units:
    """Units charged to a client so far, in total and per endpoint.

    tokarc's one meaning of "units": what the API charged an attempt (its units header; a
    failed attempt is charged too). Every count of units derives from these same events: the
    requests ledger and each job's ``units`` (in the store), a run's ``JobReport.units``, a
    shared budget's ``spent``, a watch run's units.
    """

    def __init__(self) -> None:
        self.by_endpoint: Counter[str] = Counter()
        self._lock = threading.Lock()

    @property
    def total(self) -> int:
        return sum(self.by_endpoint.values())

    def add(self, endpoint: str, units: int) -> None:
        with self._lock:
            self.by_endpoint[endpoint] += units

    def __repr__(self) -> str:
        return f"Units(total={self.total}, by_endpoint={dict(self.by_endpoint)})"


class Pacer:
    """Spaces requests to at most ``rate`` per second; says how long each must wait."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def reserve(self, now: float) -> float:
        if not self.interval:
            return 0.0
        with self._lock:
            start = max(now, self._next)
            self._next = start + self.interval
        return start - now


class _BaseClient:
    _http: httpx.Client | httpx.AsyncClient

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        timeout: float = C.DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        max_concurrency: int = C.DEFAULT_MAX_CONCURRENCY,
        requests_per_second: float | None = None,
    ) -> None:
        self._token = Secret(resolve_token(token))
        self.config = Config(
            base_url=resolve_base_url(base_url),
            timeout=timeout,
            retry=retry or RetryPolicy(),
            max_concurrency=max_concurrency,
            requests_per_second=requests_per_second,
        )
        self.units = Units()
        self._pacer = Pacer(requests_per_second)
        self._listeners: list[Listener] = []
        self._guards: list[Guard] = []
        self._open(transport)
        self._root = self._http.base_url  # its path ends with "/": httpx normalizes it
        self._root_text, self._root_path = (
            str(self._root),
            self._root.raw_path.decode().partition("?")[0],
        )

    def _open(self, transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None) -> None:
        """Build the shell's pooled httpx client over ``transport`` (None: the network)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.config.base_url!r}, token='********')"

    @property
    def units_used(self) -> int:
        """Units charged to this client so far."""
        return self.units.total

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(CallEvent)`` after every attempt (a request ledger, metrics...)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        self._listeners.remove(listener)

    def add_guard(self, guard: Guard) -> None:
        """Call ``guard(endpoint, params)`` before every attempt; what it raises, the call
        raises, unsent (a budget that a retry would exceed, for example)."""
        self._guards.append(guard)

    def remove_guard(self, guard: Guard) -> None:
        """Stop calling ``guard``."""
        self._guards.remove(guard)

    @contextlib.contextmanager
    def scope(
        self, *, listener: Listener | None = None, guard: Guard | None = None
    ) -> Iterator[None]:
        """Call ``listener`` and ``guard`` on this client's calls made in this thread (or
        task) until the block ends: runs sharing one client each count and bound their own
        calls, where :meth:`add_listener` and :meth:`add_guard` see every call."""
        token = _SCOPES.set((*_SCOPES.get(), _Scope(self, listener, guard)))
        try:
            yield
        finally:
            _SCOPES.reset(token)

    def _scoped(self) -> list[_Scope]:
        return [scope for scope in _SCOPES.get() if scope.client is self]

    def _check(self, call: Call) -> None:
        guards = [*self._guards, *(s.guard for s in self._scoped() if s.guard)]
        for guard in guards:
            guard(call.name, call.params)

    def _httpx_args(
        self, transport: httpx.BaseTransport | httpx.AsyncBaseTransport
    ) -> dict[str, Any]:
        return {
            "base_url": self.config.base_url,
            "timeout": httpx.Timeout(self.config.timeout, connect=C.CONNECT_TIMEOUT),
            "headers": {"User-Agent": self.config.user_agent},
            "transport": TokenTransport(transport, self._token),
        }

    def _url(self, call: Call) -> httpx.URL:
        """The request's URL, built once: from a path and params, httpx parses it again to
        merge the base URL, again to merge the params and again to build the request. An
        endpoint's path is the table's (plain ASCII), so it is joined, not parsed; a path
        given to :meth:`request` is parsed (and quoted) as httpx would."""
        query = str(httpx.QueryParams(call.wire))
        if call.endpoint is None:
            path = f"{self._root_text}{call.path.lstrip('/')}"
            return httpx.URL(f"{path}?{query}" if query else path)
        return replaced(self._root, path=f"{self._root_path}{call.path.lstrip('/')}", query=query)

    #: How a call's arguments become its request: checked first, so input that can be refused
    #: here costs nothing (the SDK drop-ins send them unchecked: ``prepare_unchecked``).
    _build = staticmethod(prepare)

    def _prepare(
        self,
        name: str,
        kwargs: dict[str, Any],
        extra: Mapping[str, Any] | None,
        timeout: float | None,
    ) -> Call:
        return self._build(E.get(name), kwargs, extra, timeout)

    def _finish(self, call: Call, response: Reply, started: float) -> Response:
        try:
            result = parse(call, response)
        except (APIError, MalformedResponseError) as exc:
            self._record(call, response.status_code, exc.units_charged, started, exc)
            raise
        self._record(call, response.status_code, result.units_charged, started, None)
        return result

    def _failed(self, call: Call, exc: httpx.HTTPError, started: float) -> TransportError:
        error = _transport_error(call, exc, self._token, self.config.base_url)
        self._record(call, None, 0, started, error)
        return error

    def _record(
        self, call: Call, status: int | None, units: int, started: float, error: Exception | None
    ) -> None:
        self.units.add(call.name, units)
        event = CallEvent(
            call.name,
            call.params,
            status,
            units,
            time.monotonic() - started,
            str(error) if error else None,
        )
        for listener in [*self._listeners, *(s.listener for s in self._scoped() if s.listener)]:
            listener(event)

    def _walker(
        self,
        name: str,
        kwargs: dict[str, Any],
        *,
        max_items: int | None = None,
        since: Since | None = None,
        state: PagerState | None = None,
        no_pinned: bool = False,
        extra_params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> tuple[Walker[Any], Callable[[dict[str, Any]], Call]]:
        endpoint = E.get(name)
        if since is not None:  # read once; nothing is newer than now: it would cost units
            since = check_past(to_unix(since) or 0)
        kwargs = _with_since(endpoint, kwargs, since)
        params = prepare(endpoint, kwargs, extra_params, timeout).params  # checks now, not later
        walker: Walker[Any] = Walker(
            endpoint, params, max_items=max_items, since=since, state=state, no_pinned=no_pinned
        )
        return walker, lambda kw: prepare(endpoint, kw, extra_params, timeout)


def _with_since(
    endpoint: E.Endpoint, kwargs: dict[str, Any], since: Since | None
) -> dict[str, Any]:
    """User posts can stop server-side at `oldest_createtime`; send `since` there too."""
    names = {p.name for p in endpoint.params}
    if since is None or "oldest_createtime" not in names or kwargs.get("oldest_createtime"):
        return kwargs
    return {**kwargs, "oldest_createtime": to_unix(since)}


def _transport_error(
    call: Call, exc: httpx.HTTPError, token: Secret, base_url: str
) -> TransportError:
    reason = str(exc).replace(token.reveal(), "********") or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutError(f"{call.name}: no answer in time ({reason})")
    return ConnectError(f"{call.name}: cannot reach {base_url} ({reason})")


class Client(_BaseClient):
    """The synchronous client: every TikTok endpoint, retried, paced, paginated.

    ``Client(token)`` takes the token first, as ``EDClient`` does; without one it reads
    ``TOKARC_TOKEN``, ``ENSEMBLEDATA_TOKEN`` or the config file. ``transport=`` replaces the
    network (``Emulator().transport()`` runs fully offline)::

        with tokarc.Client("TOKEN") as client:
            result = client.tiktok.hashtag_search(hashtag="magic", cursor=0)
            posts = result.data["data"]

    Arguments (all but ``token`` by keyword):

    - ``token``: the API token (never shown in ``repr``, logs or errors).
    - ``base_url``: the API root, default ``TOKARC_BASE_URL`` or EnsembleData's.
    - ``transport``: an httpx transport in place of the network.
    - ``timeout``: seconds per request (slow endpoints carry their own, longer one).
    - ``retry``: a :class:`RetryPolicy` (``RetryPolicy.instant()`` for tests).
    - ``max_concurrency``: requests in flight at most (the async client's limit).
    - ``requests_per_second``: pace requests to at most this rate.
    """

    tiktok: SyncTiktokMethods
    customer: CustomerMethods[Response]
    _http: httpx.Client

    def _open(self, transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None) -> None:
        if transport is not None and not isinstance(transport, httpx.BaseTransport):
            raise TypeError("Client needs a sync transport (httpx.BaseTransport)")
        if transport is None:
            transport = ShardedTransport(verify=tls_context(self.config.base_url))
        self._http = SyncHttp(**self._httpx_args(transport))
        self.tiktok = SyncTiktokMethods(self._call, self._paginate)
        self.customer = CustomerMethods(self._call, self._paginate)

    def request(
        self, path: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> Response:
        """Call any path under the base URL (for endpoints tokarc does not list)."""
        return self._send(prepare_raw(path, params, timeout))

    def _call(
        self,
        name: str,
        kwargs: dict[str, Any],
        extra: Mapping[str, Any] | None,
        timeout: float | None,
    ) -> Response:
        return self._send(self._prepare(name, kwargs, extra, timeout))

    def _paginate(self, name: str, kwargs: dict[str, Any], **options: Any) -> SyncPager[Any]:
        walker, build = self._walker(name, kwargs, **options)
        return SyncPager(walker, lambda kw: self._send(build(kw)))

    def _send(self, call: Call) -> Response:
        for attempt in stamina.retry_context(**self.config.retry.stamina_args()):
            with attempt:
                return self._send_once(call)
        raise AssertionError("unreachable: stamina re-raises the last error")

    def _send_once(self, call: Call) -> Response:
        self._check(call)
        # No sleep(0) when unpaced: on a busy machine it gives the CPU away (profiled: 16 ms
        # a call under load).
        if wait := self._pacer.reserve(time.monotonic()):
            time.sleep(wait)
        started = time.monotonic()
        try:
            response = self._http.get(
                self._url(call), timeout=call.timeout or httpx.USE_CLIENT_DEFAULT
            )
        except httpx.HTTPError as exc:
            raise self._failed(call, exc, started) from None
        return self._finish(call, response, started)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_BaseClient):
    """The asynchronous client: the same methods, awaited; at most ``max_concurrency`` requests
    in flight, optionally at most ``requests_per_second``::

        async with tokarc.AsyncClient("TOKEN") as client:
            pages = await asyncio.gather(
                *(client.tiktok.hashtag_search(hashtag=t) for t in ("magic", "cats"))
            )
    """

    tiktok: AsyncTiktokMethods
    customer: CustomerMethods[Awaitable[Response]]
    _http: httpx.AsyncClient

    def _open(self, transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None) -> None:
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise TypeError("AsyncClient needs an async transport (httpx.AsyncBaseTransport)")
        inner = transport or aiohttp_transport(
            self.config.max_concurrency, tls_context(self.config.base_url)
        )
        # tokarc's own transport is called directly; one given goes through httpx
        self._direct = inner if transport is None and isinstance(inner, AiohttpTransport) else None
        self._headers = {"User-Agent": self.config.user_agent}
        self._http = AsyncHttp(**self._httpx_args(inner))
        self._slots = asyncio.Semaphore(self.config.max_concurrency)
        self.tiktok = AsyncTiktokMethods(self._call, self._paginate)
        self.customer = CustomerMethods(self._call, self._paginate)

    async def request(
        self, path: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> Response:
        """Call any path under the base URL (for endpoints tokarc does not list)."""
        return await self._send(prepare_raw(path, params, timeout))

    async def _call(
        self,
        name: str,
        kwargs: dict[str, Any],
        extra: Mapping[str, Any] | None,
        timeout: float | None,
    ) -> Response:
        return await self._send(self._prepare(name, kwargs, extra, timeout))

    def _paginate(self, name: str, kwargs: dict[str, Any], **options: Any) -> AsyncPager[Any]:
        walker, build = self._walker(name, kwargs, **options)
        return AsyncPager(walker, lambda kw: self._send(build(kw)))

    async def _send(self, call: Call) -> Response:
        async for attempt in stamina.retry_context(**self.config.retry.stamina_args()):
            with attempt:
                return await self._send_once(call)
        raise AssertionError("unreachable: stamina re-raises the last error")

    async def _send_once(self, call: Call) -> Response:
        self._check(call)
        async with self._slots:
            if wait := self._pacer.reserve(time.monotonic()):
                await asyncio.sleep(wait)
            started = time.monotonic()
            try:
                response = await self._get(call)
            except httpx.HTTPError as exc:
                raise self._failed(call, exc, started) from None
        return self._finish(call, response, started)

    async def _get(self, call: Call) -> Reply:
        if self._direct is None:
            return await self._http.get(
                self._url(call), timeout=call.timeout or httpx.USE_CLIENT_DEFAULT
            )
        return await self._direct.get(
            self._url(call),
            urlencode({"token": self._token.reveal()}),
            self._headers,
            C.CONNECT_TIMEOUT,
            call.timeout or self.config.timeout,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
