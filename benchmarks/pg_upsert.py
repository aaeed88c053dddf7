"""Three ways to upsert a page's posts into PostgreSQL, side by side in one run.

    .venv/bin/python benchmarks/pg_upsert.py [--pages 300]

The same PAGES hashtag pages (tokarc's ``posts`` rows, decoded once beforehand) are upserted,
page by page and one transaction per page, into three identical ``posts`` tables, the three
ways taking turns on each page:
  - many:   prepared ``INSERT ... ON CONFLICT`` per row in one pipeline (psycopg executemany:
            what the store does);
  - copy:   COPY into a temporary staging table, then one ``INSERT ... SELECT ... ON CONFLICT``
            (and the stage emptied with DELETE);
  - unnest: one ``INSERT ... SELECT FROM unnest(arrays) ... ON CONFLICT`` per page.
Then the cost of a staging table emptied by ``ON COMMIT DELETE ROWS`` instead (a truncation at
every commit). PostgreSQL is TOKARC_BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test), in a fresh schema dropped afterwards.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import psycopg
from ingest import postgres_schema

import tokarc
from tokarc.api import endpoints as E
from tokarc.client.pagination import decode_page
from tokarc.emulator import Emulator
from tokarc.emulator._vocab import TAGS
from tokarc.store import _rows as R
from tokarc.store import _sql as Q
from tokarc.store._dialect import POSTGRES
from tokarc.store._schema import _entities


def page_rows(count: int) -> list[list[tuple[Any, ...]]]:
    endpoint, seen = E.get("hashtag_search"), R.Seen(1, "2026-11-01T00:00:00+00:00")
    pages: list[list[tuple[Any, ...]]] = []
    emulator = Emulator(seed=0)
    with tokarc.Client("b", base_url="http://e/apis", transport=emulator.transport()) as client:
        for tag in TAGS:
            for page in client.tiktok.iter_hashtag_posts(tag).iter_pages():
                records, _, _ = decode_page(endpoint, page.response)
                pages.append(sorted(R.post_row(p, seen) for p in records))
                if len(pages) == count:
                    return pages
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    pages = page_rows(args.pages)
    cols = R.POST_COLUMNS
    posts_ddl = next(s for s in _entities(POSTGRES) if "CREATE TABLE posts" in s)
    with postgres_schema() as url, psycopg.connect(url, autocommit=True, prepare_threshold=2) as c:
        c.execute("SET default_toast_compression = 'lz4'")
        for way in ("many", "copy", "unnest", "oncommit"):
            c.execute(posts_ddl.replace("CREATE TABLE posts", f"CREATE TABLE p_{way}"))
            # the columns later migrations added (the page log's pointer, the tracks counted)
            c.execute(f"ALTER TABLE p_{way} ADD COLUMN raw_page BIGINT, "
                      "ADD COLUMN caption_tracks INTEGER")  # fmt: skip
        c.execute("CREATE TEMPORARY TABLE stage (LIKE p_copy)")
        c.execute("CREATE TEMPORARY TABLE stage_oc (LIKE p_copy) ON COMMIT DELETE ROWS")
        types = dict(c.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'p_unnest'::regclass AND attnum > 0").fetchall())  # fmt: skip

        def sql(text: str, table: str) -> str:
            return POSTGRES.sql(text.replace("INSERT INTO posts", f"INSERT INTO {table}")
                                .replace("posts.", f"{table}."))  # fmt: skip

        def many(rows: list[tuple[Any, ...]]) -> None:
            with c.pipeline(), c.transaction(), c.cursor() as cur:
                cur.executemany(sql(Q.UPSERT_POST.sql, "p_many"), rows)

        def copy(rows: list[tuple[Any, ...]], stage: str = "stage", table: str = "p_copy") -> None:
            with c.transaction(), c.cursor() as cur:
                with cur.copy(f"COPY {stage} ({', '.join(cols)}) FROM STDIN") as cp:
                    for row in rows:
                        cp.write_row(row)
                cur.execute(sql(Q.UPSERT_POST.from_stage(stage), table))
                if stage == "stage":
                    cur.execute("DELETE FROM stage")

        def unnest(rows: list[tuple[Any, ...]]) -> None:
            arrays = ", ".join(f"%s::{types[col]}[]" for col in cols)
            source = f"unnest({arrays}) AS s ({', '.join(cols)})"
            text = sql(Q.UPSERT_POST.from_stage(source).replace("%s", "\x00"), "p_unnest")
            with c.transaction():
                c.execute(text.replace("\x00", "%s"), [list(v) for v in zip(*rows, strict=True)])

        def on_commit(rows: list[tuple[Any, ...]]) -> None:
            copy(rows, "stage_oc", "p_oncommit")

        ways = {"many": many, "copy": copy, "unnest": unnest, "on commit delete": on_commit}
        spent = dict.fromkeys(ways, 0.0)
        for rows in pages:
            for name, way in ways.items():
                start = time.perf_counter()
                way(rows)
                spent[name] += time.perf_counter() - start
    posts = sum(len(rows) for rows in pages)
    print(f"{len(pages)} pages, {posts:,} posts, one transaction per page:")
    for name, seconds in spent.items():
        print(f"  {name:<18} {seconds:6.2f} s  {posts / seconds:8,.0f} posts/s  "
              f"({seconds / spent['many']:4.2f}x many)")  # fmt: skip


if __name__ == "__main__":
    main()
