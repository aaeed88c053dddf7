"""Watches against the emulator, driven by its world clock; a store per backend."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import tokarc
from tokarc.emulator import Emulator
from tokarc.monitor import Scheduler, Watches
from tokarc.store import Store, open_store

BASE = "http://emulator.test/apis"
PG_URL = os.environ.get("TOKARC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
HOUR, DAY = 3600, 86_400
SCREENSHOTS: list[Path] = []  # the browser test's screenshots, listed at the end of the run


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for shot in SCREENSHOTS:
        terminalreporter.write_line(f"report screenshot: {shot}")


def client_factory(emulator: Emulator, base_url: str | None = None) -> Callable[[], tokarc.Client]:
    """Clients of the emulator: in process, or over HTTP when ``base_url`` is given."""

    def make() -> tokarc.Client:
        retry = tokarc.RetryPolicy.instant(attempts=8)
        if base_url is not None:
            return tokarc.Client("monitor-token", base_url=base_url, retry=retry)
        transport = emulator.transport()
        return tokarc.Client("monitor-token", base_url=BASE, transport=transport, retry=retry)

    return make


def scheduler(emulator: Emulator, db: str, **options: Any) -> Scheduler:
    """A scheduler on the emulator's world clock (one worker unless told)."""
    options.setdefault("workers", 1)
    base_url = options.pop("base_url", None)
    clock = lambda: float(emulator.clock.now())  # noqa: E731
    return Scheduler(db, client_factory(emulator, base_url), clock=clock, **options)


def rows(store: Store, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return [tuple(r) for chunk in store.stream(sql, params) for r in chunk]


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "watch.db")


@pytest.fixture
def store(db_path: str) -> Iterator[Store]:
    with open_store(db_path) as s:
        yield s


@pytest.fixture
def watches(store: Store) -> Watches:
    return Watches(store)


@functools.cache
def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used for tests, or ``None`` if it can."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_URL} is unreachable: {str(exc).strip()[:200]}"
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A SQLite file, or a fresh PostgreSQL schema (skipped if unreachable, unless CI)."""
    if request.param == "sqlite":
        yield str(tmp_path / "watch.db")
        return
    reason = postgres_unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {reason}")
        pytest.skip(reason)
    import psycopg

    schema = f"tokarc_monitor_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
