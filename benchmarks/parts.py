"""What single parts of a collection cost, each beside what it replaces or leaves out, in one run.

    .venv/bin/python benchmarks/parts.py [--rounds 3]

- a request's URL: httpx building it from a path and params, and the token added with
  ``copy_add_param`` (what tokarc did), beside tokarc's URL parsed once and the token appended;
- a page of 20 posts: tokarc's typed decode (``decode_many_json``) beside msgspec decoding the
  same page into plain dicts;
- 20 hashtags x 5 pages at 100 ms through ``Many`` (concurrency 20, fetching ahead 1) into
  SQLite: the store as it is, then without the search index's triggers, then without the
  secondary indexes of the hot tables (what each feature costs a collection's CPU; the run
  is changed only in its own throwaway store).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import timeit
from pathlib import Path

import httpx
import msgspec

import tokarc
from tokarc.api import endpoints as E
from tokarc.client import _wire as W
from tokarc.client.pagination import json_items
from tokarc.collect import Collector, JobSpec, Many
from tokarc.models._decode import decode_many_json
from tokarc.store import open_store

sys.path.insert(0, str(Path(__file__).parent))
from _serve import emulator
from client_vs_official import TOKEN, tags

BASE = "http://127.0.0.1:8000/apis"
LEFT_OUT = {
    "as it is": [],
    "no search triggers": ["DROP TRIGGER posts_fts_insert", "DROP TRIGGER users_fts_insert"],
    "no secondary indexes": [
        f"DROP INDEX {index}"
        for index in (
            "posts_author",
            "posts_music",
            "post_hashtags_name",
            "seen_via_source",
            "page_items_job",
        )
    ],
}


def per_call_us(fn: object, number: int) -> float:
    return timeit.timeit(fn, number=number) / number * 1e6  # type: ignore[arg-type]


def request_building() -> None:
    call = W.prepare(E.get("hashtag_search"), {"hashtag": "magic", "cursor": 40})
    with httpx.Client(base_url=BASE) as plain, tokarc.Client(TOKEN, base_url=BASE) as ours:

        def httpx_way() -> httpx.URL:
            url = plain.build_request("GET", call.path, params=call.wire).url
            return url.copy_add_param("token", TOKEN)

        def tokarc_way() -> httpx.URL:
            url = plain.build_request("GET", ours._url(call)).url
            return httpx.URL(f"{url}&token={TOKEN}")

        assert httpx_way() == tokarc_way()
        print("a request's URL and token:")
        print(f"  httpx from path and params  {per_call_us(httpx_way, 5000):7.1f} us")
        print(f"  tokarc, parsed once         {per_call_us(tokarc_way, 5000):7.1f} us")


def page_decoding() -> None:
    from tokarc.emulator import Emulator

    with tokarc.Client(TOKEN, base_url=BASE, transport=Emulator().transport()) as client:
        pages = [client.tiktok.hashtag_search("magic", cursor=20 * i) for i in range(10)]
    items = [json_items(E.get("hashtag_search"), page) for page in pages]

    def typed() -> None:
        for page in items:
            decode_many_json("post", page)

    def dicts() -> None:
        for page in pages:
            msgspec.json.decode(page.content)

    print("a page of 20 posts:")
    print(f"  tokarc typed records        {per_call_us(typed, 200) / 10 / 1000:7.3f} ms")
    print(f"  msgspec into plain dicts    {per_call_us(dicts, 200) / 10 / 1000:7.3f} ms")


def left_out(rounds: int) -> None:
    names = tags(20, 5)
    cpu: dict[str, list[float]] = {label: [] for label in LEFT_OUT}
    with emulator(0.1) as base, tempfile.TemporaryDirectory() as tmp:
        for round_ in range(rounds):  # the variants take turns: load hits them alike
            for n, (label, statements) in enumerate(LEFT_OUT.items()):
                specs = [JobSpec.build("hashtag", t, max_items=100) for t in names]
                db = f"{tmp}/{round_}-{n}.db"
                with tokarc.Client(TOKEN, base_url=base) as c, open_store(db) as store:
                    for statement in statements:
                        store.db.execute(statement)
                    start = time.process_time()
                    Many(Collector(c, store, ahead=1), concurrency=20).run(specs)
                    cpu[label].append(time.process_time() - start)
    base_cpu = statistics.median(cpu["as it is"])
    print(f"20 hashtags x 5 pages through Many into SQLite, median CPU of {rounds} rounds:")
    for label, seconds in cpu.items():
        middle = statistics.median(seconds)
        print(f"  {label:<26}  {middle:6.3f} s  ({middle / base_cpu:4.2f}x as it is)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    request_building()
    page_decoding()
    left_out(args.rounds)


if __name__ == "__main__":
    main()
