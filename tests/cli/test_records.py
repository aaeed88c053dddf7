"""Figures and records the CLI shows must be true (issue 10), and databases it only reads are
opened read-only (issue 11): against the in-process emulator (--sandbox)."""

from __future__ import annotations

import contextlib
import csv
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tokarc._wiring import open_store
from tokarc.errors import ReadOnlyStoreError
from tokarc.models import decode
from tokarc.store import Batch

from .conftest import Ran, rows

Cli = Callable[..., Ran]
ZACH_UID = "6784819479778378757"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_followers_do_not_list_the_user_they_follow(cli: Cli, tmp_path: Path) -> None:
    db, out = str(tmp_path / "z.db"), tmp_path / "f.csv"
    ran = cli("--sandbox", "followers", "zachking", "--max-items", "30", "--db", db, "-o", str(out))
    assert ran.code == 0, ran.err
    assert "30 items, 30 new" in ran.err
    uids = [r["uid"] for r in _csv(out)]
    assert len(uids) == 30
    assert ZACH_UID not in uids
    assert rows(Path(db), f"SELECT source_kind FROM seen_via WHERE entity_id = '{ZACH_UID}'") == [
        ("user",)
    ]
    exported = cli("export", "users", "--db", db, "--source", "followers:zachking", "-f", "csv")
    assert exported.code == 0, exported.err
    assert len(exported.out.splitlines()) == 31
    assert ZACH_UID not in exported.out


def test_music_search_by_use_is_written_in_that_order(cli: Cli, tmp_path: Path) -> None:
    db, out = str(tmp_path / "m.db"), tmp_path / "m.csv"
    args = ("--sandbox", "music", "search", "magic", "--sort", "used", "--max-items", "30")
    assert cli(*args, "--db", db, "-o", str(out)).code == 0
    used = [int(r["user_count"]) for r in _csv(out)]
    assert len(used) == 30
    assert used == sorted(used, reverse=True)
    again = tmp_path / "again.csv"
    assert cli("export", "music", "--db", db, "--source", "music_search:magic", "-o", str(again))
    assert [r["music_id"] for r in _csv(again)] == [r["music_id"] for r in _csv(out)]


@pytest.mark.slow
def test_a_window_the_feed_ended_before_is_said(cli: Cli, tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    ran = cli("--sandbox", "hashtag", "magic", "--days", "30", "--db", db)
    assert ran.code == 0, ran.err
    said = re.search(r"covers (\d+(?:\.\d)?) of 30 days: the feed ended", ran.err)
    assert said, ran.err
    assert float(said.group(1)) < 30
    assert "done (cursor_exhausted)" in ran.err
    job = cli("jobs", "--db", db, "--json").lines()[0]
    assert job["coverage"] == said.group(0)
    assert said.group(0) in cli("jobs", "--db", db).out


@pytest.mark.slow
def test_out_beside_db_writes_this_run_and_export_source_the_whole_source(
    cli: Cli, tmp_path: Path
) -> None:
    db, out = str(tmp_path / "m.db"), tmp_path / "run.jsonl"
    assert cli("-q", "--sandbox", "hashtag", "magic", "--max-items", "300", "--db", db).code == 0
    ran = cli("-q", "--sandbox", "hashtag", "magic", "--max-items", "20", "--db", db,
              "--incremental", "-o", str(out))  # fmt: skip
    assert ran.code == 0, ran.err
    assert len(out.read_text().splitlines()) == 20  # this run's, not the source's 300
    whole = cli("export", "posts", "--db", db, "--source", "hashtag:magic")
    found = rows(Path(db), "SELECT COUNT(*) FROM seen_via WHERE entity = 'post' "
                 "AND source_kind = 'hashtag' AND source_target = 'magic'")[0][0]  # fmt: skip
    # Each --sandbox run's world starts at its own "now": the second may see a post or two
    # created in between, so the source holds the first run's 300 and what came since.
    assert 300 <= found <= 320
    assert len(whole.out.splitlines()) == found


@pytest.mark.slow
@pytest.mark.parametrize("bad", ["magic", "nosuch:magic", "hashtag:", "hashtag: "])
def test_a_bad_source_is_exit_2(cli: Cli, tmp_path: Path, bad: str) -> None:
    db = str(tmp_path / "m.db")
    assert cli("-q", "--sandbox", "hashtag", "magic", "--max-items", "5", "--db", db).code == 0
    out = tmp_path / "x.csv"
    ran = cli("export", "posts", "--db", db, "--source", bad, "-o", str(out))
    assert ran.code == 2
    assert "invalid --source" in ran.err
    assert "Traceback" not in ran.err
    assert not out.exists()


@pytest.mark.slow
def test_one_count_of_items_and_a_posts_job_shows_its_ids(cli: Cli, tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    ran = cli("--sandbox", "hashtag", "magic", "--max-items", "33", "--db", db)
    assert ran.code == 0, ran.err
    items = int(re.search(r"(\d+) items", ran.err).group(1))  # type: ignore[union-attr]
    assert items == 33  # two pages of 20 cut at 33: kept, said, counted alike
    assert cli("jobs", "--db", db, "--json").lines()[0]["returned"] == items
    post = "7210531475052236078"
    ran = cli("--sandbox", "post", post, "--db", db)
    assert f"job 2 posts {post}: done" in ran.err
    assert cli("jobs", "--db", db, "--json").lines()[1]["target"] == post


def _unwritable(db: Path) -> None:
    """As if the database's directory were read-only: SQLite cannot create the ``-shm``
    file (here a directory stands in its way, which stops root too) and the file is 0444."""
    shm = db.parent / f"{db.name}-shm"
    shm.unlink(missing_ok=True)
    shm.mkdir()
    db.chmod(0o444)


@pytest.mark.slow
def test_jobs_stats_and_export_read_a_read_only_database(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    assert (
        cli("-q", "--sandbox", "hashtag", "magic", "--max-items", "40", "--db", str(db)).code == 0
    )
    before = db.read_bytes()
    _unwritable(db)
    with pytest.raises(ReadOnlyStoreError):  # what writing to it meets here
        with open_store(db) as store:
            store.db.execute("CREATE TABLE probe (a INTEGER)")
    jobs = cli("jobs", "--db", str(db), "--json")
    assert jobs.code == 0, jobs.err
    assert jobs.lines()[0]["returned"] == 40
    stats = cli("stats", "--db", str(db))
    assert stats.code == 0, stats.err
    out = tmp_path / "elsewhere.csv"
    exported = cli("export", "posts", "--db", str(db), "-o", str(out))
    assert exported.code == 0, exported.err
    assert len(_csv(out)) == 40
    assert db.read_bytes() == before  # read, never written


def test_a_post_is_marked_gone_after_gone_after_misses(cli: Cli, tmp_path: Path) -> None:
    db, ghost = str(tmp_path / "m.db"), "7000000000000000002"
    with open_store(db) as store:  # a post stored once, which has since vanished
        store.save_page(Batch(endpoint="test", records=[decode("post", {"aweme_id": ghost})]))
    for _ in range(2):
        ran = cli("--sandbox", "post", ghost, "7210531475052236078", "--db", db)
        assert ran.code == 0, ran.err
    assert "1 marked gone" in ran.err
    assert rows(Path(db), "SELECT aweme_id, misses FROM post_misses") == [(ghost, 2)]
    assert cli("--sandbox", "post", ghost, "--db", db, "--gone-after", "0").code == 2


def test_a_database_of_an_older_tokarc_is_migrated_when_writable_else_refused(
    cli: Cli, tmp_path: Path
) -> None:
    db = tmp_path / "old.db"
    assert cli("-q", "--sandbox", "hashtag", "magic", "--max-items", "5", "--db", str(db)).code == 0
    _unmigrate(db)  # as a tokarc before post_misses wrote it
    assert cli("jobs", "--db", str(db)).code == 0
    assert rows(db, "SELECT COUNT(*) FROM migrations WHERE name = 'store.misses'") == [(1,)]
    _unmigrate(db)
    _unwritable(db)
    ran = cli("jobs", "--db", str(db))
    assert ran.code == 2
    assert "older tokarc" in ran.err
    assert "store.misses" in ran.err


def _unmigrate(db: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("DELETE FROM migrations WHERE name = 'store.misses'")
        conn.execute("DROP TABLE post_misses")


def test_a_source_is_spelled_as_its_jobs_are(cli: Cli, tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    assert cli("-q", "--sandbox", "hashtag", "magic", "--max-items", "5", "--db", db).code == 0
    ran = cli("export", "posts", "--db", db, "--source", "hashtag:#Magic")
    assert ran.code == 0, ran.err
    assert len(ran.out.splitlines()) == 5


def test_resume_of_a_done_job_sends_nothing_and_says_what_it_is(cli: Cli, tmp_path: Path) -> None:
    db = str(tmp_path / "i.db")
    assert cli("-q", "--sandbox", "hashtag", "cats", "--max-items", "40", "--db", db).code == 0
    before = rows(Path(db), "SELECT units, returned FROM jobs WHERE id = 1")
    ran = cli("--sandbox", "resume", "1", "--db", db)
    assert ran.code == 0, ran.err
    assert "job 1 is done: it reached its --max-items on 20" in ran.err
    assert "Traceback" not in ran.err
    assert rows(Path(db), "SELECT units, returned FROM jobs WHERE id = 1") == before
    assert rows(Path(db), "SELECT COUNT(*) FROM requests")[0][0] == 2  # the first run's only
