"""Small helpers shared by the store tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tokarc.models import Post, decode
from tokarc.store import Batch, Store

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
LATER_HOURS = dt.timedelta(hours=6)


def q(store: Store, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of a query (``?`` placeholders) on either backend."""
    return store._db.query(sql, params)


def one(store: Store, sql: str, *params: Any) -> Any:
    """The single value of a query."""
    rows = q(store, sql, *params)
    assert len(rows) == 1, rows
    return rows[0][0]


def posts(*raws: dict[str, Any]) -> list[Post]:
    return [decode("post", raw) for raw in raws]


def page(records: Any, **kw: Any) -> Batch:
    """A hashtag page of ``records`` (keywords override)."""
    args: dict[str, Any] = {
        "endpoint": "/tt/hashtag/posts",
        "params": {"name": "magic", "cursor": 0},
        "cursor": 0,
        "records": records,
        "source_kind": "hashtag",
        "source_target": "magic",
        "fetched_at": T0,
    }
    return Batch(**(args | kw))
