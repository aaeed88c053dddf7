"""The expansions' table in the store: the targets of an expansion (a migration set)."""

from __future__ import annotations

from ..store._dialect import Dialect
from ..store._schema import MigrationSet

EXPAND = MigrationSet("expand")


@EXPAND.migration("targets")
def _targets(d: Dialect) -> list[str]:
    """An expansion's planned targets (``tokarc.expand``): its children, in the order they run.

    ``parent_id`` is the expansion's job, ``job_id`` the child job (none until it is made, or
    never when skipped), ``outcome`` what became of it (none while it is still to run).
    """
    return [
        f"""CREATE TABLE expand_targets (
            id {d.id_column}, parent_id BIGINT NOT NULL, depth INTEGER NOT NULL,
            step TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL,
            job_id BIGINT, outcome TEXT, UNIQUE (parent_id, kind, target))""",
        "CREATE INDEX expand_targets_job ON expand_targets (job_id)",
    ]
