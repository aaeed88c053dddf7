"""A logged page read back as the :class:`Batch` it was saved as: what deriving it again
(``_rebuild``) and deriving it late (a collection's deferred pages, ``Store.derive_pending``)
both start from."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from ._log import LoggedPage, unpack
from ._rows import Seen
from ._types import Batch, Follow

#: The columns of ``pages`` a logged page is read back from, in :func:`batch_of`'s order.
PAGE_COLUMNS = (
    "id, job_id, endpoint, params, cursor, fetched_at, source_kind, source_target, body, context"
)


def batch_of(row: tuple[Any, ...]) -> tuple[Batch, Seen, dt.datetime]:
    """The batch a logged page (a row of :data:`PAGE_COLUMNS`) was saved with, its records
    decoded again from its body (those the collection kept), where and when it was seen."""
    page_id, job_id, endpoint, params, cursor, fetched_at, kind, target, body, context = row
    page = LoggedPage(str(endpoint), unpack(body))
    ctx = _json(context) or {}
    follow = ctx.get("follow")
    batch = Batch(
        endpoint=str(endpoint),
        records=_kept(page, ctx.get("kept")),
        job_id=job_id,
        params=_json(params) or {},
        cursor=cursor,
        source_kind=kind,
        source_target=target,
        follow=Follow(str(follow[0]), follow[1]) if follow else None,
        undecodable=page.undecodable(),
        results=bool(ctx.get("results", True)),
        missing=ctx.get("missing"),
        gone_after=int(ctx.get("gone_after", 2)),
        body=page.body,
    )
    seen = Seen(int(page_id), str(fetched_at), True)
    return batch, seen, dt.datetime.fromisoformat(str(fetched_at))


def _kept(page: LoggedPage, kept: list[str] | None) -> list[Any]:
    """The page's records the collection kept, in the page's order."""
    records = page.records()
    if kept is None:
        return records
    wanted = set(kept)
    return [r for r in records if r.ident() in wanted]


def _json(value: Any) -> Any:
    if value is None or isinstance(value, dict | list):
        return value
    return msgspec.json.decode(value)
