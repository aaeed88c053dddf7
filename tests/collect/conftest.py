"""A collector wired to the in-process emulator and a SQLite store."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import tokarc
from tokarc._wiring import open_store
from tokarc.collect import Collector
from tokarc.emulator import Emulator
from tokarc.store import Store

BASE = "http://emulator.test/apis"


def client_for(emulator: Emulator, **options: Any) -> tokarc.Client:
    options.setdefault("retry", tokarc.RetryPolicy.instant(attempts=8))
    return tokarc.Client("collect-token", base_url=BASE, transport=emulator.transport(), **options)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "collect.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with open_store(db_path) as s:
        yield s


@pytest.fixture
def collector(emulator: Emulator, store: Store) -> Iterator[Collector]:
    with client_for(emulator) as client:
        yield Collector(client, store)


def rows(store: Store, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for chunk in store.stream(sql) for r in chunk]


def post_ids(store: Store) -> set[str]:
    return set(store.post_ids())


def said(proc: subprocess.Popen[bytes], word: bytes, times: int) -> bool:
    """Wait until the child has printed ``times`` lines starting with ``word`` (a page it
    committed, a target it ran); False if it ended first."""
    assert proc.stdout is not None
    seen = 0
    while seen < times:
        line = proc.stdout.readline()
        if not line:
            return False
        seen += line.startswith(word)
    return True
