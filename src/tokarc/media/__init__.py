"""The media archive: videos, carousels, covers, avatars, sounds and subtitles, kept before their
URLs expire; subtitles (WebVTT caption tracks) parsed into the ``transcripts`` table.

Files are content-addressed under a media root (``media/ab/cd/<sha256>.<ext>``) and recorded in
the store's ``media`` table (kind, record, position, URL without its signature, sha256, bytes,
content type, path, status, attempts). Nothing is fetched twice: a rerun gets only what is
missing, failed or expired. See ``docs/media.md``.

Example::

    import httpx
    from tokarc.media import archive
    from tokarc.store import open_store

    with open_store("magic.db") as store, httpx.Client() as http:
        report = archive(store, http, "media", kinds=("video", "images"))
        print(report.summary())
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence

import httpx

from ..client import Client, RetryPolicy
from ..status import MediaStatus
from ..store import Store
from ._download import MediaArchive, MediaReport, OnFile
from ._fetch import Fetcher, Outcome, public_url, sniff
from ._files import MIN_FREE, DiskFullError, MediaRoot, Stored
from ._plan import ENTITY, KINDS, Item, Source, parse_kinds, parse_source, pending
from ._root import DEFAULT_ROOT, media_root, record_root, recorded_root
from ._schema import MIGRATIONS
from ._transcribe import (
    GROUP as TRANSCRIBERS,
)
from ._transcribe import (
    Speech,
    Transcribed,
    Transcriber,
    load_transcriber,
    transcribe,
    transcribers,
)
from ._transcripts import TRANSCRIPTS, TranscriptError, keep_cues, read_cues, save_transcript

__all__ = [
    "DEFAULT_ROOT",
    "ENTITY",
    "KINDS",
    "MIGRATIONS",
    "MIN_FREE",
    "TRANSCRIBERS",
    "TRANSCRIPTS",
    "DiskFullError",
    "Fetcher",
    "Item",
    "MediaArchive",
    "MediaReport",
    "MediaRoot",
    "Outcome",
    "Speech",
    "Stored",
    "Transcribed",
    "Transcriber",
    "TranscriptError",
    "archive",
    "keep_cues",
    "load_transcriber",
    "media_paths",
    "media_root",
    "parse_kinds",
    "parse_source",
    "pending",
    "public_url",
    "read_cues",
    "record_root",
    "recorded_root",
    "save_transcript",
    "sniff",
    "transcribe",
    "transcribers",
]


def archive(
    store: Store,
    http: httpx.Client,
    root: str | os.PathLike[str],
    *,
    kinds: Sequence[str] = KINDS,
    source: Source | None = None,
    client: Client | None = None,
    concurrency: int = 4,
    max_bytes: int | None = None,
    max_units: int | None = None,
    retry: RetryPolicy | None = None,
    min_free: int = MIN_FREE,
    clock: Callable[[], float] = time.time,
    on_file: OnFile | None = None,
) -> MediaReport:
    """Download the pending media of ``kinds`` into ``root`` with ``http``.

    ``client`` refreshes expired URLs through ``multi_post_info`` (at most ``max_units``);
    ``clock`` says when a URL's ``x-expires`` is past (the emulator's world clock in tests).
    Raises :class:`DiskFullError` when the disk fills (what was done is recorded).
    """
    fetcher = Fetcher(http, MediaRoot(root, min_free), retry or RetryPolicy(), max_bytes, clock)
    media = MediaArchive(store, fetcher, client, concurrency, max_units, on_file)
    return media.run(kinds, source)


def media_paths(store: Store, kind: str, record_id: str) -> list[str]:
    """The files (relative to the media root) of one record's ``kind``, in position order."""
    rows = store.db.query(
        "SELECT path FROM media WHERE kind = ? AND record_id = ? AND status = ? ORDER BY position",
        (kind, record_id, MediaStatus.DONE),
    )
    return [str(r[0]) for r in rows]
