"""One worker against the pages' own time, and four workers against one, idle and under load.

    .venv/bin/python benchmarks/workers.py [--quick] [--jobs 20] [--pages 10] [--latency 0.1]
        [--workers 4] [--db postgresql://postgres@127.0.0.1:5432/postgres]

Workload: JOBS hashtag jobs of PAGES pages each (20 posts a page) against the emulator served by
uvicorn in its own process on loopback, LATENCY seconds added to every response: the pages alone
take JOBS x PAGES x LATENCY seconds (20 x 10 x 0.1 = 20 s). Printed side by side, in one run:

- ``pages``: the same pages fetched one after the other by a bare ``httpx.Client`` loop (the
  pages' own time: the latency, the emulator and loopback; nothing stored);
- ``1 worker`` and ``N workers``: as many ``tokarc worker`` processes (concurrency 1 each, one
  fresh PostgreSQL schema per run) started and registered first, then the jobs enqueued; the
  wall time runs from the enqueue to the last job done (a worker's start, ~1 s of imports, is
  printed apart: it is paid once per process, not per job).

Each is measured twice: ``idle`` (whatever else the machine runs) and ``load``: one process
burning a core for as long as that part runs (it ends itself after ``--load-limit`` seconds).
Goals (issue 24, item 6): one worker <= 1.1x the pages' time, N=4 workers >= 3.3x faster than
one. ``--quick``: 8 jobs x 5 pages, for a smaller, noisier figure in ~30 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg

from tokarc.collect import JobSpec, job_for
from tokarc.emulator import Emulator
from tokarc.emulator import _vocab as V
from tokarc.store import open_store
from tokarc.workers import Workers

sys.path.insert(0, str(Path(__file__).parent))
from _serve import emulator, fresh_schema

PER_PAGE = 20
BURN = "import time\nend = time.monotonic() + {limit}\nwhile time.monotonic() < end:\n    pass\n"


def deep_tags(n: int, pages: int) -> list[str]:
    """``n`` hashtags of the emulator's world with at least ``pages`` full pages each."""
    world = httpx.Client(transport=Emulator(seed=0).transport(), base_url="http://emulator")
    found: list[str] = []
    for tag in V.TAGS:
        query = {"token": "t", "name": tag, "cursor": str(PER_PAGE * (pages - 1))}
        body = world.get("/apis/tt/hashtag/posts", params=query).json()
        if len(body["data"].get("data", [])) == PER_PAGE:
            found.append(tag)
        if len(found) == n:
            return found
    raise SystemExit(f"the world has only {len(found)} hashtags of {pages} pages")


@contextlib.contextmanager
def load(on: bool, limit: float) -> Iterator[None]:
    """A process burning one core inside the block (none if not ``on``); it ends by itself
    after ``limit`` seconds, whatever happens to this one."""
    if not on:
        yield
        return
    proc = subprocess.Popen([sys.executable, "-c", BURN.format(limit=limit)])
    try:
        time.sleep(0.2)  # burning before the timing starts
        yield
    finally:
        proc.kill()
        proc.wait()


def bare_pages(base_url: str, tags: list[str], pages: int) -> float:
    """Seconds a bare client takes to fetch every page once, one after the other."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        started = time.perf_counter()
        for tag in tags:
            for page in range(pages):
                query = {"token": "t", "name": tag, "cursor": str(PER_PAGE * page)}
                client.get("/tt/hashtag/posts", params=query).raise_for_status()
        return time.perf_counter() - started


def registered(db: str) -> int:
    with psycopg.connect(db, autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass('procrastinate_workers')").fetchone()
        if found is None or found[0] is None:
            return 0
        row = conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
        return int(row[0]) if row else 0


def done(conn: psycopg.Connection[tuple[int]]) -> int:
    row = conn.execute("SELECT count(*) FROM jobs WHERE status = 'done'").fetchone()
    return int(row[0]) if row else 0


def start_workers(base_url: str, db: str, n: int) -> tuple[list[subprocess.Popen[bytes]], float]:
    """``n`` worker processes, registered in the queue; and the seconds that took."""
    exe = str(Path(sys.executable).with_name("tokarc"))
    argv = [exe, "-q", "--base-url", base_url, "--token", "t", "worker", "--db", db]
    started = time.perf_counter()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen(argv, **quiet) for _ in range(n)]
    while registered(db) < n:
        if any(p.poll() is not None for p in procs):
            raise SystemExit("a worker exited before it registered")
        time.sleep(0.05)
    return procs, time.perf_counter() - started


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(60)


def run_workers(base_url: str, db: str, tags: list[str], pages: int, n: int) -> tuple[float, float]:
    """(seconds from the enqueue to the last job done, seconds the workers took to start)."""
    Workers(db)  # the queue's tables, before any worker looks at them
    with open_store(db) as store:
        spec = {"max_items": PER_PAGE * pages}
        ids = [job_for(store, JobSpec.build("hashtag", t, **spec)).id for t in tags]
    procs, start = start_workers(base_url, db, n)
    try:
        with psycopg.connect(db, autocommit=True) as conn:
            began = time.perf_counter()
            Workers(db).enqueue(ids)
            while done(conn) < len(ids):
                if any(p.poll() is not None for p in procs):
                    raise SystemExit("a worker exited before the jobs were done")
                time.sleep(0.02)
            wall = time.perf_counter() - began
    finally:
        stop_workers(procs)
    with open_store(db) as store:
        fetched = int(store.db.query("SELECT COUNT(*) FROM pages")[0][0])
    assert fetched == len(tags) * pages, f"{fetched} pages of {len(tags) * pages}"
    return wall, start


def measure(args: argparse.Namespace, base_url: str, tags: list[str], loaded: bool) -> None:
    name = "load" if loaded else "idle"
    nominal = len(tags) * args.pages * args.latency
    with load(loaded, args.load_limit):
        own = bare_pages(base_url, tags, args.pages)
        walls: dict[int, tuple[float, float]] = {}
        for n in (1, args.workers):
            with fresh_schema(args.db, prefix="wk_bench") as db:
                walls[n] = run_workers(base_url, db, tags, args.pages, n)
    (one, one_start), (many, many_start) = walls[1], walls[args.workers]
    n = args.workers
    print(f"{name}: pages alone {nominal:.1f} s nominal, {own:.2f} s by a bare loop")
    print(f"{name}:   1 worker   {one:6.2f} s  {one / own:5.2f}x the bare loop "
          f"({one / nominal:.2f}x nominal; start {one_start:.2f} s)")  # fmt: skip
    print(f"{name}: {n:>3} workers  {many:6.2f} s  {one / many:5.2f}x faster than one "
          f"(bound {n:.1f}x; start {many_start:.2f} s)", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 jobs x 5 pages")
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--load-limit", type=float, default=300.0, metavar="S")
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", choices=["idle", "load"], default=None)
    args = parser.parse_args()
    if args.quick:
        args.jobs, args.pages = 8, 5
    tags = deep_tags(args.jobs, args.pages)
    print(f"{args.jobs} hashtag jobs x {args.pages} pages, {args.latency * 1000:.0f} ms a page, "
          f"{os.cpu_count()} cores; emulator, PostgreSQL and workers share them")  # fmt: skip
    with emulator(args.latency) as base_url:
        bare_pages(base_url, tags, args.pages)  # the emulator's caches warm for every run
        for loaded in (False, True):
            if args.only in (None, "load" if loaded else "idle"):
                measure(args, base_url, tags, loaded)


if __name__ == "__main__":
    main()
