"""Transcripts: the caption tracks (``subtitles`` media) parsed into cues and text, searchable.

A migration set of its own (``transcripts``), beside the ``media`` table: one row per track of
a post, keyed by (post, language, source), with the cues as JSON (``[{"start_ms", "end_ms",
"text"}, ...]``) and the whole text (cues joined by spaces), which is full-text indexed like
captions (FTS5 on SQLite, a ``tsvector`` on PostgreSQL). Files are parsed with ``webvtt-py``.
A track downloaded again (a refreshed URL) replaces its row.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import webvtt
from webvtt.errors import MalformedFileError

from ..models import CaptionSource, CaptionTrack, Cue, cues_json
from ..store import Dialect, MigrationSet, Store, text_index, timestamp

TRANSCRIPTS = MigrationSet("transcripts")
UNKNOWN_LANGUAGE = "und"  # BCP 47's "undetermined"


@TRANSCRIPTS.migration("tracks")
def _tracks(d: Dialect) -> list[str]:
    return [
        """CREATE TABLE transcripts (
            aweme_id TEXT NOT NULL, language TEXT NOT NULL, source TEXT NOT NULL,
            position INTEGER NOT NULL, sha256 TEXT, cue_count INTEGER NOT NULL,
            cues TEXT NOT NULL, text TEXT NOT NULL, updated_at TEXT NOT NULL,
            PRIMARY KEY (aweme_id, language, source))""",
        *text_index(d, "transcripts", "text"),
    ]


class TranscriptError(ValueError):
    """A file that is not WebVTT."""


def read_cues(path: str | Path) -> list[Cue]:
    """The cues of the WebVTT file at ``path`` (``TranscriptError`` if it is not WebVTT)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        parsed = webvtt.from_buffer(io.StringIO(text))
    except (MalformedFileError, UnicodeDecodeError) as exc:
        raise TranscriptError(f"not a WebVTT file: {exc}") from exc
    return [
        Cue(c.start_time.in_milliseconds(), c.end_time.in_milliseconds(), _one_line(c.text))
        for c in parsed.captions
    ]


def _one_line(text: str) -> str:
    return " ".join(text.split())


_UPSERT = """
INSERT INTO transcripts (aweme_id, language, source, position, sha256, cue_count, cues, text,
                         updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (aweme_id, language, source) DO UPDATE SET
    position = excluded.position, sha256 = excluded.sha256, cue_count = excluded.cue_count,
    cues = excluded.cues, text = excluded.text, updated_at = excluded.updated_at"""


def save_transcript(
    store: Store,
    aweme_id: str,
    position: int,
    track: CaptionTrack | None,
    cues: Sequence[Cue],
    sha256: str | None = None,
) -> None:
    """Keep the ``cues`` of a post's track (in the caller's transaction)."""
    language = track.language if track else None
    source = track.source if track else CaptionSource.AUTO
    keep_cues(store, aweme_id, position, language, source, cues, sha256)


def keep_cues(
    store: Store,
    aweme_id: str,
    position: int,
    language: str | None,
    source: CaptionSource,
    cues: Sequence[Cue],
    sha256: str | None = None,
) -> None:
    """Keep ``cues`` said in a post as its transcript from ``source`` in ``language`` (None:
    :data:`UNKNOWN_LANGUAGE`), in the caller's transaction."""
    language = language or UNKNOWN_LANGUAGE
    encoded = cues_json(cues)
    text = " ".join(c.text for c in cues)
    row = (aweme_id, language, source, position, sha256, len(cues), encoded, text, timestamp())
    store.db.execute(_UPSERT, row)


#: What the transcripts keep in the store.
MIGRATIONS: tuple[MigrationSet, ...] = (TRANSCRIPTS,)
