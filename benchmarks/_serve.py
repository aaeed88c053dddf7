"""What the benchmarks share: an emulator in its own process, and a fresh PostgreSQL schema."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def emulator(latency: float) -> Iterator[str]:
    """An emulator served by uvicorn in its own process, on loopback; yields its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "tokarc.emulator", "--port", str(port), "--latency", str(latency)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/apis"
    try:
        wait_ready(base)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def wait_ready(base: str, deadline: float = 20.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{base}/tt/hashtag/posts", params={"name": "x", "token": "t"}, timeout=1)
            return
        time.sleep(0.1)
    raise SystemExit("the emulator did not start")


@contextlib.contextmanager
def fresh_schema(base: str, prefix: str = "tokarc_bench") -> Iterator[str]:
    """A new PostgreSQL schema on the database at ``base``, dropped afterwards; yields a URL
    whose connections use it."""
    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
