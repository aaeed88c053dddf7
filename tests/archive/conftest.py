"""An archive filled from the emulator (posts of a hashtag, comments and replies, followers, a
user's posts), on each backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import tokarc
from tokarc._wiring import open_store
from tokarc.cli import app
from tokarc.collect import Collector, JobSpec
from tokarc.emulator import Emulator
from tokarc.models import decode
from tokarc.store import Batch, Store

BASE = "http://emulator.test/apis"
BACKENDS = ["sqlite", "postgresql"]


def client_for(emulator: Emulator) -> tokarc.Client:
    retry = tokarc.RetryPolicy.instant(attempts=8)
    return tokarc.Client(
        "archive-token", base_url=BASE, transport=emulator.transport(), retry=retry
    )


def fill(store: Store, emulator: Emulator) -> None:
    """Collect a small, varied archive into ``store``."""
    with client_for(emulator) as client:
        collector = Collector(client, store)
        collector.run(JobSpec.build("hashtag", "magic", max_items=60))
        author = one(store, "SELECT MIN(unique_id) FROM users")
        collector.run(JobSpec.build("followers", author, max_items=30))
        collector.run(JobSpec.build("user_posts", author, max_items=20))
        busiest = "SELECT aweme_id FROM posts ORDER BY comment_count DESC, aweme_id LIMIT 1"
        collector.run(JobSpec.build("comments", one(store, busiest), replies=True, max_items=40))
    add_mention(store, author)


def one(store: Store, sql: str) -> Any:
    return store.db.query(sql)[0][0]


def add_mention(store: Store, handle: str) -> None:
    """A post (as the API sends it) whose caption mentions ``@handle``, a stored user."""
    other = f"SELECT aweme_id FROM posts WHERE author_unique_id <> '{handle}' ORDER BY aweme_id"
    raw = json.loads(store.raw("post", one(store, other)) or b"")
    uid = one(store, f"SELECT uid FROM users WHERE unique_id = '{handle}'")
    desc = f"look at @{handle} doing magic #magic"
    start = desc.index("@")
    mention = {"type": 0, "start": start, "end": start + len(handle) + 1,
               "user_unique_id": handle, "user_id": uid}  # fmt: skip
    raw |= {"aweme_id": "7999999999999999999", "desc": desc, "text_extra": [mention]}
    post = decode("post", raw)
    store.save_page(Batch(endpoint="/tt/post/info", records=[post], source_kind="hashtag",
                          source_target="magic"))  # fmt: skip


@pytest.fixture(params=BACKENDS)
def archive_url(request: pytest.FixtureRequest, tmp_path: Path, emulator: Emulator) -> str:
    """A filled archive: a SQLite file path or a PostgreSQL URL."""
    url = str(tmp_path / "archive.db")
    if request.param == "postgresql":
        url = str(request.getfixturevalue("pg_url"))
    with open_store(url) as store:
        fill(store, emulator)
    return url


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store: a SQLite file path or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "empty.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as s:
        yield s


@pytest.fixture
def archive(archive_url: str) -> Iterator[Store]:
    with open_store(archive_url) as s:
        yield s


@dataclass(frozen=True)
class Ran:
    """What a command did: exit code, stdout, stderr."""

    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No token, database or pseudonymisation key from the environment."""
    for name in ("TOKARC_TOKEN", "ENSEMBLEDATA_TOKEN", "TOKARC_BASE_URL", "TOKARC_DB",
                 "TOKARC_PSEUDONYM_KEY"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOKARC_CONFIG", str(tmp_path / "config" / "config.toml"))


@pytest.fixture
def cli() -> Callable[..., Ran]:
    """Run ``tokarc ARGS`` in-process."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Ran:
        result = runner.invoke(app, list(args), input=input, prog_name="tokarc")
        return Ran(result.exit_code, result.stdout, result.stderr)

    return run


def one_line_error(ran: Ran) -> str:
    """The single stderr line of a failed command (no traceback)."""
    lines = [line for line in ran.err.splitlines() if line.strip()]
    assert "Traceback" not in ran.err, ran.err
    assert len(lines) == 1, ran.err
    assert lines[0].startswith("tokarc"), ran.err
    return lines[0]


@dataclass(frozen=True)
class LiveEmulatorArchive:
    """A filled SQLite archive and the emulator it came from, served over HTTP."""

    db: str
    base_url: str


@pytest.fixture
def live_archive(tmp_path: Path, live_emulator: Any) -> LiveEmulatorArchive:
    db = str(tmp_path / "served.db")
    with open_store(db) as store:
        fill(store, live_emulator.emulator)
    return LiveEmulatorArchive(db, live_emulator.base_url)


@pytest.fixture
def sh() -> Callable[..., Ran]:
    """Run the real ``tokarc`` console script in a subprocess."""

    def run(*args: str, timeout: float = 120) -> Ran:
        exe = str(Path(sys.executable).with_name("tokarc"))
        proc = subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout,
                              env=os.environ.copy(), check=False)  # fmt: skip
        return Ran(proc.returncode, proc.stdout, proc.stderr)

    return run
