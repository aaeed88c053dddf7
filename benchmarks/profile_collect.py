"""Where a collection's client CPU goes: cProfile over 20 hashtag jobs x 5 pages, one after the
other, from an emulator in its own process (so its work is not counted) into SQLite.

    .venv/bin/python benchmarks/profile_collect.py [--tags 20] [--pages 5]

Prints the process CPU seconds and each part's share of the profiled time (the tottime of the
functions of each part): SQLite's statements, msgspec decoding, tokarc's models,
the store's rows and plan, HTTP (httpx, httpcore, h11, sockets), and the rest.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

import tokarc
from tokarc.collect import Collector, JobSpec
from tokarc.store import open_store

sys.path.insert(0, str(Path(__file__).parent))
from _serve import emulator
from client_vs_official import TOKEN, tags

PARTS = (
    ("SQLite statements", ("sqlite3.Connection' objects", "sqlite3.Cursor' objects")),
    ("msgspec decoding", ("msgspec.json.Decoder' objects",)),
    ("models (tokarc/models)", ("tokarc/models/",)),
    ("rows and plan (tokarc/store)", ("tokarc/store/_rows", "tokarc/store/_plan")),
    ("HTTP (httpx, httpcore, h11, sockets)", ("httpx/", "httpcore/", "h11/", "_socket.socket")),
)


def part(where: str) -> str:
    return next((name for name, keys in PARTS if any(k in where for k in keys)), "the rest")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=20)
    parser.add_argument("--pages", type=int, default=5)
    args = parser.parse_args()
    names = tags(args.tags, args.pages)
    with emulator(0.0) as base, tempfile.TemporaryDirectory() as tmp:
        for label in ("warm", "profiled"):  # the first round warms the emulator's caches
            specs = [JobSpec.build("hashtag", n, max_items=args.pages * 20) for n in names]
            with tokarc.Client(TOKEN, base_url=base) as c, open_store(f"{tmp}/{label}.db") as s:
                profile, cpu = cProfile.Profile(), time.process_time()
                profile.enable()
                for spec in specs:
                    Collector(c, s).run(spec)
                profile.disable()
                cpu = time.process_time() - cpu
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    shares: dict[str, float] = {}
    for (file, _, func), (_, _, tottime, _, _) in stats.items():
        shares[part(f"{file} {func}")] = shares.get(part(f"{file} {func}"), 0.0) + tottime
    total = sum(shares.values())
    print(f"{len(specs)} jobs x {args.pages} pages, sequential: {cpu:.2f} s of CPU (profiled)")
    for name, seconds in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<38} {seconds / total:5.1%}")


if __name__ == "__main__":
    main()
