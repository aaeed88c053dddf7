"""Ingest throughput and memory: collecting 100,000 posts through the in-process emulator.

    .venv/bin/python benchmarks/ingest.py [--posts 100000] [--backend sqlite|postgresql|both]

Runs hashtag collection jobs (tokarc.collect) over the emulator's hashtags until POSTS posts are
stored, and prints for each backend:
  - ingest rate: posts decoded (raw JSON -> typed records) and upserted (store.save_page, one
    transaction per page with its checkpoint) per second of the time spent doing exactly that;
  - end-to-end rate: posts per second of wall time, emulator page generation included;
  - resident memory after every 20,000 posts, and the peak, to show it stays flat.
PostgreSQL is TOKARC_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test), in a
fresh schema dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import tokarc
from tokarc.client import pagination
from tokarc.collect import Collector, JobReport, JobSpec
from tokarc.emulator import Emulator
from tokarc.emulator._vocab import TAGS
from tokarc.store import Store, open_store

PG_URL = os.environ.get("TOKARC_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
STEP = 20_000


@dataclass
class Timers:
    decode: float = 0.0
    save: float = 0.0
    rss_mb: list[tuple[int, float]] = field(default_factory=list)


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextlib.contextmanager
def timed_hot_path(store: Store, timers: Timers) -> Iterator[None]:
    """Time the two halves of ingest: the pager's decode and the store's save_page."""
    take, save = pagination.Walker.take, store.save_page

    def timed_take(self: Any, response: Any) -> Any:
        start = time.perf_counter()
        try:
            return take(self, response)
        finally:
            timers.decode += time.perf_counter() - start

    def timed_save(batch: Any) -> Any:
        start = time.perf_counter()
        try:
            return save(batch)
        finally:
            timers.save += time.perf_counter() - start

    pagination.Walker.take = timed_take  # type: ignore[method-assign]
    store.save_page = timed_save  # type: ignore[method-assign]
    try:
        yield
    finally:
        pagination.Walker.take = take  # type: ignore[method-assign]


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    import psycopg

    schema = f"tokarc_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@contextlib.contextmanager
def target(backend: str) -> Iterator[str]:
    if backend == "postgresql":
        with postgres_schema() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield os.path.join(tmp, "ingest.db")


def collect(store: Store, goal: int, timers: Timers) -> tuple[int, float]:
    # Small emulator caches: its memory is not tokarc's, and should not hide tokarc's growth.
    emulator = Emulator(seed=0, cache_size=2_000, page_cache_size=16)
    retry = tokarc.RetryPolicy.none()
    stored, next_mark = 0, STEP
    start = time.perf_counter()
    with tokarc.Client(
        "bench", base_url="http://e/apis", transport=emulator.transport(), retry=retry
    ) as client:
        collector = Collector(client, store)
        for tag in TAGS:
            report: JobReport = collector.run(
                JobSpec.build("hashtag", tag, max_items=goal - stored)
            )
            stored += report.new
            while stored >= next_mark:
                timers.rss_mb.append((next_mark, rss_mb()))
                next_mark += STEP
            if stored >= goal:
                break
    return stored, time.perf_counter() - start


def bench(backend: str, goal: int) -> None:
    timers = Timers()
    with target(backend) as where, open_store(where) as store, timed_hot_path(store, timers):
        posts, wall = collect(store, goal, timers)
    hot = timers.decode + timers.save
    print(f"{backend}: {posts:,} posts stored")
    print(f"  ingest (decode + upsert)  {posts / hot:9,.0f} posts/s  "
          f"(decode {timers.decode:.1f} s, upsert {timers.save:.1f} s)")  # fmt: skip
    print(f"  end to end                {posts / wall:9,.0f} posts/s  ({wall:.1f} s wall)")
    series = ", ".join(f"{n // 1000}k: {mb:.0f}" for n, mb in timers.rss_mb)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  resident MB               {series}; peak so far {peak:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        bench(backend, args.posts)


if __name__ == "__main__":
    main()
