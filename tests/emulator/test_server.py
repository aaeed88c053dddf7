"""The served emulator under abuse: hangs in flight at shutdown, slow clients, its start time."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest

from conftest import wait_until  # tests/conftest.py
from tokarc.emulator import DEFAULT_NOW, Emulator, serve_in_thread
from tokarc.emulator.__main__ import build_parser, emulator_from_args, main

BOUND = 5.0  # seconds: a wait for the server never runs for ever


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(check: Any, what: str) -> None:
    """Until ``check()`` is true, the server refusing connections meanwhile (bounded)."""
    wait_until(check, timeout=BOUND, interval=0.1, message=what, ignoring=(httpx.TransportError,))


@contextmanager
def _hanging_requests(url: str, n: int) -> Iterator[list[Any]]:
    """``n`` requests to ``url`` in threads; yields their outcomes once they are joined."""
    outcomes: list[Any] = []

    def call() -> None:
        try:
            outcomes.append(httpx.get(url, timeout=60).status_code)
        except httpx.HTTPError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=call) for _ in range(n)]
    for t in threads:
        t.start()
    try:
        yield outcomes
    finally:
        for t in threads:
            t.join(timeout=60)


@pytest.mark.slow
def test_sigterm_stops_a_served_emulator_with_hangs_in_flight() -> None:
    port = _free_port()
    argv = [sys.executable, "-m", "tokarc.emulator", "--port", str(port), "--hang-rate", "1"]
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: httpx.get(f"{base}/_emulator/health").status_code == 200, "the server")
        now = httpx.get(f"{base}/_emulator/clock").json()["now"]
        assert abs(now - time.time()) < 60  # served, the world starts at the machine's time
        page = f"{base}/apis/tt/hashtag/posts?name=magic&token=t"
        with _hanging_requests(page, 3) as outcomes:
            hangs = lambda: httpx.get(f"{base}/_emulator/stats").json()["faults"].get("hang") == 3  # noqa: E731
            _wait_for(hangs, "3 requests hanging")
            server.send_signal(signal.SIGTERM)
            # hangs last 30 s: before the fix the server waited for them (and this timed out)
            _, err = server.communicate(timeout=10)
        assert outcomes == [503, 503, 503]
        assert "Traceback" not in err
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()


@pytest.mark.slow
def test_leaving_serve_in_thread_ends_hangs_in_flight() -> None:
    emulator = Emulator(hang_rate=1.0)  # hangs of 30 s
    with ExitStack() as stack:
        base_url = stack.enter_context(serve_in_thread(emulator))
        page = f"{base_url}/tt/hashtag/posts?name=magic&token=t"
        with _hanging_requests(page, 2) as outcomes:
            _wait_for(lambda: emulator.stats.faults["hang"] == 2, "2 requests hanging")
            stack.close()  # stop the server while both still hang (30 s)
    assert outcomes == [503, 503]


@pytest.mark.slow
def test_a_slow_client_is_cut_off_after_the_header_timeout() -> None:
    with serve_in_thread(Emulator(), header_timeout=0.3) as base_url:
        port = int(base_url.rsplit(":", 1)[1].split("/")[0])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n")  # never finished
            assert slow.recv(1024) == b""  # closed; before the fix recv timed out after 10 s
        with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
            assert idle.recv(1024) == b""  # connected, sent nothing: closed too


@pytest.mark.slow
def test_the_header_timeout_never_cuts_a_request_in_flight() -> None:
    emulator = Emulator(hang_rate=1.0, hang_seconds=1.0)
    with serve_in_thread(emulator, header_timeout=0.2) as base_url, httpx.Client() as http:
        page = http.get(f"{base_url}/tt/hashtag/posts", params={"name": "magic", "token": "t"})
        assert page.status_code == 200
        again = http.get(f"{base_url}/tt/hashtag/posts", params={"name": "magic", "token": "t"})
        assert again.status_code == 200  # the same kept-alive connection, within its timeout


def test_a_served_emulator_starts_at_the_machine_time_unless_pinned() -> None:
    before = int(time.time())
    emulator = emulator_from_args(build_parser().parse_args([]))
    assert before <= emulator.clock.now() <= int(time.time())
    pinned = emulator_from_args(build_parser().parse_args(["--start", "2026-11-01"]))
    assert pinned.clock.now() == DEFAULT_NOW
    at = build_parser().parse_args(["--start", "2026-11-01T01:00:00+01:00"]).start
    assert at == DEFAULT_NOW
    assert build_parser().parse_args(["--start", str(DEFAULT_NOW)]).start == DEFAULT_NOW


@pytest.mark.parametrize(
    "argv",
    [["--start", "tomorrow"], ["--start", "2040-01-01"], ["--error-rate", "5"],
     ["--hang-rate", "nan"], ["--header-timeout", "0"], ["--http", "bogus"],
     ["--cache-mb", "-1"]],
)  # fmt: skip
def test_bad_options_exit_2_with_one_line(argv: list[str], capsys: Any) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("tokarc-emulator: error: ")
