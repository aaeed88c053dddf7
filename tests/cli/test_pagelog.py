"""``tokarc raw`` and ``tokarc rebuild``: the page log from the command line, no request made."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tokarc._wiring import open_store

from .conftest import Ran, one_line_error, rows


@pytest.fixture
def db(cli: Callable[..., Ran], tmp_path: Path) -> Path:
    path = tmp_path / "m.db"
    ran = cli("--sandbox", "hashtag", "magic", "--max-items", "30", "--db", str(path))
    assert ran.code == 0, ran.err
    return path


def test_raw_prints_a_page_as_received(cli: Callable[..., Ran], db: Path) -> None:
    with open_store(db) as store:
        body = store.page_body(1)
    ran = cli("raw", "--db", str(db), "--page", "1")
    assert ran.code == 0, ran.err
    assert body is not None
    assert ran.out == body.decode() + "\n"


def test_raw_prints_an_item_and_a_post(cli: Callable[..., Ran], db: Path) -> None:
    first = json.loads(cli("raw", "--db", str(db), "--page", "1").out)["data"]["data"][0]
    item = cli("raw", "--db", str(db), "--page", "1", "--item", "0")
    assert json.loads(item.out) == first
    post = cli("raw", "--db", str(db), "--post", str(first["aweme_id"]))
    assert post.out == item.out
    author = cli("raw", "--db", str(db), "--user", str(first["author"]["uid"]))
    assert json.loads(author.out) == first["author"]


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        ((), 2, "give one of --page"),
        (("--page", "1", "--post", "5"), 2, "give one of --page"),
        (("--item", "0", "--post", "5"), 2, "--item goes with --page"),
        (("--page", "99"), 1, "page 99 has no body"),
        (("--page", "1", "--item", "500"), 1, "page 1 has no item 500"),
        (("--post", "123"), 1, "no post 123"),
    ],
)
def test_raw_bad_input(
    cli: Callable[..., Ran], db: Path, args: tuple[str, ...], code: int, says: str
) -> None:
    ran = cli("raw", "--db", str(db), *args)
    assert ran.code == code
    assert says in one_line_error(ran)


def test_rebuild_derives_the_same_tables_and_spends_nothing(
    cli: Callable[..., Ran], db: Path
) -> None:
    tables = "SELECT COUNT(*) FROM posts UNION ALL SELECT COUNT(*) FROM users"
    before = rows(db, tables)
    units = rows(db, "SELECT SUM(units), COUNT(*) FROM requests")
    with open_store(db) as store:
        store.db.execute("DELETE FROM users")
    ran = cli("rebuild", "--db", str(db))
    assert ran.code == 0, ran.err
    assert "2 page(s), 30 record(s)" in ran.err
    assert "0 units spent" in ran.err
    assert rows(db, tables) == before
    assert rows(db, "SELECT SUM(units), COUNT(*) FROM requests") == units


def test_sql_has_tokarc_raw(cli: Callable[..., Ran], db: Path) -> None:
    with open_store(db) as store:
        body = (store.page_body(1) or b"").decode()
        first = json.loads(body)["data"]["data"][0]
    sql = (
        "SELECT tokarc_raw(1) AS body, json_extract(tokarc_raw(1, 0), '$.aweme_id') AS first, "
        "(SELECT COUNT(*) FROM posts WHERE json_extract(tokarc_raw(raw_page, aweme_id), "
        "'$.aweme_id') = aweme_id) AS found, tokarc_raw(99) AS none, tokarc_raw(1, 'nope') AS no"
    )
    ran = cli("sql", "--db", str(db), sql, "--format", "json")
    assert ran.code == 0, ran.err
    (row,) = ran.lines()
    assert row == {"body": body, "first": first["aweme_id"], "found": 30, "none": None, "no": None}


def test_export_raw_writes_each_response_as_received(
    cli: Callable[..., Ran], db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "responses.jsonl"
    ran = cli("export", "--raw", "--db", str(db), "-o", str(out))
    assert ran.code == 0, ran.err
    assert "2 responses written" in ran.err
    lines = out.read_bytes().splitlines()
    with open_store(db) as store:
        bodies = [store.page_body(1), store.page_body(2)]
    for line, body in zip(lines, bodies, strict=True):
        assert body is not None
        head, _, _ = line.rpartition(b',"__tokarc":')
        assert head + b"}" == body  # the body's own bytes, one member added at its end
        provenance = json.loads(line)["__tokarc"]
        assert provenance["source"] == "hashtag:magic"
        assert provenance["job"] == 1
    mine = cli("export", "--raw", "--db", str(db), "--source", "hashtag:other")
    assert (mine.code, mine.out) == (0, "")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("posts", "--raw"), "--raw with an entity"),
        (("--raw", "-o", "r.csv"), "responses are written as JSONL"),
        (("--raw", "--pseudonymize"), "--raw with --pseudonymize"),
        ((), "give an entity to export"),
    ],
)
def test_export_raw_bad_input(
    cli: Callable[..., Ran], db: Path, args: tuple[str, ...], says: str
) -> None:
    ran = cli("export", "--db", str(db), *args)
    assert ran.code == 2
    assert says in one_line_error(ran)


def test_migrate_moves_json_kept_in_rows_into_the_log(cli: Callable[..., Ran], db: Path) -> None:
    with open_store(db) as store:
        raw = {k: store.raw("post", k) for (k,) in store.db.query("SELECT aweme_id FROM posts")}
        store.db.executemany(
            "UPDATE posts SET raw = ?, raw_page = NULL WHERE aweme_id = ?",
            [((v or b"").decode(), k) for k, v in raw.items()],
        )
    ran = cli("migrate", "--db", str(db))
    assert ran.code == 0, ran.err
    assert "moved the JSON of 30 record(s)" in ran.err
    with open_store(db) as store:
        assert {k: store.raw("post", k) for k in raw} == raw
        assert rows(db, "SELECT DISTINCT raw FROM posts") == [("",)]
    again = cli("migrate", "--db", str(db))
    assert (again.code, "nothing to move" in again.err) == (0, True)
