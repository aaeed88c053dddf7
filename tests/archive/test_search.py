"""Full-text search on both backends, kept in sync on upsert; ``tokarc search`` and
``tokarc sql``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokarc._wiring import open_store
from tokarc.analysis._search import count, fts5_query, search
from tokarc.errors import InvalidInputError
from tokarc.models import decode
from tokarc.store import Batch, Store

from .conftest import Ran, one, one_line_error

MENTION = "7999999999999999999"


@pytest.mark.slow
def test_captions_are_found_ranked_with_source_date_author(archive: Store) -> None:
    matches = search(archive.db, "doing magic")
    assert [m.id for m in matches] == [MENTION]
    m = matches[0]
    assert m.rank == 1
    assert m.scope == "posts"
    assert m.sources == "hashtag:magic"
    assert m.author == one(
        archive, f"SELECT author_unique_id FROM posts WHERE aweme_id = '{MENTION}'"
    )
    assert m.created_at is not None
    assert m.created_at.endswith("Z")
    everything = search(archive.db, "magic", limit=500)
    assert len(everything) == one(
        archive, "SELECT COUNT(*) FROM posts WHERE description LIKE '%magic%'"
    )


def test_phrases_or_and_not(archive: Store) -> None:
    assert [m.id for m in search(archive.db, '"doing magic"')] == [MENTION]
    assert search(archive.db, '"magic doing"') == []
    either = {m.id for m in search(archive.db, "doing OR pov", limit=500)}
    pov = {m.id for m in search(archive.db, "pov", limit=500)}
    assert either == pov | {MENTION}
    assert MENTION not in {m.id for m in search(archive.db, "magic -doing", limit=500)}


def test_comments_and_bios(archive: Store) -> None:
    text = one(archive, "SELECT text FROM comments WHERE text IS NOT NULL ORDER BY cid")
    word = max(text.split(), key=len)
    hits = search(archive.db, word, "comments", limit=500)
    assert hits
    assert all(word.lower() in (h.text or "").lower() for h in hits)
    assert all(h.sources and h.sources.startswith("comments:") for h in hits)
    bio = one(archive, "SELECT signature FROM users WHERE signature IS NOT NULL ORDER BY uid")
    found = search(archive.db, bio.split()[0], "users", limit=500)
    assert found
    assert all(h.author for h in found)


def test_the_index_follows_upserts(store: Store) -> None:
    author = {"uid": "1", "unique_id": "someone", "signature": "I love zebras"}
    raw = {"aweme_id": "71", "desc": "a unicorn appears", "create_time": 1700000000,
           "author": author}  # fmt: skip
    store.save_page(Batch(endpoint="/tt/post/info", records=[decode("post", raw)]))
    assert [m.id for m in search(store.db, "unicorn")] == ["71"]
    raw["desc"] = "a dragon appears"
    store.save_page(Batch(endpoint="/tt/post/info", records=[decode("post", raw)]))
    assert search(store.db, "unicorn") == []
    assert [m.id for m in search(store.db, "dragon")] == ["71"]
    assert [m.id for m in search(store.db, "appears")] == ["71"]  # indexed once, not twice


@pytest.mark.parametrize("query", ["", "   ", '""', "-", "\x00"])
def test_empty_queries_are_refused(store: Store, query: str) -> None:
    with pytest.raises(InvalidInputError, match="invalid search"):
        search(store.db, query)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_no_text_is_an_fts5_syntax_error(text: str) -> None:
    with open_store(":memory:") as store:
        try:
            query = fts5_query(text)
        except InvalidInputError:
            return
        store.db.query("SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?", (query,))


def test_cli_search(archive_url: str, cli: Callable[..., Ran]) -> None:
    ran = cli("search", "--db", archive_url, "doing magic", "--json")
    assert ran.code == 0, ran.err
    hit = json.loads(ran.out)
    assert hit["id"] == MENTION
    assert hit["sources"] == "hashtag:magic"
    table = cli("search", "--db", archive_url, "doing magic")
    assert MENTION in table.out
    assert "hashtag:magic" in table.out


def test_a_search_cut_at_its_limit_says_how_many_match(
    archive: Store, archive_url: str, cli: Callable[..., Ran]
) -> None:
    total = one(archive, "SELECT COUNT(*) FROM posts WHERE description LIKE '%magic%'")
    assert total > 5
    assert count(archive.db, "magic") == total
    assert count(archive.db, "doing magic") == 1
    ran = cli("search", "--db", archive_url, "magic", "--limit", "5")
    assert ran.code == 0, ran.err
    assert f"5 of {total} matches of 'magic' in posts (--limit 5)" in ran.out
    whole = cli("search", "--db", archive_url, "magic", "--limit", str(total))
    assert whole.out.splitlines()[0].rstrip() == f"{total} matches of 'magic' in posts"


def test_cli_search_bad_input(archive_url: str, cli: Callable[..., Ran]) -> None:
    ran = cli("search", "--db", archive_url, "x", "--in", "lives")
    assert ran.code == 2
    empty = cli("search", "--db", archive_url, "  ")
    assert empty.code == 2
    assert "invalid search" in one_line_error(empty)


def test_text_from_the_api_is_shown_as_text(store_url: str, cli: Callable[..., Ran]) -> None:
    with open_store(store_url) as store:
        raw = {"aweme_id": "72", "desc": "[bold red]markup[/] \x1b[31mescape\x07 magic",
               "create_time": 1700000000}  # fmt: skip
        store.save_page(Batch(endpoint="/tt/post/info", records=[decode("post", raw)]))
    ran = cli("search", "--db", store_url, "magic")
    assert "[bold red]markup[/]" in ran.out
    assert "\x1b" not in ran.out
    assert "\x07" not in ran.out


# -- sql ----------------------------------------------------------------------------------------


def test_sql_formats(archive_url: str, cli: Callable[..., Ran]) -> None:
    query = "SELECT hashtag_a, hashtag_b, posts FROM hashtag_pairs ORDER BY posts DESC, 1, 2"
    as_csv = cli("sql", "--db", archive_url, query, "--format", "csv")
    assert as_csv.code == 0, as_csv.err
    rows = list(csv.DictReader(io.StringIO(as_csv.out)))
    as_json = cli("sql", "--db", archive_url, query, "--format", "json")
    objects = [json.loads(line) for line in as_json.out.splitlines()]
    assert [r["hashtag_a"] for r in rows] == [o["hashtag_a"] for o in objects]
    assert [int(r["posts"]) for r in rows] == [o["posts"] for o in objects]
    table = cli("sql", "--db", archive_url, query)
    assert table.code == 0
    assert rows[0]["hashtag_a"] in table.out


@pytest.mark.parametrize("statement", [
    "DELETE FROM posts", "UPDATE posts SET description = 'x'", "DROP VIEW post_view",
    "CREATE TABLE t (a INT)", "INSERT INTO gone VALUES ('post', '1', NULL, 'x')",
])  # fmt: skip
def test_sql_is_read_only(archive_url: str, cli: Callable[..., Ran], statement: str) -> None:
    with open_store(archive_url) as store:
        before = store.stats().counts
    ran = cli("sql", "--db", archive_url, statement)
    assert ran.code == 2
    assert "invalid query" in one_line_error(ran)
    with open_store(archive_url) as store:
        assert store.stats().counts == before
        assert one(store, "SELECT COUNT(*) FROM post_view") == before["posts"]


def test_sql_takes_one_statement(archive_url: str, cli: Callable[..., Ran]) -> None:
    ran = cli("sql", "--db", archive_url, "SELECT 1; DELETE FROM posts")
    assert ran.code == 2
    with open_store(archive_url) as store:
        assert one(store, "SELECT COUNT(*) FROM posts") > 0


def test_sql_errors_are_one_line(archive_url: str, cli: Callable[..., Ran]) -> None:
    ran = cli("sql", "--db", archive_url, "SELECT nope FROM posts")
    assert ran.code == 2
    assert "nope" in one_line_error(ran)
