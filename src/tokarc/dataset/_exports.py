"""What each entity exports: a FIXED, documented column list and the query that reads it.

The columns never depend on the data (no inference from the first rows), so a CSV of an empty
store has the same header as one of a million posts. ``docs/store.md`` documents them;
a test checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Column types: "text", "int" (64-bit), "bool" (stored 0/1), "float", "time" (ISO 8601 UTC text
#: in the store; a UTC timestamp in Parquet and data frames).
Column = tuple[str, str]


#: What found a record: a ``seen_via`` source kind and target, e.g. ``("hashtag", "magic")``.
Source = tuple[str, str]


@dataclass(frozen=True)
class Run:
    """One run of a job: the pages of job ``job_id`` saved after page ``after_page`` (the
    store's ``last_page_id()`` when the run began); with ``more``, of those jobs too (one run
    of many targets, in the order their pages were committed)."""

    job_id: int
    after_page: int = 0
    more: tuple[int, ...] = ()

    @property
    def job_ids(self) -> tuple[int, ...]:
        return (self.job_id, *self.more)


_SEEN_VIA = (
    " WHERE {key} IN (SELECT entity_id FROM seen_via"
    " WHERE entity = ? AND source_kind = ? AND source_target = ?)"
)

# A record's place in the API's order: its first (page, rank) among the pages considered.
# Ranks within a page stay far below this factor (a page holds at most a few thousand).
_RANK_SPAN = 10_000_000
_POSITIONS = (
    "SELECT i.entity_id AS sel_id, MIN(i.page_id * " + str(_RANK_SPAN) + " + i.rank) AS sel_pos"
    " FROM page_items i{join} WHERE i.entity = ?{where} GROUP BY i.entity_id"
)
_BY_SOURCE = (" JOIN pages g ON g.id = i.page_id", " AND g.source_kind = ? AND g.source_target = ?")
_BY_RUN = ("", " AND i.job_id IN ({jobs}) AND i.page_id > ?")


@dataclass(frozen=True)
class Export:
    """An exportable entity: its columns, the query for them, and the query for raw JSON.

    ``seen`` is the entity's name in ``seen_via`` and ``key`` its id column, for exports that
    can be narrowed to the records one source found.
    """

    name: str
    columns: tuple[Column, ...]
    sql: str
    raw_sql: str | None = None  # (key, raw, raw_page) per row, for JSONL (see Store.raw_reader)
    seen: str | None = None
    key: str | None = None
    table: str | None = None
    #: The table it reads when another package's migration set keeps it (``media``): a store
    #: without that table has none of these records, and exports none.
    optional_table: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(name for name, _ in self.columns)

    def query(
        self, source: Source | None, *, raw: bool = False, run: Run | None = None
    ) -> tuple[str, tuple[object, ...]]:
        """The SQL (rows, or raw JSON with ``raw``) and its parameters.

        With ``source``: the records that source found; with ``run``: those one run of a
        job collected. Either way in the order the API gave them (the first page and rank
        each was seen at; records stored before ranks were kept come last, by id).
        ``ValueError`` if this entity cannot be narrowed.
        """
        sql = self.raw_sql if raw and self.raw_sql else self.sql
        if source is None and run is None:
            return sql, ()
        if self.seen is None or self.key is None or self.table is None:
            raise ValueError(f"{self.name} cannot be narrowed to a source or a run")
        select = sql.split(" FROM ", 1)[0]
        if run is not None:
            jobs = ", ".join("?" * len(run.job_ids))
            positions = _POSITIONS.format(join=_BY_RUN[0], where=_BY_RUN[1].format(jobs=jobs))
            return (
                f"{select} FROM {self.table} JOIN ({positions}) sel"
                f" ON sel.sel_id = {self.table}.{self.key} ORDER BY sel.sel_pos",
                (self.seen, *run.job_ids, run.after_page),
            )
        assert source is not None
        positions = _POSITIONS.format(join=_BY_SOURCE[0], where=_BY_SOURCE[1])
        where = _SEEN_VIA.format(key=f"{self.table}.{self.key}")
        order = f"CASE WHEN sel.sel_pos IS NULL THEN 1 ELSE 0 END, sel.sel_pos, {self.key}"
        return (
            f"{select} FROM {self.table} LEFT JOIN ({positions}) sel"
            f" ON sel.sel_id = {self.table}.{self.key}{where} ORDER BY {order}",
            (self.seen, *source, self.seen, *source),
        )


def _cols(spec: str) -> tuple[Column, ...]:
    """``"a b:int c:bool"`` as ``(("a", "text"), ("b", "int"), ("c", "bool"))``."""
    return tuple((w.partition(":")[0], w.partition(":")[2] or "text") for w in spec.split())


_PROV = "first_seen_at:time last_seen_at:time first_page:int last_page:int"


def _table(
    name: str, table: str, key: str, spec: str, raw: bool = True, seen: str | None = None
) -> Export:
    columns = _cols(f"{spec} {_PROV}")
    select = ", ".join(n for n, _ in columns)
    # A record's JSON is its row's ``raw`` or, from the page log, on page ``raw_page``.
    raw_sql = f"SELECT {key}, raw, raw_page FROM {table} ORDER BY {key}" if raw else None
    sql = f"SELECT {select} FROM {table} ORDER BY {key}"
    return Export(name, columns, sql, raw_sql, seen, key if seen else None, table)


def _events(table: str, who: str) -> Export:
    """A table of dated states (``account_events``, ``post_events``), oldest first."""
    columns = _cols(f"id:int {who} state code:int at:time page_id:int job_id:int")
    select = ", ".join(n for n, _ in columns)
    return Export(table, columns, f"SELECT {select} FROM {table} ORDER BY id")


_OBSERVATIONS = _cols(
    "entity entity_id observed_at:time page_id:int play_count:int digg_count:int comment_count:int "
    "share_count:int collect_count:int download_count:int follower_count:int "
    "following_count:int heart_count:int video_count:int user_digg_count:int"
)

_OBSERVATIONS_SQL = """
SELECT 'post', aweme_id, observed_at, page_id, play_count, digg_count, comment_count,
       share_count, collect_count, download_count, NULL, NULL, NULL, NULL, NULL
  FROM post_stats
UNION ALL
SELECT 'user', uid, observed_at, page_id, NULL, NULL, NULL, NULL, NULL, NULL,
       follower_count, following_count, heart_count, video_count, digg_count
  FROM user_stats
ORDER BY 1, 2, 4"""

EXPORTS: dict[str, Export] = {
    e.name: e
    for e in (
        _table(
            "posts",
            "posts",
            "aweme_id",
            "aweme_id author_uid author_unique_id music_id create_time:int description region "
            "is_pinned:bool is_photo:bool hashtags mentions play_count:int digg_count:int "
            "comment_count:int share_count:int collect_count:int download_count:int "
            "duration_ms:int width:int height:int cover_url play_url share_url gone_at:time",
            seen="post",
        ),
        _table(
            "users",
            "users",
            "uid",
            "uid sec_uid unique_id nickname signature region language verified:bool "
            "is_private:bool follower_count:int following_count:int heart_count:int "
            "video_count:int digg_count:int avatar_url create_time:int",
            seen="user",
        ),
        _table(
            "comments",
            "comments",
            "cid",
            "cid aweme_id parent_cid author_uid text create_time:int digg_count:int "
            "reply_count:int language",
            seen="comment",
        ),
        _table(
            "music",
            "music",
            "music_id",
            "music_id title author album is_original:bool duration_s:int user_count:int "
            "owner_uid owner_handle owner_nickname play_url cover_url",
            seen="music",
        ),
        _table(
            "hashtags",
            "hashtags",
            "name",
            "name hashtag_id view_count:int user_count:int",
            raw=False,
        ),
        _table(
            "lives", "lives", "room_id", "room_id title owner_uid viewer_count:int", seen="live"
        ),
        _table(
            "follows",
            "follows",
            "follower_uid, followed_uid",
            "follower_uid followed_uid first_job_id:int last_job_id:int",
            raw=False,
        ),
        _table(  # identities over time (``store/_identities.py``), each account's oldest first
            "account_names",
            "account_names",
            "uid, first_seen_at, unique_id, nickname",
            "uid sec_uid unique_id nickname",
            raw=False,
        ),
        _events("account_events", "uid sec_uid handle"),
        _events("post_events", "aweme_id"),
        Export("observations", _OBSERVATIONS, _OBSERVATIONS_SQL),
        Export(
            "post_hashtags",
            _cols("aweme_id name"),
            "SELECT aweme_id, name FROM post_hashtags ORDER BY aweme_id, name",
        ),
        Export(
            "seen_via",
            _cols(
                "entity entity_id source_kind source_target first_job_id:int "
                "last_job_id:int first_seen_at:time last_seen_at:time"
            ),
            "SELECT entity, entity_id, source_kind, source_target, first_job_id, last_job_id, "
            "first_seen_at, last_seen_at FROM seen_via "
            "ORDER BY entity, entity_id, source_kind, source_target",
        ),
        Export(  # the media archive's files (tokarc.media): local paths under the media root
            "media",
            _cols(
                "kind record_id position:int status path sha256 bytes:int content_type url "
                "fetched_at attempts:int"
            ),
            "SELECT kind, record_id, position, status, path, sha256, bytes, content_type, url, "
            "fetched_at, attempts FROM media ORDER BY kind, record_id, position",
            optional_table="media",
        ),
        Export(  # what was said: the subtitles parsed (tokarc.media's transcripts set), with
            # who said it and when (the post's author and time: what 4CAT needs of an item)
            "transcripts",
            _cols(
                "aweme_id author_uid author_unique_id create_time:int language source "
                "position:int cue_count:int cues text updated_at"
            ),
            "SELECT t.aweme_id, p.author_uid, p.author_unique_id, p.create_time, t.language, "
            "t.source, t.position, t.cue_count, t.cues, t.text, t.updated_at FROM transcripts t "
            "LEFT JOIN posts p ON p.aweme_id = t.aweme_id ORDER BY t.aweme_id, t.language, "
            "t.source",
            optional_table="transcripts",
        ),
    )
}


def get(entity: str) -> Export:
    """The export of ``entity``; ``ValueError`` names the known ones."""
    try:
        return EXPORTS[entity]
    except KeyError:
        known = ", ".join(EXPORTS)
        raise ValueError(f"unknown entity {entity!r} to export; known: {known}") from None
