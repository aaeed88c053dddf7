"""The collector's columns in the store: each job's lease (a migration set of its own)."""

from __future__ import annotations

from ..store import Dialect, MigrationSet
from ._expand_schema import EXPAND

COLLECT = MigrationSet("collect")


@COLLECT.migration("job_leases")
def _job_leases(d: Dialect) -> list[str]:
    """A lease per job (``_lease.py``), like the watches' claims: one walk of a job at a time."""
    return [
        "ALTER TABLE jobs ADD COLUMN claimed_by TEXT",
        "ALTER TABLE jobs ADD COLUMN claim_until DOUBLE PRECISION",
    ]


#: The collector's sets in the store: leases, then expansions' targets and caps.
MIGRATIONS: tuple[MigrationSet, ...] = (COLLECT, EXPAND)
