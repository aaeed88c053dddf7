"""The Store: one interface over SQLite and PostgreSQL (see ``docs/store.md``)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import msgspec

from .._closing import Closing
from .._version import __version__
from ..models import Undecodable
from ..status import JobStatus
from . import _identities, _log, _schema
from . import _rows as R
from . import _sql as Q
from ._backend import Backend
from ._plan import Plan, plan
from ._replay import PAGE_COLUMNS, batch_of
from ._serial import Serialized
from ._text import clean, clean_json, raw_json, timestamp
from ._types import Batch, Job, PageResult, Stats

#: Deferred pages (``save_pages(..., defer=True)``) are derived this many at a time.
DERIVE_EVERY = 50

#: How often an author or sound embedded in posts is rewritten (last seen, gaps filled).
EMBEDDED_REFRESH = dt.timedelta(hours=1)

_ID_CHUNK = 10_000  # ids per known_ids query: one parameter each way, so only memory bounds it

_JOB_FIELDS = frozenset(Q.JOB_COLUMNS) - {"id", "created_at", "updated_at", "tokarc_version"}


class Store(Closing):
    """Posts, users, comments, music, hashtags, follows, stats over time, jobs and a request
    ledger, in SQLite or PostgreSQL. Open one with :func:`tokarc.store.open_store`.

    Example::

        with open_store("magic.db") as store:
            job = store.create_job("hashtag", "magic", {"days": 7})
            result = store.save_page(Batch(job_id=job.id, endpoint="/tt/hashtag/posts",
                                           records=posts, checkpoint=state.to_json()))
            print(result.new, result.duplicates)
    """

    def __init__(self, backend: Backend, migrations: Sequence[_schema.MigrationSet]) -> None:
        self._db: Backend = Serialized(backend)  # one thread at a time (see _serial)
        self._sets: list[_schema.MigrationSet] = []
        self.applied_migrations: list[str] = []
        #: Migrations this database lacks, left unapplied because it was opened read-only.
        self.pending_migrations: list[str] = []
        self._deferred = _Deferred()
        try:
            self.ensure(migrations)
            if not self._db.read_only:
                self._recover()
        except BaseException:
            backend.close()
            raise

    def ensure(self, migrations: Iterable[_schema.MigrationSet]) -> None:
        """Apply the migration sets a package keeps its tables in, where this store lacks them
        (a package calls it for its own sets: ``Watches(store)`` for monitor's); a set already
        ensured costs nothing. Opened read-only, what is lacking is added to
        ``pending_migrations`` instead. Raises SchemaTooNewError for a set that a newer tokarc
        wrote."""
        sets = [s for s in dict.fromkeys(migrations) if s not in self._sets]
        if not sets:
            return
        if self._db.read_only:
            self.pending_migrations += _schema.pending(self._db, sets)
        else:
            self.applied_migrations += _schema.apply(self._db, sets)
        self._sets += sets

    def has_table(self, name: str) -> bool:
        """Whether the database has the table ``name`` (one another package keeps may be
        absent from a store that package was never handed)."""
        return bool(self._db.query(self._db.dialect.has_table, (name,))[0][0])

    @property
    def migrations(self) -> tuple[_schema.MigrationSet, ...]:
        """The migration sets this store was opened with or was asked to ensure."""
        return tuple(self._sets)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.dialect.name

    @property
    def db(self) -> Backend:
        """The connection seam (``execute``, ``executemany``, ``query``, ``stream``,
        ``transaction``; SQL with ``?`` placeholders), for modules that keep their own tables
        in the store through a migration (``tokarc.monitor``)."""
        return self._db

    @property
    def url(self) -> str:
        """The path or URL the store was opened with."""
        return self._db.url

    def __repr__(self) -> str:
        return f"Store(backend={self.backend!r})"

    def close(self) -> None:
        """Derive what was deferred, and close the connection."""
        try:
            if len(self._deferred) and not self._db.read_only:
                self.derive_pending()
        finally:
            self._db.close()

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if et is None:
            self.close()
        else:  # interrupted or failed: what was deferred is derived at the next open
            self._db.close()

    @property
    def read_only(self) -> bool:
        """Whether the store was opened read-only (``open_store(..., read_only=True)``)."""
        return bool(getattr(self._db, "read_only", False))

    def schema_version(self) -> int:
        """The number of the newest migration applied."""
        return int(self._db.query("SELECT MAX(id) FROM migrations")[0][0] or 0)

    # -- the hot path ----------------------------------------------------------------------

    def save_page(self, batch: Batch) -> PageResult:
        """Store a page of records, its provenance, and its job's checkpoint, atomically.

        Everything (records, embedded authors and music, hashtags, observations, ``seen_via``,
        follow edges, rejects, the job's checkpoint and counters) is committed in one
        transaction or not at all. Raises ``KeyError`` if ``batch.job_id`` names no job and
        ``ValueError`` if a checkpoint is given without a job.
        """
        return self.save_pages([batch])[0]

    def save_pages(self, batches: Sequence[Batch], *, defer: bool = False) -> list[PageResult]:
        """Store several pages, in order, in ONE transaction (a group commit).

        Each page is saved as by :meth:`save_page`, and all of them (with the checkpoint of the
        last page of each job) commit together or not at all. A collection that has several
        pages waiting to be written uses it: one commit, and each B-tree page touched once,
        instead of once per page. Results are those of saving the pages one after another.

        With ``defer``, a page with a body (see ``Batch.body``) commits as its page-log row, its
        job's checkpoint and counters only: durable at once, and small; its records' rows are
        derived later, many pages in one transaction (every :data:`DERIVE_EVERY` pages, and at
        :meth:`derive_pending`, which a collection calls before it returns, and :meth:`close`).
        Until then :meth:`known_ids` counts them as stored. An interrupted process's deferred
        pages are derived when the database is next opened writable. A lookup by id
        (``Batch.missing``) and a page without a body are never deferred.
        """
        for batch in batches:
            if batch.job_id is None and (batch.checkpoint or batch.newest_mark):
                raise ValueError("a checkpoint or newest mark needs a job_id")
        try:
            with self._db.transaction():
                results = [self._save(batch, defer) for batch in batches]
        except BaseException:
            self._deferred.rolled_back()
            raise
        self._deferred.committed()
        if len(self._deferred) >= DERIVE_EVERY:
            self.derive_pending()
        return results

    def _save(self, batch: Batch, defer: bool = False) -> PageResult:
        p = plan(batch.records)
        fetched = batch.fetched_at or dt.datetime.now(dt.UTC)
        if fetched.tzinfo is None:  # naive times are UTC, as ``timestamp`` reads them
            fetched = fetched.replace(tzinfo=dt.UTC)
        new_ids = self._unknown(p)
        at = timestamp(fetched)
        page_id = self._insert_page(batch, p, len(new_ids), at)
        seen = R.Seen(page_id, at, batch.body is not None)
        if defer and batch.body is not None and batch.missing is None:
            self._db.execute(Q.ADD_PENDING, (page_id,))
            self._deferred.add(_Page(batch, p, seen, fetched))
            gone = 0
        else:
            gone = self.derive(batch, p, seen, fetched)
        self._to_job(batch, p, len(new_ids), int(fetched.timestamp()))
        dups = len(p.order) - len(new_ids)
        return PageResult(
            page_id,
            len(p.order),
            len(new_ids),
            dups,
            len(batch.undecodable),
            tuple(new_ids),
            gone,
        )

    def derive(
        self,
        batch: Batch,
        p: Plan,
        seen: R.Seen,
        fetched: dt.datetime,
        *,
        misses: bool = True,
        events: bool = True,
    ) -> int:
        """Write the rows a page's records make (``p``, the plan of ``batch.records``), as seen
        on page ``seen``: what saving a page does after recording the page, and what a
        rebuild does again from the page log (:mod:`._rebuild`). Returns how many posts the
        page marked gone (none when ``misses`` is false: a lookup's misses left as they are).
        ``events=False`` (a rebuild) keeps the accounts' and posts' dated states as they are
        and derives their names only."""
        self._write(p, seen, _stale(fetched))
        self._write_context(batch, p, seen)
        gone = self._misses(batch, p, seen) if misses else 0
        _identities.record(self._db, batch, p, seen, events=events)  # docs/store.md
        return gone

    def derive_pending(self) -> int:
        """Derive the records' rows of the pages this store deferred (``save_pages(...,
        defer=True)``); returns how many pages. SQLite derives them in one transaction (one
        writer at a time); PostgreSQL one page per transaction, each page's rows locked in key
        order, so that processes deriving at once cannot deadlock on shared authors and sounds.
        A page another process derived first (its recovery at open) is left to it."""
        pages = self._deferred.take()
        done: list[_Page] = []
        try:
            for group in self._groups(pages):
                with self._db.transaction():
                    for page in group:
                        if self._db.execute(Q.TAKE_PENDING, (page.seen.page_id,)):
                            self.derive(page.batch, page.plan, page.seen, page.fetched)
                done += group
        except BaseException:
            self._deferred.put_back(pages[len(done) :])  # still pending: derived later
            raise
        finally:
            self._deferred.done(done)
        return len(pages)

    def _groups(self, pages: list[_V]) -> list[list[_V]]:
        """The transactions ``pages`` are derived in (see :meth:`derive_pending`)."""
        if self._db.dialect.name == "sqlite":
            return [pages] if pages else []
        return [[page] for page in pages]

    def pending_pages(self) -> int:
        """How many logged pages are not derived into the tables yet: deferred by a
        collection still running, or left by one interrupted (derived at the next writable
        open). A read-only store reads the tables without them."""
        if not self.has_table("pending_pages"):
            return 0
        return int(self._db.query("SELECT COUNT(*) FROM pending_pages")[0][0])

    def _recover(self) -> None:
        """Derive what an interrupted collection left in ``pending_pages``, in page order."""
        if not self.pending_pages():
            return
        sql = (
            f"SELECT {PAGE_COLUMNS} FROM pages WHERE id IN (SELECT page_id FROM pending_pages)"
            " ORDER BY id"
        )
        for group in self._groups(self._db.query(sql)):
            with self._db.transaction():
                for row in group:
                    if self._db.execute(Q.TAKE_PENDING, (row[0],)):
                        self.derive_logged(row)

    def derive_logged(
        self, row: tuple[Any, ...], *, misses: bool = True, events: bool = True
    ) -> int:
        """:meth:`derive` of a logged page read back (a row of ``_replay.PAGE_COLUMNS``): its
        records decoded again from its body; returns how many it holds."""
        batch, seen, fetched = batch_of(row)
        self.derive(batch, plan(batch.records), seen, fetched, misses=misses, events=events)
        return len(batch.records)

    def _unknown(self, p: Plan) -> list[str]:
        """The ids of the page's own records not stored yet, in page order."""
        new: list[str] = []
        for entity in dict.fromkeys(e for e, _ in p.order):
            ids = p.ids(entity)
            known = self._stored_ids(entity, ids) | self._deferred.ids(entity, ids)
            new.extend(i for i in ids if i not in known)
        return new

    def _insert_page(self, batch: Batch, p: Plan, new: int, at: str) -> int:
        cursor = None if batch.cursor is None else clean(str(batch.cursor))
        row = (
            batch.job_id,
            clean(batch.endpoint),
            clean_json(dict(batch.params)),
            cursor,
            at,
            __version__,
            clean(batch.source_kind),
            clean(batch.source_target),
            len(p.order),
            new,
            len(batch.undecodable),
            *_logged(batch),
        )
        return int(self._db.query(Q.INSERT_PAGE, row)[0][0])

    def _write(self, p: Plan, s: R.Seen, stale: str) -> None:
        # Rows go in key order: two pages saved at once (concurrent watches on PostgreSQL) then
        # lock shared authors and sounds in the same order, and cannot deadlock on them.
        up, stale_ = self._db.upsert, (stale,)
        up(Q.UPSERT_USER, [R.user_row(u, s) for u in _by_key(p.users)])
        up(Q.FILL_USER, [R.user_row(u, s) for u in _by_key(p.embedded_users)], stale_)
        up(Q.UPSERT_MUSIC, [R.music_row(m, s) for m in _by_key(p.music)])
        up(Q.FILL_MUSIC, [R.music_row(m, s) for m in _by_key(p.embedded_music)], stale_)
        up(Q.UPSERT_POST, [R.post_row(x, s) for x in _by_key(p.posts)])
        up(Q.UPSERT_HASHTAG, [R.hashtag_row(h, s) for h in _by_key(p.hashtags)])
        up(Q.LINK_HASHTAG, sorted(p.post_hashtags))
        up(Q.UPSERT_COMMENT, [R.comment_row(c, s) for c in _by_key(p.comments)])
        up(Q.UPSERT_LIVE, [R.live_row(v, s) for v in _by_key(p.lives)])
        self._observe(p, s)

    def _observe(self, p: Plan, s: R.Seen) -> None:
        """One observation of counts per post and per (listed, not embedded) user."""
        posts = (R.post_stats_row(x, s) for x in p.posts.values())
        users = (R.user_stats_row(u, s) for u in p.users.values())
        self._db.upsert(Q.ADD_POST_STATS, [r for r in posts if r is not None])
        self._db.upsert(Q.ADD_USER_STATS, [r for r in users if r is not None])

    def _write_context(self, batch: Batch, p: Plan, s: R.Seen) -> None:
        """What the page says beyond its records: sources, follow edges, rejects."""
        job = batch.job_id
        if batch.source_kind is not None:
            kind, target = clean(batch.source_kind), clean(batch.source_target or "")
            order = sorted(p.order)
            rows: list[R.Row] = [(e, i, kind, target, job, job, s.at, s.at) for e, i in order]
            self._db.upsert(Q.UPSERT_SEEN_VIA, rows)
        if batch.follow is not None:
            self._db.upsert(Q.UPSERT_FOLLOW, _follow_rows(batch, p, s))
        if batch.undecodable:
            rows = [_reject_row(u, s, job) for u in batch.undecodable]
            self._db.executemany(Q.INSERT_REJECT, rows)
        if batch.results:
            ranked = [(s.page_id, rank, job, e, clean(i)) for rank, (e, i) in enumerate(p.order)]
            self._db.executemany(Q.INSERT_PAGE_ITEM, ranked)

    def _misses(self, batch: Batch, p: Plan, s: R.Seen) -> int:
        """A lookup by id: a miss for each post that did not come back (and none left for
        those that did); returns how many posts reached ``gone_after`` misses and were
        marked gone."""
        if batch.missing is None:
            return 0
        d, db = self._db.dialect, self._db
        if back := p.ids("post"):
            db.execute(f"DELETE FROM post_misses WHERE {d.in_ids('aweme_id')}", (d.ids(back),))
        missing = sorted({clean(i) or "" for i in batch.missing})
        if not missing:
            return 0
        db.executemany(Q.ADD_MISS, [(i, s.at, s.at, s.page_id, batch.job_id) for i in missing])
        sql = (
            f"UPDATE posts SET gone_at = ? WHERE gone_at IS NULL AND {d.in_ids('aweme_id')}"
            " AND aweme_id IN (SELECT aweme_id FROM post_misses WHERE misses >= ?)"
        )
        return db.execute(sql, (s.at, d.ids(missing), max(1, batch.gone_after)))

    def _to_job(self, batch: Batch, p: Plan, new: int, fetched: int) -> None:
        if batch.job_id is None:
            return
        records, new = (len(p.order), new) if batch.results else (0, 0)
        oldest, newest = _span(p) if batch.results else (None, None)
        row = (
            batch.checkpoint,
            clean(batch.newest_mark),
            records,
            new,
            records - new,
            oldest,
            oldest,
            newest,
            newest,
            fetched,
            timestamp(),
            batch.job_id,
        )
        if not self._db.execute(Q.PAGE_TO_JOB, row):
            raise KeyError(f"no job {batch.job_id}")

    # -- lookups ---------------------------------------------------------------------------

    def known_ids(self, entity: str, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are stored as ``entity`` ("post", "user", "comment", "music",
        "hashtag", "live"), deferred pages' records included."""
        wanted = list(dict.fromkeys(ids))
        return self._stored_ids(entity, wanted) | self._deferred.ids(entity, wanted)

    def _stored_ids(self, entity: str, ids: Iterable[str]) -> set[str]:
        table, key = _table(entity)
        sql = f"SELECT {key} FROM {table} WHERE {self._db.dialect.in_ids(key)}"
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), _ID_CHUNK):
            chunk = self._db.dialect.ids(wanted[start : start + _ID_CHUNK])
            found.update(row[0] for row in self._db.query(sql, (chunk,)))
        return found

    def last_page_id(self) -> int:
        """The id of the newest page stored (0 if none): the pages a run saves come after the
        value it had when the run began (see ``tokarc.dataset.export.Run``)."""
        return int(self._db.query("SELECT MAX(id) FROM pages")[0][0] or 0)

    def post_misses(self, post_ids: Iterable[str]) -> dict[str, int]:
        """How many lookups in a row missed each of ``post_ids`` (those with none left out)."""
        d = self._db.dialect
        sql = f"SELECT aweme_id, misses FROM post_misses WHERE {d.in_ids('aweme_id')}"
        return {str(i): int(n) for i, n in self._db.query(sql, (d.ids(list(post_ids)),))}

    def post_ids(
        self, *, limit: int | None = None, offset: int = 0, gone: bool | None = None
    ) -> Iterator[str]:
        """The stored post ids in id order, streamed; ``gone=False`` leaves out posts marked
        gone, ``gone=True`` gives only those."""
        where = {None: "", False: " WHERE gone_at IS NULL", True: " WHERE gone_at IS NOT NULL"}
        sql = f"SELECT aweme_id FROM posts{where[gone]} ORDER BY aweme_id LIMIT ? OFFSET ?"
        lim = self._db.dialect.no_limit if limit is None else limit
        for rows in self._db.stream(sql, (lim, offset)):
            yield from (row[0] for row in rows)

    def mark_gone(self, post_ids: Iterable[str], at: dt.datetime | None = None) -> int:
        """Mark posts that no longer come back (deleted, private) as gone at ``at``.

        Each gets a dated ``gone`` post event (``post_events``), as when misses mark it. A post
        seen again later is un-marked by :meth:`save_page` (and gets ``back``). Returns how
        many posts were newly marked.
        """
        d, ids, when = self._db.dialect, list(post_ids), timestamp(at)
        sql = f"UPDATE posts SET gone_at = ? WHERE gone_at IS NULL AND {d.in_ids('aweme_id')}"
        with self._db.transaction():
            marked = self._db.execute(sql, (when, d.ids(ids)))
            _identities.record_gone(self._db, ids, when)  # a ``gone`` post event, dated
            return marked

    # -- the page log ----------------------------------------------------------------------

    def page_body(self, page_id: int) -> bytes | None:
        """The response body of page ``page_id``, byte for byte as it was received; None for
        a page saved without one (or no such page)."""
        found = self._logged_page(page_id)
        return None if found is None else _log.unpack(found[1])

    def page_item(self, page_id: int, index: int) -> bytes | None:
        """The JSON of page ``page_id``'s item at ``index`` (0 first) as received, unwrapped
        as the collection read it (keyword search's ``aweme_info``); None when there is none."""
        page = self.raw_reader(1).get(page_id)
        return None if page is None else page.item(index)

    def raw_reader(self, size: int = 64) -> _log.RawReader:
        """A reader of records' JSON from their rows (``raw``, ``raw_page``) that keeps the
        last ``size`` pages it read: what exports use."""
        return _log.RawReader(self._logged_page, size)

    def raw(self, entity: str, key: str) -> bytes | None:
        """The JSON of a stored record (``"post"``, ``"user"``, ``"music"``, ``"comment"``,
        ``"live"``) as it arrived, from the page log or its own row; None if not stored."""
        table, column = _table(entity)
        sql = f"SELECT raw, raw_page FROM {table} WHERE {column} = ?"
        rows = self._db.query(sql, (key,))
        return self.raw_reader(1).json(entity, key, *rows[0]) if rows else None

    def _logged_page(self, page_id: int) -> tuple[str, bytes] | None:
        sql = "SELECT endpoint, body FROM pages WHERE id = ? AND body IS NOT NULL"
        rows = self._db.query(sql, (page_id,))
        return (str(rows[0][0]), bytes(rows[0][1])) if rows else None

    # -- the ledger ------------------------------------------------------------------------

    def record_request(
        self, event: Any, *, job_id: int | None = None, at: dt.datetime | None = None
    ) -> None:
        """Add a request (a ``tokarc.CallEvent``) to the ledger, and its units to its job.

        Any parameter named ``token`` (any case) is dropped: the ledger never holds a secret.
        """
        params = {k: v for k, v in dict(event.params).items() if str(k).lower() != "token"}
        row = (
            job_id,
            clean(event.endpoint),
            clean_json(params),
            event.status_code,
            int(event.units_charged),
            float(event.elapsed),
            clean(event.error),
            timestamp(at),
        )
        # No row count is read: on PostgreSQL both statements and the commit go out in one
        # round trip (pipelined), which a worker's next request waits for.
        with self._db.transaction():
            self._db.executemany(Q.INSERT_REQUEST, [row])
            if job_id is not None:
                job = (int(event.units_charged), timestamp(), job_id)
                self._db.executemany(Q.REQUEST_TO_JOB, [job])

    # -- jobs ------------------------------------------------------------------------------

    def create_job(self, kind: str, target: str, options: Mapping[str, Any] | None = None) -> Job:
        """Create a job (status ``"pending"``) and return it."""
        now = timestamp()
        row = (
            clean(kind),
            clean(target),
            clean_json(dict(options or {})),
            JobStatus.PENDING,
            now,
            now,
            __version__,
        )
        with self._db.transaction():
            job_id = int(self._db.query(Q.INSERT_JOB, row)[0][0])
        return self.get_job(job_id)

    def get_job(self, job_id: int) -> Job:
        """The job ``job_id``; raises ``KeyError`` if there is none."""
        rows = self._db.query(f"{Q.SELECT_JOBS} WHERE id = ?", (job_id,))
        if not rows:
            raise KeyError(f"no job {job_id}")
        return _job(rows[0])

    def list_jobs(
        self, *, kind: str | None = None, target: str | None = None, status: str | None = None
    ) -> list[Job]:
        """The jobs matching all the given filters, oldest first."""
        filters = {"kind": kind, "target": target, "status": status}
        given = {k: v for k, v in filters.items() if v is not None}
        where = " AND ".join(f"{k} = ?" for k in given)
        sql = f"{Q.SELECT_JOBS}{' WHERE ' + where if where else ''} ORDER BY id"
        return [_job(row) for row in self._db.query(sql, tuple(given.values()))]

    def update_job(self, job_id: int, **changes: Any) -> Job:
        """Set some of a job's fields (``status``, ``outcome``, ``stop_reason``,
        ``checkpoint``, ``newest_mark``, ``options`` or a counter) and return the job."""
        if unknown := set(changes) - _JOB_FIELDS:
            raise TypeError(f"unknown job fields: {', '.join(sorted(unknown))}")
        if "options" in changes:
            changes["options"] = clean_json(dict(changes["options"] or {}))
        sets = "".join(f"{name} = ?, " for name in changes)
        sql = f"UPDATE jobs SET {sets}updated_at = ? WHERE id = ?"
        with self._db.transaction():
            if not self._db.execute(sql, (*changes.values(), timestamp(), job_id)):
                raise KeyError(f"no job {job_id}")
        return self.get_job(job_id)

    # -- reading ---------------------------------------------------------------------------

    def stats(self) -> Stats:
        """Row counts per table, and units spent by day, job and endpoint."""
        q = self._db.query
        counts = {t: int(q(f"SELECT COUNT(*) FROM {t}")[0][0]) for t in Q.COUNTED_TABLES}
        by = "SELECT {0}, SUM(units) FROM requests GROUP BY {0} ORDER BY {0}"
        day = {str(k): int(v) for k, v in q(by.format("substr(at, 1, 10)"))}
        job = {(None if k is None else int(k)): int(v) for k, v in q(by.format("job_id"))}
        endpoint = {str(k): int(v) for k, v in q(by.format("endpoint"))}
        return Stats(counts, day, job, endpoint, sum(day.values()))

    def stream(
        self, sql: str, params: tuple[Any, ...] = (), size: int = 1000
    ) -> Iterator[list[Any]]:
        """Run a read-only query (``?`` placeholders) and yield its rows in chunks of ``size``.

        This is what exports use: a server-side cursor on PostgreSQL, ``fetchmany`` on SQLite,
        so a million rows never sit in memory at once.
        """
        return self._db.stream(sql, params, size)


def _stale(fetched_at: dt.datetime) -> str:
    """Embedded records last seen before this are refreshed by a page fetched at ``fetched_at``."""
    return timestamp(fetched_at - EMBEDDED_REFRESH)


def _span(p: Plan) -> tuple[int | None, int | None]:
    """The oldest and newest ``create_time`` of the page's posts, pinned posts aside (they
    stand out of the feed's order)."""
    times = [x.create_time for x in p.posts.values() if x.create_time and not x.is_pinned]
    return (min(times), max(times)) if times else (None, None)


_V = TypeVar("_V")


def _by_key(records: dict[str, _V]) -> list[_V]:
    return [records[key] for key in sorted(records)]


def _table(entity: str) -> tuple[str, str]:
    try:
        return Q.TABLES[entity]
    except KeyError:
        raise ValueError(f"unknown entity {entity!r}; known: {', '.join(Q.TABLES)}") from None


def _logged(batch: Batch) -> tuple[bytes | None, str | None, str | None]:
    """A page's ``(body, codec, context)`` in the page log: the body compressed, and what its
    records were saved with that the body does not say (None for a page without a body)."""
    if batch.body is None:
        return None, None, None
    return _log.pack(batch.body), _log.CODEC, clean_json(context(batch))


def context(batch: Batch) -> dict[str, Any]:
    """What deriving a logged page's records again needs beside its body: the records kept
    (a collection leaves some out: ``since``, ``max_items``, repeats), a follow list's owner, a
    lookup's misses. Defaults are left out."""
    out: dict[str, Any] = {"kept": [r.ident() for r in batch.records]}
    if batch.follow is not None:
        out["follow"] = [batch.follow.uid, batch.follow.direction]
    if not batch.results:
        out["results"] = False
    if batch.missing is not None:
        out["missing"] = list(batch.missing)
        out["gone_after"] = batch.gone_after
    return out


def _follow_rows(batch: Batch, p: Plan, s: R.Seen) -> list[R.Row]:
    assert batch.follow is not None
    them, job = clean(batch.follow.uid), batch.job_id
    pairs = (
        (uid, them) if batch.follow.direction == "followers" else (them, uid)
        for uid in (clean(u) for u in sorted(p.users))
    )
    return [(a, b, job, job, s.page_id, s.page_id, s.at, s.at) for a, b in pairs]


def _reject_row(u: Undecodable, s: R.Seen, job: int | None) -> R.Row:
    return (s.page_id, job, clean(u.kind), clean(u.error), raw_json(u.raw), s.at)


def _job(row: tuple[Any, ...]) -> Job:
    values = dict(zip(Q.JOB_COLUMNS, row, strict=True))
    options = values["options"]
    values["options"] = msgspec.json.decode(options) if isinstance(options, str) else options
    return Job(**values)


@dataclass
class _Page:
    """A page saved with its derivation deferred: what :meth:`Store.derive` takes."""

    batch: Batch
    plan: Plan
    seen: R.Seen
    fetched: dt.datetime


class _Deferred:
    """The pages a store has deferred, and their records' ids (which count as stored).

    A page joins when its transaction commits (:meth:`add` during it, :meth:`committed` after;
    a rolled back one is dropped), leaves the queue when a derivation takes it, and its ids
    leave when that derivation commits, so at no moment does a record count as new twice.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._adding: list[_Page] = []
        self._queue: list[_Page] = []
        self._ids: Counter[tuple[str, str]] = Counter()

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, page: _Page) -> None:
        self._adding.append(page)

    def committed(self) -> None:
        with self._lock:
            for page in self._adding:
                self._queue.append(page)
                self._ids.update(list(page.plan.order))
            self._adding = []

    def rolled_back(self) -> None:
        self._adding = []

    def take(self) -> list[_Page]:
        with self._lock:
            pages, self._queue = self._queue, []
        return pages

    def put_back(self, pages: list[_Page]) -> None:
        with self._lock:
            self._queue = pages + self._queue

    def done(self, pages: list[_Page]) -> None:
        with self._lock:
            for page in pages:
                self._ids.subtract(list(page.plan.order))
            self._ids = +self._ids  # drop the zeros

    def ids(self, entity: str, ids: Iterable[str]) -> set[str]:
        if not self._ids:
            return set()
        with self._lock:
            return {i for i in ids if self._ids[(entity, i)] > 0}
