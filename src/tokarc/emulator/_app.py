"""The emulator: routing from the endpoint table, envelope, token, units and faults.

One pure core (:meth:`Emulator.respond`) serves three shells: :meth:`Emulator.handle` (an httpx
handler), :meth:`Emulator.transport` (an ``httpx.MockTransport``) and :meth:`Emulator.asgi_app`
(a Starlette app for uvicorn).
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..api import guesses as G
from ..api.endpoints import ENDPOINTS, ENVELOPE_KEY, Endpoint
from . import _media as media
from . import _renames as renames
from ._cache import LRU
from ._clock import DEFAULT_NOW, WorldClock
from ._control import CONTROL_PREFIX, control
from ._faults import Fault, FaultInjector, FaultSettings, malform, status_detail
from ._handlers import HANDLERS, Ctx, Result
from ._params import ApiError, parse_query
from ._payloads import Renderer
from ._stats import Stats
from ._world import World

API_PREFIX = "/apis"
DEFAULT_CACHE_MB = 256  # all of an emulator's caches together, in MiB (--cache-mb)
HANG_POLL = 0.05  # how often a hang looks whether the server is stopping, seconds
_encode = msgspec.json.Encoder().encode


@dataclass(frozen=True)
class EmulatorSettings:
    """Everything an emulator is built with. The fault fields can change later (set_faults)."""

    seed: int = 0
    latency: float = 0.0
    jitter: float = 0.0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 30.0
    malformed_rate: float = 0.0
    error_status: int = 0  # 400-599: every API request answers this code (0: off)
    units: int | None = None  # allowance; past it every API call answers 495
    require_token: str | None = None  # None: any non-empty token is accepted
    time_scale: float = 0.0  # >0: world time runs this many times faster than real time
    start_time: int = DEFAULT_NOW
    cache_size: int = 50_000  # entries per entity cache
    page_cache_size: int = 4_096  # whole rendered replies (~140 KB each for a hashtag page)
    media_base: str | None = None  # origin of media URLs (default: the origin asked)
    # Bytes of all caches together: half for whole replies, 3/8 for rendered entities, 1/8
    # for world objects.
    cache_bytes: int = DEFAULT_CACHE_MB << 20

    def __post_init__(self) -> None:
        if self.cache_bytes < 0 or self.cache_size < 0 or self.page_cache_size < 0:
            raise ValueError("cache sizes must not be negative")

    def fault_settings(self) -> FaultSettings:
        """The fault part of these settings."""
        names = {f.name for f in fields(FaultSettings)}
        return FaultSettings(**{k: v for k, v in vars(self).items() if k in names})


@dataclass(frozen=True)
class Reply:
    """A response before it is wrapped for httpx or Starlette."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def json(cls, status: int, payload: Any, units: int = 0, **extra: str) -> Reply:
        headers = (("content-type", "application/json"), ("units_charged", str(units)))
        return cls(status, _encode(payload), headers + tuple(extra.items()))


class Emulator:
    """A deterministic EnsembleData TikTok API over a seeded synthetic world.

    >>> emu = Emulator(seed=0)
    >>> client = httpx.Client(transport=emu.transport(), base_url="http://emulator/apis")
    >>> client.get("/tt/hashtag/posts", params={"name": "magic", "token": "t"}).status_code
    200
    """

    def __init__(self, seed: int = 0, **settings: Any) -> None:
        self.settings = EmulatorSettings(seed=seed, **settings)
        s = self.settings
        self.world = World(seed, s.cache_size, s.cache_bytes // 8)
        self.render = Renderer(self.world, s.cache_size, s.cache_bytes * 3 // 8)
        self.clock = WorldClock(s.start_time, s.time_scale)
        self.faults = FaultInjector(s.fault_settings(), seed)
        self.stats = Stats()
        self.routes: dict[str, Endpoint] = {API_PREFIX + ep.path: ep for ep in ENDPOINTS}
        self._pages: LRU[tuple[Any, ...], Reply] = LRU(
            s.page_cache_size, s.cache_bytes // 2, lambda r: len(r.body) + 300
        )
        self._serial = threading.RLock()
        self._malform_rng = random.Random(f"malform:{seed}")
        self.stopping = threading.Event()  # set by a stopping server: hangs end at once

    # -- configuration ---------------------------------------------------------------------------

    def set_faults(self, **changes: Any) -> FaultSettings:
        """Change fault settings (latency, error_rate, ...); returns the new settings."""
        self.faults.settings = self.faults.settings.updated(changes)
        return self.faults.settings

    def reset(self) -> None:
        """Clock, counters, faults and caches back to how they started."""
        self.clock.reset()
        self.stats.reset()
        self.faults.settings = self.settings.fault_settings()
        self.faults.reset()
        self._pages.clear()

    def caches(self) -> dict[str, LRU[Any, Any]]:
        """Every cache of this emulator by name (see ``/_emulator/world``)."""
        return {"pages": self._pages, **self.render.caches(), **self.world.caches()}

    # -- the pure core ---------------------------------------------------------------------------

    def respond(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        body: bytes = b"",
        origin: str = media.ORIGIN,
    ) -> Reply:
        """Answer one request, without faults or delays; its media URLs on ``origin`` (default:
        the stand-in :data:`._media.ORIGIN`, for :func:`._media.localize`).

        One at a time: the world's caches are not thread-safe, and clients on several threads
        (or a server thread beside an in-process transport) may share this emulator.
        """
        with self._serial:
            return self._respond(method, path, query, body, origin)

    def _respond(
        self, method: str, path: str, query: Mapping[str, str], body: bytes, origin: str
    ) -> Reply:
        if path.startswith(CONTROL_PREFIX + "/") or path == CONTROL_PREFIX:
            status, payload = control(self, method, path[len(CONTROL_PREFIX) :], query, body)
            return Reply.json(status, payload)
        if media.is_media(path):
            return self._media(path, query)
        endpoint = self.routes.get(path.rstrip("/"))
        if endpoint is None:
            return Reply.json(404, {"detail": "Not Found"}, G.ERROR_COST)
        if method.upper() != "GET":
            return Reply.json(405, {"detail": "Method Not Allowed"}, G.ERROR_COST)
        now = self.clock.now()
        reply = self._api(endpoint, query, now, origin)
        units = int(dict(reply.headers)["units_charged"])
        self.stats.record(endpoint.name, reply.status, units, _day(now))
        return reply

    def _api(self, endpoint: Endpoint, query: Mapping[str, str], now: int, origin: str) -> Reply:
        try:
            self._check_token(query.get("token"))
            params = parse_query(endpoint, query)
            if endpoint.group == "customer":
                return self._success(endpoint, params, now, origin)
            self._check_units()
            key = (endpoint.name, tuple(sorted(params.items())), now, origin)
            return self._pages.get(key, lambda _: self._success(endpoint, params, now, origin))
        except ApiError as exc:
            return Reply.json(exc.status, {"detail": exc.detail}, G.ERROR_COST, **exc.headers)

    def _check_token(self, token: str | None) -> None:
        if not token:
            raise ApiError(491, "Token not found")
        required = self.settings.require_token
        if required is not None and token != required:
            raise ApiError(491, "Invalid token")

    def _check_units(self) -> None:
        allowance = self.settings.units
        if allowance is not None and self.stats.units_total >= allowance:
            raise ApiError(495, "Units depleted: the allowance of this token is used up")

    def _success(self, endpoint: Endpoint, params: dict[str, Any], now: int, origin: str) -> Reply:
        ctx = Ctx(endpoint, self.world, self.render, now, self.stats.usage, origin)
        try:
            result: Result = HANDLERS[endpoint.name](ctx, params)
        except ApiError as exc:
            return Reply.json(exc.status, {"detail": exc.detail}, G.ERROR_COST, **exc.headers)
        units = endpoint.cost.units(params, result.n_items, result.internal_pages)
        reply = Reply.json(200, {ENVELOPE_KEY: result.data, **result.top}, units)
        body = renames.rewrite(self.world, reply.body, now)  # accounts renamed by now
        return Reply(reply.status, media.finish(body, now, origin), reply.headers)

    def _media(self, path: str, query: Mapping[str, str]) -> Reply:
        now = self.clock.now()
        status, body, kind = media.serve(path, query, now)
        self.stats.record("media", status, 0, _day(now))  # downloads, counted apart from units
        headers = (("content-type", kind), ("content-length", str(len(body))))
        return Reply(status, body, headers)

    # -- faults ----------------------------------------------------------------------------------

    def plan(self, path: str) -> Fault:
        """The fault for a request to ``path`` (none outside ``/apis`` and ``/_media``)."""
        if not _faulty(path):
            return Fault()
        fault = self.faults.decide(api=not media.is_media(path))
        if fault.kind:
            self.stats.faults[fault.kind] += 1
        return fault

    def apply(
        self, fault: Fault, path: str, query: Mapping[str, str], origin: str = media.ORIGIN
    ) -> Reply:
        """The reply to a request whose fault (delay and hang aside) is ``fault``; media URLs
        on ``origin`` (see :meth:`respond`)."""
        if fault.kind == "status":
            return self._status_reply(self.faults.settings.error_status)
        if fault.kind == "error":
            return Reply.json(500, {"detail": "Internal Server Error"}, G.ERROR_COST)
        if fault.kind == "rate_limit":
            retry = str(self.faults.settings.retry_after)
            detail = {"detail": "Rate limit exceeded"}
            return Reply.json(429, detail, G.ERROR_COST, **{"retry-after": retry})
        reply = self.respond("GET", path, query, origin=origin)
        if fault.kind == "malformed" and media.is_media(path):  # cut short of its content-length
            return Reply(reply.status, reply.body[: len(reply.body) // 2], reply.headers)
        if fault.kind == "malformed":
            return Reply(reply.status, malform(reply.body, self._malform_rng), reply.headers)
        return reply

    def _status_reply(self, status: int) -> Reply:
        """The ``error_status`` fault's answer: ``{"detail": ...}`` with that code (a 429 with
        its ``Retry-After``)."""
        extra = {"retry-after": str(self.faults.settings.retry_after)} if status == 429 else {}
        return Reply.json(status, {"detail": status_detail(status)}, G.ERROR_COST, **extra)

    # -- shells ----------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer an httpx request (sync). Latency sleeps; a hang raises ``httpx.ReadTimeout``."""
        path, query = request.url.path, dict(request.url.params)
        origin = self.media_origin(request.url.scheme, request.url.netloc.decode("ascii"))
        fault = self.plan(path)
        if fault.delay > 0:
            time.sleep(fault.delay)
        if fault.kind == "hang":
            raise httpx.ReadTimeout("emulated hang", request=request)
        if not _faulty(path):
            reply = self.respond(request.method, path, query, request.read())
        else:
            reply = (
                self.apply(fault, path, query, origin)
                if request.method == "GET"
                else self.respond(request.method, path, query, origin=origin)
            )
        return httpx.Response(reply.status, headers=list(reply.headers), content=reply.body)

    def media_origin(self, scheme: str, netloc: str) -> str:
        """Where a reply's media URLs point: ``media_base``, else the origin asked."""
        return self.settings.media_base or f"{scheme}://{netloc}"

    def transport(self) -> httpx.MockTransport:
        """An httpx transport serving this emulator, for ``httpx.Client`` and ``AsyncClient``
        (clients on several threads may share it: see :meth:`respond`)."""
        return httpx.MockTransport(self.handle)

    def asgi_app(self) -> ASGIApp:
        """An ASGI app for uvicorn: one route per table endpoint, plus the control routes.

        A GET of an endpoint's exact path (nearly every request) is answered directly; every
        other request (control routes, trailing slashes, unknown paths, other methods) goes to
        a Starlette app, whose answers they keep.
        """
        routes = [Route(path, self._asgi_api, methods=["GET"]) for path in self.routes]
        routes.append(Route(media.MEDIA_PREFIX + "/{rest:path}", self._asgi_api, methods=["GET"]))
        routes.append(
            Route(CONTROL_PREFIX + "/{rest:path}", self._asgi_control, methods=["GET", "POST"])
        )
        fallback, paths = Starlette(routes=routes), frozenset(self.routes)

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in paths:
                await self._asgi_fast(scope, send)
            else:
                await fallback(scope, receive, send)

        return app

    async def _asgi_fast(self, scope: Scope, send: Send) -> None:
        path = scope["path"]
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        reply = await self._asgi_reply(path, query, self.media_origin(*_scheme_netloc(scope)))
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers]
        headers.append((b"content-length", b"%d" % len(reply.body)))
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})

    async def _asgi_reply(self, path: str, query: dict[str, str], origin: str) -> Reply:
        fault = self.plan(path)
        if fault.delay > 0:
            await asyncio.sleep(fault.delay)
        if fault.kind == "hang" and not await self._hang(self.faults.settings.hang_seconds):
            return Reply.json(503, {"detail": "The emulator is shutting down"})
        return self.apply(fault, path, query, origin)

    async def _asgi_api(self, request: Request) -> Response:
        path, query = request.url.path, dict(request.query_params)
        origin = self.media_origin(request.url.scheme, request.url.netloc)
        return _starlette(await self._asgi_reply(path, query, origin))

    async def _hang(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless the server stops first; False if it did."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.stopping.is_set():
                return False
            await asyncio.sleep(min(left, HANG_POLL))
        return True

    async def _asgi_control(self, request: Request) -> Response:
        body = await request.body()
        reply = self.respond(request.method, request.url.path, dict(request.query_params), body)
        return _starlette(reply)


def _scheme_netloc(scope: Scope) -> tuple[str, str]:
    """(scheme, host[:port]) of a request, as Starlette's ``request.url`` reads them."""
    scheme = scope.get("scheme", "http")
    for key, value in scope["headers"]:
        if key == b"host":
            return scheme, value.decode("latin-1")
    host, port = scope.get("server") or ("", None)
    default = {"http": 80, "https": 443}.get(scheme)
    return scheme, host if port in (None, default) else f"{host}:{port}"


def _starlette(reply: Reply) -> Response:
    return Response(reply.body, status_code=reply.status, headers=dict(reply.headers))


def _faulty(path: str) -> bool:
    """Whether faults apply to ``path``: the API's and the media's."""
    return path.startswith(API_PREFIX + "/") or media.is_media(path)


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()
