"""The responses as received, one per line: ``tokarc export --raw`` (as twarc keeps them).

Each line is a logged page's response body, byte for byte, with one member added at its end:
``"__tokarc"``, where it came from (page, job, endpoint, parameters, cursor, time, source), as
twarc adds ``__twarc``. A body that is not one line of a JSON object (never seen from the API)
is written re-encoded, compactly, with the same member.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from ..store import Store, unpack_page
from ._exports import Source
from ._outputs import ExportTarget, refuse_store_file, text_out

_PAGES = (
    "SELECT id, job_id, endpoint, params, cursor, fetched_at, source_kind, source_target, body "
    "FROM pages WHERE codec = 'zstd'"  # responses, not the records pages of older databases
)
_BY_SOURCE = " AND source_kind = ? AND source_target = ?"


def to_responses(store: Store, out: ExportTarget, *, source: Source | None = None) -> int:
    """Write every logged response (or those of pages of ``source``) to ``out`` as JSONL, in
    the order they were received; returns how many."""
    refuse_store_file(store, out)
    n = 0
    with text_out(out) as f:
        for line in _lines(store, source):
            f.write(line)
            f.write("\n")
            n += 1
    return n


def _lines(store: Store, source: Source | None) -> Iterator[str]:
    sql, params = (_PAGES + _BY_SOURCE, tuple(source)) if source else (_PAGES, ())
    for rows in store.stream(f"{sql} ORDER BY id", params, size=200):
        for *row, body in rows:
            yield with_provenance(unpack_page(body), _provenance(row)).decode("utf-8", "replace")


def _provenance(row: list[Any]) -> dict[str, Any]:
    page, job, endpoint, params, cursor, fetched_at, kind, target = row
    params = msgspec.json.decode(params) if isinstance(params, str) else params
    return {
        "page": page,
        "job": job,
        "endpoint": endpoint,
        "params": params,
        "cursor": cursor,
        "fetched_at": fetched_at,
        "source": f"{kind}:{target}" if kind else None,
    }


def with_provenance(body: bytes, provenance: dict[str, Any]) -> bytes:
    """``body`` with ``"__tokarc": provenance`` as its last member, its own bytes untouched."""
    member = b'"__tokarc":' + msgspec.json.encode(provenance)
    trimmed = body.rstrip()
    if trimmed.startswith(b"{") and trimmed.endswith(b"}") and b"\n" not in trimmed:
        inner = trimmed[1:-1].strip()
        return trimmed[:-1] + (b"," if inner else b"") + member + b"}"
    value = msgspec.json.decode(body)
    wrapped = value if isinstance(value, dict) else {"response": value}
    return msgspec.json.encode({**wrapped, "__tokarc": provenance})
