"""Quick measure of decode + save_page throughput on emulator pages (not a test).

    .venv/bin/python -m tests.store.bench_save_page /tmp/bench.db [--posts 20000] [--page 20]
    .venv/bin/python -m tests.store.bench_save_page postgresql://postgres@127.0.0.1/bench

Fetches real ``/tt/hashtag/posts`` pages from the in-process emulator first (not timed), then
times decoding them and saving each as one ``Batch`` (one transaction, with a checkpoint), and
decoding alone, so the store's share can be read off. The target must be empty.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import httpx

from tokarc._wiring import open_store
from tokarc.emulator import Emulator
from tokarc.models import decode_many
from tokarc.store import Batch

TAGS = ("magic", "fyp", "cats", "dance", "food", "travel", "music", "art", "diy", "funny")


def fetch(posts: int) -> list[tuple[str, int, list[Any]]]:
    """Emulator pages (hashtag, cursor, raw items) holding at least ``posts`` posts."""
    pages: list[tuple[str, int, list[Any]]] = []
    with httpx.Client(transport=Emulator(seed=0).transport(), base_url="http://e/apis") as c:
        for tag in TAGS:
            cursor: Any = 0
            while cursor is not None and sum(len(p[2]) for p in pages) < posts:
                params = {"name": tag, "cursor": cursor, "token": "x"}
                data = c.get("/tt/hashtag/posts", params=params).json()["data"]
                pages.append((tag, cursor, data["data"]))
                cursor = data.get("nextCursor")
    return pages


def regroup(pages: list[tuple[str, int, list[Any]]], size: int) -> list[tuple[str, int, list[Any]]]:
    items = [(tag, cursor, item) for tag, cursor, page in pages for item in page]
    return [(items[i][0], items[i][1], [x[2] for x in items[i : i + size]])
            for i in range(0, len(items), size)]  # fmt: skip


def save_all(target: str, pages: list[tuple[str, int, list[Any]]]) -> float:
    """Seconds to decode and save every page."""
    with open_store(target) as store:
        job = store.create_job("hashtag", "bench")
        started = time.perf_counter()
        for tag, cursor, items in pages:
            records, bad = decode_many("post", items)
            store.save_page(Batch(
                endpoint="/tt/hashtag/posts", params={"name": tag, "cursor": cursor},
                cursor=cursor, records=records, undecodable=bad, job_id=job.id,
                source_kind="hashtag", source_target=tag,
                checkpoint=json.dumps({"cursor": cursor}),
            ))  # fmt: skip
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target")
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--page", type=int, default=20, help="posts per save_page")
    args = parser.parse_args()
    pages = regroup(fetch(args.posts), args.page)
    n = sum(len(p[2]) for p in pages)
    stored = save_all(args.target, pages)
    started = time.perf_counter()
    for _, _, items in pages:
        decode_many("post", items)
    decoding = time.perf_counter() - started
    rates = f"{n / stored:,.0f} posts/s decoded+saved; decoding alone {n / decoding:,.0f}/s"
    print(f"{args.target}: {n} posts, {len(pages)} pages of {args.page}: {rates}")


if __name__ == "__main__":
    main()
