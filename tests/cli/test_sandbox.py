"""Every command against the in-process emulator (--sandbox), through typer's CliRunner."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Ran, rows

Cli = Callable[..., Ran]
ZACH_SECUID = "MS4wLjABAAAAQ45hfYi1xIzYnh-9Q2yYTLhrGfVyQv3eHgxfO5sS2c3sMsTnaBPq2mrwZ6ZN4kKS"


@pytest.fixture
def zach_post(cli: Cli) -> str:
    """A post of @zachking with comments."""
    ran = cli("-q", "--sandbox", "user-posts", "zachking", "--max-items", "40")
    assert ran.code == 0, ran.err
    best = max(ran.lines(), key=lambda p: p["statistics"]["comment_count"])  # type: ignore[index]
    return str(best["aweme_id"])


def test_hashtag_to_stdout_jsonl(cli: Cli) -> None:
    ran = cli("--sandbox", "hashtag", "#magic", "--max-items", "25")
    assert ran.code == 0, ran.err
    posts = ran.lines()
    assert len(posts) >= 25
    assert all("aweme_id" in p for p in posts)
    assert "job 1 hashtag magic: done" in ran.err


@pytest.mark.slow
def test_hashtag_days_into_db_then_stats_jobs_export(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    ran = cli("--sandbox", "hashtag", "magic", "--days", "30", "--db", str(db))
    assert ran.code == 0, ran.err
    assert ran.out == ""  # --db without --out: nothing on stdout
    n = rows(db, "SELECT COUNT(*) FROM posts")[0][0]
    assert isinstance(n, int)
    assert n > 1000
    stats = cli("stats", "--db", str(db), "--json")
    assert json.loads(stats.out)["counts"]["posts"] == n
    assert "hashtag_search" in cli("stats", "--db", str(db)).out
    jobs = cli("jobs", "--db", str(db), "--json").lines()
    assert jobs[0]["status"] == "done"
    assert jobs[0]["new_records"] == n
    assert "hashtag" in cli("jobs", "--db", str(db)).out
    for fmt in ("jsonl", "csv", "parquet"):
        out = tmp_path / f"posts.{fmt}"
        ran = cli("export", "posts", "--db", str(db), "-o", str(out))
        assert ran.code == 0, ran.err
        assert out.stat().st_size > 1000
    assert len(cli("export", "users", "--db", str(db), "-f", "csv").out.splitlines()) > 100


@pytest.mark.slow
def test_full_hashtag_and_keywords(cli: Cli) -> None:
    assert cli("--sandbox", "hashtag", "magic", "--full", "--days", "7").code == 0
    ran = cli("--sandbox", "keyword", "magic", "--period", "7", "--sort", "likes", "--country",
              "US", "--exact", "--max-items", "20")  # fmt: skip
    assert ran.code == 0, ran.err
    assert ran.lines()
    assert cli("--sandbox", "keyword", "magic", "--full", "--period", "1").code == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "key"),
    [
        (("user", "@zachking"), "user"),
        (("user-posts", "zachking", "--max-items", "15"), "aweme_id"),
        (("user-posts", "--sec-uid", ZACH_SECUID, "--max-items", "15", "--depth", "2"), "aweme_id"),
        (("followers", "zachking", "--max-items", "150"), "uid"),
        (("followings", "zachking", "--max-items", "50"), "uid"),
        (("users", "otter", "--max-items", "10"), "uid"),
        (("lives", "music", "--country", "US", "--max-items", "10"), "room_id"),
        (("music", "search", "lofi", "--sort", "used", "--filter", "music", "--max-items", "5"),
         "id"),
        (("music", "posts", "7033548396166122060", "--max-items", "30"), "aweme_id"),
        (("music", "info", "7033548396166122060"), "id"),
    ],
)  # fmt: skip
def test_collecting_commands(cli: Cli, args: tuple[str, ...], key: str) -> None:
    ran = cli("--sandbox", *args)
    assert ran.code == 0, ran.err
    items = ran.lines()
    assert items, ran.err
    assert any(key in item for item in items)


def test_post_comments_and_replies(cli: Cli, zach_post: str, tmp_path: Path) -> None:
    url = f"https://www.tiktok.com/@zachking/video/{zach_post}"
    ran = cli("--sandbox", "post", url, zach_post)
    assert ran.code == 0, ran.err
    assert [p["aweme_id"] for p in ran.lines()] == [zach_post]
    db = tmp_path / "c.db"
    ran = cli("--sandbox", "comments", url, "--replies", "--db", str(db), "-o", "-")
    assert ran.code == 0, ran.err
    comments = ran.lines()
    assert comments
    assert all(c["aweme_id"] == zach_post for c in comments)
    cid = str(comments[0]["cid"])
    ran = cli("--sandbox", "replies", zach_post, cid, "-o", str(tmp_path / "r.csv"))
    assert ran.code == 0, ran.err
    assert (tmp_path / "r.csv").read_text().startswith("cid") or (tmp_path / "r.csv").exists()


def test_liked_private_is_exit_1_with_its_message(cli: Cli) -> None:
    ran = cli("--sandbox", "liked", ZACH_SECUID)
    assert ran.code == 1
    assert ran.err.splitlines()[-1] == "tokarc: error: this account is private (HTTP 472)"
    summary = ran.err.splitlines()[-2]
    assert ": failed: private (472), 0 pages" in summary  # why, not "failed (target)"


def test_an_unknown_user_s_job_says_not_found_with_the_code(cli: Cli) -> None:
    ran = cli("--sandbox", "user-posts", "nosuchuser_zz")
    assert ran.code == 1
    assert ": failed: not found (473), 0 pages" in ran.err


def test_unknown_user_is_exit_1(cli: Cli) -> None:
    ran = cli("--sandbox", "user", "nosuchuser_zz")
    assert ran.code == 1
    assert "user not found (HTTP 473)" in ran.err.splitlines()[-1]


def test_estimate_sends_nothing_and_creates_nothing(cli: Cli, tmp_path: Path) -> None:
    ran = cli("hashtag", "magic", "--estimate", "--db", str(tmp_path / "e.db"))  # no token needed
    assert ran.code == 0, ran.err
    assert "250 calls, 250 units" in ran.out
    assert not (tmp_path / "e.db").exists()
    ran = cli("post", "1", "2", "3", "--estimate")
    assert "1 calls, " in ran.out
    assert "?" in cli("users", "magic", "--estimate").out  # unbounded without --max-items


def test_budget_stops_and_resume_goes_on(cli: Cli, tmp_path: Path) -> None:
    db = str(tmp_path / "b.db")
    ran = cli("--sandbox", "hashtag", "magic", "--max-units", "3", "--db", db)
    assert ran.code == 0, ran.err
    assert "budget" in ran.err
    assert f"resume 1 --db {db}" in ran.err
    first = rows(Path(db), "SELECT COUNT(*) FROM posts")[0][0]
    ran = cli("--sandbox", "resume", "1", "--db", db, "--max-units", "6")
    assert ran.code == 0, ran.err
    assert rows(Path(db), "SELECT COUNT(*) FROM posts")[0][0] > first  # type: ignore[operator]


def test_usage_and_doctor(cli: Cli) -> None:
    ran = cli("--sandbox", "usage", "--days", "3", "--json")
    assert ran.code == 0, ran.err
    assert len(json.loads(ran.out)["history"]) == 3
    assert "units used today" in cli("--sandbox", "usage").out
    ran = cli("--sandbox", "doctor")
    assert ran.code == 0, ran.err
    assert "API reachable" in ran.out


def test_doctor_without_token_is_exit_2(cli: Cli) -> None:
    ran = cli("doctor")
    assert ran.code == 2
    assert "token: missing" in ran.out
    assert "no API token" in ran.err


def test_configure_stores_the_token_privately_never_echoing_it(cli: Cli, tmp_path: Path) -> None:
    secret = "s3cr3t-token-value"
    ran = cli("configure", input=secret + "\n")
    assert ran.code == 0, ran.err
    path = tmp_path / "config" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret in path.read_text()
    assert secret not in ran.out + ran.err
    doctor = cli("--retries", "0", "--base-url", "http://127.0.0.1:9/apis", "doctor")
    assert doctor.code == 1  # nothing listens there: only the local part is checked
    assert "set (from" in doctor.out
    assert secret not in doctor.out + doctor.err
    assert cli("configure", input="\n").code == 2


@pytest.mark.slow
def test_incremental_rerun_stops_when_caught_up(cli: Cli, tmp_path: Path) -> None:
    db = str(tmp_path / "i.db")
    assert cli("--sandbox", "user-posts", "zachking", "--db", db).code == 0
    ran = cli("--sandbox", "user-posts", "zachking", "--db", db, "--incremental")
    assert ran.code == 0, ran.err
    assert "(caught_up)" in ran.err
    assert " 0 new" in ran.err


@pytest.mark.slow
def test_no_pinned_leaves_pinned_posts_out(cli: Cli) -> None:
    every = cli("-q", "--sandbox", "user-posts", "zachking", "--max-items", "15").lines()
    unpinned = cli(
        "-q", "--sandbox", "user-posts", "zachking", "--max-items", "15", "--no-pinned"
    ).lines()
    assert sum(bool(p["is_top"]) for p in every) == 2
    assert not any(p["is_top"] for p in unpinned)
    assert len(unpinned) == len(every) == 15  # pinned posts left out do not count


def test_out_with_db_holds_only_this_commands_records(cli: Cli, tmp_path: Path) -> None:
    db = str(tmp_path / "both.db")
    assert cli("-q", "--sandbox", "hashtag", "tesla", "--max-items", "50", "--db", db).code == 0
    out = tmp_path / "magic.jsonl"
    ran = cli(
        "-q", "--sandbox", "hashtag", "magic", "--max-items", "30", "--db", db, "-o", str(out)
    )
    assert ran.code == 0, ran.err
    assert len(out.read_text().splitlines()) == 30  # not the 80 posts the database holds
