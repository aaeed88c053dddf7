"""How collection scales with workers: the same jobs, 1, 2, 4 and 8 worker processes.

    .venv/bin/python benchmarks/workers_scaling.py [--jobs 40] [--pages 10] [--latency 0.1]
        [--workers 1,2,4,8] [--db postgresql://postgres@127.0.0.1:5432/test]

Workload: JOBS hashtag jobs of PAGES pages each (20 posts a page) against the emulator served
by uvicorn in its own process on loopback, with LATENCY seconds added to every response. For
each worker count N, a fresh PostgreSQL schema gets the jobs enqueued, then N `tokarc worker
--once --concurrency 1` processes drain the queue. Prints the wall time, its ratio to one
worker, and the bound (JOBS x PAGES x LATENCY / N: the latency alone, perfectly shared). The
machine's two cores are shared by the workers, the emulator and PostgreSQL, so the CPU, not the
latency, bounds the larger counts: read the ratios.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tokarc.collect import JobSpec, job_for
from tokarc.emulator import Emulator
from tokarc.emulator import _vocab as V
from tokarc.store import open_store
from tokarc.workers import Workers

sys.path.insert(0, str(Path(__file__).parent))
from _serve import emulator, fresh_schema


def deep_tags(n: int, pages: int) -> list[str]:
    """``n`` hashtags of the emulator's world with at least ``pages`` full pages each."""
    world = httpx.Client(transport=Emulator(seed=0).transport(), base_url="http://emulator")
    found: list[str] = []
    for tag in V.TAGS:
        query = {"token": "t", "name": tag, "cursor": str(20 * (pages - 1))}
        body = world.get("/apis/tt/hashtag/posts", params=query).json()
        if len(body["data"].get("data", [])) == 20:
            found.append(tag)
        if len(found) == n:
            return found
    raise SystemExit(f"the world has only {len(found)} hashtags of {pages} pages")


def run(base_url: str, db: str, tags: list[str], pages: int, workers: int) -> tuple[float, int]:
    with open_store(db) as store:
        ids = [job_for(store, JobSpec.build("hashtag", t, max_items=20 * pages)).id for t in tags]
    Workers(db).enqueue(ids)
    exe = str(Path(sys.executable).with_name("tokarc"))
    argv = [exe, "-q", "--base-url", base_url, "--token", "t", "worker", "--db", db, "--once"]
    started = time.perf_counter()
    procs = [subprocess.Popen(argv, stdout=subprocess.DEVNULL) for _ in range(workers)]
    for proc in procs:
        proc.wait(1800)
    elapsed = time.perf_counter() - started
    with open_store(db) as store:
        done = sum(1 for j in store.list_jobs() if j.status == "done")
        fetched = int(store.db.query("SELECT COUNT(*) FROM pages")[0][0])
    assert done == len(tags), f"{done} of {len(tags)} jobs done"
    return elapsed, fetched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--workers", default="1,2,4,8")
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    print(f"{args.jobs} hashtag jobs x {args.pages} pages, {args.latency * 1000:.0f} ms latency")
    print(f"{'workers':>7}  {'pages':>5}  {'wall s':>7}  {'vs 1':>6}  {'bound s':>7}  "
          f"{'vs bound':>8}")  # fmt: skip
    tags = deep_tags(args.jobs, args.pages)
    first: float | None = None
    with emulator(args.latency) as base_url:
        for n in counts:
            with fresh_schema(args.db) as db:
                wall, fetched = run(base_url, db, tags, args.pages, n)
            first = first or wall
            bound = fetched * args.latency / n
            print(f"{n:>7}  {fetched:>5}  {wall:7.1f}  {wall / first:6.2f}  {bound:7.1f}  "
                  f"{wall / bound:8.2f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
