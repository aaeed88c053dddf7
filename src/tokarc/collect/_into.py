"""A collection run in one call: a job into a store (or a temporary one) and its records out.

``collect_into(client, spec, Sink(db="magic.db", out="posts.csv"))`` is what ``tokarc hashtag
magic --db magic.db -o posts.csv`` does, without the terminal: the job runs into the store (a
temporary one without ``db``), and what this run collected is written to ``out`` in the API's
order, or, to standard output as JSONL, page by page as it comes (``out="-"``, or neither
``db`` nor ``out``). A run that fails still writes what it stored; a reader of standard output
that goes away (``| head``) ends the run at that page (:class:`PipeClosed`).

::

    with tokarc.Client() as client:
        run = CollectInto(client, JobSpec.build("hashtag", "magic", days=7),
                          Sink(db="magic.db", out="posts.csv"))
        report = run()
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..client import Client
from ..client.pagination import record_key
from ..dataset import text_out
from ..dataset.export import FORMATS, Run, export
from ..errors import InvalidInputError
from ..models import BY_ENTITY
from ..store import Job, Store, open_store, record_json
from ._lease import JobRunningError
from ._runner import Collector, JobReport
from ._spec import JobSpec

#: The file suffixes that name an output format (``-o posts.csv``).
SUFFIX_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}

#: What opens a sink's store (``tokarc._wiring.open_store`` opens it with every package's sets).
Opener = Callable[[str | os.PathLike[str]], Store]


class PipeClosed(Exception):
    """Standard output's reader is gone: the run ends at this page."""


@dataclass(frozen=True)
class Sink:
    """Where a job's records go: a store (``db``), a file (``out``, ``"-"``: stdout), or both."""

    db: str | None = None
    out: str | None = None
    format: str | None = None  # one of FORMATS; None: the one ``out``'s suffix names

    @property
    def export_to(self) -> str | None:
        """The file (or "-") to export to; stdout when there is neither a store nor a file."""
        return self.out if self.out else (None if self.db else "-")

    def fmt(self) -> str:
        """The format, else the one ``out``'s suffix names, else JSONL (stdout, no suffix);
        InvalidInputError for a suffix that names no format (``x.xlsx``)."""
        if self.format is not None:
            return str(self.format)
        suffix = Path(self.out or "").suffix.lower()
        if not suffix or self.out == "-":
            return "jsonl"
        if suffix not in SUFFIX_FORMATS:
            known = ", ".join(SUFFIX_FORMATS)
            raise InvalidInputError(
                f"invalid --out {self.out!r}: no format is known for {suffix!r} "
                f"(known: {known}); name the file so, or give --format {'|'.join(FORMATS)}"
            )
        return SUFFIX_FORMATS[suffix]

    @property
    def streams(self) -> bool:
        """Records go to stdout as they come: JSONL there (CSV and Parquet once, at the end)."""
        return self.export_to == "-" and self.fmt() == "jsonl"


class Stream:
    """Writes each committed page's records to stdout as JSONL (their raw JSON, as the
    export does), each record once, flushed per page so a reader sees them at once."""

    def __init__(self, record_type: type) -> None:
        self.record_type = record_type
        self._seen: set[str] = set()

    @classmethod
    def of(cls, table: str) -> Stream:
        """The stream of the records a table holds (``posts``: every ``Post`` of a page)."""
        types = {model.table: model for model in BY_ENTITY.values()}
        if table not in types:
            raise ValueError(f"no records of {table!r}; known: {', '.join(types)}")
        return cls(types[table])

    def __call__(self, records: list[Any]) -> None:
        lines = [record_json(r) for r in records if self._new(r)]
        try:
            with text_out("-") as out:
                if lines:
                    out.write("\n".join(lines) + "\n")
                out.flush()
        except BrokenPipeError:
            raise PipeClosed("the output was closed") from None

    def _new(self, record: Any) -> bool:
        if not isinstance(record, self.record_type):
            return False
        key = record_key(record)
        if key is None:
            return True
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


def output_entity(spec: JobSpec) -> str:
    """The table a job's output holds (exported to ``out`` or stdout): its records' table."""
    record = spec.job_kind.api.record or "post"
    return BY_ENTITY["user" if record == "user_web" else record].table


@contextlib.contextmanager
def open_sink(sink: Sink, opener: Opener = open_store) -> Iterator[Store]:
    """The sink's store, or a temporary one (removed after) when it has none."""
    if sink.db:
        with opener(sink.db) as store:
            yield store
        return
    with tempfile.TemporaryDirectory(prefix="tokarc-") as tmp, opener(Path(tmp) / "run.db") as s:
        yield s


def write_run(store: Store, spec: JobSpec, sink: Sink, run: Run, *, quietly: bool = False) -> None:
    """Export what this run collected, in the API's order: not the table, nor all that the
    source ever found (``tokarc export --source`` writes that). ``quietly``: a failure to
    write is not raised (the run failed already)."""
    target = sink.export_to
    if target is None:
        return
    try:
        export(store, output_entity(spec), target, sink.fmt(), run=run)  # type: ignore[arg-type]
        sys.stdout.flush()
    except BrokenPipeError:
        if not quietly:
            raise PipeClosed("the output was closed") from None
    except Exception:
        if not quietly:
            raise


#: Wraps a run (progress, signals, downloads after each page): given the collector, a context
#: whose value becomes the collector's ``on_page``.
During = Callable[[Collector], AbstractContextManager[Callable[[JobReport], None] | None]]


class CollectInto:
    """One job run into a sink: call it to run; ``job`` is the job's record as the run left it
    (for a hint after a failure), set once the job exists."""

    def __init__(
        self, client: Client, spec: JobSpec, sink: Sink, *, opener: Opener = open_store
    ) -> None:
        self.client, self.spec, self.sink, self.opener = client, spec, sink, opener
        self.job: Job | None = None

    def __call__(self, *, wait: bool = False, during: During | None = None) -> JobReport:
        stream = Stream.of(output_entity(self.spec)) if self.sink.streams else None
        with open_sink(self.sink, self.opener) as store:
            collector = Collector(self.client, store, on_records=stream)
            self.job = collector.job_for(self.spec)
            this_run = Run(self.job.id, store.last_page_id())  # what ``out`` gets: this run's
            try:
                with during(collector) if during else contextlib.nullcontext() as on_page:
                    if on_page is not None:
                        collector.on_page = on_page
                    report = collector.run(self.spec, wait=wait)
                if stream is None:
                    write_run(store, self.spec, self.sink, this_run)
            except BaseException as exc:
                self.job = store.get_job(self.job.id)
                if stream is None and not isinstance(exc, JobRunningError | PipeClosed):
                    write_run(store, self.spec, self.sink, this_run, quietly=True)
                raise
        return report


def collect_into(
    client: Client,
    spec: JobSpec,
    sink: Sink,
    *,
    wait: bool = False,
    during: During | None = None,
    opener: Opener = open_store,
) -> JobReport:
    """Run ``spec`` into ``sink`` (see the module's docs) and return its report."""
    return CollectInto(client, spec, sink, opener=opener)(wait=wait, during=during)
