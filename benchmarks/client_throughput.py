"""The async client's own cost: tokarc beside the bound and the best bare loops, idle and under
load, in one run.

    .venv/bin/python benchmarks/client_throughput.py [--tags 20] [--pages 5] [--latency 0.1]
        [--repeat 5] [--no-official] [--profile]

Workload: TAGS hashtags x PAGES pages of /tt/hashtag/posts, all hashtags at once, against the
emulator in its own process (loopback) with LATENCY seconds added to every answer. Each figure
is the best wall time of REPEAT rounds; the rounds interleave the clients, so that load hits
them alike. The same is run twice: on the machine as it is ("idle"), then beside a bounded
CPU-burning process ("under load", a busy loop, stopped after the phase).

- bound: the server's own capacity, what the emulator answers to a client that does nothing:
  raw asyncio sockets, one kept-alive connection per hashtag, request bytes built beforehand,
  only the cursor read from each body (no latency-free client can be faster);
- bare loops: httpx (its own pool, and tokarc's sharded one) and aiohttp, each with msgspec;
- tokarc async: the SDK's workload (``hashtag_search``, the cursor carried by hand) and the
  typed one (``iter_hashtag_posts``: every post a ``Post``);
- the official async SDK under ``asyncio.gather`` (one round only: it is 5-60x slower).

Prints each wall time, its ratio to the bound, the client's CPU per request, and tokarc's ratios
to the bound and to the best bare loop beside the goals (<= 1.1x and <= 1.03x). ``--profile``
adds where tokarc's client CPU goes per request (cProfile, by package).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import os
import pstats
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator

import httpx
import msgspec

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _serve import emulator
from client_vs_official import (
    TOKEN,
    bare_aiohttp_async,
    bare_httpx_async,
    official_async,
    point_official_at,
    tags,
    tokarc_async,
    tokarc_async_raw,
)

GOAL_BOUND = 1.10
GOAL_BARE = 1.03
BURN_SECONDS = 600  # the load stops by itself even if this script is killed

Run = Callable[[str, list[str], int], Awaitable[int]]


class _Page(msgspec.Struct):
    nextCursor: int | None = None  # the wire's name


class _Answer(msgspec.Struct):
    data: _Page


_cursor = msgspec.json.Decoder(_Answer)


async def raw_sockets(base: str, names: list[str], pages: int) -> int:
    """The bound: the least a client can do for the same answers (counts pages, not posts)."""
    url = httpx.URL(base)
    host, port, root = url.host, url.port or 80, url.path.rstrip("/")

    async def one(name: str) -> int:
        reader, writer = await asyncio.open_connection(host, port)
        cursor, count = 0, 0
        try:
            for _ in range(pages):
                query = httpx.QueryParams({"name": name, "cursor": cursor, "token": TOKEN})
                writer.write(
                    f"GET {root}/tt/hashtag/posts?{query} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
                )
                body = await _body(reader)
                cursor = _cursor.decode(body).data.nextCursor or cursor
                count += 20
        finally:
            writer.close()
        return count

    return sum(await asyncio.gather(*(one(n) for n in names)))


async def _body(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            return await reader.readexactly(int(line[15:]))
    raise SystemExit("the emulator's answer has no Content-Length")


async def bare_httpx_pool(base: str, names: list[str], pages: int) -> int:
    """Bare httpx with its own connection pool, and msgspec."""
    return await bare_httpx_async(base, names, pages, pool="httpx")


BOUND = "bound: raw sockets"
BARE = ("bare httpx + msgspec", "bare httpx, sharded pool", "bare aiohttp + msgspec")
TOKARC = ("tokarc async, raw pages", "tokarc async, typed posts")
OFFICIAL = "official async + gather"


def rows(official: bool) -> list[tuple[str, Run]]:
    found: list[tuple[str, Run]] = [
        (BOUND, raw_sockets),
        (BARE[0], bare_httpx_pool),
        (BARE[1], bare_httpx_async),
        (BARE[2], bare_aiohttp_async),
        (TOKARC[0], tokarc_async_raw),
        (TOKARC[1], tokarc_async),
    ]
    return [*found, (OFFICIAL, official_async)] if official else found


def timed(run: Run, base: str, names: list[str], pages: int) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(run(base, names, pages))  # type: ignore[arg-type]
    return time.perf_counter() - wall, time.process_time() - cpu


@contextlib.contextmanager
def load(cores: int) -> Iterator[None]:
    """``cores`` processes that burn CPU until the block ends (or BURN_SECONDS pass)."""
    end = f"time.monotonic() + {BURN_SECONDS}"
    loop = f"import time\nend = {end}\nwhile time.monotonic() < end: pass"
    procs = [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(cores)]
    try:
        time.sleep(0.5)  # the burners running before the first round
        yield
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def phase(label: str, args: argparse.Namespace, base: str, names: list[str]) -> None:
    requests = len(names) * args.pages
    table = rows(not args.no_official)
    walls: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for round_ in range(args.repeat):
        for name, run in table:
            if name == OFFICIAL and round_:
                continue  # 10-60 s a run: once is enough to show the order of magnitude
            wall, cpu = timed(run, base, names, args.pages)
            walls[name] = min(wall, walls.get(name, wall))
            cpus[name] = min(cpu, cpus.get(name, cpu))
    bound, best = walls[BOUND], min(walls[b] for b in BARE)
    print(f"{label} (load average {os.getloadavg()[0]:.1f}; best of {args.repeat}):")
    for name, _ in table:
        print(f"  {name:<28} {walls[name]:6.3f} s  {walls[name] / bound:5.2f}x bound"
              f"  {cpus[name] / requests * 1e6:6.0f} us CPU/request")  # fmt: skip
    print(f"  latency alone                {args.pages * args.latency:6.3f} s"
          f"  ({args.pages} x {args.latency * 1000:.0f} ms)")  # fmt: skip
    for name in TOKARC:
        print(f"  {name}: {walls[name] / bound:.2f}x bound (goal <= {GOAL_BOUND}), "
              f"{walls[name] / best:.2f}x best bare loop (goal <= {GOAL_BARE})")  # fmt: skip


PARTS = (
    ("tokarc", ("tokarc/",)),
    ("httpx", ("httpx/",)),
    ("aiohttp, yarl, multidict", ("aiohttp/", "yarl/", "multidict/")),
    ("httpcore, h11", ("httpcore/", "h11/")),
    ("stamina, tenacity", ("stamina/", "tenacity/")),
    ("msgspec", ("msgspec",)),
    ("asyncio, sockets, selectors", ("asyncio/", "selectors", "socket", "select.epoll")),
)


def profile(args: argparse.Namespace, base: str, names: list[str]) -> None:
    """cProfile over the typed and raw tokarc runs: each package's share of the client CPU."""
    requests = len(names) * args.pages
    for name, run in zip(TOKARC, (tokarc_async_raw, tokarc_async), strict=True):
        prof = cProfile.Profile()
        prof.enable()
        _, cpu = timed(run, base, names, args.pages)
        prof.disable()
        shares = _shares(prof)
        total = sum(shares.values())
        print(f"where {name} spends its CPU ({cpu / requests * 1e6:.0f} us/request, profiled):")
        for part, seconds in sorted(shares.items(), key=lambda kv: -kv[1]):
            print(f"  {part:<30} {seconds / total:6.1%}  {seconds / requests * 1e6:6.0f} us")


def _shares(prof: cProfile.Profile) -> dict[str, float]:
    shares: dict[str, float] = {}
    for (file, _, func), stat in pstats.Stats(prof).stats.items():  # type: ignore[attr-defined]
        where = f"{file} {func}"
        part = next((p for p, keys in PARTS if any(k in where for k in keys)), "the rest")
        shares[part] = shares.get(part, 0.0) + stat[2]
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=20)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=5, help="rounds; each figure is the best")
    parser.add_argument("--load-cores", type=int, default=1, help="busy processes under load")
    parser.add_argument("--no-official", action="store_true", help="leave the official SDK out")
    parser.add_argument("--profile", action="store_true", help="where tokarc's CPU goes")
    args = parser.parse_args()
    os.environ.pop("TOKARC_BASE_URL", None)
    names = tags(args.tags, args.pages)
    print(f"workload: {args.tags} hashtags x {args.pages} pages at once, "
          f"{args.latency * 1000:.0f} ms latency")  # fmt: skip
    with emulator(args.latency) as base:
        point_official_at(base)
        for _, run in rows(not args.no_official):  # warm the emulator's caches and imports
            timed(run, base, names, 1)
        phase("idle", args, base, names)
        with load(args.load_cores):
            phase(f"under load ({args.load_cores} busy processes)", args, base, names)
        if args.profile:
            profile(args, base, names)


if __name__ == "__main__":
    main()
