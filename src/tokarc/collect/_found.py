"""What a finished job found, when it is nothing or short of what it asked for: recorded in
the job's ``found`` column (None: it found something, every id asked for)."""

from __future__ import annotations

from ..store import Store
from ._spec import JobSpec, post_ids

NOTHING = "nothing"
MISSING = "missing: "  # then the post ids asked for that did not come back


def found(store: Store, job_id: int, spec: JobSpec) -> str | None:
    """``nothing`` when the job's walk returned no item; for posts by id, the ids missing."""
    if spec.ids:
        wanted = post_ids(list(spec.ids))
        marks = ", ".join("?" for _ in wanted)
        sql = f"SELECT aweme_id FROM posts WHERE aweme_id IN ({marks})"
        have = {str(row[0]) for row in store.db.query(sql, tuple(wanted))}
        missing = [i for i in wanted if i not in have]
        return MISSING + " ".join(missing) if missing else None
    return NOTHING if store.get_job(job_id).returned == 0 else None
