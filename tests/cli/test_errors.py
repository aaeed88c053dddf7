"""API errors against an emulator served over HTTP: each its message and exit code 1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tokarc.emulator import Emulator, serve_in_thread

from .conftest import Ran, rows

LiveEmulator = Any  # the live_emulator fixture of tests/conftest.py

Cli = Callable[..., Ran]
ZACH_SECUID = "MS4wLjABAAAAQ45hfYi1xIzYnh-9Q2yYTLhrGfVyQv3eHgxfO5sS2c3sMsTnaBPq2mrwZ6ZN4kKS"


@contextmanager
def served(**settings: Any) -> Iterator[str]:
    with serve_in_thread(Emulator(seed=0, **settings), startup_timeout=10.0) as base_url:
        yield base_url


def last_line(ran: Ran) -> str:
    assert "Traceback" not in ran.err, ran.err
    return ran.err.strip().splitlines()[-1]


def test_hashtag_over_http(cli: Cli, live_emulator: LiveEmulator, tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    url = live_emulator.base_url
    ran = cli("--base-url", url, "--token", "t", "hashtag", "magic", "--max-items", "60",
              "--db", str(db), "-o", str(tmp_path / "h.csv"))  # fmt: skip
    assert ran.code == 0, ran.err
    assert (tmp_path / "h.csv").read_text().startswith("aweme_id")
    assert rows(db, "SELECT COUNT(*) FROM requests") == [(3,)]
    assert cli("--base-url", url, "--token", "t", "doctor").code == 0
    assert cli("--base-url", url, "--token", "t", "usage").code == 0


def test_private_liked_posts_472(cli: Cli, live_emulator: LiveEmulator) -> None:
    ran = cli("--base-url", live_emulator.base_url, "--token", "t", "liked", ZACH_SECUID)
    assert ran.code == 1
    assert last_line(ran) == "tokarc: error: this account is private (HTTP 472)"


def test_unknown_user_473(cli: Cli, live_emulator: LiveEmulator) -> None:
    ran = cli("--base-url", live_emulator.base_url, "--token", "t", "user-posts", "nobody_zz9")
    assert ran.code == 1
    assert last_line(ran) == "tokarc: error: user not found (HTTP 473): check the username"


@pytest.mark.slow
def test_invalid_token_491_never_shows_the_token(cli: Cli, tmp_path: Path) -> None:
    secret = "wrong-secret-4242"
    db = tmp_path / "t.db"
    with served(require_token="right-one") as url:
        ran = cli("-v", "--base-url", url, "--token", secret, "hashtag", "magic", "--db", str(db))
        doctor = cli("--base-url", url, "--token", secret, "doctor")
    assert ran.code == 1
    assert ran.err.strip().splitlines()[-1].startswith("tokarc: error: the API token was refused")
    assert doctor.code == 1
    for text in (ran.out, ran.err, doctor.out, doctor.err):
        assert secret not in text
    for path in tmp_path.glob("t.db*"):
        assert secret.encode() not in path.read_bytes()


def test_token_never_stored(cli: Cli, live_emulator: LiveEmulator, tmp_path: Path) -> None:
    secret = "good-secret-8686"
    db = tmp_path / "g.db"
    ran = cli("--base-url", live_emulator.base_url, "--token", secret, "hashtag", "magic",
              "--max-items", "40", "--db", str(db))  # fmt: skip
    assert ran.code == 0
    assert secret not in ran.out + ran.err
    for path in tmp_path.glob("g.db*"):
        assert secret.encode() not in path.read_bytes()


@pytest.mark.slow
def test_units_depleted_495_keeps_what_was_stored(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "u.db"
    with served(units=3) as url:
        ran = cli("--base-url", url, "--token", "t", "hashtag", "magic", "--db", str(db))
    assert ran.code == 1
    line = last_line(ran)
    assert line.startswith("tokarc: error: no API units left for today (HTTP 495)")
    assert f"resume 1 --db {db}" in line
    assert rows(db, "SELECT COUNT(*) FROM pages") == [(3,)]
    assert rows(db, "SELECT status FROM jobs") == [("interrupted",)]


def test_rate_limit_429_after_retries(cli: Cli, live_emulator: LiveEmulator) -> None:
    live_emulator.emulator.set_faults(rate_limit_rate=1.0, retry_after=0)
    ran = cli("--retries", "1", "--base-url", live_emulator.base_url, "--token", "t",
              "hashtag", "magic", "--max-items", "20")  # fmt: skip
    assert ran.code == 1
    assert last_line(ran).startswith("tokarc: error: rate limited by the API (HTTP 429)")
    assert sum(live_emulator.emulator.stats.to_dict()["faults"].values()) == 2  # 1 + 1 retry


def test_server_error_500_after_retries(cli: Cli, live_emulator: LiveEmulator) -> None:
    live_emulator.emulator.set_faults(error_rate=1.0)
    ran = cli("--retries", "0", "--base-url", live_emulator.base_url, "--token", "t",
              "user", "zachking")  # fmt: skip
    assert ran.code == 1
    assert last_line(ran) == (
        "tokarc: error: the API kept failing with a server error, still after retries"
    )


def test_unreachable_api(cli: Cli) -> None:
    ran = cli("--retries", "0", "--base-url", "http://127.0.0.1:9/apis", "--token", "t",
              "user", "zachking")  # fmt: skip
    assert ran.code == 1
    assert last_line(ran).startswith("tokarc: error: cannot reach the API")


def test_verbose_shows_the_traceback(cli: Cli, live_emulator: LiveEmulator) -> None:
    live_emulator.emulator.set_faults(error_rate=1.0)
    ran = cli("-v", "--retries", "0", "--base-url", live_emulator.base_url, "--token", "t",
              "hashtag", "magic")  # fmt: skip
    assert ran.code == 1
    assert "Traceback" in ran.err


@pytest.mark.slow
def test_retries_are_silent_but_verbose_shows_them(cli: Callable[..., Ran]) -> None:
    args = ("--token", "tok-VISIBLE-ONLY-IF-LEAKED", "--base-url", "http://127.0.0.1:9/apis")
    quiet = cli(*args, "--retries", "1", "hashtag", "magic")
    assert quiet.code == 1
    assert quiet.err.strip().count("\n") == 0, quiet.err  # one line, no retry chatter
    loud = cli("-v", *args, "--retries", "1", "hashtag", "magic")
    assert "retry_scheduled" in loud.err
    assert "tok-VISIBLE-ONLY-IF-LEAKED" not in loud.err + loud.out
