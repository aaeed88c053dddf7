"""What a stored job says about itself in words: its target, and how far a window got."""

from __future__ import annotations

from typing import Any

from ..client.pagination import EXHAUSTED
from ..store import Job
from ._spec import DAY, window_since

#: How many post ids a label shows before "(+N more)".
SHOWN_IDS = 3


def target_label(kind: str, target: str, options: dict[str, Any]) -> str:
    """The job's target as a person reads it: the target, or for a lookup of posts by id
    (which has none) its ids, ``"7301, 7302, 7303 (+97 more)"``."""
    if target or kind != "posts":
        return target
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
    if since is None or end is None or job.stop_reason != EXHAUSTED:
        return None
    asked = _days(end - int(since))
    covered = _days(end - job.covered_from) if job.covered_from is not None else "0"
    if job.covered_from is not None and (job.covered_from <= int(since) or covered == asked):
        return None
    return f"covers {covered} of {asked} days: the feed ended"


def _days(seconds: float) -> str:
    text = f"{max(seconds, 0) / DAY:.1f}"
    return text[:-2] if text.endswith(".0") else text
