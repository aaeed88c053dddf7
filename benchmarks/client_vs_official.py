"""tokarc against the official `ensembledata` SDK, side by side, in one run.

    .venv/bin/python benchmarks/client_vs_official.py [--tags 40] [--pages 5] [--latency 0.1]
        [--many-only]

Workload: TAGS hashtags x PAGES pages of /tt/hashtag/posts against the emulator (its own
process, on loopback) with LATENCY seconds added to every response. Prints the wall time of
the official SDK's sync loop, the official async client under asyncio.gather, and tokarc's
async client; the lower bound (PAGES x LATENCY, all hashtags at once) and tokarc's ratio to
it. Then, against a zero-latency emulator, the client CPU time per page of both SDKs.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

import tokarc

TOKEN = "bench-token"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _serve import emulator  # noqa: E402


def tags(n: int, pages: int) -> list[str]:
    """N hashtags of the emulator's world that have at least PAGES full pages."""
    from tokarc.emulator import Emulator
    from tokarc.emulator._vocab import TAGS

    with tokarc.Client(TOKEN, base_url="http://x/apis", transport=Emulator().transport()) as c:
        deep = [t for t in TAGS if _has_pages(c, t, pages)]
    if len(deep) < n:
        raise SystemExit(f"only {len(deep)} hashtags have {pages} pages")
    return deep[:n]


def _has_pages(client: tokarc.Client, tag: str, pages: int) -> bool:
    data = client.tiktok.hashtag_search(tag, cursor=(pages - 1) * 20).data
    return len(data.get("data") or []) == 20


def official_sync(base: str, names: list[str], pages: int) -> int:
    from ensembledata.api import EDClient

    client, count = EDClient(TOKEN), 0
    for name in names:
        cursor = 0
        for _ in range(pages):
            data = client.tiktok.hashtag_search(hashtag=name, cursor=cursor).data
            count += len(data["data"])
            cursor = data.get("nextCursor", cursor)
    return count


async def official_async(base: str, names: list[str], pages: int) -> int:
    from ensembledata.api import EDAsyncClient

    client = EDAsyncClient(TOKEN)

    async def one(name: str) -> int:
        cursor, count = 0, 0
        for _ in range(pages):
            data = (await client.tiktok.hashtag_search(hashtag=name, cursor=cursor)).data
            count += len(data["data"])
            cursor = data.get("nextCursor", cursor)
        return count

    return sum(await asyncio.gather(*(one(n) for n in names)))


async def tokarc_async_raw(base: str, names: list[str], pages: int) -> int:
    """The SDK's workload exactly: raw pages, the cursor carried by hand."""
    async with tokarc.AsyncClient(TOKEN, base_url=base) as client:

        async def one(name: str) -> int:
            cursor, count = 0, 0
            for _ in range(pages):
                data = (await client.tiktok.hashtag_search(name, cursor=cursor)).data
                count += len(data["data"])
                cursor = data.get("nextCursor", cursor)
            return count

        return sum(await asyncio.gather(*(one(n) for n in names)))


async def bare_httpx_async(base: str, names: list[str], pages: int, pool: str = "sharded") -> int:
    """The floor of any httpx-based client: bare httpx and msgspec decoding, on tokarc's
    sharded pool (``pool="sharded"``) or httpx's own (``pool="httpx"``)."""
    import msgspec

    from tokarc.client._transports import ShardedAsyncTransport

    decode = msgspec.json.Decoder().decode
    options: dict[str, Any] = (
        {"transport": ShardedAsyncTransport(50)}
        if pool == "sharded"
        else {"limits": httpx.Limits(max_connections=50, max_keepalive_connections=50)}
    )
    async with httpx.AsyncClient(base_url=base + "/", **options) as client:

        async def one(name: str) -> int:
            cursor, count = 0, 0
            for _ in range(pages):
                params = {"name": name, "cursor": cursor, "token": TOKEN}
                data = decode((await client.get("tt/hashtag/posts", params=params)).content)
                count += len(data["data"]["data"])
                cursor = data["data"].get("nextCursor", cursor)
            return count

        return sum(await asyncio.gather(*(one(n) for n in names)))


async def bare_aiohttp_async(base: str, names: list[str], pages: int) -> int:
    """The floor of an aiohttp-based client: bare aiohttp and msgspec decoding."""
    import aiohttp
    import msgspec

    decode = msgspec.json.Decoder().decode
    connector = aiohttp.TCPConnector(limit=50)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(name: str) -> int:
            cursor, count = 0, 0
            for _ in range(pages):
                params = {"name": name, "cursor": cursor, "token": TOKEN}
                async with session.get(f"{base}/tt/hashtag/posts", params=params) as reply:
                    data = decode(await reply.read())
                count += len(data["data"]["data"])
                cursor = data["data"].get("nextCursor", cursor)
            return count

        return sum(await asyncio.gather(*(one(n) for n in names)))


def _transport(kind: str) -> httpx.AsyncBaseTransport | None:
    """tokarc's async transport of ``kind``: None is the default."""
    from tokarc.client import _transports as T

    if kind == "default":
        return None
    return T.ShardedAsyncTransport(50) if kind == "httpx" else T.aiohttp_transport(50)


async def tokarc_async(base: str, names: list[str], pages: int, transport: str = "default") -> int:
    """More than the SDK does: every post decoded into a typed record."""
    async with tokarc.AsyncClient(TOKEN, base_url=base, transport=_transport(transport)) as client:

        async def one(name: str) -> int:
            pager = client.tiktok.iter_hashtag_posts(name, max_items=pages * 20)
            return len([post async for post in pager])

        return sum(await asyncio.gather(*(one(n) for n in names)))


def tokarc_sync(base: str, names: list[str], pages: int) -> int:
    with tokarc.Client(TOKEN, base_url=base) as client:
        return sum(
            len(list(client.tiktok.iter_hashtag_posts(n, max_items=pages * 20))) for n in names
        )


def point_official_at(base: str) -> None:
    import ensembledata.api._requester as requester

    requester.BASE_URL = base  # the SDK hard-codes its base URL in a module constant


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, float, Any]:
    """Wall seconds, process CPU seconds, result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    if inspect.isawaitable(result):
        result = asyncio.run(_awaited(result))
    return time.perf_counter() - wall, time.process_time() - cpu, result


async def _awaited(result: Any) -> Any:
    return await result


def latency_race(args: argparse.Namespace) -> None:
    names = tags(args.tags, args.pages)
    bound = args.pages * args.latency
    with emulator(args.latency) as base:
        point_official_at(base)
        print(f"workload: {args.tags} hashtags x {args.pages} pages, {args.latency * 1000:.0f} ms"
              f" (best of {args.repeat})")  # fmt: skip
        timed(official_sync, base, names, args.pages)  # warm the emulator's caches: measure clients
        rows = [
            ("official sync loop", official_sync),
            ("official async + gather", official_async),
            ("tokarc async (raw pages)", tokarc_async_raw),
            ("tokarc async, httpx transport", functools.partial(tokarc_async, transport="httpx")),
            ("tokarc async, aiohttp transp.", functools.partial(tokarc_async, transport="aiohttp")),
            ("tokarc async (default)", tokarc_async),
            ("bare httpx + msgspec (floor)", bare_httpx_async),
            ("bare aiohttp + msgspec (floor)", bare_aiohttp_async),
        ]
        walls: dict[str, float] = {}
        counts: dict[str, int] = {}
        for _ in range(args.repeat):  # rounds interleave the clients: load hits them alike
            for label, fn in rows:
                wall, _, counts[label] = timed(fn, base, names, args.pages)
                walls[label] = min(wall, walls.get(label, wall))
        for label, wall in walls.items():
            posts = counts[label]
            print(f"  {label:<30} {wall:7.2f} s  ({posts} posts, {wall / bound:5.2f}x bound)")
        print(f"  lower bound                    {bound:7.2f} s  ({args.pages} x latency)")
        best = min(walls[k] for k in walls if k.startswith("bare"))
        print(
            f"  tokarc (default) / best bare client: {walls['tokarc async (default)'] / best:.2f}x"
        )


def many_targets(args: argparse.Namespace) -> None:
    """The same workload as one command: ``tokarc hashtag T1 ... T20 --concurrency 20``, one
    job per hashtag into one existing SQLite store (decoded, written, checkpointed), and the
    same through the library's ``Many`` in this process. The command's own start (imports, no
    request) is measured apart: ``tokarc hashtag x --estimate``."""
    import tempfile

    from tokarc.collect import Collector, JobSpec, Many
    from tokarc.store import open_store

    names, bound = tags(args.tags, args.pages), args.pages * args.latency
    exe = os.path.join(os.path.dirname(sys.executable), "tokarc")
    with emulator(args.latency) as base, tempfile.TemporaryDirectory() as tmp:
        api = [exe, "--quiet", "--base-url", base, "--token", TOKEN, "hashtag"]
        walls: dict[str, float] = {}
        for round_ in range(args.repeat):
            start = time.perf_counter()
            subprocess.run([*api, "x", "--estimate"], check=True, capture_output=True)
            walls["start"] = min(time.perf_counter() - start, walls.get("start", 1e9))
            db = f"{tmp}/cli{round_}.db"
            open_store(db).close()  # an existing store (its schema made), as in a study's days
            start = time.perf_counter()
            subprocess.run([*api, *names, "--max-items", str(args.pages * 20), "--concurrency",
                            str(len(names)), "--db", db], check=True)  # fmt: skip
            walls["cli"] = min(time.perf_counter() - start, walls.get("cli", 1e9))
            for ahead in (0, 1):  # the command fetches one page ahead; 0 for comparison
                specs = [JobSpec.build("hashtag", n, max_items=args.pages * 20) for n in names]
                db, key = f"{tmp}/lib{round_}-{ahead}.db", f"lib{ahead}"
                with tokarc.Client(TOKEN, base_url=base) as c, open_store(db) as s:
                    start = time.perf_counter()
                    Many(Collector(c, s, ahead=ahead), concurrency=len(names)).run(specs)
                    walls[key] = min(time.perf_counter() - start, walls.get(key, 1e9))
        run = walls["cli"] - walls["start"]
        print(f"many targets in one command ({len(names)} hashtags x {args.pages} pages, "
              f"--concurrency {len(names)}, into SQLite; best of {args.repeat}):")  # fmt: skip
        print(f"  tokarc hashtag T1..T{len(names)}, whole command {walls['cli']:7.2f} s")
        print(f"  its start (imports, --estimate)  {walls['start']:7.2f} s")
        print(f"  the collection itself            {run:7.2f} s  ({run / bound:5.2f}x bound)")
        for ahead in (1, 0):
            lib = walls[f"lib{ahead}"]
            print(f"  library Many, in process, ahead {ahead} {lib:5.2f} s  "
                  f"({lib / bound:5.2f}x bound)")  # fmt: skip
        print(f"  lower bound                      {bound:7.2f} s  ({args.pages} x latency)")


def cpu_per_page(args: argparse.Namespace) -> None:
    names = tags(args.cpu_tags, args.pages)
    n_pages = len(names) * args.pages
    with emulator(0.0) as base:
        point_official_at(base)
        print(f"client CPU per page at zero latency ({n_pages} pages, sequential):")
        runs = (("official sync", official_sync), ("tokarc sync (typed posts)", tokarc_sync))
        for label, fn in runs:
            timed(fn, base, names[:2], 1)  # warm up imports and connections
            _, cpu, _ = timed(fn, base, names, args.pages)
            print(f"  {label:<28} {cpu / n_pages * 1000:7.2f} ms/page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=40)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--cpu-tags", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each figure is the best")
    parser.add_argument("--many-only", action="store_true", help="only the many-targets command")
    args = parser.parse_args()
    os.environ.pop("TOKARC_BASE_URL", None)
    if not args.many_only:
        latency_race(args)
    many_targets(args)
    if not args.many_only:
        cpu_per_page(args)


if __name__ == "__main__":
    main()
