"""The procrastinate app of a PostgreSQL database: its connector, tasks and schema."""

from __future__ import annotations

import contextlib

import procrastinate
import psycopg
from procrastinate.schema import SchemaManager
from procrastinate.testing import InMemoryConnector

from ..store import is_postgres_url
from ._tasks import blueprint

#: The queue collection jobs and watches go to unless told otherwise.
DEFAULT_QUEUE = "tokarc"


# One app holds tokarc's tasks (``tokarc:collect_job``...); it is connected to a database for
# as long as it is used there (procrastinate's ``replace_connector``), so the tasks, which
# point back to it, defer into that database too.
APP = procrastinate.App(connector=InMemoryConnector())
APP.add_tasks_from(blueprint, namespace="tokarc")


def connected(url: str) -> contextlib.AbstractContextManager[procrastinate.App]:
    """The app, connected to the database at ``url`` inside the ``with`` block."""
    connector = procrastinate.PsycopgConnector(conninfo=_conninfo(url))
    return APP.replace_connector(connector)  # already a context manager


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
