"""The report's size, and what it costs to build, for 600 posts and for 100k, in one run.

    .venv/bin/python benchmarks/report_size.py [--posts 100000] [--skip-large]

- 600 posts: the database of issue 24 item 1, made by the commands a new user types
  (``tokarc --sandbox hashtag magic --max-items 400``, then ``keyword tesla --max-items 200``,
  into one SQLite file), then ``tokarc report``. Goal: <= 1.5 MB.
- POSTS posts: pages of /tt/hashtag/posts from the emulator (its own process), hashtag after
  hashtag, stored as a collection stores them (``Store.save_pages``), then ``tokarc report``
  over the whole store. Goal: <= 3 MB; the figures are aggregated in SQL, so the page and the
  process stay small however many posts there are.

The reference beside each size is the page's fixed part: the plotly.js bundle it inlines
(``monitor/assets/plotly-basic.min.js``). What is above it is the report's own HTML and data.
Printed: bytes, the bundle's share, the build's wall time and the process's peak resident
memory of the ``tokarc report`` process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tokarc.monitor
from tokarc.store import open_store

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest import Tokarc, pages

BUNDLE = Path(tokarc.monitor.__file__).parent / "assets" / "plotly-basic.min.js"
GOAL_SMALL, GOAL_LARGE = 1_500_000, 3_000_000
TOKARC = [sys.executable, "-m", "tokarc"]


def report(db: Path, out: Path) -> tuple[float, float]:
    """``tokarc report`` in its own process: (seconds, its peak resident memory in MB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([*TOKARC, "report", "--db", str(db), "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - t0
    if status:
        why = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"tokarc report failed: {why}")
    return took, usage.ru_maxrss / 1024


def small(tmp: Path) -> tuple[int, float, float]:
    """The report of issue 24's 600-post database, made through the CLI; (bytes, seconds, MB)."""
    db = tmp / "d.db"
    for args in (["hashtag", "magic", "--max-items", "400"], ["keyword", "tesla", "--max-items",
                 "200"]):  # fmt: skip
        cmd = [*TOKARC, "--sandbox", *args, "--db", str(db), "--max-units", "none"]
        subprocess.run(cmd, check=True, capture_output=True)
    took, peak = report(db, tmp / "r.html")
    return (tmp / "r.html").stat().st_size, took, peak


def large(tmp: Path, goal: int) -> tuple[int, int, float, float, float]:
    """(posts stored, report bytes, ingest seconds, report seconds, peak MB while reporting)."""
    db = tmp / "large.db"
    t0 = time.perf_counter()
    with open_store(str(db)) as store:
        ours = Tokarc(store, group=20)
        for n, (tag, response) in enumerate(pages(goal), 1):
            ours.take(tag, response)
            if n % 500 == 0:
                print(f"  ... {ours.stored:,} posts stored", flush=True)
        ours.flush()
        stored = ours.stored
    ingest = time.perf_counter() - t0
    took, peak = report(db, tmp / "large.html")
    return stored, (tmp / "large.html").stat().st_size, ingest, took, peak


def line(name: str, size: int, goal: int, bundle: int) -> str:
    verdict = "meets" if size <= goal else "MISSES"
    return (
        f"{name:<22}{size:>12,} bytes  ({size / 2**20:.2f} MiB; bundle {bundle / size:.0%}, "
        f"the rest {size - bundle:,})  goal <= {goal / 1e6:.1f} MB: {verdict}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=100_000)
    ap.add_argument("--skip-large", action="store_true", help="only the 600-post report")
    args = ap.parse_args()
    bundle = BUNDLE.stat().st_size
    print(f"reference: plotly.js basic bundle {bundle:,} bytes (inlined once in every report)")
    with tempfile.TemporaryDirectory() as tmp:
        size, took, peak = small(Path(tmp))
        print(line("600 posts", size, GOAL_SMALL, bundle))
        print(f"  report built in {took:.1f} s, peak {peak:.0f} MB RSS")
        if args.skip_large:
            return
        stored, size, ingest, took, peak = large(Path(tmp), args.posts)
        print(line(f"{stored:,} posts", size, GOAL_LARGE, bundle))
        print(f"  stored in {ingest:.0f} s; report built in {took:.1f} s, peak {peak:.0f} MB RSS")


if __name__ == "__main__":
    main()
