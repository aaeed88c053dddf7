"""--db postgresql://...: the same commands on PostgreSQL (skipped when no server answers)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from .conftest import Ran

PG_URL = os.environ.get("TOKARC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema's URL, dropped afterwards."""
    import psycopg

    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {exc}")
        pytest.skip(f"PostgreSQL at {PG_URL} is unreachable")
    schema = f"tokarc_cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        sep = "&" if "?" in PG_URL else "?"
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_collect_jobs_stats_export_on_postgres(cli: Callable[..., Ran], pg_url: str) -> None:
    ran = cli("--sandbox", "hashtag", "magic", "--max-items", "60", "--db", pg_url)
    assert ran.code == 0, ran.err
    assert cli("jobs", "--db", pg_url, "--json").lines()[0]["status"] == "done"
    assert cli("stats", "--db", pg_url, "--json").code == 0
    exported = cli("export", "posts", "--db", pg_url)
    assert len(exported.lines()) >= 60
