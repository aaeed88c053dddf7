"""Ingest throughput and memory: tokarc's decode + upsert beside a bare floor, in one run.

    .venv/bin/python benchmarks/ingest.py [--posts 100000] [--backend sqlite|postgresql|both]
                                          [--group 1]

Pages of /tt/hashtag/posts come from the emulator, served by its own process (not timed),
hashtag after hashtag, until POSTS posts were read. Each page goes, in turn, to:
  - tokarc: the pager's decode (``Walker.take``: raw JSON -> typed records, dedupe, cursor) and
    ``Store.save_pages(defer=True)``, as a collection saves a page: the page log's row (the body,
    zstd) and the job's checkpoint in one transaction per page, the tables derived behind in
    batches (``--inline``: every table in the page's transaction); with ``--group N``, N pages
    per transaction (what a collection does when pages wait to be written);
  - the floor: a bare msgspec decode of the same page into the ``posts`` row (same columns,
    same raw bytes) and one ``executemany`` upsert into a ``posts`` table with only its primary
    key (sqlite3; psycopg's pipelined executemany on PostgreSQL), plus a checkpoint UPDATE,
    one transaction per page.
Both see the same pages at the same moment on the same (shared) machine, so their ratio is
what to read. Printed per backend: posts/s of each, the ratio, bytes written per post
(SQLite), and tokarc's process resident memory along the way (flat is the goal).

PostgreSQL is TOKARC_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test), in
a fresh schema dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec

import tokarc
from tokarc.api import endpoints as E
from tokarc.client.pagination import Walker
from tokarc.emulator._vocab import TAGS
from tokarc.store import Batch, Store, open_store
from tokarc.store import _rows as R

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_vs_official import emulator

PG_URL = os.environ.get("TOKARC_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ENDPOINT = E.get("hashtag_search")


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def written_bytes() -> int:
    with open("/proc/self/io") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("write_bytes"))


# -- the floor: what a 60-line script would do ------------------------------------------------


class _Urls(msgspec.Struct):
    url_list: list[str] = []


class _Author(msgspec.Struct):
    uid: str | int | None = None
    unique_id: str | None = None


class _Sound(msgspec.Struct):
    id: str | int | None = None


class _Stats(msgspec.Struct):
    play_count: int | None = None
    digg_count: int | None = None
    comment_count: int | None = None
    share_count: int | None = None
    collect_count: int | None = None
    download_count: int | None = None


class _Video(msgspec.Struct):
    duration: int | None = None
    width: int | None = None
    height: int | None = None
    cover: _Urls | None = None
    play_addr: _Urls | None = None


class _Item(msgspec.Struct):
    aweme_id: str | int
    desc: str = ""
    create_time: int | None = None
    region: str | None = None
    share_url: str | None = None
    author: _Author | None = None
    music: _Sound | None = None
    statistics: _Stats | None = None
    video: _Video | None = None


class _Data(msgspec.Struct):
    data: list[msgspec.Raw] = []
    nextCursor: int | None = None


class _Envelope(msgspec.Struct):
    data: _Data


_envelope = msgspec.json.Decoder(_Envelope).decode
_item = msgspec.json.Decoder(_Item).decode
_NO_STATS, _NO_VIDEO = _Stats(), _Video()


def _url(u: _Urls | None) -> str | None:
    return u.url_list[0] if u is not None and u.url_list else None


def floor_rows(content: bytes, at: str, page_id: int) -> tuple[list[tuple[Any, ...]], Any]:
    """The posts rows of a page (tokarc's ``posts`` columns), and the next cursor."""
    env = _envelope(content).data
    rows = []
    for raw in env.data:
        p = _item(raw)
        a, s, v = p.author, p.statistics or _NO_STATS, p.video or _NO_VIDEO
        rows.append((
            str(p.aweme_id), a and str(a.uid), a and a.unique_id, p.music and str(p.music.id),
            p.create_time, p.desc, p.region, 0, 0, None, None, s.play_count, s.digg_count,
            s.comment_count, s.share_count, s.collect_count, s.download_count, v.duration,
            v.width, v.height, _url(v.cover), _url(v.play_addr), p.share_url, None, None,
            bytes(raw).decode(), None, page_id, page_id, at, at,
        ))  # fmt: skip
    return rows, env.nextCursor


_COLS = R.POST_COLUMNS
_INTS = {"create_time", "is_pinned", "is_photo", "duration_ms", "width", "height", "first_page",
         "last_page", *(c for c in _COLS if c.endswith("_count"))}  # fmt: skip
_FLOOR_TABLE = "CREATE TABLE floor_posts ({}, PRIMARY KEY (aweme_id))".format(
    ", ".join(f"{c} {'BIGINT' if c in _INTS else 'TEXT'}" for c in _COLS)
)
_FLOOR_UPSERT = (
    f"INSERT INTO floor_posts ({', '.join(_COLS)}) VALUES ({', '.join('?' * len(_COLS))}) "
    f"ON CONFLICT (aweme_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLS if c not in ("aweme_id", "first_page"))
)


class SQLiteFloor:
    """sqlite3, WAL, synchronous=NORMAL (tokarc's settings), executemany, commit per page."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode = WAL", "synchronous = NORMAL"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute(_FLOOR_TABLE)
        self.conn.execute("CREATE TABLE floor_jobs (id INTEGER PRIMARY KEY, checkpoint TEXT)")
        self.conn.execute("INSERT INTO floor_jobs VALUES (1, NULL)")

    def save(self, rows: list[tuple[Any, ...]], checkpoint: str) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany(_FLOOR_UPSERT, rows)
        self.conn.execute("UPDATE floor_jobs SET checkpoint = ? WHERE id = 1", (checkpoint,))
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class PostgresFloor:
    """psycopg 3, one pipeline and one transaction per page, prepared executemany."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True, prepare_threshold=2)
        self.conn.execute(_FLOOR_TABLE)
        self.conn.execute("CREATE TABLE floor_jobs (id BIGINT PRIMARY KEY, checkpoint TEXT)")
        self.conn.execute("INSERT INTO floor_jobs VALUES (1, NULL)")
        self.sql = _FLOOR_UPSERT.replace("?", "%s")

    def save(self, rows: list[tuple[Any, ...]], checkpoint: str) -> None:
        with self.conn.pipeline(), self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(self.sql, rows)
            cur.execute("UPDATE floor_jobs SET checkpoint = %s WHERE id = 1", (checkpoint,))

    def close(self) -> None:
        self.conn.close()


# -- the run ----------------------------------------------------------------------------------


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
def places(backend: str) -> Iterator[tuple[str, str]]:
    """Where tokarc's store and the floor's tables go."""
    if backend == "postgresql":
        with postgres_schema() as tokarc_url, postgres_schema() as floor_url:
            yield tokarc_url, floor_url
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield os.path.join(tmp, "tokarc.db"), os.path.join(tmp, "floor.db")


def pages(goal: int) -> Iterator[tuple[str, tokarc.Response]]:
    """(hashtag, response) for every page until ``goal`` posts were sent; not timed.

    The emulator runs in its own process, so that this process's resident memory is tokarc's
    (and the floor's), not the emulator's world.
    """
    sent = 0
    retry = tokarc.RetryPolicy.none()
    with emulator(0.0) as base, tokarc.Client("bench", base_url=base, retry=retry) as client:
        for tag in TAGS:
            cursor: Any = 0
            while cursor is not None and sent < goal:
                response = client.tiktok.hashtag_search(tag, cursor=cursor)
                yield tag, response
                sent += len(response.data.get("data") or [])
                cursor = response.data.get("nextCursor") if response.data.get("data") else None
            if sent >= goal:
                return


class Tokarc:
    """tokarc's hot path: the pager's decode, then save_page (or save_pages of ``group``)."""

    def __init__(self, store: Store, group: int, defer: bool = True) -> None:
        self.store, self.group, self.defer = store, group, defer
        self.walkers: dict[str, Walker[Any]] = {}
        self.jobs: dict[str, int] = {}
        self.waiting: list[Batch] = []
        self.stored = 0

    def take(self, tag: str, response: tokarc.Response) -> None:
        if tag not in self.walkers:  # a new hashtag: the last one is done, forget its walker
            self.walkers = {tag: Walker(ENDPOINT, {"name": tag})}
            self.jobs[tag] = self.store.create_job("hashtag", tag).id
        walker = self.walkers[tag]
        page = walker.take(response)
        walker.finish_page()
        self.waiting.append(Batch(
            endpoint=ENDPOINT.name, records=page.items, job_id=self.jobs[tag],
            params=response.params, cursor=page.cursor, source_kind="hashtag",
            source_target=tag, checkpoint=walker.state.to_json(), undecodable=page.undecodable,
            body=response.content,
        ))  # fmt: skip
        if len(self.waiting) >= self.group:
            self.flush()

    def flush(self) -> None:
        if self.waiting:
            results = self.store.save_pages(self.waiting, defer=self.defer)
            self.stored += sum(r.new for r in results)
            self.waiting = []

    def finish(self) -> None:
        self.flush()
        self.store.derive_pending()


def bench(backend: str, goal: int, group: int, defer: bool = True) -> None:
    step = max(goal // 10, 10_000)
    spent = {"tokarc": 0.0, "floor": 0.0}
    series: list[str] = []
    read, next_mark, floor_page = 0, step, 0
    rates: list[str] = []
    last: tuple[int, dict[str, float]] = (0, dict(spent))
    wrote = {"tokarc": 0, "floor": 0}
    with places(backend) as (tokarc_at, floor_at), open_store(tokarc_at) as store:
        floor = PostgresFloor(floor_at) if backend == "postgresql" else SQLiteFloor(floor_at)
        ours = Tokarc(store, group, defer)
        for tag, response in pages(goal):
            b0, t0 = written_bytes(), time.perf_counter()
            ours.take(tag, response)
            b1, t1 = written_bytes(), time.perf_counter()
            floor_page += 1
            rows, cursor = floor_rows(response.content, "2026-11-01T00:00:00+00:00", floor_page)
            floor.save(rows, str(cursor))
            b2, t2 = written_bytes(), time.perf_counter()
            spent["tokarc"] += t1 - t0
            spent["floor"] += t2 - t1
            wrote["tokarc"] += b1 - b0
            wrote["floor"] += b2 - b1
            read += len(rows)
            if read >= next_mark:
                series.append(f"{next_mark // 1000}k: {rss_mb():.0f}")
                rates.append(_segment(next_mark, read - last[0], spent, last[1]))
                print(f"  ... {backend} {rates[-1]} posts/s, {series[-1]} MB", flush=True)
                last = (read, dict(spent))
                next_mark += step
        b0, t0 = written_bytes(), time.perf_counter()
        ours.finish()
        spent["tokarc"] += time.perf_counter() - t0
        wrote["tokarc"] += written_bytes() - b0
        disk = on_disk(store, floor) if backend == "sqlite" else None
        floor.close()
    report(backend, read, ours.stored, group, spent, series, defer)
    print("  posts/s by stretch       tokarc / floor: " + ", ".join(rates))
    if backend == "sqlite":  # PostgreSQL writes in its server's processes, not this one
        per = {k: v / read / 1024 for k, v in wrote.items()}
        print(
            f"  written per post         tokarc {per['tokarc']:.1f} KB, floor {per['floor']:.1f} KB"
        )
    if disk is not None:
        ours_kb, floor_kb, tables = disk
        print(f"  on disk per post (dbstat) tokarc {ours_kb:.2f} KB, floor {floor_kb:.2f} KB")
        print("  tokarc by table (KB/post) " + ", ".join(f"{t} {kb:.2f}" for t, kb in tables))


def on_disk(store: Store, floor: Any) -> tuple[float, float, list[tuple[str, float]]]:
    """KB per stored post on disk (SQLite's dbstat: every B-tree page, indexes and FTS
    included), for tokarc and the floor, and tokarc's biggest tables."""
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    posts = store.db.query("SELECT COUNT(*) FROM posts")[0][0] or 1
    sql = "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
    by_name = [(str(n), int(b) / posts / 1024) for n, b in store.db.query(sql)]
    floor_posts = floor.conn.execute("SELECT COUNT(*) FROM floor_posts").fetchone()[0] or 1
    floor_bytes = floor.conn.execute("SELECT SUM(pgsize) FROM dbstat").fetchone()[0]
    return sum(kb for _, kb in by_name), floor_bytes / floor_posts / 1024, by_name[:8]


def _segment(mark: int, posts: int, spent: dict[str, float], before: dict[str, float]) -> str:
    ours = posts / max(spent["tokarc"] - before["tokarc"], 1e-9)
    floor = posts / max(spent["floor"] - before["floor"], 1e-9)
    return f"to {mark // 1000}k {ours:,.0f} / {floor:,.0f}"


def report(
    backend: str,
    read: int,
    stored: int,
    group: int,
    spent: dict[str, float],
    series: list[str],
    defer: bool,
) -> None:
    ours, floor = read / spent["tokarc"], read / spent["floor"]
    how = "page per transaction" if group == 1 else f"{group} pages per transaction"
    how += ", tables derived behind in batches" if defer else ", tables derived in each page's"
    print(f"{backend}: {read:,} posts read, {stored:,} stored (tokarc: {how})")
    print(f"  tokarc decode + upsert   {ours:9,.0f} posts/s  ({spent['tokarc']:.1f} s)")
    print(f"  bare floor               {floor:9,.0f} posts/s  ({spent['floor']:.1f} s)")
    print(f"  ratio                    {ours / floor:9.2f}x the floor")
    print(f"  tokarc resident MB       {', '.join(series)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--group", type=int, default=1, help="tokarc pages per transaction")
    parser.add_argument(
        "--inline",
        action="store_true",
        help="derive the tables in each page's transaction (not behind, as a collection does)",
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        bench(backend, args.posts, args.group, defer=not args.inline)


if __name__ == "__main__":
    main()
