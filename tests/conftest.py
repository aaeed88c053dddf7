"""Shared fixtures: an in-process emulator, one served over HTTP by uvicorn, and a fresh
PostgreSQL schema; ``wait_until``; what is ``slow``, and the check that the rest is fast.

PostgreSQL is at ``TOKARC_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``).
When it cannot be reached its tests are skipped, saying why, unless ``CI`` is set: then they
fail, because CI must run them.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tokarc.emulator import Emulator, serve_in_thread


@dataclass(frozen=True)
class LiveEmulator:
    """An emulator served by uvicorn in a thread: ``base_url`` ends with ``/apis``."""

    emulator: Emulator
    base_url: str

    @property
    def control_url(self) -> str:
        """Where the ``/_emulator/`` control routes are."""
        return self.base_url.removesuffix("/apis") + "/_emulator"


T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    *,
    timeout: float = 30.0,
    interval: float = 0.05,
    message: str | Callable[[], str],
    ignoring: tuple[type[Exception], ...] = (),
) -> T:
    """Call ``predicate`` every ``interval`` seconds until it returns something true, and return
    that; an AssertionError saying what was waited for (``message``, or ``message()`` for the
    state at that moment) once ``timeout`` seconds have passed. Exceptions in ``ignoring``
    (a server not up yet) count as false.

    Example: ``wait_until(lambda: pages(db) >= 2, timeout=30, message="2 pages committed")``
    """
    deadline = time.monotonic() + timeout
    while not (value := _attempt(predicate, ignoring)):
        if time.monotonic() >= deadline:
            said = message() if callable(message) else message
            raise AssertionError(f"waited {timeout} s for {said}")
        time.sleep(interval)
    return value


def _attempt(predicate: Callable[[], T], ignoring: tuple[type[Exception], ...]) -> T | None:
    try:
        return predicate()
    except ignoring:
        return None


PG_URL = os.environ.get("TOKARC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@functools.cache
def postgres_unavailable(url: str = PG_URL) -> str | None:
    """Why PostgreSQL at ``url`` cannot be used for tests, or ``None`` if it can."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL at {url} is unreachable: {str(exc).strip()[:200]}"
    return None


def with_search_path(url: str, schema: str) -> str:
    """``url`` with its connections confined to ``schema``."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL schema, dropped afterwards."""
    reason = postgres_unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {reason}")
        pytest.skip(reason)
    import psycopg

    schema = f"tokarc_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(PG_URL, schema)
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def _served(argv: Callable[[int], list[str]], log: Path, cwd: Path | None = None) -> Iterator[str]:
    """``argv(port)`` (a ``tokarc browse``) run as a process until the block ends; its base URL,
    once Datasette answers (bounded: ~20 s)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    with log.open("w") as err:
        proc = subprocess.Popen(argv(port), stdout=subprocess.DEVNULL, stderr=err, cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: httpx.get(f"{base}/-/versions.json", timeout=1).status_code == 200,
            timeout=20,
            interval=0.1,
            ignoring=(httpx.TransportError,),
            message=lambda: f"tokarc browse to start: {log.read_text()}",
        )
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def browse_server() -> Callable[..., AbstractContextManager[str]]:
    """``with browse_server(lambda port: argv, log, cwd) as base:`` a ``tokarc browse`` process
    serving over HTTP on a free loopback port."""
    return _served


@contextmanager
def write_locked(path: str | Path) -> Iterator[None]:
    """Another connection holds the write lock of the SQLite database ``path`` in the block."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


@dataclass
class Hook:
    """A webhook on 127.0.0.1 that records what it was sent and fails the first ``fail``."""

    url: str = ""
    fail: int = 0
    status: int = 500
    received: list[dict[str, Any]] = field(default_factory=list)
    tries: int = 0


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.tries += 1
            failing = state.tries <= state.fail
            if not failing:
                assert self.headers["Content-Type"] == "application/json"
                state.received.append(json.loads(body))
            self.send_response(state.status if failing else 200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/services/T0/B0/secret-path"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def emulator() -> Emulator:
    """A fresh emulator of the default world (seed 0, default clock, no faults)."""
    return Emulator(seed=0)


@pytest.fixture
def live_emulator(emulator: Emulator) -> Iterator[LiveEmulator]:
    """The ``emulator`` fixture served over HTTP on a free 127.0.0.1 port."""
    with serve_in_thread(emulator, startup_timeout=10.0) as base_url:
        yield LiveEmulator(emulator, base_url)


# -- slow and fast ------------------------------------------------------------------------------
# A test is `slow` (deselected by `make test-fast`) when it says so, `@pytest.mark.slow` (those
# measured at 0.3 s or more), or when it uses a fixture that starts a server, a subprocess, a
# browser or talks to PostgreSQL, whether or not it says so itself.
SLOW_FIXTURES = frozenset({"live_emulator", "pg_url", "sh"})
SLOW_PARAMS = ("postgres",)  # backend-parametrized fixtures: the PostgreSQL half is slow


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        params = " ".join(str(v) for v in callspec.params.values()) if callspec else ""
        if names & SLOW_FIXTURES or any(p in params for p in SLOW_PARAMS):
            item.add_marker(pytest.mark.slow)


#: The longest call a test not marked `slow` may take when ``TOKARC_CHECK_FAST=1`` (what
#: `make test-fast` sets). Measured: the slowest of them take 0.3-0.6 s alone, and up to ~2 s
#: under `-n 2` on this 2-core machine when it is three times oversubscribed (load 6-7): the
#: limit leaves room for a busier machine still, and catches a test that is slow by nature.
FAST_LIMIT = 5.0
TOO_SLOW: dict[str, float] = {}  # node id -> seconds, of the unmarked tests over FAST_LIMIT


def _checking_fast(config: pytest.Config) -> bool:
    """Whether this run checks the fast tests' durations (in xdist's controller, which gets
    every worker's reports, not in the workers)."""
    return os.environ.get("TOKARC_CHECK_FAST") == "1" and not hasattr(config, "workerinput")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and "slow" not in report.keywords and report.duration > FAST_LIMIT:
        TOO_SLOW[report.nodeid] = report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _checking_fast(session.config) and TOO_SLOW and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not (_checking_fast(config) and TOO_SLOW):
        return
    terminalreporter.section(f"tests not marked slow that took more than {FAST_LIMIT} s", red=True)
    for nodeid, seconds in sorted(TOO_SLOW.items()):
        terminalreporter.line(
            f"{nodeid}: {seconds:.1f} s: mark it @pytest.mark.slow, or speed it up"
        )
