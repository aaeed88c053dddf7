"""The transports under every client: the token seam, and a pool that stays cheap under load.

``TokenTransport`` adds the token to each request at the last moment. ``ShardedAsyncTransport``:

httpcore 1.0.9 walks every pooled connection, and polls every idle socket, on each request it
assigns: with 40 requests in flight that bookkeeping took more CPU than the responses did
(encode/httpcore#1035 rewrites it; unreleased). Spreading requests round-robin over a few small
pools keeps each walk short. Each pool keeps all its connections alive, so none is closed and
reopened between pages.
"""

from __future__ import annotations

import itertools
import math

import httpx

from ._wire import Secret

SHARD_SIZE = 8  # connections per pool: measured flat cost up to here (benchmarks/)


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    """Up to ``max_connections`` connections, in pools of at most ``SHARD_SIZE``."""

    def __init__(self, max_connections: int, shard_size: int = SHARD_SIZE) -> None:
        size = max(1, min(shard_size, max_connections))
        count = max(1, math.ceil(max_connections / size))
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        ssl_context = httpx.create_ssl_context()  # one for all: each costs ~25 ms to build
        self._shards = [
            httpx.AsyncHTTPTransport(limits=limits, verify=ssl_context) for _ in range(count)
        ]
        self._next = itertools.cycle(self._shards)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await next(self._next).handle_async_request(request)

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


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
        url = request.url.copy_add_param("token", self._token.reveal())
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
