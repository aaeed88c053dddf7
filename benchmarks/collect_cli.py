"""`tokarc hashtag T --db x.db` over HTTP beside a naive floor, in one run.

    .venv/bin/python benchmarks/collect_cli.py [--tags 3] [--backend sqlite|postgresql|both]

The emulator runs in its own process on loopback; every page of TAGS hashtags is requested once
first, so that both sides then replay cached pages (the emulator's generation is not measured).
Then, for each backend, one after the other on the same pages:
  - the CLI: `tokarc hashtag T --db DB` for each hashtag, as a user runs it (a subprocess, its
    start-up included), then one command for them all (`tokarc hashtag T1 T2 T3`), one target
    at a time and with --concurrency 4;
  - tokarc's Collector in this process, page by page (ahead=0) and fetching ahead (the default);
  - the floor: the naive loop (httpx, msgspec, one executemany of the posts rows and a
    checkpoint UPDATE per page, one transaction per page; psycopg pipeline on PostgreSQL);
  - what a user would write instead (SQLite): the official SDK, posts flattened to dicts, and
    sqlite-utils' upsert_all (issue 27's "tokarc >= 3x its posts/s, storing everything").
Printed: posts/s of each and its ratio to the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

import tokarc
from tokarc.collect import Collector, JobSpec
from tokarc.store import open_store

sys.path.insert(0, str(Path(__file__).parent))
from client_vs_official import TOKEN, emulator, point_official_at
from ingest import PostgresFloor, SQLiteFloor, floor_rows, postgres_schema

CLI = str(Path(sys.executable).with_name("tokarc"))


def pages_of(base: str, tag: str) -> int:
    """Request every page of ``tag`` once (the emulator caches them); returns the posts."""
    count, cursor = 0, 0
    with httpx.Client(base_url=base + "/") as http:
        while cursor is not None:
            params = {"name": tag, "cursor": cursor, "token": TOKEN}
            data = http.get("tt/hashtag/posts", params=params).json()["data"]
            count += len(data.get("data") or [])
            cursor = data.get("nextCursor") if data.get("data") else None
    return count


def floor(base: str, tags: list[str], where: str) -> int:
    db = PostgresFloor(where) if where.startswith("postgresql") else SQLiteFloor(where)
    count, page = 0, 0
    with httpx.Client(base_url=base + "/") as http:
        for tag in tags:
            cursor: Any = 0
            while cursor is not None:
                params = {"name": tag, "cursor": cursor, "token": TOKEN}
                content = http.get("tt/hashtag/posts", params=params).content
                page += 1
                rows, cursor = floor_rows(content, "2026-11-01T00:00:00+00:00", page)
                db.save(rows, str(cursor))
                count += len(rows)
                cursor = cursor if rows else None
    db.close()
    return count


def sdk_sqlite_utils(base: str, tags: list[str], where: str) -> int:
    """What a user would write instead: the official SDK, each post flattened to tokarc's
    ``posts`` columns (dicts), and sqlite-utils' ``upsert_all`` of them, page by page. It keeps
    the posts' columns and raw JSON only (no authors, sounds, hashtags, stats, sources, page
    log, checkpoint or ledger). SQLite only (sqlite-utils)."""
    import sqlite_utils
    from ensembledata.api import EDClient

    point_official_at(base)
    client, table, count = EDClient(TOKEN), sqlite_utils.Database(where)["posts"], 0
    for tag in tags:
        cursor: Any = 0
        while cursor is not None:
            data = client.tiktok.hashtag_search(hashtag=tag, cursor=cursor).data
            posts = data.get("data") or []
            table.upsert_all([_flat(p) for p in posts], pk="aweme_id")  # type: ignore[union-attr]
            count += len(posts)
            cursor = data.get("nextCursor") if posts else None
    return count


def _flat(post: dict[str, Any]) -> dict[str, Any]:
    """A post as a user would flatten it: tokarc's ``posts`` columns, and its raw JSON."""
    author, music = post.get("author") or {}, post.get("music") or {}
    stats, video = post.get("statistics") or {}, post.get("video") or {}
    cover, play = video.get("cover") or {}, video.get("play_addr") or {}
    return {
        "aweme_id": str(post.get("aweme_id")), "author_uid": str(author.get("uid")),
        "author_unique_id": author.get("unique_id"), "music_id": str(music.get("id")),
        "create_time": post.get("create_time"), "description": post.get("desc"),
        "region": post.get("region"), **{k: stats.get(k) for k in _COUNTS},
        "duration_ms": video.get("duration"), "width": video.get("width"),
        "height": video.get("height"), "cover_url": (cover.get("url_list") or [None])[0],
        "play_url": (play.get("url_list") or [None])[0], "share_url": post.get("share_url"),
        "raw": json.dumps(post),
    }  # fmt: skip


_COUNTS = ("play_count", "digg_count", "comment_count", "share_count", "collect_count",
           "download_count")  # fmt: skip


def cli(base: str, tags: list[str], where: str) -> int:
    """A command per hashtag: ``tokarc hashtag T --db DB``, one after the other."""
    for tag in tags:
        _tokarc(base, "hashtag", tag, "--db", where)
    return _posts(where)


def cli_once(base: str, tags: list[str], where: str, concurrency: int) -> int:
    """One command for every hashtag: ``tokarc hashtag T1 T2 T3 --concurrency N``."""
    _tokarc(base, "hashtag", *tags, "--concurrency", str(concurrency), "--db", where)
    return _posts(where)


def _tokarc(base: str, *args: str) -> None:
    command = [CLI, "--base-url", base, "--token", TOKEN, "--quiet", *args]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def _posts(where: str) -> int:
    with open_store(where) as store:
        return int(store.db.query("SELECT COUNT(*) FROM posts")[0][0])


def collector(base: str, tags: list[str], where: str, ahead: int) -> int:
    with tokarc.Client(TOKEN, base_url=base) as client, open_store(where) as store:
        runner = Collector(client, store, ahead=ahead)
        return sum(runner.run(JobSpec.build("hashtag", tag)).new for tag in tags)


def timed(fn: Callable[..., int], *args: Any) -> tuple[float, int]:
    start = time.perf_counter()
    posts = fn(*args)
    return time.perf_counter() - start, posts


def place(backend: str, tmp: str, name: str) -> Any:
    if backend == "postgresql":
        return postgres_schema()
    path = os.path.join(tmp, f"{name}.db")

    class _File:
        def __enter__(self) -> str:
            return path

        def __exit__(self, *exc: object) -> None:
            return None

    return _File()


def race(base: str, tags: list[str], backend: str) -> None:
    runs: list[tuple[str, Callable[..., int], tuple[Any, ...]]] = [
        ("naive floor", floor, ()),
        *([("SDK + sqlite-utils", sdk_sqlite_utils, ())] if backend == "sqlite" else []),
        ("tokarc CLI", cli, ()),
        ("tokarc CLI, one command", cli_once, (1,)),
        ("one command, concurrency 4", cli_once, (4,)),
        ("Collector, page by page", collector, (0,)),
        ("Collector, fetching ahead", collector, (3,)),
    ]
    results: dict[str, tuple[float, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, (label, fn, extra) in enumerate(runs):
            with place(backend, tmp, f"run{n}") as where:
                results[label] = timed(fn, base, tags, where, *extra)
    floor_rate = results["naive floor"][1] / results["naive floor"][0]
    print(f"{backend}:")
    for label, (wall, posts) in results.items():
        rate = posts / wall
        print(f"  {label:<27} {rate:8,.0f} posts/s  ({posts:,} posts, {wall:5.1f} s, "
              f"{rate / floor_rate:4.2f}x the floor)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    from tokarc.emulator._vocab import TAGS

    tags = list(TAGS[: args.tags])
    with emulator(0.0) as base:
        posts = sum(pages_of(base, tag) for tag in tags)
        print(f"{len(tags)} hashtags ({', '.join(tags)}), {posts:,} posts, pages cached")
        for backend in ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]:
            race(base, tags, backend)


if __name__ == "__main__":
    main()
