"""A database that gives up because of another writer raises one ``TransientError``, on either
backend; every other driver error passes unchanged."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import write_locked  # tests/conftest.py
from tokarc._wiring import open_store
from tokarc.errors import TokarcError
from tokarc.store import Store, TransientError

from ._helpers import one


def _job(store: Store) -> object:
    return store.create_job("hashtag", "magic")  # in a transaction: BEGIN IMMEDIATE waits


def _statement(store: Store) -> object:
    return store.db.execute("UPDATE jobs SET status = 'running'")  # autocommit, no transaction


@pytest.mark.parametrize("write", [_job, _statement], ids=["transaction", "statement"])
def test_a_locked_sqlite_database_is_a_transient_error(
    tmp_path: Path, write: Callable[[Store], object]
) -> None:
    path = tmp_path / "locked.db"
    with open_store(path) as store:
        store.db.execute("PRAGMA busy_timeout = 1")  # give up after 1 ms, not 10 s
        with write_locked(path), pytest.raises(TransientError) as err:
            write(store)
        cause = err.value.__cause__
        assert isinstance(cause, sqlite3.OperationalError)
        assert str(cause) == "database is locked"
        assert isinstance(err.value, TokarcError)
        assert str(err.value).endswith(": database is locked")
        assert one(store, "SELECT COUNT(*) FROM jobs") == 0  # nothing was written
        assert store.create_job("hashtag", "magic").id == 1  # once the lock is gone, it works


def test_other_sqlite_errors_pass_unchanged(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.db") as store:
        with pytest.raises(sqlite3.OperationalError, match="no such table: nowhere"):
            store.db.query("SELECT * FROM nowhere")
        with pytest.raises(sqlite3.IntegrityError), store.db.transaction():
            store.db.execute("INSERT INTO migrations (id, name, applied_at) VALUES (1, 'x', 'y')")


UPDATE_PG = "UPDATE jobs SET status = 'running' WHERE id = %s"


def _update_after_another(store: Store, another: Callable[[], object], job_id: int) -> None:
    """Update the job in a repeatable-read transaction, after ``another`` committed an update
    of it since the transaction's snapshot: PostgreSQL cannot serialize the two."""
    db = store.db
    with db.transaction():
        db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        db.query("SELECT status FROM jobs WHERE id = ?", (job_id,))  # takes the snapshot
        another()
        db.execute("UPDATE jobs SET status = 'done' WHERE id = ?", (job_id,))


def test_a_postgresql_serialization_failure_is_a_transient_error(pg_url: str) -> None:
    import psycopg

    with open_store(pg_url) as store, psycopg.connect(pg_url, autocommit=True) as other:
        job = store.create_job("hashtag", "magic")
        with pytest.raises(TransientError) as err:
            _update_after_another(store, lambda: other.execute(UPDATE_PG, (job.id,)), job.id)
        cause = err.value.__cause__
        assert isinstance(cause, psycopg.errors.SerializationFailure)
        assert cause.sqlstate == "40001"
        assert store.get_job(job.id).status == "running"  # rolled back; the connection goes on


def test_a_postgresql_deadlock_is_a_transient_error(pg_url: str) -> None:
    import psycopg

    with open_store(pg_url) as first, open_store(pg_url) as second:
        ids = (first.create_job("hashtag", "a").id, first.create_job("hashtag", "b").id)
        barrier = threading.Barrier(2)
        outcomes: dict[int, BaseException | None] = {}

        def lock_both(n: int, store: Store, order: tuple[int, int]) -> None:
            try:
                with store.db.transaction():
                    for i, job_id in enumerate(order):
                        store.db.execute("UPDATE jobs SET status = 'done' WHERE id = ?", (job_id,))
                        if i == 0:
                            barrier.wait()  # both hold their first row: each waits for the other
                outcomes[n] = None
            except BaseException as exc:
                outcomes[n] = exc

        threads = [threading.Thread(target=lock_both, args=(0, first, ids)),
                   threading.Thread(target=lock_both, args=(1, second, ids[::-1]))]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    errors = [e for e in outcomes.values() if e is not None]
    assert len(outcomes) == 2
    assert len(errors) == 1, outcomes  # PostgreSQL aborted one of the two, the other committed
    assert isinstance(errors[0], TransientError)
    assert isinstance(errors[0].__cause__, psycopg.errors.DeadlockDetected)
