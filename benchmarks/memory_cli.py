"""Resident memory of one `tokarc hashtag T1 T2 ...` command collecting a million posts.

    .venv/bin/python benchmarks/memory_cli.py [--posts 1000000] [--db PATH]

The emulator runs in its own process (its world is not counted). One CLI command collects the
emulator's hashtags one after another (`--max-units none`, into SQLite) until about POSTS posts
are stored, or its 155 hashtags are done (about 680k posts: the most one command of hashtags
reaches in the emulator's world); its resident memory (VmRSS of the CLI process) is sampled
every second and printed against the posts stored at that moment, beside the process's memory
once it has started (the reference: imports, no data). Flat is the goal (issue 27: <= 100 MB at 1M).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _serve import emulator
from client_vs_official import TOKEN

from tokarc.emulator._vocab import TAGS

CLI = str(Path(sys.executable).with_name("tokarc"))
POSTS_PER_TAG = 4_000  # about what the emulator holds per hashtag


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        line = next(line for line in fh if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def stored(db: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT SUM(items) FROM pages").fetchone()[0] or 0)
    except sqlite3.Error:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--db")
    args = parser.parse_args()
    tags = list(TAGS)[: max(1, args.posts // POSTS_PER_TAG + 1)]
    with tempfile.TemporaryDirectory() as tmp, emulator(0.0) as base:
        db = args.db or os.path.join(tmp, "million.db")
        command = [CLI, "--base-url", base, "--token", TOKEN, "-q", "hashtag", *tags,
                   "--max-units", "none", "--db", db]  # fmt: skip
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)
        start_mb, samples, started = rss_mb(proc.pid), [], time.perf_counter()
        next_mark = 100_000
        while proc.poll() is None:
            try:
                mb = rss_mb(proc.pid)
            except (FileNotFoundError, StopIteration):
                break
            posts = stored(db)
            samples.append((posts, mb))
            if posts >= next_mark:
                print(f"  {posts:>9,} posts stored: {mb:6.1f} MB", flush=True)
                next_mark += 100_000
            if posts >= args.posts:
                proc.terminate()
                break
            time.sleep(1.0)
        _, err = proc.communicate(timeout=120)
        took = time.perf_counter() - started
        posts = stored(db)
    peak = max(mb for _, mb in samples) if samples else 0.0
    print(f"one CLI command, {len(tags)} hashtags: {posts:,} posts in {took:.0f} s")
    print(f"  resident at start        {start_mb:6.1f} MB (imports, no data: the reference)")
    print(f"  resident at its peak     {peak:6.1f} MB")
    print(f"  resident at the end      {samples[-1][1] if samples else 0:6.1f} MB")
    if err.strip():
        print("  stderr: " + err.decode(errors="replace").strip().splitlines()[-1])


if __name__ == "__main__":
    main()
