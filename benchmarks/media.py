"""The media archive's cost, beside bare references, in one run.

    .venv/bin/python benchmarks/media.py [--posts 200] [--rounds 300]

1. The emulator: a cached hashtag page through the httpx shell (media URLs put on the asked
   origin, memoized) beside the pure core's answer to the same request (no shell, no origin).
2. The archive: downloading every cover of POSTS posts (content-addressed files, fsync, one row
   each) beside bare GETs of the same URLs into memory, both over the in-process emulator.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx

import tokarc
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.media import archive, pending
from tokarc.store import open_store

BASE = "http://bench.emulator/apis"


def per_call(fn: object, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - start) / rounds


def emulator_overhead(rounds: int) -> None:
    emu = Emulator(seed=0)
    query = {"name": "magic", "token": "t", "cursor": "20"}
    request = httpx.Request("GET", f"{BASE}/tt/hashtag/posts", params=query)
    emu.handle(request)
    shell = per_call(lambda: emu.handle(request), rounds)
    core = per_call(lambda: emu.respond("GET", "/apis/tt/hashtag/posts", query), rounds)
    print(f"emulator, cached page: shell {shell * 1e6:,.0f} µs, bare core {core * 1e6:,.0f} µs")


def archive_throughput(posts: int) -> None:
    emu = Emulator(seed=0)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "b.db") as store:
        with tokarc.Client("t", base_url=BASE, transport=emu.transport()) as client:
            spec = JobSpec.build("hashtag", "magic", max_items=posts)
            Collector(client, store, clock=emu.clock.now).run(spec)
        urls = [i.url for i in pending(store, ("cover",))]
        with httpx.Client(transport=emu.transport()) as http:
            start = time.perf_counter()
            size = sum(len(http.get(u).content) for u in urls)
            bare = time.perf_counter() - start
            for concurrency in (1, 4):
                store.db.execute("DELETE FROM media")
                root = Path(tmp) / f"media{concurrency}"
                start = time.perf_counter()
                report = archive(store, http, root, kinds=("cover",), min_free=0,
                                 concurrency=concurrency, clock=emu.clock.now)  # fmt: skip
                took = time.perf_counter() - start
                rate = report.downloaded / took
                print(f"archive, {report.downloaded} covers ({report.bytes / 1e6:.1f} MB), "
                      f"concurrency {concurrency}: {rate:,.0f} files/s")  # fmt: skip
        print(f"bare GETs into memory, {len(urls)} covers ({size / 1e6:.1f} MB): "
              f"{len(urls) / bare:,.0f} files/s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    emulator_overhead(args.rounds)
    archive_throughput(args.posts)


if __name__ == "__main__":
    main()
