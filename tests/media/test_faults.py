"""Truncated bodies are never stored as complete, in-process and over real HTTP; kill -9."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import tokarc
from conftest import wait_until  # tests/conftest.py
from tokarc._wiring import open_store
from tokarc.emulator import Emulator
from tokarc.media import KINDS, archive, pending
from tokarc.store import Store

from .conftest import Run, assert_files_whole, collect, rows


def test_truncated_bodies_are_failed_not_stored(
    run: Run, collected: Store, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.set_faults(malformed_rate=1.0)  # at most 3 faults in a row, then one whole body
    report = run(kinds=("cover", "video"), retry=tokarc.RetryPolicy.none())
    failed = rows(collected, "status = 'failed'")
    assert failed
    assert report.failed == len(failed)
    assert report.downloaded > 0
    errors = {e for (e,) in collected.db.query("SELECT error FROM media WHERE status = 'failed'")}
    assert all(e.startswith("truncated: ") for e in errors)
    assert len(assert_files_whole(tmp_path / "media")) == report.downloaded
    assert not list((tmp_path / "media").glob(".*.part"))
    emulator.set_faults(malformed_rate=0.0)
    assert run(kinds=("cover", "video")).downloaded == len(failed)


def test_truncation_is_retried_until_whole(run: Run, emulator: Emulator, tmp_path: Path) -> None:
    emulator.set_faults(malformed_rate=1.0)  # one thread: at most 3 faults, then a whole body
    report = run(kinds=("cover",), retry=tokarc.RetryPolicy.instant(attempts=5), concurrency=1)
    assert report.downloaded == report.planned > 0
    assert emulator.stats.faults["malformed"] > 0
    assert_files_whole(tmp_path / "media")


def test_server_errors_are_retried(run: Run, emulator: Emulator) -> None:
    emulator.set_faults(error_rate=0.5, rate_limit_rate=0.2)
    report = run(kinds=("cover",), retry=tokarc.RetryPolicy.instant(attempts=5), concurrency=1)
    assert report.downloaded == report.planned > 0
    assert emulator.stats.statuses[200] > 0
    assert emulator.stats.faults["error"] > 0


@pytest.fixture
def emulator() -> Emulator:
    """The world clock near real time: the client checks x-expires against its own clock."""
    return Emulator(seed=0, start_time=int(time.time()))


@pytest.fixture
def live_store(live_emulator, tmp_path: Path) -> Store:  # type: ignore[no-untyped-def]
    store = open_store(tmp_path / "live.db")
    with tokarc.Client("t", base_url=live_emulator.base_url) as client:
        collect(client, store, live_emulator.emulator, n=20)
    return store


def test_over_http_urls_are_the_servers_and_truncation_is_caught(
    live_emulator, live_store: Store, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    urls = [u for (u,) in live_store.db.query("SELECT cover_url FROM posts")]
    origin = live_emulator.base_url.removesuffix("/apis")
    assert urls
    assert all(u.startswith(origin + "/_media/") for u in urls)
    assert origin.startswith("http://127.0.0.1:")
    live_emulator.emulator.set_faults(malformed_rate=1.0)
    with httpx.Client() as http:
        report = archive(live_store, http, tmp_path / "media", kinds=("cover",), min_free=0,
                         retry=tokarc.RetryPolicy.none())  # fmt: skip
    assert report.failed > 0
    assert len(assert_files_whole(tmp_path / "media")) == report.downloaded
    live_store.close()


@pytest.mark.slow
def test_kill_9_mid_download_then_resume(live_emulator, live_store: Store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    live_store.close()
    db, root = tmp_path / "live.db", tmp_path / "media"
    live_emulator.emulator.set_faults(latency=0.05)
    argv = [str(Path(sys.executable).with_name("tokarc")), "--quiet", "--token", "t",
            "--base-url", live_emulator.base_url, "media", "--db", str(db), "--dir", str(root),
            "--concurrency", "2", "--min-free", "0"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: proc.poll() is not None or _done(db) >= 5, timeout=60, interval=0.1,
                   message="5 files downloaded")  # fmt: skip
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert_files_whole(root)  # whatever is under a final name is whole
    with open_store(db) as store:
        for _, _, _, _, _, _, _, path, _ in rows(store, "status = 'done'"):
            assert (root / path).is_file()
        left = len(pending(store, KINDS))
        assert left > 0
        live_emulator.emulator.set_faults(latency=0.0)
        with httpx.Client() as http:
            report = archive(store, http, root, min_free=0)
        assert report.downloaded == left
        assert pending(store, KINDS) == []
    assert not list(root.glob(".*.part"))  # the killed run's parts are cleaned up
    assert_files_whole(root)


def _done(db: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(db, timeout=1) as conn:
            sql = "SELECT COUNT(*) FROM media WHERE status = 'done'"
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return 0


def test_hangs_and_latency_apply_to_media_and_are_retried(run: Run, emulator: Emulator) -> None:
    emulator.set_faults(hang_rate=0.5)  # in-process: a hang is a read timeout
    report = run(kinds=("cover",), retry=tokarc.RetryPolicy.instant(attempts=5), concurrency=1)
    assert report.downloaded == report.planned > 0
    assert emulator.stats.faults["hang"] > 0
