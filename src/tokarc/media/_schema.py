"""The media table in the store (a migration set of its own): one row per file a record points to.

A row is keyed by (kind, record id, position): ``position`` orders a carousel's images (0 for
the other kinds). ``status`` is ``done`` (the file is under the media root, named by its
``sha256``), ``failed`` (tried ``attempts`` times; a rerun tries again), ``expired`` (the URL
expired and no fresh one could be had yet; a rerun tries again) or ``too_large`` (over
``--max-bytes``). ``url`` is stored without its signature: it is the file's provenance, not a key.
"""

from __future__ import annotations

from ..store import Dialect, MigrationSet
from ._transcripts import TRANSCRIPTS

MEDIA = MigrationSet("media")


@MEDIA.migration("files")
def _files(d: Dialect) -> list[str]:
    return [
        f"""CREATE TABLE media (
            kind TEXT NOT NULL, record_id TEXT NOT NULL, position INTEGER NOT NULL,
            url TEXT, sha256 TEXT, bytes BIGINT, content_type TEXT, path TEXT,
            fetched_at TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT, updated_at TEXT NOT NULL,
            PRIMARY KEY (kind, record_id, position)){d.clustered}""",
        "CREATE INDEX media_sha256 ON media (sha256)",
    ]


@MEDIA.migration("root")
def _root(d: Dialect) -> list[str]:
    """Where the files are: the media root that downloads last went to (one row)."""
    return [
        """CREATE TABLE media_root (
            id INTEGER PRIMARY KEY CHECK (id = 1), path TEXT NOT NULL, recorded_at TEXT NOT NULL)"""
    ]


#: What the media archive keeps in the store: its files, and the transcripts of subtitles.
MIGRATIONS: tuple[MigrationSet, ...] = (MEDIA, TRANSCRIPTS)
