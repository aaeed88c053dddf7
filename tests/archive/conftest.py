"""An archive filled from the emulator (posts of a hashtag, comments and replies, followers, a
user's posts), on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import tokarc
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.store import Store, open_store

BASE = "http://emulator.test/apis"
BACKENDS = ["sqlite", "postgresql"]


def client_for(emulator: Emulator) -> tokarc.Client:
    retry = tokarc.RetryPolicy.instant(attempts=8)
    return tokarc.Client("archive-token", base_url=BASE, transport=emulator.transport(), retry=retry)


def fill(store: Store, emulator: Emulator) -> None:
    """Collect a small, varied archive into ``store``."""
    with client_for(emulator) as client:
        collector = Collector(client, store)
        collector.run(JobSpec.build("hashtag", "magic", max_items=60))
        first = next(store.post_ids())
        collector.run(JobSpec.build("comments", first, replies=True, max_items=40))
        author = store.db.query("SELECT unique_id FROM users WHERE unique_id IS NOT NULL")[0][0]
        collector.run(JobSpec.build("followers", author, max_items=30))
        collector.run(JobSpec.build("user_posts", author, max_items=20))


@pytest.fixture(params=BACKENDS)
def archive_url(request: pytest.FixtureRequest, tmp_path: Path, emulator: Emulator) -> str:
    """A filled archive: a SQLite file path or a PostgreSQL URL."""
    url = str(tmp_path / "archive.db")
    if request.param == "postgresql":
        url = str(request.getfixturevalue("pg_url"))
    with open_store(url) as store:
        fill(store, emulator)
    return url


@pytest.fixture
def archive(archive_url: str) -> Iterator[Store]:
    with open_store(archive_url) as s:
        yield s
