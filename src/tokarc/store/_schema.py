"""Named migration sets, applied in order on open and recorded in the ``migrations`` table.

Like sqlite-utils' named migration sets: each package that keeps tables in the store declares its
own :class:`MigrationSet` in its own ``_schema`` module (``store`` here, ``monitor`` in
``tokarc.monitor._schema``, ...) and registers functions on it with ``@SET.migration("name")``.
Each returns its SQL statements for a :class:`~tokarc.store._dialect.Dialect`, so both backends
get the same schema. A migration, once released, never changes: a schema change is a new one.

The store names no package above it: it applies the sets it is given
(``open_store(url, migrations=...)``, ``Store.ensure(...)``), each set's migrations in the order
they were registered, the sets in the order given (``store`` first: the others may refer to its
tables). ``tokarc._wiring`` lists every package's sets for the CLI. A database that records a
migration of a given set that this tokarc does not know was written by a newer tokarc: it is
refused, not written to. Migrations of sets not given (another package's) are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .._version import __version__
from ..errors import SchemaTooNewError
from ._backend import Backend
from ._dialect import Dialect
from ._text import timestamp

Steps = Callable[[Dialect], list[str]]

# Names recorded by tokarc before migrations were named per set.
_LEGACY_NAMES = {"initial": "store.initial", "watches": "monitor.watches"}


@dataclass(frozen=True)
class Migration:
    """One schema step: its qualified name (``set.name``) and its statements."""

    name: str
    steps: Steps


@dataclass(eq=False)
class MigrationSet:
    """The migrations of one package, in the order they were registered; ``backends`` names
    the backends the set is for (None: both)."""

    name: str
    backends: frozenset[str] | None = None
    migrations: list[Migration] = field(default_factory=list)

    def applies_to(self, dialect: Dialect) -> bool:
        return self.backends is None or dialect.name in self.backends

    def migration(self, name: str) -> Callable[[Steps], Steps]:
        """Register ``steps`` as this set's next migration, ``name`` unique within the set."""

        def register(steps: Steps) -> Steps:
            qualified = f"{self.name}.{name}"
            if any(m.name == qualified for m in self.migrations):
                raise ValueError(f"migration {qualified} is registered twice")
            self.migrations.append(Migration(qualified, steps))
            return steps

        return register


STORE = MigrationSet("store")

MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS migrations "
    "(id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def all_migrations(sets: Iterable[MigrationSet], dialect: Dialect | None = None) -> list[Migration]:
    """Every migration of ``sets`` (those for ``dialect``'s backend, if given), in the order
    they are applied."""
    return [
        m for each in sets if dialect is None or each.applies_to(dialect) for m in each.migrations
    ]


# Where a record was first and last seen: page ids (see ``pages``) and times.
PROVENANCE = """
    first_page BIGINT, last_page BIGINT,
    first_seen_at TEXT NOT NULL, last_seen_at TEXT NOT NULL"""


@STORE.migration("initial")
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


def apply(db: Backend, sets: Sequence[MigrationSet]) -> list[str]:
    """Apply the migrations of ``sets`` that ``db`` lacks, in order, each recorded; return
    their names.

    Runs under a lock (one transaction; PostgreSQL: an advisory lock), so two processes opening
    the same database at once cannot both migrate it. Raises :class:`SchemaTooNewError`, having
    changed nothing, when ``db`` records a migration of one of ``sets`` this tokarc does not
    know.
    """
    known = all_migrations(sets, db.dialect)
    if _up_to_date(db, known):
        return []  # the common case: one query, no lock, no transaction
    applied: list[str] = []
    with db.transaction():
        if db.dialect.lock:
            db.query(db.dialect.lock)
        db.execute(MIGRATIONS_TABLE)
        done = _recorded(db)
        _refuse_newer(done, known)
        _rename_legacy(db, done)
        next_id = max(done.values(), default=0) + 1
        for step in (m for m in known if m.name not in done):
            _run(db, step, next_id)
            applied.append(step.name)
            next_id += 1
    return applied


def _up_to_date(db: Backend, known: list[Migration]) -> bool:
    """Whether ``db`` has exactly the ``known`` migrations of their sets (a missing table: it
    has none), and no name of old."""
    try:
        names = {str(row[0]) for row in db.query("SELECT name FROM migrations")}
    except Exception:  # no migrations table yet: a new database (autocommit: nothing aborted)
        return False
    given = {_set_name(m.name) for m in known}
    ours = {n for n in names if _set_name(n) in given}
    return ours == {m.name for m in known} and not names & set(_LEGACY_NAMES)


def pending(db: Backend, sets: Sequence[MigrationSet]) -> list[str]:
    """The migrations of ``sets`` that ``db`` lacks, changing nothing (for a database opened
    read-only).

    Raises :class:`SchemaTooNewError` when ``db`` records a migration of ``sets`` this tokarc
    does not know.
    """
    known = all_migrations(sets, db.dialect)
    try:
        done = _recorded(db)
    except Exception:  # no migrations table: nothing applied yet
        return [m.name for m in known]
    _refuse_newer(done, known)
    names = set(done) | {_LEGACY_NAMES.get(n, n) for n in done}
    return [m.name for m in known if m.name not in names]


def _recorded(db: Backend) -> dict[str, int]:
    return {str(name): int(id_) for id_, name in db.query("SELECT id, name FROM migrations")}


def _set_name(migration: str) -> str:
    """The set a recorded migration belongs to (``monitor`` of ``monitor.watches``)."""
    return _LEGACY_NAMES.get(migration, migration).partition(".")[0]


def _refuse_newer(done: dict[str, int], known: list[Migration]) -> None:
    names = {m.name for m in known} | set(_LEGACY_NAMES)
    ours = {_set_name(m.name) for m in known}  # the sets given, for this backend
    unknown = sorted(
        (id_, name) for name, id_ in done.items() if _set_name(name) in ours and name not in names
    )
    if unknown:
        id_, name = unknown[0]
        raise SchemaTooNewError(
            f"this database was written by a newer tokarc: it has migration {id_} ({name!r}), "
            f"which tokarc {__version__} does not know (it knows {len(known)}); "
            "upgrade tokarc to use it"
        )


def _rename_legacy(db: Backend, done: dict[str, int]) -> None:
    for old, new in _LEGACY_NAMES.items():
        if old in done:
            db.execute("UPDATE migrations SET name = ? WHERE name = ?", (new, old))
            done[new] = done.pop(old)


def _run(db: Backend, step: Migration, id_: int) -> None:
    for statement in step.steps(db.dialect):
        db.execute(statement)
    db.execute(
        "INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)",
        (id_, step.name, timestamp()),
    )


# -- migrations after the first release: each a new named step, never edited once released ----


@STORE.migration("ranks")
def _ranks(d: Dialect) -> list[str]:
    """Where each record stood on its page (``rank``, from 0) and the job it was collected
    for: the API's order, which exports of a source or of a run keep."""
    return [
        f"""CREATE TABLE page_items (
            page_id BIGINT NOT NULL, rank INTEGER NOT NULL, job_id BIGINT,
            entity TEXT NOT NULL, entity_id TEXT NOT NULL,
            PRIMARY KEY (page_id, rank)){d.clustered}""",
        "CREATE INDEX page_items_job ON page_items (job_id, page_id)",
        "CREATE INDEX pages_source ON pages (source_kind, source_target)",
    ]


@STORE.migration("coverage")
def _coverage(d: Dialect) -> list[str]:
    """The span of ``create_time`` a job's posts covered, and the (collector's) time of its
    last page: what a ``since`` window is measured against."""
    return [
        "ALTER TABLE jobs ADD COLUMN covered_from BIGINT",
        "ALTER TABLE jobs ADD COLUMN covered_to BIGINT",
        "ALTER TABLE jobs ADD COLUMN last_fetched BIGINT",
    ]


@STORE.migration("misses")
def _misses(d: Dialect) -> list[str]:
    """Consecutive lookups by id that did not bring a post back; it is marked gone after a
    number of them (``gone_after``), not after one."""
    return [
        f"""CREATE TABLE post_misses (
            aweme_id TEXT PRIMARY KEY, misses INTEGER NOT NULL,
            first_missed_at TEXT NOT NULL, last_missed_at TEXT NOT NULL,
            last_page BIGINT NOT NULL, last_job_id BIGINT){d.clustered}""",
    ]


@STORE.migration("follow_targets")
def _follow_targets(d: Dialect) -> list[str]:
    """Earlier tokarc recorded the user whose followers (followings) a job listed as found by
    ``followers:NAME``: that user is the other end of every edge, not a result. Those rows go
    (the lookup that found the user is recorded as ``user:NAME`` from now on)."""
    return [
        """DELETE FROM seen_via WHERE entity = 'user'
            AND source_kind IN ('followers', 'followings')
            AND entity_id IN (SELECT uid FROM users WHERE unique_id = seen_via.source_target)""",
    ]


@STORE.migration("job_found")
def _job_found(d: Dialect) -> list[str]:
    """What a finished job found when that is nothing (``nothing``), or for posts by id the
    ids that did not come back (``missing: ID ID``); NULL when it found what it asked for."""
    return ["ALTER TABLE jobs ADD COLUMN found TEXT"]


#: The tables whose rows keep their record's JSON, or a pointer into the page log.
RAW_TABLES = ("posts", "users", "music", "comments", "lives")


@STORE.migration("page_log")
def _page_log(d: Dialect) -> list[str]:
    """The page log (``store/_log.py``): each page's response body, zstd-compressed, in its
    ``pages`` row (``body``, with ``codec``), and what its records were saved with beyond the
    body (``context``: the ids kept, a follow list's owner, ...), so the tables can be derived
    again. A record whose JSON is in the log keeps ``raw`` empty and names the page in
    ``raw_page``. PostgreSQL stores the compressed body as is (``STORAGE EXTERNAL``: TOAST does
    not try to compress it again)."""
    blob = "BLOB" if d.name == "sqlite" else "BYTEA"
    steps = [
        f"ALTER TABLE pages ADD COLUMN body {blob}",
        "ALTER TABLE pages ADD COLUMN codec TEXT",
        f"ALTER TABLE pages ADD COLUMN context {d.json_type}",
        *(f"ALTER TABLE {table} ADD COLUMN raw_page BIGINT" for table in RAW_TABLES),
    ]
    if d.name != "sqlite":
        steps.append("ALTER TABLE pages ALTER COLUMN body SET STORAGE EXTERNAL")
    return steps


@STORE.migration("pending_pages")
def _pending_pages(d: Dialect) -> list[str]:
    """Logged pages whose records are not derived yet: a collection commits each page (its
    body and its job's checkpoint) at once and derives the tables in batches behind it
    (``Store.save_pages(..., defer=True)``); a page is listed here in its own transaction and
    taken off in the one that derives it. Whatever an interrupted collection left here is
    derived when the database is next opened writable."""
    return [f"CREATE TABLE pending_pages (page_id BIGINT PRIMARY KEY){d.clustered}"]


@STORE.migration("caption_tracks")
def _caption_tracks(d: Dialect) -> list[str]:
    """How many caption tracks a post's JSON lists (``Post.captions``), so that the subtitles a
    media run looks for are a query, not a decode of every post. Rows stored before it are NULL
    (unknown: their JSON is read) until ``tokarc rebuild`` derives it, as a migration that adds
    a derived column does."""
    return ["ALTER TABLE posts ADD COLUMN caption_tracks INTEGER"]
