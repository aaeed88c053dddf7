"""The real console script: stdout/stderr, exit codes, Ctrl-C and resume, the progress bar."""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import wait_until  # tests/conftest.py

from .conftest import Ran, rows, tokarc_argv

pytestmark = pytest.mark.slow  # subprocesses of the real console script

Sh = Callable[..., Ran]


def test_help_and_usage_errors(sh: Sh) -> None:
    ran = sh("--help")
    assert ran.code == 0
    assert "Example: tokarc" in ran.out
    ran = sh("hashtag", "magic", "--days")
    assert ran.code == 2
    message = "error: Option '--days' requires an argument. (see 'tokarc --help')"
    assert ran.err.strip().endswith(message)
    assert sh().code == 2  # no command: the help, on stderr
    assert sh("emulator", "--help").code == 0
    assert sh("emulator", "--bogus").code == 2


def test_sandbox_jsonl_on_stdout_progress_off_when_piped(sh: Sh) -> None:
    ran = sh("--sandbox", "hashtag", "magic", "--max-items", "30")
    assert ran.code == 0, ran.err
    assert len(ran.lines()) >= 30
    assert ran.err.strip().splitlines() == [
        "job 1 hashtag magic: done (max_items), 2 pages, 30 items, 30 new, 0 duplicates, 2 units"
    ]
    quiet = sh("-q", "--sandbox", "user", "zachking")
    assert quiet.err == ""


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160"}
    argv = tokarc_argv("--sandbox", "hashtag", "magic", "--max-items", "400", "--db",
                       str(tmp_path / "p.db"))  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    seen: list[bytes] = []
    wait_until(lambda: _read_or_ended(master, proc, seen), timeout=60, interval=0,
               message="the run on the terminal to end")  # fmt: skip
    proc.wait(timeout=10)
    os.close(master)
    text = b"".join(seen).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "items ·" in text
    assert "pages" in text
    assert "units" in text
    assert "items/s" in text


def _read_or_ended(master: int, proc: subprocess.Popen[bytes], seen: list[bytes]) -> bool:
    """Read what the terminal shows into ``seen`` (waiting 0.2 s at most); whether it closed, or
    the process ended with nothing more to read."""
    ready, _, _ = select.select([master], [], [], 0.2)
    if not ready:
        return proc.poll() is not None
    try:
        chunk = os.read(master, 65536)
    except OSError:  # the terminal closed
        return True
    seen.append(chunk)
    return not chunk


def test_ctrl_c_then_resume_gives_the_same_rows(sh: Sh, live_emulator: Any, tmp_path: Path) -> None:
    url = live_emulator.base_url
    whole, part = tmp_path / "whole.db", tmp_path / "part.db"
    ran = sh("--base-url", url, "--token", "t", "hashtag", "magic", "--db", str(whole))
    assert ran.code == 0, ran.err

    live_emulator.emulator.set_faults(latency=0.02)
    argv = tokarc_argv("--base-url", url, "--token", "t", "hashtag", "magic", "--db", str(part))
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: _pages(part) >= 5, timeout=30, message="5 pages committed")
    finally:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert f"resume with: tokarc --base-url {url} resume 1 --db {part}" in err
    assert "Traceback" not in err
    assert rows(part, "SELECT status FROM jobs") == [("interrupted",)]
    stopped = _pages(part)
    assert 5 <= stopped < _pages(whole)

    live_emulator.emulator.set_faults(latency=0.0)
    ran = sh("--base-url", url, "--token", "t", "resume", "1", "--db", str(part))
    assert ran.code == 0, ran.err
    ids = "SELECT aweme_id FROM posts ORDER BY aweme_id"
    assert rows(part, ids) == rows(whole, ids)
    assert rows(part, "SELECT status, stop_reason FROM jobs") == rows(
        whole, "SELECT status, stop_reason FROM jobs"
    )


def _pages(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        count = rows(db, "SELECT COUNT(*) FROM pages")[0][0]
    except Exception:
        return 0
    return int(count)  # type: ignore[call-overload]


def test_tokarc_emulator_serves_with_its_options(sh: Sh, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    argv = tokarc_argv("emulator", "--port", str(port), "--require-token", "right", "--units", "2")
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        assert f"127.0.0.1:{port}/apis" in server.stdout.readline()
        url = f"http://127.0.0.1:{port}/apis"
        tries: list[Ran] = []

        def reached() -> Ran | None:
            tries.append(sh("--base-url", url, "--token", "right", "user", "zachking"))
            unreachable = tries[-1].code == 1 and "cannot reach" in tries[-1].err
            return None if unreachable else tries[-1]

        said = lambda: f"the served emulator to answer: {tries[-1].err}"  # noqa: E731
        ran = wait_until(reached, timeout=10, interval=0.1, message=said)
        assert ran.code == 0, ran.err
        wrong = sh("--base-url", url, "--token", "wrong", "user", "zachking")
        assert wrong.code == 1
        assert "HTTP 491" in wrong.err
        db = tmp_path / "d.db"
        spent = sh("--base-url", url, "--token", "right", "hashtag", "magic", "--db", str(db))
        assert spent.code == 1
        assert "HTTP 495" in spent.err
        assert f"resume 1 --db {db}" in spent.err
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=10)
