"""Hashtag pages per second served by the emulator under uvicorn (one worker, one core).

Starts ``python -m tokarc.emulator`` in a subprocess pinned to one core, then drives it from
separate client processes pinned to the other cores, so the figure measures the server and not
the load generator. The default client is a minimal HTTP/1.1 keep-alive client on asyncio
streams (``--client httpx`` runs the old one-process httpx driver instead, for comparison)::

    .venv/bin/python benchmarks/emulator_throughput.py --requests 3000 --concurrency 32
    .venv/bin/python benchmarks/emulator_throughput.py --http h11 --loop asyncio

One run serves the same workload of distinct pages three times from one server:

- **cold**: every page, and every post on it, new to the server (the warm-up asks other tags);
- **warm**: the same pages an hour of world time later: every reply is new (statistics, expiry),
  but its posts' rendered bytes are in the entity cache, which splices what moved;
- **cached**: the same pages again at that time, from the reply cache (the bare reference: the
  server's cost without the world).

For each it prints pages/s, the server's CPU use (pages per server CPU-second is the figure that
does not depend on the client), its ratio to the cached pass, and the server's resident memory.
Every request is bounded: ``--requests`` three times, over 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tokarc.emulator._vocab import EMPTY_TAGS, TAGS

PATH = "/apis/tt/hashtag/posts"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pin(cores: set[int]) -> None:
    """Run this process (and what it starts) on ``cores`` only."""
    if cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cores)


def start_server(
    port: int, core: set[int], http: str, loop: str, cache_mb: int
) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "tokarc.emulator", "--port", str(port), "--start", "2026-11-01"]
    cmd += ["--http", http, "--loop", loop, "--cache-mb", str(cache_mb)]
    return subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=lambda: pin(core)
    )


def wait_ready(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _ = asyncio.run(fetch_once(port, b"/_emulator/health"))
            if status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the emulator did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid``."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid``, MiB."""
    with open(f"/proc/{pid}/status") as f:
        line = next(x for x in f if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


WORKLOAD_TAGS = [t for t in TAGS[:120] if t not in EMPTY_TAGS]
WARMUP_TAGS = [t for t in TAGS[120:] if t not in EMPTY_TAGS]  # no page or post in common
CURSORS = 200  # pages per tag: 4,000 posts, under every tag's cap


def workload(n: int, seed: int = 0, tags: list[str] = WORKLOAD_TAGS) -> list[dict[str, str]]:
    """``n`` distinct hashtag-page requests over ``tags`` and their cursors (deterministic)."""
    pages = [(tag, 20 * c) for tag in tags for c in range(CURSORS)]
    if n > len(pages):
        raise SystemExit(f"at most {len(pages)} distinct pages, not {n}")
    return [{"name": tag, "cursor": str(cursor), "token": "bench"}
            for tag, cursor in random.Random(seed).sample(pages, n)]  # fmt: skip


def targets(requests: list[dict[str, str]]) -> list[bytes]:
    return [f"{PATH}?{urlencode(q)}".encode() for q in requests]


# -- the light client: HTTP/1.1 keep-alive on asyncio streams ----------------------------------


async def read_reply(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One response: (status, body); bodies are Content-Length delimited."""
    head = await reader.readuntil(b"\r\n\r\n")
    start = head.lower().find(b"content-length:")
    length = int(head[start + 15 : head.index(b"\r\n", start)]) if start >= 0 else 0
    return int(head[9:12]), await reader.readexactly(length)


def request_bytes(target: bytes) -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: bench\r\n\r\n"


async def fetch_once(port: int, target: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request_bytes(target))
        return await read_reply(reader)
    finally:
        writer.close()


async def connection(port: int, queue: list[bytes]) -> int:
    """Send requests from ``queue`` one after the other on one connection; bytes received."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = 0
    try:
        while queue:
            writer.write(request_bytes(queue.pop()))
            status, body = await read_reply(reader)
            if status != 200 or not body.startswith(b'{"data":'):
                raise RuntimeError(f"bad reply {status}: {body[:80]!r}")
            received += len(body)
    finally:
        writer.close()
    return received


async def drive_light(port: int, work: list[bytes], concurrency: int) -> int:
    queue = list(reversed(work))
    sizes = await asyncio.gather(*(connection(port, queue) for _ in range(concurrency)))
    return sum(sizes)


def client_process(args: tuple[int, list[bytes], int, set[int], Any, Any]) -> None:
    """One client process: wait for the others, drive its share, report (start, end, bytes)."""
    port, work, concurrency, cores, barrier, results = args
    pin(cores)
    barrier.wait()
    start = time.perf_counter()
    received = asyncio.run(drive_light(port, work, concurrency))
    results.put((start, time.perf_counter(), received, time.process_time()))


@dataclass
class Run:
    seconds: float
    received: int
    client_cpu: float


def run_light(port: int, work: list[bytes], concurrency: int, procs: int, cores: set[int]) -> Run:
    """Spread ``work`` over ``procs`` processes of ``concurrency // procs`` connections each."""
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(procs), ctx.Queue()
    per = max(1, concurrency // procs)
    shares = [work[i::procs] for i in range(procs)]
    jobs = [(port, share, per, cores, barrier, results) for share in shares]
    workers = [ctx.Process(target=client_process, args=(job,)) for job in jobs]
    for w in workers:
        w.start()
    reports = [results.get(timeout=600) for _ in workers]
    for w in workers:
        w.join(timeout=10)
    seconds = max(r[1] for r in reports) - min(r[0] for r in reports)
    return Run(seconds, sum(r[2] for r in reports), sum(r[3] for r in reports))


# -- the old client: httpx in this process --------------------------------------------------------


async def drive_httpx(port: int, work: list[bytes], concurrency: int) -> int:
    import httpx

    queue = list(reversed(work))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> int:
            received = 0
            while queue:
                response = await client.get(queue.pop().decode())
                response.raise_for_status()
                received += len(response.content)
            return received

        return sum(await asyncio.gather(*(worker() for _ in range(concurrency))))


def run_httpx(port: int, work: list[bytes], concurrency: int, cores: set[int]) -> Run:
    pin(cores)
    cpu, start = time.process_time(), time.perf_counter()
    received = asyncio.run(drive_httpx(port, work, concurrency))
    return Run(time.perf_counter() - start, received, time.process_time() - cpu)


# -- main -----------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=2_000, help="distinct pages (40,000 posts)")
    p.add_argument("--concurrency", type=int, default=32, help="connections, all clients")
    p.add_argument(
        "--in-process", type=int, default=0, metavar="N",
        help="instead: N cold pages through Emulator.respond in this process, no HTTP (under "
        "valgrind --tool=callgrind this counts instructions, which load does not change)",
    )  # fmt: skip
    p.add_argument(
        "--cache-mb", type=int, default=1536, help="the server's --cache-mb (the warm and cached "
        "passes need the whole workload cached: ~170 KB a page, ~9 KB a post; at most 50,000 "
        "posts, the entity caches' entry bound)",
    )  # fmt: skip
    p.add_argument("--client", choices=["light", "httpx"], default="light")
    p.add_argument("--client-procs", type=int, default=max(1, len(cores) - 1))
    p.add_argument("--http", default="auto", help="uvicorn --http: auto, h11, httptools")
    p.add_argument("--loop", default="auto", help="uvicorn --loop: auto, asyncio, uvloop")
    p.add_argument("--server-core", type=int, default=cores[0])
    args = p.parse_args()
    args.client_cores = set(cores) - {args.server_core} or set(cores)
    return args


def drive(args: argparse.Namespace, port: int, work: list[bytes]) -> Run:
    if args.client == "httpx":
        return run_httpx(port, work, args.concurrency, args.client_cores)
    return run_light(port, work, args.concurrency, args.client_procs, args.client_cores)


@dataclass
class Pass:
    run: Run
    server_cpu: float
    rss: float


def report(state: str, n: int, one: Pass, bare: Pass) -> None:
    run, cpu = one.run, one.server_cpu
    print(
        f"{state:>6}: {n} hashtag pages in {run.seconds:5.2f} s: {n / run.seconds:6,.0f} pages/s; "
        f"server {cpu:.2f} CPU-s ({cpu / run.seconds:.0%} of its core): "
        f"{n / cpu:6,.0f} pages per server CPU-second ({bare.server_cpu / cpu:.2f}x cached); "
        f"RSS {one.rss:,.0f} MiB"
    )


def timed(args: argparse.Namespace, port: int, pid: int, work: list[bytes]) -> Pass:
    cpu = cpu_seconds(pid)
    run = drive(args, port, work)
    return Pass(run, cpu_seconds(pid) - cpu, rss_mb(pid))


def advance_clock(port: int, seconds: int) -> None:
    """Move the server's world clock on by ``seconds``."""
    url = f"http://127.0.0.1:{port}/_emulator/clock"
    body = f'{{"advance": {seconds}}}'.encode()
    with urllib.request.urlopen(urllib.request.Request(url, body, method="POST")) as reply:
        assert reply.status == 200


def in_process(n: int) -> None:
    """``n`` pages through the emulator's core in this process, cold then warm (an hour
    later): pages per CPU-second."""
    import gc

    from tokarc.emulator import Emulator

    gc.freeze()
    gc.set_threshold(20_000, 20, 20)  # as the server does
    emulator, work = Emulator(seed=0, cache_bytes=1536 << 20), workload(n)
    for state in ("cold", "warm"):
        cpu = time.process_time()
        for query in work:
            reply = emulator.respond("GET", PATH, query)
            assert reply.status == 200
        cpu = time.process_time() - cpu
        rate = n / max(cpu, 1e-9)
        print(f"in process, {state}: {n} pages in {cpu:.2f} CPU-s: {rate:,.0f} pages/CPU-s")
        emulator.clock.advance(3_600)


def main() -> None:
    args = parse_args()
    if args.in_process:
        in_process(args.in_process)
        return
    port = free_port()
    server = start_server(port, {args.server_core}, args.http, args.loop, args.cache_mb)
    work = targets(workload(args.requests))
    try:
        wait_ready(port)
        drive(args, port, targets(workload(200, 99, WARMUP_TAGS)))  # imports, warm code
        cold = timed(args, port, server.pid, work)
        advance_clock(port, 3_600)
        warm = timed(args, port, server.pid, work)
        cached = timed(args, port, server.pid, work)
    finally:
        server.terminate()
        server.wait(timeout=10)
    n, procs = args.requests, 1 if args.client == "httpx" else args.client_procs
    print(
        f"uvicorn --http {args.http} --loop {args.loop}, one worker on core {args.server_core}, "
        f"--cache-mb {args.cache_mb}; clients: {args.client} x {procs} process(es), "
        f"{args.concurrency} connections, on core(s) {sorted(args.client_cores)}; "
        f"{cold.run.received / n / 1000:.0f} KB a page"
    )
    for state, one in (("cold", cold), ("warm", warm), ("cached", cached)):
        report(state, n, one, cached)


if __name__ == "__main__":
    main()
