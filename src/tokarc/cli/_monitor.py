"""Monitoring commands: ``tokarc watch ...`` (watchlists and their scheduler) and ``report``."""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .._wiring import open_store
from ..monitor import (
    WATCH_KINDS,
    Alerts,
    Scheduler,
    Watch,
    Watches,
    WatchRun,
    check_email,
    check_webhook,
    format_duration,
    parse_duration,
    status_text,
)
from ..status import RunStatus
from ..store import Store
from . import _errors
from . import _options as O
from ._app import Session, session
from ._stores import check_output, existing, readable
from ._text import cell, safe, title

WATCH_HELP = (
    "Follow hashtags, keywords, accounts, sounds or stored posts on a schedule, within a "
    "daily unit budget.\n\nExample: tokarc watch add hashtag magic --every 1h --budget 200 "
    "--db watch.db"
)


Kind = StrEnum("Kind", [(k, k) for k in WATCH_KINDS])  # type: ignore[misc]


Ref = Annotated[str, typer.Argument(help="The watch: its id or KIND:TARGET (see `watch list`).")]
Workers = Annotated[int, typer.Option(min=1, help="Watches run at once (threads).")]
AlertRules = Annotated[
    list[str] | None,
    typer.Option(
        "--alert",
        metavar="RULE",
        help="Alert when a tick meets RULE: new_posts>N, plays_per_hour>N, spike, gone, "
        "overperforming>X (or overperforming:likes>X) (repeatable; posted to --webhook, else "
        "recorded only: see `tokarc alerts`).",
    ),
]
Webhook = Annotated[
    str | None,
    typer.Option(
        metavar="URL",
        help="POST alerts here as JSON (a Slack incoming webhook works); a digest watch's digest.",
        show_default=False,
    ),
]
Emails = Annotated[
    list[str] | None,
    typer.Option(
        "--email",
        metavar="TO",
        help="digest: e-mail it here (TOKARC_SMTP_URL); repeatable.",
        show_default=False,
    ),
]
Sources = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="KIND:TARGET",
        help="digest: only this source (default: every source); repeatable.",
        show_default=False,
    ),
]


def _existing(db: str, *, read_only: bool = False) -> Store:
    """An existing store (a missing SQLite file is an error, not a new empty database), read
    only by commands that only read it."""
    _not_memory(db)
    return existing(db, read_only=read_only)


def _not_memory(db: str) -> None:
    if db == ":memory:":
        raise _errors.CLIError("invalid --db ':memory:': watches need a database file or URL")


def _find(watches: Watches, ref: str) -> Watch:
    try:
        return watches.resolve(ref)
    except KeyError:
        message = f"invalid watch {ref!r}: no such watch (see `tokarc watch list`)"
        raise _errors.CLIError(message) from None


def _describe(w: Watch) -> str:
    state = ", paused" if w.paused else ""
    if not w.spec.requests:
        return (
            f"{w.label} (id {w.id}): every {format_duration(w.every_s)}, the last "
            f"{format_duration(w.window_s)} to {_destinations(w)}, no units (no request){state}"
        )
    budget = f"{w.budget} units/day" if w.budget is not None else "no budget"
    to = f"to {w.public()['webhook']}" if w.webhook else "recorded (not delivered: no webhook)"
    alerts = f", alerts {' '.join(w.alert_rules)} {to}" if w.alert_rules else ""
    return (
        f"{w.label} (id {w.id}): every {format_duration(w.every_s)}, window "
        f"{format_duration(w.window_s)}, {budget}{state}{alerts}"
    )


def _destinations(w: Watch) -> str:
    """A digest watch's addresses and webhook (its path hidden)."""
    return ", ".join([*w.emails, *([w.public()["webhook"]] if w.webhook else [])])


def watch_add(
    kind: Annotated[Kind, typer.Argument(help="What to watch.")],
    db: O.DbRequired,
    target: Annotated[
        str | None,
        typer.Argument(
            help="Hashtag, keyword, username, music id; for posts: all, "
            "KIND:TARGET (posts that watch found) or ids (comma-separated); none for a digest "
            "(--source).",
            show_default=False,
        ),
    ] = None,
    every: Annotated[str, typer.Option(help="How often: 30m, 1h, 1d...")] = "1h",
    window: Annotated[
        str | None,
        typer.Option(help="How far back a run looks: 1d, 7d... [default: 7d]", show_default=False),
    ] = None,
    budget: Annotated[
        int | None, typer.Option(min=1, help="Units a day at most.", show_default=False)
    ] = None,
    alert: AlertRules = None,
    webhook: Webhook = None,
    email: Emails = None,
    source: Sources = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="digest: the period each covers: 24h, 7d... [default: --every]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Add a watch; it is due at once. With --alert, a tick that meets a rule records an alert
    (see `tokarc alerts`), posted to --webhook when there is one. A digest watch sends the
    digest of the last --since (`tokarc digest`) to --email and --webhook every --every, once
    a period each; it makes no request.

    Example: tokarc watch add hashtag magic --every 1h --budget 200 --alert new_posts>50
    --webhook https://hooks.slack.com/services/... --db watch.db; tokarc watch add digest
    --every 1d --email desk@example.org --source hashtag:magic --db watch.db
    """
    target, window = _target_and_window(kind.value, target, window, source or (), since)
    parse_duration(every, "every"), parse_duration(window or every, "window")  # no database
    with open_store(db) as store:
        if source:
            from ..report import check_sources  # as `tokarc digest` checks them

            check_sources(store, source)
        w = Watches(store).add(
            kind.value,
            target,
            every=every,
            window=window,
            budget=budget,
            alerts=alert or (),
            webhook=webhook,
            emails=email or (),
        )
    print(safe(f"watching {_describe(w)}"))


def _target_and_window(
    kind: str, target: str | None, window: str | None, sources: Sequence[str], since: str | None
) -> tuple[str, str | None]:
    """A digest's target is its --source list (``all`` without), its window its --since; the
    other kinds take a TARGET and --window."""
    if kind != "digest":
        if sources or since is not None:
            given = "--source" if sources else "--since"
            raise _errors.CLIError(f"invalid {given} for a {kind} watch: only a digest takes it")
        if target is None:
            raise _errors.CLIError(f"missing TARGET: the {kind} to watch")
        return target, window
    if target is not None or window is not None:
        given = f"TARGET {target!r}" if target is not None else "--window"
        raise _errors.CLIError(
            f"invalid {given} for a digest watch: --source KIND:TARGET and --since say what "
            "it covers"
        )
    if since is not None:
        parse_duration(since, "since")  # a period that repeats: a duration, not a date
    return ",".join(sources) or "all", since


def watch_edit(
    ref: Ref,
    db: O.DbRequired,
    every: Annotated[str | None, typer.Option(help="How often.", show_default=False)] = None,
    window: Annotated[
        str | None, typer.Option(help="How far back a run looks.", show_default=False)
    ] = None,
    budget: Annotated[
        int | None, typer.Option(min=1, help="Units a day at most.", show_default=False)
    ] = None,
    no_budget: Annotated[bool, typer.Option("--no-budget", help="No daily budget.")] = False,
    alert: AlertRules = None,
    remove_alert: Annotated[
        list[str] | None,
        typer.Option("--remove-alert", metavar="RULE", help="Drop an alert rule (repeatable)."),
    ] = None,
    webhook: Webhook = None,
) -> None:
    """Change a watch's interval, window, budget, alert rules or webhook; the rest stays.

    Example: tokarc watch edit hashtag:magic --every 30m --budget 500 --alert spike --db watch.db
    """
    if budget is not None and no_budget:
        raise _errors.CLIError("invalid --budget with --no-budget: give one of them")
    with _existing(db) as store:
        watches = Watches(store)
        w = watches.edit(
            _find(watches, ref).id,
            every=every,
            window=window,
            budget=budget,
            no_budget=no_budget,
            add_alerts=alert or (),
            remove_alerts=remove_alert or (),
            webhook=webhook,
        )
    print(safe(f"changed {_describe(w)}"))


def watch_list(
    db: O.DbRequired,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines on stdout.")] = False,
) -> None:
    """The watches, when each is next due, and how its last run went.

    Example: tokarc watch list --db watch.db
    """
    with _existing(db, read_only=True) as store:
        watches = Watches(store).all()
    if as_json:
        for w in watches:
            print(json.dumps(w.public()))
        return
    console = Console(highlight=False, soft_wrap=True)  # wide enough not to cut when piped
    (console if console.is_terminal else Console(highlight=False, width=200)).print(
        _table(db, watches, time.time())
    )


def _table(db: str, watches: list[Watch], now: float) -> Table:
    table = Table(title=title(f"watches in {db}"), title_justify="left")
    alerts = any(w.alert_rules for w in watches)  # the column only when some watch has rules
    sends = any(not w.spec.requests for w in watches)  # and only when some is a digest
    heads = (
        "id",
        "watch",
        "every",
        "window",
        "budget",
        *(["alerts"] if alerts else []),
        *(["sends to"] if sends else []),
        "state",
        "next due",
        "last",
    )
    for h in heads:
        table.add_column(h, no_wrap=h in ("watch", "next due"))
    for w in watches:
        last = f"{w.last_status}: {w.last_message}" if w.last_status else ""
        rules = [" ".join(w.alert_rules)] if alerts else []
        to = [_destinations(w) if not w.spec.requests else ""] if sends else []
        values = (
            w.id,
            w.label,
            format_duration(w.every_s),
            format_duration(w.window_s),
            w.budget or ("no request" if not w.spec.requests else ""),
            *rules,
            *to,
            w.state(),
            w.due_text(now),
            last,
        )
        table.add_row(*(cell(v) for v in values))
    return table


def alerts_list(
    db: O.DbRequired,
    watch: Annotated[
        str | None,
        typer.Option("--watch", help="Only this watch (id or KIND:TARGET).", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines on stdout.")] = False,
) -> None:
    """The alerts watches raised: when, which rule, what was said, and whether it was sent.

    Example: tokarc alerts --db watch.db
    """
    with _existing(db, read_only=True) as store:
        watch_id = _find(Watches(store), watch).id if watch else None
        found = Alerts(store).all(watch_id)
    if as_json:
        for a in found:
            print(json.dumps({**a.__dict__, "payload": json.loads(a.payload)}))
        return
    table = Table(title=title(f"alerts in {db}"), title_justify="left")
    for h in ("id", "at", "watch", "rule", "status", "tries", "text"):
        table.add_column(h)
    for a in found:
        status = status_text(a.status, a.error)
        cells = (str(a.id), a.created_at, str(a.watch_id), a.rule, status, str(a.attempts), a.text)
        table.add_row(*(cell(c) for c in cells))
    console = Console(highlight=False, soft_wrap=True)  # wide enough not to cut when piped
    (console if console.is_terminal else Console(highlight=False, width=200)).print(table)


def watch_remove(ref: Ref, db: O.DbRequired) -> None:
    """Forget a watch and its run history (what it collected stays in the database).

    Example: tokarc watch remove hashtag:magic --db watch.db
    """
    with _existing(db) as store:
        watches = Watches(store)
        w = _find(watches, ref)
        watches.remove(w.id)
    print(safe(f"removed {w.label} (id {w.id})"))


def watch_pause(ref: Ref, db: O.DbRequired) -> None:
    """Stop running a watch until `watch resume`.

    Example: tokarc watch pause hashtag:magic --db watch.db
    """
    _set_paused(db, ref, True)


def watch_resume(ref: Ref, db: O.DbRequired) -> None:
    """Run a paused watch again.

    Example: tokarc watch resume hashtag:magic --db watch.db
    """
    _set_paused(db, ref, False)


def _set_paused(db: str, ref: str, paused: bool) -> None:
    with _existing(db) as store:
        watches = Watches(store)
        w = watches.set_paused(_find(watches, ref).id, paused)
    print(safe(f"{'paused' if paused else 'resumed'} {_describe(w)}"))


def _scheduler(state: Session, db: str, workers: int) -> Scheduler:
    with _existing(db) as store:  # migrated here, before the threads open it
        requests = any(w.spec.requests for w in Watches(store).all())
    if requests:  # a token, unless only digests run; --sandbox: one emulator, made before
        state.client().close()
    from ..report import RUNNERS  # digest watches; loaded when ticking

    return Scheduler(db, state.client, workers=workers, runners=RUNNERS)


def _show(runs: list[WatchRun]) -> bool:
    """Print each run on stdout; True if all went well."""
    for run in runs:
        print(safe(run.line()), flush=True)
    return all(r.status != RunStatus.FAILED for r in runs)


def watch_tick(ctx: typer.Context, db: O.DbRequired, workers: Workers = 4) -> None:
    """Run every due watch once (incremental jobs), then exit: for cron. Two ticks at once
    never run the same watch. Exit 1 if a watch's run failed.

    Example: tokarc watch tick --db watch.db
    """
    scheduler = _scheduler(session(ctx), db, workers)
    with _stop_on_signals(scheduler, session(ctx)):
        runs = scheduler.tick()
    if not runs:
        session(ctx).say("no watch is due")
    if not _show(runs):
        raise typer.Exit(_errors.FAILED)


def watch_run(
    ctx: typer.Context,
    db: O.DbRequired,
    workers: Workers = 4,
    poll: Annotated[float, typer.Option(min=0.1, help="Seconds between ticks.")] = 30.0,
    ticks: Annotated[
        int | None, typer.Option(min=1, help="Stop after N ticks.", show_default=False)
    ] = None,
) -> None:
    """Tick every --poll seconds until Ctrl-C or SIGTERM, which let each running watch finish
    its current page and release it.

    Example: tokarc watch run --db watch.db --poll 60
    """
    scheduler = _scheduler(session(ctx), db, workers)
    with _stop_on_signals(scheduler, session(ctx)):
        scheduler.run(poll=poll, max_ticks=ticks, on_tick=_show)
    session(ctx).say("stopped")


@contextmanager
def _stop_on_signals(scheduler: Scheduler, state: Session) -> Iterator[None]:
    """SIGINT / SIGTERM ask the scheduler to stop (after the current page) instead of killing."""

    def stop(signum: int, frame: FrameType | None) -> None:
        state.say("stopping: finishing the current page of each running watch")
        scheduler.stop()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def report(
    db: O.DbRequired,
    out: Annotated[str, typer.Option("--out", "-o", metavar="FILE", help="The HTML file.")],
    since: Annotated[
        str | None,
        typer.Option(help="Posts created since: 7d, 2026-11-01.", show_default=False),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            metavar="KIND:TARGET",
            help="Only this source: hashtag:magic, user_posts:zachking, or a watch "
            "(user:zachking, its id); repeatable.",
        ),
    ] = None,
    watch: Annotated[
        list[str] | None,
        typer.Option("--watch", help="Only this watch's source (id or KIND:TARGET); repeatable."),
    ] = None,
    media: Annotated[
        str | None,
        typer.Option(
            metavar="DIR",
            show_default=False,
            help="The media archive's root, for thumbnails (default: where the database's "
            "media were downloaded to, else media/ beside a SQLite file).",
        ),
    ] = None,
) -> None:
    """One self-contained HTML file (opens offline) of every source in the database (jobs and
    watches): what changed since the last report (new and gone posts, spikes, rising
    hashtags, alerts), posts per day, engagement, top posts with thumbnails, top authors, a
    hashtag network, sounds rising, growth of tracked posts, units per day, and a section per
    source.

    Example: tokarc report --db watch.db -o report.html --since 7d --source hashtag:magic
    """
    check_output(out, db)
    _not_memory(db)
    with readable(db) as store:
        from ..report import write_report  # loaded when reporting: charts, templates

        result = write_report(
            store, out, since=since, sources=source or (), watches=watch or (), media=media
        )
    print(
        safe(f"wrote {out} ({len(result.charts)} charts, {len(result.html) // 1024:,} KiB)"),
        file=sys.stderr,
    )


def digest(
    db: O.DbRequired,
    since: Annotated[str, typer.Option(help="The period: 24h, 7d, 2026-11-01.")] = "24h",
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", metavar="KIND:TARGET", help="Only this source (or watch); repeatable."
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out", "-o", metavar="FILE", help="digest.md, .html or .json (else stdout)."
        ),
    ] = None,
    email: Annotated[
        list[str] | None,
        typer.Option(metavar="TO", help="E-mail it (TOKARC_SMTP_URL); once a period; repeatable."),
    ] = None,
    webhook: Annotated[
        list[str] | None,
        typer.Option(metavar="URL", help="POST it (Slack-compatible); once a period; repeatable."),
    ] = None,
) -> None:
    """A short summary of what changed over a period, to read on a phone: units spent, new and
    gone posts, the top overperformers, hashtags and sounds rising, alerts. Nothing is fetched.
    With --email or --webhook it is sent, once per period per destination.

    Example: tokarc digest --db watch.db --since 24h -o digest.html
    """
    check_output(out, db)
    _not_memory(db)
    for url in webhook or ():
        check_webhook(url)
    for to in email or ():
        check_email(to)
    with existing(db) as store:  # it records what it sent
        from ..report import deliver, period_of, write_digest  # loaded when reporting

        now = time.time()
        d = write_digest(store, out, since=since, sources=source or (), now=now,
                         show=not (email or webhook))  # fmt: skip
        period = period_of(since, source or (), now)
        sent = deliver(store, d, period, emails=email or (), webhooks=webhook or (), now=now)
    if out:
        print(safe(f"wrote {out}"), file=sys.stderr)
    for s in sent:
        print(safe(s.line()), file=sys.stderr)
    if any(s.outcome == "failed" for s in sent):
        raise _errors.CLIError("the digest was not delivered everywhere", _errors.FAILED)
