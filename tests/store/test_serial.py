"""A store shared by threads: each transaction whole, never joined by another thread's work."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tokarc._wiring import open_store


@pytest.mark.slow
def test_a_thread_never_joins_another_threads_transaction(tmp_path: Path) -> None:
    """Thread A writes in a transaction that rolls back; thread B writes meanwhile. B's row
    must survive: on a shared connection without the store's lock, B's statement would run
    inside A's transaction and be rolled back with it."""
    with open_store(tmp_path / "t.db") as store:
        db = store.db
        db.execute("CREATE TABLE t (v INTEGER)")
        a_began, b_tried = threading.Event(), threading.Event()

        def a() -> None:
            try:
                with db.transaction():
                    db.execute("INSERT INTO t VALUES (1)")
                    a_began.set()
                    b_tried.wait(0.5)  # B is blocked until A's transaction has ended
                    raise RuntimeError("roll back")
            except RuntimeError:
                pass

        def b() -> None:
            a_began.wait(10)
            with db.transaction():
                db.execute("INSERT INTO t VALUES (2)")
            b_tried.set()

        threads = [threading.Thread(target=a), threading.Thread(target=b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert db.query("SELECT v FROM t") == [(2,)]


def test_threads_saving_pages_all_commit(tmp_path: Path) -> None:
    """Many writers on one store: every statement lands, none raises."""
    with open_store(tmp_path / "w.db") as store:
        db = store.db
        db.execute("CREATE TABLE w (thread INTEGER, n INTEGER)")
        errors: list[BaseException] = []

        def write(thread: int) -> None:
            try:
                for n in range(50):
                    with db.transaction():
                        db.execute("INSERT INTO w VALUES (?, ?)", (thread, n))
                        db.execute("INSERT INTO w VALUES (?, ?)", (thread, -n))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert db.query("SELECT COUNT(*) FROM w") == [(600,)]
