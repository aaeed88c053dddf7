"""Hashtag pages per second served by the emulator under uvicorn (one worker).

Starts ``python -m tokarc.emulator`` in a subprocess, then drives it from this process with a
bounded number of requests over many hashtags and cursors::

    .venv/bin/python benchmarks/emulator_throughput.py --requests 3000 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import subprocess
import sys
import time

import httpx

from tokarc.emulator._vocab import EMPTY_TAGS, TAGS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "tokarc.emulator", "--port", str(port)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(base: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/_emulator/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the emulator did not start")


def workload(n: int, seed: int = 0) -> list[dict[str, str]]:
    """``n`` hashtag-page requests over many tags and cursors (deterministic)."""
    rng = random.Random(seed)
    tags = [t for t in TAGS[:120] if t not in EMPTY_TAGS]
    return [{"name": rng.choice(tags), "cursor": str(20 * rng.randrange(100)), "token": "bench"}
            for _ in range(n)]  # fmt: skip


async def drive(base: str, requests: list[dict[str, str]], concurrency: int) -> float:
    """Send every request with at most ``concurrency`` in flight; seconds taken."""
    queue = list(reversed(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while queue:
                response = await client.get("/apis/tt/hashtag/posts", params=queue.pop())
                response.raise_for_status()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--warm", action="store_true", help="serve the workload once before timing it (hot caches)"
    )
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        wait_ready(base)
        warm_up = workload(args.requests) if args.warm else workload(200, seed=99)
        asyncio.run(drive(base, warm_up, args.concurrency))
        seconds = asyncio.run(drive(base, workload(args.requests), args.concurrency))
    finally:
        server.terminate()
        server.wait(timeout=10)
    rate = args.requests / seconds
    state = "warm" if args.warm else "cold"
    print(f"{args.requests} {state} hashtag pages in {seconds:.2f} s: {rate:,.0f} pages/s")


if __name__ == "__main__":
    main()
