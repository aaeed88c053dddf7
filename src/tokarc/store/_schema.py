"""Numbered migrations, applied in order on open and recorded in the ``migrations`` table.

Like sqlite-utils' ``migrations.py``: each migration is a function registered with
:func:`migration` under a number and a name. It returns its SQL statements for a
:class:`~tokarc.store._dialect.Dialect`, so both backends get the same schema. A migration, once
released, never changes: a schema change is a new migration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._backend import Backend
from ._dialect import Dialect
from ._text import timestamp

Steps = Callable[[Dialect], list[str]]


@dataclass(frozen=True)
class Migration:
    """One schema step: its number, its name and its statements."""

    number: int
    name: str
    steps: Steps


MIGRATIONS: list[Migration] = []

MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS migrations "
    "(id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def migration(number: int, name: str) -> Callable[[Steps], Steps]:
    """Register ``steps`` as migration ``number`` (numbers must follow each other)."""

    def register(steps: Steps) -> Steps:
        if number != len(MIGRATIONS) + 1:
            raise ValueError(f"migration {number} ({name}) is out of order")
        MIGRATIONS.append(Migration(number, name, steps))
        return steps

    return register


# Where a record was first and last seen: page ids (see ``pages``) and times.
PROVENANCE = """
    first_page BIGINT, last_page BIGINT,
    first_seen_at TEXT NOT NULL, last_seen_at TEXT NOT NULL"""


@migration(1, "initial")
def _initial(d: Dialect) -> list[str]:
    return [*_bookkeeping(d), *_entities(d), *_edges_and_series(d), *_indexes()]


def _bookkeeping(d: Dialect) -> list[str]:
    return [
        f"""CREATE TABLE jobs (
            id {d.id_column}, kind TEXT NOT NULL, target TEXT NOT NULL,
            options {d.json_type} NOT NULL, status TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            checkpoint TEXT, newest_mark TEXT, outcome TEXT, stop_reason TEXT,
            requested BIGINT NOT NULL DEFAULT 0, returned BIGINT NOT NULL DEFAULT 0,
            new_records BIGINT NOT NULL DEFAULT 0, duplicates BIGINT NOT NULL DEFAULT 0,
            units BIGINT NOT NULL DEFAULT 0, tokarc_version TEXT NOT NULL)""",
        f"""CREATE TABLE pages (
            id {d.id_column}, job_id BIGINT, endpoint TEXT NOT NULL,
            params {d.json_type} NOT NULL, cursor TEXT, fetched_at TEXT NOT NULL,
            tokarc_version TEXT NOT NULL, source_kind TEXT, source_target TEXT,
            items INTEGER NOT NULL, new_records INTEGER NOT NULL, rejected INTEGER NOT NULL)""",
        f"""CREATE TABLE requests (
            id {d.id_column}, job_id BIGINT, endpoint TEXT NOT NULL,
            params {d.json_type} NOT NULL, status_code INTEGER, units INTEGER NOT NULL,
            elapsed DOUBLE PRECISION NOT NULL, error TEXT, at TEXT NOT NULL)""",
        f"""CREATE TABLE rejects (
            id {d.id_column}, page_id BIGINT, job_id BIGINT, kind TEXT NOT NULL,
            error TEXT NOT NULL, raw TEXT NOT NULL, at TEXT NOT NULL)""",
    ]


def _entities(d: Dialect) -> list[str]:
    return [
        f"""CREATE TABLE posts (
            aweme_id TEXT PRIMARY KEY, author_uid TEXT, author_unique_id TEXT, music_id TEXT,
            create_time BIGINT, description TEXT, region TEXT, is_pinned INTEGER,
            is_photo INTEGER, hashtags TEXT, mentions TEXT,
            play_count BIGINT, digg_count BIGINT, comment_count BIGINT, share_count BIGINT,
            collect_count BIGINT, download_count BIGINT, duration_ms BIGINT,
            width INTEGER, height INTEGER, cover_url TEXT, play_url TEXT, share_url TEXT,
            gone_at TEXT, raw TEXT NOT NULL, {PROVENANCE})""",
        f"""CREATE TABLE users (
            uid TEXT PRIMARY KEY, sec_uid TEXT, unique_id TEXT, nickname TEXT, signature TEXT,
            region TEXT, language TEXT, verified INTEGER, is_private INTEGER,
            follower_count BIGINT, following_count BIGINT, heart_count BIGINT,
            video_count BIGINT, digg_count BIGINT, avatar_url TEXT, create_time BIGINT,
            raw TEXT NOT NULL, {PROVENANCE})""",
        f"""CREATE TABLE music (
            music_id TEXT PRIMARY KEY, title TEXT, author TEXT, album TEXT,
            is_original INTEGER, duration_s BIGINT, user_count BIGINT, owner_uid TEXT,
            owner_handle TEXT, owner_nickname TEXT, play_url TEXT, cover_url TEXT,
            raw TEXT NOT NULL, {PROVENANCE})""",
        f"""CREATE TABLE hashtags (
            name TEXT PRIMARY KEY, hashtag_id TEXT, view_count BIGINT, user_count BIGINT,
            {PROVENANCE}){d.clustered}""",
        f"""CREATE TABLE comments (
            cid TEXT PRIMARY KEY, aweme_id TEXT, parent_cid TEXT, author_uid TEXT, text TEXT,
            create_time BIGINT, digg_count BIGINT, reply_count BIGINT, language TEXT,
            raw TEXT NOT NULL, {PROVENANCE})""",
        f"""CREATE TABLE lives (
            room_id TEXT PRIMARY KEY, title TEXT, owner_uid TEXT, viewer_count BIGINT,
            raw TEXT NOT NULL, {PROVENANCE})""",
    ]


def _edges_and_series(d: Dialect) -> list[str]:
    return [
        f"""CREATE TABLE post_hashtags (
            aweme_id TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (aweme_id, name)
            ){d.clustered}""",
        f"""CREATE TABLE follows (
            follower_uid TEXT NOT NULL, followed_uid TEXT NOT NULL,
            first_job_id BIGINT, last_job_id BIGINT, {PROVENANCE},
            PRIMARY KEY (follower_uid, followed_uid)){d.clustered}""",
        f"""CREATE TABLE seen_via (
            entity TEXT NOT NULL, entity_id TEXT NOT NULL,
            source_kind TEXT NOT NULL, source_target TEXT NOT NULL,
            first_job_id BIGINT, last_job_id BIGINT,
            first_seen_at TEXT NOT NULL, last_seen_at TEXT NOT NULL,
            PRIMARY KEY (entity, entity_id, source_kind, source_target)){d.clustered}""",
        f"""CREATE TABLE post_stats (
            aweme_id TEXT NOT NULL, page_id BIGINT NOT NULL, observed_at TEXT NOT NULL,
            play_count BIGINT, digg_count BIGINT, comment_count BIGINT, share_count BIGINT,
            collect_count BIGINT, download_count BIGINT, PRIMARY KEY (aweme_id, page_id)
            ){d.clustered}""",
        f"""CREATE TABLE user_stats (
            uid TEXT NOT NULL, page_id BIGINT NOT NULL, observed_at TEXT NOT NULL,
            follower_count BIGINT, following_count BIGINT, heart_count BIGINT,
            video_count BIGINT, digg_count BIGINT, PRIMARY KEY (uid, page_id)){d.clustered}""",
    ]


def _indexes() -> list[str]:
    return [
        "CREATE INDEX posts_author ON posts (author_uid)",
        "CREATE INDEX posts_music ON posts (music_id)",
        "CREATE INDEX post_hashtags_name ON post_hashtags (name)",
        "CREATE INDEX comments_post ON comments (aweme_id)",
        "CREATE INDEX comments_parent ON comments (parent_cid)",
        "CREATE INDEX follows_followed ON follows (followed_uid)",
        "CREATE INDEX seen_via_source ON seen_via (source_kind, source_target)",
        "CREATE INDEX requests_job ON requests (job_id)",
        "CREATE INDEX pages_job ON pages (job_id)",
        "CREATE INDEX jobs_kind_target ON jobs (kind, target)",
    ]


@migration(2, "watches")
def _watches(d: Dialect) -> list[str]:
    """Watchlists (``tokarc.monitor``): what to follow, when it is due, who holds it, runs."""
    return [
        f"""CREATE TABLE watches (
            id {d.id_column}, kind TEXT NOT NULL, target TEXT NOT NULL,
            every_s BIGINT NOT NULL, window_s BIGINT NOT NULL, budget BIGINT,
            paused INTEGER NOT NULL DEFAULT 0, job_id BIGINT, created_at TEXT NOT NULL,
            next_due DOUBLE PRECISION NOT NULL, claimed_by TEXT, claim_until DOUBLE PRECISION,
            last_run_at TEXT, last_status TEXT, last_message TEXT, UNIQUE (kind, target))""",
        f"""CREATE TABLE watch_runs (
            id {d.id_column}, watch_id BIGINT NOT NULL, job_id BIGINT, day TEXT NOT NULL,
            started_at TEXT NOT NULL, finished_at TEXT NOT NULL, status TEXT NOT NULL,
            stop_reason TEXT, pages BIGINT NOT NULL, new_records BIGINT NOT NULL,
            units BIGINT NOT NULL, gone BIGINT NOT NULL, message TEXT)""",
        "CREATE INDEX watch_runs_watch_day ON watch_runs (watch_id, day)",
    ]


@migration(3, "job leases")
def _job_leases(d: Dialect) -> list[str]:
    """A lease per job (``tokarc.collect``), like the watches' claims: one walk at a time."""
    return [
        "ALTER TABLE jobs ADD COLUMN claimed_by TEXT",
        "ALTER TABLE jobs ADD COLUMN claim_until DOUBLE PRECISION",
    ]


def apply(db: Backend) -> list[int]:
    """Apply the migrations ``db`` lacks, in order, each recorded; return their numbers.

    Runs under a lock (one transaction; PostgreSQL: an advisory lock), so two processes opening
    the same database at once cannot both migrate it.
    """
    applied: list[int] = []
    with db.transaction():
        if db.dialect.lock:
            db.query(db.dialect.lock)
        db.execute(MIGRATIONS_TABLE)
        done = {row[0] for row in db.query("SELECT id FROM migrations")}
        for step in (m for m in MIGRATIONS if m.number not in done):
            _run(db, step)
            applied.append(step.number)
    return applied


def _run(db: Backend, step: Migration) -> None:
    for statement in step.steps(db.dialect):
        db.execute(statement)
    db.execute(
        "INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)",
        (step.number, step.name, timestamp()),
    )
