"""``tokarc browse``: Datasette started on 127.0.0.1, asked over real HTTP."""

from __future__ import annotations

import html
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tokarc._wiring import open_store
from tokarc.analysis._browse import CANNED_QUERIES, metadata
from tokarc.dataset._dictionary import RESOURCES

from .conftest import Ran, fill, one_line_error


@pytest.fixture
def served(tmp_path: Path, emulator: object, browse_server: Callable[..., Any]) -> Iterator[str]:
    """``tokarc browse`` on a filled archive: the server's base URL."""
    db = tmp_path / "magic.db"
    with open_store(db) as store:
        fill(store, emulator)  # type: ignore[arg-type]
    exe = str(Path(sys.executable).with_name("tokarc"))
    argv = lambda port: [exe, "browse", "--db", str(db), "--port", str(port)]  # noqa: E731
    with browse_server(argv, tmp_path / "browse.log") as base:
        yield base


@pytest.mark.slow
def test_browse_serves_the_archive_described(served: str) -> None:
    rows = httpx.get(f"{served}/magic/post_view.json?_shape=array&_size=5", timeout=10).json()
    assert len(rows) == 5
    assert {"aweme_id", "created_at", "author_handle"} <= set(rows[0])
    meta = httpx.get(f"{served}/-/metadata.json", timeout=10).json()
    posts = meta["databases"]["magic"]["tables"]["posts"]
    assert posts["description"] == RESOURCES["posts"].description
    assert posts["columns"]["create_time"].startswith("when it was posted")
    page = httpx.get(f"{served}/magic/post_view", timeout=10).text
    assert html.unescape(page).count(RESOURCES["post_view"].description) >= 1


@pytest.mark.slow
def test_browse_canned_queries_answer(served: str) -> None:
    tags = httpx.get(f"{served}/magic/top_hashtags.json?_shape=array", timeout=10).json()
    assert tags[0]["name"] == "magic"
    hits = httpx.get(f"{served}/magic/search_captions.json?_shape=array&q=doing", timeout=10)
    assert [h["aweme_id"] for h in hits.json()] == ["7999999999999999999"]
    database = httpx.get(f"{served}/magic", timeout=10).text
    assert all(q["title"] in database for q in CANNED_QUERIES.values())


@pytest.mark.slow
def test_browse_is_read_only(served: str) -> None:
    sql = "DELETE FROM posts"
    reply = httpx.get(f"{served}/magic.json", params={"sql": sql}, timeout=10)
    assert reply.status_code >= 400
    count = httpx.get(f"{served}/magic.json?sql=SELECT+COUNT(*)+AS+n+FROM+posts&_shape=array",
                      timeout=10).json()  # fmt: skip
    assert count[0]["n"] > 0


def test_metadata_covers_every_table_and_view() -> None:
    tables = metadata("x")["databases"]["x"]["tables"]
    assert set(RESOURCES) - set(tables) == {"observations"}  # an export, not a table


def test_browse_refuses_postgresql(cli: Callable[..., Ran]) -> None:
    ran = cli("browse", "--db", "postgresql://user:secret@127.0.0.1/db")
    assert ran.code == 2
    line = one_line_error(ran)
    assert "SQLite" in line
    assert "secret" not in line


@pytest.mark.slow
def test_browse_has_tokarc_raw_for_json_from_the_page_log(served: str, tmp_path: Path) -> None:
    sql = (
        "SELECT aweme_id, json_extract(tokarc_raw(raw_page, aweme_id), '$.aweme_id') AS again, "
        "json_extract(tokarc_raw(raw_page, 0), '$.aweme_id') IS NOT NULL AS item "
        "FROM posts WHERE raw_page IS NOT NULL ORDER BY aweme_id LIMIT 5"
    )
    reply = httpx.get(f"{served}/magic.json", params={"sql": sql, "_shape": "array"}, timeout=10)
    rows = reply.json()
    assert len(rows) == 5
    assert all(r["again"] == r["aweme_id"] and r["item"] == 1 for r in rows)
