"""``tokarc media`` and ``--media`` from the command line (in-process, --sandbox)."""

from __future__ import annotations

import socket
import sqlite3
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Ran, one_line_error, rows


def test_collecting_with_media_downloads_as_pages_arrive(cli: Callable[..., Ran]) -> None:
    ran = cli("--sandbox", "hashtag", "magic", "--max-items", "60", "--db", "m.db",
              "--media", "cover,images", "--media-dir", "files")  # fmt: skip
    assert ran.code == 0, ran.err
    done = rows(Path("m.db"), "SELECT kind, path FROM media WHERE status = 'done'")
    # The sandbox's world follows the wall clock: whether its newest posts hold a carousel
    # depends on the hour. Images are downloaded exactly when a stored post is one.
    photos = rows(Path("m.db"), "SELECT COUNT(*) FROM posts WHERE is_photo = 1")[0][0]
    assert {k for k, _ in done} == ({"cover", "images"} if photos else {"cover"})
    assert all((Path("files") / p).is_file() for _, p in done)
    assert "media: " in ran.err
    assert " downloaded of " in ran.err


def test_media_then_a_rerun_gets_nothing(cli: Callable[..., Ran]) -> None:
    assert cli("--sandbox", "hashtag", "magic", "--max-items", "10", "--db", "m.db").code == 0
    ran = cli("--sandbox", "media", "--db", "m.db", "--kinds", "video,avatar", "--min-free", "0")
    assert ran.code == 0, ran.err
    count = rows(Path("m.db"), "SELECT COUNT(*) FROM media WHERE status = 'done'")[0][0]
    assert count > 10
    assert f"media: {count} files" in ran.err
    again = cli("--sandbox", "media", "--db", "m.db", "--min-free", "0", "--kinds", "video,avatar")
    assert again.code == 0
    assert "media: 0 files (0.0 MB) downloaded of 0" in again.err


def test_a_full_disk_is_one_line_and_exit_1(cli: Callable[..., Ran]) -> None:
    assert cli("--sandbox", "hashtag", "magic", "--max-items", "10", "--db", "m.db").code == 0
    ran = cli("--sandbox", "media", "--db", "m.db", "--min-free", "1000000TB")
    assert ran.code == 1
    assert ran.err.count("tokarc: error: not enough free space for media") == 1
    assert rows(Path("m.db"), "SELECT COUNT(*) FROM media")[0][0] == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["media", "--db", "missing.db"], "no such database file"),
        (["media", "--db", "m.db", "--kinds", "videos"], "invalid media kinds 'videos'"),
        (["media", "--db", "m.db", "--source", "magic"], "invalid --source 'magic'"),
        (["media", "--db", "m.db", "--max-bytes", "lots"], "invalid --max-bytes 'lots'"),
        (["media", "--db", "m.db", "--concurrency", "0"], "--concurrency"),
        (["hashtag", "magic", "--db", "new.db", "--media", "gifs"], "invalid --media 'gifs'"),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(
    cli: Callable[..., Ran], args: list[str], message: str
) -> None:
    assert cli("--sandbox", "hashtag", "magic", "--max-items", "5", "--db", "m.db").code == 0
    before = rows(Path("m.db"), "SELECT COUNT(*) FROM media")
    ran = cli("--sandbox", *args)
    assert ran.code == 2
    assert message in ran.err
    assert "Traceback" not in ran.err
    assert len(ran.err.strip().splitlines()) == 1
    assert not Path("missing.db").exists()
    assert not Path("new.db").exists()
    assert not Path("media").exists()
    assert rows(Path("m.db"), "SELECT COUNT(*) FROM media") == before


def test_without_a_token_media_downloads_without_refreshing(
    cli: Callable[..., Ran], live_emulator: Any
) -> None:
    base = ["--base-url", live_emulator.base_url]
    assert (
        cli("--token", "t", *base, "hashtag", "magic", "--max-items", "5", "--db", "m.db").code == 0
    )
    ran = cli(*base, "media", "--db", "m.db", "--kinds", "cover", "--min-free", "0")
    assert ran.code == 0, ran.err
    assert "expired URLs will not be refreshed" in ran.err
    assert "media: 5 files" in ran.err


def test_media_of_a_sandbox_database_come_from_the_sandbox(cli: Callable[..., Ran]) -> None:
    # Collected with --sandbox, downloaded without it: the URLs are on the sandbox's origin,
    # which no network resolves, so they are fetched from the sandbox's emulator.
    assert cli("--sandbox", "user-posts", "zachking", "--max-items", "20", "--db", "z.db").code == 0
    ran = cli("media", "--db", "z.db", "--kinds", "cover,avatar", "--min-free", "0")
    assert ran.code == 0, ran.err
    assert "collected with --sandbox: its media come from the sandbox" in ran.err
    done = rows(Path("z.db"), "SELECT COUNT(*) FROM media WHERE status = 'done'")[0][0]
    assert done >= 20
    assert rows(Path("z.db"), "SELECT COUNT(*) FROM media WHERE status != 'done'") == [(0,)]
    assert f"media: {done} files" in ran.err


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_host_that_refuses_is_tried_once_then_every_file_fails_at_once(
    cli: Callable[..., Ran], live_emulator: Any
) -> None:
    base = ["--token", "t", "--base-url", live_emulator.base_url]
    assert cli(*base, "hashtag", "magic", "--max-items", "8", "--db", "m.db").code == 0
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(live_emulator.base_url))
    dead = f"http://127.0.0.1:{_closed_port()}"
    with sqlite3.connect("m.db") as conn:  # the media host is gone (nothing listens there)
        conn.execute("UPDATE posts SET cover_url = replace(cover_url, ?, ?)", (origin, dead))
    ran = cli("--retries", "2", "media", "--db", "m.db", "--kinds", "cover", "--concurrency", "1",
              "--min-free", "0")  # fmt: skip
    assert ran.code == 1
    error = one_line_error(ran)
    assert error.startswith("tokarc: error: every download failed (8); the first: cannot reach")
    assert dead.removeprefix("http://") in error
    # the first file was tried as the retry policy says (3 attempts), the other 7 not at all
    attempts = rows(Path("m.db"), "SELECT attempts FROM media ORDER BY attempts DESC")
    assert attempts == [(3,)] + [(0,)] * 7
    assert rows(Path("m.db"), "SELECT DISTINCT status FROM media") == [("failed",)]


@pytest.mark.slow
def test_a_refresh_stopped_by_the_cap_says_how_to_go_on(cli: Callable[..., Ran]) -> None:
    assert cli("--sandbox", "hashtag", "magic", "--max-items", "250", "--db", "m.db").code == 0
    with sqlite3.connect("m.db") as conn:  # every cover URL past its x-expires: to be refreshed
        conn.execute(
            "UPDATE posts SET cover_url = replace(cover_url, 'x-expires=', 'x-expires=1&o=')"
        )
    ran = cli("--sandbox", "media", "--db", "m.db", "--kinds", "cover", "--max-units", "1",
              "--min-free", "0")  # fmt: skip
    assert ran.code == 0, ran.err
    assert (
        "stopped at the cap of 1 unit (--max-units); `tokarc --sandbox media --db m.db "
        "--max-units 4` continues" in ran.err
    )
    again = cli("--sandbox", "media", "--db", "m.db", "--kinds", "cover", "--max-units", "none",
                "--min-free", "0")  # fmt: skip
    assert "stopped at" not in again.err
    assert rows(Path("m.db"), "SELECT COUNT(*) FROM media WHERE status = 'done'") == [(250,)]
