"""Commands over the archive: search, sql, browse, network, dehydrate, hydrate."""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .._files import atomic_file
from .._time import format_duration, parse_since
from ..analysis import (
    GRAPHS,
    SEARCH_SCOPES,
    Rate,
    Score,
    count_matches,
    datasette_app,
    network,
    overperforming,
    rising,
)
from ..analysis import build_network as build
from ..analysis import compare as compare_countries
from ..analysis import search as search_store
from ..analysis import write_network as write
from ..collect import Checkpoint, kinds_for
from ..collect import Sink as _Sink
from ..dataset import dehydrated, read_ids, record_gone
from ..status import JobStatus
from ..store import Store, is_postgres_url, run_sql
from ..targets import source_of as stored_source
from . import _errors, _tables
from . import _options as O
from ._app import session
from ._collect import RunOptions, build_spec, collect
from ._history import searched_handle
from ._options import pseudonymizer
from ._stores import check_output, existing
from ._text import cell, safe

Scope = StrEnum("Scope", {s: s for s in SEARCH_SCOPES})  # type: ignore[misc]
Graph = StrEnum("Graph", {g: g for g in GRAPHS})  # type: ignore[misc]


class SqlFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


Json = Annotated[bool, typer.Option("--json", help="JSON lines on stdout instead of a table.")]


def source_of(value: str | None) -> tuple[str, str] | None:
    """``KIND:TARGET`` as the source its records are stored under (``tokarc.targets``; a usage
    error when it is not one)."""
    return None if value is None else stored_source(value)


def _grid(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    table = Table(title=cell(title), title_justify="left")
    for h in headers:
        table.add_column(cell(h))
    for row in rows:
        table.add_row(*(cell(v) for v in row))
    return table


def search(
    query: Annotated[str, typer.Argument(help='Words, "a phrase", a OR b, -word.')],
    db: O.DbRequired,
    scope: Annotated[Scope, typer.Option("--in", help="What to search.")] = Scope.posts,  # type: ignore[attr-defined]
    limit: Annotated[int, typer.Option(min=1, help="How many matches.")] = 20,
    as_json: Json = False,
) -> None:
    """Full-text search of captions, comments, bios or transcripts, best matches first.

    A transcript match shows the cue, its time and the post's URL at that time. A query that
    is one handle, @old, finds the accounts once seen with it, under their handle now.

    Example: tokarc search --db magic.db "card trick" --in transcripts
    """
    if searched_handle(db, query, as_json):
        return
    with existing(db, read_only=True) as store:
        matches = search_store(store.db, query, str(scope.value), limit)
        total = count_matches(store.db, query, str(scope.value)) if len(matches) == limit else 0
    if as_json:
        for m in matches:
            print(json.dumps(m.__dict__, ensure_ascii=False))
        return
    headers = ["rank", "id", "created_at", "author", "sources", "text"]
    rows = [[m.rank, m.id, m.created_at, m.author, m.sources, m.text] for m in matches]
    if scope.value == "transcripts":
        headers += ["at", "url"]
        rows = [[*r, _clock(m.at_ms), m.url] for r, m in zip(rows, matches, strict=True)]
    found = f"{len(rows)} of {total} matches" if total > len(rows) else f"{len(rows)} matches"
    cut = f" (--limit {limit})" if total > len(rows) else ""
    _tables.stdout().print(_grid(f"{found} of {query!r} in {scope.value}{cut}", headers, rows))


def _clock(ms: int | None) -> str:
    """Milliseconds into a video as ``m:ss.d``."""
    if ms is None:
        return ""
    minutes, rest = divmod(ms, 60_000)
    return f"{minutes}:{rest / 1000:04.1f}"


def compare(
    db: O.DbRequired,
    source: Annotated[
        str, typer.Option("--source", metavar="KIND:TARGET", help="The search: keyword:TEXT.")
    ],
    top: Annotated[int, typer.Option(min=0, help="Top posts shown per country.")] = 3,
    as_json: Json = False,
) -> None:
    """The same search in many countries, compared: the posts each showed, those only it
    showed, each pair's overlap (Jaccard) and each one's top posts.

    Example: tokarc compare --db e.db --source keyword:election
    """
    kind, target = source_of(source) or ("", "")
    job_kinds = kinds_for(kind)
    if not job_kinds:
        raise _errors.CLIError(f"invalid --source {source!r}: no search collects {kind!r}")
    with existing(db, read_only=True) as store:
        result = compare_countries(store, job_kinds, target, top=top)
    if not result.countries:
        raise _errors.CLIError(f"invalid --source {source!r}: no job in {db} searched it")
    if as_json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
        return
    rows = [[c.country, ", ".join(map(str, c.jobs)), len(c.posts), len(c.only),
             "; ".join(f"@{t['author']} {t['plays'] or 0:,} plays" for t in c.top)]
            for c in result.countries]  # fmt: skip
    title = f"{source}: {len(result.countries)} countries"
    headers = ["country", "jobs", "posts", "only here", "top posts"]
    _tables.stdout().print(_grid(title, headers, rows))
    pairs = [[f"{a}-{b}", f"{j:.2f}"] for (a, b), j in result.overlap.items()]
    if pairs:
        _tables.stdout().print(_grid("overlap (Jaccard) of each pair", ["pair", "jaccard"], pairs))


class By(StrEnum):
    overperforming = "overperforming"


class Of(StrEnum):
    posts = "posts"
    hashtags = "hashtags"
    sounds = "sounds"


class Metric(StrEnum):
    plays = "plays"
    likes = "likes"
    comments = "comments"
    shares = "shares"


def top(
    db: O.DbRequired,
    by: Annotated[By, typer.Option(help="How they are ranked.")] = By.overperforming,
    of: Annotated[
        Of, typer.Option(help="Posts, or hashtags and sounds (posts per hour).")
    ] = Of.posts,
    metric: Annotated[Metric, typer.Option(help="The count compared (posts).")] = Metric.plays,
    since: Annotated[
        str | None, typer.Option(metavar="24h|2026-11-01", help="Posts created since then.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many posts.")] = 20,
    as_json: Json = False,
    out: Annotated[
        str | None, typer.Option("--out", "-o", metavar="FILE", help="Write CSV or JSONL.")
    ] = None,
) -> None:
    """Posts doing better than their own account's usual at the same age (its last 30
    posts' median), the highest score first; a baseline of fewer than 5 posts is marked thin.
    With --of hashtags or sounds: their posts per hour since --since (default 24h) against
    their own over the 7 days before.

    Example: tokarc top --db watch.db --by overperforming --since 24h
    """
    check_output(out, db)
    if out and Path(out).suffix.lower() not in (".csv", ".jsonl"):
        raise _errors.CLIError(f"invalid --out {out!r}: name it .csv or .jsonl")
    now = time.time()
    when = parse_since(since, now, "--since") if since else None
    with existing(db, read_only=True) as store:
        if of is Of.posts:
            found = overperforming(store, metric, since=when)[:limit]
            columns = {**_SCORE_COLUMNS, "value": str(metric.value)}
            return _show(out, as_json, [_score_record(s) for s in found], columns,
                         f"posts by {metric.value} against their account's usual")  # fmt: skip
        start = when if when is not None else now - 86_400
        rates = rising(store, str(of.value), since=start, now=now)[:limit]
    columns = {**_RATE_COLUMNS, "key": str(of.value)[:-1]}  # hashtag, sound
    return _show(out, as_json, [_rate_record(r) for r in rates], columns,
                 f"{of.value} by posts per hour against their own usual")  # fmt: skip


# The columns of ``tokarc top``'s files, and the headers of its table (the same order).
_SCORE_COLUMNS = {"id": "post", "author": "author", "created": None, "age": "age",
                  "value": "value", "baseline": "baseline", "score": "score",
                  "baseline_posts": "of posts", "trusted": None}  # fmt: skip
_RATE_COLUMNS = {"key": "name", "recent": "posts", "per_hour": "per hour",
                 "baseline_per_hour": "usual per hour", "score": "score",
                 "baseline_posts": "of posts", "trusted": None}  # fmt: skip


def _show(
    out: str | None,
    as_json: bool,
    records: list[dict[str, Any]],
    columns: dict[str, str | None],
    title: str,
) -> None:
    if out:
        _write_records(out, records, list(columns))
        print(safe(f"{len(records)} rows written to {out}"), file=sys.stderr)
    elif as_json:
        for r in records:
            print(json.dumps(r, ensure_ascii=False))
    else:
        shown = {k: h for k, h in columns.items() if h is not None}
        rows = [[_thin(r) if k == "baseline_posts" else r[k] for k in shown] for r in records]
        _tables.stdout().print(_grid(f"{len(rows)} {title}", list(shown.values()), rows))


def _thin(record: dict[str, Any]) -> str:
    return f"{record['baseline_posts']}{'' if record['trusted'] else ' (thin)'}"


def _rate_record(r: Rate) -> dict[str, Any]:
    return {
        "key": r.key,
        "recent": r.recent,
        "per_hour": round(r.per_hour, 2),
        "baseline_per_hour": round(r.baseline_per_hour, 2),
        "score": None if r.score is None else round(r.score, 2),
        "baseline_posts": r.baseline_posts,
        "trusted": r.trusted,
    }


def _score_record(s: Score) -> dict[str, Any]:
    return {
        "id": s.aweme_id,
        "author": s.author,
        "created": s.created,
        "age": format_duration(s.age),
        "value": s.value,
        "baseline": None if s.baseline is None else round(s.baseline, 1),
        "score": None if s.score is None else round(s.score, 2),
        "baseline_posts": s.baseline_posts,
        "trusted": s.trusted,
    }


def _write_records(out: str, records: list[dict[str, Any]], columns: list[str]) -> None:
    with atomic_file(out, "w", encoding="utf-8", newline="") as f:
        if out.lower().endswith(".jsonl"):
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            return
        writer = csv.DictWriter(f, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)


def sql(
    query: Annotated[str, typer.Argument(help="One SQL statement (read-only).")],
    db: O.DbRequired,
    format: Annotated[SqlFormat, typer.Option("--format", "-f", help="Output.")] = SqlFormat.table,
) -> None:
    """Run a read-only SQL query on a database: tables, views (post_view, daily_posts, ...).

    Example: tokarc sql --db magic.db "SELECT author_handle, COUNT(*) FROM post_view GROUP BY 1"
    """
    with existing(db, read_only=True):  # checks the database and brings its views up to date
        pass
    with run_sql(db, query) as result:
        _print_rows(result.columns, result.rows, format)


def _print_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: SqlFormat) -> None:
    if fmt is SqlFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt is SqlFormat.json:
        for row in rows:
            print(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str))
    else:
        _tables.stdout().print(_grid("", columns, rows))


def browse(
    db: O.DbRequired,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8001,
) -> None:
    """Browse and query a SQLite archive in Datasette on 127.0.0.1 (described, with queries).

    Example: tokarc browse --db magic.db --port 8001
    """
    if is_postgres_url(db):
        raise _errors.CLIError("invalid --db: browse serves a SQLite file (Datasette)")
    with existing(db, read_only=True):
        pass
    import uvicorn

    asgi = datasette_app(db)
    print(f"serving {db} at http://127.0.0.1:{port}/ (Ctrl-C stops)", file=sys.stderr)
    uvicorn.run(asgi, host="127.0.0.1", port=port, log_level="warning")


def network_(
    db: O.DbRequired,
    graph: Annotated[Graph, typer.Option(help="Which network.")],
    out: Annotated[
        str,
        typer.Option(
            "--out", "-o", metavar="FILE", help="FILE.gexf, FILE.graphml or FILE.csv (edges)."
        ),
    ],
    source: O.SourceOpt = None,
    pseudonymize: O.Pseudonymize = False,
    key_file: O.KeyFile = None,
) -> None:
    """Write a network (hashtags, author-hashtag, mentions, replies, followers, sounds).

    Example: tokarc network --db magic.db --graph hashtags -o hashtags.gexf
    """
    hide = pseudonymizer(pseudonymize, key_file)
    where = source_of(source)
    check_output(out, db)
    if Path(out).suffix.lower() not in (".gexf", ".graphml", ".csv"):
        raise _errors.CLIError(f"invalid --out {out!r}: FILE.gexf, FILE.graphml or FILE.csv")
    with existing(db, read_only=True) as store:
        net = build(store, str(graph.value), where)
        g = network(store, net, hide)
    write(g, out)
    print(
        f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges written to {out}",
        file=sys.stderr,
    )


def dehydrate(
    db: O.DbRequired,
    out: O.Out = "-",
    source: O.SourceOpt = None,
    users: Annotated[bool, typer.Option("--users", help="User ids instead of post ids.")] = False,
) -> None:
    """Write the ids of stored posts (or users), one per line, to share a dataset.

    Example: tokarc dehydrate --db magic.db --source hashtag:magic -o ids.txt
    """
    where = source_of(source)
    target = out or "-"
    if target != "-":
        check_output(target, db)
    with existing(db, read_only=True) as store:
        n = _write_ids(dehydrated(store, users=users, source=where), target)
    if target != "-":
        print(f"{n} {'user' if users else 'post'} ids written to {target}", file=sys.stderr)


def _write_ids(ids: Iterable[str], out: str) -> int:
    n = 0
    if out == "-":
        for i in ids:
            print(i)
            n += 1
        return n
    with atomic_file(out, "w", encoding="utf-8") as f:
        for i in ids:
            f.write(f"{i}\n")
            n += 1
    return n


def hydrate(
    ctx: typer.Context,
    ids: Annotated[
        str | None, typer.Argument(metavar="FILE|-", help="Post ids, one per line ('-': stdin).")
    ] = None,
    db: O.DbRequired = "",
    csv_file: Annotated[
        Path | None, typer.Option("--csv", metavar="FILE", help="Read the ids from a CSV column.")
    ] = None,
    column: Annotated[str, typer.Option(help="The CSV column with the ids.")] = "aweme_id",
    max_units: O.MaxUnits = None,
) -> None:
    """Collect posts again from their ids, 100 per call; records which are gone.

    Resumable: run it again (or `tokarc resume JOB`) and it goes on where it stopped.

    Example: tokarc hydrate ids.txt --db rehydrated.db --max-units 500
    """
    if not db:
        raise _errors.CLIError("invalid --db: give the database to hydrate into")
    wanted = _hydrate_ids(ids, csv_file, column)
    run = RunOptions(max_units=max_units)
    spec = build_spec("posts", run=run, ids=wanted)
    state = session(ctx)
    collect(state, spec, _Sink(db=db), run)
    with existing(db) as store:  # writes what is gone
        gone = _gone(store, spec)
    state.say(
        f"{len(wanted) - len(gone)} of {len(wanted)} posts hydrated; {len(gone)} gone "
        "(recorded in the table `gone`)"
    )


def _hydrate_ids(ids: str | None, csv_file: Path | None, column: str) -> list[str]:
    if (ids is None) == (csv_file is None):
        raise _errors.CLIError("give the ids: FILE, '-' (stdin) or --csv FILE --column NAME")
    try:
        if csv_file is not None:
            with csv_file.open(newline="", encoding="utf-8") as f:
                found = read_ids(f, column)
        elif ids == "-":
            found = read_ids(sys.stdin)
        else:
            with open(str(ids), encoding="utf-8") as f:
                found = read_ids(f)
    except (OSError, UnicodeDecodeError) as exc:
        raise _errors.CLIError(f"invalid ids file: {exc}") from None
    if not found:
        raise _errors.CLIError("invalid ids: the file holds none")
    return found


def _gone(store: Store, spec: Any) -> list[str]:
    """Record the ids of the batches the hydration job has done that did not come back."""
    jobs = [j for j in store.list_jobs(kind="posts") if j.options.get("ids") == list(spec.ids)]
    job = jobs[-1]
    checkpoint = Checkpoint.from_json(job.checkpoint)
    batches = checkpoint.batch if checkpoint else 0
    if job.status == JobStatus.DONE:
        batches = len(spec.ids)  # every batch (at most one id each)
    return record_gone(store, job.id, spec.ids, batches)
