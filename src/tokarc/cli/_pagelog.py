"""The page log from the command line: ``tokarc raw`` prints what was received, ``tokarc
rebuild`` derives the tables again from it (see ``docs/store.md``)."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ..store import Migrated, Store, json_in_rows, move_json_to_log
from ..store import rebuild as rebuild_tables
from . import _errors
from . import _options as O
from ._app import session
from ._progress import enabled
from ._stores import existing

_RECORDS = {"post": "--post", "user": "--user", "music": "--music", "comment": "--comment"}


def raw(
    db: O.DbRequired,
    page: Annotated[int | None, typer.Option(min=1, help="A page's response body.")] = None,
    item: Annotated[
        int | None, typer.Option(min=0, help="With --page: only its item at this position.")
    ] = None,
    post: Annotated[str | None, typer.Option(help="A post's JSON, by id.")] = None,
    user: Annotated[str | None, typer.Option(help="A user's JSON, by uid.")] = None,
    music: Annotated[str | None, typer.Option(help="A sound's JSON, by id.")] = None,
    comment: Annotated[str | None, typer.Option(help="A comment's JSON, by id.")] = None,
) -> None:
    """Print the JSON that was received: a page's whole response, or one record's, byte for
    byte (from the page log). No request is made.

    Example: tokarc raw --db magic.db --post 7301234567890123456
    """
    wanted = {"post": post, "user": user, "music": music, "comment": comment}
    chosen = [(entity, key) for entity, key in wanted.items() if key is not None]
    if len(chosen) + (page is not None) != 1:
        raise _errors.CLIError("give one of --page, --post, --user, --music or --comment")
    if item is not None and page is None:
        raise _errors.CLIError("--item goes with --page")
    with existing(db, read_only=True) as store:
        found = _page(store, page, item) if page is not None else _record(store, *chosen[0])
    sys.stdout.buffer.write(found + b"\n")
    sys.stdout.flush()


def _page(store: Store, page: int, item: int | None) -> bytes:
    body = store.page_body(page)
    if body is None:
        raise _errors.CLIError(f"page {page} has no body in the page log", _errors.FAILED)
    if item is None:
        return body
    found = store.page_item(page, item)
    if found is None:
        raise _errors.CLIError(f"page {page} has no item {item}", _errors.FAILED)
    return found


def _record(store: Store, entity: str, key: str) -> bytes:
    found = store.raw(entity, key)
    if found is None:
        raise _errors.CLIError(f"no {entity} {key} in this database", _errors.FAILED)
    return found


def rebuild(
    db: O.DbRequired,
    from_page: Annotated[
        int | None,
        typer.Option(min=1, help="Derive again only the pages from this one on (default: all)."),
    ] = None,
) -> None:
    """Derive every table (posts, users, sounds, hashtags, stats, sources, ...) again from the
    page log, with this tokarc's decoders: after a decoder was fixed or a column added. No
    request is made and no unit spent.

    Example: tokarc rebuild --db magic.db
    """
    started = time.perf_counter()
    with existing(db) as store:
        done = rebuild_tables(store, from_page)
    took = time.perf_counter() - started
    print(
        f"rebuilt from the page log: {done.pages:,} page(s), {done.records:,} record(s) "
        f"in {took:.1f} s; no request made, 0 units spent",
        file=sys.stderr,
    )


def migrate(ctx: typer.Context, db: O.DbRequired) -> None:
    """Move the JSON that the records of a database collected before the page log keep in
    their rows into the log, compressed (a fraction of the size on disk); reading them gives the
    same bytes after. Resumable: run it again after an interruption. No request is made.

    Example: tokarc migrate --db old.db
    """
    state = session(ctx)
    with existing(db) as store:
        total = json_in_rows(store)
        if not total:
            print("nothing to move: every record's JSON is in the page log", file=sys.stderr)
            return
        with _bar(state.console, state.quiet, total) as on_batch:
            done = move_json_to_log(store, on_batch)
        left = json_in_rows(store)
    if left:
        raise _errors.CLIError(f"moved {done.records:,} records, but {left:,} remain", 1)
    print(
        f"moved the JSON of {done.records:,} record(s) into {done.pages:,} page(s) of the page "
        "log, each checked; none left in its row",
        file=sys.stderr,
    )


@contextlib.contextmanager
def _bar(console: Console, quiet: bool, total: int) -> Iterator[Callable[[Migrated], None]]:
    """A progress bar of records moved, on a terminal; else nothing shown."""
    if not enabled(console, quiet):
        yield lambda done: None
        return
    columns = (TextColumn("moving JSON into the page log"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("records", total=total)
        yield lambda done: progress.update(task, completed=done.records)
