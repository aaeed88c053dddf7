"""The archive's schema: views for the common questions, full-text search, foreign keys.

A migration set of its own (``archive``), applied after the ``store`` set on both backends:

- views: ``post_latest_stats``, ``post_view``, ``daily_posts``, ``hashtag_pairs``,
  ``post_sources`` (described in :mod:`tokarc.dataset._dictionary`);
- full-text search over captions, comment texts and user bios: SQLite FTS5 tables kept in sync
  by triggers on every insert and upsert; PostgreSQL generated ``tsvector`` columns with GIN
  indexes (kept in sync by the server itself);
- foreign keys where the schema allows them: PostgreSQL only (SQLite cannot add a constraint
  to an existing table), ``NOT VALID`` (rows stored before are not re-checked) and deferred to
  the commit, so a page is still written in one transaction in any order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ._backend import Backend
from ._dialect import Dialect
from ._schema import MigrationSet

ARCHIVE = MigrationSet("archive")

#: What is searchable: table -> (its text column, the key shown for a match).
SEARCHABLE = {
    "posts": ("description", "aweme_id"),
    "comments": ("text", "cid"),
    "users": ("signature", "uid"),
}

#: The ``--in`` names of :data:`SEARCHABLE`, as users say them.
SEARCH_SCOPES = tuple(SEARCHABLE)

# The text search configuration on PostgreSQL: 'simple' (no stemming, no stop words) because
# captions come in every language; FTS5's unicode61 tokenizer does the same on SQLite.
PG_CONFIG = "simple"


def iso(d: Dialect, unix: str) -> str:
    """SQL for the Unix time ``unix`` as an ISO 8601 UTC string (``2026-01-31T12:00:00Z``)."""
    if d.name == "sqlite":
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {unix}, 'unixepoch')"
    return f"to_char(to_timestamp({unix}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"


def day(d: Dialect, unix: str) -> str:
    """SQL for the UTC day (``2026-01-31``) of the Unix time ``unix``."""
    if d.name == "sqlite":
        return f"date({unix}, 'unixepoch')"
    return f"to_char(to_timestamp({unix}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


@ARCHIVE.migration("views")
def _views(d: Dialect) -> list[str]:
    return [_LATEST_STATS, _post_view(d), _daily_posts(d), _HASHTAG_PAIRS, _POST_SOURCES]


_LATEST_STATS = """CREATE VIEW post_latest_stats AS
SELECT s.aweme_id, s.page_id, s.observed_at, s.play_count, s.digg_count, s.comment_count,
       s.share_count, s.collect_count, s.download_count,
       (SELECT COUNT(*) FROM post_stats c WHERE c.aweme_id = s.aweme_id) AS observations
  FROM post_stats s
 WHERE s.page_id = (SELECT MAX(m.page_id) FROM post_stats m WHERE m.aweme_id = s.aweme_id)"""


def _post_view(d: Dialect) -> str:
    return f"""CREATE VIEW post_view AS
SELECT p.aweme_id, p.create_time, {iso(d, "p.create_time")} AS created_at,
       p.author_uid, COALESCE(u.unique_id, p.author_unique_id) AS author_handle,
       u.nickname AS author_nickname, p.description, p.hashtags, p.mentions, p.region,
       p.music_id, m.title AS music_title, m.author AS music_author,
       COALESCE(s.play_count, p.play_count) AS play_count,
       COALESCE(s.digg_count, p.digg_count) AS digg_count,
       COALESCE(s.comment_count, p.comment_count) AS comment_count,
       COALESCE(s.share_count, p.share_count) AS share_count,
       COALESCE(s.collect_count, p.collect_count) AS collect_count,
       s.observed_at AS stats_observed_at, p.duration_ms, p.is_photo, p.is_pinned,
       p.share_url, p.gone_at, p.first_seen_at, p.last_seen_at
  FROM posts p
  LEFT JOIN users u ON u.uid = p.author_uid
  LEFT JOIN music m ON m.music_id = p.music_id
  LEFT JOIN post_latest_stats s ON s.aweme_id = p.aweme_id"""


def _daily_posts(d: Dialect) -> str:
    created = day(d, "p.create_time")
    return f"""CREATE VIEW daily_posts AS
SELECT v.source_kind, v.source_target, {created} AS day, COUNT(*) AS posts
  FROM seen_via v JOIN posts p ON p.aweme_id = v.entity_id
 WHERE v.entity = 'post' AND p.create_time IS NOT NULL
 GROUP BY v.source_kind, v.source_target, {created}"""


_HASHTAG_PAIRS = """CREATE VIEW hashtag_pairs AS
SELECT a.name AS hashtag_a, b.name AS hashtag_b, COUNT(*) AS posts
  FROM post_hashtags a JOIN post_hashtags b ON b.aweme_id = a.aweme_id AND a.name < b.name
 GROUP BY a.name, b.name"""

_POST_SOURCES = """CREATE VIEW post_sources AS
SELECT v.entity_id AS aweme_id, v.source_kind, v.source_target, v.first_job_id,
       v.last_job_id, v.first_seen_at, v.last_seen_at
  FROM seen_via v WHERE v.entity = 'post'"""


@ARCHIVE.migration("search")
def _search(d: Dialect) -> list[str]:
    if d.name == "sqlite":
        return [s for table, (column, _) in SEARCHABLE.items() for s in _fts5(table, column)]
    return [s for table, (column, _) in SEARCHABLE.items() for s in _tsvector(table, column)]


def text_index(d: Dialect, table: str, column: str) -> list[str]:
    """The statements that make ``table.column`` full-text searchable like the archive's own
    tables (for a package's migration set that keeps a searchable table of its own)."""
    return _fts5(table, column) if d.name == "sqlite" else _tsvector(table, column)


def _fts5(table: str, column: str) -> list[str]:
    """An external-content FTS5 index of ``table.column``, filled, and triggers keeping it so.

    The update trigger only re-indexes a row whose text changed: an upsert of a post seen again
    (the common case) costs one comparison.
    """
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
        "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')",
        f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')",
        *_fts5_triggers(table, column),
    ]


def _fts5_triggers(table: str, column: str) -> list[str]:
    fts = f"{table}_fts"
    old = f"INSERT INTO {fts} ({fts}, rowid, {column}) VALUES ('delete', old.rowid, old.{column})"
    new = f"INSERT INTO {fts} (rowid, {column}) VALUES (new.rowid, new.{column})"
    return [
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {new}; END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {old}; END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table} "
        f"WHEN old.{column} IS NOT new.{column} BEGIN {old}; {new}; END",
    ]


@contextlib.contextmanager
def search_filled_after(db: Backend) -> Iterator[None]:
    """Within a transaction that rewrites the searchable tables (a rebuild): SQLite's index is
    filled once at the end, from the tables, instead of by a trigger on every row. PostgreSQL's
    generated columns need nothing."""
    if db.dialect.name != "sqlite":
        yield
        return
    for table in SEARCHABLE:
        for event in ("insert", "delete", "update"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{event}")
    yield
    for table, (column, _) in SEARCHABLE.items():
        db.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('rebuild')")
        for statement in _fts5_triggers(table, column):
            db.execute(statement)


def _tsvector(table: str, column: str) -> list[str]:
    vector = f"to_tsvector('{PG_CONFIG}', COALESCE({column}, ''))"
    return [
        f"ALTER TABLE {table} ADD COLUMN search tsvector GENERATED ALWAYS AS ({vector}) STORED",
        f"CREATE INDEX {table}_search ON {table} USING GIN (search)",
    ]


#: The foreign keys the store's writes always satisfy: (table, column, referenced table, key).
FOREIGN_KEYS = (
    ("post_stats", "aweme_id", "posts", "aweme_id"),
    ("user_stats", "uid", "users", "uid"),
    ("post_hashtags", "aweme_id", "posts", "aweme_id"),
    ("post_hashtags", "name", "hashtags", "name"),
)


@ARCHIVE.migration("keys")
def _keys(d: Dialect) -> list[str]:
    if d.name == "sqlite":
        return []  # SQLite cannot add a constraint to an existing table
    return [
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fk FOREIGN KEY ({column}) "
        f"REFERENCES {ref} ({key}) DEFERRABLE INITIALLY DEFERRED NOT VALID"
        for table, column, ref, key in FOREIGN_KEYS
    ]


@ARCHIVE.migration("gone")
def _gone(d: Dialect) -> list[str]:
    # Ids asked for (``tokarc hydrate``) that the API no longer returns: deleted, private, or
    # never there. A post stored before is also marked in ``posts.gone_at``.
    return [
        f"""CREATE TABLE gone (
            entity TEXT NOT NULL, entity_id TEXT NOT NULL, job_id BIGINT,
            noted_at TEXT NOT NULL, PRIMARY KEY (entity, entity_id)){d.clustered}"""
    ]
