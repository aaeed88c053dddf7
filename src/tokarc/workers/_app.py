"""The procrastinate app of a PostgreSQL database: one per use (a worker's run, a call on the
queue), on the real connector, with a fresh copy of tokarc's tasks; and the queue's schema."""

from __future__ import annotations

import procrastinate
import psycopg
from procrastinate.app import WorkerOptions
from procrastinate.schema import SchemaManager

from ..store import is_postgres_url
from ._runtime import WorkerRuntime
from ._tasks import NAMESPACE, RUNTIME, blueprint


def new_app(url: str, *, runtime: WorkerRuntime | None = None) -> procrastinate.App:
    """An app of tokarc's tasks (``tokarc:collect_job``...) on the database at ``url``; the
    jobs a worker of it runs find ``runtime`` in their context (procrastinate's
    ``additional_context``). Open it (``with app.open()``, ``async with app.open_async()``)
    to defer or to work."""
    connector = procrastinate.PsycopgConnector(conninfo=_conninfo(url))
    defaults: WorkerOptions = {"additional_context": {RUNTIME: runtime}} if runtime else {}
    app = procrastinate.App(connector=connector, worker_defaults=defaults)
    app.add_tasks_from(blueprint(), namespace=NAMESPACE)
    return app


def ensure_schema(url: str) -> bool:
    """Create procrastinate's tables in ``url``'s database if they are not there; True if so."""
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('tokarc.workers.schema'))")
        try:
            if conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone() != (None,):
                return False
            conn.execute(SchemaManager.get_schema())
            return True
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('tokarc.workers.schema'))")


def _conninfo(url: str) -> str:
    if not is_postgres_url(url):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return url.replace("postgres://", "postgresql://", 1)
