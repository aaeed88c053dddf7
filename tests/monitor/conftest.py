"""Watches against the emulator, driven by its world clock; a store per backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import tokarc
from conftest import Hook  # noqa: F401  (tests/conftest.py: the webhook every test shares)
from tokarc._wiring import open_store
from tokarc.emulator import Emulator
from tokarc.monitor import Scheduler, Watches
from tokarc.store import Store

BASE = "http://emulator.test/apis"
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


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file, or a fresh PostgreSQL schema (``pg_url`` of ``tests/conftest.py``)."""
    if request.param == "sqlite":
        return str(tmp_path / "watch.db")
    return str(request.getfixturevalue("pg_url"))
