"""The media archive: download what the stored records point to, record each file in the store.

A run takes the items not yet settled (:func:`~tokarc.media._plan.pending`), downloads them on
``concurrency`` threads, and records each outcome in the ``media`` table as it comes (one short
transaction per file, from the calling thread). Items whose URL expired are refreshed through
``multi_post_info`` and tried once more with their new URL. A full disk stops the run: the files
in flight finish or are dropped (never left under a final name), every row says what is true,
and the next run goes on from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace

from ..client import Client
from ..models import CaptionTrack, Cue
from ..status import MediaStatus
from ..store import Store, timestamp
from ._fetch import Fetcher, Outcome, public_url
from ._files import DiskFullError
from ._plan import Item, Source, pending, stored_post
from ._refresh import Refresher
from ._root import record_root
from ._schema import MIGRATIONS
from ._transcripts import TranscriptError, read_cues, save_transcript


@dataclass
class MediaReport:
    """What a run did: files got (and their bytes), already there, failed, expired, refreshed."""

    planned: int = 0
    downloaded: int = 0
    bytes: int = 0
    failed: int = 0
    expired: int = 0
    too_large: int = 0
    refreshed: int = 0
    units: int = 0
    calls: int = 0
    stopped: str | None = None  # why the run stopped early (a full disk), else None
    errors: list[str] = field(default_factory=list, repr=False)
    first_failure: str | None = None  # the cause of the first file that failed
    capped: bool = False  # refreshing stopped at the unit budget: some URLs were left expired

    @property
    def all_failed(self) -> bool:
        """Files were to be got and every one of them failed (none downloaded)."""
        return self.failed > 0 and self.downloaded == 0

    @property
    def done(self) -> int:
        """Items handled so far (whatever their outcome)."""
        return self.downloaded + self.failed + self.expired + self.too_large

    def summary(self) -> str:
        """One line for the terminal."""
        mb = self.bytes / 1_000_000
        return (
            f"media: {self.downloaded} files ({mb:,.1f} MB) downloaded of {self.planned}, "
            f"{self.failed} failed, {self.expired} expired, {self.too_large} too large, "
            f"{self.refreshed} URLs refreshed ({self.units} units)"
            + (f"; first failure: {self.first_failure}" if self.first_failure else "")
        )


OnFile = Callable[[MediaReport], None]

_UPSERT = """
INSERT INTO media (kind, record_id, position, url, sha256, bytes, content_type, path,
                   fetched_at, status, attempts, error, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (kind, record_id, position) DO UPDATE SET
    url = excluded.url, sha256 = COALESCE(excluded.sha256, media.sha256),
    bytes = COALESCE(excluded.bytes, media.bytes),
    content_type = COALESCE(excluded.content_type, media.content_type),
    path = COALESCE(excluded.path, media.path),
    fetched_at = COALESCE(excluded.fetched_at, media.fetched_at),
    status = excluded.status, attempts = media.attempts + excluded.attempts,
    error = excluded.error, updated_at = excluded.updated_at"""


@dataclass
class MediaArchive:
    """Downloads the media of stored records into a media root, recording them in the store.

    ::

        with httpx.Client() as http, open_store("magic.db") as store:
            archive = MediaArchive(store, Fetcher(http, MediaRoot("media"), RetryPolicy()),
                                   client=tokarc.Client(token))
            report = archive.run(kinds=("video", "images"))
    """

    store: Store
    fetcher: Fetcher
    client: Client | None = None  # for refreshing expired URLs; None: expired stays expired
    concurrency: int = 4
    max_units: int | None = None  # for refreshing
    on_file: OnFile | None = None
    _root_recorded: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        self.store.ensure(MIGRATIONS)

    def plan(self, kinds: Sequence[str], source: Source | None = None) -> list[Item]:
        """The items a run would get now."""
        return pending(self.store, kinds, source)

    def run(
        self, kinds: Sequence[str], source: Source | None = None, report: MediaReport | None = None
    ) -> MediaReport:
        """Download what is pending of ``kinds`` (narrowed to what ``source`` found).

        Raises :class:`DiskFullError` (after recording what was done) when the disk fills.
        """
        report = report or MediaReport()
        items = self.plan(kinds, source)
        report.planned += len(items)
        if self.on_file and items:  # the files to get are known: the progress says so
            self.on_file(report)
        self.fetcher.root.check_space()
        if items and not self._root_recorded:  # once: --media runs this after every page
            record_root(self.store, self.fetcher.root.path, self.fetcher.clock())
            self._root_recorded = True
        expired = self._download(items, report)
        if expired and self.client is not None:
            self._refresh_and_retry(expired, report)
        return report

    def _download(self, items: Iterable[Item], report: MediaReport) -> list[Item]:
        """Download ``items``; the ones whose URL expired are returned, not recorded."""
        expired: list[Item] = []
        for item, outcome in self._parallel(items, report):
            if (
                outcome.status == MediaStatus.EXPIRED
                and self.client is not None
                and not item.retried
            ):
                expired.append(item)
                continue
            self._record(item, outcome, report)
        return expired

    def _parallel(
        self, items: Iterable[Item], report: MediaReport
    ) -> Iterator[tuple[Item, Outcome]]:
        window = max(1, self.concurrency) * 2
        source = iter(items)
        with ThreadPoolExecutor(max(1, self.concurrency), thread_name_prefix="media") as pool:
            running: dict[Future[Outcome], Item] = {}
            full: DiskFullError | None = None
            while True:
                while full is None and len(running) < window and (item := next(source, None)):
                    running[pool.submit(self.fetcher.fetch, item.url, self._precheck(item))] = item
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    item = running.pop(future)
                    try:
                        yield item, future.result()
                    except DiskFullError as exc:
                        full = full or exc
            if full is not None:
                report.stopped = str(full)
                raise full

    def _precheck(self, item: Item) -> bool:
        """Skip a URL past its x-expires only when it can be refreshed first: otherwise the
        server decides (its clock may not be ours)."""
        return self.client is not None and not item.retried

    def _refresh_and_retry(self, expired: list[Item], report: MediaReport) -> None:
        assert self.client is not None
        refresher = Refresher(self.client, self.store, self.max_units, self.fetcher.clock)
        fresh = refresher.fresh_urls(expired)
        report.units += refresher.units
        report.calls += refresher.calls
        again = [replace(i, url=fresh[i.key], retried=True) for i in expired if i.key in fresh]
        report.refreshed += len(again)
        report.capped = report.capped or refresher.over_budget
        why = "no fresh URL within the unit budget" if refresher.over_budget else "no fresh URL"
        for item in expired:
            if item.key not in fresh:
                self._record(
                    item, Outcome(MediaStatus.EXPIRED, 1, error=f"the URL expired; {why}"), report
                )
        self._download(again, report)

    def _parsed(self, item: Item, outcome: Outcome) -> tuple[Outcome, list[Cue] | None]:
        """A downloaded subtitles file's cues; a file that is not WebVTT has failed."""
        s = outcome.stored
        if item.kind != "subtitles" or outcome.status != MediaStatus.DONE or s is None:
            return outcome, None
        try:
            return outcome, read_cues(self.fetcher.root.path / s.path)
        except TranscriptError as exc:
            return replace(outcome, status=MediaStatus.FAILED, stored=None, error=str(exc)), None

    def _record(self, item: Item, outcome: Outcome, report: MediaReport) -> None:
        outcome, cues = self._parsed(item, outcome)
        s = outcome.stored
        now = timestamp()
        row = (
            item.kind,
            item.record_id,
            item.position,
            public_url(item.url),
            s.sha256 if s else None,
            s.size if s else None,
            outcome.content_type,
            s.path if s else None,
            now if s else None,
            outcome.status,
            outcome.attempts,  # 0: never requested (its host was down)
            outcome.error,
            now,
        )
        with self.store.db.transaction():
            self.store.db.execute(_UPSERT, row)
            if cues is not None:
                track = track_of(self.store, item.record_id, item.position)
                save_transcript(
                    self.store, item.record_id, item.position, track, cues, s.sha256 if s else None
                )
        _count(report, outcome)
        if self.on_file:
            self.on_file(report)


def track_of(store: Store, aweme_id: str, position: int) -> CaptionTrack | None:
    """The caption track at ``position`` of a stored post, if it has one."""
    post = stored_post(store, aweme_id)
    tracks = post.captions if post is not None else []
    return tracks[position] if position < len(tracks) else None


def _count(report: MediaReport, outcome: Outcome) -> None:
    if outcome.status == MediaStatus.DONE:
        report.downloaded += 1
        report.bytes += outcome.stored.size if outcome.stored else 0
    elif outcome.status == MediaStatus.EXPIRED:
        report.expired += 1
    elif outcome.status == MediaStatus.TOO_LARGE:
        report.too_large += 1
    else:
        report.failed += 1
        report.first_failure = report.first_failure or outcome.error
    if outcome.error:
        report.errors.append(outcome.error)


__all__ = ["MediaArchive", "MediaReport"]
