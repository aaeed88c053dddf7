"""`tokarc rebuild` of a collected archive beside a bare reference, in one run.

    .venv/bin/python benchmarks/rebuild.py [--posts 100000]

Emulator hashtag pages (served by its own process, not timed) are saved as a collection saves
them (``Store.save_pages(defer=True)``: the page log, the tables derived behind). Then, on the
same machine at the same time:
  - tokarc: ``tokarc.store.rebuild(store)`` — every derived table emptied and derived again from
    the page log (each body decompressed and decoded again, every table written, one
    transaction);
  - the reference: the same bodies, decompressed from the same log, through the ingest floor
    (``ingest.floor_rows``: a bare msgspec decode into the posts rows, one executemany into a
    one-table database, one transaction).
Printed: posts/s of each, and their ratio. Issue 27's goal: >= 5,000 posts/s on SQLite.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest import _FLOOR_TABLE, _FLOOR_UPSERT, Tokarc, floor_rows, pages

from tokarc.store import open_store, rebuild
from tokarc.store._log import unpack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "archive.db")
        with open_store(path) as store:
            ours = Tokarc(store, 1)
            for tag, response in pages(args.posts):
                ours.take(tag, response)
            ours.finish()
            posts = int(store.db.query("SELECT COUNT(*) FROM posts")[0][0])
            started = time.perf_counter()
            done = rebuild(store)
            took = time.perf_counter() - started
            assert int(store.db.query("SELECT COUNT(*) FROM posts")[0][0]) == posts
            bodies = [bytes(b) for (b,) in store.db.query("SELECT body FROM pages ORDER BY id")]
        floor_took = reference(os.path.join(tmp, "floor.db"), bodies)
    print(f"rebuild of {posts:,} posts ({done.pages:,} pages, {done.records:,} records):")
    print(f"  tokarc rebuild           {posts / took:9,.0f} posts/s  ({took:.1f} s)")
    print(f"  bare reference           {posts / floor_took:9,.0f} posts/s  ({floor_took:.1f} s)")
    print(f"  ratio                    {floor_took / took:9.2f}x the reference")


def reference(path: str, bodies: list[bytes]) -> float:
    """Seconds to decompress and decode the bodies into one bare table, in one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(_FLOOR_TABLE)
    started = time.perf_counter()
    conn.execute("BEGIN")
    for page, blob in enumerate(bodies, 1):
        rows, _ = floor_rows(unpack(blob), "2026-11-01T00:00:00+00:00", page)
        conn.executemany(_FLOOR_UPSERT, rows)
    conn.execute("COMMIT")
    took = time.perf_counter() - started
    conn.close()
    return took


if __name__ == "__main__":
    main()
