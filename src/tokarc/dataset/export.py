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
from collections.abc import Iterator
from typing import Any, Literal

import msgspec

from ..store import Store
from ._derived import with_twins
from ._exports import EXPORTS, Export, Run, Source
from ._fourcat import to_4cat
from ._outputs import ExportTarget, binary_out, refuse_store_file, text_out
from ._pseudonym import Pseudonymizer
from ._rows import chunks, spec_of, stream_rows, typed

__all__ = [
    "CHUNK_SIZE",
    "COLUMNS",
    "FORMATS",
    "ExportTarget",
    "Run",
    "export",
    "to_arrow",
    "to_csv",
    "to_jsonl",
    "to_pandas",
    "to_parquet",
    "to_polars",
]

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
    spec = spec_of(entity, pseudonymize)
    refuse_store_file(store, out)
    n = 0
    with text_out(out) as f:
        for line in _json_lines(store, spec, chunk_size, source, run, pseudonymize):
            f.write(line)
            f.write("\n")
            n += 1
    return n


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
        reader, entity = store.raw_reader(), spec.seen or spec.name
        for rows in stream_rows(store, spec, sql, params, size):
            yield from (t for row in rows if (t := reader.text(entity, *row)) is not None)
        return
    names = spec.names
    for rows in chunks(store, spec, size, source, run, pseudonymize):
        for row in typed(spec, rows):
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
    spec = spec_of(entity, pseudonymize)
    refuse_store_file(store, out)
    n = 0
    with text_out(out, newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(spec.names)
        for rows in chunks(store, spec, chunk_size, source, run, pseudonymize):
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
    spec = spec_of(entity, pseudonymize)
    refuse_store_file(store, out)
    schema = _arrow_schema(pa, spec)
    n = 0
    with binary_out(out) as f, pq.ParquetWriter(f, schema) as writer:
        for rows in chunks(store, spec, chunk_size, source, run, pseudonymize):
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
        return to_arrow(store, entity).to_pandas(types_mapper=nullable.get)
    spec = spec_of(entity)
    rows = [row for rows in chunks(store, spec, CHUNK_SIZE) for row in rows]
    return pd.DataFrame.from_records(rows, columns=list(spec.names))


def to_polars(store: Store, entity: str) -> Any:
    """The entity as a ``polars.DataFrame`` with its fixed columns and types (needs polars)."""
    pl = _need("polars", "polars")
    with contextlib.suppress(ImportError):
        return pl.from_arrow(to_arrow(store, entity))
    spec = spec_of(entity)
    types = {
        "text": pl.String,
        "int": pl.Int64,
        "bool": pl.Boolean,
        "float": pl.Float64,
        "time": pl.String,
    }
    schema = {name: types[kind] for name, kind in spec.columns}
    frames = [
        pl.DataFrame(typed(spec, rows), schema=schema, orient="row")
        for rows in chunks(store, spec, CHUNK_SIZE)
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


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
    columns = list(zip(*typed(spec, rows), strict=True)) or [() for _ in schema]
    arrays = [_arrow_array(pa, col, f.type) for col, f in zip(columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _arrow_array(pa: Any, values: Any, type: Any) -> Any:
    """A column; ISO 8601 text (``time``) parsed into UTC timestamps by Arrow."""
    if pa.types.is_timestamp(type):
        return pa.array(values, type=pa.string()).cast(type)
    return pa.array(values, type=type)


def to_arrow(store: Store, entity: str, source: Source | None = None) -> Any:
    """The entity (of ``source``) as a ``pyarrow.Table`` with its fixed columns and types."""
    pa, _ = _pyarrow()
    spec = spec_of(entity)
    schema = _arrow_schema(pa, spec)
    parts = chunks(store, spec, CHUNK_SIZE, source)
    batches = [_arrow_batch(pa, schema, spec, rows) for rows in parts]
    return pa.Table.from_batches(batches, schema=schema)


def _need(module: str, extra: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"this export needs {module}: pip install {module} (or 'tokarc[{extra}]')"
        ) from exc
