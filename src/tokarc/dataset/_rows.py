"""The rows every export writes: an entity's export spec with its derived columns, and its
rows in chunks, pseudonymised when asked, typed (booleans as booleans)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..store import Store
from ._derived import with_twins
from ._exports import Export, Run, Source, get
from ._pseudonym import Pseudonymizer


def spec_of(entity: str, pseudonymize: Pseudonymizer | None = None) -> Export:
    """The export of ``entity`` with its derived columns (``created_at``); pseudonymised:
    without its ``drop`` columns and raw JSON."""
    spec = get(entity)
    if pseudonymize is not None:
        spec = pseudonymize.export(spec)[0]
    return with_twins(spec)[0]


def chunks(
    store: Store,
    spec: Export,
    size: int,
    source: Source | None = None,
    run: Run | None = None,
    pseudonymize: Pseudonymizer | None = None,
) -> Iterator[list[Any]]:
    """Chunks of the rows of ``spec`` (as :func:`spec_of` gives it): the entity's stored
    columns, pseudonymised when asked, then with the derived ones."""
    stored = get(spec.name)
    sql, params = stored.query(source, run=run)
    chunks: Iterator[list[Any]] = stream_rows(store, spec, sql, params, size)
    shown = stored
    if pseudonymize is not None:
        shown, hide = pseudonymize.export(stored)
        chunks = (hide(chunk) for chunk in chunks)
    twins = with_twins(shown)[1]
    return chunks if twins is None else (twins(chunk) for chunk in chunks)


def typed(spec: Export, rows: list[Any]) -> list[tuple[Any, ...]]:
    """Rows with the 0/1 of bool columns as booleans."""
    flags = [i for i, (_, kind) in enumerate(spec.columns) if kind == "bool"]
    if not flags:
        return [tuple(r) for r in rows]
    return [_with_bools(tuple(r), flags) for r in rows]


def _with_bools(row: tuple[Any, ...], flags: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in flags:
        values[i] = None if values[i] is None else bool(values[i])
    return tuple(values)


def stream_rows(
    store: Store, spec: Export, sql: str, params: tuple[object, ...], size: int
) -> Iterator[list[Any]]:
    """The rows of ``sql`` in chunks; none when the entity's table is another package's and
    this store has never had it."""
    if spec.optional_table and not store.has_table(spec.optional_table):
        return iter(())
    return store.stream(sql, params, size=size)
