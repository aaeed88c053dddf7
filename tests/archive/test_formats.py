"""Real types: Parquet and data frames with UTC timestamps and nullable ints; CSV with ISO
``created_at`` beside the Unix time; 4CAT's CSV."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tokarc.dataset import export as X
from tokarc.store import Store

from .conftest import Ran, one_line_error


def iso(unix: int) -> str:
    return dt.datetime.fromtimestamp(unix, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_csv_has_iso_created_at_beside_the_unix_time(archive: Store, tmp_path: Path) -> None:
    for entity in ("posts", "comments", "users"):
        X.export(archive, entity, tmp_path / f"{entity}.csv", "csv")
        with (tmp_path / f"{entity}.csv").open(newline="") as f:
            rows = list(csv.DictReader(f))
        names = list(rows[0])
        assert names[names.index("create_time") + 1] == "created_at"
        for row in rows:
            if row["create_time"]:
                assert row["created_at"] == iso(int(row["create_time"]))
            else:
                assert row["created_at"] == ""


def test_parquet_types(archive: Store, tmp_path: Path) -> None:
    X.export(archive, "posts", tmp_path / "p.parquet", "parquet")
    X.export(archive, "observations", tmp_path / "o.parquet", "parquet")
    posts, obs = pq.read_table(tmp_path / "p.parquet"), pq.read_table(tmp_path / "o.parquet")
    utc = pa.timestamp("us", tz="UTC")
    assert posts.schema.field("created_at").type == utc
    assert posts.schema.field("first_seen_at").type == utc
    assert posts.schema.field("gone_at").type == utc
    assert posts.schema.field("create_time").type == pa.int64()
    first = posts.slice(0, 1).to_pylist()[0]
    assert first["created_at"] == dt.datetime.fromtimestamp(first["create_time"], dt.UTC)
    assert obs.schema.field("observed_at").type == utc
    plays = obs.column("play_count")
    assert plays.type == pa.int64()
    assert plays.null_count > 0  # user rows: no plays, and not NaN


def test_data_frames_have_nullable_ints_and_utc_timestamps(archive: Store) -> None:
    import pandas as pd
    import polars as pl

    df = X.to_pandas(archive, "observations")
    assert str(df["play_count"].dtype) == "Int64"
    assert df["play_count"].isna().sum() > 0
    assert isinstance(df["observed_at"].dtype, pd.DatetimeTZDtype)
    assert str(df["observed_at"].dt.tz) == "UTC"
    posts = X.to_polars(archive, "posts")
    assert posts.schema["created_at"] == pl.Datetime("us", "UTC")
    assert posts.schema["is_photo"] == pl.Boolean


def test_4cat_csv(archive_url: str, tmp_path: Path, cli: Callable[..., Ran]) -> None:
    out = tmp_path / "posts-4cat.csv"
    ran = cli("export", "posts", "--db", archive_url, "-o", str(out), "--format", "4cat")
    assert ran.code == 0, ran.err
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:5] == ["id", "thread_id", "author", "author_id", "body"]
    assert all(r["id"] == r["thread_id"] for r in rows)
    first = rows[0]
    assert first["timestamp"] == iso(int(first["unix_timestamp"])).replace("T", " ")[:-1]
    comments = tmp_path / "comments-4cat.csv"
    assert cli("export", "comments", "--db", archive_url, "-o", str(comments),
               "--format", "4cat").code == 0  # fmt: skip
    with comments.open(newline="") as f:
        replies = list(csv.DictReader(f))
    posts = {r["id"] for r in rows}
    assert replies
    assert all(r["thread_id"] in posts for r in replies)


def test_4cat_is_for_posts_and_comments(
    archive_url: str, tmp_path: Path, cli: Callable[..., Ran]
) -> None:
    ran = cli("export", "users", "--db", archive_url, "-o", str(tmp_path / "u.csv"),
              "--format", "4cat")  # fmt: skip
    assert ran.code == 2
    assert "posts, comments or transcripts" in one_line_error(ran)
    assert not (tmp_path / "u.csv").exists()


def test_4cat_pseudonymised(
    archive_url: str, tmp_path: Path, cli: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKARC_PSEUDONYM_KEY", "0123456789abcdef-key")
    out = tmp_path / "p.csv"
    ran = cli("export", "posts", "--db", archive_url, "-o", str(out), "--format", "4cat",
              "--pseudonymize")  # fmt: skip
    assert ran.code == 0, ran.err
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert all(r["author"].startswith("h_") and r["author_id"].startswith("u_") for r in rows)
