"""A connection pool that stays cheap with many connections in flight.

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
