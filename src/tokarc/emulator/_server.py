"""Run an emulator under uvicorn in a background thread, on a free loopback port."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from ._app import API_PREFIX, Emulator


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


@contextmanager
def serve_in_thread(
    emulator: Emulator, host: str = "127.0.0.1", startup_timeout: float = 10.0
) -> Iterator[str]:
    """Serve ``emulator`` while the block runs; yields its API base URL.

    >>> with serve_in_thread(Emulator()) as base_url:  # doctest: +SKIP
    ...     httpx.get(f"{base_url}/tt/hashtag/posts", params={"name": "magic", "token": "t"})
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        emulator.asgi_app(), log_level="warning", lifespan="off",
        http=fastest_http(), loop=fastest_loop(),
    )  # fmt: skip
    server = uvicorn.Server(config)
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
