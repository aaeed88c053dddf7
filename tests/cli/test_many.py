"""Many targets in one command: arguments and --from-file, one job each, one shared budget."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import wait_until  # tests/conftest.py

from .conftest import Ran, one_line_error, rows, tokarc_argv

Cli = Callable[..., Ran]


def api(live: Any) -> tuple[str, ...]:
    return ("--base-url", live.base_url, "--token", "t")


def jobs(db: Path) -> list[tuple[object, ...]]:
    return rows(db, "SELECT id, kind, target, status FROM jobs ORDER BY id")


# -- targets ------------------------------------------------------------------------------------


def test_arguments_and_a_file_give_one_job_per_target(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "tags.txt").write_text(
        "# the tags of the study\nmagic\n\n#cats   # written with its hash\ndance # last one\n"
        "Magic\n"
    )
    ran = cli("--sandbox", "hashtag", "fyp", "--from-file", "tags.txt", "--max-items", "40",
              "--db", "t.db")  # fmt: skip
    assert ran.code == 0, ran.err
    assert jobs(tmp_path / "t.db") == [
        (1, "hashtag", "fyp", "done"),
        (2, "hashtag", "magic", "done"),  # "Magic" is the same hashtag: one job
        (3, "hashtag", "cats", "done"),
        (4, "hashtag", "dance", "done"),
    ]
    summaries = [line for line in ran.err.splitlines() if line.startswith("job ")]
    assert len(summaries) == 4
    assert ran.err.splitlines()[-1] == "4 targets: 4 done; 160 items, 160 new, 8 units"


@pytest.mark.slow
def test_targets_from_stdin(cli: Cli, tmp_path: Path) -> None:
    ran = cli("--sandbox", "user-posts", "--from-file", "-", "--max-items", "10", "--db", "u.db",
              input="zachking\n# a comment\nkhaby.lame\n")  # fmt: skip
    assert ran.code == 0, ran.err
    assert [j[2] for j in jobs(tmp_path / "u.db")] == ["zachking", "khaby.lame"]


def test_one_target_in_a_file_runs_as_one_target(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("magic\n")
    ran = cli("--sandbox", "hashtag", "--from-file", "one.txt", "--max-items", "20")
    assert ran.code == 0, ran.err
    assert ran.err.splitlines()[-1].startswith("job 1 hashtag magic: done")
    assert len(ran.lines()) == 20


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("hashtag",), "give a HASHTAG or --from-file FILE"),
        (
            ("hashtag", "--from-file", "missing.txt"),
            "invalid --from-file missing.txt: No such file",
        ),
        (("hashtag", "--from-file", "bad.txt"), "bad.txt:3: invalid hashtag"),
        (("hashtag", "--from-file", "empty.txt"), "invalid --from-file empty.txt: no HASHTAG"),
        (("hashtag", "magic", "--concurrency", "0"), "'--concurrency': Input should be greater"),
        (("comments", "--from-file", "posts.txt"), "posts.txt:2:"),
        (("user-posts", "zachking", "--sec-uid", "MS4w"), "one of them"),
    ],
)
def test_bad_targets_are_refused_before_any_request(
    cli: Cli, tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    (tmp_path / "bad.txt").write_text("magic\ncats\nno/such#tag here\n")
    (tmp_path / "empty.txt").write_text("# nothing yet\n\n")
    (tmp_path / "posts.txt").write_text("7230000000000000000\nhttps://example.com/nothing\n")
    ran = cli("--sandbox", *args, "--db", "x.db")
    assert ran.code == 2, ran.err
    assert "Traceback" not in ran.err
    assert says in ran.err.strip().splitlines()[-1]
    assert not (tmp_path / "x.db").exists()  # nothing opened, nothing sent


def test_a_binary_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "tags.bin").write_bytes(b"\xff\xfe\x00magic")
    ran = cli("--sandbox", "hashtag", "--from-file", "tags.bin")
    assert ran.code == 2
    assert "not UTF-8 text" in one_line_error(ran)


def test_estimate_prices_every_target_and_the_total(cli: Cli) -> None:
    ran = cli("--sandbox", "hashtag", "magic", "cats", "--max-items", "100", "--estimate")
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    assert lines[0].startswith("hashtag magic: 5 calls, 5 units at most")
    assert lines[1].startswith("hashtag cats: 5 calls, 5 units at most")
    assert lines[2] == "2 targets: 10 units at most in all; nothing sent"


def test_out_writes_what_this_run_of_every_target_collected(cli: Cli, tmp_path: Path) -> None:
    cli("--sandbox", "hashtag", "travel", "--max-items", "60", "--db", "o.db")  # not in -o
    ran = cli("--sandbox", "hashtag", "magic", "cats", "--max-items", "40", "--db", "o.db",
              "-o", "both.jsonl")  # fmt: skip
    assert ran.code == 0, ran.err
    written = (tmp_path / "both.jsonl").read_text().splitlines()
    assert len(written) == 80
    assert not list(tmp_path.glob("*.tmp*"))


def test_stdout_gets_every_targets_records_as_they_come(cli: Cli) -> None:
    ran = cli("--sandbox", "music", "posts", "7016547803243022337", "7016547803243022338",
              "--max-items", "20")  # fmt: skip
    assert ran.code in (0, 1), ran.err
    assert all("aweme_id" in line for line in ran.lines())


def test_a_failed_target_exits_1_after_the_others_finish(cli: Cli, tmp_path: Path) -> None:
    ran = cli("--sandbox", "user-posts", "zachking", "nobody_here_at_all", "--max-items", "10",
              "--db", "f.db")  # fmt: skip
    assert ran.code == 1
    assert one_line_error(ran) == "tokarc: error: 1 of 2 targets failed: nobody_here_at_all"
    assert jobs(tmp_path / "f.db") == [
        (1, "user_posts", "zachking", "done"),
        (2, "user_posts", "nobody_here_at_all", "failed"),
    ]


def test_media_with_many_targets_is_refused(cli: Cli) -> None:
    ran = cli("--sandbox", "hashtag", "magic", "cats", "--media", "cover")
    assert ran.code == 2, ran.err
    assert "--media goes with one target" in one_line_error(ran)


def test_enqueue_with_sqlite_is_refused(cli: Cli) -> None:
    ran = cli("--sandbox", "--enqueue", "hashtag", "magic", "cats", "--db", "q.db")
    assert ran.code == 2, ran.err
    assert "PostgreSQL" in one_line_error(ran)


# -- over HTTP: the budget as charged, signals, kill -9 ---------------------------------------


def test_the_shared_budget_is_what_the_emulator_charged(
    cli: Cli, live_emulator: Any, tmp_path: Path
) -> None:
    ran = cli(*api(live_emulator), "hashtag", "magic", "cats", "dance", "food",
              "--max-units", "9", "--db", "b.db", "--concurrency", "4")  # fmt: skip
    assert ran.code == 0, ran.err
    assert live_emulator.emulator.stats.units_total == 9
    assert "9 units" in ran.err.splitlines()[-2]
    assert "4 targets unfinished; stopped at the cap of 9 units (--max-units);" in ran.err
    assert "resume 1 2 3 4 --db b.db --max-units 36` continues" in ran.err


def _clean_run(live: Any, tmp_path: Path, tags: list[str]) -> set[Any]:
    db = tmp_path / "clean.db"
    subprocess.run(tokarc_argv(*api(live), "hashtag", *tags, "--max-items", "200", "--db",
                               str(db)), check=True, capture_output=True, timeout=120)  # fmt: skip
    return set(rows(db, "SELECT entity_id, source_target FROM seen_via"))


def _pages(db: Path) -> int:
    try:
        return int(rows(db, "SELECT COUNT(*) FROM pages")[0][0])  # type: ignore[call-overload]
    except Exception:
        return 0


def _start_and_wait(argv: list[str], db: Path, pages: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: _pages(db) >= pages or proc.poll() is not None, timeout=60,
                   interval=0.02, message=f"{pages} pages committed")  # fmt: skip
    except AssertionError:
        proc.kill()
        proc.communicate()
        raise
    return proc


@pytest.mark.parametrize("how", ["sigterm", "kill"])
def test_a_stopped_run_goes_on_to_the_clean_runs_dataset(
    live_emulator: Any, tmp_path: Path, how: str
) -> None:
    tags = ["magic", "cats", "dance", "food", "travel"]
    db = tmp_path / "m.db"
    live_emulator.emulator.set_faults(latency=0.02)
    argv = tokarc_argv(*api(live_emulator), "hashtag", *tags, "--max-items", "200",
                       "--concurrency", "2", "--db", str(db))  # fmt: skip
    proc = _start_and_wait(argv, db, 6)
    proc.send_signal(signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    if how == "sigterm":
        assert proc.returncode == 143, err
        assert b"stopped by SIGTERM at a page boundary" in err
        assert b"Traceback" not in err
    assert 6 <= _pages(db) < 50
    live_emulator.emulator.set_faults(latency=0.0)
    unfinished = [str(j[0]) for j in jobs(db) if j[3] != "done"]
    resume = tokarc_argv(*api(live_emulator), "resume", *unfinished, "--db", str(db))
    if how == "sigterm":
        assert f"resume {' '.join(unfinished)} --db {db}".encode() in err
    again = subprocess.run(resume, capture_output=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert {j[3] for j in jobs(db)} == {"done"}
    assert set(rows(db, "SELECT entity_id, source_target FROM seen_via")) == _clean_run(
        live_emulator, tmp_path, tags
    )
    assert _pages(db) <= 50 + (0 if how == "sigterm" else 2)  # at most a page again per run
