"""What a job would cost, from the documented page sizes, caps and unit costs; sends nothing."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..api import _guesses as G
from ._spec import JobSpec

# The most a cursor endpoint hands out, where the API documents a cap.
_CAPS = {
    "hashtag_search": G.HASHTAG_CAP_RANGE[1],
    "user_followers": G.FOLLOWERS_CAP,
}


@dataclass(frozen=True)
class Estimate:
    """Calls and units a job would take; ``None`` where nothing bounds it (say ``max_items``)."""

    calls: int | None
    units: int | None
    note: str


def estimate(spec: JobSpec) -> Estimate:
    """An upper bound on what running ``spec`` from the start would cost."""
    spec.check()
    kind = spec.job_kind
    api = kind.api
    per_call = api.cost.units(dict(spec.params), api.page_size or 0)
    if kind.strategy == "single":
        return Estimate(1, per_call, f"one {kind.endpoint} call")
    if kind.strategy == "posts":
        calls = math.ceil(len(spec.ids) / G.MAX_POST_IDS)
        return Estimate(calls, calls * per_call, f"{len(spec.ids)} posts, 100 per call")
    return _paged(spec, per_call)


def _paged(spec: JobSpec, per_call: int) -> Estimate:
    kind = spec.job_kind
    api = kind.api
    depth = int(spec.params.get("depth") or 1)
    page = (api.page_size or 1) * (depth if api.cost.per_param == "depth" else 1)
    bound = min(filter(None, (spec.max_items, _CAPS.get(api.name))), default=None)
    extra = 1 if kind.strategy == "follows" else 0  # resolving the username
    if bound is None:
        return Estimate(None, None, f"unbounded: give max_items (pages of ~{page})")
    calls = math.ceil(bound / page)
    units = calls * per_call + extra
    if spec.max_units is not None:
        units = min(units, spec.max_units)
    note = f"up to {bound} items in pages of ~{page}"
    if kind.strategy == "comments" and spec.replies:
        note += ", plus replies (not counted)"
    return Estimate(calls + extra, units, note)
