"""A store of collected posts (on each backend), the emulator's media over its own transport."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import tokarc
from tokarc._wiring import open_store
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.media import MediaReport, archive
from tokarc.store import Store

BASE = "http://emulator.test/apis"
BACKENDS = ["sqlite", "postgresql"]


def client_for(emulator: Emulator) -> tokarc.Client:
    retry = tokarc.RetryPolicy.instant(attempts=8)
    return tokarc.Client("media-token", base_url=BASE, transport=emulator.transport(), retry=retry)


def collect(client: tokarc.Client, store: Store, emulator: Emulator, n: int = 30) -> None:
    """``n`` posts of #magic (videos and photo carousels), their authors and sounds."""
    spec = JobSpec.build("hashtag", "magic", max_items=n)
    Collector(client, store, clock=emulator.clock.now).run(spec)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = str(tmp_path / "media.db")
    if request.param == "postgresql":
        url = str(request.getfixturevalue("pg_url"))
    with open_store(url) as s:
        yield s


@pytest.fixture
def client(emulator: Emulator) -> Iterator[tokarc.Client]:
    with client_for(emulator) as c:
        yield c


@pytest.fixture
def http(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=emulator.transport()) as h:
        yield h


@pytest.fixture
def collected(client: tokarc.Client, store: Store, emulator: Emulator) -> Store:
    collect(client, store, emulator)
    return store


Run = Callable[..., MediaReport]


@pytest.fixture
def run(
    collected: Store, http: httpx.Client, client: tokarc.Client, emulator: Emulator, tmp_path: Path
) -> Run:
    """Run the archive on the collected store into ``tmp_path / "media"``."""

    def go(**options: Any) -> MediaReport:
        options.setdefault("client", client)
        options.setdefault("clock", emulator.clock.now)
        options.setdefault("retry", tokarc.RetryPolicy.instant())
        options.setdefault("min_free", 0)
        return archive(collected, http, tmp_path / "media", **options)

    return go


def media_requests(emulator: Emulator) -> int:
    return emulator.stats.requests["media"]


def rows(store: Store, where: str = "1 = 1") -> list[tuple[Any, ...]]:
    return store.db.query(
        "SELECT kind, record_id, position, status, sha256, bytes, content_type, path, url "
        f"FROM media WHERE {where} ORDER BY kind, record_id, position"
    )


def assert_files_whole(root: Path) -> list[Path]:
    """Every file under its final name is complete: its bytes hash to its name."""
    files = [p for p in root.glob("??/??/*") if p.is_file()]
    for path in files:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.stem, path
        assert path.parent.name == path.stem[2:4]
        assert path.parent.parent.name == path.stem[:2]
    return files


def mp4_boxes(data: bytes) -> list[bytes]:
    """The top-level box types of an ISO BMFF file (AssertionError unless they tile it)."""
    kinds, at = [], 0
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        assert size >= 8
        assert at + size <= len(data)
        kinds.append(kind)
        at += size
    return kinds
