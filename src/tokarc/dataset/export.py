"""Exports of a store: JSONL, CSV, Parquet, and pandas / polars data frames.

Every export streams: rows come from the database in chunks (a server-side cursor on
PostgreSQL, ``fetchmany`` on SQLite) and are written as they come, so exporting a million rows
never holds them in memory. CSV and Parquet have a FIXED column set per entity (see
:data:`COLUMNS` and ``docs/store.md``); JSONL writes each record's raw JSON, one per line
(entities without raw JSON, like hashtags and follows, are written as their columns).

``out`` is a path, ``"-"`` (standard output) or an open stream: text or binary for JSONL and
CSV, binary for Parquet. A path is written whole or not at all (a temporary file in the same
folder, fsync'ed, then renamed over it; removed on any error), and never over one of the
store's own files (``InvalidInputError``).

Example::

    from tokarc.store import open_store
    from tokarc.dataset.export import export

    with open_store("magic.db") as store:
        export(store, "posts", "posts.csv", "csv")
        df = to_pandas(store, "observations")
"""

from __future__ import annotations

import contextlib
import csv
import importlib
import io
import os
import re
import sys
from collections.abc import Iterator
from typing import IO, Any, Literal, cast

import msgspec

from .._files import atomic_file, refuse_same_file
from ..store import Store
from ..store._target import sqlite_files
from ._derived import with_twins
from ._exports import EXPORTS, Export, Run, Source, get
from ._pseudonym import Pseudonymizer

__all__ = [
    "CHUNK_SIZE",
    "COLUMNS",
    "FORMATS",
    "ExportTarget",
    "Run",
    "export",
    "to_csv",
    "to_jsonl",
    "to_pandas",
    "to_parquet",
    "to_polars",
]

ExportTarget = str | os.PathLike[str] | IO[str] | IO[bytes]
Format = Literal["jsonl", "csv", "parquet", "4cat"]

#: The formats :func:`export` writes.
FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet", "4cat")

#: Rows per database round trip and per Parquet batch. A raw post is ~7 KB of JSON, up to
#: 28 KB as a Python str (non-ASCII text is 4 bytes a character): 1000 keep a chunk ~30 MB.
CHUNK_SIZE = 1000

#: entity -> its exported column names, in order (CSV header, Parquet schema, data frames).
COLUMNS: dict[str, tuple[str, ...]] = {name: with_twins(e)[0].names for name, e in EXPORTS.items()}


def export(
    store: Store,
    entity: str,
    out: ExportTarget,
    format: Format = "jsonl",
    *,
    chunk_size: int = CHUNK_SIZE,
    source: Source | None = None,
    run: Run | None = None,
    pseudonymize: Pseudonymizer | None = None,
) -> int:
    """Write ``entity`` ("posts", "users", ...; see :data:`COLUMNS`) to ``out`` in
    ``format``; return the number of rows written. ``source`` (``("hashtag", "magic")``)
    keeps only the records that source found, ``run`` (:class:`Run`) those one run of a job
    collected; both in the order the API gave them. ``pseudonymize`` replaces every
    identifier by its keyed pseudonym and leaves raw JSON and URLs out (see
    ``docs/archive.md``). ``ValueError`` for an unknown entity or format; ``ImportError`` for
    Parquet without pyarrow."""
    from ._fourcat import to_4cat

    writers = {"jsonl": to_jsonl, "csv": to_csv, "parquet": to_parquet, "4cat": to_4cat}
    if format not in writers:
        raise ValueError(f"unknown format {format!r}; known: {', '.join(FORMATS)}")
    return writers[format](
        store, entity, out, chunk_size=chunk_size, source=source, run=run, pseudonymize=pseudonymize
    )


def to_jsonl(
    store: Store,
    entity: str,
    out: ExportTarget,
    *,
    chunk_size: int = CHUNK_SIZE,
    source: Source | None = None,
    run: Run | None = None,
    pseudonymize: Pseudonymizer | None = None,
) -> int:
    """Write one JSON object per line: the raw JSON of each record, as TikTok sent it
    (pseudonymised: the columns, raw JSON left out)."""
    spec = _spec(entity, pseudonymize)
    _refuse_store_file(store, out)
    n = 0
    with _text_out(out) as f:
        for line in _json_lines(store, spec, chunk_size, source, run, pseudonymize):
            f.write(line)
            f.write("\n")
            n += 1
    return n


def _stream(
    store: Store, spec: Export, sql: str, params: tuple[object, ...], size: int
) -> Iterator[list[Any]]:
    """The rows of ``sql`` in chunks; none when the entity's table is another package's and
    this store has never had it."""
    if spec.optional_table and not store.has_table(spec.optional_table):
        return iter(())
    return store.stream(sql, params, size=size)


def _json_lines(
    store: Store,
    spec: Export,
    size: int,
    source: Source | None = None,
    run: Run | None = None,
    pseudonymize: Pseudonymizer | None = None,
) -> Iterator[str]:
    if spec.raw_sql:
        sql, params = spec.query(source, raw=True, run=run)
        for rows in _stream(store, spec, sql, params, size):
            yield from (row[0] for row in rows)
        return
    names = spec.names
    for rows in _chunks(store, spec, size, source, run, pseudonymize):
        for row in _typed(spec, rows):
            yield msgspec.json.encode(dict(zip(names, row, strict=True))).decode()


def to_csv(
    store: Store,
    entity: str,
    out: ExportTarget,
    *,
    chunk_size: int = CHUNK_SIZE,
    source: Source | None = None,
    run: Run | None = None,
    pseudonymize: Pseudonymizer | None = None,
) -> int:
    """Write a CSV with a header and the entity's fixed columns (empty cell = no value)."""
    spec = _spec(entity, pseudonymize)
    _refuse_store_file(store, out)
    n = 0
    with _text_out(out, newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(spec.names)
        for rows in _chunks(store, spec, chunk_size, source, run, pseudonymize):
            writer.writerows(rows)
            n += len(rows)
    return n


def to_parquet(
    store: Store,
    entity: str,
    out: ExportTarget,
    *,
    chunk_size: int = CHUNK_SIZE,
    source: Source | None = None,
    run: Run | None = None,
    pseudonymize: Pseudonymizer | None = None,
) -> int:
    """Write a Parquet file with the entity's fixed columns and types (needs pyarrow)."""
    pa, pq = _pyarrow()
    spec = _spec(entity, pseudonymize)
    _refuse_store_file(store, out)
    schema = _arrow_schema(pa, spec)
    n = 0
    with _binary_out(out) as f, pq.ParquetWriter(f, schema) as writer:
        for rows in _chunks(store, spec, chunk_size, source, run, pseudonymize):
            writer.write_batch(_arrow_batch(pa, schema, spec, rows))
            n += len(rows)
    return n


def to_pandas(store: Store, entity: str) -> Any:
    """The entity as a ``pandas.DataFrame`` with its fixed columns (needs pandas; typed
    columns with pyarrow). The whole frame is in memory: for big tables, export Parquet."""
    pd = _need("pandas", "pandas")
    with contextlib.suppress(ImportError):
        pa, _ = _pyarrow()
        nullable = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
        return _arrow_table(store, entity).to_pandas(types_mapper=nullable.get)
    spec = _spec(entity)
    rows = [row for rows in _chunks(store, spec, CHUNK_SIZE) for row in rows]
    return pd.DataFrame.from_records(rows, columns=list(spec.names))


def to_polars(store: Store, entity: str) -> Any:
    """The entity as a ``polars.DataFrame`` with its fixed columns and types (needs polars)."""
    pl = _need("polars", "polars")
    with contextlib.suppress(ImportError):
        return pl.from_arrow(_arrow_table(store, entity))
    spec = _spec(entity)
    types = {
        "text": pl.String,
        "int": pl.Int64,
        "bool": pl.Boolean,
        "float": pl.Float64,
        "time": pl.String,
    }
    schema = {name: types[kind] for name, kind in spec.columns}
    frames = [
        pl.DataFrame(_typed(spec, rows), schema=schema, orient="row")
        for rows in _chunks(store, spec, CHUNK_SIZE)
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


# -- rows ------------------------------------------------------------------------------------


def _spec(entity: str, pseudonymize: Pseudonymizer | None = None) -> Export:
    """The export of ``entity`` with its derived columns (``created_at``); pseudonymised:
    without its ``drop`` columns and raw JSON."""
    spec = get(entity)
    if pseudonymize is not None:
        spec = pseudonymize.export(spec)[0]
    return with_twins(spec)[0]


def _chunks(
    store: Store,
    spec: Export,
    size: int,
    source: Source | None = None,
    run: Run | None = None,
    pseudonymize: Pseudonymizer | None = None,
) -> Iterator[list[Any]]:
    """Chunks of the rows of ``spec`` (as :func:`_spec` gives it): the entity's stored
    columns, pseudonymised when asked, then with the derived ones."""
    stored = get(spec.name)
    sql, params = stored.query(source, run=run)
    chunks: Iterator[list[Any]] = _stream(store, spec, sql, params, size)
    shown = stored
    if pseudonymize is not None:
        shown, hide = pseudonymize.export(stored)
        chunks = (hide(chunk) for chunk in chunks)
    twins = with_twins(shown)[1]
    return chunks if twins is None else (twins(chunk) for chunk in chunks)


def _typed(spec: Export, rows: list[Any]) -> list[tuple[Any, ...]]:
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


# -- arrow -----------------------------------------------------------------------------------


def _pyarrow() -> tuple[Any, Any]:
    pa = _need("pyarrow", "parquet")
    return pa, _need("pyarrow.parquet", "parquet")


def _arrow_schema(pa: Any, spec: Export) -> Any:
    types = {
        "text": pa.string(),
        "int": pa.int64(),
        "bool": pa.bool_(),
        "float": pa.float64(),
        "time": pa.timestamp("us", tz="UTC"),
    }
    return pa.schema([(name, types[kind]) for name, kind in spec.columns])


def _arrow_batch(pa: Any, schema: Any, spec: Export, rows: list[Any]) -> Any:
    columns = list(zip(*_typed(spec, rows), strict=True)) or [() for _ in schema]
    arrays = [_arrow_array(pa, col, f.type) for col, f in zip(columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _arrow_array(pa: Any, values: Any, type: Any) -> Any:
    """A column; ISO 8601 text (``time``) parsed into UTC timestamps by Arrow."""
    if pa.types.is_timestamp(type):
        return pa.array(values, type=pa.string()).cast(type)
    return pa.array(values, type=type)


def _arrow_table(store: Store, entity: str, source: Source | None = None) -> Any:
    pa, _ = _pyarrow()
    spec = _spec(entity)
    schema = _arrow_schema(pa, spec)
    chunks = _chunks(store, spec, CHUNK_SIZE, source)
    batches = [_arrow_batch(pa, schema, spec, rows) for rows in chunks]
    return pa.Table.from_batches(batches, schema=schema)


def _need(module: str, extra: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"this export needs {module}: pip install {module} (or 'tokarc[{extra}]')"
        ) from exc


# -- outputs ---------------------------------------------------------------------------------


def _refuse_store_file(store: Store, out: ExportTarget) -> None:
    """InvalidInputError when the path ``out`` is the store's database or one of its files."""
    if isinstance(out, str | os.PathLike) and out != "-":
        refuse_same_file(out, sqlite_files(store.url))


@contextlib.contextmanager
def _text_out(out: ExportTarget, newline: str | None = None) -> Iterator[IO[str]]:
    """A text stream on ``out``: a path (created), ``"-"`` (stdout) or an open stream."""
    if out == "-":
        yield cast(IO[str], _TerminalSafe(sys.stdout)) if sys.stdout.isatty() else sys.stdout
    elif isinstance(out, str | os.PathLike):
        with atomic_file(out, "w", encoding="utf-8", newline=newline) as f:
            yield f
    elif isinstance(out, io.TextIOBase) or not _is_binary(out):
        yield out  # type: ignore[misc]
    else:
        binary: Any = out
        wrapper = io.TextIOWrapper(binary, encoding="utf-8", newline=newline)
        try:
            yield wrapper
        finally:
            wrapper.flush()
            wrapper.detach()  # the caller's stream stays open


@contextlib.contextmanager
def _binary_out(out: ExportTarget) -> Iterator[Any]:
    """A binary stream on ``out``: a path (created), ``"-"`` (stdout) or an open stream."""
    if out == "-":
        yield sys.stdout.buffer
    elif isinstance(out, str | os.PathLike):
        with atomic_file(out, "wb") as f:
            yield f
    elif isinstance(out, io.TextIOBase):
        raise TypeError("Parquet needs a binary stream, got a text stream")
    else:
        yield out


# What a terminal would act on rather than show: C0 controls but tab and newline, DEL, C1
# controls (U+009B is a CSI), and bidirectional marks, embeddings, overrides and isolates.
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


class _TerminalSafe:
    """Stdout on a terminal: records are shown, so the characters a terminal would act on are
    written as JSON escapes (``\\u001b``); JSON lines stay valid and mean the same."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(_TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _is_binary(stream: Any) -> bool:
    return isinstance(stream, io.RawIOBase | io.BufferedIOBase) or "b" in getattr(
        stream, "mode", ""
    )
