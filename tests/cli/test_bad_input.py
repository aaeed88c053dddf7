"""Bad usage and input: exit 2, one line on stderr naming the value, nothing sent, no database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Ran, one_line_error, rows

Cli = Callable[..., Ran]

# (argv after the global options, a word the message must contain)
CORPUS: list[tuple[tuple[str, ...], str]] = [
    (("hashtag", ""), "hashtag"),
    (("hashtag", "two words"), "two words"),
    (("hashtag", "magic", "--days", "-1"), "days"),
    (("hashtag", "magic", "--days", "0"), "days"),
    (("hashtag", "magic", "--days", "abc"), "--days"),
    (("hashtag", "magic", "--since", "2026-13-01"), "--since"),
    (("hashtag", "magic", "--days", "3", "--since", "2026-01-01"), "--since"),
    (("hashtag", "magic", "--max-items", "0"), "invalid --max-items 0"),
    (("hashtag", "magic", "--max-units", "0"), "invalid --max-units 0"),
    (("keyword", "magic", "--full", "--max-items", "5"), "leave it out"),
    # Dates: a bad one names the formats; one in the future would spend units to find nothing.
    (("hashtag", "magic", "--since", "2026-13-45"), "a date like 2026-11-01"),
    (("hashtag", "magic", "--since", "yesterday"), "a duration back from now like 7d"),
    (("user-posts", "zachking", "--since", "2999-01-01"), "--since 2999-01-01T00:00:00Z: it is in"),
    (("hashtag", "magic", "--since", "2999-01-01T12:00+01:00"), "in the future"),
    (("keyword", "magic", "--since", "3000-01-01"), "in the future"),
    (("hashtag", "magic", "--format", "xml"), "--format"),
    (("hashtag", "magic", "-o", "/nonexistent/dir/x.jsonl"), "--out"),
    (("hashtag",), "give a HASHTAG"),
    (("hashtag", "magic", "--bogus"), "--bogus"),
    (("keyword", "magic", "--period", "5"), "period"),
    (("keyword", "magic", "--sort", "newest"), "--sort"),
    (("keyword", "magic", "--country", "ZZZ"), "country"),
    (("keyword", ""), "keyword"),
    (("user", ""), "user"),
    (("user", "no spaces please"), "no spaces please"),
    (("user-posts",), "--sec-uid"),
    (("user-posts", "zachking", "--sec-uid", "MS4x"), "--sec-uid"),
    (("user-posts", "zachking", "--depth", "0"), "depth"),
    (("liked", ""), "sec_uid"),
    (("followers", ""), "user"),
    (("followings", "bad name"), "bad name"),
    (("post",), "URL_OR_ID"),
    (("post", "abc"), "abc"),
    (("post", "https://www.tiktok.com/@u/profile"), "tiktok.com"),
    (("comments", "notanid"), "notanid"),
    (("replies", "123", "abc"), "comment"),
    (("music", "search", ""), "keyword"),
    (("music", "search", "lofi", "--sort", "loudest"), "--sort"),
    (("music", "posts", "abc"), "music"),
    (("music", "info", ""), "music"),
    (("music", "bogus"), "bogus"),
    (("users", ""), "keyword"),
    (("lives", "music", "--country", "1"), "country"),
    (("bogus",), "bogus"),
    (("export", "bogus", "--db", "x.db"), "bogus"),
    (("export", "posts"), "--db"),
    (("jobs", "--db", "missing.db"), "missing.db"),
    (("stats", "--db", "missing.db"), "missing.db"),
    (("resume", "1", "--db", "missing.db"), "missing.db"),
    (("resume", "one", "--db", "x.db"), "JOB"),
    (("usage", "--days", "0"), "days"),
    (("report", "--db", "x.db", "-o", "/nonexistent/dir/r.html"), "--out"),
    # Post URLs: one checker for the CLI and the library (TikTok hosts, numeric ids).
    (("post", "https://www.tiktok.com/@a/video/123abc"), "123abc"),
    (("post", "https://example.com/video/123"), "example.com"),
    (("post", "https://evil.example/@a/video/7165262254722534698"), "evil.example"),
    (("post", "https://www.tiktok.com.evil.example/@a/video/7165262254722534698"), "evil"),
    (("post", "javascript:alert(1)//www.tiktok.com/@a/video/7165262254722534698"), "javascript"),
    (("post", "https://vm.tiktok.com/ZMabcdef/"), "short link"),
    (("comments", "https://evil.example/@a/video/7165262254722534698"), "evil.example"),
    # Numbers and durations that cannot be meant.
    (("hashtag", "magic", "--days", "nan"), "days"),
    (("hashtag", "magic", "--days", "inf"), "days"),
    (("hashtag", "magic", "--days", "1e308"), "days"),
    (("user-posts", "zachking", "--days", "-inf"), "days"),
    (("watch", "add", "hashtag", "magic", "--every", "99999999w", "--db", "w.db"), "--every"),
    (("watch", "add", "hashtag", "magic", "--window", "1e9d", "--db", "w.db"), "--window"),
    (("watch", "add", "hashtag", "magic", "--window", "2999-01-01", "--db", "w.db"), "--window"),
    (("watch", "add", "hashtag", "magic", "--window", "-7d", "--db", "w.db"), "--window"),
    (
        (
            "expand",
            "--db",
            "x.db",
            "--from",
            "hashtag:magic",
            "--to",
            "authors",
            "--fresh-for",
            "2999-01-01",
        ),
        "invalid --fresh-for",
    ),
    (
        ("expand", "--db", "x.db", "--from", "hashtag:magic", "--to", "authors", "--depth", "9"),
        "invalid --depth 9",
    ),
    # Databases that cannot be opened as given: nothing is created.
    (("hashtag", "magic", "--db", "no/such/folder/x.db"), "no folder"),
    (("hashtag", "magic", "--db", "."), "folder"),
    (("hashtag", "magic", "--db", "notes.txt"), "not a SQLite database"),
    (("jobs", "--db", "notes.txt"), "not a SQLite database"),
    (("hashtag", "magic", "--db", "postgresql://u:pw@localhost:notaport/db"), "malformed"),
    (("stats", "--db", "postgresql://u:pw@localhost/db?bogus=1"), "malformed"),
    # The API's address.
    (("hashtag", "magic", "--base-url", "ftp://example.com/apis"), "base url"),
    (("hashtag", "magic", "--base-url", "localhost:8765"), "base url"),
]


@pytest.mark.parametrize(("args", "word"), CORPUS, ids=[" ".join(a) for a, _ in CORPUS])
def test_bad_input(
    cli: Cli, live_emulator: Any, tmp_path: Path, args: tuple[str, ...], word: str
) -> None:
    db = tmp_path / "never.db"
    (tmp_path / "notes.txt").write_text("not a database\n")
    argv = ["--base-url", live_emulator.base_url, "--token", "t", *args]
    if not any(a == "--db" for a in args) and args[0] not in {"bogus", "music"}:
        argv += ["--db", str(db)]
    ran = cli(*argv)
    assert ran.code == 2, ran.err
    lines = ran.err.strip().splitlines()
    assert len(lines) == 1, ran.err
    assert "Traceback" not in ran.err
    assert word.lower() in lines[0].lower(), lines[0]
    assert ran.out == ""
    spent = live_emulator.emulator.stats.to_dict()
    assert (spent["requests_total"], spent["units_total"]) == (0, 0)  # the emulator's own count
    assert not db.exists()
    assert not (tmp_path / "x.db").exists()
    assert not (tmp_path / "missing.db").exists()
    assert not (tmp_path / "w.db").exists()
    assert not (tmp_path / "no").exists()
    assert (tmp_path / "notes.txt").read_text() == "not a database\n"
    assert "pw" not in ran.err  # a database password is never shown


def test_no_token_is_exit_2_and_touches_nothing(cli: Cli, tmp_path: Path) -> None:
    ran = cli("hashtag", "magic", "--db", str(tmp_path / "n.db"))
    assert ran.code == 2
    assert ran.err.strip() == (
        "tokarc: error: no API token: pass one, set TOKARC_TOKEN, or run `tokarc configure` "
        "(or use the emulator: `tokarc --sandbox ...`)"
    )
    assert not (tmp_path / "n.db").exists()


@pytest.mark.slow
def test_resume_of_an_unknown_job(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    assert cli("--sandbox", "hashtag", "magic", "--max-items", "20", "--db", str(db)).code == 0
    before = db.read_bytes()
    ran = cli("--sandbox", "resume", "7", "--db", str(db))
    assert ran.code == 2
    assert ran.err.strip().startswith("tokarc: error: invalid job 7")
    assert db.read_bytes() == before


def test_a_database_from_a_newer_tokarc_is_refused_and_not_written(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    db = tmp_path / "new.db"
    assert cli("--sandbox", "hashtag", "magic", "--max-items", "5", "--db", str(db)).code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO migrations VALUES (99, 'store.from_the_future', 'x')")
    before = rows(db, "SELECT COUNT(*) FROM posts")
    ran = cli("--sandbox", "hashtag", "magic", "--max-items", "5", "--db", str(db))
    assert ran.code == 2
    assert "newer tokarc" in one_line_error(ran)
    assert "migration 99" in one_line_error(ran)
    assert rows(db, "SELECT COUNT(*) FROM posts") == before
    assert rows(db, "SELECT COUNT(*) FROM jobs") == [(1,)]
