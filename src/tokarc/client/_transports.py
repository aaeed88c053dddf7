"""The transports under every client: the token seam, and the async client's connection pool.

``TokenTransport`` adds the token to each request at the last moment. The async client's default
is :func:`aiohttp_transport`: aiohttp's pool behind httpx's transport interface, measured faster
than httpx's own (``benchmarks/client_vs_official.py``, ``docs/performance.md``); the client
above it is still httpx (its API, events, errors), and so are the token seam and the retries.

The sync client's default is :class:`ShardedTransport`, and ``ShardedAsyncTransport`` (httpx's own
async pool made cheaper) stays for ``transport=``: httpcore 1.0.9 walks every pooled connection,
and polls every idle socket, on each request it assigns; with 40 requests in flight that
bookkeeping took more CPU than the responses did (encode/httpcore#1035 rewrites it; unreleased).
Spreading requests over a few small pools keeps each walk short.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import math
import ssl
import threading
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from ._wire import Secret

SHARD_SIZE = 8  # connections per pool: measured flat cost up to here (benchmarks/)
KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept: httpx's own default


def replaced(url: httpx.URL, *, query: str, path: str | None = None) -> httpx.URL:
    """``url`` with another query (and path), both already percent-encoded as httpx would
    leave them: the parts are swapped in, not parsed again (httpx checks and quotes a URL's
    text character by character: ~35 us a URL, twice a request, profiled).

    Without httpx's parsed form (another httpx), through ``copy_with``, which parses.
    """
    parts = getattr(url, "_uri_reference", None)
    new_path = {} if path is None else {"path": path}
    if not hasattr(parts, "_replace"):
        return url.copy_with(query=query.encode() or None, **new_path)
    new = httpx.URL.__new__(httpx.URL)
    new._uri_reference = parts._replace(query=query or None, **new_path)  # type: ignore[union-attr]
    return new


def tls_context(base_url: str) -> ssl.SSLContext:
    """The TLS context of a client of ``base_url``: one per process, built when first needed.

    httpx builds one per transport by default, loading certifi's CA bundle: ~25 ms of CPU for
    every client (the CLI's start, a benchmark's each run). A client of a plain-HTTP base URL
    (the emulator, a local proxy) never does TLS: it gets a context with no CA loaded, which
    would refuse any certificate rather than trust one.
    """
    if urlsplit(base_url).scheme == "http":
        return _no_tls()
    return _verified()


@functools.cache
def _verified() -> ssl.SSLContext:
    return httpx.create_ssl_context()


@functools.cache
def _no_tls() -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, with no CA: refuses every peer


Pool = typing.TypeVar("Pool")


def _pools(
    make: Callable[..., Pool], max_connections: int, shard_size: int, verify: ssl.SSLContext
) -> list[Pool]:
    """Pools of at most ``shard_size`` connections, up to ``max_connections`` in all; each
    keeps all its connections alive, so none is closed and reopened between pages."""
    size = max(1, min(shard_size, max_connections))
    count = max(1, math.ceil(max_connections / size))
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    return [make(limits=limits, verify=verify) for _ in range(count)]


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    """Up to ``max_connections`` connections, in pools of at most ``SHARD_SIZE``, taken in
    turn by each request."""

    def __init__(
        self,
        max_connections: int,
        shard_size: int = SHARD_SIZE,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        verify = verify or _verified()  # one for all: each costs ~25 ms to build
        self._shards = _pools(httpx.AsyncHTTPTransport, max_connections, shard_size, verify)
        self._next = itertools.cycle(self._shards)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await next(self._next).handle_async_request(request)

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


class ShardedTransport(httpx.BaseTransport):
    """The sync client's pool: up to ``max_connections`` connections in pools of at most
    ``SHARD_SIZE``, each thread keeping to the pool it was first given.

    One thread (a script, a run) so uses one pool and one connection, as with httpx's own;
    the threads of many runs at once (``Many``, a worker) spread over the pools, so that each
    request's walk of its pool stays short (measured: ``benchmarks/client_vs_official.py
    --many-only``, ``docs/performance.md``).
    """

    def __init__(
        self,
        max_connections: int = 100,  # httpx's own default
        shard_size: int = SHARD_SIZE,
        verify: ssl.SSLContext | None = None,
        pool: Callable[..., httpx.BaseTransport] = httpx.HTTPTransport,
    ) -> None:
        self._shards = _pools(pool, max_connections, shard_size, verify or _verified())
        self._next = itertools.cycle(self._shards)
        self._mine = threading.local()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        shard: httpx.BaseTransport | None = getattr(self._mine, "shard", None)
        if shard is None:
            shard = self._mine.shard = next(self._next)
        return shard.handle_request(request)

    def close(self) -> None:
        for shard in self._shards:
            shard.close()


class TokenTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Adds the token to each request at the last moment.

    httpx logs, raises and keeps the request it built, which has no token; only the copy handed
    to the underlying transport carries it. So the token is never in httpx's log lines, in
    ``response.request.url`` or in an exception's request.
    """

    def __init__(self, inner: httpx.BaseTransport | httpx.AsyncBaseTransport, token: Secret):
        self._inner = inner
        self._token = token

    def _with_token(self, request: httpx.Request) -> httpx.Request:
        # Appended as text: ``copy_add_param`` would parse the query and the URL again.
        token = urlencode({"token": self._token.reveal()})
        query = request.url.query.decode("ascii")
        url = replaced(request.url, query=f"{query}&{token}" if query else token)
        return httpx.Request(
            request.method,
            url,
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(self._inner, httpx.BaseTransport), "a sync client needs a sync transport"
        return self._inner.handle_request(self._with_token(request))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._inner
        assert isinstance(inner, httpx.AsyncBaseTransport), "an async client needs an async one"
        return await inner.handle_async_request(self._with_token(request))

    def close(self) -> None:
        if isinstance(self._inner, httpx.BaseTransport):
            self._inner.close()

    async def aclose(self) -> None:
        if isinstance(self._inner, httpx.AsyncBaseTransport):
            await self._inner.aclose()


def aiohttp_transport(
    max_connections: int, verify: ssl.SSLContext | None = None
) -> httpx.AsyncBaseTransport:
    """aiohttp behind httpx's transport interface, as openai-python's ``DefaultAioHttpClient``
    does: httpx's API above, aiohttp's connection pool below."""
    return AiohttpTransport(max_connections, verify or _verified())


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends with aiohttp and reads each body whole.

    A page is read in one call, where a streamed body went through five layers of async
    iterators for each 16 KB chunk (``httpx-aiohttp``'s way: ~10 chunks a page, profiled).
    Its errors are httpx's, as httpx's own transport would raise them (so the retry policy
    and tokarc's errors are unchanged): a refused connection is a ``ConnectError``, a reset
    a ``ReadError``, only a timeout a ``TimeoutException``.
    """

    def __init__(self, max_connections: int, verify: ssl.SSLContext) -> None:
        self._limit, self._ssl = max_connections, verify
        self._session: Any = None  # an aiohttp.ClientSession, made in the running loop

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import aiohttp

        timeout = request.extensions.get("timeout", {})
        limits = aiohttp.ClientTimeout(
            sock_connect=timeout.get("connect"),
            sock_read=timeout.get("read"),
            connect=timeout.get("pool"),
        )
        with _as_httpx(request):
            async with self._open().request(
                request.method,
                str(request.url),
                headers=request.headers,
                data=await request.aread() or None,
                allow_redirects=False,
                auto_decompress=False,  # httpx decodes, as with its own transport
                timeout=limits,
            ) as reply:
                body = await reply.read()
        return httpx.Response(
            reply.status,
            headers=reply.raw_headers,
            content=body,
            request=request,
            extensions=_extensions(reply.reason),
        )

    async def get(
        self, url: httpx.URL, token: str, headers: dict[str, str], connect: float, read: float
    ) -> DirectReply:
        """GET ``url`` with the query parameter ``token`` added only to what goes out, and the
        reply read whole: the async client's own path, without httpx's request and response
        machinery (a client made with a transport of its own goes through httpx). Errors are
        httpx's, naming ``url`` without its token."""
        import aiohttp

        query = url.query.decode("ascii")
        sent = f"{url}&{token}" if query else f"{url}?{token}"
        limits = aiohttp.ClientTimeout(sock_connect=connect, sock_read=read, connect=read)
        with _as_httpx_for(url):
            async with self._open().get(
                sent, headers=headers, allow_redirects=False, timeout=limits
            ) as reply:
                body = await reply.read()
        if _HTTPX_LOG.isEnabledFor(logging.INFO):  # the line httpx writes for its requests
            _HTTPX_LOG.info(
                'HTTP Request: GET %s "HTTP/1.1 %d %s"', url, reply.status, reply.reason or ""
            )
        return DirectReply(reply.status, reply.headers, body)

    def _open(self) -> Any:
        if self._session is None:
            import aiohttp

            connector = aiohttp.TCPConnector(
                limit=self._limit, ssl=self._ssl, keepalive_timeout=KEEPALIVE_EXPIRY
            )
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


@dataclass(frozen=True)
class DirectReply:
    """A reply of :meth:`AiohttpTransport.get`: what ``parse`` reads of one."""

    status_code: int
    headers: Mapping[str, str]  # case-insensitive (aiohttp's)
    content: bytes


_HTTPX_LOG = logging.getLogger("httpx")


@contextlib.contextmanager
def _as_httpx_for(url: httpx.URL) -> Iterator[None]:
    """aiohttp's errors as httpx's, their request the URL without its token."""
    import aiohttp

    try:
        yield
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        request = httpx.Request("GET", url)
        raise (_httpx_error(exc) or httpx.ReadError)(str(exc), request=request) from exc


def _extensions(reason: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {"http_version": b"HTTP/1.1"}
    if reason:
        found["reason_phrase"] = reason.encode()
    return found


@contextlib.contextmanager
def _as_httpx(request: httpx.Request) -> Iterator[None]:
    import aiohttp

    try:
        yield
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise (_httpx_error(exc) or httpx.ReadError)(str(exc), request=request) from exc


def _httpx_error(exc: Exception) -> type[httpx.TransportError] | None:
    import aiohttp

    order: list[tuple[type[BaseException] | tuple[type[BaseException], ...], Any]] = [
        (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
        (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
        ((aiohttp.ServerTimeoutError, TimeoutError), httpx.ReadTimeout),
        (aiohttp.ClientConnectorError, httpx.ConnectError),
        ((aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, OSError), httpx.ReadError),
    ]
    return next((error for kind, error in order if isinstance(exc, kind)), None)


class _NoCookies(httpx.Cookies):
    """A cookie jar that keeps nothing: the API is keyed by its token, never by a cookie.

    httpx looks for ``Set-Cookie`` in every reply by building a urllib request and response
    around it (~50 us a reply, profiled); with nothing to keep, that is skipped.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set(self, name: str, value: str, domain: str = "", path: str = "/") -> None:
        return None  # ``cookies[name] = value`` comes here too

    def update(self, cookies: Any = None) -> None:  # type: ignore[override]
        return None


class _Cookieless:
    """An httpx client whose cookie jar keeps nothing (see :class:`_NoCookies`); one jar
    serves every client, since it never holds a cookie."""

    _jar = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._jar

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        return None  # httpx's own __init__ sets its jar through the private attribute


class SyncHttp(_Cookieless, httpx.Client):
    """The sync client's httpx client."""


class AsyncHttp(_Cookieless, httpx.AsyncClient):
    """The async client's httpx client."""
