"""The report's charts: plain data in, plotly figures out (no database, no HTML page).

Every figure sizes itself to its card (``autosize``, no fixed width, legend below the plot,
labels with automatic margins), draws days on a date axis, and puts heavy-tailed counts
(plays, likes, engagement) on log scales. Plotly renders a small subset of HTML in labels and
hover text (``<b>``, ``<a href>``, ``<br>``), so every text that came from TikTok (captions,
handles, titles) goes through :func:`label` first.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]
import plotly.io as pio  # type: ignore[import-untyped]

from ._data import DECADES

LABEL_LENGTH = 40  # characters of a caption or title shown on an axis or in a legend
HEIGHT = 380
DAY_FORMAT = "%b %d"  # axis ticks: "Nov 01"
MAX_DECADE = DECADES  # log bins: 0, then each power of ten (1-9, 10-99, ...), named compactly
METRICS = ("plays", "likes", "comments", "shares")


def label(text: object, length: int = LABEL_LENGTH) -> str:
    """``text`` cut to ``length`` characters and escaped, safe as a plotly label."""
    value = " ".join(str(text or "").split())
    if len(value) > length:
        value = value[: length - 1] + "…"
    return html.escape(value or "(none)")


TEMPLATE = "plotly_white"


def styled(fig: go.Figure) -> dict[str, Any]:
    """The figure as plain data with the report's template. The template is set here, on the
    data, rather than on the figure: plotly validates a template set on a figure again for
    every figure (50 ms each); a finished figure needs no validation."""
    data: dict[str, Any] = fig.to_plotly_json()
    data.setdefault("layout", {})["template"] = _template()
    return data


@functools.cache
def _template() -> dict[str, Any]:
    value: dict[str, Any] = pio.templates[TEMPLATE].to_plotly_json()
    return value


def _figure(title: str, traces: Sequence[go.BaseTraceType], **layout: object) -> go.Figure:
    fig = go.Figure(data=list(traces))
    base = {
        "title": {"text": html.escape(title), "font": {"size": 15}, "x": 0.01, "xanchor": "left"},
        "autosize": True,
        "height": HEIGHT,
        "margin": {"l": 56, "r": 16, "t": 48, "b": 40, "autoexpand": True},
        # at the foot of the figure (the container, not the plot): the margin grows to fit
        # it, so however many rows it takes it covers neither the title nor the tick labels
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "font": {"size": 11},
        },
        "hoverlabel": {"namelength": -1},
    }
    fig.update_layout(**{**base, **layout})
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    if not traces:
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        fig.add_annotation(
            text="no data yet",
            showarrow=False,
            font={"size": 16},
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
        )
    return fig


def _day_axis(days: Sequence[dt.date]) -> dict[str, object]:
    """A day axis: dates, ticks like "Nov 01" a whole number of days apart (never hours), about
    six of them over a long span."""
    span = (max(days) - min(days)).days + 1 if days else 1
    step = max(1, math.ceil(span / 6))
    axis: dict[str, object] = {
        "type": "date",
        "tickformat": DAY_FORMAT,
        "hoverformat": "%Y-%m-%d",
        "dtick": step * 86_400_000,
    }
    if days and span <= 3:  # a day or three: room around them, so a bar looks like one
        pad = dt.timedelta(days=2)
        axis["range"] = [(min(days) - pad).isoformat(), (max(days) + pad).isoformat()]
    return axis


MAX_FILL_DAYS = 800
DAY_MS = 86_400_000


def counts(title: str, top: float) -> dict[str, object]:
    """An axis of whole counts from 0: a tick per unit when there are few (never 0.2 posts)."""
    return {
        "title": title,
        "rangemode": "tozero",
        "tickformat": ",d",
        **({"dtick": 1} if top <= 6 else {}),
    }


def _top(series: Mapping[str, Mapping[dt.date, int]], stack: bool = False) -> int:
    if stack:
        totals: dict[dt.date, int] = {}
        for days in series.values():
            for d, n in days.items():
                totals[d] = totals.get(d, 0) + n
        return max(totals.values(), default=0)
    return max((n for days in series.values() for n in days.values()), default=0)


def filled(days: Mapping[dt.date, int]) -> dict[dt.date, int]:
    """Every day from the first to the last, 0 where there is none (so lines do not bridge
    empty days and bars keep a day's width)."""
    if not days or (max(days) - min(days)).days > MAX_FILL_DAYS:
        return dict(sorted(days.items()))
    first, n = min(days), (max(days) - min(days)).days + 1
    return {first + dt.timedelta(i): days.get(first + dt.timedelta(i), 0) for i in range(n)}


def posts_per_day(
    series: Mapping[str, Mapping[dt.date, int]], title: str = "Posts per day (by creation)"
) -> go.Figure:
    """Posts created per day, one line per source."""
    traces = [
        go.Scatter(
            x=[d.isoformat() for d in filled(days)],
            y=list(filled(days).values()),
            name=label(source),
            mode="lines+markers",
            hovertemplate="%{x}: %{y} posts",
        )
        for source, days in series.items()
        if days
    ]
    days = [d for s in series.values() for d in s]
    return _figure(
        title,
        traces,
        xaxis=_day_axis(days),
        yaxis=counts("posts", _top(series)),
        showlegend=len(traces) > 1,
    )


def _compact(n: int) -> str:
    for size, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "K")):
        if n >= size:
            return f"{n // size}{suffix}"
    return str(n)


def bin_names() -> list[str]:
    """The log bins' names: ``0``, ``1-9``, ``10-99``, ..., ``1B+``."""
    names = ["0"]
    for k in range(MAX_DECADE):
        low = 10**k
        names.append(
            f"{_compact(low)}+"
            if k == MAX_DECADE - 1
            else f"{_compact(low)}–{_compact(10 ** (k + 1) - 1)}"
        )
    return names


def distribution(metrics: Mapping[str, Sequence[int]]) -> go.Figure:
    """Posts by order of magnitude of each count, a bar per metric and log bin (``metrics``:
    the posts in each bin of ``bin_names``, as counted by the report's data)."""
    names = bin_names()
    traces = []
    for metric, counts in metrics.items():
        if not any(counts):
            continue
        hover = f"{html.escape(metric)} %{{x}}: %{{y}} posts"
        traces.append(go.Bar(x=names, y=counts, name=html.escape(metric), hovertemplate=hover))
    used = [n for i, n in enumerate(names) if any(t.y[i] for t in traces)]
    xaxis = {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": names,
        "range": [names.index(used[0]) - 0.5, names.index(used[-1]) + 0.5] if used else None,
    }
    return _figure(
        "Plays, likes, comments, shares per post (log bins)",
        traces,
        barmode="group",
        xaxis=xaxis,
        yaxis_title="posts",
    )


def growth(
    title: str, metric: str, series: Mapping[str, Sequence[tuple[dt.datetime, int]]]
) -> go.Figure:
    """A count (plays, likes) of some posts over time, one line per post, on a log scale."""
    traces = [
        go.Scatter(
            x=[t for t, _ in points],
            y=[max(v, 1) for _, v in points],
            name=label(post, 30),
            mode="lines+markers",
            hovertemplate=f"%{{x}}: %{{y:,}} {html.escape(metric)}",
        )
        for post, points in series.items()
        if points
    ]
    return _figure(
        title,
        traces,
        xaxis={"type": "date", "tickformat": "%b %d %H:%M"},
        yaxis={"type": "log", "title": metric},
    )


def ranking(
    title: str, what: str, rows: Sequence[tuple[str, int]], *, log: bool = False
) -> go.Figure:
    """A horizontal bar per name, biggest on top (a log axis for heavy-tailed values)."""
    if not rows:
        return _figure(title, [])
    names = [label(name, 32) for name, _ in reversed(rows)]
    values = [max(value, 1) if log else value for _, value in reversed(rows)]
    bar = go.Bar(
        x=values,
        y=names,
        orientation="h",
        name=html.escape(what),
        hovertemplate=f"%{{y}}: %{{x:,}} {html.escape(what)}<extra></extra>",
    )
    xaxis = {"title": what, **({"type": "log"} if log else {})}
    return _figure(
        title,
        [bar],
        xaxis=xaxis,
        yaxis={"type": "category"},
        showlegend=False,
        height=max(HEIGHT, 24 * len(rows) + 110),
    )


def rising(title: str, rows: Sequence[tuple[str, int, int]], recent: str, before: str) -> go.Figure:
    """Names with their count in a recent period beside the period before, biggest on top."""
    if not rows:
        return _figure(title, [])
    names = [label(name, 32) for name, _, _ in reversed(rows)]
    traces = [
        go.Bar(
            x=[r[2] for r in reversed(rows)],
            y=names,
            orientation="h",
            name=html.escape(before),
            marker_color="#b0bec5",
        ),
        go.Bar(
            x=[r[1] for r in reversed(rows)],
            y=names,
            orientation="h",
            name=html.escape(recent),
            marker_color="#ef6c00",
        ),
    ]
    return _figure(
        title,
        traces,
        barmode="group",
        xaxis_title="posts",
        yaxis={"type": "category"},
        height=max(HEIGHT, 34 * len(rows) + 130),
    )


def per_day_bars(
    title: str, series: Mapping[str, Mapping[dt.date, int]], what: str, *, stack: bool = False
) -> go.Figure:
    """Counts per day as bars, one colour per series (stacked with ``stack``)."""
    traces = [
        go.Bar(
            x=[d.isoformat() for d in filled(days)],
            y=list(filled(days).values()),
            name=label(name),
            width=DAY_MS * 0.8,  # a day's bar (plotly's own guess fails for a single day)
            hovertemplate=f"%{{x}}: %{{y:,}} {html.escape(what)}",
        )
        for name, days in series.items()
        if days
    ]
    days = [d for s in series.values() for d in s]
    return _figure(
        title,
        traces,
        barmode="stack" if stack else "group",
        xaxis=_day_axis(days),
        yaxis=counts(what, _top(series, stack)),
    )


def network(
    title: str, nodes: Mapping[str, int], edges: Mapping[tuple[str, str], int]
) -> go.Figure:
    """Hashtags as nodes (size: posts), an edge where two share posts (width: how many);
    hover a node for its figures, drag to pan, scroll to zoom."""
    if not nodes:
        return _figure(title, [])
    pos = spring_layout(list(nodes), edges)
    top = max(edges.values(), default=1)
    traces: list[go.BaseTraceType] = []
    for band in (1, 2, 3):  # three widths of edge, so strong ties stand out
        xs: list[float | None] = []
        ys: list[float | None] = []
        for (a, b), w in edges.items():
            if math.ceil(3 * w / top) == band:
                xs += [pos[a][0], pos[b][0], None]
                ys += [pos[a][1], pos[b][1], None]
        if xs:
            traces.append(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    hoverinfo="skip",
                    line={"width": band * 1.2, "color": "#90a4ae"},
                    showlegend=False,
                )
            )
    degree = dict.fromkeys(nodes, 0)
    for a, b in edges:
        degree[a] += 1
        degree[b] += 1
    names = list(nodes)
    biggest = max(nodes.values())
    traces.append(
        go.Scatter(
            x=[pos[n][0] for n in names],
            y=[pos[n][1] for n in names],
            mode="markers+text",
            text=[label(f"#{n}", 24) for n in names],
            textposition="top center",
            marker={
                "size": [10 + 30 * math.sqrt(nodes[n] / biggest) for n in names],
                "color": [degree[n] for n in names],
                "colorscale": "Viridis",
                "line": {"width": 1, "color": "#fff"},
            },
            customdata=[[nodes[n], degree[n]] for n in names],
            hovertemplate="%{text}: %{customdata[0]:,} posts, shares posts with "
            "%{customdata[1]} other hashtags<extra></extra>",
            showlegend=False,
        )
    )
    hidden = {"visible": False, "fixedrange": False}
    return _figure(
        title,
        traces,
        xaxis=hidden,
        yaxis=hidden,
        dragmode="pan",
        height=HEIGHT + 120,
        hovermode="closest",
    )


def spring_layout(
    names: Sequence[str], edges: Mapping[tuple[str, str], int], iterations: int = 120
) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions in [0, 1]², deterministic (a fixed seed).

    Written here (40 nodes at most, a few milliseconds) so the report needs plotly alone.
    """
    rng = random.Random(0)
    pos = {n: [rng.random(), rng.random()] for n in names}
    k = 1 / math.sqrt(max(len(names), 1))
    top = max(edges.values(), default=1)
    temp = 0.1
    for _ in range(iterations):
        move = {n: [0.0, 0.0] for n in names}
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
                d = max(math.hypot(dx, dy), 1e-4)
                f = k * k / d
                move[a][0] += dx / d * f
                move[a][1] += dy / d * f
                move[b][0] -= dx / d * f
                move[b][1] -= dy / d * f
        for (a, b), w in edges.items():
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            d = max(math.hypot(dx, dy), 1e-4)
            f = d * d / k * (0.5 + w / top)
            move[a][0] -= dx / d * f
            move[a][1] -= dy / d * f
            move[b][0] += dx / d * f
            move[b][1] += dy / d * f
        for n in names:
            d = max(math.hypot(*move[n]), 1e-9)
            step = min(d, temp)
            pos[n][0] += move[n][0] / d * step
            pos[n][1] += move[n][1] / d * step
        temp *= 0.97
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    span_x, span_y = max(max(xs) - min(xs), 1e-9), max(max(ys) - min(ys), 1e-9)
    return {n: ((p[0] - min(xs)) / span_x, (p[1] - min(ys)) / span_y) for n, p in pos.items()}
