"""Limits the command line keeps, counted in what the emulator served over HTTP and charged."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import wait_until  # tests/conftest.py

from .conftest import Ran, one_line_error, rows, tokarc_argv

Cli = Callable[..., Ran]
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _world_at_wall_time(live_emulator: Any) -> None:
    """The served world's clock at the machine's time, as --sandbox has it (for --days)."""
    live_emulator.emulator.clock.set(int(time.time()))


def api(live: Any) -> tuple[str, ...]:
    return ("--base-url", live.base_url, "--token", "t")


def charged(live: Any) -> int:
    return int(live.emulator.stats.units_total)


def pages(db: Path) -> int:
    try:
        return int(rows(db, "SELECT COUNT(*) FROM pages")[0][0])  # type: ignore[call-overload]
    except Exception:
        return 0


def has_open(proc: subprocess.Popen[Any], path: Path) -> bool:
    """Whether the process ``proc`` has the file ``path`` open (Linux: its ``/proc`` fds)."""
    fds, want = Path(f"/proc/{proc.pid}/fd"), str(path.resolve())
    try:
        return any(_target(fd) == want for fd in fds.iterdir())
    except FileNotFoundError:  # the process has ended
        return False


def _target(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except OSError:  # closed meanwhile
        return ""


# -- full searches, estimates, budgets --------------------------------------------------------


def test_full_search_is_bounded_by_max_items(cli: Cli, live_emulator: Any, tmp_path: Path) -> None:
    out = tmp_path / "f.jsonl"
    ran = cli(*api(live_emulator), "hashtag", "magic", "--full", "--days", "7", "--max-items",
              "300", "-o", str(out))  # fmt: skip
    assert ran.code == 0, ran.err
    assert len(out.read_text().splitlines()) == 300
    assert charged(live_emulator) == 4  # what a walk of 300 posts costs, not 58
    estimate = cli("hashtag", "magic", "--full", "--days", "7", "--max-items", "300",
                   "--estimate").out  # fmt: skip
    assert "1 calls, 4 units at most" in estimate
    assert "a guess" in estimate


def test_max_cursor_is_sent(cli: Cli, live_emulator: Any) -> None:
    ran = cli(*api(live_emulator), "hashtag", "magic", "--full", "--max-cursor", "100")
    assert ran.code == 0, ran.err
    assert len(ran.lines()) == 100
    assert charged(live_emulator) == 2
    ran = cli("hashtag", "magic", "--max-cursor", "100")
    assert ran.code == 2
    assert "--full" in one_line_error(ran)


def test_full_keyword_refuses_max_items(cli: Cli, live_emulator: Any) -> None:
    ran = cli(*api(live_emulator), "keyword", "magic", "--full", "--max-items", "30")
    assert ran.code == 2
    assert "cannot stop early" in one_line_error(ran)
    assert (
        live_emulator.emulator.stats.requests_total == 0
        if hasattr(live_emulator.emulator.stats, "requests_total")
        else sum(live_emulator.emulator.stats.requests.values()) == 0
    )


@pytest.mark.parametrize(
    "args",
    [
        ("hashtag", "magic", "--full", "--days", "7"),
        ("hashtag", "magic", "--full"),
        ("keyword", "magic", "--full", "--period", "30"),
    ],
)
def test_estimate_is_an_upper_bound_of_what_was_charged(
    cli: Cli, live_emulator: Any, args: tuple[str, ...]
) -> None:
    estimate = cli(*args, "--estimate")
    assert estimate.code == 0, estimate.err
    units = int(estimate.out.split(" calls, ")[1].split(" units")[0])
    assert "a guess" in estimate.out
    ran = cli(*api(live_emulator), *args, "-o", "x.jsonl")
    assert ran.code == 0, ran.err
    assert units >= charged(live_emulator) > 1


def test_max_units_is_not_exceeded_by_a_full_search(cli: Cli, live_emulator: Any) -> None:
    ran = cli(*api(live_emulator), "hashtag", "magic", "--full", "--days", "7", "--max-units", "5")
    assert ran.code == 1
    message = one_line_error(ran)
    assert "not sent" in message
    assert "up to 63 units" in message
    assert charged(live_emulator) == 0
    ran = cli(*api(live_emulator), "hashtag", "magic", "--full", "--days", "7", "--max-units",
              "5", "--paged-fallback", "-o", "p.jsonl")  # fmt: skip
    assert ran.code == 0, ran.err
    assert "paging the hashtag instead" in ran.err
    assert 0 < charged(live_emulator) <= 5


def test_max_units_holds_under_malformed_bodies(cli: Cli, live_emulator: Any) -> None:
    live_emulator.emulator.set_faults(malformed_rate=0.4)
    ran = cli(*api(live_emulator), "--retries", "8", "hashtag", "magic", "--max-units", "20",
              "-o", "m.jsonl")  # fmt: skip
    assert ran.code == 0, ran.err
    assert live_emulator.emulator.stats.faults["malformed"] > 0
    assert charged(live_emulator) <= 20


# -- signals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_stop_like_ctrl_c(
    live_emulator: Any, tmp_path: Path, sig: int, code: int
) -> None:
    db = tmp_path / "s.db"
    live_emulator.emulator.set_faults(latency=0.02)
    argv = tokarc_argv(*api(live_emulator), "hashtag", "magic", "--db", str(db))
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: pages(db) >= 3, message="3 pages committed")
    finally:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert f"resume 1 --db {db}" in err
    assert rows(db, "SELECT status, stop_reason FROM jobs") == [("interrupted", "interrupted")]
    assert 3 <= pages(db) < 60


# -- pipes ------------------------------------------------------------------------------------


def test_a_closed_pipe_stops_the_job(live_emulator: Any, tmp_path: Path) -> None:
    live_emulator.emulator.set_faults(latency=0.02)
    argv = tokarc_argv(*api(live_emulator), "hashtag", "magic", "-o", "-")
    tokarc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-1"], stdin=tokarc.stdout, capture_output=True, check=True,
                          timeout=30)  # fmt: skip
    assert tokarc.stdout is not None
    tokarc.stdout.close()
    _, err = tokarc.communicate(timeout=30)
    assert tokarc.returncode == 0, err
    assert b"Traceback" not in err
    assert "aweme_id" in json.loads(head.stdout)
    assert live_emulator.emulator.stats.requests["hashtag_search"] <= 2
    assert charged(live_emulator) <= 2


def test_a_closed_pipe_leaves_a_stored_job_resumable(live_emulator: Any, tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    argv = tokarc_argv(*api(live_emulator), "hashtag", "magic", "--db", str(db), "-o", "-")
    tokarc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    subprocess.run(["head", "-1"], stdin=tokarc.stdout, capture_output=True, check=True,
                   timeout=30)  # fmt: skip
    assert tokarc.stdout is not None
    tokarc.stdout.close()
    _, err = tokarc.communicate(timeout=30)
    assert tokarc.returncode == 0, err
    assert b"Traceback" not in err
    assert rows(db, "SELECT status FROM jobs") == [("interrupted",)]
    assert b"resume 1" in err
    assert live_emulator.emulator.stats.requests["hashtag_search"] <= 2


# -- one walk per job -------------------------------------------------------------------------


def test_a_second_identical_run_does_not_walk_the_job_again(
    cli: Cli, live_emulator: Any, tmp_path: Path
) -> None:
    db = tmp_path / "l.db"
    live_emulator.emulator.set_faults(latency=0.02)
    argv = tokarc_argv(*api(live_emulator), "-q", "hashtag", "magic", "--db", str(db))
    first = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: pages(db) >= 2, message="the first run's 2 pages committed")
    second = cli(*api(live_emulator), "hashtag", "magic", "--db", str(db))
    assert second.code == 1
    assert "job 1 is running elsewhere" in one_line_error(second)
    waiting = subprocess.Popen([*argv, "--wait"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    # Let it find the job taken: it opens the database, then tries the lease every second.
    wait_until(lambda: has_open(waiting, db) or waiting.poll() is not None,
               message="the waiting run to open the database")  # fmt: skip
    first.send_signal(signal.SIGTERM)
    _, said = first.communicate(timeout=30)
    assert first.returncode == 143, said
    live_emulator.emulator.set_faults(latency=0.0)
    _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert rows(db, "SELECT status, stop_reason FROM jobs") == [("done", "cursor_exhausted")]
    served = live_emulator.emulator.stats.requests["hashtag_search"]
    assert served <= 231 + 1  # one walk of the 231 pages (and the page the signal cut)


def test_a_lease_left_by_a_killed_run_is_taken_over(live_emulator: Any, tmp_path: Path,
                                                    cli: Cli) -> None:  # fmt: skip
    db = tmp_path / "k.db"
    live_emulator.emulator.set_faults(latency=0.02)
    argv = tokarc_argv(*api(live_emulator), "-q", "hashtag", "magic", "--db", str(db))
    first = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_until(lambda: pages(db) >= 2, message="the first run's 2 pages committed")
    first.kill()
    first.communicate(timeout=30)
    assert rows(db, "SELECT claimed_by IS NOT NULL FROM jobs") == [(1,)]  # never released
    live_emulator.emulator.set_faults(latency=0.0)
    later = cli(*api(live_emulator), "-q", "hashtag", "magic", "--db", str(db))
    assert later.code == 0, later.err  # its process is gone: the lease is taken over at once
    assert rows(db, "SELECT status, claimed_by FROM jobs") == [("done", None)]


def test_a_lease_from_another_host_holds_until_it_expires(
    cli: Cli, live_emulator: Any, tmp_path: Path
) -> None:
    db = tmp_path / "h.db"
    assert cli(*api(live_emulator), "-q", "hashtag", "magic", "--max-items", "20",
               "--db", str(db)).code == 0  # fmt: skip
    lease = "UPDATE jobs SET claimed_by = 'elsewhere:1:abc', claim_until = ?"
    with sqlite3.connect(db) as conn:
        conn.execute(lease, (time.time() + 600,))
    ran = cli(*api(live_emulator), "hashtag", "magic", "--max-items", "40", "--db", str(db))
    assert ran.code == 1
    assert "job 1 is running elsewhere (elsewhere:1:abc" in one_line_error(ran)
    with sqlite3.connect(db) as conn:
        conn.execute(lease, (time.time() - 1,))  # as if ten minutes had gone by
    ran = cli(*api(live_emulator), "hashtag", "magic", "--max-items", "40", "--db", str(db))
    assert ran.code == 0, ran.err
    assert rows(db, "SELECT COUNT(*) FROM posts") == [(40,)]
