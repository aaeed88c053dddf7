"""The report: one self-contained HTML file of what the watches found and what changed.

Queries read the store (plain SQL, both backends); :mod:`._charts` makes the figures; this
module lays them out with two tables in one page that inlines plotly.js, so it opens with no
network. Every text from the data is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.io as pio  # type: ignore[import-untyped]
from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

from .._files import atomic_file, refuse_same_file
from ..errors import InvalidInputError
from ..store import Store
from ..store._target import sqlite_files
from . import _charts as C
from ._watches import DAY, Watch, Watches, format_duration, iso, parse_duration

TOP = 15  # bars in a ranking
TOP_POSTS = 8  # lines in a growth chart
TABLE_ROWS = 20


@dataclass(frozen=True)
class Scope:
    """What a report covers: posts created since ``since`` (unix seconds; None: all), found
    through ``watches`` (none: every post in the store)."""

    since: int | None
    watches: tuple[Watch, ...]

    @property
    def sources(self) -> list[tuple[str, str]]:
        return [(w.spec.source_kind, w.target) for w in self.watches if w.kind != "posts"]


@dataclass(frozen=True)
class Report:
    """A rendered report: the page, and the ids of its chart and table elements."""

    html: str
    charts: tuple[str, ...]
    tables: tuple[str, ...]


def parse_since(text: str | None, now: float) -> int | None:
    """``7d`` (back from ``now``), ``2026-11-01`` or an ISO time → unix seconds; None → None."""
    if not text:
        return None
    try:
        return int(now - parse_duration(text, "since"))
    except InvalidInputError:
        pass
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"invalid since {text!r}: a duration like 7d, or a date like 2026-11-01"
        ) from None
    return int((when if when.tzinfo else when.replace(tzinfo=dt.UTC)).timestamp())


def scope(store: Store, since: int | None = None, refs: Sequence[str] = ()) -> Scope:
    """The report's scope: the watches named by ``refs`` (ids or ``kind:target``), else all."""
    watches = Watches(store)
    try:
        chosen = [watches.resolve(r) for r in refs] if refs else watches.all()
    except KeyError as exc:
        raise InvalidInputError(f"invalid --watch: {exc.args[0]}") from None
    return Scope(since, tuple(chosen))


def write_report(
    store: Store,
    out: str | Path,
    *,
    since: str | None = None,
    watches: Sequence[str] = (),
    now: float | None = None,
) -> Report:
    """Write the report of ``store`` to ``out`` (HTML) and return it.

    ``since`` (``7d``, ``2026-11-01``) keeps posts created since then; ``watches`` (ids or
    ``kind:target``) keeps what those watches found. Raises InvalidInputError for either
    being wrong.
    """
    refuse_same_file(out, sqlite_files(store.url), "report file")
    clock = time.time() if now is None else now
    report = render(store, scope(store, parse_since(since, clock), watches), clock)
    with atomic_file(out, "w", encoding="utf-8") as f:  # whole or not at all
        f.write(report.html)
    return report


def render(store: Store, sc: Scope, now: float) -> Report:
    """The report page for ``sc``."""
    q = _Queries(store, sc)
    figures = {
        "posts-per-day": C.posts_per_day(q.posts_per_day()),
        "plays-growth": C.growth("Plays of the top posts over time", "plays", q.growth(0)),
        "likes-growth": C.growth("Likes of the top posts over time", "likes", q.growth(1)),
        "top-authors": C.ranking("Top authors", "posts", q.top_authors()),
        "top-hashtags": C.ranking("Top co-occurring hashtags", "posts", q.top_hashtags()),
        "top-sounds": C.ranking("Top sounds", "posts", q.top_sounds()),
        "units-per-day": C.units_per_day(q.units_per_day()),
    }
    tables = {"fastest-growing": _growing_table(q.fastest_growing()),
              "new-accounts": _accounts_table(q.new_accounts())}  # fmt: skip
    page = _page(sc, now, figures, tables)
    return Report(page, tuple(f"chart-{k}" for k in figures), tuple(f"table-{k}" for k in tables))


# -- queries -----------------------------------------------------------------------------------


class _Queries:
    """The report's data, read from the store within a scope."""

    def __init__(self, store: Store, sc: Scope) -> None:
        self.store, self.sc = store, sc
        self.cte, self.params = _scoped(sc)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        chunks = self.store.stream(f"{self.cte} {sql}", (*self.params, *params))
        return [tuple(r) for chunk in chunks for r in chunk]

    def posts_per_day(self) -> dict[str, dict[dt.date, int]]:
        sql = ("SELECT p.create_time / 86400, COUNT(*) FROM posts p JOIN seen_via s "
               "ON s.entity = 'post' AND s.entity_id = p.aweme_id "
               "WHERE s.source_kind = ? AND s.source_target = ? AND p.create_time >= ? "
               "GROUP BY 1 ORDER BY 1")  # fmt: skip
        since = self.sc.since or 0
        out = {}
        for w in (w for w in self.sc.watches if w.kind != "posts"):
            rows = self.rows(sql, (w.spec.source_kind, w.target, since))
            out[w.label] = {_date(int(d) * DAY): int(n) for d, n in rows if d is not None}
        if not out:
            sql = ("SELECT p.create_time / 86400, COUNT(*) FROM posts p JOIN scoped s "
                   "ON s.aweme_id = p.aweme_id GROUP BY 1 ORDER BY 1")  # fmt: skip
            out["all posts"] = {_date(int(d) * DAY): int(n) for d, n in self.rows(sql) if d}
        return out

    def top_posts(self) -> list[tuple[str, str]]:
        sql = ("SELECT p.aweme_id, p.author_unique_id, p.description FROM posts p JOIN scoped s "
               "ON s.aweme_id = p.aweme_id ORDER BY COALESCE(p.play_count, -1) DESC, p.aweme_id "
               f"LIMIT {TOP_POSTS}")  # fmt: skip
        return [(str(a), f"@{u or '?'}: {d or a}") for a, u, d in self.rows(sql)]

    def growth(self, metric: int) -> dict[str, list[tuple[dt.datetime, int]]]:
        """Plays (``metric=0``) or likes (``1``) of the top posts, per observation."""
        top = dict(self.top_posts())
        if not top:
            return {}
        marks = ", ".join("?" * len(top))
        sql = (f"SELECT aweme_id, observed_at, play_count, digg_count FROM post_stats "
               f"WHERE aweme_id IN ({marks}) ORDER BY observed_at")  # fmt: skip
        out: dict[str, list[tuple[dt.datetime, int]]] = {name: [] for name in top.values()}
        for aweme_id, at, plays, likes in self.rows(sql, tuple(top)):
            value = (plays, likes)[metric]
            if value is not None:
                out[top[aweme_id]].append((_time(at), int(value)))
        return out

    def top_authors(self) -> list[tuple[str, int]]:
        sql = ("SELECT p.author_unique_id, COUNT(*) FROM posts p JOIN scoped s "
               "ON s.aweme_id = p.aweme_id WHERE p.author_unique_id IS NOT NULL "
               f"GROUP BY p.author_unique_id ORDER BY 2 DESC, 1 LIMIT {TOP}")  # fmt: skip
        return [(f"@{name}", int(n)) for name, n in self.rows(sql)]

    def top_hashtags(self) -> list[tuple[str, int]]:
        watched = [w.target.lower() for w in self.sc.watches if w.kind == "hashtag"]
        skip = f"WHERE h.name NOT IN ({', '.join('?' * len(watched))}) " if watched else ""
        sql = ("SELECT h.name, COUNT(*) FROM post_hashtags h JOIN scoped s "
               f"ON s.aweme_id = h.aweme_id {skip}GROUP BY h.name ORDER BY 2 DESC, 1 "
               f"LIMIT {TOP}")  # fmt: skip
        return [(f"#{name}", int(n)) for name, n in self.rows(sql, watched)]

    def top_sounds(self) -> list[tuple[str, int]]:
        sql = ("SELECT p.music_id, MAX(m.title), MAX(m.author), COUNT(*) FROM posts p "
               "JOIN scoped s ON s.aweme_id = p.aweme_id "
               "LEFT JOIN music m ON m.music_id = p.music_id WHERE p.music_id IS NOT NULL "
               f"GROUP BY p.music_id ORDER BY 4 DESC, 1 LIMIT {TOP}")  # fmt: skip
        return [(f"{t or i} - {a or '?'}", int(n)) for i, t, a, n in self.rows(sql)]

    def units_per_day(self) -> dict[str, dict[str, int]]:
        ids = [w.id for w in self.sc.watches]
        since = _date(self.sc.since).isoformat() if self.sc.since else ""
        out: dict[str, dict[str, int]] = {}
        if ids:
            sql = ("SELECT r.day, w.kind, w.target, SUM(r.units) FROM watch_runs r "
                   "JOIN watches w ON w.id = r.watch_id "
                   f"WHERE r.watch_id IN ({', '.join('?' * len(ids))}) AND r.day >= ? "
                   "GROUP BY r.day, w.kind, w.target ORDER BY r.day")  # fmt: skip
            for day, kind, target, units in self.rows(sql, (*ids, since)):
                out.setdefault(f"{kind}:{target}", {})[str(day)] = int(units)
        if not out:
            sql = ("SELECT substr(at, 1, 10), SUM(units) FROM requests WHERE at >= ? "
                   "GROUP BY 1 ORDER BY 1")  # fmt: skip
            out = {"all requests": {str(d): int(u) for d, u in self.rows(sql, (since,))}}
        return {k: v for k, v in out.items() if v}

    def fastest_growing(self) -> list[dict[str, Any]]:
        sql = ("SELECT st.aweme_id, MAX(p.author_unique_id), MAX(p.description), "
               "MAX(p.share_url), MIN(st.observed_at), MAX(st.observed_at), "
               "MIN(st.play_count), MAX(st.play_count), MIN(st.digg_count), MAX(st.digg_count) "
               "FROM post_stats st JOIN scoped s ON s.aweme_id = st.aweme_id "
               "JOIN posts p ON p.aweme_id = st.aweme_id GROUP BY st.aweme_id "
               "HAVING COUNT(*) > 1 ORDER BY MAX(st.play_count) - MIN(st.play_count) DESC, 1 "
               f"LIMIT {TABLE_ROWS}")  # fmt: skip
        keys = ("id", "author", "caption", "url", "first", "last", "plays0", "plays1",
                "likes0", "likes1")  # fmt: skip
        return [dict(zip(keys, row, strict=True)) for row in self.rows(sql)]

    def new_accounts(self) -> list[dict[str, Any]]:
        seen = iso(self.sc.since) if self.sc.since else ""
        sql = (
            "SELECT u.unique_id, u.nickname, u.follower_count, u.create_time, "
            "u.first_seen_at, COUNT(*) FROM users u JOIN posts p ON p.author_uid = u.uid "
            "JOIN scoped s ON s.aweme_id = p.aweme_id WHERE u.first_seen_at >= ? "
            "GROUP BY u.uid, u.unique_id, u.nickname, u.follower_count, u.create_time, "
            f"u.first_seen_at ORDER BY u.first_seen_at DESC, 6 DESC LIMIT {TABLE_ROWS}"
        )
        keys = ("handle", "nickname", "followers", "created", "first_seen", "posts")
        return [dict(zip(keys, row, strict=True)) for row in self.rows(sql, (seen,))]


def _scoped(sc: Scope) -> tuple[str, tuple[Any, ...]]:
    """A ``scoped`` CTE: the ids of the posts in scope, with its parameters."""
    since = ("p.create_time >= ?", (sc.since,)) if sc.since else ("1 = 1", ())
    if not sc.sources:
        return f"WITH scoped AS (SELECT p.aweme_id FROM posts p WHERE {since[0]})", since[1]
    either = " OR ".join("(v.source_kind = ? AND v.source_target = ?)" for _ in sc.sources)
    cte = ("WITH scoped AS (SELECT DISTINCT p.aweme_id FROM posts p JOIN seen_via v "
           f"ON v.entity = 'post' AND v.entity_id = p.aweme_id WHERE ({either}) "
           f"AND {since[0]})")  # fmt: skip
    return cte, (*(x for pair in sc.sources for x in pair), *since[1])


def _date(ts: float) -> dt.date:
    return dt.datetime.fromtimestamp(ts, dt.UTC).date()


def _time(text: str) -> dt.datetime:
    """A stored UTC time as a naive datetime (plotly draws naive times as they are)."""
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).replace(tzinfo=None)


# -- the page ----------------------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem} .meta{color:#666;margin-top:0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:1rem}
.chart{border:1px solid #eee;border-radius:6px;padding:.5rem;min-height:320px}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.9rem}
th,td{border-bottom:1px solid #eee;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
"""


def _page(sc: Scope, now: float, figures: dict[str, Any], tables: dict[str, str]) -> str:
    charts = "".join(
        f'<div class="chart">{_figure_html(f"chart-{key}", fig)}</div>'
        for key, fig in figures.items()
    )
    since = iso(sc.since) if sc.since else "the beginning"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>tokarc report</title>",
        f"<style>{_STYLE}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body>",
        "<h1>tokarc report</h1>",
        f'<p class="meta">Generated {html.escape(iso(now))}; posts since {html.escape(since)}.</p>',
        "<h2>Watches</h2>",
        _watches_table(sc.watches),
        f'<div class="charts">{charts}</div>',
        "<h2>Fastest-growing posts</h2>",
        tables["fastest-growing"],
        "<h2>New accounts</h2>",
        tables["new-accounts"],
        "</body></html>",
    ]
    return "\n".join(parts)


def _figure_html(div_id: str, fig: Any) -> str:
    config = {"displaylogo": False, "responsive": True}
    text: str = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id,
                            config=config)  # fmt: skip
    return text


def _table(table_id: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    if not rows:
        body = f'<tr><td colspan="{len(headers)}">nothing yet</td></tr>'
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="n">{value:,}</td>'
    if isinstance(value, float):
        return f'<td class="n">{value:,.1f}</td>'
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def _watches_table(watches: Sequence[Watch]) -> str:
    rows = [(w.label, format_duration(w.every_s), format_duration(w.window_s),
             w.budget if w.budget is not None else "none", "paused" if w.paused else "active",
             w.last_run_at, w.last_status, w.last_message) for w in watches]  # fmt: skip
    headers = ("watch", "every", "window", "budget/day", "state", "last run", "status", "message")
    return _table("table-watches", headers, rows)


def _growing_table(rows: Sequence[dict[str, Any]]) -> str:
    out = []
    for r in rows:
        hours = max((_time(r["last"]) - _time(r["first"])).total_seconds() / 3600, 1 / 60)
        gained = (r["plays1"] or 0) - (r["plays0"] or 0)
        liked = (r["likes1"] or 0) - (r["likes0"] or 0)
        out.append((f"@{r['author'] or '?'}", _cut(r["caption"], 80), r["id"], gained,
                    gained / hours, liked, r["plays1"]))  # fmt: skip
    headers = ("author", "caption", "post", "plays gained", "plays/hour", "likes gained", "plays")
    return _table("table-fastest-growing", headers, out)


def _accounts_table(rows: Sequence[dict[str, Any]]) -> str:
    out = [(f"@{r['handle'] or '?'}", r["nickname"], r["followers"], _created(r["created"]),
            r["first_seen"], r["posts"]) for r in rows]  # fmt: skip
    headers = ("account", "name", "followers", "created", "first seen", "posts in scope")
    return _table("table-new-accounts", headers, out)


def _cut(text: object, length: int) -> str:
    value = " ".join(str(text or "").split())
    return value if len(value) <= length else value[: length - 1] + "…"


def _created(ts: int | None) -> str:
    return _date(ts).isoformat() if ts else ""
