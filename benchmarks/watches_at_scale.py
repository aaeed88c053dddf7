"""Thousands of watches on workers, on a time-scaled clock: each runs once per interval?

    .venv/bin/python benchmarks/watches_at_scale.py [--watches 10000] [--workers 4]
        [--concurrency 4] [--rounds 2] [--scale 60] [--db postgresql://postgres@127.0.0.1/test]

WATCHES watches (hashtags, keywords, accounts and sounds, mixed), each every hour of world time,
in a fresh PostgreSQL schema, are run by WORKERS `tokarc worker` processes (CONCURRENCY jobs
each) against the emulator served on loopback. World time runs SCALE times faster than real
time for the workers (one world hour is 3600 / SCALE real seconds); the emulator's own clock
stands still, so a run after the first finds nothing new and costs one page. The benchmark
lets ROUNDS intervals pass, then prints, from the `watch_runs` table: runs per watch per
interval (every watch once, none twice), the longest wait past due (starvation), and the size
of the queue table at the end (finished jobs are deleted as they succeed).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import itertools
import subprocess
import sys
import time
from pathlib import Path

from tokarc.emulator import Emulator
from tokarc.monitor import Watches
from tokarc.store import open_store

sys.path.insert(0, str(Path(__file__).parent))
from workers_scaling import emulator, fresh_schema

WORKER = """
import sys, time, tokarc
from tokarc.workers import WorkerRuntime, run_worker
db, base_url, t0, r0, scale, concurrency = sys.argv[1:7]
clock = lambda: float(t0) + (time.time() - float(r0)) * float(scale)
client = lambda: tokarc.Client("t", base_url=base_url, retry=tokarc.RetryPolicy(attempts=8))
run_worker(WorkerRuntime(db, client, clock=clock), concurrency=int(concurrency))
"""

HOUR = 3600.0


def targets(n: int) -> list[tuple[str, str]]:
    world = Emulator(seed=0).world
    kinds: list[tuple[str, str]] = []
    for i in range(n):
        match i % 4:
            case 0:
                kinds.append(("hashtag", f"tag{i}"))
            case 1:
                kinds.append(("keyword", f"word {i}"))
            case 2:
                kinds.append(("user", world.user(64 + i).unique_id))
            case _:
                kinds.append(("sound", str(7000000000000000000 + i)))
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watches", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--scale", type=float, default=60.0)
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    t0 = float(int(time.time()))
    with emulator(0.0) as base_url, fresh_schema(args.db) as db:
        with open_store(db) as store:
            watches = Watches(store)
            for kind, target in targets(args.watches):
                watches.add(kind, target, every="1h", window="1d", now=t0)
        r0 = time.time()
        argv = [sys.executable, "-c", WORKER, db, base_url, str(t0), str(r0), str(args.scale),
                str(args.concurrency)]  # fmt: skip
        procs = [subprocess.Popen(argv, stderr=subprocess.DEVNULL) for _ in range(args.workers)]
        try:
            time.sleep(args.rounds * HOUR / args.scale)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(120)
        report(db, args, t0)


def report(db: str, args: argparse.Namespace, t0: float) -> None:
    with open_store(db) as store:
        rows = store.db.query("SELECT watch_id, started_at FROM watch_runs ORDER BY watch_id, id")
        queue = int(store.db.query("SELECT COUNT(*) FROM procrastinate_jobs")[0][0])
    starts: dict[int, list[float]] = collections.defaultdict(list)
    for watch_id, started in rows:
        starts[int(watch_id)].append(dt.datetime.fromisoformat(str(started)).timestamp())
    per_round: collections.Counter[tuple[int, int]] = collections.Counter()
    late = 0.0
    for times in starts.values():
        for k, at in enumerate(times):
            per_round[(k, int((at - t0) // HOUR))] += 1
            due = t0 if k == 0 else times[k - 1] + HOUR
            late = max(late, at - due)
    rounds = collections.Counter(len(v) for v in starts.values())
    twice = sum(1 for t in starts.values() for a, b in itertools.pairwise(t) if b - a < HOUR)
    never = args.watches - len(starts)
    print(f"{args.watches} watches, every 1 h of world time, {args.rounds} h elapsed "
          f"(x{args.scale:g}: {args.rounds * HOUR / args.scale:.0f} s real), "
          f"{args.workers} workers x {args.concurrency}")  # fmt: skip
    print(f"runs per watch: {dict(sorted(rounds.items()))} (never ran: {never})")
    print(f"runs closer than one interval apart (twice): {twice}")
    print(f"longest wait past due: {late:.0f} s of world time ({late / args.scale:.1f} s real)")
    print(f"queue table rows at the end: {queue}")


if __name__ == "__main__":
    main()
