"""Dehydrate and hydrate: share ids, not content; re-collect the content from the ids.

Like twarc's dehydrate/hydrate: a dataset is shared as a list of post ids (or user ids), and
whoever has it collects the posts again (``multi_post_info``, 100 per call), getting only what
is still public. The ids that no longer come back are recorded in the ``gone`` table.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO

from ..api import guesses as G
from ..errors import InvalidInputError
from ..store import Store, timestamp
from ._exports import Source

__all__ = ["dehydrated", "read_ids", "record_gone"]

_IDS = {
    False: ("SELECT aweme_id FROM posts{w} ORDER BY aweme_id", "post"),
    True: ("SELECT uid FROM users{w} ORDER BY uid", "user"),
}
_SEEN = (
    " WHERE {key} IN (SELECT entity_id FROM seen_via"
    " WHERE entity = ? AND source_kind = ? AND source_target = ?)"
)


def dehydrated(store: Store, *, users: bool = False, source: Source | None = None) -> Iterator[str]:
    """The stored post ids (``users``: user ids) in id order, or those ``source`` found."""
    sql, entity = _IDS[users]
    key = "uid" if users else "aweme_id"
    params: tuple[str, ...] = ()
    if source is not None:
        params = (entity, *source)
    for chunk in store.stream(sql.format(w=_SEEN.format(key=key) if source else ""), params):
        yield from (str(row[0]) for row in chunk)


def read_ids(lines: IO[str], column: str | None = None) -> list[str]:
    """Ids from a file: one per line (blank lines and ``#`` comments skipped), or with
    ``column`` the values of that CSV column. ``InvalidInputError`` for a CSV without it."""
    if column is None:
        found = (line.strip() for line in lines)
        return list(dict.fromkeys(i for i in found if i and not i.startswith("#")))
    reader = csv.DictReader(lines)
    if column not in (reader.fieldnames or ()):
        known = ", ".join(reader.fieldnames or ()) or "none"
        raise InvalidInputError(f"invalid --column {column!r}: the CSV's columns are {known}")
    return list(dict.fromkeys(v.strip() for row in reader if (v := row.get(column) or "").strip()))


def record_gone(store: Store, job_id: int, asked: Iterable[str], batches_done: int) -> list[str]:
    """Record in ``gone`` the ids of the first ``batches_done`` batches of ``asked`` that are
    not stored, or stored and marked gone; return them."""
    done = list(asked)[: batches_done * G.MAX_POST_IDS]
    d = store.db.dialect
    sql = f"SELECT aweme_id FROM posts WHERE gone_at IS NULL AND {d.in_ids('aweme_id')}"
    here = {row[0] for row in store.db.query(sql, (d.ids(done),))} if done else set()
    missing = [i for i in done if i not in here]
    at = timestamp()
    upsert = (
        "INSERT INTO gone (entity, entity_id, job_id, noted_at) VALUES ('post', ?, ?, ?) "
        "ON CONFLICT (entity, entity_id) DO UPDATE SET job_id = excluded.job_id, "
        "noted_at = excluded.noted_at"
    )
    with store.db.transaction():
        store.db.executemany(upsert, [(i, job_id, at) for i in missing])
        if here:
            store.db.execute(
                f"DELETE FROM gone WHERE entity = 'post' AND {d.in_ids('entity_id')}",
                (d.ids(sorted(here)),),
            )
    return missing
