"""The report's charts: plain data in, plotly figures out (no database, no HTML page).

Plotly renders a small subset of HTML in labels (``<b>``, ``<a href>``, ``<br>``), so every
text that came from TikTok (captions, handles, titles) goes through :func:`label` first.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go  # type: ignore[import-untyped]

LABEL_LENGTH = 40  # characters of a caption or title shown on an axis or in a legend


def label(text: object, length: int = LABEL_LENGTH) -> str:
    """``text`` cut to ``length`` characters and escaped, safe as a plotly label."""
    value = " ".join(str(text or "").split())
    if len(value) > length:
        value = value[: length - 1] + "…"
    return html.escape(value or "(none)")


def _figure(title: str, traces: Sequence[go.BaseTraceType], **layout: object) -> go.Figure:
    fig = go.Figure(data=list(traces))
    base = {"title": html.escape(title), "template": "plotly_white", "height": 420,
            "margin": {"l": 60, "r": 20, "t": 60, "b": 60}}  # fmt: skip
    fig.update_layout(**{**base, **layout})
    if not traces:
        fig.add_annotation(text="no data yet", showarrow=False, font={"size": 16})
    return fig


def posts_per_day(series: Mapping[str, Mapping[dt.date, int]]) -> go.Figure:
    """Posts created per day, one line per watch."""
    traces = [
        go.Scatter(x=list(days), y=list(days.values()), name=label(watch), mode="lines+markers")
        for watch, days in series.items()
    ]
    return _figure("Posts per day, by watch", traces, xaxis_title="day", yaxis_title="posts")


def growth(
    title: str, metric: str, series: Mapping[str, Sequence[tuple[dt.datetime, int]]]
) -> go.Figure:
    """A count (plays, likes) of some posts over time, one line per post."""
    traces = [
        go.Scatter(
            x=[t for t, _ in points],
            y=[v for _, v in points],
            name=label(post, 30),
            mode="lines+markers",
        )
        for post, points in series.items()
    ]
    return _figure(title, traces, xaxis_title="observed at", yaxis_title=metric)


def ranking(title: str, what: str, rows: Sequence[tuple[str, int]]) -> go.Figure:
    """A horizontal bar per name, biggest on top."""
    if not rows:
        return _figure(title, [])
    names = [label(name) for name, _ in reversed(rows)]
    values = [value for _, value in reversed(rows)]
    bar = go.Bar(x=values, y=names, orientation="h", name=html.escape(what))
    return _figure(title, [bar], xaxis_title=what, height=max(320, 28 * len(rows) + 120))


def units_per_day(series: Mapping[str, Mapping[str, int]]) -> go.Figure:
    """Units spent per day, stacked by watch."""
    traces = [go.Bar(x=list(days), y=list(days.values()), name=label(watch))
              for watch, days in series.items()]  # fmt: skip
    return _figure("Units spent per day", traces, barmode="stack", xaxis_title="day",
                   yaxis_title="units")  # fmt: skip
