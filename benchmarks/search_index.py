"""What full-text search costs: ingest with the search index kept in sync, beside without it.

    .venv/bin/python benchmarks/search_index.py [--posts 20000] [--backend sqlite|postgresql|both]

Fetches emulator hashtag pages first (not timed), then saves the same pages (decode + save_page,
one transaction per page) into two fresh stores: one as tokarc makes it (FTS5 triggers on
SQLite, generated tsvector columns + GIN indexes on PostgreSQL), and the bare reference with the
search index removed. Saves them twice (new posts, then the same posts seen again: the upsert
path) and prints posts/s for each, then the time of a search over the result.
PostgreSQL is TOKARC_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serve import fresh_schema
from tests.store.bench_save_page import fetch

from tokarc.analysis._search import search
from tokarc.models import decode_many
from tokarc.store import Batch, Store, open_store
from tokarc.store._views import SEARCHABLE

PG_URL = os.environ.get("TOKARC_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def unindexed(store: Store) -> None:
    """Remove the search index: the bare reference."""
    for table in SEARCHABLE:
        if store.backend == "sqlite":
            for trigger in ("insert", "update", "delete"):
                store.db.execute(f"DROP TRIGGER {table}_fts_{trigger}")
        else:
            store.db.execute(f"ALTER TABLE {table} DROP COLUMN search")


def save(store: Store, pages: list[tuple[str, Any, list[Any]]]) -> float:
    job = store.create_job("hashtag", f"bench-{uuid.uuid4().hex[:6]}")
    started = time.perf_counter()
    for tag, cursor, items in pages:
        records, bad = decode_many("post", items)
        store.save_page(Batch(
            endpoint="/tt/hashtag/posts", params={"name": tag, "cursor": cursor}, cursor=cursor,
            records=records, undecodable=bad, job_id=job.id, source_kind="hashtag",
            source_target=tag, checkpoint=json.dumps({"cursor": cursor}),
        ))  # fmt: skip
    return time.perf_counter() - started


@contextlib.contextmanager
def target(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield str(Path(tmp) / "bench.db")
        return
    with fresh_schema(PG_URL, "bench") as url:
        yield url


def run(backend: str, pages: list[tuple[str, Any, list[Any]]], n: int) -> None:
    for label, indexed in (("bare (no search index)", False), ("with search index", True)):
        with target(backend) as url, open_store(url) as store:
            if not indexed:
                unindexed(store)
            new, again = save(store, pages), save(store, pages)
            rates = f"new {n / new:8,.0f} posts/s   seen again {n / again:8,.0f} posts/s"
            line = f"{backend:10} {label:24} {rates}"
            if indexed:
                started = time.perf_counter()
                hits = search(store.db, "magic", limit=100)
                ms = 1000 * (time.perf_counter() - started)
                line += f"   search 'magic': {len(hits)} hits in {ms:.1f} ms"
            print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    args = parser.parse_args()
    pages = fetch(args.posts)
    n = sum(len(p[2]) for p in pages)
    print(f"{n} posts in {len(pages)} pages")
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, pages, n)


if __name__ == "__main__":
    main()
