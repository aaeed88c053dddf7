"""Columns an export adds beside a stored one: the ISO 8601 UTC time of a Unix time.

``create_time`` (Unix seconds, as TikTok gives it) gets ``created_at`` right after it, so a CSV
reads without arithmetic and Parquet / data frames get a real UTC timestamp. Computed while
rows stream, from the column beside it: nothing is stored twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from ._exports import Export

#: stored Unix-time column -> the ISO 8601 column exported after it.
TWINS = {"create_time": "created_at"}

Rows = Callable[[Sequence[tuple[Any, ...]]], list[tuple[Any, ...]]]


def with_twins(spec: Export) -> tuple[Export, Rows | None]:
    """``spec`` with each :data:`TWINS` column after its Unix time, and the function adding
    them to a chunk of rows (``None`` when ``spec`` has no Unix time)."""
    at = [i for i, (name, _) in enumerate(spec.columns) if name in TWINS]
    if not at:
        return spec, None
    columns: list[tuple[str, str]] = []
    for name, kind in spec.columns:
        columns.append((name, kind))
        if name in TWINS:
            columns.append((TWINS[name], "time"))

    def rows(chunk: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return [_with(tuple(r), at) for r in chunk]

    return replace(spec, columns=tuple(columns)), rows


def _with(row: tuple[Any, ...], at: list[int]) -> tuple[Any, ...]:
    out: list[Any] = []
    for i, value in enumerate(row):
        out.append(value)
        if i in at:
            out.append(iso(value))
    return tuple(out)


def iso(unix: Any) -> str | None:
    """Unix seconds as ``2026-01-31T12:00:00Z`` (``None`` stays ``None``)."""
    if unix is None:
        return None
    return dt.datetime.fromtimestamp(int(unix), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
