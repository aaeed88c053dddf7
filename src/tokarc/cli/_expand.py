"""``tokarc expand``: a collection grown into its network, planned, priced, within a budget."""

from __future__ import annotations

import enum
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import workers as W  # its names load when first used (procrastinate: ~90 ms)
from .._wiring import open_store
from ..collect import (
    BUDGET,
    DEFAULT_CONCURRENCY,
    STEPS,
    ExpandSpec,
    Expansion,
    ExpansionEstimate,
    ExpansionReport,
    JobReport,
    StepReport,
)
from ..collect import EXPANSION_KIND as KIND
from ..store import Job, Store, is_postgres_url
from . import _cap, _errors, _tables
from . import _options as O
from ._app import Session, session
from ._signals import stop_on_signals, stopped
from ._stores import existing


class OrderChoice(enum.StrEnum):
    plays = "plays"
    followers = "followers"
    recent = "recent"


Source = Annotated[
    str | None,
    typer.Option(
        "--from",
        metavar="KIND:TARGET",
        help="The seed: hashtag:NAME, keyword:WORDS, sound:ID, user:NAME (the account's posts), "
        "profile:NAME or post:ID.",
    ),
]
FromFile = Annotated[
    Path | None,
    typer.Option("--from-file", metavar="FILE", help="The seed: post ids or URLs, one a line."),
]
To = Annotated[
    str,
    typer.Option("--to", metavar="STEP[,STEP...]", help=f"Steps, each of: {', '.join(STEPS)}."),
]
Depth = Annotated[
    int, typer.Option(help="How many times the steps run, each on what the last found.")
]
PerTarget = Annotated[
    int, typer.Option(help="Items each target collects, and records it passes to the next depth.")
]
OrderOpt = Annotated[
    OrderChoice, typer.Option("--order", help="Which records go first: plays, followers, recent.")
]
FreshFor = Annotated[
    str, typer.Option(help="Skip a profile or feed collected this recently (7d, 12h, 0).")
]
Json = Annotated[bool, typer.Option("--json", help="JSON on stdout instead of a table.")]


def expand(
    ctx: typer.Context,
    db: O.DbRequired,
    to: To,
    source: Source = None,
    from_file: FromFile = None,
    depth: Depth = 1,
    max_units: O.MaxUnits = None,
    per_target: PerTarget = 10,
    order: OrderOpt = OrderChoice.plays,
    estimate: O.Estimate = False,
    fresh_for: FreshFor = "7d",
    as_json: Json = False,
    concurrency: O.Concurrency = DEFAULT_CONCURRENCY,
) -> None:
    """Grow a collection into its network: authors, their posts, comments, commenters,
    followers, followings, sound and hashtag posts; breadth-first, within --max-units.

    Example: tokarc expand --db m.db --from hashtag:magic --to authors,followers --max-units 200
    """
    ids = _read_ids(from_file) if from_file is not None else []
    spec = ExpandSpec.build(
        source or "",
        to,
        ids=ids,
        depth=depth,
        max_units=max_units,
        per_target=per_target,
        order=order.value,
        fresh_for=fresh_for,
    )
    if estimate:
        return _estimate(db, spec, as_json)
    if session(ctx).enqueue:
        return _enqueue(session(ctx), db, spec)
    with open_store(db) as store:
        expansion = Expansion(None, store, spec, concurrency=concurrency)
        _run(session(ctx), store, db, expansion, as_json)
    return None


def resume_expansion(
    state: Session, db: str, job_id: int, max_units: int | None, max_items: int | None = None
) -> bool:
    """Go on with the stored expansion ``job_id`` (``tokarc resume``); False if it is not one."""
    with existing(db) as store:
        try:
            job = store.get_job(job_id)
        except KeyError:
            return False
        if job.kind != KIND:
            return False
        if max_items is not None:
            raise _errors.CLIError("invalid --max-items for an expansion: its --per-target is set")
        spec = ExpandSpec.from_job(job)
        cap = _cap.current()
        if cap is None or not cap.is_default:  # a budget over all its runs: kept unless given
            spec = ExpandSpec(**{**spec.__dict__, "max_units": max_units})
        _run(state, store, db, Expansion(None, store, spec), False)
    return True


def _read_ids(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _errors.CLIError(
            f"invalid --from-file {str(path)!r}: {exc.__class__.__name__}"
        ) from None
    ids = [line.strip() for line in text.splitlines()]
    ids = [i for i in ids if i and not i.startswith("#")]
    if not ids:
        raise _errors.CLIError(f"invalid --from-file {str(path)!r}: no post ids in it")
    return ids


def _estimate(db: str, spec: ExpandSpec, as_json: bool) -> None:
    """Priced from what the database holds (nothing sent, nothing stored)."""
    missing = not is_postgres_url(db) and not os.path.exists(db)
    with open_store(":memory:" if missing else db) as store:
        est = Expansion(None, store, spec).estimate()
    _print_estimate(est, as_json)


def _print_estimate(est: ExpansionEstimate, as_json: bool) -> None:
    source = {True: "stored records", False: "previous depth"}
    rows = [[s.depth, s.step, s.targets, s.units, source[s.stored]] for s in est.steps]
    if as_json:
        for s in est.steps:
            print(
                json.dumps(
                    {
                        "depth": s.depth,
                        "step": s.step,
                        "targets": s.targets,
                        "units": s.units,
                        "from_stored": s.stored,
                    }
                )
            )
        print(json.dumps({"units": est.units, "max_units": est.max_units}))
        return
    budget = "" if est.max_units is None else f" (budget {est.max_units})"
    title = f"expansion: at most {est.units} units{budget}; targets at most; nothing sent"
    grid = _tables.table(title, ["depth", "step", "targets", "units", "bounded from"], rows)
    _tables.stdout().print(grid)


def _enqueue(state: Session, db: str, spec: ExpandSpec) -> None:
    """``--enqueue``: the expansion becomes one job on the workers' queue (a worker runs its
    plan, its targets together; a stopped worker's expansion goes on from its state)."""
    W.require_postgres(db, "--enqueue")
    with open_store(db) as store:
        job = Expansion(None, store, spec).job()
    queued = W.Workers(db).enqueue([job.id], queue=state.queue)[0]
    print(job.id)
    how = "queued" if queued is not None else "already queued"
    state.say(f"expansion {job.id} {spec.label}: {how} on {state.queue!r}")


def _run(state: Session, store: Store, db: str, expansion: Expansion, as_json: bool) -> None:
    job = expansion.job()
    expansion.on_target = _progress(state)
    with state.client() as client:
        expansion.client = client
        try:
            with stop_on_signals():  # SIGTERM, SIGHUP: as Ctrl-C, every target at a page boundary
                report = expansion.run()
        except BaseException as exc:
            raise _failed(state, exc, job, db) from exc
    _print_report(report, as_json)
    state.say(
        f"expansion {job.id}: {report.status} ({report.stop_reason}), {report.units} units"
        + ("" if report.max_units is None else f" of {report.max_units}")
    )
    if report.stop_reason == BUDGET:
        again = f"tokarc{state.flags()} resume {job.id} --db {db}"
        state.say(_cap.stopped_at(again, report.max_units))


def _progress(state: Session) -> Any:
    def say(report: JobReport) -> None:
        end = report.outcome or report.stop_reason
        state.say(
            f"job {report.job_id} {report.kind} {report.target}: {report.status} ({end}), "
            f"{report.new} new, {report.units} units"
        )

    return say


def _failed(state: Session, exc: BaseException, job: Job, db: str) -> BaseException:
    again = f"; go on with: tokarc{state.flags()} resume {job.id} --db {db}"
    if (by_signal := stopped(exc, again)) is not None:
        return by_signal
    if not isinstance(exc, Exception):
        return exc
    code, message = _errors.describe(exc)
    return _errors.CLIError(message + again, code)


_COLUMNS = ["depth", "step", "planned", "done", "fresh", "failed", "not reached", "units"]


def _print_report(report: ExpansionReport, as_json: bool) -> None:
    if as_json:
        for s in report.steps:
            print(
                json.dumps(
                    {
                        "depth": s.depth,
                        "step": s.step,
                        "planned": s.planned,
                        "done": s.done,
                        "fresh": s.fresh,
                        "failed": s.failed,
                        "not_reached": s.pending,
                        "units": s.units,
                    }
                )
            )
        print(
            json.dumps(
                {
                    "job": report.job_id,
                    "status": report.status,
                    "stop_reason": report.stop_reason,
                    "units": report.units,
                    "max_units": report.max_units,
                    "caps": [c.public() for c in report.caps],
                }
            )
        )
        return
    rows = [
        [s.depth, s.step, s.planned, s.done, s.fresh, _failures(s), s.pending, s.units]
        for s in report.steps
    ]
    title = f"expansion {report.job_id}: {report.status}, {report.units} units"
    _tables.stdout().print(_tables.table(title, _COLUMNS, rows))
    for cap in report.caps:  # what cut it short: said, not left to --help
        _tables.stdout().print(cap.text(), highlight=False, markup=False)


def _failures(s: StepReport) -> str:
    return ", ".join(f"{n} {why}" for why, n in sorted(s.failed.items())) or "0"
