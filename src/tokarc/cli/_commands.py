"""Collecting commands, one per section of the API guide: parse options, build a job, run it.

The options they share are written once, in :func:`._job_options.job_options`. Targets are
passed on as typed: the job spec normalizes them, once (``#``/``@`` prefixes, spaces, a
hashtag's case)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

from ..collect import DEFAULT_CONCURRENCY, JobSpec, Sink
from ..errors import InvalidInputError
from . import _errors
from . import _options as O
from ._app import session
from ._collect import RunOptions, build_spec, collect, fits_budget, ids_of
from ._job_options import job_options
from ._many import collect_many
from ._targets import Target, read_targets

MUSIC_HELP = "Sounds: search them, their posts, their details.\n\nExample: tokarc music search lofi"


def _go(
    ctx: typer.Context, kind: str, target: str, sink: Sink, run: RunOptions, **options: Any
) -> None:
    spec = build_spec(kind, target, run=run, **options)
    collect(session(ctx), spec, sink, run)


def _go_all(
    ctx: typer.Context, specs: list[JobSpec], sink: Sink, run: RunOptions, concurrency: int
) -> None:
    """One target: its job, as ever; many: one job each, ``concurrency`` of them at a time
    (``_many``)."""
    if len(specs) == 1:
        return collect(session(ctx), specs[0], sink, run)
    return collect_many(session(ctx), specs, sink, run, concurrency)


def _specs(targets: Sequence[Target], build: Callable[[str], JobSpec]) -> list[JobSpec]:
    """A checked spec per target (an error names the bad one and its line: nothing is sent),
    each data set once (``#Magic`` and ``magic`` are one hashtag)."""
    specs: dict[str, JobSpec] = {}
    for target in targets:
        try:
            spec = build(target.text)
            spec.check()
        except InvalidInputError as exc:
            raise target.refuse(exc) from None
        key = json.dumps([spec.kind, spec.target, spec.identity()], sort_keys=True, default=str)
        specs.setdefault(key, spec)
    return list(specs.values())


def _each(
    ctx: typer.Context,
    kind: str,
    targets: list[Target],
    sink: Sink,
    run: RunOptions,
    *,
    concurrency: int,
    **options: Any,
) -> None:
    specs = _specs(targets, lambda text: build_spec(kind, text, run=run, **options))
    _go_all(ctx, specs, sink, run, concurrency)


def _post_id(target: Target) -> Target:
    """A post URL as its id (an error names the bad one and where it was given)."""
    try:
        return Target(ids_of([target.text])[0], target.origin)
    except InvalidInputError as exc:
        raise target.refuse(exc) from None


def _params(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v is not False}


@job_options()
def hashtag(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Hashtags, without '#'.", metavar="HASHTAG", show_default=False),
    ] = None,
    from_file: O.FromFile = None,
    concurrency: O.Concurrency = DEFAULT_CONCURRENCY,
    days: O.Days = None,
    since: O.Since = None,
    full: O.Full = False,
    max_cursor: O.MaxCursor = None,
    paged_fallback: O.PagedFallback = False,
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """Posts using a hashtag (Hashtag Search; --full: Full Hashtag Search). Many hashtags
    (or --from-file): one job each, --concurrency at a time, --max-units shared.

    Example: tokarc hashtag magic --days 7 --db magic.db
    """
    targets = read_targets(names or [], from_file, "HASHTAG")
    if not full and (max_cursor is not None or paged_fallback):
        raise _errors.CLIError("invalid --max-cursor or --paged-fallback: they go with --full")
    if not full:
        return _each(
            ctx, "hashtag", targets, sink, run, concurrency=concurrency, days=days, since=since
        )
    params = _params(days=None if days is None else max(1, round(days)), max_cursor=max_cursor)

    def build(name: str) -> JobSpec:
        spec = build_spec("full_hashtag", name, run=run, days=days, since=since, params=params)
        if paged_fallback and not fits_budget(spec):
            session(ctx).say(
                f"the full search of {name} may cost more than --max-units "
                f"{run.max_units}: paging the hashtag instead"
            )
            spec = build_spec("hashtag", name, run=run, days=days, since=since)
        return spec

    return _go_all(ctx, _specs(targets, build), sink, run, concurrency)


@job_options()
def keyword(
    ctx: typer.Context,
    texts: Annotated[
        list[str] | None,
        typer.Argument(help="Keywords or phrases.", metavar="KEYWORD", show_default=False),
    ] = None,
    from_file: O.FromFile = None,
    concurrency: O.Concurrency = DEFAULT_CONCURRENCY,
    period: Annotated[
        int, typer.Option(help="Server-side: posts of the last 0 (any), 1, 7, 30, 90, 180 days.")
    ] = 0,
    sort: Annotated[O.KeywordSort | None, typer.Option(help="Order of results.")] = None,
    country: O.Countries = None,
    exact: Annotated[bool, typer.Option(help="Match the keyword exactly.")] = False,
    full: O.Full = False,
    days: O.Days = None,
    since: O.Since = None,
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """Posts matching a keyword (Keyword Search; --full: Full Keyword Search).

    Example: tokarc keyword "magic trick" --period 7 --sort likes -o posts.csv
    """
    targets = read_targets(texts or [], from_file, "KEYWORD")
    params = _params(
        period=str(period),
        sorting=O.KEYWORD_SORTING[sort.value] if sort else None,
        match_exactly=exact,
    )
    kind = "full_keyword" if full else "keyword"
    specs = [  # the same search in each country: a job each, recorded with its country
        spec
        for code in O.countries(country)
        for spec in _specs(
            targets,
            lambda text, code=code: build_spec(  # type: ignore[misc]
                kind, text, run=run, days=days, since=since, params=_params(**params, country=code)
            ),
        )
    ]
    _go_all(ctx, specs, sink, run, concurrency)


@job_options(walk=False)
def user(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Usernames, without '@'.", metavar="USERNAME", show_default=False),
    ] = None,
    from_file: O.FromFile = None,
    concurrency: O.Concurrency = DEFAULT_CONCURRENCY,
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """A user's profile and stats (User Info); of many users with several names or
    --from-file.

    Example: tokarc user zachking
    """
    targets = read_targets(names or [], from_file, "USERNAME")
    _each(ctx, "user", targets, sink, run, concurrency=concurrency)


@job_options()
def user_posts(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Usernames, without '@'.", metavar="USERNAME", show_default=False),
    ] = None,
    from_file: O.FromFile = None,
    concurrency: O.Concurrency = DEFAULT_CONCURRENCY,
    sec_uid: Annotated[
        str | None, typer.Option(help="The user's secUid, instead of a username.")
    ] = None,
    depth: Annotated[
        int | None, typer.Option(min=1, help="Pages of ~10 posts per call (costs more).")
    ] = None,
    no_pinned: Annotated[
        bool, typer.Option("--no-pinned", help="Leave out the posts pinned to the profile.")
    ] = False,
    days: O.Days = None,
    since: O.Since = None,
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """A user's posts, newest first (User Posts, from a username or a secUid).

    Example: tokarc user-posts zachking --days 30 --no-pinned --db zach.db
    """
    if bool(names or from_file) == (sec_uid is not None):
        raise typer.BadParameter("give USERNAMEs (or --from-file) or --sec-uid, one of them")
    kind, targets = "user_posts_secuid", [Target(sec_uid or "")]
    if sec_uid is None:
        kind, targets = "user_posts", read_targets(names or [], from_file, "USERNAME")
    _each(
        ctx,
        kind,
        targets,
        sink,
        run,
        concurrency=concurrency,
        days=days,
        since=since,
        params=_params(depth=depth),
        no_pinned=no_pinned,
    )


@job_options()
def liked(
    ctx: typer.Context,
    sec_uid: Annotated[str, typer.Argument(help="The user's secUid (see `tokarc user`).")],
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """Posts a user liked (User Liked Posts; private for most accounts).

    Example: tokarc liked MS4wLjABAAAA... --max-items 100
    """
    _go(ctx, "liked", sec_uid, sink, run)


def _follows(kind: str, doc: str) -> Any:
    def command(
        ctx: typer.Context,
        names: Annotated[
            list[str] | None,
            typer.Argument(help="Usernames, without '@'.", metavar="USERNAME", show_default=False),
        ] = None,
        from_file: O.FromFile = None,
        concurrency: O.Concurrency = DEFAULT_CONCURRENCY,
        *,
        sink: Sink,
        run: RunOptions,
    ) -> None:
        targets = read_targets(names or [], from_file, "USERNAME")
        _each(ctx, kind, targets, sink, run, concurrency=concurrency)

    command.__doc__ = doc
    return job_options()(command)


followers = _follows(
    "followers",
    "A user's followers (User Followers; the API gives at most ~5,000).\n\n"
    "Example: tokarc followers zachking --max-items 500 --db zach.db",
)
followings = _follows(
    "followings",
    "The accounts a user follows (User Followings).\n\n"
    "Example: tokarc followings zachking -o followings.csv",
)


@job_options(walk=False)
def post(
    ctx: typer.Context,
    posts: Annotated[list[str], typer.Argument(help="Post ids or URLs.", metavar="URL_OR_ID")],
    *,
    sink: Sink,
    run: RunOptions,
    gone_after: Annotated[
        int, typer.Option(min=1, help="Lookups in a row that miss a post before it is marked gone.")
    ] = 2,
) -> None:
    """Posts by id or URL, 100 per call (Post Info / Multi Post Info). A post that does not
    come back --gone-after times in a row is marked gone (the misses are kept).

    Example: tokarc post https://www.tiktok.com/@zachking/video/7230000000000000000
    """
    _go(ctx, "posts", "", sink, run, ids=ids_of(posts), gone_after=gone_after)


@job_options()
def comments(
    ctx: typer.Context,
    posts: Annotated[
        list[str] | None,
        typer.Argument(help="Post ids or URLs.", metavar="POST", show_default=False),
    ] = None,
    from_file: O.FromFile = None,
    concurrency: O.Concurrency = DEFAULT_CONCURRENCY,
    replies: Annotated[bool, typer.Option(help="Also fetch every comment's replies.")] = False,
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """A post's comments, and with --replies their replies (Post Comments).

    Example: tokarc comments 7230000000000000000 --replies --db comments.db
    """
    targets = [_post_id(t) for t in read_targets(posts or [], from_file, "POST")]
    _each(ctx, "comments", targets, sink, run, concurrency=concurrency, replies=replies)


@job_options()
def replies_(
    ctx: typer.Context,
    post: Annotated[str, typer.Argument(help="The post's id or URL.", metavar="POST")],
    comment_id: Annotated[str, typer.Argument(help="The comment's id (cid).")],
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """Replies to one comment (Post Comment Replies).

    Example: tokarc replies 7230000000000000000 7230000000000000001
    """
    _go(
        ctx,
        "replies",
        comment_id,
        sink,
        run,
        params={"aweme_id": ids_of([post])[0]},
    )


@job_options()
def users(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What to search for in users.")],
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """Users matching a keyword (User Search).

    Example: tokarc users magic --max-items 50
    """
    _go(ctx, "user_search", text, sink, run)


@job_options()
def lives(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What to search for in live rooms.")],
    country: O.Country = None,
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """Live rooms matching a keyword (Live Search).

    Example: tokarc lives music --country US --max-items 40
    """
    _go(ctx, "lives", text, sink, run, params=_params(country=country))


@job_options()
def music_search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What to search for in sounds.")],
    sort: Annotated[O.MusicSort | None, typer.Option(help="Order of results.")] = None,
    filter: Annotated[O.MusicFilter | None, typer.Option(help="Which sounds.")] = None,
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """Sounds matching a keyword (Music Search).

    Example: tokarc music search lofi --sort used --max-items 60
    """
    params = _params(
        sorting=O.MUSIC_SORTING[sort.value] if sort else None,
        filter_by=O.MUSIC_FILTER[filter.value] if filter else None,
    )
    _go(ctx, "music_search", text, sink, run, params=params)


@job_options()
def music_posts(
    ctx: typer.Context,
    music_ids: Annotated[
        list[str] | None,
        typer.Argument(help="Sound ids.", metavar="MUSIC_ID", show_default=False),
    ] = None,
    from_file: O.FromFile = None,
    concurrency: O.Concurrency = DEFAULT_CONCURRENCY,
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """Posts using a sound (Music Posts); of many sounds with several ids or --from-file.

    Example: tokarc music posts 7016547803243022337 --max-items 200 --db sound.db
    """
    targets = read_targets(music_ids or [], from_file, "MUSIC_ID")
    _each(ctx, "music_posts", targets, sink, run, concurrency=concurrency)


@job_options(walk=False, units=False)
def music_info(
    ctx: typer.Context,
    music_id: Annotated[str, typer.Argument(help="The sound's id.")],
    *,
    sink: Sink,
    run: RunOptions,
) -> None:
    """One sound's details (Music Details).

    Example: tokarc music info 7016547803243022337
    """
    _go(ctx, "music", music_id, sink, run)
