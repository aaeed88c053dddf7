"""Exports read back with their documented columns, streamed, on both backends."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tokarc.dataset import export as X
from tokarc.models import decode
from tokarc.store import Batch, Follow, Store

from . import _raw
from ._helpers import LATER_HOURS, T0, page, posts

DOCS = Path(__file__).parents[2] / "docs" / "store.md"


@pytest.fixture
def filled(store: Store) -> Store:
    """A store with 3 posts (one seen twice), users, music, hashtags, comments, follows."""
    store.save_page(page(posts(*(_raw.aweme(str(i)) for i in (1, 2, 3)))))
    store.save_page(page(posts(_raw.aweme("1")), fetched_at=T0 + LATER_HOURS))
    fans = [decode("user", _raw.user(uid)) for uid in ("201", "202")]
    store.save_page(Batch(endpoint="/tt/user/followers", records=fans, follow=Follow("100")))
    comment = decode("comment", _raw.comment("7603001", "1", text='a,b "c"\nd'))
    store.save_page(Batch(endpoint="/tt/post/comments", records=[comment]))
    return store


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("entity", list(X.COLUMNS))
def test_csv_header_is_fixed_even_when_empty(store: Store, tmp_path: Path, entity: str) -> None:
    out = tmp_path / f"{entity}.csv"
    assert X.export(store, entity, out, "csv") == 0
    assert out.read_text().splitlines() == [",".join(X.COLUMNS[entity])]


def test_csv_posts_read_back(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "posts.csv"
    assert X.to_csv(filled, "posts", out) == 3
    rows = read_csv(out)
    assert list(rows[0]) == list(X.COLUMNS["posts"])
    assert [r["aweme_id"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["play_count"] == "123456"
    assert rows[0]["is_pinned"] == "0"
    assert rows[0]["gone_at"] == ""
    assert rows[0]["first_seen_at"] < rows[0]["last_seen_at"]


def test_csv_quotes_commas_quotes_and_newlines(filled: Store, tmp_path: Path) -> None:
    X.export(filled, "comments", tmp_path / "c.csv", "csv")
    assert read_csv(tmp_path / "c.csv")[0]["text"] == 'a,b "c"\nd'


def test_observations_and_follows(filled: Store, tmp_path: Path) -> None:
    X.export(filled, "observations", tmp_path / "o.csv", "csv")
    rows = read_csv(tmp_path / "o.csv")
    posts_seen = [r["entity_id"] for r in rows if r["entity"] == "post"]
    assert posts_seen == ["1", "1", "2", "3"]
    users = [r for r in rows if r["entity"] == "user"]
    assert {r["follower_count"] for r in users} == {"81200000"}
    X.export(filled, "follows", tmp_path / "f.csv", "csv")
    assert [(r["follower_uid"], r["followed_uid"]) for r in read_csv(tmp_path / "f.csv")] == [
        ("201", "100"),
        ("202", "100"),
    ]


def test_jsonl_is_the_raw_json(filled: Store) -> None:
    out = io.StringIO()
    assert X.export(filled, "posts", out) == 3
    lines = out.getvalue().splitlines()
    assert json.loads(lines[1]) == _raw.aweme("2")


def test_jsonl_of_entities_without_raw_is_their_columns(filled: Store) -> None:
    out = io.BytesIO()
    X.to_jsonl(filled, "hashtags", out)
    first = json.loads(out.getvalue().splitlines()[0])
    assert list(first) == list(X.COLUMNS["hashtags"])
    assert first["name"] == "fyp"


def test_binary_stream_stays_open(filled: Store) -> None:
    out = io.BytesIO()
    X.to_csv(filled, "users", out)
    assert not out.closed
    assert out.getvalue().startswith(b"uid,sec_uid,")


def test_dash_is_stdout(filled: Store, capsys: pytest.CaptureFixture[str]) -> None:
    X.export(filled, "music", "-", "csv")
    assert capsys.readouterr().out.startswith("music_id,title,")


def test_unknown_entity_or_format(filled: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown entity"):
        X.export(filled, "tweets", tmp_path / "x", "csv")
    with pytest.raises(ValueError, match="unknown format"):
        X.export(filled, "posts", tmp_path / "x", "xml")  # type: ignore[arg-type]


def test_parquet_has_the_fixed_schema(filled: Store, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "posts.parquet"
    assert X.export(filled, "posts", out, "parquet", chunk_size=2) == 3
    table = pq.read_table(out)
    assert table.column_names == list(X.COLUMNS["posts"])
    assert str(table.schema.field("is_pinned").type) == "bool"
    assert str(table.schema.field("play_count").type) == "int64"
    assert table.column("aweme_id").to_pylist() == ["1", "2", "3"]
    with pytest.raises(TypeError, match="binary"):
        X.to_parquet(filled, "posts", io.StringIO())


def test_parquet_without_pyarrow_says_what_to_install(
    filled: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"tokarc\[parquet\]"):
        X.export(filled, "posts", tmp_path / "p.parquet", "parquet")


def test_pandas(filled: Store) -> None:
    import pandas  # noqa: F401

    df = X.to_pandas(filled, "posts")
    assert list(df.columns) == list(X.COLUMNS["posts"])
    assert df["play_count"].tolist() == [123456] * 3
    empty = X.to_pandas(filled, "lives")
    assert list(empty.columns) == list(X.COLUMNS["lives"])
    assert len(empty) == 0


def test_polars(filled: Store) -> None:
    import polars as pl

    df = X.to_polars(filled, "users")
    assert df.columns == list(X.COLUMNS["users"])
    assert df.schema["verified"] == pl.Boolean
    assert df.height == 4  # the author, two followers, a commenter
    assert X.to_polars(filled, "lives").columns == list(X.COLUMNS["lives"])


def test_duckdb_reads_csv_and_parquet(filled: Store, tmp_path: Path) -> None:
    import duckdb
    import pyarrow  # noqa: F401

    X.export(filled, "observations", tmp_path / "o.parquet", "parquet")
    X.export(filled, "observations", tmp_path / "o.csv", "csv")
    for name in ("o.parquet", "o.csv"):
        rel = duckdb.sql(f"SELECT * FROM '{tmp_path / name}'")
        assert rel.columns == list(X.COLUMNS["observations"])
        assert len(rel.fetchall()) == 6  # 4 of posts, 2 of users


class NoFetchall:
    """A proxy of a connection or cursor that refuses ``fetchall`` and counts ``fetchmany``."""

    def __init__(self, target: Any, calls: dict[str, int]) -> None:
        object.__setattr__(self, "_t", target)
        object.__setattr__(self, "_calls", calls)

    def __getattr__(self, name: str) -> Any:
        if name == "fetchall":
            raise AssertionError("an export must not call fetchall")
        value = getattr(self._t, name)
        if name == "fetchmany":
            self._calls["fetchmany"] += 1
        if name in ("execute", "cursor"):
            return lambda *a, **k: NoFetchall(value(*a, **k), self._calls)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._t, name, value)

    def __enter__(self) -> NoFetchall:
        self._t.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._t.__exit__(*exc)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_exports_stream_in_chunks(filled: Store, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    calls = {"fetchmany": 0}
    monkeypatch.setattr(filled._db.inner, "_conn", NoFetchall(filled._db.inner._conn, calls))
    assert X.export(filled, "posts", io.BytesIO(), fmt, chunk_size=1) == 3  # type: ignore[arg-type]
    assert calls["fetchmany"] == 4  # 3 chunks of one row, then the empty one


def test_docs_list_every_exported_column() -> None:
    """docs/store.md has a table per entity whose rows name exactly its columns, in order."""
    text = DOCS.read_text()
    for entity, columns in X.COLUMNS.items():
        section = text.split(f"### `{entity}`", 1)[1].split("\n#", 1)[0]
        documented = re.findall(r"^\| `([a-z_0-9]+)` \|", section, flags=re.M)
        assert documented == list(columns), entity


def _export_peak(store: Store, out: Path, fmt: str) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        X.export(store, "posts", out, fmt, chunk_size=10)  # type: ignore[arg-type]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# Not Parquet: its footer lists every row group, so its memory grows (slowly) by design.
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_memory_does_not_grow_with_rows(store: Store, tmp_path: Path, fmt: str) -> None:
    def add(start: int, stop: int) -> None:
        store.save_page(page(posts(*(_raw.aweme(str(i)) for i in range(start, stop)))))

    add(0, 50)
    _export_peak(store, tmp_path / "warm-up", fmt)
    small = _export_peak(store, tmp_path / "small", fmt)
    for start in range(50, 500, 150):
        add(start, start + 150)
    big = _export_peak(store, tmp_path / "big", fmt)
    assert big < 1.5 * small  # ten times the rows, about the same memory
