"""``tokarc.open``: an archive as typed data frames, on both backends."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

import tokarc
from tokarc.errors import InvalidInputError

from .conftest import one


def test_posts_users_comments_stats_as_pandas(archive_url: str) -> None:
    with tokarc.open(archive_url) as archive:
        posts = archive.posts()
        assert len(posts) == one(archive.store, "SELECT COUNT(*) FROM posts")
        assert str(posts["play_count"].dtype) == "Int64"
        assert str(posts["is_photo"].dtype) == "boolean"
        assert isinstance(posts["created_at"].dtype, pd.DatetimeTZDtype)
        assert posts["aweme_id"].is_unique
        magic = archive.posts(source="hashtag:magic")
        assert len(magic) == one(archive.store, "SELECT COUNT(*) FROM seen_via WHERE "
                                 "entity = 'post' AND source_kind = 'hashtag'")  # fmt: skip
        assert len(archive.users()) == one(archive.store, "SELECT COUNT(*) FROM users")
        comments = archive.comments()
        assert set(comments["aweme_id"]) <= set(posts["aweme_id"])
        stats = archive.stats()
        assert set(stats["entity"]) == {"post", "user"}
        assert str(stats["follower_count"].dtype) == "Int64"


def test_sql_and_polars(archive_url: str) -> None:
    with tokarc.open(archive_url, frames="polars") as archive:
        top = archive.sql("SELECT author_handle, COUNT(*) AS posts FROM post_view "
                          "GROUP BY author_handle ORDER BY posts DESC, author_handle")  # fmt: skip
        assert isinstance(top, pl.DataFrame)
        assert top.columns == ["author_handle", "posts"]
        assert top["posts"].sum() == one(archive.store, "SELECT COUNT(*) FROM posts")
        assert archive.users().schema["verified"] == pl.Boolean
        with pytest.raises(InvalidInputError, match="invalid query"):
            archive.sql("DELETE FROM posts")


def test_bad_arguments(archive_url: str) -> None:
    with pytest.raises(InvalidInputError, match="pandas or polars"):
        tokarc.open(archive_url, frames="excel")  # type: ignore[arg-type]
    with tokarc.open(archive_url) as archive, pytest.raises(InvalidInputError, match="KIND"):
        archive.posts(source="magic")


def test_raw_is_the_json_as_received(archive_url: str) -> None:
    with tokarc.open(archive_url) as archive:
        page = one(archive.store, "SELECT MIN(id) FROM pages WHERE source_kind = 'hashtag'")
        response = archive.raw(page=page)
        first = response["data"]["data"][0]
        assert archive.raw(str(first["aweme_id"])) == first
        assert archive.raw(str(first["author"]["uid"]), "user") == first["author"]
        assert archive.raw("0") is None
        with pytest.raises(InvalidInputError, match="not both"):
            archive.raw("1", page=page)
        with pytest.raises(InvalidInputError, match="not both"):
            archive.raw()
