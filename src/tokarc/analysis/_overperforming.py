"""Overperforming posts: each post against its own account's usual numbers at the same age.

For a post with at least two snapshots (``post_stats``), its value (plays, likes, comments or
shares) is the latest observed, at its age then (observed time minus creation). Its account's
**baseline** is the median, over the account's :data:`BASELINE_POSTS` most recent other posts
that can be estimated at that age, of their value at that age. A post's value at an age is read
between the snapshots around it by linear interpolation (from 0 at creation before the first
snapshot); past its last snapshot it is not known, and the post is left out of the baseline.
The **score** is the value over the baseline: 3.0 is three times the account's usual.

A baseline of fewer than :data:`MIN_BASELINE` posts is too thin to trust: the score is given
(``trusted`` False) and ranked after the trusted ones. See ``docs/monitor.md``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import statistics
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..store import Dialect, Store

#: The metrics a post is scored on, and their columns.
METRICS = {"plays": "play_count", "likes": "digg_count", "comments": "comment_count",
           "shares": "share_count"}  # fmt: skip
BASELINE_POSTS = 30  # the account's most recent other posts a baseline is the median of
MIN_BASELINE = 5  # fewer than this in a baseline: too thin to trust

Points = list[tuple[float, int]]  # (age in seconds, value), by age


@dataclass(frozen=True)
class Score:
    """One post against its account's usual at the same age."""

    aweme_id: str
    author: str | None
    created: int
    age: float  # seconds since creation, at its latest snapshot
    value: int
    baseline: float | None  # None: no other post of the account is known at that age
    baseline_posts: int
    score: float | None

    @property
    def trusted(self) -> bool:
        return self.baseline_posts >= MIN_BASELINE and self.score is not None


def value_at(points: Points, age: float) -> float | None:
    """The value at ``age`` between the snapshots around it (linear; 0 at creation); None
    past the last snapshot."""
    if not points or age > points[-1][0] or age < 0:
        return None
    ages = [a for a, _ in points]
    i = bisect.bisect_left(ages, age)
    if ages[i] == age:
        return float(points[i][1])
    (a0, v0), (a1, v1) = (points[i - 1] if i else (0.0, 0)), points[i]
    return v0 + (v1 - v0) * (age - a0) / (a1 - a0) if a1 > a0 else float(v1)


def overperforming(
    store: Store,
    metric: str = "plays",
    *,
    since: float | None = None,
    posts: int = BASELINE_POSTS,
    ids: Collection[str] | None = None,
) -> list[Score]:
    """Every post created since ``since`` (unix; None: all) with two snapshots or more, scored
    (only those of ``ids``, when given: their accounts' posts alone are read); the highest
    first, the trusted before the thin."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")
    if ids is not None and not ids:
        return []
    scores = [
        s
        for account in _accounts(store, METRICS[metric], ids)
        for s in _scores(account, since, posts)
        if ids is None or s.aweme_id in ids
    ]
    return sorted(scores, key=lambda s: (not s.trusted, -(s.score or 0.0), s.aweme_id))


@dataclass
class _Post:
    aweme_id: str
    author: str | None
    created: int
    points: Points


def _accounts(
    store: Store, column: str, ids: Collection[str] | None = None
) -> Iterator[list[_Post]]:
    """Each account's observed posts (those of the accounts of ``ids``), newest first, read
    account by account."""
    d = store.db.dialect
    only = (
        f"AND p.author_uid IN (SELECT author_uid FROM posts WHERE {d.in_ids('aweme_id')}) "
        if ids is not None
        else ""
    )
    sql = (
        f"SELECT p.author_uid, p.aweme_id, p.author_unique_id, p.create_time, s.observed_at, "
        f"s.{column} FROM posts p JOIN post_stats s ON s.aweme_id = p.aweme_id "
        f"WHERE p.create_time IS NOT NULL AND p.author_uid IS NOT NULL "
        f"AND s.{column} IS NOT NULL {only}"
        f"ORDER BY p.author_uid, p.create_time DESC, p.aweme_id, s.observed_at"
    )
    params = (d.ids(sorted(ids)),) if ids is not None else ()
    account: list[_Post] = []
    last_uid: object = None
    for chunk in store.stream(sql, params):
        for uid, aweme_id, handle, created, observed, value in chunk:
            if uid != last_uid and account:
                yield account
                account = []
            last_uid = uid
            if not account or account[-1].aweme_id != aweme_id:
                account.append(_Post(str(aweme_id), handle, int(created), []))
            age = _unix(observed) - int(created)
            account[-1].points.append((age, int(value)))
    if account:
        yield account


def _scores(account: Sequence[_Post], since: float | None, n: int) -> Iterator[Score]:
    for post in account:
        if len(post.points) < 2 or (since is not None and post.created < since):
            continue
        age, value = post.points[-1]
        known = (value_at(q.points, age) for q in account if q is not post)  # newest first
        peers = list(itertools.islice((v for v in known if v is not None), n))
        baseline = statistics.median(peers) if peers else None
        score = value / baseline if baseline else None
        yield Score(post.aweme_id, post.author, post.created, age, value, baseline,
                    len(peers), score)  # fmt: skip


def _unix(text: str) -> float:
    return dt.datetime.fromisoformat(str(text)).timestamp()


# -- hashtags and sounds ---------------------------------------------------------------------

#: What ``rising`` compares, and how its posts are found: (the key, the SQL that pairs it with
#: the posts using it).
RISING = {
    "hashtags": ("h.name", "post_hashtags h JOIN posts p ON p.aweme_id = h.aweme_id"),
    "sounds": ("p.music_id", "posts p"),
}
TRAILING_DAYS = 7  # a hashtag's or sound's baseline: its posts per hour over the 7 days before


@dataclass(frozen=True)
class Rate:
    """A hashtag's, sound's or spoken word's posts per hour lately against its own trailing
    baseline."""

    key: str
    recent: int  # posts created in the window
    per_hour: float
    baseline_per_hour: float
    baseline_posts: int  # posts created in the trailing days before the window
    score: float | None  # per_hour over baseline_per_hour (None: no baseline)

    @property
    def trusted(self) -> bool:
        return self.baseline_posts >= MIN_BASELINE and self.score is not None


def rising(
    store: Store,
    what: str,
    *,
    since: float,
    now: float,
    days: int = TRAILING_DAYS,
    ids: Collection[str] | None = None,
) -> list[Rate]:
    """Each hashtag (or sound) with posts created since ``since``: its posts per hour since
    then against its posts per hour over the ``days`` before; the highest score first, the
    trusted before the thin. Given ``ids``, only those posts count, lately and before (a
    source's hashtags against that source's own usual)."""
    if what not in RISING:
        raise ValueError(f"unknown {what!r}: one of {', '.join(RISING)}")
    if ids is not None and not ids:
        return []
    key, source = RISING[what]
    d = store.db.dialect
    only = f"AND {d.in_ids('p.aweme_id')} " if ids is not None else ""
    sql = (
        f"SELECT {key}, SUM(CASE WHEN p.create_time >= ? THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN p.create_time < ? THEN 1 ELSE 0 END) FROM {source} "
        f"WHERE {key} IS NOT NULL AND p.create_time >= ? AND p.create_time <= ? {only}"
        f"GROUP BY {key}"
    )
    start = since - days * 86_400
    params = (int(since), int(since), int(start), int(now), *_ids(d, ids))
    return rates(store.db.query(sql, params), since=since, now=now, days=days)


def rates(
    counts: Iterable[tuple[object, int, int]], *, since: float, now: float, days: int
) -> list[Rate]:
    """``counts`` ((key, posts since ``since``, posts in the ``days`` before)) as rates against
    their trailing baselines, as :func:`rising` ranks them: the highest score first, the
    trusted before the thin; keys with no recent post left out."""
    hours, trailing = max((now - since) / 3600, 1e-9), days * 24
    out = []
    for name, recent, before in counts:
        if not recent:
            continue
        per_hour, base = int(recent) / hours, int(before) / trailing
        out.append(Rate(str(name), int(recent), per_hour, base, int(before),
                        per_hour / base if base else None))  # fmt: skip
    return sorted(out, key=lambda r: (not r.trusted, -(r.score or 0.0), -r.recent, r.key))


def _ids(d: Dialect, ids: Collection[str] | None) -> tuple[object, ...]:
    return (d.ids(sorted(ids)),) if ids is not None else ()
