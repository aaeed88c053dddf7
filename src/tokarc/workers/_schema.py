"""The workers' table in the store: limits shared by every worker (a migration set of its own).

One row per named limit: a request rate (``rate`` per second, ``next_at`` the earliest unix time
the next request may start) and a daily unit budget (``budget`` for the UTC ``day``, of which
``spent`` is reserved or charged). Workers take them under the row lock of one ``UPDATE``.
"""

from __future__ import annotations

from ..monitor import MIGRATIONS as MONITOR_MIGRATIONS
from ..store import Dialect, MigrationSet

WORKERS = MigrationSet("workers", backends=frozenset({"postgresql"}))  # workers need PostgreSQL


@WORKERS.migration("shared_limits")
def _shared_limits(d: Dialect) -> list[str]:
    return [
        """CREATE TABLE shared_limits (
            name TEXT PRIMARY KEY, rate DOUBLE PRECISION,
            next_at DOUBLE PRECISION NOT NULL DEFAULT 0, budget BIGINT, day TEXT,
            spent BIGINT NOT NULL DEFAULT 0)""",
    ]


#: What workers keep in the store: the monitor's sets (they run jobs and watches), then the
#: shared limits (PostgreSQL only: workers run on PostgreSQL).
MIGRATIONS: tuple[MigrationSet, ...] = (*MONITOR_MIGRATIONS, WORKERS)
