"""The report's data: sources, the scope, and every figure the page shows, read by plain SQL
(both backends). No HTML here (``_page.py``) and no plotly (``_charts.py``)."""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._time import DAY
from ..analysis import Comparison, Rate, Score, compare, overperforming, rising_words
from ..collect import KINDS, kinds_for
from ..errors import InvalidInputError
from ..monitor import MIN_RATE_SPAN, SPIKE_MIN, Watch, Watches, is_spike, status_text
from ..status import MediaStatus
from ..store import Store, timestamp
from ..targets import source_of

TOP = 15  # bars in a ranking
TOP_POSTS = 10  # rows of the top posts table
GROWTH_POSTS = 8  # lines in a growth chart
TABLE_ROWS = 20
NETWORK_NODES, NETWORK_EDGES = 30, 90
RISING_MIN = 3  # posts since the last report for a hashtag to be "rising"
BASELINE_DAYS = 7  # days before the last one a hashtag's spike is measured against
THUMB_BYTES = 256 * 1024  # a thumbnail larger than this is left out (the page stays small)
#: The sources a search in a country fills (``--country``).
SEARCHED_BY_COUNTRY = ("keyword",)
THUMB_KINDS = ("cover", "images")  # media kinds that make a post's thumbnail, in preference
# Log bins of a count: 0 (zero or less), then one per power of ten (1-9, 10-99, ...), the last
# one open (10**(DECADES-1) and more).
DECADES = 10
ENGAGEMENT = {
    "plays": "play_count",
    "likes": "digg_count",
    "comments": "comment_count",
    "shares": "share_count",
}


def bin_of(column: str) -> str:
    """SQL (both backends) for the log bin of an integer column: its number of digits."""
    digits = f"length(CAST({column} AS TEXT))"
    return (
        f"CASE WHEN {column} <= 0 THEN 0 WHEN {digits} > {DECADES} THEN {DECADES} ELSE {digits} END"
    )


@dataclass(frozen=True)
class Source:
    """Where posts came from (a ``seen_via`` source): a watch's or a job's target."""

    kind: str
    target: str
    posts: int = 0
    watch: Watch | None = None
    jobs: tuple[tuple[int, str], ...] = ()  # (job id, status)

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.target}"

    @property
    def slug(self) -> str:
        """An HTML id for the source's section."""
        return "source-" + "".join(c if c.isalnum() else "-" for c in self.label.lower())


@dataclass(frozen=True)
class Scope:
    """What a report covers: posts created since ``since`` (unix seconds; None: all), found
    through ``sources`` (``filtered`` False: every post in the store)."""

    since: int | None
    sources: tuple[Source, ...]
    watches: tuple[Watch, ...]
    filtered: bool = False


def all_sources(store: Store) -> list[Source]:
    """Every post source in the store (from ``seen_via``), with the watch and jobs behind it,
    and the watches' sources that found nothing yet; by label."""
    b = store.db
    found = {
        (str(k), str(t)): int(n)
        for k, t, n in b.query(
            "SELECT source_kind, source_target, COUNT(*) FROM seen_via WHERE entity = 'post' "
            "GROUP BY source_kind, source_target"
        )
    }
    jobs: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for job_id, kind, target, status in b.query(
        "SELECT id, kind, target, status FROM jobs ORDER BY id"
    ):
        if kind in KINDS and KINDS[kind].api.record not in (None, "post"):
            continue  # a profile, a follow list: no post source (a user watch's lookup)
        source = KINDS[kind].source_kind if kind in KINDS else kind
        jobs.setdefault((source, str(target)), []).append((int(job_id), str(status)))
    watches = {(w.spec.source_kind, w.target): w for w in Watches(store).all() if w.spec.collects}
    keys = set(found) | set(watches) | {k for k in jobs if k[0] != "posts"}
    return sorted(
        (
            Source(k, t, found.get((k, t), 0), watches.get((k, t)), tuple(jobs.get((k, t), ())))
            for k, t in keys
        ),
        key=lambda s: s.label,
    )


def choose(sources: Sequence[Source], refs: Sequence[str], watches: Watches) -> list[Source]:
    """The sources named by ``refs``: ``kind:target`` of a source (``user_posts:zachking``),
    or of a watch (``user:zachking``), or a watch id. KeyError naming the first unknown."""
    by_label = {s.label: s for s in sources}
    out = []
    for ref in refs:
        # the posts a word names first: ``user:NAME`` is the user watch's ``user_posts:NAME``,
        # not the profile lookup (a ``user`` job) that resolved its account
        source = by_label.get(_stored(ref)) or by_label.get(ref)
        if source is None:
            try:
                w = watches.resolve(ref)
            except KeyError:
                raise KeyError(f"no source or watch {ref!r}") from None
            source = by_label.get(f"{w.spec.source_kind}:{w.target}") if w.spec.collects else None
            if source is None:
                raise KeyError(f"no source {ref!r}")
        out.append(source)
    return list(dict.fromkeys(out))


def _stored(ref: str) -> str:
    """``user:zachking`` as the label of the source it names (``user_posts:zachking``)."""
    try:
        kind, target = source_of(ref)
    except InvalidInputError:
        return ref  # a watch id
    return f"{kind}:{target}"


@dataclass
class Changes:
    """What changed since the last report (``since``, unix seconds) until ``until``."""

    since: float
    until: float
    first: bool  # no earlier report: the last day instead
    new_by_source: list[tuple[str, int]] = field(default_factory=list)
    gone: list[dict[str, Any]] = field(default_factory=list)
    post_spikes: list[dict[str, Any]] = field(default_factory=list)
    hashtag_spikes: list[dict[str, Any]] = field(default_factory=list)
    rising: list[tuple[str, int, int]] = field(default_factory=list)
    words: list[Rate] = field(default_factory=list)  # said in transcripts, rising
    alerts: list[tuple[str, str, str, str]] = field(default_factory=list)


class Data:
    """The report's figures, read from the store within a scope."""

    def __init__(self, store: Store, sc: Scope) -> None:
        self.store, self.sc = store, sc
        self.cte, self.params = _scoped(sc)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        chunks = self.store.stream(f"{self.cte} {sql}", (*self.params, *params))
        return [tuple(r) for chunk in chunks for r in chunk]

    def has_table(self, name: str) -> bool:
        return self.store.has_table(name)

    # -- overview ----------------------------------------------------------------------

    def totals(self) -> tuple[int, int]:
        """(posts, authors) in scope."""
        sql = (
            "SELECT COUNT(*), COUNT(DISTINCT p.author_uid) FROM posts p JOIN scoped s "
            "ON s.aweme_id = p.aweme_id"
        )
        posts, authors = self.rows(sql)[0]
        return int(posts), int(authors)

    def posts_per_day(self, sources: Sequence[Source]) -> dict[str, dict[dt.date, int]]:
        """Posts created per day (UTC), per source."""
        sql = (
            "SELECT p.create_time / 86400, COUNT(*) FROM posts p JOIN scoped s "
            "ON s.aweme_id = p.aweme_id JOIN seen_via v ON v.entity = 'post' "
            "AND v.entity_id = p.aweme_id WHERE v.source_kind = ? AND v.source_target = ? "
            "AND p.create_time IS NOT NULL GROUP BY p.create_time / 86400 ORDER BY 1"
        )
        out = {}
        for s in sources:
            rows = self.rows(sql, (s.kind, s.target))
            out[s.label] = {_date(int(d) * DAY): int(n) for d, n in rows}
        return out

    def engagement(self) -> dict[str, list[int]]:
        """Posts per log bin (``bin_of``) of plays, likes, comments and shares, counted in SQL:
        the page, and this process, hold one count per bin, however many posts are in scope."""
        out: dict[str, list[int]] = {}
        for metric, column in ENGAGEMENT.items():
            counts = [0] * (DECADES + 1)
            sql = (
                f"SELECT {bin_of('p.' + column)}, COUNT(*) FROM posts p JOIN scoped s "
                f"ON s.aweme_id = p.aweme_id WHERE p.{column} IS NOT NULL GROUP BY 1"
            )
            for b, n in self.rows(sql):
                counts[int(b)] = int(n)
            out[metric] = counts if any(counts) else []
        return out

    def top_posts(
        self, limit: int = TOP_POSTS, source: Source | None = None
    ) -> list[dict[str, Any]]:
        """The most played posts (of ``source``, else of the scope)."""
        join, params = "", tuple[str, ...]()
        if source is not None:
            join = (
                "JOIN seen_via v ON v.entity = 'post' AND v.entity_id = p.aweme_id "
                "AND v.source_kind = ? AND v.source_target = ? "
            )
            params = (source.kind, source.target)
        sql = (
            "SELECT p.aweme_id, p.author_unique_id, p.description, p.create_time, "
            "p.play_count, p.digg_count, p.comment_count, p.share_count, p.share_url, "
            f"p.gone_at FROM posts p JOIN scoped s ON s.aweme_id = p.aweme_id {join}"
            "ORDER BY COALESCE(p.play_count, -1) DESC, p.aweme_id "
            f"LIMIT {int(limit)}"
        )
        keys = (
            "id",
            "author",
            "caption",
            "created",
            "plays",
            "likes",
            "comments",
            "shares",
            "url",
            "gone_at",
        )
        return [dict(zip(keys, r, strict=True)) for r in self.rows(sql, params)]

    def thumbnails(self, ids: Sequence[str], root: Path | None) -> dict[str, str]:
        """``data:`` URIs of the posts' thumbnails from the media archive (the ``media`` table,
        files under ``root``), when both exist; nothing is ever fetched."""
        if not ids or root is None or not root.is_dir() or not self.has_table("media"):
            return {}
        marks = ", ".join("?" * len(ids))
        sql = (
            f"SELECT record_id, kind, position, path, content_type FROM media WHERE kind IN "
            f"({', '.join('?' * len(THUMB_KINDS))}) AND status = ? AND path IS NOT NULL "
            f"AND record_id IN ({marks}) ORDER BY record_id, position"
        )
        best: dict[str, tuple[int, str, str | None]] = {}
        for rid, kind, _pos, path, ctype in self.store.db.query(
            sql, (*THUMB_KINDS, MediaStatus.DONE, *ids)
        ):
            rank = THUMB_KINDS.index(kind)
            if rid not in best or rank < best[rid][0]:
                best[str(rid)] = (rank, str(path), ctype)
        out = {}
        for rid, (_, path, ctype) in best.items():
            uri = _data_uri(root, path, ctype)
            if uri:
                out[rid] = uri
        return out

    def top_authors(self) -> list[tuple[str, int]]:
        """Authors by engagement: likes + comments + shares of their posts in scope."""
        sql = (
            "SELECT p.author_unique_id, SUM(COALESCE(p.digg_count, 0) + "
            "COALESCE(p.comment_count, 0) + COALESCE(p.share_count, 0)) FROM posts p "
            "JOIN scoped s ON s.aweme_id = p.aweme_id WHERE p.author_unique_id IS NOT NULL "
            f"GROUP BY p.author_unique_id ORDER BY 2 DESC, 1 LIMIT {TOP}"
        )
        return [(f"@{name}", int(n)) for name, n in self.rows(sql) if n]

    def hashtag_network(self) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
        """The most used hashtags (nodes: posts) and how many posts each pair shares."""
        sql = (
            "SELECT h.name, COUNT(*) FROM post_hashtags h JOIN scoped s "
            "ON s.aweme_id = h.aweme_id GROUP BY h.name ORDER BY 2 DESC, 1 "
            f"LIMIT {NETWORK_NODES}"
        )
        nodes = {str(n): int(c) for n, c in self.rows(sql)}
        if len(nodes) < 2:
            return nodes, {}
        marks = ", ".join("?" * len(nodes))
        sql = (
            "SELECT a.name, b.name, COUNT(*) FROM post_hashtags a JOIN scoped s "
            "ON s.aweme_id = a.aweme_id JOIN post_hashtags b ON b.aweme_id = a.aweme_id "
            f"AND a.name < b.name WHERE a.name IN ({marks}) AND b.name IN ({marks}) "
            f"GROUP BY a.name, b.name ORDER BY 3 DESC, 1, 2 LIMIT {NETWORK_EDGES}"
        )
        edges = {(str(a), str(b)): int(n) for a, b, n in self.rows(sql, (*nodes, *nodes))}
        return nodes, edges

    def sounds_rising(self, now: float, days: int = 7) -> list[tuple[str, int, int]]:
        """Sounds by posts created in the last ``days`` beside the ``days`` before, those with
        more posts lately than before first."""
        recent, before = int(now - days * DAY), int(now - 2 * days * DAY)
        sql = (
            "SELECT p.music_id, MAX(m.title), MAX(m.author), "
            "SUM(CASE WHEN p.create_time >= ? THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN p.create_time < ? THEN 1 ELSE 0 END) FROM posts p "
            "JOIN scoped s ON s.aweme_id = p.aweme_id "
            "LEFT JOIN music m ON m.music_id = p.music_id "
            "WHERE p.music_id IS NOT NULL AND p.create_time >= ? GROUP BY p.music_id"
        )
        rows = [
            (f"{t or i} - {a or '?'}", int(r), int(b))
            for i, t, a, r, b in self.rows(sql, (recent, recent, before))
        ]
        rows.sort(key=lambda x: (-(x[1] - x[2]), -x[1], x[0]))
        return [r for r in rows if r[1] > 0][:TOP]

    def growth(self, metric: str) -> dict[str, list[tuple[dt.datetime, int]]]:
        """``plays`` or ``likes`` of the most played posts observed more than once."""
        column = {"plays": "play_count", "likes": "digg_count"}[metric]
        sql = (
            "SELECT p.aweme_id, p.author_unique_id, p.description FROM posts p "
            "JOIN scoped s ON s.aweme_id = p.aweme_id WHERE p.aweme_id IN "
            "(SELECT aweme_id FROM post_stats GROUP BY aweme_id HAVING COUNT(*) > 1) "
            f"ORDER BY COALESCE(p.play_count, -1) DESC, p.aweme_id LIMIT {GROWTH_POSTS}"
        )
        top = {str(a): f"@{u or '?'}: {d or a}" for a, u, d in self.rows(sql)}
        if not top:
            return {}
        marks = ", ".join("?" * len(top))
        sql = (
            f"SELECT aweme_id, observed_at, {column} FROM post_stats "
            f"WHERE aweme_id IN ({marks}) ORDER BY observed_at"
        )
        out: dict[str, list[tuple[dt.datetime, int]]] = {name: [] for name in top.values()}
        for aweme_id, at, value in self.store.db.query(sql, tuple(top)):
            if value is not None:
                out[top[aweme_id]].append((_time(at), int(value)))
        return out

    def new_and_gone(self) -> dict[str, dict[dt.date, int]]:
        """Posts first stored, and posts found gone, per day."""
        new = self.rows(
            "SELECT substr(p.first_seen_at, 1, 10), COUNT(*) FROM posts p "
            "JOIN scoped s ON s.aweme_id = p.aweme_id GROUP BY 1 ORDER BY 1"
        )
        gone = self.rows(
            "SELECT substr(p.gone_at, 1, 10), COUNT(*) FROM posts p "
            "JOIN scoped s ON s.aweme_id = p.aweme_id WHERE p.gone_at IS NOT NULL "
            "GROUP BY 1 ORDER BY 1"
        )
        return {
            "new": {dt.date.fromisoformat(d): int(n) for d, n in new if d},
            "gone": {dt.date.fromisoformat(d): int(n) for d, n in gone if d},
        }

    def units_per_day(self) -> dict[str, dict[dt.date, int]]:
        """Units spent per day, by watch (``watch_runs``), else all requests (the ledger)."""
        since = _date(self.sc.since).isoformat() if self.sc.since else ""
        out: dict[str, dict[dt.date, int]] = {}
        sql = (
            "SELECT r.day, w.kind, w.target, SUM(r.units) FROM watch_runs r "
            "JOIN watches w ON w.id = r.watch_id WHERE r.day >= ? "
            "GROUP BY r.day, w.kind, w.target ORDER BY r.day"
        )
        chosen = {w.id for w in self.sc.watches}
        labels = {w.label for w in Watches(self.store).all() if w.id in chosen}
        for day, kind, target, units in self.store.db.query(sql, (since,)):
            if f"{kind}:{target}" in labels:
                out.setdefault(f"{kind}:{target}", {})[dt.date.fromisoformat(day)] = int(units)
        if not out and not self.sc.filtered:
            sql = (
                "SELECT substr(at, 1, 10), SUM(units) FROM requests WHERE at >= ? "
                "GROUP BY substr(at, 1, 10) ORDER BY 1"
            )
            days = {
                dt.date.fromisoformat(d): int(u) for d, u in self.store.db.query(sql, (since,)) if u
            }
            out = {"all requests": days} if days else {}
        return out

    def fastest_growing(self) -> list[dict[str, Any]]:
        """Posts by plays gained between their first and last observation; plays per hour
        only where those are an hour apart or more."""
        sql = (
            "SELECT st.aweme_id, MAX(p.author_unique_id), MAX(p.description), "
            "MIN(st.observed_at), MAX(st.observed_at), "
            "MIN(st.play_count), MAX(st.play_count), MIN(st.digg_count), MAX(st.digg_count) "
            "FROM post_stats st JOIN scoped s ON s.aweme_id = st.aweme_id "
            "JOIN posts p ON p.aweme_id = st.aweme_id GROUP BY st.aweme_id "
            "HAVING COUNT(*) > 1 ORDER BY MAX(st.play_count) - MIN(st.play_count) DESC, 1 "
            f"LIMIT {TABLE_ROWS}"
        )
        out = []
        for aid, author, caption, first, last, p0, p1, l0, l1 in self.rows(sql):
            span = (_time(last) - _time(first)).total_seconds()
            gained = (p1 or 0) - (p0 or 0)
            out.append(
                {
                    "id": aid,
                    "author": author,
                    "caption": caption,
                    "gained": gained,
                    "per_hour": gained / (span / 3600) if span >= MIN_RATE_SPAN else None,
                    "hours": span / 3600,
                    "liked": (l1 or 0) - (l0 or 0),
                    "plays": p1,
                }
            )
        return out

    def overperforming(self, limit: int = TABLE_ROWS) -> list[Score]:
        """The posts in scope doing best against their own account's usual plays at the same
        age (``tokarc top --by overperforming``), trusted baselines only."""
        scores = overperforming(self.store, "plays", ids=self.ids())
        return [s for s in scores if s.trusted][:limit]

    def ids(self) -> set[str]:
        """The ids of the posts in scope."""
        return {str(r[0]) for r in self.rows("SELECT s.aweme_id FROM scoped s")}

    def authors(self) -> set[str]:
        """The uids of the accounts whose posts are in scope."""
        sql = (
            "SELECT DISTINCT p.author_uid FROM posts p JOIN scoped s ON s.aweme_id = p.aweme_id "
            "WHERE p.author_uid IS NOT NULL"
        )
        return {str(r[0]) for r in self.rows(sql)}

    def countries(self, source: Source) -> Comparison | None:
        """A search made in more than one country (``tokarc keyword --country``), compared as
        ``tokarc compare`` does; None for any other source."""
        if source.kind not in SEARCHED_BY_COUNTRY:
            return None
        result = compare(self.store, kinds_for(source.kind), source.target, top=1)
        return result if len(result.countries) > 1 else None

    def new_accounts(self) -> list[dict[str, Any]]:
        seen = timestamp(self.sc.since) if self.sc.since else ""
        sql = (
            "SELECT u.unique_id, u.nickname, u.follower_count, u.create_time, "
            "u.first_seen_at, COUNT(*) FROM users u JOIN posts p ON p.author_uid = u.uid "
            "JOIN scoped s ON s.aweme_id = p.aweme_id WHERE u.first_seen_at >= ? "
            "GROUP BY u.uid, u.unique_id, u.nickname, u.follower_count, u.create_time, "
            f"u.first_seen_at ORDER BY u.first_seen_at DESC, 6 DESC LIMIT {TABLE_ROWS}"
        )
        keys = ("handle", "nickname", "followers", "created", "first_seen", "posts")
        return [dict(zip(keys, row, strict=True)) for row in self.rows(sql, (seen,))]

    # -- what changed ----------------------------------------------------------------------

    def changes(self, since: float | None, now: float) -> Changes:
        """New and gone posts, spikes, rising hashtags and alerts since ``since`` (the last
        report; None: the last day)."""
        ch = Changes(since if since is not None else now - DAY, now, since is None)
        at = timestamp(ch.since)
        ch.new_by_source = self.new_by_source(at)
        ch.gone = self.gone(at)
        ch.post_spikes = self._post_spikes(at)
        ch.hashtag_spikes = self._hashtag_spikes(now)
        ch.rising = self._rising(ch.since, now)
        ch.words = self.words_rising(ch.since, now)
        ch.alerts = self.alerts(ch.since)
        return ch

    def words_rising(self, since: float, now: float, top: int = TOP) -> list[Rate]:
        """The words said in the transcripts of posts in scope that rose since ``since``
        (``analysis.rising_words``): the trusted ones above their usual, the highest first."""
        ids = self.ids() if self.sc.filtered else None
        found = rising_words(self.store, since=since, now=now, ids=ids)
        return [r for r in found if r.trusted and (r.score or 0.0) > 1.0][:top]

    def new_by_source(self, at: str) -> list[tuple[str, int]]:
        """Posts first stored after ``at`` (stored time), per source, the most first."""
        sql = (
            "SELECT v.source_kind, v.source_target, COUNT(*) FROM seen_via v JOIN scoped s "
            "ON s.aweme_id = v.entity_id WHERE v.entity = 'post' AND v.first_seen_at > ? "
            "GROUP BY v.source_kind, v.source_target ORDER BY 3 DESC, 1, 2"
        )
        return [(f"{k}:{t}", int(n)) for k, t, n in self.rows(sql, (at,))]

    def gone(self, at: str) -> list[dict[str, Any]]:
        """Posts found gone after ``at``, the latest first."""
        sql = (
            "SELECT p.aweme_id, p.author_unique_id, p.description, p.gone_at FROM posts p "
            "JOIN scoped s ON s.aweme_id = p.aweme_id WHERE p.gone_at > ? "
            f"ORDER BY p.gone_at DESC, 1 LIMIT {TABLE_ROWS}"
        )
        return [
            dict(zip(("id", "author", "caption", "gone_at"), r, strict=True))
            for r in self.rows(sql, (at,))
        ]

    def alerts(self, since: float) -> list[tuple[str, str, str, str]]:
        """Alerts recorded since ``since``: (when, the watch, what was said, how it went)."""
        if not self.has_table("alerts"):
            return []
        sql = (
            "SELECT a.created_at, w.kind || ':' || w.target, a.text, a.status, a.error "
            "FROM alerts a JOIN watches w ON w.id = a.watch_id WHERE a.created_at > ? "
            "ORDER BY a.id"
        )
        found = self.store.db.query(sql, (_iso(since),))
        return [(str(a), str(w), str(t), status_text(s, e)) for a, w, t, s, e in found]

    def _post_spikes(self, at: str) -> list[dict[str, Any]]:
        """Posts whose latest plays per hour (over an hour or more) are a spike against their
        own earlier hourly rates (:func:`is_spike`), the latest observed since ``at``."""
        sql = (
            "SELECT st.aweme_id, st.observed_at, st.play_count FROM post_stats st "
            "JOIN scoped s ON s.aweme_id = st.aweme_id WHERE st.aweme_id IN "
            "(SELECT aweme_id FROM post_stats WHERE observed_at >= ?) "
            "AND st.play_count IS NOT NULL ORDER BY st.aweme_id, st.observed_at"
        )
        series: dict[str, list[tuple[dt.datetime, int]]] = {}
        for aid, observed, plays in self.rows(sql, (at,)):
            series.setdefault(str(aid), []).append((_time(observed), int(plays)))
        out: list[dict[str, Any]] = []
        for aid, points in series.items():
            rates = hourly_rates(points)
            if len(rates) > 1 and is_spike(rates[-1], rates[:-1], SPIKE_MIN):
                out.append(
                    {
                        "id": aid,
                        "rate": rates[-1],
                        "baseline": sorted(rates[:-1])[len(rates[:-1]) // 2],
                    }
                )
        out.sort(key=lambda r: -float(r["rate"]))
        return out[:TABLE_ROWS]

    def _hashtag_spikes(self, now: float) -> list[dict[str, Any]]:
        """Hashtags with more posts created in the last day than :func:`is_spike` allows
        against their daily counts of the BASELINE_DAYS before, counting only days after the
        hashtag's first post in the store (a day before it is no baseline, just no data)."""
        start = int(now - (BASELINE_DAYS + 1) * DAY)
        sql = (
            "SELECT h.name, MIN(p.create_time) FROM post_hashtags h JOIN scoped s "
            "ON s.aweme_id = h.aweme_id JOIN posts p ON p.aweme_id = h.aweme_id "
            "WHERE p.create_time >= ? AND p.create_time < ? GROUP BY h.name"
        )
        recent = {str(n): int(t) for n, t in self.rows(sql, (int(now - DAY), int(now)))}
        if not recent:
            return []
        marks = ", ".join("?" * len(recent))
        sql = (
            "SELECT h.name, MIN(p.create_time) FROM post_hashtags h JOIN scoped s "
            "ON s.aweme_id = h.aweme_id JOIN posts p ON p.aweme_id = h.aweme_id "
            f"WHERE h.name IN ({marks}) GROUP BY h.name"
        )
        first = {str(n): int(t) for n, t in self.rows(sql, tuple(recent)) if t is not None}
        sql = (
            "SELECT h.name, p.create_time FROM post_hashtags h JOIN scoped s "
            "ON s.aweme_id = h.aweme_id JOIN posts p ON p.aweme_id = h.aweme_id "
            f"WHERE h.name IN ({marks}) AND p.create_time >= ? "
            "AND p.create_time < ?"
        )
        days: dict[str, Counter[int]] = {}
        for name, created in self.rows(sql, (*recent, start, int(now))):
            days.setdefault(str(name), Counter())[int((now - int(created)) // DAY)] += 1
        out: list[dict[str, Any]] = []
        for name, counts in days.items():
            covered = [
                i
                for i in range(1, BASELINE_DAYS + 1)
                if now - (i + 1) * DAY >= first.get(name, int(now))
            ]
            baseline = [counts.get(i, 0) for i in covered]
            if is_spike(counts.get(0, 0), baseline):
                out.append(
                    {
                        "name": name,
                        "last_day": counts.get(0, 0),
                        "baseline": sorted(baseline)[len(baseline) // 2],
                    }
                )
        out.sort(key=lambda r: (-int(r["last_day"]), str(r["name"])))
        return out[:TABLE_ROWS]

    def _rising(self, since: float, now: float) -> list[tuple[str, int, int]]:
        """Hashtags with RISING_MIN posts or more created since ``since``, more than twice as
        many as their rate over the BASELINE_DAYS before gives for as long a period."""
        span, base = max(now - since, 3600.0), BASELINE_DAYS * DAY
        sql = (
            "SELECT h.name, SUM(CASE WHEN p.create_time >= ? THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN p.create_time < ? THEN 1 ELSE 0 END) FROM post_hashtags h "
            "JOIN scoped s ON s.aweme_id = h.aweme_id JOIN posts p ON p.aweme_id = h.aweme_id "
            "WHERE p.create_time >= ? AND p.create_time < ? GROUP BY h.name"
        )
        params = (int(since), int(since), int(since - base), int(now))
        rows = [(f"#{n}", int(r), int(b)) for n, r, b in self.rows(sql, params)]
        rows = [r for r in rows if r[1] >= RISING_MIN and r[1] > 2 * r[2] * span / base]
        rows.sort(key=lambda r: (-(r[1] - r[2] * span / base), r[0]))
        return rows[:TOP]


def hourly_rates(points: Sequence[tuple[dt.datetime, int]]) -> list[float]:
    """Plays per hour between observations, merged until each interval spans an hour."""
    rates = []
    start = points[0] if points else None
    for at, value in points[1:]:
        assert start is not None
        span = (at - start[0]).total_seconds()
        if span >= MIN_RATE_SPAN:
            rates.append((value - start[1]) / (span / 3600))
            start = (at, value)
    return rates


def last_report(store: Store, now: float) -> float | None:
    """When the previous report (before ``now``) was written, if any."""
    rows = store.db.query("SELECT MAX(generated_at) FROM reports WHERE generated_at < ?", (now,))
    return float(rows[0][0]) if rows and rows[0][0] is not None else None


def record_report(store: Store, now: float, scope: str, path: str) -> None:
    """Record the report, for the next one's "since the last report" (not in a store opened
    read-only: a report of a read-only archive compares with the last one recorded)."""
    if store.read_only:
        return
    b = store.db
    with b.transaction():
        b.execute(
            "INSERT INTO reports (generated_at, scope, path) VALUES (?, ?, ?)", (now, scope, path)
        )


def _data_uri(root: Path, path: str, ctype: str | None) -> str | None:
    """The file ``path`` under ``root`` as a ``data:`` URI; None when it is missing, outside the
    root, too large or not an image."""
    file = (root / path).resolve()
    if not file.is_relative_to(root.resolve()) or not file.is_file():
        return None
    kind = ctype or mimetypes.guess_type(file.name)[0] or ""
    if not kind.startswith("image/") or file.stat().st_size > THUMB_BYTES:
        return None
    return f"data:{kind};base64,{base64.b64encode(file.read_bytes()).decode('ascii')}"


def _scoped(sc: Scope) -> tuple[str, tuple[Any, ...]]:
    """A ``scoped`` CTE: the ids of the posts in scope, with its parameters."""
    since = ("p.create_time >= ?", (sc.since,)) if sc.since else ("1 = 1", ())
    if not sc.filtered:
        return f"WITH scoped AS (SELECT p.aweme_id FROM posts p WHERE {since[0]})", since[1]
    if not sc.sources:
        return "WITH scoped AS (SELECT p.aweme_id FROM posts p WHERE 1 = 0)", ()
    either = " OR ".join("(v.source_kind = ? AND v.source_target = ?)" for _ in sc.sources)
    cte = (
        "WITH scoped AS (SELECT DISTINCT p.aweme_id FROM posts p JOIN seen_via v "
        f"ON v.entity = 'post' AND v.entity_id = p.aweme_id WHERE ({either}) "
        f"AND {since[0]})"
    )
    return cte, (*(x for s in sc.sources for x in (s.kind, s.target)), *since[1])


def _date(ts: float) -> dt.date:
    return dt.datetime.fromtimestamp(ts, dt.UTC).date()


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()


def _time(text: str) -> dt.datetime:
    """A stored UTC time as a naive datetime (plotly draws naive times as they are)."""
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).replace(tzinfo=None)
