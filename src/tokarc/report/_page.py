"""The report: one self-contained HTML file of what the store's sources found and what changed.

The figures come from :mod:`._data` (plain SQL, both backends) and :mod:`._charts`
(plotly); this module lays them out in one page that inlines plotly.js, so it opens with no
network, and writes it atomically. Every text from the data is escaped.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.io as pio  # type: ignore[import-untyped]

from .._files import atomic_file, refuse_same_file
from .._time import format_duration, parse_since
from ..analysis import MIN_BASELINE, MIN_LETTERS, Score
from ..errors import InvalidInputError
from ..media import media_root
from ..monitor import (
    MIN_RATE_SPAN,
    SPIKE_BASELINE,
    SPIKE_FACTOR,
    SPIKE_MIN,
    Watch,
    Watches,
    redact_url,
)
from ..monitor._watches import iso
from ..store import Store, sqlite_files
from . import _charts as C
from ._data import (
    Changes,
    Data,
    Scope,
    Source,
    all_sources,
    choose,
    last_report,
    record_report,
)

PLOTLY_BUNDLE = Path(__file__).with_name("assets") / "plotly-basic.min.js"
"""plotly.js's basic bundle (scatter and bar), vendored: see assets/README.md."""

# Sizes every chart from its own card once the layout is final, and again whenever the card
# changes: an inline chart script measures its card before the grid has placed the cards that
# follow, and plotly's ``responsive`` reacts to window resizes only.
_FIT_CHARTS = """
(function(){
  function fit(card){
    var gd=card.querySelector('.js-plotly-plot');
    var svg=gd&&gd.querySelector('svg.main-svg');
    if(!svg||!window.Plotly)return;
    if(Math.abs(svg.getBoundingClientRect().width-gd.clientWidth)>=1){Plotly.Plots.resize(gd);}
  }
  function start(){
    var cards=document.querySelectorAll('.chart');
    var ro=new ResizeObserver(function(es){es.forEach(function(e){fit(e.target);});});
    cards.forEach(function(c){fit(c);ro.observe(c);});
  }
  if(document.readyState==='loading'){document.addEventListener('DOMContentLoaded',start);}
  else{start();}
})();
"""


@functools.cache
def _plotly_js() -> str:
    return PLOTLY_BUNDLE.read_text(encoding="utf-8")


SOURCE_POSTS = 5  # rows of each source's top posts


@dataclass(frozen=True)
class Report:
    """A rendered report: the page, and the ids of its chart and table elements."""

    html: str
    charts: tuple[str, ...]
    tables: tuple[str, ...]


def scope(
    store: Store, since: int | None = None, refs: Sequence[str] = (), *, option: str = "--source"
) -> Scope:
    """The report's scope: the sources named by ``refs`` (``kind:target`` of a source or a
    watch, or a watch id), else every source in the store."""
    watches = Watches(store)
    every = all_sources(store)
    if not refs:
        return Scope(since, tuple(every), tuple(watches.all()))
    try:
        chosen = choose(every, refs, watches)
    except KeyError as exc:
        known = ", ".join(s.label for s in every[:6]) or "none yet"
        raise InvalidInputError(f"invalid {option}: {exc.args[0]} (sources: {known})") from None
    picked = {s.label for s in chosen}
    ws = [
        w for w in watches.all() if w.spec.collects and f"{w.spec.source_kind}:{w.target}" in picked
    ]
    return Scope(since, tuple(chosen), tuple(ws), filtered=True)


def write_report(
    store: Store,
    out: str | Path,
    *,
    since: str | None = None,
    sources: Sequence[str] = (),
    watches: Sequence[str] = (),
    media: str | Path | None = None,
    now: float | None = None,
) -> Report:
    """Write the report of ``store`` to ``out`` (HTML, atomically) and return it.

    ``since`` (``7d``, ``2026-11-01``) keeps posts created since then; ``sources`` (or
    ``watches``: the same, kept for older callers) keeps what those sources found, each
    ``kind:target`` (``hashtag:magic``, ``user_posts:zachking``, ``user:zachking``) or a watch
    id. ``media`` is the media archive's root (default: the root the store recorded when
    its media were downloaded, else ``media`` beside a SQLite database): top posts show their
    thumbnails from it. Raises InvalidInputError for a bad ``since``, an
    unknown source, or ``out`` being the database itself.
    """
    refuse_same_file(out, sqlite_files(store.url), "report file")
    clock = time.time() if now is None else now
    option = "--watch" if watches and not sources else "--source"
    sc = scope(store, parse_since(since, clock), [*sources, *watches], option=option)
    report = render(store, sc, clock, media_root(store, media))
    with atomic_file(out, "w", encoding="utf-8") as f:  # whole or not at all
        f.write(report.html)
    chosen = [s.label for s in sc.sources] if sc.filtered else "all"
    record_report(store, clock, json.dumps(chosen), str(out))
    return report


def render(store: Store, sc: Scope, now: float, media: Path | None = None) -> Report:
    """The report page for ``sc``."""
    q = Data(store, sc)
    previous = last_report(store, now)
    changes = q.changes(previous, now)
    figures = _overview(q, sc, now)
    top = q.top_posts()
    thumbs = q.thumbnails([p["id"] for p in top], media)
    tables = {
        "top-posts": _posts_table("table-top-posts", top, thumbs),
        "fastest-growing": _growing_table(q.fastest_growing()),
        "overperforming": _overperforming_table(q.overperforming()),
        "new-accounts": _accounts_table(q.new_accounts()),
    }
    per_source = [_source_section(q, s) for s in sc.sources]
    charts = [*(f"chart-{k}" for k in figures), *(f"chart-{s.slug}" for s in sc.sources)]
    page = _page(sc, now, q.totals(), changes, figures, tables, per_source)
    table_ids = [*(f"table-{k}" for k in tables), "table-changes-new", "table-watches"]
    return Report(page, tuple(charts), tuple(table_ids))


def _overview(q: Data, sc: Scope, now: float) -> dict[str, Any]:
    nodes, edges = q.hashtag_network()
    return {
        "posts-per-day": C.posts_per_day(
            q.posts_per_day(sc.sources), "Posts per day by creation, per source"
        ),
        "engagement": C.distribution(q.engagement()),
        "top-authors": C.ranking(
            "Top authors by engagement (likes + comments + shares)",
            "engagement",
            q.top_authors(),
            log=True,
        ),
        "sounds-rising": C.rising(
            "Sounds rising: posts in the last 7 days vs the 7 before",
            q.sounds_rising(now),
            "last 7 days",
            "7 days before",
        ),
        "hashtag-network": C.network("Hashtags used together (drag, zoom, hover)", nodes, edges),
        "plays-growth": C.growth("Plays of tracked posts over time", "plays", q.growth("plays")),
        "likes-growth": C.growth("Likes of tracked posts over time", "likes", q.growth("likes")),
        "new-gone": C.per_day_bars(
            "Posts stored and posts gone, per day", q.new_and_gone(), "posts"
        ),
        "units-per-day": C.per_day_bars(
            "Units spent per day", q.units_per_day(), "units", stack=True
        ),
    }


# -- the page ----------------------------------------------------------------------------------

_STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2933;
  background:#f5f7fa;line-height:1.4}
main{max-width:1480px;margin:0 auto;padding:1.2rem 1.5rem 3rem}
h1{margin:.2rem 0}
h2{margin:2rem 0 .6rem;padding-bottom:.3rem;border-bottom:2px solid #d9e2ec}
h3{margin:1.4rem 0 .4rem}
.meta{color:#52606d;margin:.2rem 0}
nav a{margin-right:1rem;color:#2f6fb2}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,170px),1fr));gap:.8rem}
.stat{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:.7rem 1rem}
.stat b{display:block;font-size:1.6rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));
  gap:1rem}
.chart{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:.4rem;min-width:0;
  overflow:hidden}
.chart.wide{grid-column:1/-1}
.plotly-graph-div{width:100%!important}
.scroll{overflow-x:auto;background:#fff;border:1px solid #e4e7eb;border-radius:8px}
.scroll.narrow{width:fit-content;min-width:min(100%,30rem);max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{border-bottom:1px solid #eef0f3;padding:.35rem .55rem;text-align:left;vertical-align:top}
th{background:#f0f4f8;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.cap{min-width:12rem;max-width:32rem;overflow-wrap:anywhere}
td.post{font-size:.82rem;white-space:nowrap}
td.post small{display:block;color:#52606d;white-space:normal;overflow-wrap:anywhere}
td.thumb img{width:56px;height:74px;object-fit:cover;border-radius:4px;display:block}
td.thumb span{display:block;width:56px;height:74px;border-radius:4px;background:#e4e7eb}
.source{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:.6rem 1rem;
  margin:1rem 0}
.source .charts{margin:.6rem 0}
.rule{color:#52606d;font-size:.88rem}
"""


def _page(
    sc: Scope,
    now: float,
    totals: tuple[int, int],
    changes: Changes,
    figures: dict[str, Any],
    tables: dict[str, str],
    per_source: list[str],
) -> str:
    wide = {"hashtag-network"}
    charts = "".join(
        f'<div class="chart{" wide" if key in wide else ""}">'
        f"{_figure_html(f'chart-{key}', fig)}</div>"
        for key, fig in figures.items()
    )
    since = iso(sc.since) if sc.since else "the beginning"
    scope_text = (
        ", ".join(s.label for s in sc.sources)
        if sc.filtered
        else f"every source ({len(sc.sources)})"
    )
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>tokarc report</title>",
        f"<style>{_STYLE}</style>",
        f'<script type="text/javascript">{_plotly_js()}</script>',
        "</head><body><main>",
        "<h1>tokarc report</h1>",
        f'<p class="meta">Generated {e(iso(now))}; posts created since {e(since)}; '
        f"{e(scope_text)}: {totals[0]:,} posts by {totals[1]:,} authors.</p>",
        '<nav><a href="#changes">What changed</a><a href="#overview">Overview</a>'
        '<a href="#posts">Posts</a><a href="#sources">Sources</a>'
        '<a href="#watches">Watches</a></nav>',
        _changes_html(changes),
        '<h2 id="overview">Overview</h2>',
        f'<div class="charts">{charts}</div>',
        '<h2 id="posts">Top posts</h2>',
        tables["top-posts"],
        "<h3>Fastest-growing posts</h3>",
        f'<p class="rule">Plays per hour only over an hour of observation or more '
        f"({MIN_RATE_SPAN // 3600} h); a post seen twice minutes apart shows its gain alone.</p>",
        tables["fastest-growing"],
        '<h3 id="overperforming">Overperforming posts</h3>',
        '<p class="rule">Each post against its own account\'s median plays at the same age (its '
        "last 30 other posts, read between their snapshots); baselines of fewer than 5 posts "
        "left out. <code>tokarc top --by overperforming</code> lists them all.</p>",
        tables["overperforming"],
        "<h3>New accounts</h3>",
        tables["new-accounts"],
        '<h2 id="sources">Sources</h2>',
        _sources_table(sc.sources),
        *per_source,
        '<h2 id="watches">Watches</h2>',
        _watches_table(sc.watches),
        "</main>",
        f"<script>{_FIT_CHARTS}</script>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _figure_html(div_id: str, fig: Any) -> str:
    config = {"displaylogo": False, "responsive": True}
    text: str = pio.to_html(
        C.styled(fig),
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config=config,
        default_width="100%",
        validate=False,
    )
    return text


def _changes_html(ch: Changes) -> str:
    e = html.escape
    what = "the last day (no earlier report)" if ch.first else f"the last report ({iso(ch.since)})"
    new = sum(n for _, n in ch.new_by_source)
    stats = (
        ("new posts", new),
        ("gone posts", len(ch.gone)),
        ("post spikes", len(ch.post_spikes)),
        ("hashtag spikes", len(ch.hashtag_spikes)),
        ("rising hashtags", len(ch.rising)),
        ("rising words", len(ch.words)),
        ("alerts", len(ch.alerts)),
    )
    cards = "".join(f'<div class="stat"><b>{n:,}</b>{e(k)}</div>' for k, n in stats)
    rule = (
        f"A spike is a value at least {SPIKE_MIN} and more than {SPIKE_FACTOR:g}× the median "
        f"of its own baseline of {SPIKE_BASELINE} or more earlier values: a post's latest "
        "plays per hour (each over an hour or more) against its earlier hourly rates; a "
        "hashtag's posts created in the last day against each of the 7 days before that "
        "the store covers. A hashtag is rising with 3 or more posts created since the "
        "last report, over twice as many as its rate over the 7 days before gives. A word "
        "said in transcripts is rising when the posts saying it since the last report, per "
        f"hour, are more than over the 7 days before, in {MIN_BASELINE} or more of them "
        f"(stop words, @mentions and words under {MIN_LETTERS} letters left out, and "
        "machine translations)."
    )
    return "\n".join(
        [
            f'<h2 id="changes">What changed since {e(what)}</h2>',
            f'<div class="cards">{cards}</div>',
            f'<p class="rule">{e(rule)}</p>',
            "<h3>New posts by source</h3>",
            _table("table-changes-new", ("source", "new posts"), ch.new_by_source),
            "<h3>Spikes</h3>",
            _table(
                "table-changes-spikes",
                ("what", "now", "baseline (median)"),
                [
                    (
                        f"post {r['id']}",
                        f"{r['rate']:,.0f} plays/h",
                        f"{r['baseline']:,.0f} plays/h",
                    )
                    for r in ch.post_spikes
                ]
                + [
                    (
                        f"#{r['name']}",
                        f"{r['last_day']:,} posts in the last day",
                        f"{r['baseline']:,} a day",
                    )
                    for r in ch.hashtag_spikes
                ],
            ),
            "<h3>Newly rising hashtags</h3>",
            _table(
                "table-changes-rising",
                ("hashtag", "posts since", "posts in the 7 days before"),
                ch.rising,
            ),
            "<h3>Words rising in transcripts</h3>",
            _table(
                "table-changes-words",
                ("word", "posts since", "posts in the 7 days before", "× its usual"),
                [(r.key, r.recent, r.baseline_posts, r.score) for r in ch.words],
            ),
            "<h3>Gone posts</h3>",
            _table(
                "table-changes-gone",
                ("post", "author", "caption", "gone at"),
                [
                    (r["id"], f"@{r['author'] or '?'}", _cut(r["caption"], 80), r["gone_at"])
                    for r in ch.gone
                ],
            ),
            "<h3>Alerts</h3>",
            _table("table-changes-alerts", ("at", "watch", "alert", "status"), ch.alerts),
        ]
    )


def _source_section(q: Data, s: Source) -> str:
    e = html.escape
    title = f"{s.label}: posts per day by creation"
    fig = C.per_day_bars(title, q.posts_per_day([s]), "posts")  # one series: bars read best
    jobs = ", ".join(f"job {i} {st}" for i, st in s.jobs) or "no job"
    watch = (
        f"watch {s.watch.id}, every {format_duration(s.watch.every_s)}, {s.watch.state()}"
        if s.watch
        else "no watch"
    )
    top = q.top_posts(SOURCE_POSTS, s)
    return "\n".join(
        [
            f'<section class="source" id="{e(s.slug)}"><h3>{e(s.label)}</h3>',
            f'<p class="meta">{s.posts:,} posts found; {e(watch)}; {e(jobs)}.</p>',
            f'<div class="charts"><div class="chart">{_figure_html(f"chart-{s.slug}", fig)}</div>'
            f"</div>",
            _posts_table(f"table-{s.slug}", top, {}),
            _countries_html(q, s),
            "</section>",
        ]
    )


def _countries_html(q: Data, s: Source) -> str:
    """A search made in more than one country (``tokarc keyword --country``): what each
    showed and only it showed, its top post, and each pair's overlap (``tokarc compare``)."""
    result = q.countries(s)
    if result is None:
        return ""
    rows = [
        [c.country, len(c.posts), len(c.only), _top_post(c.top[0]) if c.top else "-"]
        for c in result.countries
    ]
    pairs = [[f"{a} - {b}", f"{j:.2f}"] for (a, b), j in result.overlap.items()]
    return "\n".join(
        [
            "<h4>By country</h4>",
            _table(
                f"table-{s.slug}-countries", ["country", "posts", "only here", "top post"], rows
            ),
            _table(f"table-{s.slug}-overlap", ["pair", "overlap (Jaccard)"], pairs),
        ]
    )


def _top_post(post: dict[str, Any]) -> str:
    return f"@{post['author'] or '?'} ({post['plays'] or 0:,} plays)"


def _table(table_id: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    if not rows:
        body = f'<tr><td colspan="{len(headers)}">nothing yet</td></tr>'
    narrow = " narrow" if len(headers) <= 3 else ""  # a few columns: as wide as they need
    return (
        f'<div class="scroll{narrow}"><table id="{html.escape(table_id)}"><thead><tr>{head}</tr>'
        f"</thead><tbody>{body}</tbody></table></div>"
    )


class _Html(str):
    """A cell already made safe (escaped here)."""


def _cell(value: Any) -> str:
    if isinstance(value, _Html):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="n">{value:,}</td>'
    if isinstance(value, float):
        return f'<td class="n">{value:,.1f}</td>'
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def _posts_table(table_id: str, rows: Sequence[dict[str, Any]], thumbs: dict[str, str]) -> str:
    e = html.escape
    out = []
    for r in rows:
        thumb = thumbs.get(r["id"])
        img = (
            f'<img src="{e(thumb)}" alt="thumbnail of post {e(str(r["id"]))}">'
            if thumb
            else "<span></span>"
        )
        url = str(r["url"] or "")
        post = (
            f'<a href="{e(url)}" rel="noopener noreferrer">{e(str(r["id"]))}</a>'
            if url.startswith("https://")
            else e(str(r["id"]))
        )
        gone = " (gone)" if r["gone_at"] else ""
        who = f"@{r['author'] or '?'} · {_created(r['created'])}"
        shown = (_Html(f'<td class="thumb">{img}</td>'),) if thumbs else ()
        out.append(
            (
                *shown,
                _Html(f'<td class="post">{post}{gone}<small>{e(who)}</small></td>'),
                _Html(f'<td class="cap">{e(_cut(r["caption"], 160))}</td>'),
                r["plays"],
                r["likes"],
                r["comments"],
                r["shares"],
            )
        )
    headers = ("post (author · created)", "caption", "plays", "likes", "comments", "shares")
    return _table(table_id, ("", *headers) if thumbs else headers, out)


def _sources_table(sources: Sequence[Source]) -> str:
    rows = [
        (
            _Html(f'<td><a href="#{html.escape(s.slug)}">{html.escape(s.label)}</a></td>'),
            s.posts,
            s.watch.label if s.watch else "",
            ", ".join(f"{i} ({st})" for i, st in s.jobs),
        )
        for s in sources
    ]
    return _table("table-sources", ("source", "posts", "watch", "jobs"), rows)


def _watches_table(watches: Sequence[Watch]) -> str:
    rows = [
        (
            w.label,
            format_duration(w.every_s),
            format_duration(w.window_s),
            w.budget if w.budget is not None else "none",
            w.state(),
            " ".join(w.alert_rules),
            redact_url(w.webhook) or "",
            w.last_run_at,
            w.last_status,
            w.last_message,
        )
        for w in watches
    ]
    headers = (
        "watch",
        "every",
        "window",
        "budget/day",
        "state",
        "alerts",
        "webhook",
        "last run",
        "status",
        "message",
    )
    return _table("table-watches", headers, rows)


def _growing_table(rows: Sequence[dict[str, Any]]) -> str:
    e = html.escape
    out = [
        (
            _Html(
                f'<td class="post">{e(str(r["id"]))}<small>@{e(r["author"] or "?")}</small></td>'
            ),
            _Html(f'<td class="cap">{e(_cut(r["caption"], 100))}</td>'),
            r["gained"],
            round(r["per_hour"]) if r["per_hour"] is not None else f"— ({r['hours'] * 60:.0f} min)",
            r["liked"],
            r["plays"],
        )
        for r in rows
    ]
    headers = ("post (author)", "caption", "plays gained", "plays/hour", "likes gained", "plays")
    return _table("table-fastest-growing", headers, out)


def _overperforming_table(scores: Sequence[Score]) -> str:
    e = html.escape
    out = [
        (
            _Html(f'<td class="post">{e(s.aweme_id)}<small>@{e(s.author or "?")}</small></td>'),
            format_duration(s.age),
            s.value,
            round(s.baseline or 0),
            f"{s.score or 0:.1f}x",
            s.baseline_posts,
        )
        for s in scores
    ]
    headers = ("post (author)", "age", "plays", "usual at that age", "score", "of posts")
    return _table("table-overperforming", headers, out)


def _accounts_table(rows: Sequence[dict[str, Any]]) -> str:
    out = [
        (
            f"@{r['handle'] or '?'}",
            r["nickname"],
            r["followers"],
            _created(r["created"]),
            str(r["first_seen"] or "")[:16].replace("T", " "),
            r["posts"],
        )
        for r in rows
    ]
    headers = ("account", "name", "followers", "created", "first seen", "posts in scope")
    return _table("table-new-accounts", headers, out)


def _cut(text: object, length: int) -> str:
    value = " ".join(str(text or "").split())
    return value if len(value) <= length else value[: length - 1] + "…"


def _created(ts: int | None) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).date().isoformat() if ts else ""
