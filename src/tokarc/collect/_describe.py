"""What a stored job says about itself in words: its target, and how far a window got."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..status import StopReason
from ..store import Job
from ._spec import DAY, window_since

#: How many post ids a label shows before "(+N more)".
SHOWN_IDS = 3


def target_label(kind: str, target: str, options: dict[str, Any]) -> str:
    """The job's target as a person reads it: the target (in its country, when the search
    was made in one: ``"election (DE)"``), or for a lookup of posts by id (which has none) its
    ids, ``"7301, 7302, 7303 (+97 more)"``."""
    if target or kind != "posts":
        country = (options.get("params") or {}).get("country")
        return f"{target} ({country})" if country else target
    ids = [str(i) for i in options.get("ids") or ()]
    more = f" (+{len(ids) - SHOWN_IDS} more)" if len(ids) > SHOWN_IDS else ""
    return ", ".join(ids[:SHOWN_IDS]) + more


def coverage(job: Job) -> str | None:
    """``"covers 3.8 of 30 days: the feed ended"`` when the job asked for a window (``since``)
    and the feed ran out before reaching back to it; ``None`` when it reached it, or asked
    for none.

    Days are counted back from the job's last page (``last_fetched``): asked, to ``since``;
    covered, to the oldest post it collected (``covered_from``).
    """
    since, end = window_since(job.options), job.last_fetched
    if since is None or end is None or job.stop_reason != StopReason.EXHAUSTED:
        return None
    asked = _days(end - int(since))
    covered = _days(end - job.covered_from) if job.covered_from is not None else "0"
    if job.covered_from is not None and (job.covered_from <= int(since) or covered == asked):
        return None
    return f"covers {covered} of {asked} days: the feed ended"


#: What a finished job's stop reason says about where its walk ended.
_ENDED: dict[str, str] = {
    StopReason.EXHAUSTED: "the feed ended",
    StopReason.CAUGHT_UP: "it caught up with the stored records",
    StopReason.SINCE: "it reached the start of its window",
    StopReason.MAX_ITEMS: "it reached its --max-items",
    StopReason.COMPLETE: "its calls were made",
}


def done_note(job: Job) -> str:
    """What a finished job is, and how to collect more: ``"job 1 is done: the feed ended on
    2026-12-07 06:35; run the command again to collect what is new"``."""
    ended = _ENDED.get(job.stop_reason or "", "it was collected")
    when = f" on {_when(job.last_fetched)}" if job.last_fetched is not None else ""
    more = (
        "give a larger --max-items to go on, or run the command again to collect what is new"
        if job.stop_reason == StopReason.MAX_ITEMS
        else "run the command again to collect what is new"
    )
    return f"job {job.id} is done: {ended}{when}; {more}"


def _when(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M")


def _days(seconds: float) -> str:
    text = f"{max(seconds, 0) / DAY:.1f}"
    return text[:-2] if text.endswith(".0") else text
