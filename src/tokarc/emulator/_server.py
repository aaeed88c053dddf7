"""Serve an emulator with uvicorn: in a background thread on a free loopback port, or in the
foreground (``tokarc-emulator``). Both use :func:`server_config`, so both get the fastest HTTP
parser and loop available, the header timeout and the bounded graceful shutdown.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from uvicorn.config import HTTP_PROTOCOLS
from uvicorn.importer import import_from_string

from ._app import API_PREFIX, Emulator

HEADER_TIMEOUT = 10.0  # seconds a connection may take to send a request's headers
GRACEFUL_SHUTDOWN = 1  # seconds requests in flight (hangs too) get after SIGTERM / should_exit


def fastest_http(choice: str = "auto") -> str:
    """``httptools`` when importable (several times faster than ``h11``), else ``h11``."""
    if choice != "auto":
        return choice
    return "httptools" if importlib.util.find_spec("httptools") else "h11"


def fastest_loop(choice: str = "auto") -> str:
    """``uvloop`` when importable, else ``asyncio``."""
    if choice != "auto":
        return choice
    return "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"


def with_header_timeout(base: type[Any], seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol ``base``, closing a connection that has not sent a request's
    headers within ``seconds`` of opening or of its last response (slow-loris clients).

    A request whose headers arrived is never cut, however long it takes to answer (a hang).
    """

    class HeaderTimeout(base):  # type: ignore[misc]
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            self._arm_header_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            super().connection_lost(exc)

        def _arm_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            self._header_timer = self.loop.call_later(seconds, self._header_timeout)

        def _header_timeout(self) -> None:
            self._header_timer = None
            cycle = self.cycle
            in_flight = cycle is not None and not cycle.response_complete
            if not in_flight and not self.transport.is_closing():
                self.transport.close()

    HeaderTimeout.__name__ = HeaderTimeout.__qualname__ = f"HeaderTimeout{base.__name__}"
    return HeaderTimeout


def server_config(
    emulator: Emulator,
    *,
    http: str = "auto",
    loop: str = "auto",
    header_timeout: float = HEADER_TIMEOUT,
    **options: Any,
) -> uvicorn.Config:
    """The uvicorn configuration serving ``emulator`` (``options`` go to ``uvicorn.Config``)."""
    if not header_timeout > 0:
        raise ValueError(f"header_timeout must be positive, not {header_timeout!r}")
    protocol = import_from_string(HTTP_PROTOCOLS[fastest_http(http)])
    return uvicorn.Config(
        emulator.asgi_app(),
        log_level="warning",
        loop=fastest_loop(loop),
        http=with_header_timeout(protocol, header_timeout),
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        **options,
    )


class EmulatorServer(uvicorn.Server):
    """A uvicorn server that ends the emulator's hangs as it starts to shut down, so SIGTERM
    (or ``should_exit``) stops it within about a second even with hangs in flight."""

    def __init__(self, config: uvicorn.Config, emulator: Emulator) -> None:
        super().__init__(config)
        self.emulator = emulator

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.emulator.stopping.clear()
        await super().startup(sockets)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.emulator.stopping.set()
        await super().shutdown(sockets)


@contextmanager
def serve_in_thread(
    emulator: Emulator,
    host: str = "127.0.0.1",
    startup_timeout: float = 10.0,
    header_timeout: float = HEADER_TIMEOUT,
) -> Iterator[str]:
    """Serve ``emulator`` while the block runs; yields its API base URL.

    >>> with serve_in_thread(Emulator()) as base_url:  # doctest: +SKIP
    ...     httpx.get(f"{base_url}/tt/hashtag/posts", params={"name": "magic", "token": "t"})
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = server_config(emulator, header_timeout=header_timeout, lifespan="off")
    server = EmulatorServer(config, emulator)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_started(server, thread, startup_timeout)
        yield f"http://{host}:{port}{API_PREFIX}"
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the emulator's uvicorn server did not start")
        time.sleep(0.01)
