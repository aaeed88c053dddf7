"""The store's statements, built once from the column lists of :mod:`._rows`."""

from __future__ import annotations

from ..models import RECORD_TYPES
from . import _rows as R
from ._dialect import upsert

FIRST = ("first_page", "first_seen_at", "first_job_id")  # provenance never overwritten

UPSERT_POST = upsert("posts", R.POST_COLUMNS, ["aweme_id"], keep=FIRST)
UPSERT_USER = upsert("users", R.USER_COLUMNS, ["uid"], keep=FIRST)
# Authors and sounds embedded in posts only fill gaps, and are rewritten (last seen, gaps) at
# most once per refresh interval: the last parameter is "last seen before this, refresh it".
# Rewriting a kilobyte of raw JSON for every post of a popular sound is what it saves.
FILL_USER = upsert(
    "users", R.USER_COLUMNS, ["uid"], keep=FIRST, fill_only=True, where="users.last_seen_at < ?"
)
UPSERT_MUSIC = upsert("music", R.MUSIC_COLUMNS, ["music_id"], keep=FIRST)
FILL_MUSIC = upsert(
    "music",
    R.MUSIC_COLUMNS,
    ["music_id"],
    keep=FIRST,
    fill_only=True,
    where="music.last_seen_at < ?",
)
UPSERT_HASHTAG = upsert("hashtags", R.HASHTAG_COLUMNS, ["name"], keep=FIRST)
UPSERT_COMMENT = upsert("comments", R.COMMENT_COLUMNS, ["cid"], keep=FIRST)
UPSERT_LIVE = upsert("lives", R.LIVE_COLUMNS, ["room_id"], keep=FIRST)
LINK_HASHTAG = upsert("post_hashtags", ("aweme_id", "name"), ["aweme_id", "name"])
ADD_POST_STATS = upsert("post_stats", R.POST_STATS_COLUMNS, ["aweme_id", "page_id"], update=False)
ADD_USER_STATS = upsert("user_stats", R.USER_STATS_COLUMNS, ["uid", "page_id"], update=False)
UPSERT_FOLLOW = upsert("follows", R.FOLLOW_COLUMNS, ["follower_uid", "followed_uid"], keep=FIRST)
UPSERT_SEEN_VIA = upsert(
    "seen_via",
    R.SEEN_VIA_COLUMNS,
    ["entity", "entity_id", "source_kind", "source_target"],
    keep=FIRST,
)

INSERT_PAGE = """INSERT INTO pages (job_id, endpoint, params, cursor, fetched_at, tokarc_version,
    source_kind, source_target, items, new_records, rejected, body, codec, context)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"""

ADD_PENDING = "INSERT INTO pending_pages (page_id) VALUES (?)"
TAKE_PENDING = "DELETE FROM pending_pages WHERE page_id = ?"

INSERT_REJECT = """INSERT INTO rejects (page_id, job_id, kind, error, raw, at)
    VALUES (?, ?, ?, ?, ?, ?)"""

INSERT_REQUEST = """INSERT INTO requests (job_id, endpoint, params, status_code, units, elapsed,
    error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""

PAGE_TO_JOB = """UPDATE jobs SET checkpoint = COALESCE(?, checkpoint),
    newest_mark = COALESCE(?, newest_mark), returned = returned + ?,
    new_records = new_records + ?, duplicates = duplicates + ?,
    covered_from = CASE WHEN covered_from IS NULL OR covered_from > COALESCE(?, covered_from)
        THEN COALESCE(?, covered_from) ELSE covered_from END,
    covered_to = CASE WHEN covered_to IS NULL OR covered_to < COALESCE(?, covered_to)
        THEN COALESCE(?, covered_to) ELSE covered_to END,
    last_fetched = ?, updated_at = ? WHERE id = ?"""

REQUEST_TO_JOB = """UPDATE jobs SET requested = requested + 1, units = units + ?,
    updated_at = ? WHERE id = ?"""

INSERT_PAGE_ITEM = """INSERT INTO page_items (page_id, rank, job_id, entity, entity_id)
    VALUES (?, ?, ?, ?, ?)"""

# A miss counts on from the last one only if the post was not seen since (on a later page);
# otherwise it is the first of a new run of misses.
_SEEN_SINCE = """COALESCE((SELECT last_page FROM posts WHERE posts.aweme_id = excluded.aweme_id),
        0) > post_misses.last_page"""
ADD_MISS = f"""INSERT INTO post_misses (aweme_id, misses, first_missed_at, last_missed_at,
    last_page, last_job_id) VALUES (?, 1, ?, ?, ?, ?) ON CONFLICT (aweme_id) DO UPDATE SET
    misses = CASE WHEN {_SEEN_SINCE} THEN 1 ELSE post_misses.misses + 1 END,
    first_missed_at = CASE WHEN {_SEEN_SINCE} THEN excluded.first_missed_at
        ELSE post_misses.first_missed_at END,
    last_missed_at = excluded.last_missed_at, last_page = excluded.last_page,
    last_job_id = excluded.last_job_id"""

JOB_COLUMNS = (
    "id",
    "kind",
    "target",
    "options",
    "status",
    "created_at",
    "updated_at",
    "checkpoint",
    "newest_mark",
    "outcome",
    "stop_reason",
    "requested",
    "returned",
    "new_records",
    "duplicates",
    "units",
    "tokarc_version",
    "covered_from",
    "covered_to",
    "last_fetched",
    "found",
)

INSERT_JOB = """INSERT INTO jobs (kind, target, options, status, created_at, updated_at,
    tokarc_version) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"""

SELECT_JOBS = f"SELECT {', '.join(JOB_COLUMNS)} FROM jobs"

#: entity name -> (table, id column)
# entity -> (table, id column): from the record types themselves.
TABLES = {t.entity: (t.table, t.key) for t in RECORD_TYPES}

COUNTED_TABLES = (
    "posts",
    "users",
    "comments",
    "music",
    "hashtags",
    "lives",
    "post_hashtags",
    "follows",
    "seen_via",
    "post_stats",
    "user_stats",
    "jobs",
    "pages",
    "requests",
    "rejects",
    "page_items",
    "post_misses",
)
