"""Commands about jobs, the database, the account and the emulator."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from typing import Annotated, Any

import typer

from ..client import (
    config_path,
    parse_max_units,
    read_config_file,
    write_config_file,
)
from ..client import constants as C
from ..collect import (
    DEFAULT_CONCURRENCY,
    KINDS,
    SOURCE_KINDS,
    JobSpec,
    Sink,
    coverage,
    parents,
    target_label,
)
from ..collect import stored_caps as stored
from ..dataset import EXPORTS, Pseudonymizer, get_export
from ..dataset.export import COLUMNS, export
from ..errors import InvalidInputError
from ..store import Job, Store
from ..targets import source_of
from . import _errors, _tables
from . import _options as O
from ._app import session
from ._collect import check_sink, resume
from ._expand import resume_expansion
from ._many import resume_many
from ._media import with_media
from ._options import pseudonymizer
from ._stores import existing
from ._text import cell, safe

Json = Annotated[bool, typer.Option("--json", help="JSON on stdout instead of a table.")]


_JOB_FIELDS = [
    "id",
    "kind",
    "target",
    "status",
    "stop_reason",
    "returned",
    "new_records",
    "duplicates",
    "units",
    "updated_at",
    "outcome",
    "coverage",
]


def _job_row(job: Job) -> list[Any]:
    shown = {"target": target_label(job.kind, job.target, job.options), "coverage": coverage(job)}
    return [shown[f] if f in shown else getattr(job, f) for f in _JOB_FIELDS]


def jobs(db: O.DbRequired, as_json: Json = False) -> None:
    """Jobs in a database, with status and coverage (items returned, new, units, and how
    far a --days/--since window got when the feed ended first); an expansion's children name
    it as their parent, and an expansion says what capped it.

    Example: tokarc jobs --db magic.db
    """
    with existing(db, read_only=True) as store:
        parent = parents(store)  # an expansion's children name it
        caps = {job: [c.text() for c in found] for job, found in stored(store).items()}
        rows = [[*_job_row(j), parent.get(j.id), caps.get(j.id, [])] for j in store.list_jobs()]
    headers = [*_JOB_FIELDS, "parent", "capped"]
    if as_json:
        for row in rows:
            print(json.dumps(dict(zip(headers, row, strict=True))))
        return
    if not caps:  # the column only when an expansion says what capped it
        _tables.stdout().print(
            _tables.table(f"jobs in {db}", headers[:-1], [row[:-1] for row in rows])
        )
        return
    cells = [[*row[:-1], "; ".join(row[-1])] for row in rows]
    _tables.stdout().print(_tables.table(f"jobs in {db}", headers, cells))


@with_media
def resume_(
    ctx: typer.Context,
    jobs: Annotated[list[int], typer.Argument(help="Job ids (see `tokarc jobs`).")],
    db: O.DbRequired,
    max_items: O.MaxItems = None,
    max_units: O.MaxUnits = None,
    wait: O.Wait = False,
    concurrency: O.Concurrency = DEFAULT_CONCURRENCY,
) -> None:
    """Run stored jobs (or an expansion) on from their checkpoints (after Ctrl-C, an error or
    a budget). Several jobs run together, --concurrency at a time, --max-units shared.

    Example: tokarc resume 3 --db magic.db
    """
    overrides: dict[str, int | None] = {"max_units": max_units}  # the cap of this run
    if max_items:
        overrides["max_items"] = max_items
    existing(db).close()
    if len(jobs) > 1:
        return resume_many(session(ctx), db, jobs, overrides, concurrency=concurrency, wait=wait)
    if not resume_expansion(session(ctx), db, jobs[0], max_units, max_items):
        resume(session(ctx), db, jobs[0], wait=wait, **overrides)
    return None


SourceOption = Annotated[
    str | None,
    typer.Option(
        "--source",
        metavar="KIND:TARGET",
        help="Only what one source found, in the API's order, e.g. hashtag:magic, "
        "followers:zachking (see seen_via).",
    ),
]


def _source(entity: str, given: str | None) -> tuple[str, str] | None:
    """``KIND:TARGET`` as a source, checked (CLIError: exit 2, nothing written)."""
    if given is None:
        return None
    kind, target = source_of(given, stored=SOURCE_KINDS)
    if get_export(entity).seen is None:
        raise _errors.CLIError(f"invalid --source for {entity}: only {', '.join(_NARROWABLE)}")
    return kind, _normalized(kind, target)


def _normalized(kind: str, target: str) -> str:
    """The target spelled as its jobs store it (``#Magic`` is ``magic``), where a job kind
    of that name can say; else as given."""
    if kind not in KINDS or KINDS[kind].strategy == "posts":
        return target
    try:
        return JobSpec(kind, target).check()
    except Exception:  # a kind that needs more than a target to check: as given
        return target


_NARROWABLE = [name for name, e in EXPORTS.items() if e.seen is not None]


def export_(
    db: O.DbRequired,
    entity: Annotated[
        str | None, typer.Argument(help=f"One of: {', '.join(COLUMNS)} (none with --raw).")
    ] = None,
    out: O.Out = "-",
    format: O.Fmt = None,
    source: SourceOption = None,
    pseudonymize: O.Pseudonymize = False,
    key_file: O.KeyFile = None,
    package: Annotated[
        bool,
        typer.Option(
            "--package",
            help="Write a datapackage.json beside the file that describes it (types, "
            "meanings, provenance); always with --pseudonymize.",
        ),
    ] = False,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="Write the API's responses as received (JSONL, one per line, from the page "
            "log), instead of an entity.",
        ),
    ] = False,
) -> None:
    """Write an entity of a database as JSONL, CSV or Parquet (all of it, or with --source
    what one source found, in the API's order); with --package (or --pseudonymize), a
    datapackage.json beside the file describes it. With --raw, the responses as received.

    Example: tokarc export posts --db magic.db -o posts.parquet
    Example: tokarc export users --db z.db --source followers:zachking -o followers.csv --package
    Example: tokarc export --raw --db magic.db -o responses.jsonl
    """
    if raw:
        _export_raw(entity, db, out or "-", format, source, pseudonymize or package)
        return
    if entity is None:
        raise _errors.CLIError(f"give an entity to export: one of {', '.join(COLUMNS)}")
    if entity not in COLUMNS:
        raise _errors.CLIError(f"invalid entity {entity!r}: one of {', '.join(COLUMNS)}")
    hide = pseudonymizer(pseudonymize, key_file)
    narrowed = _source(entity, source)
    sink = Sink(db, out or "-", format)
    if package and sink.out == "-":
        raise _errors.CLIError("invalid --package to stdout: give -o FILE")
    check_sink(sink)
    with existing(db, read_only=True) as store:
        n = _export(store, entity, sink, narrowed, hide, package=package or hide is not None)
    if sink.out != "-":
        print(safe(f"{n} {entity} written to {sink.out}"), file=sys.stderr)


def _export_raw(
    entity: str | None, db: str, out: str, format: Any, source: str | None, refused: bool
) -> None:
    """``export --raw``: the responses of the page log, as received."""
    from ..dataset import to_responses

    if entity is not None:
        raise _errors.CLIError("invalid --raw with an entity: --raw writes whole responses")
    if refused:
        raise _errors.CLIError(
            "invalid --raw with --pseudonymize or --package: responses are written as received"
        )
    sink = Sink(db, out, format)
    if sink.fmt() != "jsonl":
        raise _errors.CLIError("invalid --raw format: responses are written as JSONL")
    check_sink(sink)
    narrowed = _source("posts", source)
    with existing(db, read_only=True) as store:
        n = to_responses(store, sink.out or "-", source=narrowed)
    if sink.out != "-":
        print(safe(f"{n} responses written to {sink.out}"), file=sys.stderr)


def _export(
    store: Store,
    entity: str,
    sink: Sink,
    source: tuple[str, str] | None,
    hide: Pseudonymizer | None,
    *,
    package: bool,
) -> int:
    """Write the export, with its data package when ``package`` (and ``sink`` is a file)."""
    from ..dataset._package import export_with_package  # loaded when exporting

    out, fmt = sink.out or "-", sink.fmt()
    if package and out != "-":
        return export_with_package(store, entity, out, fmt, source=source, pseudonymize=hide)
    return export(store, entity, out, fmt, source=source, pseudonymize=hide)  # type: ignore[arg-type]


def stats(db: O.DbRequired, as_json: Json = False) -> None:
    """What a database holds, and units spent by day, job and endpoint.

    Example: tokarc stats --db magic.db
    """
    with existing(db, read_only=True) as store:
        s = store.stats()
    if as_json:
        print(
            json.dumps(
                {
                    "counts": s.counts,
                    "units_by_day": s.units_by_day,
                    "units_by_job": {str(k): v for k, v in s.units_by_job.items()},
                    "units_by_endpoint": s.units_by_endpoint,
                    "units_total": s.units_total,
                }
            )
        )
        return
    out = _tables.stdout()
    out.print(_tables.table(f"{db}", ["table", "rows"], [[k, v] for k, v in s.counts.items()]))
    for title, data in (
        ("units by day", s.units_by_day),
        ("units by job", s.units_by_job),
        ("units by endpoint", s.units_by_endpoint),
    ):
        out.print(
            _tables.table(title, [title.split()[-1], "units"], [[k, v] for k, v in data.items()])
        )
    out.print(cell(f"units spent in total: {s.units_total}"))


def usage(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(min=1, help="Days of history, up to today.")] = 7,
    as_json: Json = False,
) -> None:
    """The account's units used: today, and per day over the last days.

    Example: tokarc usage --days 30
    """
    today = dt.datetime.now(dt.UTC).date().isoformat()
    with session(ctx).client() as client:
        used = client.customer.get_usage(date=today).data
        history = client.customer.get_usage_history(days=days).data
    if as_json:
        print(json.dumps({"today": used, "history": history}))
        return
    rows = [[d.get("date"), d.get("units")] for d in history if isinstance(d, dict)]
    _tables.stdout().print(_tables.table(f"units used over {days} days", ["date", "units"], rows))
    print(safe(f"units used today ({today}): {_units(used)}"))


def _units(data: Any) -> Any:
    return data.get("units", data) if isinstance(data, dict) else data


def configure(
    ctx: typer.Context,
    max_units: Annotated[
        str | None,
        typer.Option(
            metavar="N|none",
            help="Store the spending cap of commands run without --max-units (none: no cap).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Store the API token in a config file only you can read (asked for, never shown).

    Example: tokarc configure   (or: echo "$TOKEN" | tokarc configure; tokarc configure
    --max-units 2000)
    """
    state = session(ctx)
    if max_units is not None:
        return _configure_cap(max_units)
    token = state.token
    if token is None:
        token = (
            typer.prompt("API token", hide_input=True)
            if sys.stdin.isatty()
            else sys.stdin.readline()
        )
    token = token.strip()
    if not token or any(c.isspace() for c in token):
        raise _errors.CLIError("invalid token: an empty value or one with spaces")
    settings = {k: str(v) for k, v in read_config_file().items() if isinstance(v, str)}
    path = write_config_file({**settings, "token": token})
    print(safe(f"token saved to {path} (readable by you only)"), file=sys.stderr)
    return None


def _configure_cap(text: str) -> None:
    """``tokarc configure --max-units N``: the cap stored beside the token, which is kept."""
    try:
        units = parse_max_units(text)
    except InvalidInputError as exc:
        raise _errors.CLIError(str(exc)) from None
    settings = {k: str(v) for k, v in read_config_file().items() if isinstance(v, str)}
    path = write_config_file({**settings, "max_units": "none" if units is None else str(units)})
    cap = "no cap" if units is None else f"a cap of {units:,} units"
    print(safe(f"commands without --max-units now have {cap} (saved to {path})"), file=sys.stderr)


def doctor(ctx: typer.Context) -> None:
    """Check the setup: token present, API reachable, units used today.

    Example: tokarc doctor
    """
    state = session(ctx)
    print(f"token: {_token_source(state)}")
    with state.client() as client:
        print(safe(f"API: {client.config.base_url}"))
        today = dt.datetime.now(dt.UTC).date().isoformat()
        used = client.customer.get_usage(date=today).data
    print(safe(f"API reachable, token accepted; units used today: {_units(used)}"))


def _token_source(state: Any) -> str:
    if state.sandbox:
        return "not needed (--sandbox)"
    sources = (
        ("--token", state.token),
        (C.ENV_TOKEN, os.environ.get(C.ENV_TOKEN)),
        (C.ENV_TOKEN_FALLBACK, os.environ.get(C.ENV_TOKEN_FALLBACK)),
        (str(config_path()), read_config_file().get("token")),
    )
    for where, value in sources:
        if isinstance(value, str) and value.strip():
            return f"set (from {where})"
    return "missing"


#: How ``tokarc emulator`` is registered: its options are tokarc-emulator's, --help too.
EMULATOR_SETTINGS: dict[str, Any] = {
    "context_settings": {"allow_extra_args": True, "ignore_unknown_options": True},
    "add_help_option": False,
}


def emulator(ctx: typer.Context) -> None:
    """Serve the emulator over HTTP (the options of tokarc-emulator; --help lists them).

    Example: tokarc emulator --port 8765 --seed 1 --latency 0.05 --error-rate 0.02
    """
    from ..emulator.__main__ import main

    try:
        main(ctx.args)
    except SystemExit as exc:  # argparse: --help (0) or a bad option (2)
        raise typer.Exit(exc.code if isinstance(exc.code, int) else 2) from None
