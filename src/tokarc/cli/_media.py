"""``tokarc media`` and the ``--media KINDS`` option of the collecting commands.

``--media`` is added to every collecting command (and ``resume``) by :func:`with_media`,
their stacked option decorator. During a run the files of each
page's records are downloaded as the page is stored (see :func:`page_hook`).
"""

from __future__ import annotations

import functools
import inspect
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import typer
from rich.filesize import decimal
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..client import Client, RetryPolicy
from ..client import constants as C
from ..collect import Collector, JobReport, JobSpec
from ..errors import InvalidInputError, MissingTokenError
from ..media import (
    DEFAULT_ROOT,
    KINDS,
    MIN_FREE,
    Fetcher,
    MediaArchive,
    MediaReport,
    MediaRoot,
    Transcriber,
    load_transcriber,
    parse_kinds,
    parse_source,
    transcribe,
)
from . import _cap, _errors
from . import _options as O
from ._app import SANDBOX_URL, Session, session
from ._progress import Fitting, enabled
from ._stores import check_folder
from ._stores import existing as _open

_KINDS_HELP = f"Media kinds, comma-separated: {','.join(KINDS)} (or all)."
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def parse_size(text: str | None, option: str) -> int | None:
    """``"50MB"``, ``"1.5G"``, ``"800k"`` or ``"1024"`` as bytes (decimal units)."""
    if text is None:
        return None
    match = _SIZE.match(text)
    if not match:
        raise _errors.CLIError(f"invalid {option} {text!r}: give a size such as 50MB or 1.5G")
    number, unit = float(match[1]), match[2].lower()
    return int(number * 1000 ** " kmgt".index(unit or " "))


@dataclass(frozen=True)
class MediaOptions:
    """What ``--media`` / ``--media-dir`` asked a collecting command for."""

    kinds: tuple[str, ...]
    folder: str


def _http(state: Session) -> httpx.Client:
    """The client for media downloads: no API token on it; the emulator's with --sandbox."""
    timeout = httpx.Timeout(C.DEFAULT_TIMEOUT, connect=C.CONNECT_TIMEOUT)
    if state.sandbox:
        state.client().close()  # makes the session's emulator
        return httpx.Client(transport=state.emulator.transport(), timeout=timeout)
    return httpx.Client(timeout=timeout, follow_redirects=True)


def _clock(state: Session) -> Callable[[], float]:
    return state.emulator.clock.now if state.sandbox and state.emulator else time.time


def _retry(state: Session) -> RetryPolicy:
    return RetryPolicy() if state.retries is None else RetryPolicy(attempts=state.retries + 1)


# -- tokarc media ----------------------------------------------------------------------------


def media(
    ctx: typer.Context,
    db: O.DbRequired,
    source: Annotated[
        str | None,
        typer.Option(metavar="KIND:TARGET", help="Only what this source found: hashtag:magic."),
    ] = None,
    kinds: Annotated[str, typer.Option(metavar="KINDS", help=_KINDS_HELP)] = "all",
    folder: Annotated[
        str, typer.Option("--dir", metavar="DIR", help="The media root (ab/cd/<sha256>.ext).")
    ] = DEFAULT_ROOT,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Downloads at once.")] = 4,
    max_bytes: Annotated[
        str | None, typer.Option(metavar="SIZE", help="Skip files larger than this, e.g. 50MB.")
    ] = None,
    max_units: O.MaxUnits = None,  # refreshing expired URLs
    min_free: Annotated[
        str, typer.Option(metavar="SIZE", help="Stop when the disk has less free than this.")
    ] = f"{MIN_FREE // 1_000_000}MB",
    transcriber: Annotated[
        str | None,
        typer.Option(
            "--transcribe",
            metavar="NAME",
            help="Then transcribe the downloaded videos that have no caption track with this "
            "installed transcriber (entry point group tokarc.transcribers).",
        ),
    ] = None,
) -> None:
    """Download the videos, carousels, covers, avatars, sounds and subtitles the records point to.

    Files are named by their sha256 under --dir and listed in the store's media table; a rerun
    gets only what is missing, failed or expired. Expired URLs are refreshed through Multi Post
    Info (units: --max-units).

    Example: tokarc media --db magic.db --kinds video,images --dir media/
    """
    state = session(ctx)
    try:
        wanted, where = parse_kinds(kinds), parse_source(source)
        speech = load_transcriber(transcriber) if transcriber else None
    except InvalidInputError as exc:
        raise _errors.CLIError(str(exc)) from None
    limit, margin = parse_size(max_bytes, "--max-bytes"), parse_size(min_free, "--min-free")
    check_folder(folder, "--dir")
    with _open(db) as store:
        _follow_the_sandbox(state, store)
        with _http(state) as http, _api(state) as client:
            root = MediaRoot(folder, margin or 0)
            fetcher = Fetcher(http, root, _retry(state), limit, _clock(state))
            archive = MediaArchive(store, fetcher, client, concurrency, max_units)
            report = _run(state, archive, wanted, where)
        if speech is not None:
            _transcribe(state, store, folder, speech, str(transcriber))
    if report.capped:
        state.say(f"tokarc: {_cap.stopped_at(f'tokarc{state.flags()} media --db {db}')}")
    if report.all_failed:
        raise _errors.CLIError(
            f"every download failed ({report.failed}); the first: {report.first_failure}",
            code=_errors.FAILED,
        )


def _transcribe(state: Session, store: Any, folder: str, speech: Transcriber, name: str) -> None:
    done = transcribe(store, folder, speech)
    state.say(f"tokarc: {done.summary(name)}")
    if done.failed and not done.done:
        raise _errors.CLIError(f"every transcription failed ({done.failed}); the first: "
                               f"{done.first_failure}", code=_errors.FAILED)  # fmt: skip


def _run(state: Session, archive: MediaArchive, wanted: tuple[str, ...], where: Any) -> MediaReport:
    with media_progress(state, "media") as on_file:
        archive.on_file = on_file
        report = on_file.report
        try:
            archive.run(wanted, where, report)
        finally:
            state.say(report.summary())
    return report


# Where the records collected with --sandbox point their media (the sandbox's own origin).
_SANDBOX_ORIGIN = "{0.scheme}://{0.netloc}/".format(urllib.parse.urlsplit(SANDBOX_URL))
_SANDBOX_MEDIA = " UNION ALL ".join(
    f"SELECT 1 FROM (SELECT 1 FROM {table} WHERE {column} LIKE ? LIMIT 1) AS {table}_found"
    for table, column in (("posts", "cover_url"), ("users", "avatar_url"), ("music", "play_url"))
)


def collected_in_sandbox(store: Any) -> bool:
    """Whether the stored records point to the sandbox's media (collected with --sandbox):
    their URLs are on the sandbox's origin, which no network resolves."""
    like = _SANDBOX_ORIGIN + "%"
    return bool(store.db.query(_SANDBOX_MEDIA, (like, like, like)))


def _follow_the_sandbox(state: Session, store: Any) -> None:
    """Media of a database collected with --sandbox come from the sandbox's emulator, as if
    --sandbox were given (no request leaves the machine, no real units are spent)."""
    if not state.sandbox and collected_in_sandbox(store):
        state.say(
            "tokarc: this database was collected with --sandbox: its media come from the sandbox"
        )
        state.sandbox = True


@contextmanager
def _api(state: Session) -> Iterator[Client | None]:
    """The API client that refreshes expired URLs; None without a token (nothing refreshed)."""
    try:
        client = state.client()
    except MissingTokenError:
        state.say("tokarc: no API token: expired URLs will not be refreshed")
        yield None
        return
    with client:
        yield client


class _OnFile:
    def __init__(self, bar: Progress, task: Any) -> None:
        self.bar, self.task = bar, task
        self.report = MediaReport()
        self.started = time.monotonic()

    def __call__(self, report: MediaReport) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = f"{decimal(int(report.bytes / elapsed))}/s"
        self.bar.update(
            self.task,
            total=max(report.planned, 1),
            completed=report.done,
            files=f"{report.done:,}/{report.planned:,} files",
            size=decimal(report.bytes),
            rate=rate,
        )


@contextmanager
def media_progress(state: Session, label: str) -> Iterator[_OnFile]:
    """A live bar of files (done of planned) and bytes while the block runs."""
    name, bar_column, rate = (
        TextColumn("[bold]{task.description}"),
        BarColumn(None),
        TextColumn("· {task.fields[rate]}"),
    )
    bar = Fitting(
        SpinnerColumn(),
        name,
        bar_column,
        TextColumn("{task.fields[files]} · {task.fields[size]}"),
        rate,
        TimeElapsedColumn(),
        drop=(bar_column, rate),
        label=name,
        console=state.console,
        disable=not enabled(state.console, state.quiet),
    )
    task = bar.add_task(label, total=None, files="planning", size="0 bytes", rate="")
    with bar:
        yield _OnFile(bar, task)


# -- --media on the collecting commands ------------------------------------------------------

_MEDIA_PARAMS = [
    inspect.Parameter(
        "media",
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(
            None,
            "--media",
            metavar="KINDS",
            help=f"Download these media as pages arrive: {','.join(KINDS)} or all.",
        ),
        annotation=str | None,
    ),
    inspect.Parameter(
        "media_dir",
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(
            DEFAULT_ROOT,
            "--media-dir",
            metavar="DIR",
            help="Where --media puts the files.",
        ),
        annotation=str,
    ),
]


def with_media(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command`` with the ``--media`` and ``--media-dir`` options, kept on the session."""

    @functools.wraps(command)
    def wrapper(
        *args: Any, media: str | None = None, media_dir: str = DEFAULT_ROOT, **kw: Any
    ) -> Any:
        if media is not None:
            try:
                kinds = parse_kinds(media)
            except InvalidInputError as exc:
                raise _errors.CLIError(str(exc).replace("media kinds", "--media")) from None
            check_folder(media_dir, "--media-dir")
            session(kw["ctx"]).media = MediaOptions(kinds, media_dir)
        return command(*args, **kw)

    signature = inspect.signature(command, eval_str=True)  # typer reads the annotations
    params = [p for p in signature.parameters.values() if p.name not in ("media", "media_dir")]
    wrapper.__signature__ = signature.replace(parameters=[*params, *_MEDIA_PARAMS])  # type: ignore[attr-defined]
    return wrapper


@contextmanager
def during_collection(
    state: Session, collector: Collector, spec: JobSpec, on_page: Callable[[JobReport], None]
) -> Iterator[Callable[[JobReport], None]]:
    """Yields ``on_page``, then (with ``--media``) the download of the media of what the job's
    source found so far, after each page; a summary line when the block ends.

    Expired URLs are left for ``tokarc media`` to refresh (its units are its own, not the job's).
    """
    options: MediaOptions | None = state.media
    if options is None:
        yield on_page
        return
    report, source = MediaReport(), (spec.job_kind.source_kind, spec.target)
    with _http(state) as http:
        fetcher = Fetcher(http, MediaRoot(options.folder), _retry(state), clock=_clock(state))
        archive = MediaArchive(collector.store, fetcher, None)

        def hook(job: JobReport) -> None:
            on_page(job)
            collector.store.derive_pending()  # the pages so far in the tables, then their media
            archive.run(options.kinds, source, report)

        try:
            yield hook
        finally:
            state.say(report.summary())
